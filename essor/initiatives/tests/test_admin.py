"""The editors' admin for initiatives and sheets: permissions on a fresh database, choosers."""

import pytest
from django.urls import reverse

from essor.core.roles import Role
from essor.initiatives.tests.factories import initiative_make
from essor.members.tests.factories import network_fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "permission",
    [
        "initiatives.publish_initiative",
        "initiatives.lock_initiative",
        "initiatives.change_initiative",
        "initiatives.publish_practicesheet",
    ],
)
def test_editors_may_publish_and_lock_from_the_first_migrate(make_user, permission):
    assert make_user(Role.EDITOR).has_perm(permission)
    assert not make_user(Role.MEMBER).has_perm(permission)


def test_territory_chooser_finds_a_commune_by_name_or_code(client, make_user):
    network_fixture()
    client.force_login(make_user(Role.EDITOR))
    url = reverse("territory_chooser:choose_results")
    by_name = client.get(url, {"q": "Rennes"}).content.decode()
    by_code = client.get(url, {"q": "35238"}).content.decode()
    assert "Rennes" in by_name and "Rennes" in by_code


def test_initiative_edit_form_uses_choosers_not_endless_selects(client, make_user):
    initiative = initiative_make("Garage solidaire")
    client.force_login(make_user(Role.EDITOR))
    html = client.get(reverse("initiative:edit", args=[initiative.pk])).content.decode()
    assert "Garage solidaire" in html
    # 35 000 territories would make an unusable page: the form holds a chooser, not options.
    assert html.count("<option") < 500
