"""Everyday defects a new user meets: glossary meanings, `new`, `inspect`,
settings and the search page's facets."""

from __future__ import annotations

import contextlib
import html
import io
import re
import subprocess

import pytest

from archivist.cli import main
from archivist.site.entries import Entry, Use
from archivist.site.meanings import explain

from .conftest import ROOT, entry_firsts, run_cli


def run_here(*args: str) -> subprocess.CompletedProcess[str]:
    """``build.py ARGS`` run in this process: quick commands, where starting
    Python would be most of the time."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


# --- 16: a meaning told part by part is kept whole ------------------------------

PART_BY_PART = (
    "我们构建了“一区四线”。一区，主要是突出红色会客厅建设，辐射带动城区社区。"
    "四线，东线，主要是依托故居所在村；南线，主要是结合旅游资源；西线，重点打造示范片区；北线，推广新模式。"
)


def test_meaning_told_part_by_part_is_not_cut_to_its_first_clause():
    entry = Entry("一区四线", "numbered", uses=[Use("a", "p1", "", None, "标题")])
    explain(entry, {"a": [PART_BY_PART]})
    assert entry.meaning.startswith("一区，主要是突出红色会客厅建设，辐射带动城区社区。四线，东线")
    assert entry.meaning.endswith("西线，重点打造示范片区；北线，推广新模式")


def test_sample_glossary_holds_the_whole_meaning_of_yiqu_sixian(tmp_path):
    out = tmp_path / "site"
    result = run_cli("build", "-q", "--content", str(ROOT / "content"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pages = [p for p in entry_firsts(out / "glossary") if "“一区四线”</h1>" in p.read_text(encoding="utf-8")]
    assert len(pages) == 1
    quote = re.search(r"<blockquote>(.*?)</blockquote>", pages[0].read_text(encoding="utf-8"), re.S)
    meaning = html.unescape(quote.group(1))
    assert meaning.startswith("一区，主要是突出“红色会客厅”建设")
    for line in ("“四线”分别是东南西北线", "东线", "南线", "西线", "北线"):
        assert line in meaning
    assert meaning.endswith("特色产业品牌化建设新模式")


# --- 18: `new` gives a title that shares its slug's first words a name of its own ---


def new_draft(content, title: str) -> subprocess.CompletedProcess[str]:
    return run_here("new", title, "--content", str(content))


def test_new_names_a_draft_whose_slug_prefix_is_taken_uniquely(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    first = new_draft(content, "乡村振兴：江西瑞金的红色名村")
    assert first.returncode == 0, first.stderr
    (written,) = content.glob("*.md")
    written.write_text(written.read_text(encoding="utf-8") + "编辑写的内容。\n", encoding="utf-8")
    second = new_draft(content, "乡村振兴：江西赣州的脐橙产业")
    assert second.returncode == 0, second.stderr
    drafts = sorted(content.glob("*.md"))
    assert len(drafts) == 2
    texts = {path: path.read_text(encoding="utf-8") for path in drafts}
    assert "编辑写的内容" in texts[written]
    (other,) = [path for path in drafts if path != written]
    assert str(other.name) in second.stdout and "脐橙产业" in texts[other]


def test_new_draft_slug_is_unique_in_the_built_site(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for title in ("乡村振兴：江西瑞金的红色名村", "乡村振兴：江西赣州的脐橙产业"):
        assert new_draft(content, title).returncode == 0
    for path in content.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0 and "is taken by" not in result.stderr, result.stderr
    pages = {path.stem for path in (tmp_path / "site" / "articles").glob("*/*.html")}
    assert pages == {path.stem for path in content.glob("*.md")}


def test_new_refuses_a_second_draft_of_the_same_title(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    title = "乡村振兴：江西赣州的脐橙产业"
    assert new_draft(content, title).returncode == 0
    again = new_draft(content, title)  # the same title the same day: the draft is there already
    assert again.returncode == 1 and "already exists" in again.stderr
    assert len(list(content.glob("*.md"))) == 1


# --- 19: `inspect` reads the content folder's own curation files, and shows
# the dropped lines of a file it rejected ------------------------------------

ARTICLE_WITH_A_SITE_LINE = (
    "乡村振兴：江西瑞金的红色名村\n"
    "来源：乡村干部报  发布时间：2024-05-01 10:00\n"
    "本站温馨提示欢迎您来到我们的红色名村频道阅读全文\n"
    "瑞金市坚持党建引领，推动红色名村建设，村集体经济收入逐年增长，群众的获得感不断增强。\n"
    "该市把红色资源保护利用与乡村振兴结合起来，发展红色旅游，带动村民就业增收。\n"
)


def inspect(*args: str) -> tuple[int, list[dict]]:
    import json

    result = run_here("inspect", *args)
    return result.returncode, json.loads(result.stdout)


def test_inspect_uses_the_furniture_file_of_the_content_folder_given(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "furniture.yaml").write_text("patterns: ['^本站温馨提示']\n", encoding="utf-8")
    article = content / "article.txt"
    article.write_text(ARTICLE_WITH_A_SITE_LINE, encoding="utf-8")
    _, [without] = inspect(str(article), "--content", str(tmp_path / "empty"))
    assert not any(d["line"].startswith("本站温馨提示") for d in without["dropped"])
    code, [result] = inspect(str(article), "--content", str(content))
    assert code == 0
    reasons = {d["line"]: d["reason"] for d in result["dropped"]}
    assert "本站温馨提示" in reasons["本站温馨提示欢迎您来到我们的红色名村频道阅读全文"]
    assert not any(paragraph.startswith("本站温馨提示") for paragraph in result["paragraphs"])


FURNITURE_ONLY = (
    "网站首页 | 手机看新闻\n扫一扫分享到微信朋友圈\n热门城市：北京 上海 广州 深圳 兰州 西宁\n版权所有 XX网 2023\n"
)


def test_inspect_shows_why_each_line_of_a_rejected_scrape_was_dropped(tmp_path):
    scrape = tmp_path / "furniture.txt"
    scrape.write_text(FURNITURE_ONLY, encoding="utf-8")
    code, [result] = inspect(str(scrape))
    assert code == 1 and result["error"].startswith("no article text")
    lines = {d["line"]: d["reason"] for d in result["dropped"]}
    assert set(lines) == set(FURNITURE_ONLY.strip().split("\n"))
    assert all(reason for reason in lines.values())


def test_inspect_shows_the_dropped_lines_of_a_rejected_saved_page():
    page = ROOT / "tests" / "fixtures" / "pages-refused" / "login-wall.html"
    code, [result] = inspect(str(page))
    assert code == 1 and result["error"].startswith("no article")
    assert result["dropped"] and all(d["line"] and d["reason"] for d in result["dropped"])
    assert any("登录" in d["line"] for d in result["dropped"])


# --- 20: settings, the search page's suggestions, template errors -------------

ARTICLE_MD = """---
title: {title}
date: 2024-05-0{day} 10:00
source: 赣南日报
regions: [江西省/赣州市/龙南市]
initiatives: [稀土产业链党建]
---
龙南市坚持党建引领，推进稀土产业链发展，村集体经济收入逐年增长，群众的获得感不断增强。

该市把“链上党建”与产业发展结合起来，带动村民就业增收。
"""


def small_project(tmp_path, **paths: str):
    from .conftest import write_site_toml

    content = tmp_path / "content"
    content.mkdir()
    for day, title in enumerate(("龙南市推进稀土产业", "龙南市稀土企业党建观察"), start=1):
        (content / f"{day}.md").write_text(ARTICLE_MD.format(title=title, day=day), encoding="utf-8")
    return write_site_toml(tmp_path, content="content", output="site", **paths)


def test_config_option_works_after_the_sub_command_too(tmp_path):
    config = small_project(tmp_path)
    after = run_cli("build", "-q", "--config", str(config))
    assert after.returncode == 0, after.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    checked = run_cli("check", "--config", str(config))
    assert checked.returncode == 0 and "Checked 2 files" in checked.stdout
    before = run_cli("--config", str(config), "check")
    assert before.returncode == 0 and "Checked 2 files" in before.stdout


def test_site_language_that_does_nothing_is_refused(tmp_path):
    config = small_project(tmp_path)
    with config.open("a", encoding="utf-8") as handle:
        handle.write('[site]\nlanguage = "zh-Hant"\n')
    result = run_cli("build", "-q", "--config", str(config))
    assert result.returncode == 2
    assert "[site] language" in result.stderr and "zh-Hans" in result.stderr
    assert not (tmp_path / "site").exists()


def search_hint(site) -> str:
    import json

    page = (site / "search.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="search-text">(.*?)</script>', page, re.S).group(1)
    return json.loads(data)["hint"]


def test_search_page_suggests_the_sites_own_tags(tmp_path):
    config = small_project(tmp_path)
    assert run_cli("build", "-q", "--config", str(config)).returncode == 0
    hint = search_hint(tmp_path / "site")
    assert "稀土产业链党建" in hint and "赣州市" in hint
    for sample_query in ("党建联建", "1313", "玉林"):
        assert sample_query not in hint
    traditional = search_hint(tmp_path / "site" / "zh-hant")
    assert "稀土產業鏈黨建" in traditional


def test_search_page_of_an_empty_site_suggests_nothing(tmp_path):
    from .conftest import write_site_toml

    (tmp_path / "content").mkdir()
    config = write_site_toml(tmp_path, content="content", output="site")
    assert run_cli("build", "-q", "--config", str(config)).returncode == 0
    hint = search_hint(tmp_path / "site")
    assert hint and "试试" not in hint and "党建联建" not in hint


def test_undefined_template_variable_names_the_template_file_and_line(tmp_path):
    theme = tmp_path / "theme" / "templates"
    theme.mkdir(parents=True)
    (theme / "search.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% include "broken.html" %}\n{% endblock %}\n', encoding="utf-8"
    )
    (theme / "broken.html").write_text("<p>\n{{ missing_value }}\n</p>\n", encoding="utf-8")
    config = small_project(tmp_path, theme="theme")
    for workers in ("1", "2"):
        result = run_cli("build", "-q", "--workers", workers, "--config", str(config))
        assert result.returncode == 2
        assert "broken.html:2" in result.stderr and "'missing_value' is undefined" in result.stderr
        assert "search.html" in result.stderr  # the page it was rendering


# --- 23: a facet value from the URL is the facet's own option, in either script ---


def facet_page(page, base: str, query: str):
    page.goto(base + "search.html?" + query)
    page.wait_for_selector("body[data-search-done]")
    options = page.locator("select[name=region] option").all_inner_texts()
    checked = page.locator("select[name=region] option:checked").inner_text()
    return options, checked, page.locator(".result-link").all_inner_texts()


@pytest.mark.browser
def test_traditional_facet_value_from_the_url_selects_the_simplified_option(page, http_base):
    from urllib.parse import quote

    options, checked, found = facet_page(page, http_base, "region=" + quote("陸川縣"))
    assert checked == "陆川县 (1)" and len(found) == 1
    assert not any("陸川縣" in option for option in options)
    assert "region=" + quote("陆川县") in page.url
    assert page.problems == []


@pytest.mark.browser
def test_unknown_facet_value_from_the_url_is_dropped(page, http_base):
    from urllib.parse import quote

    options, checked, found = facet_page(page, http_base, "q=" + quote("党") + "&region=" + quote("火星县"))
    assert not any("火星县" in option for option in options)
    assert checked.startswith("全部") and len(found) == 5
    assert "region=" not in page.url
    assert page.problems == []


# --- hostile inputs to these items ------------------------------------------


def test_new_never_writes_through_a_link_or_into_a_fifo_that_holds_its_name(tmp_path):
    import os
    from datetime import datetime

    from archivist.drafts import candidate_slugs

    content = tmp_path / "content"
    content.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text("outside\n", encoding="utf-8")
    title = "乡村振兴：江西瑞金的红色名村"
    first = new_draft(content, title)
    (made,) = content.glob("*.md")
    made.unlink()
    made.symlink_to(secret)  # the name the next draft would take links out of the folder
    whole = list(candidate_slugs(title, datetime.fromisoformat(made.stem[:10])))[1]
    os.mkfifo(content / f"{whole}.md")  # and the next name is a FIFO: neither is opened for writing
    second = new_draft(content, title)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert secret.read_text(encoding="utf-8") == "outside\n" and made.is_symlink()
    (draft,) = [p for p in content.glob("*.md") if not p.is_symlink() and p.is_file()]
    assert draft.name == f"{whole}-2.md" and title in draft.read_text(encoding="utf-8")


def test_search_suggestion_that_looks_like_markup_stays_text(tmp_path):
    import json

    content = tmp_path / "content"
    content.mkdir()
    hostile = "</script><script>window.pwned=1</script>"
    text = ARTICLE_MD.format(title="龙南市推进稀土产业", day=1).replace("稀土产业链党建", json.dumps(hostile))
    (content / "a.md").write_text(text, encoding="utf-8")
    from .conftest import write_site_toml

    config = write_site_toml(tmp_path, content="content", output="site")
    assert run_cli("build", "-q", "--config", str(config)).returncode == 0
    page = (tmp_path / "site" / "search.html").read_text(encoding="utf-8")
    assert "<script>window.pwned" not in page
    assert hostile in search_hint(tmp_path / "site")


@pytest.mark.browser
def test_facet_value_that_looks_like_markup_is_dropped_as_text(page, http_base):
    from urllib.parse import quote

    options, _, _ = facet_page(
        page, http_base, "q=" + quote("党") + "&region=" + quote("<img src=x onerror=window.pwned=1>")
    )
    assert not any("img" in option for option in options)
    assert page.evaluate("window.pwned") is None
