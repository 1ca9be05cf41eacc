"""The member map: départements shaded by their number of members, a count per région."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from essor.members.selectors import AreaCount
from essor.territories.maps import MapArea, france_map_svg, legend_steps, shade


def _plural(count: int) -> str:
    return f"{count} collectivité{'s' if count > 1 else ''} adhérente{'s' if count > 1 else ''}"


def _directory_url(base: str, **query: str) -> str:
    return f"{base}?{urlencode(query)}"


def _maximum(regions: list[AreaCount]) -> int:
    return max((d.count for r in regions for d in r.departements), default=0)


def member_map_svg(regions: list[AreaCount], *, id_prefix: str = "carte") -> SafeString:
    maximum = _maximum(regions)
    directory = reverse("members:directory")
    departements = [
        MapArea(
            code=departement.code,
            fill=shade(departement.count, maximum),
            label=f"{departement.name} : {_plural(departement.count)}",
            url=_directory_url(directory, departement=departement.code)
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
