"""Hostile content the reading stages must survive: each becomes a per-file
error naming the file (or is read correctly), never a hang or an abort."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from archivist import pipeline
from archivist.config import ConfigError, load_config
from archivist.ingest import pagelayout, reading, webpage
from archivist.ingest.read import ReadError, check_encodable, read_bytes
from archivist.model import Article, Failure
from archivist.pipeline import load_corpus
from archivist.text import lines, segment
from archivist.text.extract import parse_date
from archivist.text.script import TRADITIONAL_FORMS, to_traditional

PROSE = "江西省瑞金市叶坪乡华屋村是一个红色名村，近年来村里大力发展脐橙产业，村民收入逐年提高。\n"

# --- item 2: front matter that expands without bound, and slow files ------------------

ALIAS_BOMB = "\n".join(
    ["---", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    + ["title: 炸弹", "---", PROSE]
)


def test_front_matter_alias_bomb_is_refused_at_once():
    started = time.perf_counter()
    with pytest.raises(ReadError, match=r"alias"):
        read_bytes("bomb.md", ALIAS_BOMB.encode())
    assert time.perf_counter() - started < 1


def test_front_matter_alias_is_refused_with_its_line():
    with pytest.raises(ReadError, match=r"at line 3: an alias \(\*p\); aliases are not allowed"):
        read_bytes("a.md", "---\nplace: &p 瑞金\nregion: *p\n---\n正文\n".encode())


@pytest.mark.parametrize("nesting", ["[" * 30_000 + "]" * 30_000, "\n" + "- " * 30_000 + "x"])
def test_front_matter_nested_thirty_thousand_deep_is_an_error_not_a_crash(nesting):
    with pytest.raises(ReadError, match="nested more than 50 levels deep"):
        read_bytes("deep.md", f"---\ntitle: 标题\nregions: {nesting}\n---\n{PROSE}".encode())


def test_front_matter_without_aliases_is_still_read():
    raw = read_bytes("a.md", "---\ntitle: 标题\nauthors: [{name: 张三}, {name: 李四}]\n---\n正文\n".encode())
    assert raw.front_matter["authors"] == [{"name": "张三"}, {"name": "李四"}]


def test_encodability_walk_is_bounded_on_shared_values():
    shared: list = ["lol"]
    for _ in range(24):  # 16 million paths through 25 lists
        shared = [shared, shared]
    started = time.perf_counter()
    with pytest.raises(ReadError, match="more than 100,000 values"):
        check_encodable({"title": shared})
    assert time.perf_counter() - started < 1


def write_articles(folder: Path, names: list[str]) -> None:
    folder.mkdir()
    for number, name in enumerate(names):
        (folder / name).write_text(f"第{number}篇\n\n{PROSE * (number + 1)}", encoding="utf-8")
    # Models and tables load on first use: not within the short limits below
    # (forked workers inherit them loaded).
    assert isinstance(reading.normalise_file(folder / names[0], file_timeout=0), Article)


def slow_on(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``normalise`` hangs on files whose path holds ``marker``."""
    real = reading.normalise

    def normalise(raw, *args, **kwargs):
        while marker in Path(raw.path).name:
            time.sleep(0.01)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(reading, "normalise", normalise)


def test_slow_file_is_a_per_file_error_and_the_rest_are_read(tmp_path, monkeypatch):
    content = tmp_path / "content"
    write_articles(content, ["a.txt", "slow.txt", "z.txt"])
    slow_on("slow", monkeypatch)
    corpus = load_corpus(content, workers=1, file_timeout=0.3)
    assert [Path(f.path).name for f in corpus.failures] == ["slow.txt"]
    assert "took longer than 0.3 s" in corpus.failures[0].error
    assert sorted(Path(a.path).name for a in corpus.articles) == ["a.txt", "z.txt"]


def test_slow_file_times_out_in_a_worker_process(tmp_path, monkeypatch):
    content = tmp_path / "content"
    write_articles(content, ["a.txt", "slow.txt", "z.txt"])
    slow_on("slow", monkeypatch)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)  # a pool for three files
    corpus = load_corpus(content, workers=2, file_timeout=0.3)
    assert [(Path(f.path).name, "took longer" in f.error) for f in corpus.failures] == [("slow.txt", True)]
    assert len(corpus.articles) == 2


def test_file_timeout_is_a_setting_checked_like_the_others(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text("[build]\nfile_timeout = 2.5\n", encoding="utf-8")
    assert load_config(config).file_timeout == 2.5
    config.write_text('[build]\nfile_timeout = "soon"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="file_timeout"):
        load_config(config)


def test_a_time_limit_leaves_no_alarm_behind(tmp_path):
    content = tmp_path / "content"
    write_articles(content, ["a.txt"])
    handler = signal.getsignal(signal.SIGALRM)
    result = reading.normalise_file(content / "a.txt", file_timeout=30)
    assert isinstance(result, Article)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler


# --- item 11: a furniture pattern that backtracks without end --------------------------


def test_backtracking_furniture_pattern_is_a_per_file_error_not_a_hang(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "furniture.yaml").write_text("patterns: ['^(a|a)+$']\n", encoding="utf-8")
    (content / "hostile.txt").write_text(f"标题\n\n{'a' * 40}!\n\n{PROSE}", encoding="utf-8")
    (content / "fine.txt").write_text(f"另一篇\n\n{PROSE}", encoding="utf-8")
    started = time.perf_counter()
    corpus = load_corpus(content, workers=1)
    assert time.perf_counter() - started < 30
    [failure] = corpus.failures
    assert Path(failure.path).name == "hostile.txt"
    assert "furniture.yaml: pattern '^(a|a)+$' took more than" in failure.error
    assert [Path(a.path).name for a in corpus.articles] == ["fine.txt"]


def test_furniture_patterns_still_drop_their_lines(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "furniture.yaml").write_text("patterns: ['^小编温馨提示']\n", encoding="utf-8")
    (content / "a.txt").write_text(f"标题\n\n{PROSE}\n小编温馨提示：转载请注明\n", encoding="utf-8")
    [article] = load_corpus(content, workers=1).articles
    assert ("小编温馨提示：转载请注明", "lexicon pattern '^小编温馨提示'") in article.dropped


# --- item 17: dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间：19-05-07", "2019-05-07"),
        ("19/05/07 10:30", "2019-05-07T10:30:00"),
        ("98.12.01", "1998-12-01"),
        ("2019-05-07", "2019-05-07"),
        ("版本 1.19.05.07", None),  # part of a longer dotted number: no date
        ("19-13-07", None),
    ],
)
def test_two_digit_year_is_read_year_first(text, expected):
    assert parse_date(text) == expected


def test_two_digit_year_dateline_of_a_scrape(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(f"乡村振兴的脐橙产业\n\n发布时间：19-05-07 来源：赣南日报\n\n{PROSE}", encoding="utf-8")
    article = reading.normalise_file(path)
    assert isinstance(article, Article) and article.date == "2019-05-07"


def test_two_digit_year_in_page_markup_is_read_year_first(tmp_path):
    path = tmp_path / "a.html"
    paragraphs = "".join(f"<p>{PROSE.strip()}{n}</p>" for n in range(3))
    path.write_text(
        '<html><head><title>乡村振兴的脐橙产业</title><meta name="pubdate" content="19-05-07"></head>'
        f"<body><h1>乡村振兴的脐橙产业</h1><div>{paragraphs}</div></body></html>",
        encoding="utf-8",
    )
    article = reading.normalise_file(path)
    assert isinstance(article, Article) and article.date == "2019-05-07"


@pytest.mark.parametrize(
    "debug_line",
    [
        "加载中... 2021-08-30 10:00:00 debug",
        "[player] 2021-08-30 10:00:00 buffer empty, loading",
        "播放器版本 3.2.1 2021-08-30 10:00:00",
        "00:00 / 03:25 2021-08-30 10:00:00",
    ],
)
def test_video_player_debug_line_is_not_the_date(tmp_path, debug_line):
    path = tmp_path / "a.txt"
    path.write_text(
        f"乡村振兴的脐橙产业\n\n来源：赣南日报 2019-05-07\n\n{debug_line}\n\n{PROSE}{PROSE}", encoding="utf-8"
    )
    article = reading.normalise_file(path)
    assert isinstance(article, Article) and article.date == "2019-05-07"


def test_markdown_without_a_date_is_published_undated_with_a_warning(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(f"---\ntitle: 没有日期\n---\n{PROSE}", encoding="utf-8")
    corpus = load_corpus(content, workers=1)
    [article] = corpus.articles
    assert article.date is None
    assert any("no date" in warning and "'date'" in warning for warning in article.warnings)
    assert any("a.md" in line and "no date" in line for line in corpus.warnings())


# --- item 22: encodings -------------------------------------------------------------------

ARTICLE = "乡村振兴的脐橙产业\n\n来源：赣南日报 2019-05-07\n\n" + PROSE


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(codec):
    raw = read_bytes("a.txt", ARTICLE.encode(codec))
    assert raw.text == ARTICLE and raw.encoding == codec


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_saved_page_in_utf16_without_a_byte_order_mark_is_read(codec):
    page = f"<html><body><h1>标题</h1><p>{PROSE}</p></body></html>"
    raw = read_bytes("a.html", page.encode(codec))
    assert raw.text == page and raw.encoding == codec


def test_binary_file_is_still_binary_not_utf16():
    png_like = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 50
    with pytest.raises(ReadError, match="binary"):
        read_bytes("a.txt", png_like)


def test_utf8_file_whose_second_half_is_gbk_is_read_line_by_line():
    first = "乡村振兴的脐橙产业\n\n来源：赣南日报\n\n" + PROSE
    second = "村党支部书记说，下一步将继续扩大种植规模，带动更多村民致富。\n" * 3
    raw = read_bytes("a.txt", first.encode("utf-8") + second.encode("gbk"))
    assert raw.text == first + second
    assert raw.encoding == "utf-8+gb18030"


@pytest.mark.parametrize(("form", "expected"), [("standard", "華爲啓動"), ("tw", "華為啟動"), ("hk", "華為啓動")])
def test_traditional_forms_are_a_setting(form, expected):
    assert to_traditional("华为启动", TRADITIONAL_FORMS[form]) == expected


def test_unknown_traditional_form_is_a_config_error(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('[site]\ntraditional = "s2tw"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[site\] traditional must be one of 'standard', 'tw'"):
        load_config(config)


def test_taiwan_forms_on_every_traditional_page_and_in_search(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(
        f"---\ntitle: 华为启动乡村振兴项目\ndate: 2024-05-01\n---\n华为启动乡村振兴项目。{PROSE}", encoding="utf-8"
    )
    (tmp_path / "site.toml").write_text(
        '[site]\ntraditional = "tw"\n[paths]\ncontent = "content"\noutput = "site"\n[build]\nworkers = 1\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / "site.toml")
    _, report = pipeline.build(config)
    assert report.errors == 0
    traditional = [
        path.read_text(encoding="utf-8")
        for path in (tmp_path / "site" / "zh-hant").rglob("*")
        if path.is_file() and path.suffix in (".html", ".js", ".json", ".xml")
    ]
    searched = [p.read_text(encoding="utf-8") for p in (tmp_path / "site" / "search").rglob("*.js")]
    assert any("華為啟動" in text for text in traditional)
    assert any("華為啟動" in text for text in searched)
    assert not any("華爲" in text or "啓動" in text for text in traditional + searched)


# --- item 3: long pages and scrapes are read in linear time -------------------------------
# A structural measure, not a timing: the lines read from the classified page
# (or from the scrape's lines, in the title search) for an input and for one
# four times its size.  Linear work reads about four times as many; the
# quadratic steps (a scan ahead from each line) read sixteen times as many.

GROWTH = 4
LINEAR_BOUND = 6


class CountingList(list):
    """A list that counts the items read from it."""

    def __init__(self, items: list, counter: list[int]) -> None:
        super().__init__(items)
        self.counter = counter

    def __getitem__(self, index):
        found = super().__getitem__(index)
        self.counter[0] += len(found) if isinstance(index, slice) else 1
        return found

    def __iter__(self):
        for item in super().__iter__():
            self.counter[0] += 1
            yield item


def lines_read(monkeypatch: pytest.MonkeyPatch, data: bytes, path: str) -> int:
    """How many lines the reading of ``data`` takes from its classified lines."""
    counter = [0]
    classified, find_title = webpage.classified, lines.find_title

    def counted_page(*args, **kwargs):
        page = classified(*args, **kwargs)
        page.lines = CountingList(page.lines, counter)
        return page

    def counted_title(found: list, start: int):
        return find_title(CountingList(found, counter), start)

    with monkeypatch.context() as patch:
        patch.setattr(webpage, "classified", counted_page)
        patch.setattr(lines, "find_title", counted_title)  # a saved page's headline vote
        patch.setattr(segment, "find_title", counted_title)  # a scrape's title
        result = reading.normalise_data(path, data, file_timeout=0, exists=lambda _: True)
    assert isinstance(result, Article), result
    return counter[0]


def growth(monkeypatch: pytest.MonkeyPatch, make: Callable[[int], bytes], path: str, size: int) -> float:
    return lines_read(monkeypatch, make(size * GROWTH), path) / lines_read(monkeypatch, make(size), path)


LONG_PROSE = "村里大力发展脐橙产业，村民收入逐年提高，群众的日子越过越红火。" * 2


def test_title_search_is_linear_in_a_scrape_of_many_heading_lines(monkeypatch):
    def scrape(n: int) -> bytes:
        return ("乡村振兴新闻标题\n\n" * n + (LONG_PROSE + "\n\n") * 3).encode()

    assert growth(monkeypatch, scrape, "a.txt", 300) < LINEAR_BOUND


def test_page_of_many_images_is_read_in_linear_time(monkeypatch):
    def page(n: int) -> bytes:
        unit = f'<p>{LONG_PROSE}</p><img src="pic.jpg" alt="脐橙">'
        return f"<html><head><title>标题</title></head><body><h1>标题</h1>{unit * n}</body></html>".encode()

    assert growth(monkeypatch, page, "a.html", 300) < LINEAR_BOUND


def test_page_of_many_tiny_paragraphs_is_read_in_linear_time(monkeypatch):
    def page(n: int) -> bytes:
        return f"<html><body><h1>标题</h1><p>{LONG_PROSE}</p>{'<p>a</p>' * n}</body></html>".encode()

    assert growth(monkeypatch, page, "a.html", 300) < LINEAR_BOUND


def test_a_page_of_more_elements_than_any_article_is_a_per_file_error_before_extraction():
    page = ("<html><body>" + "<p>村</p>" * pagelayout.MAX_ELEMENTS + "</body></html>").encode()
    result = reading.normalise_data("dump.html", page)
    assert isinstance(result, Failure)
    assert f"over the limit of {pagelayout.MAX_ELEMENTS:,}" in result.error and result.path == "dump.html"


def test_a_page_at_the_element_limit_is_read_one_more_is_not():
    page = "<html><body>" + "<p>村</p>" * 100 + "</body></html>"
    elements = sum(1 for _ in pagelayout.parse(page).iter())  # html, body and the paragraphs
    assert elements > 100
    assert pagelayout.parse(page, max_elements=elements) is not None
    with pytest.raises(ReadError, match=f"{elements} elements in one page, over the limit of {elements - 1}"):
        pagelayout.parse(page, max_elements=elements - 1)


@pytest.mark.parametrize("name", ["glossary.yaml", "initiatives.yaml", "furniture.yaml"])
@pytest.mark.parametrize("shape", ["[" * 30_000 + "]" * 30_000, "a: &a [x]\nb: *a\n"])
def test_a_settings_file_nested_without_end_or_with_aliases_is_refused_by_name(tmp_path, name, shape):
    from archivist.ingest.editorial import load_editorial

    (tmp_path / name).write_text(shape, encoding="utf-8")
    _, broken = load_editorial(tmp_path)
    assert [failure.path for failure in broken] == [str(tmp_path / name)]
    assert "nested more than" in broken[0].error or "an alias (*a)" in broken[0].error


def test_an_integer_of_five_thousand_digits_in_front_matter_is_a_per_file_error():
    result = reading.normalise_data("big-number.md", f"---\nsource: {'1' * 5_000}\n---\n{PROSE}".encode())
    assert isinstance(result, Failure) and result.path == "big-number.md"
    assert "invalid front matter" in result.error
