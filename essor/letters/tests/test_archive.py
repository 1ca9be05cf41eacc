"""The web archive: the e-letter's sent issues for everyone, the Flash hebdo's for members only,
nothing that was not sent, and no recipient's own link in the web version."""

import pytest
from django.urls import reverse

from essor.core.roles import Role
from essor.letters.models import IssueStatus, LetterKind
from essor.letters.rendering import UNSUBSCRIBE_URL_MARK
from essor.letters.tests.factories import issue_make
from essor.news.tests.factories import article_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def issues():
    article = article_make("Rencontre nationale à Lille")
    return {
        "letter": issue_make(
            LetterKind.LETTER, items=(article,), status=IssueStatus.SENT, title="Lettre de mars"
        ),
        "draft": issue_make(LetterKind.LETTER, items=(article,), title="Lettre d'avril"),
        "flash": issue_make(
            LetterKind.FLASH, items=(article,), status=IssueStatus.SENT, title="Flash de mars"
        ),
    }


def test_visitors_read_the_sent_e_letter_but_neither_drafts_nor_the_flash(client, issues):
    archive = client.get(reverse("letters:archive")).content.decode()
    assert "Lettre de mars" in archive
    assert "Lettre d&#x27;avril" not in archive and "Flash de mars" not in archive
    assert reverse("letters:subscribe") in archive

    web = client.get(issues["letter"].get_absolute_url())
    html = web.content.decode()
    assert web.status_code == 200
    assert "Rencontre nationale à Lille" in html
    assert UNSUBSCRIBE_URL_MARK not in html and "desinscription" not in html

    assert client.get(issues["draft"].get_absolute_url()).status_code == 404
    assert client.get(reverse("letters:issue", args=["lettre", 999])).status_code == 404
    assert client.get(reverse("letters:archive_kind", args=["inconnue"])).status_code == 404

    flash = client.get(issues["flash"].get_absolute_url())
    assert (flash.status_code == 302 and "connexion" in flash["Location"]) or (
        "login" in flash["Location"]
    )
    kind = client.get(reverse("letters:archive_kind", args=["flash"]))
    assert kind.status_code == 302


def test_members_read_the_flash_and_other_accounts_are_refused(client, make_user, issues):
    client.force_login(make_user(Role.VISITOR))
    assert client.get(issues["flash"].get_absolute_url()).status_code == 403

    client.force_login(make_user(Role.MEMBER))
    assert "Flash de mars" in client.get(reverse("letters:archive")).content.decode()
    response = client.get(issues["flash"].get_absolute_url())
    assert response.status_code == 200
    assert "Rencontre nationale à Lille" in response.content.decode()
    listing = client.get(reverse("letters:archive_kind", args=["flash"])).content.decode()
    assert "Flash de mars" in listing
