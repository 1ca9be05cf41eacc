"""E-mails to the people who register: confirmation (with the event's iCalendar file), waiting
list, promotion from the waiting list, cancellation, reminder before the event, invitation to
the evaluation after it, notice of the event's cancellation (without a calendar file: there
is nothing left to put in one's agenda). French, plain text with an HTML alternative; every one carries the
links of the registration's secret token (manage, cancel), absolute from settings.SITE_URL.

Also how a registration is described, in mails and pages alike: dates, place, rank on the
waiting list.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from essor.core.links import absolute_url
from essor.core.models import NetworkSettings
from essor.events import selectors, services
from essor.events.forms import money, price_rule
from essor.events.models import Event, ParticipationMode, Registration, RegistrationStatus

logger = logging.getLogger(__name__)
_TEMPLATES = "events/email/"
ICS_FILENAME = "evenement.ics"


# -- how a registration is described ------------------------------------------------------


def event_when(event: Event) -> str:
    """The event's dates in French: "jeudi 12 septembre 2013, 9 h 30 – 17 h"."""
    with translation.override("fr"):
        return selectors.event_dates(event)


def event_where(event: Event) -> str:
    """Where the event takes place: its place or sites, "En ligne", or both."""
    return selectors.location_text(event)


def waiting_rank(registration: Registration) -> int | None:
    """Rank on the waiting list (1: the next to get a seat), None when not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITING
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def registration_links(registration: Registration) -> dict[str, str]:
    """The absolute links of a registration's secret token, and of its event's page."""
    event = registration.event
    return {
        "manage_url": absolute_url(reverse("events:registration", args=[registration.token])),
        "cancel_url": absolute_url(reverse("events:cancel", args=[registration.token])),
        "evaluation_url": absolute_url(reverse("events:evaluate", args=[registration.token])),
        "event_url": absolute_url(event.get_absolute_url()) if event.live else "",
    }


def amount_text(registration: Registration) -> str:
    if registration.amount_due:
        return f"{money(registration.amount_due)} (tarif non-adhérent)"
    return "gratuit" + (
        " (adhérent)" if registration.is_member and registration.event.price else ""
    )


# -- the e-mails ------------------------------------------------------------------------


def registration_notify(registration: Registration, what: str) -> None:
    """The listener of the services (after commit): the e-mail that goes with what happened."""
    send = {
        services.CONFIRMED: confirmation,
        services.WAITING: waiting_notice,
        services.PROMOTED: promotion,
        services.CANCELLED: cancellation,
    }.get(what)
    if send is not None:
        send(registration)


def confirmation(registration: Registration) -> bool:
    return _send("confirmed", registration, calendar=True)


def waiting_notice(registration: Registration) -> bool:
    return _send("waiting", registration)


def promotion(registration: Registration) -> bool:
    return _send("promoted", registration, calendar=True)


def cancellation(registration: Registration) -> bool:
    return _send("cancelled", registration)


def reminder(registration: Registration) -> bool:
    return _send("reminder", registration, calendar=True)


def evaluation_invitation(registration: Registration) -> bool:
    return _send("evaluation", registration)


def event_cancelled(registration: Registration) -> bool:
    return _send("event_cancelled", registration)


def _context(registration: Registration) -> dict:
    event = registration.event
    network = NetworkSettings.load()
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return {
        **registration_links(registration),
        "registration": registration,
        "event": event,
        "when": event_when(event),
        "where": event_where(event),
        "mode": registration.get_mode_display().lower(),
        "price_rule": price_rule(event),
        "amount": amount_text(registration),
        "rank": waiting_rank(registration),
        # The connection link goes to those who follow live, never to the public page.
        "online_url": event.online_url
        if confirmed and registration.mode == ParticipationMode.LIVE
        else "",
        "site_name": network.network_name if network else settings.WAGTAIL_SITE_NAME,
        "contact_email": network.contact_email if network else "",
        "cancellation_note": event.cancellation_note,
    }


def _calendar(registration: Registration, online_url: str) -> bytes | None:
    note = f"Lien de connexion : {online_url}" if online_url else ""
    try:
        from essor.events.ical import event_ics

        return event_ics(registration.event, settings.SITE_URL, note=note)
    except Exception:  # the mail matters more than its attachment
        logger.exception("Fichier iCalendar de « %s » non produit", registration.event)
        return None


def _send(template: str, registration: Registration, *, calendar: bool = False) -> bool:
    """Send one of the e-mails; False (and a log line) when the mail server refused it: what
    happened to the registration stands."""
    context = _context(registration)
    with translation.override("fr"):
        subject = render_to_string(f"{_TEMPLATES}{template}_subject.txt", context)
        text = render_to_string(f"{_TEMPLATES}{template}.txt", context)
        html = render_to_string(f"{_TEMPLATES}{template}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        to=[registration.email],
        reply_to=[context["contact_email"]] if context["contact_email"] else None,
    )
    message.attach_alternative(html, "text/html")
    if calendar and (ics := _calendar(registration, context["online_url"])):
        message.attach(ICS_FILENAME, ics, "text/calendar")
    try:
        message.send()
    except OSError:
        logger.exception("Courriel « %s » non envoyé à %s", template, registration.email)
        return False
    return True
