"""Whole files in the encodings and shapes scrapers produce, through normalisation."""

import codecs

import pytest

from archivist.ingest.reading import normalise_file
from archivist.model import Article, Failure

from .conftest import SEEDS

SEED_001 = SEEDS[1].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda t: t.encode("gb18030"), "gb18030"),
        (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: t.encode("utf-16"), "utf-16"),
        (lambda t: t.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (lambda t: t.replace("\n", "\r").encode("utf-8"), "utf-8"),
    ],
)
def test_seed_in_other_encodings_gives_the_same_article(tmp_path, encode, encoding):
    path = tmp_path / "seed.txt"
    path.write_bytes(encode(SEED_001))
    article = normalise_file(path)
    assert isinstance(article, Article)
    assert article.encoding == encoding
    assert article.title == "玉林:葵峰山上党旗扬" and article.date == "2019-08-12T09:37:55"
    assert len(article.paragraphs) > 20


def test_big5_traditional_article(tmp_path):
    text = "海邊山黨旗紅 固邊富民\n2023-10-20 09:53:00 來源:鄉村幹部報\n\n  廣西防城港市防城區位於中國南疆北部灣畔,是廣西唯一既沿邊又沿海的市轄區。\n"
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    article = normalise_file(path)
    assert isinstance(article, Article)
    assert article.encoding == "big5" and article.script == "zh-Hant"
    assert article.source == "乡村干部报"
    assert article.paragraphs == ["广西防城港市防城区位于中国南疆北部湾畔，是广西唯一既沿边又沿海的市辖区。"]


@pytest.mark.slow  # close to a minute of reading; with the long tests
def test_twenty_megabyte_file_is_built(tmp_path):
    paragraph = "  全力以赴统筹协调推进，加快“单打独斗”向“合作共赢”转变，开展“强村带弱村”活动。\n\n"
    path = tmp_path / "big.txt"
    path.write_bytes(("大文件标题\n\n" + paragraph * (20_000_000 // len(paragraph.encode()))).encode())
    article = normalise_file(path)
    assert isinstance(article, Article)
    assert article.title == "大文件标题" and len(article.paragraphs) > 100_000


def test_undecodable_file_is_a_failure_naming_the_problem(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 4)
    failure = normalise_file(path)
    assert isinstance(failure, Failure)
    assert "decode" in failure.error or "binary" in failure.error


def test_markdown_front_matter_overrides_and_body_is_rendered(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: 編者按\ndate: 2024-05-01\nsource: 本站\nauthors: [{name: 張三, role: 記者}]\nslug: editor-note\n---\n\n"
        "## 小標題\n\n第一段**加粗**。\n\n<script>alert(1)</script>第二段\n",
        encoding="utf-8",
    )
    article = normalise_file(path)
    assert isinstance(article, Article)
    assert (article.title, article.date, article.source, article.slug) == (
        "编者按",
        "2024-05-01",
        "本站",
        "editor-note",
    )
    assert article.headings == ["小标题"]
    assert article.blocks[1].html == "<p>第一段<strong>加粗</strong>。</p>"
    assert "<script>" not in "".join(b.html or "" for b in article.blocks)


def test_invalid_front_matter_value_is_a_failure(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("---\ndate: not a date\n---\n正文\n", encoding="utf-8")
    failure = normalise_file(path)
    assert isinstance(failure, Failure) and "date" in failure.error
