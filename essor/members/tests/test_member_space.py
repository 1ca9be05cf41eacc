"""A member user keeps their authority's profile sheet up to date; editors see what changed."""

import pytest
from django.urls import reverse

from essor.core.roles import Role
from essor.core.services import theme_get_or_create
from essor.core.testing import assert_page_ok
from essor.members.models import PROFILE_UPDATE_ACTION
from essor.members.tests.factories import network_fixture

pytestmark = pytest.mark.django_db
EDIT = reverse("members:profile_edit")
SPACE = reverse("members:member_space")


@pytest.fixture
def member(client):
    objects = network_fixture()
    client.force_login(objects["authorityuser"].user)
    return objects


def _lines(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def _post(client, *, budgets=(), **fields):
    theme = theme_get_or_create("Alimentation durable")
    data = {
        "website": "https://caen.example.org",
        "address": "Esplanade Jean-Marie Louvel",
        "ess_context": "Un contexte",
        "ess_programme": "",
        "themes": [str(theme.pk)],
        **_lines("axes", [{"title": "Accompagner les projets", "description": ""}]),
        **_lines("chiffres", [{"label": "emplois", "value": "12 500", "unit": "", "year": "2016"}]),
        **_lines("budgets", list(budgets)),
        **fields,
    }
    return client.post(EDIT, data)


def test_member_updates_the_sheet_and_the_change_is_logged(client, member):
    response = _post(client, budgets=[{"year": "2016", "amount": "4 150 000", "note": ""}])
    authority = member["authority"]
    assert response.status_code == 302 and response["Location"] == authority.get_absolute_url()
    authority.refresh_from_db()
    assert authority.website == "https://caen.example.org"
    assert authority.ess_budgets.get().amount == 4_150_000
    assert authority.ess_figures.get().value == 12_500
    html = assert_page_ok(client.get(authority.get_absolute_url()))
    assert "4\u00a0150\u00a0000 €" in html and "Accompagner les projets" in html
    space = assert_page_ok(client.get(SPACE))
    assert "Dernières modifications" in space and "budget ESS" in space


def test_editors_see_what_changed_in_the_admin_history(client, member, make_user):
    _post(client, budgets=[{"year": "2016", "amount": "1000", "note": ""}])
    client.force_login(make_user(Role.EDITOR))
    url = reverse("authority:history", args=[member["authority"].pk])
    html = client.get(url).content.decode()
    assert "Fiche mise à jour depuis l&#x27;espace membre" in html
    assert "budget ESS" in html
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action=PROFILE_UPDATE_ACTION)
    change = next(c for c in entry.data["changes"] if c["field"] == "budget ESS")
    assert change["before"] == "" and "2016 : 1000" in change["after"]


@pytest.mark.parametrize(
    "budgets, fields, error",
    [
        ([{"year": "2016", "amount": "-5", "note": ""}], {}, "Un budget ne peut pas être négatif."),
        (
            [
                {"year": "2016", "amount": "5", "note": ""},
                {"year": "2016", "amount": "6", "note": ""},
            ],
            {},
            "Une seule ligne de budget par année.",
        ),
        ([{"year": "2016", "amount": "beaucoup", "note": ""}], {}, "Saisissez un nombre"),
        ([{"year": "1066", "amount": "5", "note": ""}], {}, "1980"),
        ([], {"website": "pas une adresse"}, "URL"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, member, budgets, fields, error):
    authority = member["authority"]
    response = _post(client, budgets=budgets, **fields)
    html = assert_page_ok(response)
    assert error in html
    if budgets:  # an error in a line is announced at the top of the form
        assert "corrigez les lignes signalées" in html
    authority.refresh_from_db()
    assert authority.ess_context == "" and not authority.ess_budgets.exists()
    assert not authority.ess_figures.exists()


def test_a_member_account_without_authority_is_told_so(client, make_user):
    client.force_login(make_user(Role.MEMBER))
    assert "rattaché à aucune collectivité" in assert_page_ok(client.get(SPACE))
    assert client.get(EDIT)["Location"] == SPACE


def test_a_plain_account_may_not_enter_the_member_space(client, make_user):
    client.force_login(make_user(Role.VISITOR))
    assert client.get(SPACE).status_code == 403
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, {}).status_code == 403


def test_the_sheet_offers_editing_only_to_its_own_member(client, member, make_user):
    url = member["authority"].get_absolute_url()
    assert EDIT in client.get(url).content.decode()
    client.force_login(make_user(Role.MEMBER))
    assert EDIT not in client.get(url).content.decode()
