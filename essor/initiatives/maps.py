"""The map of initiatives: départements shaded by their number of initiatives, a dot per
commune where initiatives act (its area by their number), and the same figures as tables.

Commune positions come from ``essor/territories/data/commune-centres.json.gz`` (longitude and
latitude of each current commune, from GeoNames; see the territories' data SOURCE note),
projected onto the map's drawing with the affine fit stored in that file. Without the file,
the map keeps its shaded départements and the page its tables.
"""

import gzip
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db.models import Case, CharField, Count, F, QuerySet, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from essor.initiatives import browse
from essor.initiatives.models import Initiative, InitiativePlace
from essor.territories import maps as france
from essor.territories.models import Territory
from essor.territories.projection import lambert93

CENTRES_PATH = (
    Path(france.__file__).parent / "data" / "commune-centres.json.gz"
)  # see the module docstring
DOT_FILL = "#a33d00"
DOT_STROKE = "#ffffff"
MAX_DOTS = 1000  # the communes with the most initiatives; the others stay in the tables
COMMUNES_LISTED = 100
_DOT_RADII = (2.5, 9.0)  # smallest and largest dot radius, in map units (≈ km)


@dataclass
class AreaRow:
    code: str
    name: str
    count: int = 0
    url: str = ""
    departements: list["AreaRow"] = field(default_factory=list)


@dataclass(frozen=True)
class CommuneRow:
    code: str
    name: str
    departement: str
    count: int
    url: str


@dataclass(frozen=True)
class InitiativeMap:
    svg: SafeString
    legend: list[tuple[str, str]]
    dot_legend: list[tuple[float, str]]
    regions: list[AreaRow]
    communes: list[CommuneRow]
    commune_total: int  # communes with at least one initiative
    dots: int  # communes drawn as a dot
    total: int  # matching initiatives


# --- counts ----------------------------------------------------------------------------------


def departement_counts(among: QuerySet[Initiative]) -> dict[str, int]:
    """Initiatives acting in each département or somewhere within it (one grouped query)."""
    departement_of_place = Case(
        When(territory__kind="departement", then=F("territory__code")),
        default=F("territory__departement__code"),
        output_field=CharField(),
    )
    rows = (
        InitiativePlace.objects.filter(initiative_id__in=among.values("pk"))
        .annotate(departement_code=departement_of_place)
        .order_by()
        .values_list("departement_code")
        .annotate(total=Count("initiative_id", distinct=True))
    )
    return {code: total for code, total in rows if code}


def commune_counts(among: QuerySet[Initiative]) -> dict[str, int]:
    """Initiatives acting in each commune (one grouped query). Grouped on every place and
    sorted out here: a condition on the territory's kind lets SQLite start from the 35,000
    communes and probe the places of each (minutes instead of milliseconds)."""
    rows = (
        InitiativePlace.objects.filter(initiative_id__in=among.values("pk"))
        .order_by()
        .values_list("territory__kind", "territory__code")
        .annotate(total=Count("initiative_id", distinct=True))
    )
    return {code: total for kind, code, total in rows if kind == "commune"}


def _list_url(filters: browse.BrowseFilters, kind: str, code: str) -> str:
    pairs = [pair for pair in filters.query_pairs() if pair[0] != "lieu"]
    return f"{reverse('initiatives:list')}?{urlencode([*pairs, ('lieu', f'{kind}:{code}')])}"


def _areas(
    filters: browse.BrowseFilters, by_region: dict[str, int], by_departement: dict[str, int]
) -> list[AreaRow]:
    regions: dict[str, AreaRow] = {}
    for code, name in Territory.objects.filter(kind="region", is_current=True).values_list(
        "code", "name"
    ):
        regions[code] = AreaRow(
            code, name, by_region.get(code, 0), _list_url(filters, "region", code)
        )
    for code, name, region in (
        Territory.objects.filter(kind="departement", is_current=True)
        .order_by("code")
        .values_list("code", "name", "region__code")
    ):
        if region in regions:
            regions[region].departements.append(
                AreaRow(
                    code,
                    name,
                    by_departement.get(code, 0),
                    _list_url(filters, "departement", code),
                )
            )
    return sorted(regions.values(), key=lambda region: region.name)


def _communes(filters: browse.BrowseFilters, counts: dict[str, int]) -> list[CommuneRow]:
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_DOTS]
    names = {
        code: (name, departement)
        for code, name, departement in Territory.objects.filter(
            kind="commune", code__in=[code for code, _ in top]
        ).values_list("code", "name", "departement__name")
    }
    return [
        CommuneRow(
            code,
            names.get(code, (code, ""))[0],
            names.get(code, ("", ""))[1] or "",
            count,
            _list_url(filters, "commune", code),
        )
        for code, count in top
    ]


# --- drawing ---------------------------------------------------------------------------------


@cache
def _centres() -> dict:
    """The commune positions and their projection onto the map; empty without the file."""
    if not CENTRES_PATH.exists():
        return {}
    with gzip.open(CENTRES_PATH, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def has_commune_positions() -> bool:
    return bool(_centres().get("communes"))


def positions_attribution() -> str:
    return _centres().get("source", {}).get("attribution", "")


def _paris_inset(code: str, point: tuple[float, float]) -> tuple[float, float] | None:
    """The same place in the enlarged inset of Paris and its petite couronne, if it is there."""
    inset = _centres().get("paris_inset")
    if not inset or code[:2] not in inset["departements"]:
        return None
    return point[0] * inset["scale"] + inset["dx"], point[1] * inset["scale"] + inset["dy"]


def project(code: str) -> tuple[float, float] | None:
    """Where commune `code` falls on the map's drawing, or None when it is not known."""
    data = _centres()
    position = data.get("communes", {}).get(code)
    if position is None:
        return None
    lon, lat = position[0], position[1]
    transform = data["transforms"].get(code[:3] if code[:2] == "97" else "metro")
    if transform is None:
        return None
    a, b, c, d, e, f = transform["affine"]
    x0, y0 = lambert93(lon, lat) if transform["projection"] == "lambert93" else (lon, lat)
    return a * x0 + b * y0 + c, d * x0 + e * y0 + f


def dot_radius(count: int, maximum: int) -> float:
    """A dot's radius: its area grows with the count (square root), from the smallest radius
    for one initiative to the largest for the busiest commune."""
    low, high = _DOT_RADII
    if maximum <= 1:
        return low
    return round(low + (high - low) * math.sqrt((count - 1) / (maximum - 1)), 1)


def _dot(row: CommuneRow, point: tuple[float, float], radius: float) -> str:
    # Out of the tab order and hidden: the communes' table carries the same links.
    return format_html(
        '<a href="{}" tabindex="-1" aria-hidden="true"><circle cx="{}" cy="{}" r="{}">'
        "<title>{}</title></circle></a>",
        row.url,
        f"{point[0]:.1f}",
        f"{point[1]:.1f}",
        radius,
        f"{row.name} : {_plural(row.count)}",
    )


def _dots(communes: list[CommuneRow]) -> tuple[str, int]:
    maximum = max((row.count for row in communes), default=0)
    parts, drawn = [], 0
    # Biggest first, so that small dots stay visible on top of them.
    for row in sorted(communes, key=lambda r: -r.count):
        point = project(row.code)
        if point is None:
            continue
        drawn += 1
        radius = dot_radius(row.count, maximum)
        parts.append(_dot(row, point, radius))
        zoomed = _paris_inset(row.code, point)
        if zoomed is not None:
            parts.append(_dot(row, zoomed, radius))
    return "".join(parts), drawn


def _with_dots(svg: str, dots: str) -> SafeString:
    """The dots drawn above everything else of the map (before its closing tag)."""
    if not dots:
        return mark_safe(svg)  # france_map_svg escaped every part
    group = (
        f'<g fill="{DOT_FILL}" fill-opacity="0.85" stroke="{DOT_STROKE}" stroke-width="1">'
        f"{dots}</g>"
    )
    return mark_safe(svg[: svg.rindex("</svg>")] + group + "</svg>")


def _legend_label(label: str) -> str:
    """ "1" → "1 initiative", "2 à 5" → "2 à 5 initiatives"."""
    return f"{label} initiative" if label == "1" else f"{label} initiatives"


def _plural(count: int) -> str:
    return f"{count} initiative{'s' if count > 1 else ''}"


def dot_legend(maximum: int) -> list[tuple[float, str]]:
    """A few dot sizes with what they stand for (diameters in map units)."""
    if maximum <= 0:
        return []
    steps = sorted({1, max(1, round(maximum / 2)), maximum})
    return [(dot_radius(step, maximum) * 2, _plural(step)) for step in steps]


def initiative_map(filters: browse.BrowseFilters) -> InitiativeMap:
    """The map and its tables for the initiatives matching `filters`."""
    among = browse.matching(filters)
    by_departement = departement_counts(among)
    by_region = browse.facet_counts("region", among)
    by_commune = commune_counts(among)
    regions = _areas(filters, by_region, by_departement)
    communes = _communes(filters, by_commune)
    maximum = max(by_departement.values(), default=0)
    svg = france.france_map_svg(
        departements=[
            france.MapArea(
                code=departement.code,
                fill=france.shade(departement.count, maximum),
                label=f"{departement.name} : {_plural(departement.count)}",
                url=departement.url if departement.count else "",
            )
            for region in regions
            for departement in region.departements
        ],
        # Région totals in bubbles would hide the communes' dots: the table gives them.
        region_counts={}
        if has_commune_positions()
        else {region.code: region.count for region in regions if region.count},
        title="Carte des initiatives",
        description=(
            "Départements colorés selon le nombre d'initiatives qui y agissent ; un point par "
            "commune où agissent des initiatives, d'autant plus grand qu'elles sont nombreuses ; "
            "une pastille par région donne son total. Les tableaux qui suivent donnent les "
            "mêmes chiffres."
        ),
        id_prefix="carte-initiatives",
    )
    dots, drawn = _dots(communes)
    return InitiativeMap(
        svg=_with_dots(svg, dots),
        legend=[(colour, _legend_label(label)) for colour, label in france.legend_steps(maximum)],
        dot_legend=dot_legend(max((row.count for row in communes), default=0)) if drawn else [],
        regions=regions,
        communes=communes[:COMMUNES_LISTED],
        commune_total=len(by_commune),
        dots=drawn,
        total=among.count(),
    )
