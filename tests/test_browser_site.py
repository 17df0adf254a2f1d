"""The whole site in a real headless Chromium, over HTTP (below a sub-path)
and from file://: page types, the 简/繁 switch, keyboard focus, screenshots."""

import re
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def page_types(site: Path) -> dict[str, str]:
    """One page of every type, as paths relative to the site root."""
    article = sorted((site / "articles").glob("*.html"))[0].name
    region = sorted((site / "regions").glob("4*.html"))[0].name
    initiative = sorted(p.name for p in (site / "initiatives").glob("*.html") if p.name != "index.html")[0]
    entry = "1313.html"
    return {
        "home": "index.html",
        "article": f"articles/{article}",
        "archive": "archive/index.html",
        "year": "archive/2023.html",
        "regions": "regions/index.html",
        "region": f"regions/{region}",
        "initiatives": "initiatives/index.html",
        "initiative": f"initiatives/{initiative}",
        "glossary": "glossary/index.html",
        "entry": f"glossary/{entry}",
        "search": "search.html?q=党建",
        "traditional home": "zh-hant/index.html",
        "traditional article": f"zh-hant/articles/{article}",
        "traditional search": "zh-hant/search.html?q=黨建",
    }


PAGE_KINDS = [
    "home", "article", "archive", "year", "regions", "region", "initiatives", "initiative", "glossary",
    "entry", "search", "traditional home", "traditional article", "traditional search",
]  # fmt: skip


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_loads_without_errors_or_failed_requests(page, site_url, built_site, kind):
    path = page_types(built_site)[kind]
    response = page.goto(site_url + path)
    assert response is None or response.ok
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)
    assert page.locator("h1").count() >= 1
    assert page.problems == []
    requests = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert all(r.startswith(("file:", "http://127.0.0.1")) for r in requests), requests


def test_missing_page_gets_the_404_page(page, http_base):
    response = page.goto(http_base.rstrip("/").rsplit("/", 1)[0] + "/site/no/such/page.html")
    assert response.status == 404
    # The test server does not know our 404.html; open it as a host would serve it.
    page.goto(http_base + "404.html")
    assert "找不到" in page.inner_text("h1")


def test_script_switch_changes_text_and_persists(page, site_url):
    page.goto(site_url + "index.html")
    assert "乡村振兴" in page.inner_text(".brand")
    page.click(".script-switch")
    page.wait_for_url(re.compile(r"zh-hant/index\.html"))
    assert "鄉村振興" in page.inner_text(".brand")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    page.goto(site_url + "archive/index.html")
    page.wait_for_url(re.compile(r"zh-hant/archive/index\.html"))
    assert "歸檔" in page.inner_text("h1")
    page.click(".script-switch")
    page.wait_for_url(re.compile(r"/archive/index\.html"))
    assert "zh-hant" not in page.url
    page.goto(site_url + "index.html")
    page.wait_for_timeout(200)
    assert "zh-hant" not in page.url and "乡村振兴" in page.inner_text(".brand")


def test_keyboard_reaches_the_skip_link_with_visible_focus(page, site_url):
    page.goto(site_url + "index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_slash_focuses_search_on_any_page(page, site_url, built_site):
    page.goto(site_url + page_types(built_site)["article"])
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "quick-search-box"


def test_slogan_link_shows_a_preview_of_its_meaning(page, site_url, built_site):
    page.goto(site_url + "articles/2023-10-20-haibianshandangqihong.html")
    link = page.locator("a.slogan", has_text="1313").first
    assert link.get_attribute("data-preview").startswith("以擦亮")
    link.hover()
    content = link.evaluate("e => getComputedStyle(e, '::after').content")
    assert "以擦亮" in content


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_for_people_to_look_at(browser, built_site, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    types = page_types(built_site)
    for kind in ("home", "article", "region", "glossary"):
        tab.goto(built_site.as_uri() + "/" + types[kind])
        tab.wait_for_load_state("load")
        target = SCREENSHOTS / f"{kind}-{width}.png"
        tab.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (kind, width, overflow)
    context.close()
