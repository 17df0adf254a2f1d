"""Search in a real headless Chromium, over HTTP and from file://."""

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser


def results(page) -> list[str]:
    page.wait_for_function("document.getElementById('search-status').textContent.indexOf('载入') < 0")
    page.wait_for_timeout(50)
    page.wait_for_function(
        "document.querySelectorAll('#search-results li').length > 0"
        " || document.getElementById('search-status').textContent.indexOf('没有') >= 0"
    )
    return page.locator(".result-link").all_inner_texts()


def open_search(page, site_url, query="", **facets):
    params = [f"q={quote(query)}"] if query else []
    params += [f"{key}={quote(value)}" for key, value in facets.items()]
    page.goto(site_url + "search.html" + ("?" + "&".join(params) if params else ""))


def test_both_scripts_give_the_same_list(page, site_url):
    open_search(page, site_url, "党建联建")
    simplified = results(page)
    open_search(page, site_url, "黨建聯建")
    assert results(page) == simplified and simplified
    assert "党建联建" in simplified[0]
    assert page.problems == []


def test_one_character_query(page, site_url):
    open_search(page, site_url, "葵")
    assert any("葵峰山" in title for title in results(page))


def test_number_query(page, site_url):
    open_search(page, site_url, "1313")
    found = results(page)
    assert len(found) == 1 and "海边山党旗红" in found[0]


def test_matches_are_highlighted(page, site_url):
    open_search(page, site_url, "党建联建")
    results(page)
    marks = page.locator("#search-results li:first-child mark").all_inner_texts()
    assert marks and all(m == "党建联建" for m in marks)


def test_facet_from_url_filters_and_counts(page, site_url):
    open_search(page, site_url, region="玉林市")
    found = results(page)
    assert len(found) == 2
    assert page.locator("select[name=region] option:checked").inner_text().startswith("玉林市 (2)")


def test_choosing_a_facet_updates_results_and_url(page, site_url):
    open_search(page, site_url, "党")
    assert len(results(page)) == 5
    page.select_option("select[name=year]", "2019")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    assert "year=2019" in page.url


def test_typing_searches_and_keeps_state_in_url(page, site_url):
    open_search(page, site_url)
    page.keyboard.press("/")
    page.keyboard.type("五基三化")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    assert "q=" in page.url and quote("五基三化") in page.url


def test_keyboard_moves_through_results_and_enter_opens(page, site_url):
    open_search(page, site_url, "党")
    results(page)
    page.focus("#search-box")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.locator(".result-link").nth(1)
    assert second.evaluate("e => e === document.activeElement")
    title = second.inner_text()
    with page.expect_navigation():  # the article page, not the search page still loaded
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == title


def test_no_result_state_says_what_to_try(page, site_url):
    open_search(page, site_url, "量子计算机")
    assert results(page) == []
    assert "试试" in page.inner_text("#search-status")
    assert page.problems == []


def search_text(page) -> dict[str, str]:
    results(page)
    page.wait_for_selector("body[data-search-done]")
    return {
        "status": page.inner_text("#search-status"),
        "whole": page.locator("#search-results .result-link").count(),
        "partial": page.locator("#search-partial .result-link").count(),
    }


def test_query_matching_one_shared_bigram_reports_no_full_match(page, site_url):
    open_search(page, site_url, "兴业火星殖民")
    shown = search_text(page)
    assert "找到" not in shown["status"] and "部分关键词" in shown["status"]
    assert shown["whole"] == 0 and shown["partial"] >= 1
    assert page.locator("#search-more").is_visible()


def strict_count(query: str) -> int:
    """How many seed articles hold every term, by lunr.py over the same index."""
    from bench.lunr_oracle import build_index, query_terms, run_query, search_documents

    from .conftest import SEEDS, normalise_file

    articles = [normalise_file(path) for path in SEEDS]
    _, documents = search_documents(articles)
    return len(run_query(build_index(list(documents())), query_terms(query), required=True))


def test_count_is_of_articles_holding_every_term_and_partial_ones_are_apart(page, site_url):
    open_search(page, site_url, "党建 兴业县")
    shown = search_text(page)
    expected = strict_count("党建 兴业县")
    assert 0 < expected < 5
    assert shown["status"].startswith(f"找到 {expected} 篇")
    assert shown["whole"] == expected
    assert "只含部分关键词" in shown["status"] and f"另有 {5 - expected} 篇" in shown["status"]
    assert not page.locator("#search-more").get_attribute("open") is not None
    # The partial matches' texts are loaded when they are opened.
    assert shown["partial"] == 0
    page.click("#search-more summary")
    page.wait_for_function(f"document.querySelectorAll('#search-partial li').length === {5 - expected}")


def test_arrow_down_in_a_facet_changes_its_option_and_keeps_focus(page, site_url):
    open_search(page, site_url, "党建")
    search_text(page)
    before = page.eval_on_selector("select[name=year]", "s => s.value")
    page.focus("select[name=year]")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"document.querySelector('select[name=year]').value !== {before!r}")
    page.wait_for_selector("body[data-search-done]")
    page.wait_for_timeout(200)
    assert page.evaluate("document.activeElement.name") == "year"
    assert "year=" in page.url


def test_traditional_search_page_speaks_traditional(page, site_url):
    page.goto(site_url + "zh-hant/search.html")
    page.wait_for_function("document.getElementById('search-status').textContent.indexOf('載入') < 0")
    assert "輸入關鍵詞" in page.inner_text("#search-status")
    page.goto(site_url + "zh-hant/search.html?q=" + quote("黨建聯建"))
    search_text(page)
    shown = page.inner_text("main")
    assert "黨建聯建" in page.inner_text("#search-results .snippet >> nth=0")
    assert "找到" in shown and "党" not in shown and "简体" not in shown


@pytest.mark.parametrize("script", ["", "zh-hant/"])
def test_a_region_pages_filter_link_lists_that_regions_articles(page, site_url, script):
    """The link on a region page names the place in the page's script; the
    search page finds its number in the facet names and filters by it."""
    page.goto(site_url + script + "regions/4509.html")
    count = int(page.inner_text("p.count").split()[0])
    page.click("p.count a[href*='search.html']")
    found = results(page)
    assert len(found) == count > 0
    checked = page.locator("select[name=region] option:checked").inner_text()
    assert checked.endswith(f"({count})")
    first = page.locator(".result-link").first.get_attribute("href")
    assert ("zh-hant/" in first) == bool(script)
    page.locator(".result-link").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == found[0]
    assert page.problems == []
