"""A map of France drawn server-side as inline SVG: départements, régions, overseas insets.

The geometry is ``data/france-map.json``, built at dev time by ``scripts/build_france_map.py``
from the npm package ``@gouvfr/dsfr-chart`` (MIT; see ``data/SOURCE.md``). This module only
reads it (standard library and Django, no script, nothing fetched): the same SVG works in a
web page, in a WeasyPrint PDF and on paper. Colours are presentation attributes, not CSS
classes; the only style rule draws the keyboard focus.

Typical use, in a view::

    maximum = max(counts.values(), default=0)
    areas = [MapArea(code, shade(n, maximum), f"{name} : {n} collectivités adhérentes", url)
             for code, name, n, url in rows]
    svg = france_map_svg(departements=areas, region_counts=by_region,
                         title="Collectivités adhérentes par département",
                         description="…", id_prefix="carte-adherents")

Codes that are not on the map (collectivités d'outre-mer such as 975 or 988) are ignored:
``departement_codes()`` and ``region_codes()`` say which are drawn, so the caller can list the
others next to the map. The page should carry the same figures in a table: the counts drawn on
the map are hidden from assistive technologies.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

MAP_PATH = Path(__file__).parent / "data" / "france-map.json"

BASE_FILL = "#eef1f4"
# Sequential blues, light to dark; adjacent steps stay distinguishable, the darkest carry
# white text. Zero is BASE_FILL.
PALETTE = ("#cfe3f3", "#8fc1e3", "#4f9bcf", "#2470a8", "#0b4276")
DEPARTEMENT_STROKE = "#8a97a6"
REGION_STROKE = "#26323f"
INSET_FILL = "#ffffff"
INSET_STROKE = "#8a97a6"
TEXT_FILL = "#1f2933"
BUBBLE_FILL = "#1f2933"
FOCUS_STROKE = "#000000"
FONT_FAMILY = "Marianne, Arial, Helvetica, sans-serif"

_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_SAFE_URL = re.compile(r"^(/(?!/)|#|\?|https?://)")


@dataclass(frozen=True)
class MapArea:
    """One shaded area: a département or région by its INSEE code."""

    code: str  # INSEE code of a département ("33", "2A", "974") or région ("75", "04")
    fill: str  # a colour, e.g. "#1f6f8b" (see shade())
    label: str  # accessible label, e.g. "Gironde : 3 collectivités adhérentes"
    url: str = ""  # when set, the shape is a focusable link


@dataclass(frozen=True)
class _Geometry:
    viewbox: tuple[float, float, float, float]
    departements: dict[str, dict]
    regions: dict[str, dict]
    insets: tuple[dict, ...]
    attribution: str
    # Pre-rendered parts of the SVG, built once from the file (they depend on nothing else):
    # the start of each area's <path> up to its fill, in drawing order, and the two layers
    # that never change (the insets' frames and names, the région borders).
    departement_paths: tuple[tuple[str, bool, str], ...]  # (code, mirror, '<path d=".." fill="')
    region_paths: dict[str, tuple[tuple[bool, str], ...]]  # code → ((mirror, head), …)
    bubbles: dict[str, tuple[str, str]]  # région code → (before the radius, before the number)
    insets_layer: str
    borders_layer: str


@cache
def _geometry() -> _Geometry:
    data = json.loads(MAP_PATH.read_text(encoding="utf-8"))
    departements = {row["code"]: row for row in data["departements"]}
    regions = {row["code"]: row for row in data["regions"]}
    insets = tuple(data["insets"])
    return _Geometry(
        viewbox=tuple(data["viewbox"]),
        departements=departements,
        regions=regions,
        insets=insets,
        attribution=data["source"]["attribution"],
        # Départements, then the Paris inset (a second, enlarged drawing of 75, 92, 93, 94).
        departement_paths=tuple(
            (code, key == "zoom_d", _path_head(row[key]))
            for key in ("d", "zoom_d")
            for code, row in departements.items()
            if key in row
        ),
        region_paths={
            code: tuple((key == "zoom_d", _path_head(row[key])) for key in _KEYS if key in row)
            for code, row in regions.items()
        },
        bubbles={code: _bubble_parts(row["label"]) for code, row in regions.items()},
        insets_layer=_insets(insets),
        borders_layer=_borders(regions),
    )


def departement_codes() -> frozenset[str]:
    """INSEE codes of the départements drawn on the map (the 101 current ones)."""
    return frozenset(_geometry().departements)


def region_codes() -> frozenset[str]:
    """INSEE codes of the régions drawn on the map (the 18 current ones)."""
    return frozenset(_geometry().regions)


def map_attribution() -> str:
    """The credit line to show near the map (or in a page's sources)."""
    return _geometry().attribution


# --- colours ------------------------------------------------------------------------------


def _bins(maximum: int) -> list[tuple[int, int]]:
    """Equal-width classes 1..maximum, at most len(PALETTE) of them."""
    if maximum <= 0:
        return []
    width = math.ceil(maximum / len(PALETTE))
    return [(low, min(low + width - 1, maximum)) for low in range(1, maximum + 1, width)]


def _colours(count: int) -> list[str]:
    """Palette steps for `count` classes: fewer classes are spread farther apart and skip the
    lightest step, which is kept for the fifth class (it is the closest to BASE_FILL)."""
    if count <= 0:
        return []
    if count == 1:
        return [PALETTE[3]]
    if count >= len(PALETTE):
        return list(PALETTE)
    last = len(PALETTE) - 1
    return [PALETTE[1 + round(i * (last - 1) / (count - 1))] for i in range(count)]


def shade(value: int, maximum: int) -> str:
    """The fill for `value` on a scale from 1 to `maximum`; BASE_FILL for zero or less."""
    bins = _bins(maximum)
    if value <= 0 or not bins:
        return BASE_FILL
    colours = _colours(len(bins))
    for (_low, high), colour in zip(bins, colours, strict=True):
        if value <= high:
            return colour
    return colours[-1]


def legend_steps(maximum: int) -> list[tuple[str, str]]:
    """(colour, French label) for each class of shade(), lowest first; empty when maximum <= 0.

    Zero (no shading, BASE_FILL) is not listed: add it if the legend needs it.
    """
    bins = _bins(maximum)
    steps = []
    for (low, high), colour in zip(bins, _colours(len(bins)), strict=True):
        steps.append((colour, str(low) if low == high else f"{low} à {high}"))
    return steps


# --- drawing ------------------------------------------------------------------------------


def _check_colour(colour: str) -> str:
    if not _COLOUR.match(colour):
        raise ValueError(f"not a colour: {colour!r}")
    return colour


def _check_url(url: str) -> str:
    if url and not _SAFE_URL.match(url):
        raise ValueError(f"map links must be relative or http(s) URLs: {url!r}")
    return url


_KEYS = ("d", "zoom_d")


def _escape(text: str) -> str:
    """What format_html does to each argument (Django's conditional_escape), without its
    lazy-string wrappers: this runs for every label and link of the map."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def _path_head(d: str) -> str:
    return f'<path d="{html.escape(d)}" fill="'


def _path_tail(stroke_width: float) -> str:
    return (
        f'" stroke="{DEPARTEMENT_STROKE}" stroke-width="{stroke_width}" stroke-linejoin="round"/>'
    )


_DEPARTEMENT_TAIL = _path_tail(1)
_ZOOM_TAIL = _path_tail(1.5)
_REGION_TAIL = _path_tail(1)


def _shape(path: str, *, label: str = "", url: str = "", mirror: bool = False) -> str:
    """A drawn `path`; a focusable link when `url` is set, hidden from assistive technologies
    otherwise. `label` and `url` are escaped here.

    `mirror` marks a second drawing of a linked area (the Paris inset): still clickable, but
    out of the tab order and hidden, so keyboard and screen-reader users meet each link once.
    """
    label = _escape(label) if label else ""
    title = f"<title>{label}</title>" if label else ""
    if url and not mirror:
        return f'<a href="{_escape(url)}" aria-label="{label}">{title}{path}</a>'
    if url:
        return f'<a href="{_escape(url)}" tabindex="-1" aria-hidden="true">{title}{path}</a>'
    return f'<g aria-hidden="true">{title}{path}</g>'


def _collect(areas: Iterable[MapArea], known: Mapping[str, dict]) -> dict[str, MapArea]:
    collected = {}
    for area in areas:
        if area.code not in known:
            continue  # not on the map (collectivité d'outre-mer, former code…)
        _check_colour(area.fill)
        _check_url(area.url)
        collected[area.code] = area
    return collected


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _insets(insets: Iterable[dict]) -> str:
    parts = []
    for inset in insets:
        x, y, width, height = inset["box"]
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{}" stroke="{}" '
                'stroke-width="1.5"/>',
                _number(x),
                _number(y),
                _number(width),
                _number(height),
                INSET_FILL,
                INSET_STROKE,
            )
        )
        line_height = inset["line_height"]
        for index, line in enumerate(inset["lines"]):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}" font-family="{}" fill="{}">{}</text>',
                    _number(x + 10),
                    _number(y + line_height * (index + 1) - 2),
                    _number(inset["font_size"]),
                    FONT_FAMILY,
                    TEXT_FILL,
                    line,
                )
            )
    return format_html('<g aria-hidden="true">{}</g>', mark_safe("".join(parts)))


def _borders(regions: Mapping[str, dict]) -> str:
    """Région borders, drawn on top of every fill."""
    borders = "".join(
        format_html('<path d="{}"/>', row[key])
        for row in regions.values()
        for key in _KEYS
        if key in row
    )
    return format_html(
        '<g fill="none" stroke="{}" stroke-width="2.2" stroke-linejoin="round" '
        'aria-hidden="true" pointer-events="none">{}</g>',
        REGION_STROKE,
        mark_safe(borders),
    )


def _bubble_parts(label: tuple[float, float]) -> tuple[str, str]:
    """A région's count bubble around its label point, cut where the radius and the number
    go."""
    x, y = label
    return (
        f'<circle cx="{_number(x)}" cy="{_number(y)}" r="',
        f'" fill="{html.escape(BUBBLE_FILL)}" stroke="#ffffff" stroke-width="3"/>'
        f'<text x="{_number(x)}" y="{_number(y + 9)}" font-size="26" font-weight="bold" '
        f'font-family="{html.escape(FONT_FAMILY)}" fill="#ffffff" text-anchor="middle">',
    )


def _bubbles(geometry: _Geometry, counts: Mapping[str, int]) -> str:
    parts = []
    for code, count in sorted(counts.items()):
        bubble = geometry.bubbles.get(code)
        if bubble is None or count <= 0:
            continue
        text = str(int(count))
        radius = 22 + 8 * max(0, len(text) - 2)
        parts.append(f"{bubble[0]}{radius}{bubble[1]}{text}</text>")
    if not parts:
        return ""
    return f'<g aria-hidden="true" pointer-events="none">{"".join(parts)}</g>'


def france_map_svg(
    *,
    departements: Iterable[MapArea] = (),
    regions: Iterable[MapArea] = (),
    region_counts: Mapping[str, int] | None = None,
    title: str,
    description: str,
    base_fill: str = BASE_FILL,
    id_prefix: str = "carte-france",
) -> SafeString:
    """The map as an inline ``<svg>`` that scales to the width of its container.

    - `departements`: areas shaded by département (other départements get `base_fill`).
    - `regions`: areas shaded by région, drawn as whole régions above the départements (pass
      one or the other for a choropleth; links of both kinds may be combined).
    - `region_counts`: a number drawn in a bubble inside each région (counts of 0 are left
      out); hidden from assistive technologies, so give the figures in a table too.
    - `title`, `description`: the accessible name and description of the map.
    - `id_prefix`: makes the ids inside the SVG unique; give each map of a page its own.

    With links the ``<svg>`` is a group (``role="group"``) so each link stays reachable;
    without, it is one image (``role="img"``).
    """
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a valid id: {id_prefix!r}")
    _check_colour(base_fill)
    geometry = _geometry()
    by_departement = _collect(departements, geometry.departements)
    by_region = _collect(regions, geometry.regions)
    has_links = any(a.url for a in (*by_departement.values(), *by_region.values()))

    layers = [geometry.insets_layer]
    # Départements, then the Paris inset (a second, enlarged drawing of 75, 92, 93, 94).
    for code, mirror, head in geometry.departement_paths:
        area = by_departement.get(code)
        tail = _ZOOM_TAIL if mirror else _DEPARTEMENT_TAIL
        if area is None:
            layers.append(f'<g aria-hidden="true">{head}{base_fill}{tail}</g>')
        else:
            path = f"{head}{area.fill}{tail}"
            layers.append(_shape(path, label=area.label, url=area.url, mirror=mirror))
    # Régions shaded as a whole, above their départements; their Paris copy after them all.
    for wanted in (False, True):
        for code, area in by_region.items():
            for mirror, head in geometry.region_paths[code]:
                if mirror is wanted:
                    path = f"{head}{area.fill}{_REGION_TAIL}"
                    layers.append(_shape(path, label=area.label, url=area.url, mirror=mirror))
    layers.append(geometry.borders_layer)
    layers.append(_bubbles(geometry, region_counts or {}))

    title_id, desc_id = f"{id_prefix}-titre", f"{id_prefix}-desc"
    style = (
        f"#{id_prefix} a:focus path,#{id_prefix} a:focus-visible path"
        f"{{stroke:{FOCUS_STROKE};stroke-width:5}}"
        f"#{id_prefix} a:hover path{{stroke:{FOCUS_STROKE};stroke-width:3}}"
    )
    minx, miny, width, height = geometry.viewbox
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{}" viewBox="{} {} {} {}" width="100%" '
        'preserveAspectRatio="xMidYMid meet" role="{}" aria-labelledby="{} {}" '
        'style="display:block;width:100%;max-width:100%;height:auto">'
        '<title id="{}">{}</title><desc id="{}">{}</desc><style>{}</style>{}</svg>',
        id_prefix,
        _number(minx),
        _number(miny),
        _number(width),
        _number(height),
        "group" if has_links else "img",
        title_id,
        desc_id,
        title_id,
        title,
        desc_id,
        description,
        mark_safe(style),  # built from a checked id and constants
        mark_safe("".join(layers)),  # every piece above was escaped or checked
    )
