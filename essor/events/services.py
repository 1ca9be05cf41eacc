"""Writes of events: registrations, cancellations and the waiting list, attendance, the
cancellation of an event.

Seats are counted and taken under a lock on the event's row (SELECT … FOR UPDATE on
PostgreSQL; SQLite runs its write transactions one at a time, IMMEDIATE mode in settings), so
simultaneous registrations never take more seats than the event has. Mails go out after
commit: a rolled-back registration never sends one.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from essor.core.roles import Role, has_role
from essor.events.models import (
    Event,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)
from essor.members.selectors import authority_of_user

# Listeners told after commit: (registration, what happened) -> None. The e-mails module
# registers itself here so that the services do not depend on how mails are written.
RegistrationListener = Callable[[Registration, str], None]
_listeners: list[RegistrationListener] = []

CONFIRMED = "confirmed"
WAITING = "waiting"
PROMOTED = "promoted"
CANCELLED = "cancelled"


class RegistrationError(Exception):
    """A registration or a cancellation that cannot be done; the message is for the user."""


@dataclass(frozen=True)
class RegistrationRequest:
    first_name: str
    last_name: str
    email: str
    mode: str = ParticipationMode.ON_SITE
    organisation: str = ""
    position_title: str = ""
    needs: str = ""


# Told after the commit of an event's cancellation: (event) -> None. The tasks module
# registers the sending of the notices here (registration_hooks.py).
EventCancelListener = Callable[[Event], None]
_cancel_listeners: list[EventCancelListener] = []

EVENT_CANCEL_ACTION = "events.event_cancel"
CANCELLATION_NOTE_MAX = 2000
EVENT_CANCELLED = "Cet événement est annulé : il n'est plus possible de s'y inscrire."


def registration_listen(listener: RegistrationListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def event_cancel_listen(listener: EventCancelListener) -> None:
    if listener not in _cancel_listeners:
        _cancel_listeners.append(listener)


def _tell_after_commit(registration: Registration, what: str) -> None:
    def tell() -> None:
        for listener in _listeners:
            listener(registration, what)

    transaction.on_commit(tell)


def registration_refusal(event: Event, now: datetime.datetime | None = None) -> str:
    """Why nobody can register to the event now, or "" when registration is open."""
    now = now or timezone.now()
    if not event.live:
        return "Cet événement n'est pas publié."
    if event.is_cancelled:
        return EVENT_CANCELLED
    if not event.registration_enabled:
        return "Les inscriptions en ligne ne sont pas ouvertes pour cet événement."
    if event.registration_opens_at and now < event.registration_opens_at:
        opens = timezone.localtime(event.registration_opens_at)
        return f"Les inscriptions ouvriront le {opens:%d/%m/%Y à %H:%M}."
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "Les inscriptions sont closes."
    if event.ends_at and now >= event.ends_at:
        return "Cet événement est terminé."
    return ""


def seats_taken(event: Event) -> int:
    return Registration.objects.filter(event=event).holding_a_seat().count()


def seats_left(event: Event) -> int | None:
    """Places left on site; None when the event has no limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - seats_taken(event), 0)


def is_member_user(user: object) -> bool:
    """Member users (and the network's team) register free and may attend members-only events."""
    return bool(getattr(user, "is_authenticated", False)) and has_role(user, Role.MEMBER)


def _check_request(event: Event, request: RegistrationRequest, user: object) -> None:
    if event.members_only and not is_member_user(user):
        raise RegistrationError(
            "Cet événement est réservé aux adhérents : connectez-vous avec un compte membre."
        )
    allowed = {
        ParticipationMode.ON_SITE: event.allows_on_site,
        ParticipationMode.LIVE: event.allows_live,
        ParticipationMode.REPLAY: event.allows_replay,
    }
    if not allowed.get(request.mode, False):
        raise RegistrationError("Ce mode de participation n'est pas proposé pour cet événement.")


def _status_for(event: Event, mode: str) -> str:
    if mode != ParticipationMode.ON_SITE or event.capacity is None:
        return RegistrationStatus.CONFIRMED
    if seats_taken(event) < event.capacity:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITING


def registration_create(
    event: Event,
    request: RegistrationRequest,
    user: object = None,
    now: datetime.datetime | None = None,
) -> Registration:
    """Register someone: a seat if one is left (or if the mode has no limit), else a place on
    the waiting list. Raises RegistrationError with the reason, writing nothing."""
    email = request.email.strip().lower()
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            refusal = registration_refusal(locked, now)
            if refusal:
                raise RegistrationError(refusal)
            _check_request(locked, request, user)
            if Registration.objects.active().filter(event=locked, email__iexact=email).exists():
                raise RegistrationError(_ALREADY_REGISTERED)
            member = is_member_user(user)
            registration = Registration.objects.create(
                event=locked,
                user=user if getattr(user, "is_authenticated", False) else None,
                first_name=request.first_name.strip(),
                last_name=request.last_name.strip(),
                email=email,
                organisation=request.organisation.strip(),
                position_title=request.position_title.strip(),
                authority=authority_of_user(user),
                mode=request.mode,
                needs=request.needs.strip(),
                status=_status_for(locked, request.mode),
                is_member=member,
                amount_due=Decimal(0) if member else locked.price,
            )
            confirmed = registration.status == RegistrationStatus.CONFIRMED
            _tell_after_commit(registration, CONFIRMED if confirmed else WAITING)
    except IntegrityError as error:  # the same address registered by a concurrent request
        raise RegistrationError(_ALREADY_REGISTERED) from error
    return registration


_ALREADY_REGISTERED = (
    "Cette adresse est déjà inscrite à cet événement. Le courriel de confirmation contient "
    "le lien pour consulter ou annuler l'inscription."
)


def _promote_waiting(event: Event, now: datetime.datetime) -> list[Registration]:
    """Give freed seats to the waiting list, first come first served. Call under the lock."""
    if event.is_cancelled:  # nobody would come to take the seat
        return []
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - seats_taken(event)
        if free <= 0:
            return []
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITING).order_by(
        "created_at", "pk"
    )
    promoted = list(waiting if free is None else waiting[:free])
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        _tell_after_commit(registration, PROMOTED)
    return promoted


def registration_cancel(token: str, now: datetime.datetime | None = None) -> Registration:
    """Cancel the registration the secret token belongs to and give its seat to the next
    person waiting. Raises RegistrationError for an unknown token or a finished event."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.filter(token=token).first()
        if registration is None:
            raise RegistrationError("Ce lien d'annulation n'est pas valide.")
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration.refresh_from_db()
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        if event.is_cancelled:
            # The registration stays as it was when the event was cancelled (the figures).
            raise RegistrationError(
                "Cet événement est annulé : votre inscription n'a pas besoin d'être annulée."
            )
        if event.ends_at and now >= event.ends_at:
            raise RegistrationError(
                "Cet événement est terminé : l'inscription ne peut plus être annulée."
            )
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        _tell_after_commit(registration, CANCELLED)
        _promote_waiting(event, now)
    return registration


def waiting_list_promote(event: Event, now: datetime.datetime | None = None) -> list[Registration]:
    """After an editor raised the capacity: the seats it frees go to the waiting list."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        return _promote_waiting(locked, now or timezone.now())


def attendance_mark(event: Event, present_ids: set[int]) -> int:
    """Mark who came (the rest of the confirmed registrations as absent); returns the number
    present."""
    registrations = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    registrations.filter(pk__in=present_ids).update(attended=True)
    registrations.exclude(pk__in=present_ids).update(attended=False)
    return registrations.filter(attended=True).count()


# -- cancelling an event -------------------------------------------------------------------


class EventCancelError(Exception):
    """An event that cannot be cancelled; the message is for the editor."""


@dataclass(frozen=True)
class EventCancellation:
    event: Event
    done: bool  # False: it was already cancelled, nothing changed, nobody told again
    to_notify: int  # confirmed or waiting registrations, told by e-mail


def registrations_to_notify(event: Event) -> int:
    """The people an event's cancellation is told to: confirmed or on the waiting list."""
    return (
        Registration.objects.filter(event=event)
        .filter(status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING])
        .count()
    )


def event_cancel(
    event: Event, note: str = "", user: object = None, now: datetime.datetime | None = None
) -> EventCancellation:
    """Cancel an event without deleting it: registration closes, the waiting list stays as
    it is, reminders and evaluations are no longer sent, and every confirmed or waiting
    registrant gets one notice with `note` (sent after commit by the listeners, in the
    background). Cancelling an event already cancelled changes nothing and tells nobody
    again. Raises EventCancelError for an event that is over."""
    now = now or timezone.now()
    note = note.strip()
    if len(note) > CANCELLATION_NOTE_MAX:
        raise EventCancelError(
            f"Le message est trop long ({len(note)} caractères) : {CANCELLATION_NOTE_MAX} au plus."
        )
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.is_cancelled:
            return EventCancellation(locked, False, 0)
        if locked.ends_at and now >= locked.ends_at:
            raise EventCancelError("Cet événement est terminé : il ne peut plus être annulé.")
        locked.cancelled_at = now
        locked.cancellation_note = note
        # save(), not update(): the cached public pages and the calendars must change.
        locked.save(update_fields=["cancelled_at", "cancellation_note", "updated_at"])
        to_notify = registrations_to_notify(locked)
        log(
            instance=locked,
            action=EVENT_CANCEL_ACTION,
            user=user if getattr(user, "is_authenticated", False) else None,
            data={"note": note, "to_notify": to_notify},
        )

        def tell() -> None:
            for listener in _cancel_listeners:
                listener(locked)

        transaction.on_commit(tell)
    # The caller's copy too: saved again as it was, it would undo the cancellation.
    event.cancelled_at, event.cancellation_note = locked.cancelled_at, locked.cancellation_note
    return EventCancellation(locked, True, to_notify)
