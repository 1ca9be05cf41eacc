"""The member map: counts by area from one grouped query, the table built in Python, and a
page whose cost does not grow with the number of members."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.core.testing import assert_page_ok, count_queries
from essor.members import selectors, services
from essor.members.maps import member_areas, member_map_svg, member_map_table_rows
from essor.members.models import Authority
from essor.members.selectors import AreaCount
from essor.members.tests.factories import authority_for
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db
D = datetime.date


def _epci_of(commune_code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=commune_code).epci


@pytest.fixture
def members():
    """Members of every kind, some that left, one not yet a member, one without territory."""
    authority_for("35238", joined_on=D(2010, 1, 1))  # Rennes
    authority_for("35", kind="departement", joined_on=D(2012, 1, 1))
    authority_for("53", kind="region", joined_on=D(2014, 1, 1))  # Bretagne
    authority_for("29019", joined_on=D(2012, 1, 1))  # Brest
    authority_for("33063", joined_on=D(2011, 1, 1))  # Bordeaux
    epci = _epci_of("33063")
    services.membership_record(
        services.authority_upsert_for_territory(epci), joined_on=D(2013, 1, 1)
    )
    gone = authority_for("75056")  # Paris: left in 2015
    services.membership_record(gone, joined_on=D(2010, 1, 1), left_on=D(2015, 1, 1))
    later = authority_for("974", kind="departement")  # joins in the future
    services.membership_record(later, joined_on=datetime.date.today() + datetime.timedelta(30))
    other = services.authority_upsert_for_siren("200000172", name="Syndicat mixte")
    services.membership_record(other, joined_on=D(2010, 1, 1))


@pytest.mark.parametrize("on", [None, D(2012, 6, 1), D(2014, 6, 1), D(2009, 1, 1)])
def test_counts_by_area_are_those_of_the_selector(members, on):
    assert member_areas(on) == selectors.member_counts_by_area(on)


def test_counts_by_area(members):
    areas = {region.code: region for region in member_areas()}
    bretagne = areas["53"]
    assert bretagne.count == 4 and bretagne.is_member  # Rennes, 35, Bretagne, Brest
    departements = {d.code: d for d in bretagne.departements}
    assert [d.code for d in bretagne.departements] == sorted(departements)
    assert departements["35"].count == 2 and departements["35"].is_member
    assert departements["29"].count == 1 and not departements["29"].is_member
    assert areas["75"].count == 2  # Bordeaux and its EPCI, in Nouvelle-Aquitaine
    assert areas["11"].count == 0  # Paris left
    assert areas["04"].count == 0  # La Réunion joins later
    names = [region.name for region in member_areas()]
    assert names == list(
        Territory.objects.filter(kind="region", is_current=True)
        .order_by("name")
        .values_list("name", flat=True)
    )


def test_counts_by_area_take_two_queries_whatever_the_members(members):
    with CaptureQueriesContext(connection) as few:
        member_areas()
    for code in ("2A", "2B", "13", "69"):
        authority_for(code, kind="departement", joined_on=D(2015, 1, 1))
    with CaptureQueriesContext(connection) as more:
        member_areas()
    assert len(few) == len(more) == 2


def test_page_queries_do_not_grow_with_members(client, members):
    url = reverse("members:map")
    few = count_queries(client, url)
    for code in ("2A", "2B", "13", "69"):
        authority_for(code, kind="departement", joined_on=D(2015, 1, 1))
    assert count_queries(client, url) == few


def test_table_gives_the_figures_with_escaped_names():
    regions = [
        AreaCount(
            "53",
            "Bretagne <b>&",
            count=3,
            is_member=True,
            departements=[
                AreaCount("29", "Finistère", count=1),
                AreaCount("35", 'Ille "et" Vilaine', count=2, is_member=True),
                AreaCount("56", "Morbihan"),
            ],
        )
    ]
    rows = member_map_table_rows(regions)
    directory = reverse("members:directory")
    assert rows.count("<tbody>") == rows.count("</tbody>") == 1
    assert f'<a href="{directory}?region=53">Bretagne &lt;b&gt;&amp;</a>' in rows
    assert '<td class="number">3</td><td>oui</td>' in rows
    assert f'<a href="{directory}?departement=35">Ille &quot;et&quot; Vilaine (35)</a>' in rows
    assert "Morbihan" not in rows  # départements without members are left out
    assert re.findall(r'<td class="number">(\d+)</td>', rows) == ["3", "1", "2"]


def test_page_table_lists_regions_and_member_departements(client, members):
    html = assert_page_ok(client.get(reverse("members:map")))
    directory = reverse("members:directory")
    assert f'href="{directory}?region=53">Bretagne</a>' in html
    assert f'href="{directory}?departement=29">Finistère (29)</a>' in html
    # Paris left, La Réunion is not yet a member, the syndicat lies in no area.
    assert "6 collectivités adhérentes" in html
    assert 'aria-label="Gironde : 2 collectivités adhérentes"' in html


def test_map_links_members_departements_only(members):
    svg = member_map_svg(member_areas())
    directory = reverse("members:directory")
    assert f'href="{directory}?departement=33"' in svg
    assert f'href="{directory}?departement=75"' not in svg  # Paris left: not a link
    assert "Paris : 0 collectivité adhérente" in svg


def test_authority_without_territory_counts_nowhere(members):
    assert Authority.objects.members().filter(territory__isnull=True).count() == 1
    total = sum(region.count for region in member_areas())
    assert total == Authority.objects.members().filter(territory__isnull=False).count()
