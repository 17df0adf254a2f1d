"""Feeds, sitemap, archive, 404, Traditional twins and the zip."""

import re
import shutil
import xml.etree.ElementTree as ET
import zipfile

import pytest

from .conftest import SEEDS, entry_firsts, run_cli, write_site_toml

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    content = folder / "content"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    (content / "evil.md").write_text(
        "---\ntitle: '<script>alert(1)</script> & 标题'\ndate: 2020-01-01\nregions: [广西/玉林市]\n---\n正文。\n",
        encoding="utf-8",
    )
    config = write_site_toml(folder, content="content", output="site")
    with config.open("a", encoding="utf-8") as handle:
        handle.write('[site]\nbase_url = "https://example.org/archive/"\n')
    result = run_cli("--config", str(config), "build", "-q", "--zip", str(folder / "out.zip"))
    assert result.returncode == 0, result.stderr
    return folder


def test_atom_feed_is_valid_xml_with_absolute_links_and_escaped_text(site):
    feed = ET.parse(site / "site" / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5  # six articles, one of them undated
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert all(link.startswith("https://example.org/archive/articles/") for link in links)
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert "<script>alert(1)</script> & 标题" in titles
    assert "<script>" not in (site / "site" / "feed.xml").read_text(encoding="utf-8")


def test_a_tag_with_two_articles_or_more_has_a_feed_and_its_page_links_it(site):
    pages = [p for p in (site / "site" / "regions").glob("*.html") if p.name != "index.html"]
    pages += list(entry_firsts(site / "site" / "initiatives"))
    with_feed = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        count = int(re.search(r'<p class="count">(\d+) 篇', html).group(1))
        assert page.with_suffix(".xml").exists() == (count >= 2) == (f'{page.stem}.xml"' in html), page
        with_feed += count >= 2
    assert 0 < with_feed < len(pages)  # both kinds are there


def test_sitemap_lists_pages_in_both_scripts(site):
    root = ET.parse(site / "site" / "sitemap.xml").getroot()
    locations = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/archive/index.html" in locations
    assert "https://example.org/archive/zh-hant/index.html" in locations
    assert not any(loc.endswith("404.html") for loc in locations)


def test_traditional_twin_is_converted_and_labelled(site):
    html = (site / "site" / "zh-hant" / "articles" / "2024" / "2024-06-28-jicengdangjiantese.html").read_text(
        encoding="utf-8"
    )
    assert '<html lang="zh-Hant">' in html and "黨建聯建" in html
    simplified = (site / "site" / "articles" / "2024" / "2024-06-28-jicengdangjiantese.html").read_text(
        encoding="utf-8"
    )
    assert '<html lang="zh-Hans">' in simplified and "党建联建" in simplified


def test_archive_has_years_and_months(site):
    year = (site / "site" / "archive" / "2019.html").read_text(encoding="utf-8")
    assert "8月" in year and "葵峰山上党旗扬" in year
    assert (site / "site" / "archive" / "undated.html").exists()


def test_undated_articles_are_left_out_of_date_feeds(site):
    for feed in [site / "site" / "feed.xml", *(site / "site" / "regions").glob("*.xml")]:
        text = feed.read_text(encoding="utf-8")
        assert "2000-01-01" not in text and "dangdeershidazhi" not in text, feed.name


@pytest.mark.parametrize("name", ["404.html", "zh-hant/404.html"])
def test_404_page_needs_no_other_file_and_no_root_absolute_link(site, name):
    html = (site / "site" / name).read_text(encoding="utf-8")
    assert "<style>" in html and 'rel="stylesheet"' not in html and "<script src=" not in html
    assert 'href="/' not in html and 'action="/' not in html
    assert 'data-base-path="/archive/"' in html


def test_pages_carry_open_graph_and_description(site):
    html = (site / "site" / "articles" / "2024" / "2024-06-28-jicengdangjiantese.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="基层党建特色品牌巡展' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="description" content="近日，在广西玉林市' in html


def test_charts_are_inline_svg(site):
    home = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert home.count("<svg") == 2 and "每年的文章数" in home
    assert "<script" not in home.split("<main")[1].split("</main>")[0]


def test_zip_holds_the_whole_site(site):
    with zipfile.ZipFile(site / "out.zip") as archive:
        names = set(archive.namelist())
    assert {"site/index.html", "site/search.html", "site/static/lunr.min.js", "site/zh-hant/index.html"} <= names
    assert not any(".archivist" in name for name in names)


def test_a_large_site_gets_a_sitemap_index_of_sitemaps_within_the_limit():
    from archivist.output.feeds import sitemaps

    paths = [f"articles/{n}.html" for n in range(7)]
    files = sitemaps("https://example.org/archive/", paths, per_file=3)
    assert sorted(files) == ["sitemap.xml", "sitemaps/1.xml", "sitemaps/2.xml", "sitemaps/3.xml"]
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == namespace + "sitemapindex"
    listed = [loc.text for loc in index.iter(namespace + "loc")]
    assert listed == [f"https://example.org/archive/sitemaps/{n}.xml" for n in (1, 2, 3)]
    urls = []
    for n in (1, 2, 3):
        locations = [loc.text for loc in ET.fromstring(files[f"sitemaps/{n}.xml"]).iter(namespace + "loc")]
        assert 1 <= len(locations) <= 3
        urls += locations
    assert urls == sorted(f"https://example.org/archive/{p}" for p in paths)
    assert list(sitemaps("https://example.org/", paths[:3], per_file=3)) == ["sitemap.xml"]
