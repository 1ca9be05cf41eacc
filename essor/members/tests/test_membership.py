"""Membership periods, dues, the member count at any date, the board and its assemblies."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from essor.core.testing import assert_page_ok
from essor.members import selectors, services
from essor.members.models import Authority, Dues, GeneralAssembly, Membership
from essor.members.tests.factories import authority_for, network_fixture, organisation, person

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def rennes():
    return authority_for("35238")


def test_member_on_a_day_between_joining_and_leaving(rennes):
    services.membership_record(rennes, joined_on=D(2010, 1, 1), left_on=D(2014, 7, 1))
    services.membership_record(rennes, joined_on=D(2016, 1, 1))
    members_on = lambda day: set(Authority.objects.members(on=day))  # noqa: E731
    assert rennes not in members_on(D(2009, 12, 31))
    assert rennes in members_on(D(2010, 1, 1)) and rennes in members_on(D(2014, 6, 30))
    assert rennes not in members_on(D(2014, 7, 1))  # the day of leaving is not a member day
    assert rennes in members_on(D(2020, 1, 1)) and rennes.is_member
    assert selectors.member_count(on=D(2015, 1, 1)) == 0


@pytest.mark.parametrize(
    "joined, left, message",
    [
        (D(2016, 1, 1), D(2015, 1, 1), "La date de départ doit suivre la date d'adhésion."),
        (D(2016, 1, 1), D(2016, 1, 1), "La date de départ doit suivre la date d'adhésion."),
        (D(2012, 1, 1), None, "déjà adhérente sur une partie de cette période"),
    ],
)
def test_inconsistent_periods_are_refused(rennes, joined, left, message):
    services.membership_record(rennes, joined_on=D(2010, 1, 1), left_on=D(2014, 1, 1))
    with pytest.raises(ValidationError, match=message):
        services.membership_record(rennes, joined_on=joined, left_on=left)
    assert Membership.objects.filter(authority=rennes).count() == 1


def test_dues_cannot_be_negative_and_come_once_a_year(rennes):
    with pytest.raises(ValidationError, match=r"négati|supérieure ou égale"):
        services.dues_record(rennes, year=2017, amount="-10")
    services.dues_record(rennes, year=2017, amount="300")
    services.dues_record(rennes, year=2017, amount="350", paid_on=D(2017, 3, 1))
    dues = Dues.objects.get(authority=rennes)
    assert dues.amount == 350 and dues.is_paid


def test_member_counts_by_year_end(rennes):
    lille = authority_for("59350")
    services.membership_record(rennes, joined_on=D(2010, 6, 1), left_on=D(2012, 6, 1))
    services.membership_record(lille, joined_on=D(2011, 1, 1))
    counts = {row["year"]: row["count"] for row in selectors.member_counts_by_year(2009, 2013)}
    assert counts == {2009: 0, 2010: 1, 2011: 2, 2012: 1, 2013: 1}


def test_board_page_shows_boards_by_assembly(client):
    objects = network_fixture()
    network = objects["organisation"]
    later = person("Dominique", "Bernard")
    services.position_record(
        later,
        title="Président",
        organisation=network,
        board_role="president",
        start_date=D(2020, 6, 1),
    )
    GeneralAssembly.objects.create(organisation=network, held_on=D(2020, 6, 1), place="Paris")
    html = assert_page_ok(client.get(reverse("members:board")))
    assert html.index("Dominique Bernard") < html.index("Camille Durand")  # latest board first
    assert "Assemblée générale du 01/06/2020" in html and "Paris" in html
    assert "Conseil en fonction élu le 1 juin 2020" in html


def test_network_page_counts_members_by_level_and_year(client):
    organisation("rtes", "Réseau", kind="network")
    authority_for("35238", joined_on=D(2010, 1, 1))
    authority_for("35", kind="departement", joined_on=D(2012, 1, 1))
    html = assert_page_ok(client.get(reverse("members:network")))
    assert "2 collectivités adhérentes" in html
    assert (
        "Évolution du nombre d&#x27;adhérentes" in html
        or "Évolution du nombre d'adhérentes" in html
    )


def test_member_map_page_has_the_map_and_an_equivalent_table(client):
    authority_for("35238", joined_on=D(2010, 1, 1))
    authority_for("35", kind="departement", joined_on=D(2012, 1, 1))
    authority_for("29019", joined_on=D(2012, 1, 1))  # Brest, Finistère
    response = client.get(reverse("members:map"))
    html = assert_page_ok(response)
    assert "<svg" in html and 'aria-label="Ille-et-Vilaine : 2 collectivités adhérentes"' in html
    bretagne = next(r for r in response.context["areas"] if r.code == "53")
    assert bretagne.count == 3
    assert {d.code: d.count for d in bretagne.departements if d.count} == {"35": 2, "29": 1}
    ille = next(d for d in bretagne.departements if d.code == "35")
    assert ille.is_member
    assert "?departement=35" in html  # the shaded département links to the directory


def test_member_map_renders_in_a_pdf(client):
    import weasyprint

    authority_for("35238", joined_on=D(2010, 1, 1))
    html = client.get(reverse("members:map")).content.decode()
    pdf = weasyprint.HTML(string=html, base_url="http://testserver/").write_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_network_page_gives_the_member_count_at_a_chosen_date(client):
    organisation("rtes", "Réseau", kind="network")
    authority_for("35238", joined_on=D(2010, 1, 1))
    authority_for("35", kind="departement", joined_on=D(2016, 1, 1))
    url = reverse("members:network")
    assert "1 collectivité adhérente au 1 janvier 2014" in assert_page_ok(
        client.get(url + "?au=2014-01-01")
    )
    assert "2 collectivités adhérentes" in assert_page_ok(client.get(url))
    bad = assert_page_ok(client.get(url + "?au=31/02/2017"))
    assert "Saisissez une date valide" in bad and "2 collectivités adhérentes" in bad
