"""The maps in a real headless Chromium, over HTTP and from file://: a shape
per province with articles, links to the right pages, the count on focus,
no failed request; screenshots at phone and desktop widths."""

import pytest

from archivist.tag.gazetteer import load_gazetteer

from .conftest import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def region_pages(site, digits: int) -> list[str]:
    return sorted(p.stem for p in (site / "regions").glob("*.html") if len(p.stem) == digits)


def test_the_home_map_has_a_linked_shape_for_every_province_with_articles(page, site_url, built_site):
    page.goto(site_url + "index.html")
    page.wait_for_load_state("load")
    provinces = region_pages(built_site, 2)
    assert provinces
    units = load_gazetteer().units
    for code in provinces:
        link = page.locator(f'figure.map a[href="regions/{code}.html"]')
        assert link.count() == 1, code
        box = link.locator("path").bounding_box()
        assert box and box["width"] > 3 and box["height"] > 3, code
        assert units[code].name in link.locator("title").text_content()
    # Every province is drawn, with or without articles.
    assert page.locator("figure.map g[class^=s]").count() == 34
    assert page.problems == []


def test_a_province_on_the_home_map_leads_to_its_page(page, site_url, built_site):
    page.goto(site_url + "index.html")
    code = region_pages(built_site, 2)[0]
    page.locator(f'figure.map a[href="regions/{code}.html"] path').click(force=True)
    page.wait_for_load_state("load")
    assert page.url.endswith(f"regions/{code}.html")
    assert page.locator("h1").text_content() == load_gazetteer().units[code].name
    assert page.problems == []


def test_a_province_maps_child_shapes_link_to_the_child_pages(page, site_url, built_site):
    province = max(region_pages(built_site, 2), key=lambda c: len(list((built_site / "regions").glob(f"{c}??.html"))))
    page.goto(site_url + f"regions/{province}.html")
    page.wait_for_load_state("load")
    hrefs = page.locator("figure.map a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    children = [p for p in region_pages(built_site, 4) if p.startswith(province)]
    assert sorted(hrefs) == sorted(f"../regions/{code}.html" for code in children)
    # Each child's page opens from its shape, and every other part of the province is drawn unlinked.
    page.locator(f'figure.map a[href="../regions/{children[0]}.html"] path').click(force=True)
    page.wait_for_load_state("load")
    assert page.url.endswith(f"regions/{children[0]}.html")
    assert page.locator('figure.map path[class="here"]').count() == 0  # a prefecture shows its counties
    assert page.problems == []


def test_the_focused_shape_shows_its_name_and_count(page, site_url, built_site):
    page.goto(site_url + "index.html")
    code = region_pages(built_site, 2)[0]
    link = page.locator(f'figure.map a[href="regions/{code}.html"]')
    tip = link.locator("text.tip")
    assert not tip.is_visible()
    link.focus()
    assert tip.is_visible()
    assert "篇" in tip.text_content()


def test_traditional_pages_draw_the_same_map_with_traditional_names(page, site_url, built_site):
    page.goto(site_url + "zh-hant/index.html")
    page.wait_for_load_state("load")
    titles = page.locator("figure.map title").all_text_contents()
    assert any("廣" in t for t in titles) and not any("广" in t for t in titles)
    assert page.locator('figure.map a[href="../zh-hant/regions/45.html"]').count() == 1
    assert page.problems == []


@pytest.mark.parametrize("width", [390, 1280])
def test_map_screenshots_for_people_to_look_at(browser, built_site, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    province = region_pages(built_site, 2)[0]
    tab = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for name, path in (("home", "index.html"), (f"province-{province}", f"regions/{province}.html")):
            tab.goto((built_site / path).as_uri())
            tab.wait_for_load_state("load")
            block = tab.locator(".map-block").first
            box = block.bounding_box()
            assert box and min(width * 0.8, 600) < box["width"] <= width
            target = SCREENSHOTS / f"map-{name}-{width}.png"
            block.screenshot(path=str(target))
            assert target.stat().st_size > 5000
    finally:
        tab.close()
