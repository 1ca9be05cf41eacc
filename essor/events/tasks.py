"""Mails sent around an event's dates, and the end of the registrations' personal data.

- the reminder, ESSOR_EVENT_REMINDER_DAYS days (default 2) before the start, to confirmed
  registrations on site or live (replay has no date to remember), once;
- the evaluation invitation after the end, to confirmed registrations not marked absent, once,
  for events that ended less than EVALUATION_WINDOW_DAYS ago;
- the anonymisation of registrations ESSOR_EVENT_RETENTION_DAYS days (default 365) after their
  event's end: names, address, position and needs are erased, the counts stay;
- the notice of an event's cancellation, to registrations confirmed or waiting, once: the
  task `event_cancellation_notices_send` is queued when an editor cancels the event, and each
  run of `events_send` sends what a stopped worker or a refusing mail server left.

Reminders and evaluation invitations are never sent for a cancelled event.

`essor events_send` runs them (cron or systemd timer, see README.md); each is also a django-tasks
task for the worker. Each registration is claimed by a conditional UPDATE before its mail goes
out, so two runs at once, or one after the other, never send a mail twice; a mail the server
refused is released and tried again on the next run.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django_tasks import task

from essor.events import emails
from essor.events.models import Event, ParticipationMode, Registration, RegistrationStatus

DEFAULT_REMINDER_DAYS = 2
DEFAULT_RETENTION_DAYS = 365
# An invitation weeks after the event would be answered by nobody and surprise everybody.
EVALUATION_WINDOW_DAYS = 30
ANONYMOUS_DOMAIN = "@anonyme.invalid"


def reminder_days() -> int:
    return int(getattr(settings, "ESSOR_EVENT_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def retention_days() -> int:
    return int(getattr(settings, "ESSOR_EVENT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def reminders_due(now: datetime.datetime) -> QuerySet:
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        mode__in=[ParticipationMode.ON_SITE, ParticipationMode.LIVE],
        reminder_sent_at__isnull=True,
        event__live=True,
        event__cancelled_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + datetime.timedelta(days=reminder_days()),
    )


def evaluations_due(now: datetime.datetime) -> QuerySet:
    return Registration.objects.filter(
        Q(attended__isnull=True) | Q(attended=True),
        status=RegistrationStatus.CONFIRMED,
        evaluation_sent_at__isnull=True,
        evaluation__isnull=True,
        event__live=True,
        event__cancelled_at__isnull=True,
        event__evaluation_enabled=True,
        event__ends_at__lte=now,
        event__ends_at__gt=now - datetime.timedelta(days=EVALUATION_WINDOW_DAYS),
    )


def cancellation_notices_due(now: datetime.datetime, event_id: int | None = None) -> QuerySet:
    """Registrations confirmed or waiting when their event was cancelled, not told yet; none
    once the event's date has passed (the notice would come too late to be of use)."""
    due = Registration.objects.filter(
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING],
        cancellation_notice_sent_at__isnull=True,
        event__cancelled_at__isnull=False,
        event__ends_at__gt=now,
    )
    return due if event_id is None else due.filter(event_id=event_id)


def _send_once(
    due: QuerySet,
    stamp: str,
    send: Callable[[Registration], bool],
    now: datetime.datetime,
    *,
    stamp_event: bool = True,
) -> int:
    """Claim each registration (stamp set where still empty), send, release on failure."""
    sent = 0
    events = set()
    for registration in due.select_related("event", "event__commune").order_by("pk"):
        claimed = Registration.objects.filter(pk=registration.pk, **{f"{stamp}__isnull": True})
        if not claimed.update(**{stamp: now}):
            continue  # another run took it
        if send(registration):
            sent += 1
            events.add(registration.event_id)
        else:
            Registration.objects.filter(pk=registration.pk).update(**{stamp: None})
    # The event keeps when its mails went (shown in the registrations' admin); update() so
    # that the cached public pages stay valid.
    if stamp_event:
        Event.objects.filter(pk__in=events).update(**{stamp: now})
    return sent


def reminders_send(now: datetime.datetime | None = None) -> int:
    """Send the reminders due; returns how many went."""
    now = now or timezone.now()
    return _send_once(reminders_due(now), "reminder_sent_at", emails.reminder, now)


def evaluations_send(now: datetime.datetime | None = None) -> int:
    """Send the evaluation invitations due; returns how many went."""
    now = now or timezone.now()
    return _send_once(evaluations_due(now), "evaluation_sent_at", emails.evaluation_invitation, now)


def cancellation_notices_send(
    now: datetime.datetime | None = None, event_id: int | None = None
) -> int:
    """Tell the registrants of cancelled events (of one event with `event_id`); returns how
    many notices went."""
    now = now or timezone.now()
    return _send_once(
        cancellation_notices_due(now, event_id),
        "cancellation_notice_sent_at",
        emails.event_cancelled,
        now,
        stamp_event=False,
    )


def cancellation_notices_enqueue(event: Event) -> None:
    """The services' listener after an event's cancellation: its notices go in the
    background (`essor events_send` sends them should the queue lose the task)."""
    event_cancellation_notices_send.enqueue(event.pk)


def anonymisation_due(now: datetime.datetime) -> QuerySet:
    return Registration.objects.filter(
        event__ends_at__lt=now - datetime.timedelta(days=retention_days())
    ).exclude(email__endswith=ANONYMOUS_DOMAIN)


def registrations_anonymise(now: datetime.datetime | None = None) -> int:
    """Erase the personal data of registrations whose event ended more than the retention
    period ago (what the consent of the form says); status, mode, membership, amount,
    attendance and structure stay for the event's figures. Returns how many were erased."""
    return anonymisation_due(now or timezone.now()).update(
        first_name="",
        last_name="",
        # Unique per event among active registrations: one made-up address per row.
        email=Concat(Cast("pk", CharField()), Value(ANONYMOUS_DOMAIN)),
        position_title="",
        needs="",
        user=None,
    )


@task()
def event_reminders_send() -> int:
    return reminders_send()


@task()
def event_evaluations_send() -> int:
    return evaluations_send()


@task()
def event_registrations_anonymise() -> int:
    return registrations_anonymise()


@task()
def event_cancellation_notices_send(event_id: int) -> int:
    return cancellation_notices_send(event_id=event_id)
