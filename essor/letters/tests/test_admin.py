"""An editor composes the monthly letter in the admin from the month's articles, previews it,
sends a test and schedules it; bad input is refused with a French message and nothing lost."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from essor.core.editorial import Audience
from essor.core.roles import Role
from essor.core.testing import form_defaults
from essor.letters.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    LetterKind,
)
from essor.letters.tests.factories import issue_make, subscription_make
from essor.news.tests.factories import article_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, make_user):
    user = make_user(Role.EDITOR, email="redaction@example.org")
    client.force_login(user)
    return user


def _issue_form(client, article_pk: int, **fields: str) -> dict:
    data = form_defaults(client.get(reverse("letter_issue:add")).content.decode())
    data.update(
        {
            "kind": LetterKind.LETTER,
            "title": "Les nouvelles de mars",
            "date": "2025-03-28",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-article": str(article_pk),
            "items-0-event": "",
            "items-0-agenda_entry": "",
            "items-0-ORDER": "1",
            "items-0-id": "",
            "items-0-DELETE": "",
            **fields,
        }
    )
    return data


def test_an_editor_creates_an_issue_with_the_next_number_and_an_article(client, editor):
    issue_make(LetterKind.LETTER, number=7)
    article = article_make("Rencontre nationale à Lille")
    page = client.get(reverse("letter_issue:add"))
    assert page.status_code == 200
    assert form_defaults(page.content.decode())["number"] == "8"

    response = client.post(reverse("letter_issue:add"), _issue_form(client, article.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    issue = Issue.objects.get(number=8)
    assert [item.article for item in issue.items.all()] == [article]
    assert issue.status == IssueStatus.DRAFT


def test_the_public_letter_refuses_a_members_only_article_and_saves_nothing(client, editor):
    secret = article_make("Réservé aux adhérents", audience=Audience.MEMBERS)
    response = client.post(reverse("letter_issue:add"), _issue_form(client, secret.pk))
    assert response.status_code == 200
    assert "est réservé aux adhérents : la lettre électronique est publique" in (
        response.content.decode()
    )
    assert not Issue.objects.exists()


def test_a_line_without_any_item_is_refused(client, editor):
    data = _issue_form(client, 0, **{"items-0-article": ""})
    response = client.post(reverse("letter_issue:add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "complétez ou supprimez la ligne vide" in page
    assert "issue_item_exactly_one_target" not in page
    assert not Issue.objects.exists()


def test_add_the_months_articles_then_preview_shows_them(client, editor):
    today = timezone.localdate()
    article_make("Rencontre nationale à Lille", date=today)
    article_make("Réservé du mois", date=today, audience=Audience.MEMBERS)
    issue = issue_make(LetterKind.LETTER, date=today)
    compose = reverse("letter_issue:compose", args=[issue.pk])
    assert "Rencontre nationale à Lille" in client.get(compose).content.decode()

    response = client.post(compose)
    assert response.status_code == 302
    assert [str(item) for item in issue.items.all()] == ["Rencontre nationale à Lille"]

    preview = client.get(reverse("letter_issue:preview", args=[issue.pk]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Rencontre nationale à Lille" in html
    assert 'sandbox=""' in html and "srcdoc=" in html
    assert "ESSOR-UNSUBSCRIBE-URL" not in html  # a fake address stands in for it


def test_test_send_puts_the_mail_in_the_outbox_and_bad_addresses_are_refused(client, editor):
    issue = issue_make(items=(article_make("Rencontre nationale à Lille"),))
    url = reverse("letter_issue:test_send", args=[issue.pk])

    response = client.post(url, {"addresses": "pas-une-adresse, redaction@example.org"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "« pas-une-adresse » n&#x27;est pas une adresse électronique valide." in html
    assert "pas-une-adresse, redaction@example.org" in html  # what was typed stays
    assert not mail.outbox

    too_many = ", ".join(f"test{n}@example.org" for n in range(6))
    assert "5 adresses au plus" in client.post(url, {"addresses": too_many}).content.decode()

    response = client.post(url, {"addresses": "redaction@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "[TEST]" in mail.outbox[0].subject
    assert not Delivery.objects.exists()


def test_scheduling_in_the_past_or_without_item_is_refused_and_the_form_stays(client, editor):
    empty = issue_make()
    url = reverse("letter_issue:schedule", args=[empty.pk])
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    response = client.post(url, {"when": past})
    assert "Choisissez une date et une heure à venir." in response.content.decode()

    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    response = client.post(url, {"when": future})
    html = response.content.decode()
    assert response.status_code == 200 and "Impossible :" in html
    assert future in html  # the date typed is kept
    empty.refresh_from_db()
    assert empty.status == IssueStatus.DRAFT

    ready = issue_make(items=(article_make("Rencontre nationale à Lille"),))
    response = client.post(reverse("letter_issue:schedule", args=[ready.pk]), {"when": future})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == IssueStatus.SCHEDULED and ready.scheduled_at > timezone.now()

    client.post(reverse("letter_issue:unschedule", args=[ready.pk]))
    ready.refresh_from_db()
    assert ready.status == IssueStatus.DRAFT and ready.scheduled_at is None


def test_send_now_asks_confirmation_and_refuses_an_issue_with_no_item(client, editor):
    empty = issue_make()
    url = reverse("letter_issue:send_now", args=[empty.pk])
    assert "Oui, envoyer maintenant" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert "Envoi impossible :" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == IssueStatus.DRAFT


def test_progress_shows_figures_and_failed_addresses_and_editing_is_refused(client, editor):
    issue = issue_make(items=(article_make("Rencontre nationale à Lille"),))
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENDING)
    subscription = subscription_make()
    Delivery.objects.create(issue=issue, email=subscription.email, status=DeliveryStatus.SENT)
    Delivery.objects.create(
        issue=issue,
        email="inconnu@example.org",
        status=DeliveryStatus.FAILED,
        attempts=1,
        last_error="550 Utilisateur inconnu",
    )
    Delivery.objects.create(issue=issue, email="file@example.org")

    response = client.get(reverse("letter_issue:progress", args=[issue.pk]))
    html = response.content.decode()
    assert "Courriels traités : 2 sur 3 (66 %)" in html
    assert "inconnu@example.org" in html and "550 Utilisateur inconnu" in html
    assert 'http-equiv="refresh"' in html

    edit = client.get(reverse("letter_issue:edit", args=[issue.pk]))
    assert edit.status_code == 302
    assert edit["Location"] == reverse("letter_issue:progress", args=[issue.pk])

    listing = client.get(reverse("letter_issue:index")).content.decode()
    assert "Envoi en cours" in listing
