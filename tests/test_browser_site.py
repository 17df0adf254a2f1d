"""The whole site in a real headless Chromium, over HTTP (below a sub-path)
and from file://: page types, the 简/繁 switch, keyboard focus, screenshots."""

import http.server
import re
import threading
from functools import partial
from pathlib import Path

import pytest

from archivist.text.slug import bucket

from .conftest import ROOT, QuietHandler

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def page_types(site: Path) -> dict[str, str]:
    """One page of every type, as paths relative to the site root."""
    article = sorted(p.relative_to(site / "articles") for p in (site / "articles").glob("*/*.html"))[0]
    region = sorted((site / "regions").glob("4*.html"))[0].name
    initiative = sorted(p.relative_to(site / "initiatives") for p in (site / "initiatives").glob("*/*.html"))[0]
    entry = f"{bucket('1313')}/1313.html"
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
        "data": "data.html",
        "traditional home": "zh-hant/index.html",
        "traditional article": f"zh-hant/articles/{article}",
        "traditional search": "zh-hant/search.html?q=黨建",
    }


PAGE_KINDS = [
    "home", "article", "archive", "year", "regions", "region", "initiatives", "initiative", "glossary",
    "entry", "search", "data", "traditional home", "traditional article", "traditional search",
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


class HostHandler(QuietHandler):
    """A static host as GitHub Pages is one: a missing path gets the site's
    404.html (from below /site/) with status 404."""

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "site" / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def host_base(built_site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(HostHandler, directory=str(built_site.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def styled_and_home_works(page) -> None:
    assert "找不到" in page.inner_text("h1")
    assert page.evaluate("getComputedStyle(document.querySelector('.masthead')).display") == "flex"
    page.click("main a >> nth=0")
    page.wait_for_load_state("load")
    assert page.locator(".article-list").count() == 1, page.url  # the home page, not the archive
    assert page.problems == []


@pytest.mark.parametrize("name", ["404.html", "zh-hant/404.html"])
def test_404_page_opened_as_a_file_is_styled_and_links_home(page, built_site, name):
    page.goto((built_site / name).as_uri())
    styled_and_home_works(page)
    assert page.url == (built_site / name).parent.joinpath("index.html").as_uri()


def test_404_page_served_for_a_deep_missing_path_is_styled_and_links_home(page, host_base):
    response = page.goto(host_base + "site/no/such/deep/page.html")
    assert response.status == 404
    page.problems.remove("console: Failed to load resource: the server responded with a status of 404 (Not Found)")
    styled_and_home_works(page)
    assert page.url == host_base + "site/index.html"


def test_404_page_at_another_sub_path_than_base_url_links_relative(page, built_site, tmp_path):
    (tmp_path / "mirror").symlink_to(built_site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/mirror/"
        page.goto(base + "404.html")
        styled_and_home_works(page)
        assert page.url == base + "index.html"
    finally:
        server.shutdown()


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
    page.goto(site_url + "articles/2023/2023-10-20-haibianshandangqihong.html")
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
