"""Events as iCalendar (RFC 5545): one event's file ("Ajouter à mon agenda", the attachment of
the confirmation e-mail) and the agenda's feed. A cancelled event stays in both, with
STATUS:CANCELLED, so that calendars holding it show it cancelled.

Times are written in UTC ("…Z"): every calendar converts them to its own zone, and no
VTIMEZONE table (which stops at 2038 in the icalendar package) is needed; summer and winter
time in Paris are resolved when the event's aware datetimes are converted.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from essor.events.models import Event, EventSite
from essor.events.selectors import location_text

PRODID = "-//Essor//Événements//FR"
CALENDAR_NAME = "Agenda du réseau"


def event_uid(event: Event) -> str:
    """Stable for the event's lifetime (its slug may change, its key does not) and the same
    in the feed, the page's file and the e-mail's attachment whatever address they were
    asked from: calendars recognise the event they already hold."""
    host = urlsplit(settings.SITE_URL).hostname or "essor.invalid"
    return f"event-{event.pk}@{host}"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _vevent(event: Event, base_url: str, note: str = "") -> icalendar.Event:
    page_url = base_url.rstrip("/") + event.get_absolute_url()
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    stamp = event.updated_at or timezone.now()
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("last-modified", _utc(stamp))
    vevent.add("dtstart", _utc(event.starts_at))
    vevent.add("dtend", _utc(event.ends_at or event.starts_at))
    vevent.add("summary", event.title)
    description = "\n\n".join(part for part in (event.summary, note, page_url) if part)
    vevent.add("description", description)
    location = location_text(event)
    if location:
        vevent.add("location", location)
    vevent.add("url", page_url)
    vevent.add("categories", [event.get_kind_display()])
    if event.is_cancelled:
        vevent.add("status", "CANCELLED")
        # A calendar that already holds the event replaces it only with a higher sequence.
        vevent.add("sequence", 1)
    else:
        vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def _calendar(name: str = "") -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def event_calendar(events: Iterable[Event], base_url: str, name: str = CALENDAR_NAME) -> bytes:
    """A calendar of several events (the agenda's feed). Prefetch the events' sites and
    communes (see `calendar_events`) to keep it to a few queries."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_vevent(event, base_url))
    return calendar.to_ical()


def event_ics(event: Event, base_url: str, *, note: str = "") -> bytes:
    """One event's .ics file; `note` is added to the description (the confirmation e-mail
    puts the connection link of an online event there, which the public file never has)."""
    calendar = _calendar()
    calendar.add_component(_vevent(event, base_url, note))
    return calendar.to_ical()


def calendar_events(events: QuerySet[Event]) -> QuerySet[Event]:
    """Events with what their calendar entries read prefetched."""
    return events.select_related("commune").prefetch_related(
        Prefetch("sites", EventSite.objects.select_related("commune"))
    )
