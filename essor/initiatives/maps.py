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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from html import escape
from pathlib import Path
from urllib.parse import quote_plus

import numpy as np
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connection
from django.db.models import Case, CharField, Count, F, QuerySet, When
from django.template.defaultfilters import floatformat
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from essor.core.paths import path_of
from essor.initiatives import browse, facet_index
from essor.initiatives.models import Initiative, InitiativePlace
from essor.territories import maps as france
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
    legend_html: SafeString  # the legends' items
    dot_legend_html: SafeString


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
        self.prefix = f"{path_of('initiatives:list')}?{head}{'&' if head else ''}lieu="

    def __call__(self, kind: str, code: str) -> str:
        if code.isalnum() and code.isascii():  # official codes: only the colon is quoted
            return f"{self.prefix}{kind}%3A{code}"
        return self.prefix + quote_plus(f"{kind}:{code}")

    @cached_property
    def escaped_prefix(self) -> str:
        """The prefix escaped once for the thousand dots."""
        return escape(self.prefix)


def _list_url(filters: browse.BrowseFilters, kind: str, code: str) -> str:
    return _PlaceUrls(filters)(kind, code)


# The régions and départements with the code of their région (the referential's table, its
# default name): on the cursor, the queryset's preparation cost more than the query.
_AREAS_SQL = (
    "SELECT area.kind, area.code, area.name, region.code FROM territories_territory area"
    " LEFT JOIN territories_territory region ON region.id = area.region_id"
    " WHERE area.kind IN ('region', 'departement') AND area.is_current ORDER BY area.code"
)


def _area_rows() -> list[tuple[str, str, str, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(_AREAS_SQL)
        return cursor.fetchall()


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
    urls: _PlaceUrls, top: list[tuple[str, int, str]], departements: list[str]
) -> list[CommuneRow]:
    """The communes' rows, `top` ranked already with their names and `departements` the
    names of their départements (facet_index)."""
    return [
        CommuneRow(code, name, departement, count, urls("commune", code))
        for (code, count, name), departement in zip(top, departements, strict=True)
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


_DOT_LINK_END = '" tabindex="-1" aria-hidden="true"><circle '


@cache
def _dot_tails(code: str) -> tuple[str, ...]:
    """What follows the list's escaped address in each of a commune's dots, up to its
    radius: the place parameter's value (escaped), the end of the link and the dot's
    position. Depends on the positions file only, like _dot_places()."""
    value = f"commune%3A{code}" if code.isalnum() and code.isascii() else _escaped_place(code)
    return tuple(f"{value}{_DOT_LINK_END}{place}" for place in _dot_places(code))


def _escaped_place(code: str) -> str:
    # escape() works character by character: the prefix's part and this one are escaped apart.
    return escape(quote_plus(f"commune:{code}"))


def _dots(urls: _PlaceUrls, top: list[tuple[str, int, str]]) -> tuple[str, int]:
    """The dots of the communes `top` (a thousand, most initiatives first): f-strings with
    escaped values, format_html() for each cost milliseconds. Out of the tab order and
    hidden: the communes' table carries the same links."""
    maximum = top[0][1] if top else 0
    # One escape() for all the names: one per name cost as much as the rest of a dot.
    names = _escaped_each([name for _code, _count, name in top])
    endings: dict[int, tuple[str, str]] = {}  # per number: the dot's radius, its title's end
    head = f'<a href="{urls.escaped_prefix}'
    parts, drawn = [], 0
    # Biggest first (the order of `top`), so that small dots stay visible on top of them.
    for (code, count, _name), name in zip(top, names, strict=True):
        tails = _dot_tails(code)
        if not tails:
            continue
        drawn += 1
        ending = endings.get(count)
        if ending is None:
            ending = endings[count] = (
                f' r="{dot_radius(count, maximum)}"><title>',
                f" : {_plural(count)}</title></circle></a>",
            )
        for tail in tails:
            parts.append(f"{head}{tail}{ending[0]}{name}{ending[1]}")
    return "".join(parts), drawn


_NAMES_JOINER = "\x1f"  # never in a name, left alone by escape()


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
    # The MAX_DOTS communes with the most, most first: code, number, name; the département
    # codes of the first COMMUNES_LISTED (the table shows them).
    top_communes: list[tuple[str, int, str]]
    listed_departements: list[str]
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
    table = facet_index.BitmapTable(rows)
    matched = browse.index_selection(filters, choices, table).among()
    areas = [
        (key.split(":", 1), number)
        for key, number in table.position.items()
        if key.startswith(("region:", "dep:"))
    ]
    totals = table.counts(matched, [number for _key, number in areas]).tolist()
    by_area: dict[str, dict[str, int]] = {"region": {}, "dep": {}}
    for ((facet, code), _number), total in zip(areas, totals, strict=True):
        if total:
            by_area[facet][code] = total
    top, departements, commune_total = communes.ranked(matched, MAX_DOTS, COMMUNES_LISTED)
    total = int(np.bitwise_count(matched).sum())
    return MapCounts(total, by_area["region"], by_area["dep"], top, departements, commune_total)


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
    communes = _communes(
        urls,
        counts.top_communes[:COMMUNES_LISTED],
        [departements.get(code, "") for code in counts.listed_departements],
    )
    maximum = max(counts.by_departement.values(), default=0)
    shades: dict[int, str] = {}  # per number: shade() works out its bins on every call
    svg = france.france_map_svg(
        departements=[
            france.MapArea(
                code=departement.code,
                fill=shades.get(departement.count)
                or shades.setdefault(departement.count, france.shade(departement.count, maximum)),
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
    dots, drawn = _dots(urls, counts.top_communes)
    legend = [(colour, _legend_label(label)) for colour, label in france.legend_steps(maximum)]
    dots_legend = dot_legend(communes[0].count) if drawn else []
    return InitiativeMap(
        svg=_with_dots(svg, dots),
        legend=legend,
        dot_legend=dots_legend,
        regions=regions,
        communes=communes,
        commune_total=counts.commune_total,
        dots=drawn,
        total=counts.total,
        regions_html=_regions_html(regions),
        communes_html=_communes_html(communes),
        legend_html=_legend_html(legend),
        dot_legend_html=_dot_legend_html(dots_legend),
    )


# --- the tables, built here (a template loop over two hundred rows cost milliseconds) --------


def _number_writer() -> Callable[[int], str]:
    """Numbers as intcomma() writes them. Its locale lookups cost more than the rest of a
    table: it is asked once per table for its thousands separator (the active language's),
    then Python groups the digits."""
    sample = str(intcomma(1000000))
    separator = sample[1:-6]
    if sample != f"1{separator}000{separator}000":  # not grouped by three: intcomma() itself
        return lambda value: str(value) if value < 1000 else str(intcomma(value))
    return lambda value: str(value) if value < 1000 else f"{value:,}".replace(",", separator)


def _escaped_each(texts: list[str]) -> list[str]:
    """escape() of each text, in one call for them all (one per text cost as much as the
    rest of a table's row); one by one if a text holds the joiner."""
    joined = _NAMES_JOINER.join(texts)
    if joined.count(_NAMES_JOINER) != max(len(texts) - 1, 0):
        return [escape(text) for text in texts]
    return escape(joined).split(_NAMES_JOINER) if texts else []


def _regions_html(regions: list[AreaRow]) -> SafeString:
    shown = [
        (region, [departement for departement in region.departements if departement.count])
        for region in regions
        if region.count
    ]
    texts = []
    for region, departements in shown:
        texts += (region.url, region.name)
        for departement in departements:
            texts += (departement.url, departement.name, departement.code)
    escaped = iter(_escaped_each(texts))
    number = _number_writer()
    parts = []
    for region, departements in shown:
        url, name = next(escaped), next(escaped)
        parts.append(
            f'<tbody>\n<tr class="map-table__region"><th scope="row"><a href="{url}">{name}'
            f'</a></th><td class="number">{number(region.count)}</td></tr>'
        )
        for departement in departements:
            url, name, code = next(escaped), next(escaped), next(escaped)
            parts.append(
                f'<tr><th scope="row" class="map-table__departement"><a href="{url}">{name}'
                f' ({code})</a></th><td class="number">{number(departement.count)}</td></tr>'
            )
        parts.append("</tbody>")
    return mark_safe("\n".join(parts))  # escaped parts


def _communes_html(communes: list[CommuneRow]) -> SafeString:
    texts = []
    for commune in communes:
        texts += (commune.url, commune.name, commune.departement)
    escaped = iter(_escaped_each(texts))
    number = _number_writer()
    rows = []
    for commune in communes:
        url, name, departement = next(escaped), next(escaped), next(escaped)
        rows.append(
            f'<tr><th scope="row"><a href="{url}">{name}</a></th><td>{departement}</td>'
            f'<td class="number">{number(commune.count)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # escaped parts


def _legend_html(legend: list[tuple[str, str]]) -> SafeString:
    return mark_safe(  # escaped parts
        "".join(
            f'<li><span class="map-legend__swatch" style="background: {escape(colour)}" '
            f'aria-hidden="true"></span>{escape(label)} dans le département</li>'
            for colour, label in legend
        )
    )


def _dot_legend_html(legend: list[tuple[float, str]]) -> SafeString:
    parts = []
    for diameter, label in legend:
        size = floatformat(diameter, 0)  # digits, as the template's filter wrote them
        parts.append(
            f'<li><svg aria-hidden="true" focusable="false" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" style="vertical-align: middle; margin-right: .4em">'
            f'<circle cx="50%" cy="50%" r="49%" fill="{DOT_FILL}"/></svg>{escape(label)} dans '
            "la commune</li>"
        )
    return mark_safe("".join(parts))  # escaped parts
