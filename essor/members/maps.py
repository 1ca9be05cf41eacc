"""The member map: départements shaded by their number of members, a count per région.

The page is computed on every request, so it stays cheap: two SQL queries (the current
régions and départements, then the members counted per area by the database), the SVG drawn
from the pre-rendered geometry of ``essor.territories.maps``, and the table built here rather
than by a template loop over some 120 rows.
"""

import datetime
from html import escape
from urllib.parse import quote_plus

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from essor.members.models import Authority, AuthorityKind
from essor.members.selectors import AreaCount, running_membership_params, running_membership_sql
from essor.territories.maps import MapArea, france_map_svg, legend_steps, shade
from essor.territories.models import Territory, TerritoryKind

# A member that is itself a région or a département marks it as a member.
_OWN_AREA_KINDS = (AuthorityKind.REGION, AuthorityKind.DEPARTEMENT)


def member_areas(on: datetime.date | None = None) -> list[AreaCount]:
    """Members counted in each région and each of its départements (an authority counts where
    it lies: a commune in its département, an EPCI in its seat's), régions in name order and
    départements in code order.

    The same figures as ``selectors.member_counts_by_area`` in two queries whatever the
    number of members: the database groups the members by the région and département codes
    copied on each authority (Authority.peer_region, peer_departement), so only one row per
    area (and one per member région or département) comes back.
    """
    regions, departements = _areas()
    for region_code, departement_code, count, regions_in, departements_in in _member_rows(on):
        region = regions.get(region_code)
        departement = departements.get(departement_code)
        if region is not None:
            region.count += count
            region.is_member |= regions_in > 0
        if departement is not None:
            departement.count += count
            departement.is_member |= departements_in > 0
    for region in regions.values():
        region.departements.sort(key=lambda d: d.code)
    return list(regions.values())


# The two queries are written in SQL (standard, for SQLite and PostgreSQL alike): built with
# the ORM, compiling them cost more than running them, on a page computed on every request.
# test_map.py checks the figures against selectors.member_counts_by_area, the ORM version.
_AREAS_SQL = """
SELECT id, kind, code, name, region_id FROM {territory}
WHERE kind IN (%s, %s) AND is_current = %s
ORDER BY kind, name
"""

# Members on a day (the membership rule of models.membership_covers), grouped by the codes
# of the région and the département they are or lie in, with how many of them are that
# région or that département itself. The columns of one index, in its order: the database
# counts along it without sorting or reading the authorities' rows.
_MEMBER_ROWS_SQL = """
SELECT a.peer_region, a.peer_departement, COUNT(*),
       SUM(CASE WHEN a.kind = %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.kind = %s THEN 1 ELSE 0 END)
FROM {authority} a
WHERE {running}
GROUP BY a.peer_region, a.peer_departement
"""


def _sql(template: str) -> str:
    quote = connection.ops.quote_name
    return template.format(
        authority=quote(Authority._meta.db_table),
        territory=quote(Territory._meta.db_table),
        running=running_membership_sql("a"),
    )


def _areas() -> tuple[dict[str, AreaCount], dict[str, AreaCount]]:
    """The current régions (in the database's name order) and départements, by code, each
    département listed in its région."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(_AREAS_SQL), [TerritoryKind.REGION, TerritoryKind.DEPARTEMENT, True])
        rows = cursor.fetchall()
    regions_by_pk, departements = {}, {}
    pending = []
    for pk, kind, code, name, region_id in rows:
        if kind == TerritoryKind.REGION:
            regions_by_pk[pk] = AreaCount(code, name)
        else:
            departements[code] = AreaCount(code, name)
            pending.append((departements[code], region_id))
    for departement, region_id in pending:
        if region_id in regions_by_pk:
            regions_by_pk[region_id].departements.append(departement)
    return {region.code: region for region in regions_by_pk.values()}, departements


def _member_rows(on: datetime.date | None) -> list[tuple[str, str, int, int, int]]:
    """(région code, département code, members, of which the région itself, of which the
    département itself): the members on `on` (today by default) grouped by where they are."""
    day = on or timezone.localdate()
    with connection.cursor() as cursor:
        params = [*_OWN_AREA_KINDS, *running_membership_params(day)]
        cursor.execute(_sql(_MEMBER_ROWS_SQL), params)
        return cursor.fetchall()


def _plural(count: int) -> str:
    return f"{count} collectivité{'s' if count > 1 else ''} adhérente{'s' if count > 1 else ''}"


def _maximum(regions: list[AreaCount]) -> int:
    return max((d.count for r in regions for d in r.departements), default=0)


def member_map_svg(regions: list[AreaCount], *, id_prefix: str = "carte") -> SafeString:
    maximum = _maximum(regions)
    # One shade() per distinct count rather than per département.
    counts = {d.count for region in regions for d in region.departements}
    fills = {count: shade(count, maximum) for count in counts}
    directory = reverse("members:directory")
    departements = [
        MapArea(
            code=departement.code,
            fill=fills[departement.count],
            label=f"{departement.name} : {_plural(departement.count)}",
            # quote_plus is what urlencode() applies to a value, without its dict handling.
            url=f"{directory}?departement={quote_plus(departement.code)}"
            if departement.count
            else "",
        )
        for region in regions
        for departement in region.departements
    ]
    return france_map_svg(
        departements=departements,
        region_counts={region.code: region.count for region in regions if region.count},
        title="Carte des collectivités adhérentes",
        description=(
            "Départements colorés selon leur nombre de collectivités adhérentes ; "
            "une pastille par région donne son total. Le tableau qui suit donne les mêmes chiffres."
        ),
        id_prefix=id_prefix,
    )


def member_map_legend(regions: list[AreaCount]) -> list[tuple[str, str]]:
    return legend_steps(_maximum(regions))


def member_map_table_rows(regions: list[AreaCount]) -> SafeString:
    """The body of the table that gives the map's figures: per région a ``<tbody>`` with its
    row then a row per département that has members. Built here (every value escaped), as a
    template loop over the ~120 areas would cost more than the rest of the page."""
    directory = escape(reverse("members:directory"))
    parts = []
    for region in regions:
        parts.append(
            '<tbody><tr class="map-table__region"><th scope="row">'
            f'<a href="{directory}?region={escape(region.code)}">{escape(region.name)}</a></th>'
            f'<td class="number">{region.count}</td>'
            f"<td>{'oui' if region.is_member else ''}</td></tr>"
        )
        for departement in region.departements:
            if not departement.count:
                continue
            code = escape(departement.code)
            parts.append(
                '<tr><th scope="row" class="map-table__departement">'
                f'<a href="{directory}?departement={code}">{escape(departement.name)} ({code})</a>'
                f'</th><td class="number">{departement.count}</td>'
                f"<td>{'oui' if departement.is_member else ''}</td></tr>"
            )
        parts.append("</tbody>")
    return mark_safe("\n".join(parts))  # every value above is escaped
