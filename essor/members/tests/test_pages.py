import datetime

import pytest
from django.urls import reverse

from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.members.tests.factories import network_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    objects = network_fixture()
    objects["person"].email = "camille.durand@example.org"
    objects["person"].phone = "02 31 00 00 00"
    objects["person"].save()
    return objects


def test_network_page_lists_board_and_members(client, network):
    html = assert_page_ok(client.get(reverse("members:network")))
    assert "Conseil d&#x27;administration" in html or "Conseil d'administration" in html
    assert "Camille Durand" in html and "Président·e" in html
    assert "1 collectivité adhérente" in html and reverse("members:directory") in html


def test_authority_page_shows_referential_facts(client, network):
    html = assert_page_ok(client.get(network["authority"].get_absolute_url()))
    assert "14118" in html  # official code of Caen
    assert "Calvados" in html and "Normandie" in html  # parents from the referential
    assert "adhérente du réseau depuis 2012" in html


@pytest.mark.parametrize(
    "role, sees_contacts",
    [
        (Role.VISITOR, False),
        (Role.MEMBER, True),
        (Role.EDITOR, True),
    ],
)
def test_contacts_are_for_members_only(client, network, make_user, role, sees_contacts):
    if role != Role.VISITOR:
        client.force_login(make_user(role))
    for url in (network["person"].get_absolute_url(), network["authority"].get_absolute_url()):
        html = assert_page_ok(client.get(url))
        assert ("camille.durand@example.org" in html) is sees_contacts
        assert ("02 31 00 00 00" in html) is sees_contacts


def test_unknown_slugs_are_404(client, db):
    assert client.get(reverse("members:authority", args=["nulle-part"])).status_code == 404
    assert client.get(reverse("members:person", args=["personne"])).status_code == 404


def test_member_account_page_names_its_authority(client, network):
    client.force_login(network["authorityuser"].user)
    html = assert_page_ok(client.get(reverse("accounts:account")))
    assert "Ma collectivité" in html and network["authority"].name in html


def test_sitemap_lists_authorities_and_people(client, network):
    xml = client.get("/sitemap.xml").content.decode()
    assert network["authority"].get_absolute_url() in xml
    assert network["person"].get_absolute_url() in xml


def test_network_page_queries_do_not_grow_with_members(
    client, network, django_assert_max_num_queries
):
    from essor.members.tests.factories import authority_for

    for code in ("59350", "35238", "33063", "69123", "75056"):
        authority_for(code, joined_on=datetime.date(2015, 1, 1))
    with django_assert_max_num_queries(12):
        assert_page_ok(client.get(reverse("members:network")))
