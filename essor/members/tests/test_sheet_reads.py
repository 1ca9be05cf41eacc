"""The profile sheet's fast reads: the comparison columns copied from the referential stay in
step with it, the indexed comparison finds exactly the peers a full scan would, and the
sheet shows the same things to visitors and members."""

import datetime
import math

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from essor.core.services import theme_get_or_create
from essor.core.testing import assert_page_ok, count_queries
from essor.members import selectors, services
from essor.members.models import Authority
from essor.members.tests.factories import authority_for, person
from essor.territories.models import Territory
from essor.territories.neighbours import neighbouring_regions

pytestmark = pytest.mark.django_db
JOINED = datetime.date(2012, 1, 1)


def _columns(authority: Authority) -> tuple:
    authority.refresh_from_db()
    return authority.peer_population, authority.peer_region


def test_peer_columns_are_copied_on_save():
    commune = authority_for("33063")  # Bordeaux, Nouvelle-Aquitaine
    region = authority_for("75", kind="region")
    body = services.authority_upsert_for_siren("200000001", name="Syndicat mixte de test")
    assert _columns(commune) == (commune.territory.population, "75")
    assert _columns(region) == (region.territory.population, "75")
    assert _columns(body) == (None, "")


def test_peer_columns_follow_a_territory_saved():
    commune = authority_for("33063")
    territory = commune.territory
    territory.population = 123456
    territory.region = Territory.objects.get(kind="region", code="76")
    territory.save()
    assert _columns(commune) == (123456, "76")


def test_peer_columns_follow_an_import_of_the_referential():
    from essor.territories.services import referential_import

    commune = authority_for("33063")
    Authority.objects.filter(pk=commune.pk).update(peer_population=42, peer_region="11")
    referential_import(force=True)  # writes the territories in bulk, without model signals
    territory = Territory.objects.get(pk=commune.territory_id)
    assert _columns(commune) == (territory.population, "75")


def test_refresh_after_bulk_writes():
    territory = Territory.objects.get(kind="commune", code="33281")
    [created] = Authority.objects.bulk_create(
        [Authority(name="Mérignac", slug="merignac", kind="commune", territory=territory)]
    )
    assert _columns(created) == (None, "")
    Authority.objects.filter(pk=created.pk).refresh_peer_columns()
    assert _columns(created) == (territory.population, "75")


# --- comparable authorities: the indexed reading against a full scan ----------------------


def _full_scan(authority: Authority, limit: int = 5) -> list[tuple]:
    """The former computation: every member of the level, scored in Python."""
    members = Authority.objects.members().filter(kind=authority.kind).exclude(pk=authority.pk)
    themes: dict[int, set] = {}
    links = Authority.themes.through.objects.filter(
        Q(authority__in=members) | Q(authority=authority)
    ).values_list("authority_id", "theme__name")
    for pk, name in links:
        themes.setdefault(pk, set()).add(name)
    mine, my_themes = authority, themes.get(authority.pk, set())
    scored = []
    for other in members:
        score = 0.0
        if mine.peer_population and other.peer_population:
            gap = abs(math.log10(mine.peer_population) - math.log10(other.peer_population))
            score += 0.5 * max(0.0, 1 - gap / 2)
        region = mine.peer_region
        if region and region == other.peer_region and authority.kind != "region":
            score += 0.3
        elif region and other.peer_region in neighbouring_regions(region):
            score += 0.15
        shared = my_themes & themes.get(other.pk, set())
        if shared:
            score += 0.2 * len(shared) / len(my_themes | themes.get(other.pk, set()))
        scored.append((round(score, 9), other.search_name, other.name))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [(score, name) for score, _search, name in scored[:limit]]


def _indexed(authority: Authority) -> list[tuple]:
    return [
        (round(c.score, 9), c.authority.name) for c in selectors.comparable_authorities(authority)
    ]


@pytest.fixture
def network():
    """Members of every level across régions, with themes, some far below the first
    reading's reach so that the comparison has to widen."""
    circular, food = theme_get_or_create("Économie circulaire"), theme_get_or_create("Alimentation")
    communes = {}
    for code in ("33063", "33281", "33318", "40192", "64445", "59350", "13055", "69123",
                 "75056", "31555", "35238", "44109"):  # fmt: skip
        communes[code] = authority_for(code, joined_on=JOINED)
    for index, code in enumerate(communes):
        authority = communes[code]
        authority.themes.set([circular] if index % 2 else [circular, food])
        authority.save()
    for code in ("33", "40", "59", "13", "90", "2A"):
        authority_for(code, kind="departement", joined_on=JOINED)
    for code in ("75", "76", "84", "11"):
        authority_for(code, kind="region", joined_on=JOINED)
    left = authority_for("69", kind="departement", joined_on=JOINED)
    services.membership_record(left, joined_on=JOINED, left_on=datetime.date(2015, 1, 1))
    return communes


def test_indexed_comparison_finds_what_a_full_scan_finds(network):
    widened = 0
    for authority in Authority.objects.all():
        with CaptureQueriesContext(connection) as queries:
            found = _indexed(authority)
        assert found == _full_scan(authority), authority.name
        widened += sum("LIMIT" in query["sql"] for query in queries.captured_queries) > 1
    assert widened  # some first readings were too narrow, and were widened


def test_comparison_for_a_body_without_territory(network):
    body = services.authority_upsert_for_siren("200000001", name="Syndicat mixte de test")
    services.membership_record(body, joined_on=JOINED)
    other = services.authority_upsert_for_siren("200000002", name="Pays de test")
    services.membership_record(other, joined_on=JOINED)
    assert _indexed(body) == _full_scan(body) == [(0.0, "Pays de test")]


def test_comparison_queries_stay_few(network, django_assert_max_num_queries):
    bordeaux = Authority.objects.get(territory__code="33063")
    with django_assert_max_num_queries(3):
        selectors.comparable_authorities(bordeaux, themes={})


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def sheet():
    authority = authority_for("33063", joined_on=JOINED)
    services.position_record(
        person("Ada", "<Lovelace>"),
        title="Adjointe & co",
        authority=authority,
        start_date=datetime.date(2020, 3, 1),
    )
    former = person("Jean", "Ancien")
    services.position_record(
        former,
        title="Maire",
        authority=authority,
        start_date=datetime.date(2008, 3, 1),
        end_date=datetime.date(2014, 3, 1),
    )
    former.email = "jean.ancien@example.org"
    former.save()
    return authority


def test_people_escaped_past_positions_listed(client, sheet):
    html = assert_page_ok(client.get(sheet.get_absolute_url()))
    assert "Ada &lt;Lovelace&gt;" in html and "Adjointe &amp; co" in html
    assert "mars 2020" in html and "Fonctions passées" in html
    assert "mars 2008 – mars 2014" in html


def test_contacts_for_members_only(client, sheet, make_user):
    from essor.core.roles import Role

    url = sheet.get_absolute_url()
    assert "jean.ancien@example.org" not in assert_page_ok(client.get(url))
    client.force_login(make_user(Role.MEMBER))
    assert "mailto:jean.ancien@example.org" in assert_page_ok(client.get(url))


def test_sheet_queries_fixed_for_a_commune(client, sheet):
    url = sheet.get_absolute_url()
    before = count_queries(client, url)
    for code in ("33281", "33318", "40192"):
        peer = authority_for(code, joined_on=JOINED)
        services.position_record(person("Élu", code), title="Adjoint", authority=peer)
    for index in range(5):
        services.position_record(person("Agent", str(index)), title="Chargé", authority=sheet)
    assert count_queries(client, url) == before
