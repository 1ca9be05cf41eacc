"""`essor events_send`: the reminder before the event and the evaluation invitation after it,
each once per registration whatever the number of runs; the anonymisation of old
registrations."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from essor.events import tasks
from essor.events.models import Event, ParticipationMode, Registration, RegistrationStatus
from essor.events.tests.factories import EvaluationFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _send() -> str:
    out = StringIO()
    call_command("events_send", stdout=out)
    return out.getvalue()


def test_reminders_go_once_to_confirmed_participants_with_the_link_for_live_ones(settings):
    settings.ESSOR_EVENT_REMINDER_DAYS = 2
    now = timezone.now()
    soon = EventFactory(
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=3),
        online_url="https://visio.example.org/rencontre",
    )
    on_site = RegistrationFactory(event=soon, email="sur-place@example.org")
    live = RegistrationFactory(event=soon, email="direct@example.org", mode=ParticipationMode.LIVE)
    RegistrationFactory(event=soon, mode=ParticipationMode.REPLAY)
    RegistrationFactory(event=soon, status=RegistrationStatus.WAITING)
    RegistrationFactory(event=soon, status=RegistrationStatus.CANCELLED)
    later = EventFactory(
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
    )
    RegistrationFactory(event=later)

    assert "Rappels envoyés : 2" in _send()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"sur-place@example.org", "direct@example.org"}
    assert by_address["direct@example.org"].subject.startswith("Rappel : ")
    assert "https://visio.example.org/rencontre" in by_address["direct@example.org"].body
    assert "visio.example.org" not in by_address["sur-place@example.org"].body
    cancel_url = reverse("events:cancel", args=[on_site.token])
    assert cancel_url in by_address["sur-place@example.org"].body
    on_site.refresh_from_db()
    live.refresh_from_db()
    assert on_site.reminder_sent_at and live.reminder_sent_at
    assert Event.objects.get(pk=soon.pk).reminder_sent_at

    assert "Rappels envoyés : 0" in _send()
    assert len(mail.outbox) == 2


def test_someone_promoted_after_the_reminders_gets_one_on_the_next_run():
    now = timezone.now()
    soon = EventFactory(
        starts_at=now + datetime.timedelta(hours=20), ends_at=now + datetime.timedelta(hours=23)
    )
    RegistrationFactory(event=soon)
    _send()
    promoted = RegistrationFactory(event=soon, email="promue@example.org")
    mail.outbox.clear()
    _send()
    assert [message.to for message in mail.outbox] == [["promue@example.org"]]
    promoted.refresh_from_db()
    assert promoted.reminder_sent_at


def test_evaluation_invitations_go_once_after_the_event_to_those_not_marked_absent():
    now = timezone.now()
    past = EventFactory(
        starts_at=now - datetime.timedelta(hours=6), ends_at=now - datetime.timedelta(hours=1)
    )
    unmarked = RegistrationFactory(event=past, email="non-pointe@example.org")
    present = RegistrationFactory(event=past, email="present@example.org", attended=True)
    RegistrationFactory(event=past, attended=False)
    RegistrationFactory(event=past, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=past, status=RegistrationStatus.WAITING)
    EvaluationFactory(registration=RegistrationFactory(event=past, attended=True))  # answered
    no_questionnaire = EventFactory(
        evaluation_enabled=False,
        starts_at=now - datetime.timedelta(hours=6),
        ends_at=now - datetime.timedelta(hours=1),
    )
    RegistrationFactory(event=no_questionnaire)
    long_ago = EventFactory(
        starts_at=now - datetime.timedelta(days=90),
        ends_at=now - datetime.timedelta(days=90) + datetime.timedelta(hours=3),
    )
    RegistrationFactory(event=long_ago)

    assert "Invitations à l'évaluation envoyées : 2" in _send()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"non-pointe@example.org", "present@example.org"}
    invitation = by_address["present@example.org"]
    assert invitation.subject == f"Votre avis sur « {past.title} »"
    assert reverse("events:evaluate", args=[present.token]) in invitation.body
    unmarked.refresh_from_db()
    assert unmarked.evaluation_sent_at

    assert "Invitations à l'évaluation envoyées : 0" in _send()
    assert len(mail.outbox) == 2


def test_a_dry_run_sends_nothing():
    now = timezone.now()
    soon = EventFactory(
        starts_at=now + datetime.timedelta(hours=20), ends_at=now + datetime.timedelta(hours=23)
    )
    RegistrationFactory(event=soon)
    out = StringIO()
    call_command("events_send", "--dry-run", stdout=out)
    assert "Rappels à envoyer : 1" in out.getvalue()
    assert not mail.outbox
    assert not Registration.objects.filter(reminder_sent_at__isnull=False).exists()


def test_a_refused_mail_is_tried_again_on_the_next_run(settings):
    now = timezone.now()
    soon = EventFactory(
        starts_at=now + datetime.timedelta(hours=20), ends_at=now + datetime.timedelta(hours=23)
    )
    registration = RegistrationFactory(event=soon)
    settings.EMAIL_BACKEND = "essor.events.tests.test_registration.BrokenBackend"
    assert "Rappels envoyés : 0" in _send()
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "Rappels envoyés : 1" in _send()


def test_old_registrations_are_anonymised_and_still_counted(settings):
    settings.ESSOR_EVENT_RETENTION_DAYS = 365
    now = timezone.now()
    old = EventFactory(
        starts_at=now - datetime.timedelta(days=400),
        ends_at=now - datetime.timedelta(days=400) + datetime.timedelta(hours=3),
    )
    first = RegistrationFactory(
        event=old, first_name="Inès", needs="Régime sans gluten", attended=True
    )
    RegistrationFactory(event=old)
    recent = RegistrationFactory(
        event=EventFactory(
            starts_at=now - datetime.timedelta(days=30),
            ends_at=now - datetime.timedelta(days=30) + datetime.timedelta(hours=3),
        )
    )

    assert "Inscriptions anonymisées : 2" in _send()

    first.refresh_from_db()
    assert (first.first_name, first.last_name, first.needs) == ("", "", "")
    assert first.email.endswith("@anonyme.invalid")
    assert first.attended is True and first.status == RegistrationStatus.CONFIRMED
    assert Registration.objects.filter(event=old, status=RegistrationStatus.CONFIRMED).count() == 2
    recent.refresh_from_db()
    assert recent.first_name == "Dominique"
    assert "Inscriptions anonymisées : 0" in _send()


def test_the_tasks_run_the_same_sends():
    now = timezone.now()
    soon = EventFactory(
        starts_at=now + datetime.timedelta(hours=20), ends_at=now + datetime.timedelta(hours=23)
    )
    RegistrationFactory(event=soon)
    tasks.event_reminders_send.enqueue()  # immediate backend in tests
    tasks.event_reminders_send.enqueue()
    assert len(mail.outbox) == 1
