"""The merged agenda: this module's source of items (the agenda entries members and partners
proposed, registered in public_hooks.py), the items grouped by month and cut into pages of
whole months for the page, and the iCalendar feed of the public items of every source.

The network's events come from the events module's own source (essor/events/public_hooks.py):
this module only knows them as `AgendaItem`s.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.utils import dateformat, timezone

from essor.core.agenda import AgendaItem, AgendaOrigin, agenda_items
from essor.news import selectors
from essor.news.models import AgendaEntry, EntryOrigin

PRODID = "-//Essor//Agenda//FR"
CALENDAR_NAME = "Agenda du réseau, des adhérents et des partenaires"
ICAL_LIMIT = 1000

_ORIGINS = {EntryOrigin.MEMBER: AgendaOrigin.MEMBER, EntryOrigin.PARTNER: AgendaOrigin.PARTNER}


def entry_item(entry: AgendaEntry) -> AgendaItem:
    """An agenda entry as the agenda shows it (themes prefetched)."""
    starts_at = None
    if entry.start_time:
        starts_at = timezone.make_aware(
            datetime.datetime.combine(entry.starts_on, entry.start_time)
        )
    return AgendaItem(
        key=f"agenda-entry:{entry.pk}",
        title=entry.title,
        url=entry.get_absolute_url(),
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        starts_at=starts_at,
        place=selectors.entry_place(entry),
        origin=_ORIGINS.get(entry.origin, AgendaOrigin.PARTNER),
        kind_label="",
        organiser=entry.authority.name if entry.authority else entry.organiser,
        summary=entry.summary,
        themes=tuple(theme.slug for theme in entry.themes.all()),
        members_only=entry.members_only,
    )


def entry_items(start: datetime.date, end: datetime.date | None, user: object) -> list[AgendaItem]:
    """The agenda source of this module: published entries of [start, end] the user may
    read."""
    may_read = selectors.may_read_members_only(user)
    return [entry_item(entry) for entry in selectors.entries_between(start, end, may_read)]


# --- the page --------------------------------------------------------------------------------

# About this many items a page: whole months are kept together (see `month_pages`).
PAGE_SIZE = 40


@dataclass(frozen=True)
class Row:
    item: AgendaItem
    dates: str  # "du 12 mars 2024 au 14 mars 2024"


@dataclass
class Month:
    label: str  # "mars 2024"
    key: str  # "2024-03", for the heading's id
    rows: list[Row]
    continued: bool = False  # its first items were on the previous page


@dataclass(frozen=True)
class AgendaPage:
    """One page of the agenda: the paginator's page (its objects are the groups of
    `month_pages`), its months, and the months the links to the neighbour pages lead to."""

    page: Page
    months: list[Month]
    previous_months: str  # "avril à juin 2026"; empty on the first page
    next_months: str  # empty on the last page


def _month_of(item: AgendaItem) -> tuple[int, int]:
    return (item.starts_on.year, item.starts_on.month)


def by_month(items: Iterable[AgendaItem], previous: AgendaItem | None = None) -> list[Month]:
    """Items (in date order) grouped by the month they start in, with their dates in words;
    `previous` is the item shown just before (on the previous page): a month it shares is
    marked continued."""
    months = []
    for (year, month), grouped in groupby(items, key=_month_of):
        first = datetime.date(year, month, 1)
        rows = [Row(item, item_dates(item)) for item in grouped]
        continued = not months and previous is not None and _month_of(previous) == (year, month)
        months.append(
            Month(dateformat.format(first, "F Y"), f"{year}-{month:02d}", rows, continued)
        )
    return months


def month_pages(items: Iterable[AgendaItem], size: int = PAGE_SIZE) -> list[list[AgendaItem]]:
    """Items (in date order) cut into pages of at most `size` items, a month never cut
    between two pages unless it holds more than a page on its own: then it fills the page it
    starts on and the next ones (cut anyway, it need not leave a page half empty)."""
    pages: list[list[AgendaItem]] = []
    current: list[AgendaItem] = []
    for _month, grouped in groupby(items, key=_month_of):
        month = list(grouped)
        if current and len(current) + len(month) > size and len(month) <= size:
            pages.append(current)
            current = []
        for item in month:
            if len(current) == size:
                pages.append(current)
                current = []
            current.append(item)
    if current:
        pages.append(current)
    return pages


def months_span(items: list[AgendaItem]) -> str:
    """ "juin 2026", "juin à août 2026" or "décembre 2026 à février 2027"."""
    if not items:
        return ""
    first, last = items[0].starts_on, items[-1].starts_on
    if _month_of(items[0]) == _month_of(items[-1]):
        return dateformat.format(first, "F Y")
    start = dateformat.format(first, "F" if first.year == last.year else "F Y")
    return f"{start} à {dateformat.format(last, 'F Y')}"


def agenda_page(items: list[AgendaItem], number: object) -> AgendaPage:
    """The page `number` of the items (in date order). A page number that is not one (or
    out of range) gives the first (or last) page, as every list of the site does."""
    groups = month_pages(items)
    page = Paginator(groups, 1).get_page(number)
    index = page.number - 1
    shown = groups[index] if groups else []
    before = groups[index - 1] if index > 0 else []
    after = groups[index + 1] if index + 1 < len(groups) else []
    return AgendaPage(
        page=page,
        months=by_month(shown, before[-1] if before else None),
        previous_months=months_span(before),
        next_months=months_span(after),
    )


def item_dates(item: AgendaItem) -> str:
    """ "12 mars 2024", "12 mars 2024 à 9 h 30" or "du 12 mars 2024 au 14 mars 2024"."""
    if item.ends_on and item.ends_on != item.starts_on:
        return (
            f"du {selectors.french_date(item.starts_on)} au {selectors.french_date(item.ends_on)}"
        )
    text = selectors.french_date(item.starts_on)
    if item.starts_at:
        moment = timezone.localtime(item.starts_at)
        minutes = f"\u00a0{moment.minute:02d}" if moment.minute else ""
        text += f" à {moment.hour}\u00a0h{minutes}"
    return text


# --- iCalendar -------------------------------------------------------------------------------


def public_items(start: datetime.date) -> list[AgendaItem]:
    """What every source offers anyone from `start` on, members-only items left out: the
    feed is public and calendars share it further."""
    items = agenda_items(start, None, AnonymousUser())
    return [item for item in items if not item.members_only][:ICAL_LIMIT]


def _uid(item: AgendaItem) -> str:
    # The events module's own feed names its events "event-<pk>@host": the same key here.
    host = urlsplit(settings.SITE_URL).hostname or "essor.invalid"
    kind, _sep, pk = item.key.partition(":")
    return f"{kind}-{pk}@{host}"


def _vevent(item: AgendaItem, base_url: str, stamp: datetime.datetime) -> icalendar.Event:
    url = item.url if item.url.startswith("http") else base_url.rstrip("/") + item.url
    vevent = icalendar.Event()
    vevent.add("uid", _uid(item))
    vevent.add("dtstamp", stamp)
    if item.starts_at:
        vevent.add("dtstart", item.starts_at.astimezone(datetime.UTC))
    else:
        # All-day items: the end date is exclusive (RFC 5545).
        vevent.add("dtstart", item.starts_on)
        vevent.add("dtend", (item.ends_on or item.starts_on) + datetime.timedelta(days=1))
    vevent.add("summary", item.title)
    vevent.add("description", "\n\n".join(part for part in (item.summary, url) if part))
    if item.place:
        vevent.add("location", item.place)
    vevent.add("url", url)
    if item.cancelled:
        vevent.add("status", "CANCELLED")
    categories = [label for label in (item.origin_label, item.kind_label) if label]
    if categories:
        vevent.add("categories", categories)
    return vevent


def items_calendar(items: Iterable[AgendaItem], base_url: str) -> bytes:
    """The merged agenda as an iCalendar file (RFC 5545), times in UTC."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for item in items:
        calendar.add_component(_vevent(item, base_url, stamp))
    return calendar.to_ical()
