"""Cancelling an event (weather, strike, speaker ill) without deleting it: the editors' screen
and who may use it, the one notice each registrant gets, registration closed, the waiting
list frozen, no reminder nor evaluation, and what the public side says (page, schema.org,
agenda, iCalendar)."""

import datetime
import html
import json
import re
from io import StringIO

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.events import registration_hooks, services, tasks  # noqa: F401 - the listeners
from essor.events.models import Event, Registration, RegistrationStatus
from essor.events.public_hooks import event_figures, network_events_agenda
from essor.events.search_documents import event_document
from essor.events.tests.factories import EventFactory, RegistrationFactory, open_event

pytestmark = pytest.mark.django_db

NOTE = "La grève des transports nous oblige à annuler.\nUne nouvelle date sera annoncée."
ANNOUNCED = "Événement annulé"


@pytest.fixture
def event():
    """An event open for registration: two confirmed, one waiting, one cancelled already."""
    event = open_event(title="Journée des territoires", slug="journee-des-territoires", capacity=2)
    RegistrationFactory(event=event, email="ines@example.org", first_name="Inès")
    RegistrationFactory(event=event, email="luc@example.org")
    RegistrationFactory(event=event, email="zoe@example.org", status=RegistrationStatus.WAITING)
    RegistrationFactory(event=event, email="parti@example.org", status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=open_event(), email="ailleurs@example.org")  # another event
    return event


def _url(event: Event) -> str:
    return reverse("event_cancellation:index", args=[event.pk])


def _page(response, status: int = 200) -> str:
    return html.unescape(assert_page_ok(response, status))


def _admin_page(response) -> str:
    """The admin page's text as a reader sees it: entities decoded, spaces collapsed."""
    assert response.status_code == 200, response.status_code
    return " ".join(html.unescape(response.content.decode()).split())


def _cancel_as_editor(client, make_user, capture, event: Event, note: str = NOTE):
    client.force_login(make_user(Role.EDITOR))
    with capture(execute=True):
        return client.post(_url(event), {"note": note})


def _events_send() -> str:
    out = StringIO()
    call_command("events_send", stdout=out)
    return out.getvalue()


# -- the editors' screen --------------------------------------------------------------------


def test_the_edit_page_offers_the_cancellation_and_the_screen_says_who_will_be_told(
    client, make_user, event
):
    client.force_login(make_user(Role.EDITOR))
    edit_page = client.get(reverse("event:edit", args=[event.pk])).content.decode()
    assert "Annuler l&#x27;événement" in edit_page or "Annuler l'événement" in edit_page
    assert _url(event) in edit_page

    page = _admin_page(client.get(_url(event)))
    assert "<strong>3 personnes</strong> recevront un courriel : 2 inscriptions confirmées" in page
    assert 'for="id_note"' in page and 'name="note"' in page
    assert "Message aux inscrit·es" in page
    event.refresh_from_db()
    assert event.cancelled_at is None  # GET only asks


def test_an_editor_cancels_and_each_registrant_is_told_once(
    client, make_user, event, django_capture_on_commit_callbacks
):
    response = _cancel_as_editor(client, make_user, django_capture_on_commit_callbacks, event)
    assert response.status_code == 302

    event.refresh_from_db()
    assert event.cancelled_at is not None
    assert event.cancellation_note == NOTE
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"ines@example.org", "luc@example.org", "zoe@example.org"}
    assert len(mail.outbox) == 3
    message = by_address["ines@example.org"]
    assert message.subject == "Événement annulé : Journée des territoires"
    assert "Bonjour Inès" in message.body
    assert "La grève des transports nous oblige à annuler." in message.body
    assert "Date prévue : " in message.body
    assert not message.attachments  # no calendar invitation to keep
    assert "La grève des transports" in message.alternatives[0][0]
    assert "(sur la liste d'attente)" in by_address["zoe@example.org"].body

    # The screen now says it is cancelled, when, and offers nothing to redo.
    page = _admin_page(client.get(response["Location"]))
    assert "est annulé. 3 personnes inscrites ou sur liste d'attente vont recevoir" in page
    local = timezone.localtime(event.cancelled_at)
    assert f"Cet événement a été annulé le {local.day} " in page
    assert 'name="note"' not in page and 'type="submit"' not in page
    history = _admin_page(client.get(reverse("event:history", args=[event.pk])))
    assert "Annulation de l'événement" in history

    # Cancelling again, or the hourly command, tells nobody twice.
    again = _cancel_as_editor(
        client, make_user, django_capture_on_commit_callbacks, event, note="Autre"
    )
    assert again.status_code == 302
    assert "Avis d'annulation envoyés : 0" in _events_send()
    assert len(mail.outbox) == 3
    event.refresh_from_db()
    assert event.cancellation_note == NOTE


def test_notices_a_stopped_worker_left_go_with_the_hourly_command(
    client, make_user, event, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    _cancel_as_editor(client, make_user, django_capture_on_commit_callbacks, event)
    # Queued for the worker, not sent in the editor's request.
    queued = [r for r in default_task_backend.results if r.task.name.startswith("event_")]
    assert [(r.task.name, r.args) for r in queued] == [
        ("event_cancellation_notices_send", [event.pk])
    ]
    assert not mail.outbox
    assert "Avis d'annulation envoyés : 3" in _events_send()
    assert "Avis d'annulation envoyés : 0" in _events_send()
    assert len(mail.outbox) == 3
    assert Registration.objects.filter(cancellation_notice_sent_at__isnull=False).count() == 3


def test_a_message_too_long_is_refused_with_what_was_typed_kept(
    client, make_user, event, django_capture_on_commit_callbacks
):
    note = "Trop long. " * 200
    response = _cancel_as_editor(
        client, make_user, django_capture_on_commit_callbacks, event, note=note
    )
    page = _admin_page(response)
    assert "Le message est trop long : 2000 caractères au plus" in page
    assert "Trop long. Trop long." in page
    event.refresh_from_db()
    assert event.cancelled_at is None
    assert not mail.outbox


def test_an_event_that_is_over_cannot_be_cancelled(client, make_user):
    now = timezone.now()
    past = EventFactory(
        starts_at=now - datetime.timedelta(hours=3), ends_at=now - datetime.timedelta(hours=1)
    )
    client.force_login(make_user(Role.EDITOR))
    assert "ne peut plus être annulé" in _admin_page(client.get(_url(past)))
    edit_page = client.get(reverse("event:edit", args=[past.pk])).content.decode()
    assert _url(past) not in edit_page
    with pytest.raises(services.EventCancelError):
        services.event_cancel(past, "Trop tard")
    past.refresh_from_db()
    assert past.cancelled_at is None


@pytest.mark.parametrize("role", [Role.VISITOR, Role.MEMBER])
def test_visitors_and_members_cannot_cancel(
    client, make_user, event, role, django_capture_on_commit_callbacks
):
    if role != Role.VISITOR:
        client.force_login(make_user(role))
    response = client.get(_url(event))
    assert response.status_code in (302, 403)
    assert "personnes recevront" not in response.content.decode()
    if role == Role.VISITOR:
        assert "login" in response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(event), {"note": NOTE})
    assert response.status_code in (302, 403)
    event.refresh_from_db()
    assert event.cancelled_at is None
    assert not mail.outbox


def test_publishing_an_older_revision_keeps_the_event_cancelled():
    event = open_event(revision=True)
    revision = event.latest_revision  # saved before the cancellation
    services.event_cancel(event, NOTE)
    revision.publish()
    event.refresh_from_db()
    assert event.cancelled_at is not None
    assert event.cancellation_note == NOTE
    assert event.get_latest_revision_as_object().cancelled_at is not None


# -- what it changes ------------------------------------------------------------------------


def test_registration_is_refused_after_the_cancellation(client, event):
    services.event_cancel(event, NOTE)
    page = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "Cet événement est annulé" in page
    assert 'name="email"' not in page

    before = Registration.objects.count()
    response = client.post(
        reverse("events:register", args=[event.slug]),
        {
            "first_name": "Inès",
            "last_name": "Morvan",
            "email": "nouvelle@example.org",
            "mode": "sur-place",
            "consent": "on",
            "site_internet": "",
        },
    )
    page = _page(response)
    assert "Cet événement est annulé : il n'est plus possible de s'y inscrire." in page
    assert "Morvan" in page  # what was typed is kept
    assert Registration.objects.count() == before
    assert not mail.outbox


def test_the_waiting_list_is_no_longer_promoted(client, make_user, event):
    services.event_cancel(event, NOTE)
    confirmed = Registration.objects.get(email="ines@example.org")
    waiting = Registration.objects.get(email="zoe@example.org")

    # A registrant's own cancellation would free a seat: it is no longer needed, nor done.
    with pytest.raises(services.RegistrationError, match="Cet événement est annulé"):
        services.registration_cancel(confirmed.token)
    page = _page(client.post(reverse("events:cancel", args=[confirmed.token])))
    assert "votre inscription n'a pas besoin d'être annulée" in page
    event.capacity = 10
    event.save()
    assert services.waiting_list_promote(event) == []
    client.force_login(make_user(Role.EDITOR))
    client.post(reverse("event_registrations:promote", args=[event.pk]))

    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert confirmed.status == RegistrationStatus.CONFIRMED
    assert waiting.status == RegistrationStatus.WAITING
    assert not mail.outbox


def test_reminders_and_evaluations_are_not_sent_for_a_cancelled_event():
    now = timezone.now()
    starts = now + datetime.timedelta(days=1)
    cancelled = EventFactory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=3))
    held = EventFactory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=3))
    RegistrationFactory(event=cancelled, email="annule@example.org")
    RegistrationFactory(event=held, email="maintenu@example.org")
    services.event_cancel(cancelled, NOTE)
    mail.outbox.clear()

    assert tasks.reminders_send(now) == 1
    after = starts + datetime.timedelta(hours=4)
    assert tasks.evaluations_send(after) == 1
    assert {message.to[0] for message in mail.outbox} == {"maintenu@example.org"}
    assert not tasks.reminders_due(now).filter(event=cancelled).exists()


# -- the public side ------------------------------------------------------------------------


def _json_ld(page: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found, "no JSON-LD in the page"
    return json.loads(found.group(1))


def test_the_event_page_says_it_is_cancelled_with_the_note(client, event):
    url = event.get_absolute_url()
    before = assert_page_ok(client.get(url))  # now in the cache for anonymous visitors
    assert _json_ld(before)["eventStatus"] == "https://schema.org/EventScheduled"
    assert ANNOUNCED not in before

    services.event_cancel(event, NOTE)
    page = assert_page_ok(client.get(url))
    notice = re.search(r'<div class="[^"]*event-cancelled" role="status">(.*?)</div>', page, re.S)
    assert notice, "no cancellation notice with role=status"
    text = html.unescape(notice.group(1))
    assert ANNOUNCED in text
    assert "La grève des transports nous oblige à annuler.<br>Une nouvelle date" in text
    assert _json_ld(page)["eventStatus"] == "https://schema.org/EventCancelled"
    assert "S'inscrire" not in html.unescape(page)
    assert "Cet événement est annulé" in html.unescape(page)


def test_the_agenda_still_lists_it_marked_cancelled(client, event):
    other = open_event(title="Rencontre maintenue")
    services.event_cancel(event, NOTE)
    page = _page(client.get(reverse("events:agenda")))
    cards = re.findall(
        r'<li class="event-card">(.*?)</li>\s*(?=<li class="event-card">|</ul>)', page, re.S
    )
    by_title = {
        next(title for title in (event.title, other.title) if title in card): card
        for card in cards
        if event.title in card or other.title in card
    }
    assert set(by_title) == {event.title, other.title}  # still listed
    assert 'event-badge--cancelled">Annulé<' in by_title[event.title]
    assert "Annulé" not in by_title[other.title]
    assert "places restantes" not in by_title[event.title]

    items = network_events_agenda(timezone.localdate(), None, None)
    cancelled = {item.key: item.cancelled for item in items}
    assert cancelled[f"event:{event.pk}"] is True
    assert cancelled[f"event:{other.pk}"] is False


def _vevents(content: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return {str(vevent["summary"]): vevent for vevent in calendar.walk("VEVENT")}


def test_the_calendar_files_say_cancelled(client, event):
    open_event(title="Rencontre maintenue")
    services.event_cancel(event, NOTE)

    [vevent] = _vevents(client.get(reverse("events:ical", args=[event.slug])).content).values()
    assert str(vevent["status"]) == "CANCELLED"
    assert int(vevent["sequence"]) == 1
    feed = _vevents(client.get(reverse("events:agenda_ical")).content)
    assert str(feed["Journée des territoires"]["status"]) == "CANCELLED"
    assert str(feed["Rencontre maintenue"]["status"]) == "CONFIRMED"


def test_the_registration_page_says_it_and_offers_no_cancel_button(client, event):
    services.event_cancel(event, NOTE)
    registration = Registration.objects.get(email="ines@example.org")
    page = _page(client.get(reverse("events:registration", args=[registration.token])))
    assert "Cet événement est annulé." in page
    assert "La grève des transports" in page
    assert "Annuler mon inscription" not in page
    assert "evenement.ics" not in page


def test_search_results_say_the_event_is_cancelled(event):
    assert event_document(event).title == event.title
    services.event_cancel(event, NOTE)
    event.refresh_from_db()
    assert event_document(event).title == f"{event.title} (annulé)"


def test_the_home_figure_does_not_count_a_cancelled_event(event):
    held = event_figures()[0]["value"]
    services.event_cancel(event, NOTE)
    assert event_figures()[0]["value"] == held - 1


def test_the_admin_list_of_events_shows_the_cancellation(client, make_user, event):
    services.event_cancel(event, NOTE)
    client.force_login(make_user(Role.EDITOR))
    listing = _admin_page(client.get(reverse("event:list")))
    assert "Annulé le" in listing
