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
from html import escape
from pathlib import Path
from urllib.parse import quote_plus

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Case, CharField, Count, F, QuerySet, When
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from essor.initiatives import browse, facet_index
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


@dataclass
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
    regions_html: SafeString  # the tables' rows
    communes_html: SafeString


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


class _PlaceUrls:
    """The list filtered on a place, the other filters kept: the selection's part encoded
    once for the thousand links of a map."""

    def __init__(self, filters: browse.BrowseFilters) -> None:
        pairs = [pair for pair in filters.query_pairs() if pair[0] != "lieu"]
        head = urlencode(pairs)
        self.prefix = f"{reverse('initiatives:list')}?{head}{'&' if head else ''}lieu="

    def __call__(self, kind: str, code: str) -> str:
        if code.isalnum() and code.isascii():  # official codes: only the colon is quoted
            return f"{self.prefix}{kind}%3A{code}"
        return self.prefix + quote_plus(f"{kind}:{code}")


def _list_url(filters: browse.BrowseFilters, kind: str, code: str) -> str:
    return _PlaceUrls(filters)(kind, code)


def _area_rows() -> list[tuple[str, str, str, str | None]]:
    return list(
        Territory.objects.filter(kind__in=("region", "departement"), is_current=True)
        .order_by("code")
        .values_list("kind", "code", "name", "region__code")
    )


def _areas(
    urls: _PlaceUrls,
    by_region: dict[str, int],
    by_departement: dict[str, int],
    rows: list[tuple[str, str, str, str | None]] | None = None,
) -> list[AreaRow]:
    rows = _area_rows() if rows is None else rows
    regions: dict[str, AreaRow] = {}
    for kind, code, name, _region in rows:
        if kind == "region":
            regions[code] = AreaRow(code, name, by_region.get(code, 0), urls("region", code))
    for kind, code, name, region in rows:
        if kind == "departement" and region in regions:
            regions[region].departements.append(
                AreaRow(code, name, by_departement.get(code, 0), urls("departement", code))
            )
    return sorted(regions.values(), key=lambda region: region.name)


def _communes(
    urls: _PlaceUrls, top: list[tuple[str, int, str, str]], departements: dict[str, str]
) -> list[CommuneRow]:
    """The communes' rows, `top` ranked already with their names (facet_index)."""
    return [
        CommuneRow(code, name, departements.get(departement, ""), count, urls("commune", code))
        for code, count, name, departement in top
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


@cache
def project(code: str) -> tuple[float, float] | None:
    """Where commune `code` falls on the map's drawing, or None when it is not known. Kept
    per process like the positions file it is computed from: no database data."""
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


@cache
def _dot_places(code: str) -> tuple[str, ...]:
    """The `cx`/`cy` attributes of a commune's dot, and of its copy in the Paris inset when
    it is there; none when its position is unknown. From the positions file only."""
    point = project(code)
    if point is None:
        return ()
    places = [point]
    zoomed = _paris_inset(code, point)
    if zoomed is not None:
        places.append(zoomed)
    return tuple(f'cx="{x:.1f}" cy="{y:.1f}"' for x, y in places)


def _dots(communes: list[CommuneRow]) -> tuple[str, int]:
    """The communes' dots (a thousand): f-strings with escaped values, format_html() for
    each cost milliseconds. Out of the tab order and hidden: the communes' table carries
    the same links."""
    maximum = max((row.count for row in communes), default=0)
    radii: dict[int, float] = {}
    parts, drawn = [], 0
    # Biggest first, so that small dots stay visible on top of them.
    for row in sorted(communes, key=lambda r: -r.count):
        places = _dot_places(row.code)
        if not places:
            continue
        drawn += 1
        radius = radii.get(row.count)
        if radius is None:
            radius = radii[row.count] = dot_radius(row.count, maximum)
        link = f'<a href="{escape(row.url)}" tabindex="-1" aria-hidden="true"><circle '
        rest = (
            f' r="{radius}"><title>{escape(row.name)} : {_plural(row.count)}</title></circle></a>'
        )
        parts += [f"{link}{place}{rest}" for place in places]
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


@dataclass(frozen=True)
class MapCounts:
    total: int  # matching initiatives
    by_region: dict[str, int]
    by_departement: dict[str, int]
    # The MAX_DOTS communes with the most, most first: code, number, name, département code.
    top_communes: list[tuple[str, int, str, str]]
    commune_total: int  # communes where any acts


def index_counts(
    filters: browse.BrowseFilters, choices: browse.FacetChoices | None = None
) -> MapCounts:
    """From the facet index: the number of matching initiatives, and how many act in each
    région, département and commune (the figures of departement_counts(), commune_counts()
    and facet_counts("region") on matching(filters))."""
    # One query: the options' bitmaps and the communes' pairs.
    rows = facet_index.rows(browse.index_facets(filters, ("region", "dep", "communes")))
    communes = facet_index.decode_communes(rows.pop(facet_index.COMMUNES, None))
    bitmaps = {key: facet_index.from_bytes(raw) for key, raw in rows.items()}
    selection = browse.index_selection(filters, choices, bitmaps)
    matched = selection.among()
    by_area: dict[str, dict[str, int]] = {"region": {}, "dep": {}}
    for key, bits in selection.bitmaps.items():
        facet, _, code = key.partition(":")
        if facet in by_area:
            total = (matched & bits).bit_count()
            if total:
                by_area[facet][code] = total
    top, commune_total = communes.ranked(matched, MAX_DOTS)
    return MapCounts(matched.bit_count(), by_area["region"], by_area["dep"], top, commune_total)


def initiative_map(
    filters: browse.BrowseFilters, choices: browse.FacetChoices | None = None
) -> InitiativeMap:
    """The map and its tables for the initiatives matching `filters`."""
    if choices is None and any(filters.values(facet.key) for facet in browse.FACETS):
        choices = browse.facet_choices()  # a selected theme's key in the index
    counts = index_counts(filters, choices)
    urls = _PlaceUrls(filters)
    areas = _area_rows()
    regions = _areas(urls, counts.by_region, counts.by_departement, areas)
    departements = {code: name for kind, code, name, _region in areas if kind == "departement"}
    communes = _communes(urls, counts.top_communes, departements)
    maximum = max(counts.by_departement.values(), default=0)
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
        commune_total=counts.commune_total,
        dots=drawn,
        total=counts.total,
        regions_html=_regions_html(regions),
        communes_html=_communes_html(communes[:COMMUNES_LISTED]),
    )


# --- the tables, built here (a template loop over two hundred rows cost milliseconds) --------


def _number(value: int) -> str:
    # intcomma() (locale lookups) only where a separator shows.
    return str(value) if value < 1000 else str(intcomma(value))


def _regions_html(regions: list[AreaRow]) -> SafeString:
    parts = []
    for region in regions:
        if not region.count:
            continue
        parts.append(
            f'<tbody>\n<tr class="map-table__region"><th scope="row"><a href="'
            f'{escape(region.url)}">{escape(region.name)}</a></th><td class="number">'
            f"{_number(region.count)}</td></tr>"
        )
        parts += [
            f'<tr><th scope="row" class="map-table__departement"><a href="'
            f'{escape(departement.url)}">{escape(departement.name)} ({escape(departement.code)})'
            f'</a></th><td class="number">{_number(departement.count)}</td></tr>'
            for departement in region.departements
            if departement.count
        ]
        parts.append("</tbody>")
    return mark_safe("\n".join(parts))  # escaped parts


def _communes_html(communes: list[CommuneRow]) -> SafeString:
    return mark_safe(  # escaped parts
        "\n".join(
            f'<tr><th scope="row"><a href="{escape(commune.url)}">{escape(commune.name)}</a>'
            f"</th><td>{escape(commune.departement)}</td>"
            f'<td class="number">{_number(commune.count)}</td></tr>'
            for commune in communes
        )
    )
