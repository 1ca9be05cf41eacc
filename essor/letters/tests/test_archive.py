"""The web archive: the e-letter's sent issues for everyone, the Flash hebdo's for members only,
nothing that was not sent, and no recipient's own link in the web version."""

import pytest
from django.urls import reverse

from essor.core.caching import CACHE_HEADER
from essor.core.roles import Role
from essor.letters import sending
from essor.letters.models import IssueStatus, LetterKind
from essor.letters.rendering import UNSUBSCRIBE_URL_MARK
from essor.letters.tests.factories import issue_make, subscription_make
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


def test_the_cached_archive_lists_a_newly_sent_issue_at_once(
    client, issues, django_capture_on_commit_callbacks
):
    subscription_make("lectrice@example.org")
    issue = issue_make(LetterKind.LETTER, items=(article_make("Forum à Nantes"),), title="Avril")
    archive, listing = reverse("letters:archive"), reverse("letters:archive_kind", args=["lettre"])
    for url in (archive, listing):
        assert client.get(url)[CACHE_HEADER] == "miss"
        assert client.get(url)[CACHE_HEADER] == "hit"  # visitors are served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)  # the test settings' tasks run at once
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    for url in (archive, listing):
        response = client.get(url)
        assert response[CACHE_HEADER] == "miss"
        assert issue.get_absolute_url() in response.content.decode()


def test_the_flash_archive_is_never_served_from_the_cache_to_visitors(client, make_user, issues):
    client.force_login(make_user(Role.MEMBER))
    assert client.get(issues["flash"].get_absolute_url()).status_code == 200
    client.logout()
    for _ in range(2):
        response = client.get(issues["flash"].get_absolute_url())
        assert response.status_code == 302 and CACHE_HEADER not in response
