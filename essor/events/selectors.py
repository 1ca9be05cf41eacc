"""Reads on events for the public pages, the feeds and the admin preview: the agenda's filters
(a form turned into typed values), the agenda's cards, past events by year, one event with
what its page shows (`event_display`), and its schema.org description.

What members only see — the replay, the slides, the speakers' contacts — is decided here, once,
for the page and the preview alike; the connection link of online events is never shown (it
goes out in the confirmation e-mail).
"""

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django import forms
from django.db.models import (
    Avg,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from essor.core.caching import remember
from essor.core.forms import QuickSelect
from essor.core.paths import address_maker, slug_path
from essor.core.roles import Role, has_role
from essor.core.text import fold, group_thousands
from essor.events import page_reads, programme, rendering, services
from essor.events.models import (
    Audience,
    ContributionRole,
    Evaluation,
    Event,
    EventKind,
    EventOrganiser,
    EventSite,
    GeneratedDocument,
    OrganiserRole,
    ParticipationMode,
    Registration,
)
from essor.initiatives.models import Initiative, PracticeSheet
from essor.library.models import Publication
from essor.members.models import Authority
from essor.territories.models import Territory

PAGE_SIZE = 20
PAST_PAGE_SIZE = 50
NBSP = "\u00a0"
SATISFIED = 4  # answers of 4 or 5 out of 5 count as satisfied
FEW_SEATS = 10  # below, the offer says "limited availability"


# --- French formatting -----------------------------------------------------------------------


def french_date(day: datetime.date, names: "DateNames | None" = None) -> str:
    """datetime.date(2013, 9, 12) → "jeudi 12 septembre 2013"; the first of the month is
    "1er". `names`: date_names(), read once when printing many dates."""
    # What dateformat's "l j F Y" gives, from the same translated names, without parsing the
    # format on each call: a page of past events prints fifty dates.
    weekdays, months = names or date_names()
    number = "1er" if day.day == 1 else str(day.day)
    return f"{weekdays[day.weekday()]} {number} {months[day.month]} {day.year}"


DateNames = tuple[dict[int, str], dict[int, str]]


# Per language: the names only depend on the translation catalogues, which are code.
_date_names: dict[str | None, DateNames] = {}


def date_names() -> DateNames:
    """The weekdays and months in the active language, translated once per language."""
    language = get_language()
    names = _date_names.get(language)
    if names is None:
        names = _date_names[language] = (
            {number: str(name) for number, name in WEEKDAYS.items()},
            {number: str(name) for number, name in MONTHS.items()},
        )
    return names


def french_time(moment: datetime.time) -> str:
    """09:30 → "9 h 30", 14:00 → "14 h" (no-break spaces)."""
    if moment.minute:
        return f"{moment.hour}{NBSP}h{NBSP}{moment.minute:02d}"
    return f"{moment.hour}{NBSP}h"


def time_range(start: datetime.time | None, end: datetime.time | None) -> str:
    """ "9 h 30 – 10 h 45", "9 h 30" or ""."""
    if start and end and end != start:
        return f"{french_time(start)} – {french_time(end)}"
    moment = start or end
    return french_time(moment) if moment else ""


def event_dates(event: Event) -> str:
    """ "jeudi 12 septembre 2013, 9 h 30 – 17 h" or "du lundi 2 … au mardi 3 …"."""
    if not event.starts_at:
        return ""
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at) if event.ends_at else start
    if start.date() == end.date():
        return f"{french_date(start.date())}, {time_range(start.time(), end.time())}"
    return (
        f"du {french_date(start.date())} à {french_time(start.time())} "
        f"au {french_date(end.date())} à {french_time(end.time())}"
    )


def euros(amount: Decimal) -> str:
    """Decimal("40.00") → "40 €", Decimal("12.5") → "12,50 €" (no-break spaces)."""
    amount = Decimal(amount)
    whole = int(amount)
    cents = int((amount - whole) * 100)
    text = group_thousands(whole) + (f",{cents:02d}" if cents else "")
    return f"{text}{NBSP}€"


def price_lines(event: Event) -> list[str]:
    """The price rule: free for everyone, or free for members and a price for the others."""
    if not event.price:
        return ["Gratuit"]
    return ["Gratuit pour les adhérents", f"{euros(event.price)} pour les non-adhérents"]


def participants_text(count: int | None, estimate: bool) -> str:
    if not count:
        return ""
    text = f"{group_thousands(count)} participant{'s' if count > 1 else ''}"
    return f"environ {text}" if estimate else text


# --- places ----------------------------------------------------------------------------------


def commune_label(commune: Territory | None) -> str:
    """ "14000 Caen", or the name alone when no postal code is known."""
    if commune is None:
        return ""
    codes = commune.postal_codes or []
    return f"{codes[0]} {commune.name}" if codes else commune.name


def place_line(venue: str, address: str, commune: Territory | None) -> str:
    return ", ".join(part for part in (venue, address, commune_label(commune)) if part)


@dataclass(frozen=True)
class Place:
    name: str  # the site's name ("Lille"), "" for the single place of an event
    venue: str
    address: str
    commune: Territory | None
    participant_count: int | None = None

    @property
    def line(self) -> str:
        return place_line(self.venue, self.address, self.commune)

    @property
    def locality(self) -> str:
        return self.commune.name if self.commune else ""

    @property
    def postal_code(self) -> str:
        codes = self.commune.postal_codes if self.commune else []
        return codes[0] if codes else ""


def event_places(event: Event) -> list[Place]:
    """The sites of an event held in several places, else its place; [] when it has none
    (online). Uses the prefetched sites."""
    sites = list(event.sites.all())
    if sites:
        return [
            Place(site.name, site.venue, site.address, site.commune, site.participant_count)
            for site in sites
        ]
    if event.venue or event.address or event.commune_id:
        return [Place("", event.venue, event.address, event.commune)]
    return []


def location_text(event: Event, places: list[Place] | None = None) -> str:
    """One line for the agenda and calendars: the place(s), "En ligne", or both."""
    places = event_places(event) if places is None else places
    lines = [f"{p.name} : {p.line}" if p.name and p.line else p.name or p.line for p in places]
    text = " ; ".join(line for line in lines if line)
    if event.online:
        return f"{text} et en ligne" if text else "En ligne"
    return text


# --- agenda filters --------------------------------------------------------------------------


def theme_choices() -> list[tuple[str, str]]:
    def compute() -> list[tuple[str, str]]:
        # Each theme looked up in the links by its index, rather than every link read.
        return sorted(page_reads.themes_in_use(), key=lambda row: fold(row[1]))

    return [("", "Tous les thèmes"), *remember("events:theme-choices", compute)]


def year_choices(years: "list[YearSummary]") -> list[tuple[int | str, str]]:
    return [("", "Toutes les années"), *((row.year, str(row.year)) for row in years)]


class EventFilterForm(forms.Form):
    """The agenda's filters; choices are read once, when the form is made."""

    type = forms.ChoiceField(
        label="Type d'événement",
        required=False,
        choices=[("", "Tous les types"), *EventKind.choices],
        widget=QuickSelect,
    )
    theme = forms.ChoiceField(label="Thème", required=False, choices=(), widget=QuickSelect)
    public = forms.ChoiceField(
        label="Public",
        required=False,
        choices=[("", "Tous les publics"), *Audience.choices],
        widget=QuickSelect,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A list, not a callable: a callable would be read again by the validation and by
        # each rendering of the field.
        self.fields["theme"].choices = theme_choices()

    def filters(self) -> "EventFilters":
        """The valid filters; an invalid one is dropped (the form says why)."""
        if not self.is_bound:
            return EventFilters()
        self.is_valid()
        return filters_of({k: v for k, v in self.cleaned_data.items() if k not in self.errors})


def filters_of(cleaned: dict) -> "EventFilters":
    """The filters of the forms' cleaned values (by field name; any may be missing)."""
    return EventFilters(
        kind=cleaned.get("type") or "",
        theme=cleaned.get("theme") or "",
        audience=cleaned.get("public") or "",
        year=cleaned.get("annee"),
    )


class PastFilterForm(EventFilterForm):
    annee = forms.TypedChoiceField(
        label="Année",
        required=False,
        choices=(),
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )

    def __init__(
        self, *args: object, years: "list[YearSummary] | None" = None, **kwargs: object
    ) -> None:
        """`years`: all_past_years(), when the caller has already read it."""
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = year_choices(all_past_years() if years is None else years)


@dataclass(frozen=True)
class EventFilters:
    kind: str = ""
    theme: str = ""
    audience: str = ""
    year: int | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.kind or self.theme or self.audience or self.year)

    def apply(self, found: QuerySet[Event]) -> QuerySet[Event]:
        if self.kind:
            found = found.filter(kind=self.kind)
        if self.theme:
            tagged = Event.themes.through.objects.filter(theme__slug=self.theme)
            found = found.filter(pk__in=tagged.values("event_id"))
        if self.audience:
            found = found.filter(audience=self.audience)
        if self.year:
            found = found.filter(
                starts_at__gte=year_start(self.year), starts_at__lt=year_start(self.year + 1)
            )
        return found

    def sql(self) -> page_reads.Filters:
        """apply() for the lists read in plain SQL (page_reads)."""
        started = (year_start(self.year), year_start(self.year + 1)) if self.year else None
        return page_reads.filters_sql(self.kind, self.theme, self.audience, started)

    def cache_key(self) -> str:
        return f"{self.kind}|{self.theme}|{self.audience}|{self.year or ''}"


def year_start(year: int) -> datetime.datetime:
    """The first instant of a year, local time: where the agenda's years begin."""
    return timezone.make_aware(datetime.datetime(year, 1, 1))


def upcoming_events(filters: EventFilters, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Published events not yet over, the soonest first."""
    # `live IN (true)`: an equality SQLite's planner uses with the index on (live, ends_at),
    # where `live` alone makes it scan the table (see past_events).
    found = Event.objects.filter(live__in=[True]).upcoming(now)
    return filters.apply(found).order_by("starts_at", "pk")


def past_events(filters: EventFilters, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Published events that are over, the latest first."""
    # Published written `live IN (true)`, an equality SQLite's planner can use; and "started
    # before now", implied by "ended before now" (an event cannot end before it starts, see
    # Event.clean), lets it walk the index on (live, starts_at) in the page's order, from now
    # back, instead of reading every past event through (live, ends_at) and sorting them all.
    now = now or timezone.now()
    found = Event.objects.filter(live__in=[True], starts_at__lt=now).past(now)
    return filters.apply(found).order_by("-starts_at", "-pk")


class CardRows:
    """The rows of a list's events, for the paginator: it is told their number (the counts
    the page shows), and reads the page's rows by slicing, in one query (page_reads.card_rows)."""

    def __init__(self, filters: EventFilters, past: bool, now: datetime.datetime) -> None:
        self.filters, self.past, self.now = filters.sql(), past, now

    def __getitem__(self, window: slice) -> list[dict]:
        limit = window.stop - window.start
        if limit <= 0:
            return []
        return page_reads.card_rows(self.now, self.past, self.filters, window.start, limit)


def upcoming_rows(filters: EventFilters, now: datetime.datetime | None = None) -> CardRows:
    """upcoming_events, as rows of the cards."""
    return CardRows(filters, past=False, now=now or timezone.now())


def past_rows(filters: EventFilters, now: datetime.datetime | None = None) -> CardRows:
    """past_events, as rows of the cards."""
    return CardRows(filters, past=True, now=now or timezone.now())


def upcoming_kind_counts(
    filters: EventFilters, now: datetime.datetime | None = None
) -> dict[str, int]:
    """kind_counts(upcoming_events(filters)), in plain SQL."""
    return page_reads.kind_counts(now or timezone.now(), filters.sql())


# --- agenda cards ----------------------------------------------------------------------------


@dataclass
class EventCard:
    """An event as the agenda shows it, ready to print."""

    title: str
    url: str
    summary: str
    kind: str
    kind_label: str
    day: datetime.date
    date_label: str
    location: str
    online: bool
    members_only: bool
    seats_left: int | None
    registration_open: bool
    participants: str
    year: int
    cancelled: bool = False


CARD_FIELDS = page_reads.CARD_FIELDS


def card_rows(found: QuerySet[Event]) -> QuerySet[Event]:
    """Events with what their cards read (slice it after: the page's events)."""
    sites = Prefetch("sites", EventSite.objects.select_related("commune"))
    return found.select_related("commune").prefetch_related(sites).only(*CARD_FIELDS)


# What the agenda's cards read of an event, as plain rows: building model instances (and their
# clusters) for fifty events cost the page more than its queries.
CARD_VALUES = (
    "pk",
    *(field for field in CARD_FIELDS if field != "commune"),
    "commune_id",
    "commune__name",
    "commune__postal_codes",
)


def card_values(found: QuerySet[Event]) -> QuerySet:
    """The rows `event_cards` reads (slice it after: the page's events), with the places
    taken and whether the event has sites worked out in the same query: one query for the
    page's events rather than three (two events in a thousand have sites)."""
    taken = (
        Registration.objects.filter(event=OuterRef("pk"))
        .holding_a_seat()
        .order_by()
        .values("event")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return found.annotate(
        seats_taken=Subquery(taken, output_field=IntegerField()),
        has_sites=Exists(EventSite.objects.filter(event=OuterRef("pk"))),
    ).values(*CARD_VALUES, "seats_taken", "has_sites")


@dataclass(frozen=True)
class _Commune:
    """What commune_label reads of a commune, from a row."""

    name: str
    postal_codes: list[str]


@dataclass(frozen=True)
class _CardEvent:
    """An event's row with the attributes location_text and registration_refusal read."""

    live: bool
    online: bool
    cancelled_at: datetime.datetime | None
    registration_enabled: bool
    registration_opens_at: datetime.datetime | None
    registration_closes_at: datetime.datetime | None
    ends_at: datetime.datetime

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


def _card_places(rows: list[dict]) -> dict[int, list[Place]]:
    """Each event's places: its sites (one query for the page), else its own place."""
    sites: dict[int, list[Place]] = {}
    with_sites = [row["pk"] for row in rows if row["has_sites"]]
    for event_id, name, venue, address, commune, codes, count in (
        page_reads.sites_of(with_sites) if with_sites else ()
    ):
        place = Place(name, venue, address, _Commune(commune, codes) if commune else None, count)
        sites.setdefault(event_id, []).append(place)
    places = {}
    for row in rows:
        if row["pk"] in sites:
            places[row["pk"]] = sites[row["pk"]]
        elif row["venue"] or row["address"] or row["commune_id"]:
            commune = None
            if row["commune__name"] is not None:
                commune = _Commune(row["commune__name"], row["commune__postal_codes"] or [])
            places[row["pk"]] = [Place("", row["venue"], row["address"], commune)]
        else:
            places[row["pk"]] = []
    return places


def event_cards(rows: Iterable[dict], now: datetime.datetime | None = None) -> list[EventCard]:
    """The cards of a page of events read with `card_values`: one query, a second one when
    some of them have sites."""
    now = now or timezone.now()
    rows = list(rows)
    places = _card_places(rows)
    url_pattern = reverse("events:detail", args=["-slug-"])
    kinds = dict(EventKind.choices)
    names, zone = date_names(), timezone.get_current_timezone()
    cards = []
    for row in rows:
        start = row["starts_at"].astimezone(zone)
        seats = None
        if row["capacity"] is not None:
            seats = max(row["capacity"] - (row["seats_taken"] or 0), 0)
        event = _CardEvent(
            live=row["live"],
            online=row["online"],
            cancelled_at=row["cancelled_at"],
            registration_enabled=row["registration_enabled"],
            registration_opens_at=row["registration_opens_at"],
            registration_closes_at=row["registration_closes_at"],
            ends_at=row["ends_at"],
        )
        cards.append(
            EventCard(
                title=row["title"],
                url=url_pattern.replace("-slug-", row["slug"]),
                summary=row["summary"],
                kind=row["kind"],
                kind_label=kinds.get(row["kind"], row["kind"]),
                day=start.date(),
                date_label=french_date(start.date(), names),
                location=location_text(event, places[row["pk"]]),
                online=row["online"],
                members_only=row["audience"] == Audience.MEMBERS,
                seats_left=seats if row["registration_enabled"] else None,
                registration_open=not services.registration_refusal(event, now),
                participants=participants_text(
                    row["participant_count"], row["participant_count_is_estimate"]
                ),
                year=start.year,
                cancelled=event.is_cancelled,
            )
        )
    return cards


@dataclass
class YearSummary:
    year: int
    events: int
    participants: int
    participants_label: str


def past_years(filters: EventFilters, now: datetime.datetime | None = None) -> list[YearSummary]:
    """Per year (local time): the number of past events and of participants counted, the
    latest year first."""
    now = now or timezone.now()
    if filters == EventFilters():
        rows = page_reads.all_year_counts(now)
    else:
        rows = page_reads.year_counts(now, filters.sql())
    return [
        YearSummary(
            year=year,
            events=events,
            participants=participants,
            participants_label=group_thousands(participants),
        )
        for year, events, participants in rows
    ]


def all_past_years() -> list[YearSummary]:
    """Per year, all past published events: the year filter's choices and the table of the
    unfiltered page, kept until the events change."""
    return remember("events:past-years", lambda: past_years(EventFilters()))


def cards_by_year(cards: list[EventCard]) -> list[tuple[int, list[EventCard]]]:
    return [(year, list(items)) for year, items in groupby(cards, key=lambda card: card.year)]


# --- one event -------------------------------------------------------------------------------


def _page_relations() -> list:
    """What an event's page prints beyond its row and its programme (one query each)."""
    return [
        "themes",
        Prefetch("sites", EventSite.objects.select_related("commune")),
        Prefetch(
            "organisers",
            EventOrganiser.objects.select_related("organisation", "authority"),
        ),
        # Only what the links print: these are large rows (texts, workflow fields).
        Prefetch("initiatives", Initiative.objects.only("name", "slug", "live")),
        Prefetch("practice_sheets", PracticeSheet.objects.only("number", "title", "slug", "live")),
        Prefetch("publications", Publication.objects.only("title", "slug", "live")),
        Prefetch("authorities", Authority.objects.only("name", "slug")),
    ]


def event_by_slug(slug: str) -> Event | None:
    """A published event with everything its page shows, in a fixed number of queries."""
    found = (
        Event.objects.published()
        .filter(slug=slug)
        .select_related("commune", "slides")
        .prefetch_related(*_page_relations())
    )
    return programme.event_with_programme(found).first()


def published_event(slug: str) -> Event | None:
    """A published event's own row, its commune and the places taken (one query, see
    page_reads.published_event). The slides, shown to members only and rarely given, are read
    when printed."""
    return page_reads.published_event(slug)


def may_see_members_content(user: object) -> bool:
    """Replays, slides and speakers' contacts: members of the network and its team."""
    return has_role(user, Role.MEMBER)


def _organisers(event: Event) -> tuple[list[dict], list[dict]]:
    organisers, partners = [], []
    for line in event.organisers.all():
        url = ""
        if line.authority is not None and line.authority.slug:
            url = line.authority.get_absolute_url()
        elif line.organisation is not None and line.organisation.website:
            url = line.organisation.website
        row = {"name": line.display_name, "url": url, "role": line.get_role_display()}
        (partners if line.role == OrganiserRole.PARTNER else organisers).append(row)
    return organisers, partners


def _linked(event: Event) -> dict[str, list[dict]]:
    """Initiatives, sheets and publications that are published, and the authorities."""
    initiatives = sorted((i for i in event.initiatives.all() if i.live), key=lambda i: fold(i.name))
    sheets = sorted((s for s in event.practice_sheets.all() if s.live), key=lambda s: s.number)
    publications = [p for p in event.publications.all() if p.live]
    authorities = sorted(event.authorities.all(), key=lambda a: fold(a.name))
    return {
        "initiatives": [{"label": i.name, "url": i.get_absolute_url()} for i in initiatives],
        "sheets": [
            {"label": f"Fiche n° {s.number} — {s.title}", "url": s.get_absolute_url()}
            for s in sheets
        ],
        "publications": [{"label": p.title, "url": p.get_absolute_url()} for p in publications],
        "authorities": [
            {"label": a.name, "url": a.get_absolute_url() if a.slug else ""} for a in authorities
        ],
    }


def _sheet_url() -> Callable[[int, str], str]:
    return address_maker("initiatives:sheet", 987654321, "slug-mark")


def _organiser_rows(rows: list[tuple]) -> tuple[list[dict], list[dict]]:
    """_organisers, from page_reads.organisers rows."""
    authority_url = slug_path("members:authority")
    roles = dict(OrganiserRole.choices)
    organisers, partners = [], []
    for role, name, org_id, org_name, acronym, website, auth_id, auth_name, auth_slug in rows:
        url = ""
        if auth_id is not None and auth_slug:
            url = authority_url(auth_slug)
        elif org_id is not None and website:
            url = website
        # As EventOrganiser.display_name: the organisation, else the authority, else the name.
        if org_id is not None:
            name = f"{org_name} ({acronym})" if acronym else org_name
        elif auth_id is not None:
            name = auth_name
        row = {"name": name, "url": url, "role": roles.get(role, role)}
        (partners if role == OrganiserRole.PARTNER else organisers).append(row)
    return organisers, partners


def _linked_rows(links: dict[str, list[tuple]]) -> dict[str, list[dict]]:
    """_linked, from page_reads.links: the published initiatives, sheets and publications
    only (the query's filter)."""
    initiative_url = slug_path("initiatives:detail")
    sheet_url = _sheet_url()
    publication_url = slug_path("library:detail")
    authority_url = slug_path("members:authority")
    return {
        "initiatives": [
            {"label": name, "url": initiative_url(slug)}
            for name, slug, _ in sorted(links["initiative"], key=lambda row: fold(row[0]))
        ],
        "sheets": [
            {"label": f"Fiche n° {number} — {title}", "url": sheet_url(number, slug)}
            for title, slug, number in sorted(links["sheet"], key=lambda row: row[2])
        ],
        "publications": [
            {"label": title, "url": publication_url(slug)}
            for title, slug, _ in links["publication"]
        ],
        "authorities": [
            {"label": name, "url": authority_url(slug) if slug else ""}
            for name, slug, _ in sorted(links["authority"], key=lambda row: fold(row[0]))
        ],
    }


def _place_rows(event: Event) -> list[Place]:
    """event_places, from page_reads.sites and the commune read with the event."""
    places = [
        Place(name, venue, address, _Commune(commune, codes) if commune else None, count)
        for _, name, venue, address, commune, codes, count in page_reads.sites_of([event.pk])
    ]
    if places:
        return places
    if event.venue or event.address or event.commune_id:
        commune = _Commune(event.commune_name, event.commune_codes) if event.commune_id else None
        return [Place("", event.venue, event.address, commune)]
    return []


@dataclass
class Relations:
    """What an event's page prints of its relations (not the programme)."""

    places: list[Place]
    organisers: list[dict]
    partners: list[dict]
    themes: list[dict]
    linked: dict[str, list[dict]]
    evaluation: dict | None  # evaluation_results
    documents: dict[str, str]  # ready_documents


def relations_of(event: Event) -> Relations:
    """From the event's relations in memory (prefetched, or the admin preview's)."""
    organisers, partners = _organisers(event)
    return Relations(
        places=event_places(event),
        organisers=organisers,
        partners=partners,
        themes=[{"name": t.name, "slug": t.slug} for t in event.themes.all()],
        linked=_linked(event),
        evaluation=evaluation_results(event),
        documents=ready_documents(event),
    )


def relations_read(event: Event) -> Relations:
    """The relations of an event read by `published_event`, as rows in plain SQL (four
    queries, three without answers to the questionnaire): model instances (with their
    clusters) for ten authorities and as many links, and building a query for each, cost the
    page more than running them."""
    organisers, partners = _organiser_rows(page_reads.organisers(event.pk))
    links = page_reads.links(event.pk)
    return Relations(
        places=_place_rows(event),
        organisers=organisers,
        partners=partners,
        themes=[{"name": name, "slug": slug} for name, slug, _ in links["theme"]],
        linked=_linked_rows(links),
        evaluation=_evaluation_read(event.pk),
        documents=_document_urls(event.slug, {kind for kind, _, _ in links["document"]}),
    )


SpeakerRow = Callable[[programme.Speaker], dict]


def _speaker_rows(people: dict, contacts: bool) -> SpeakerRow:
    """What the page prints of a speaker. The people's address is reversed once, not once per
    speaker (a large programme lists a hundred of them)."""
    person_url = slug_path("members:person")
    # A speaker of the thanks list is the one of their first session: made (and written,
    # `html`) once for both.
    made: dict[int, dict] = {}

    def row(speaker: programme.Speaker) -> dict:
        found = made.get(id(speaker))
        if found is not None:
            return found
        person = people.get(speaker.person_id)
        slug = getattr(person, "slug", "")
        found = made[id(speaker)] = {
            "name": speaker.name,
            "title": speaker.title,
            "role": speaker.role_label,
            "plain_speaker": speaker.role == ContributionRole.SPEAKER,
            "url": person_url(slug) if slug else "",
            "email": getattr(person, "email", "") if contacts else "",
            "phone": getattr(person, "phone", "") if contacts else "",
        }
        found["html"] = rendering.person_html(found)
        return found

    return row


def _programme_days(days_read: list[programme.ProgrammeDay], speaker_row: SpeakerRow) -> list[dict]:
    """The programme as the page prints it: days, then sites, then sessions with times (and
    their HTML, `html`: under a site's heading when the day has one, else under the day's)."""
    days = []
    for day in days_read:
        sites = []
        day_sites = day.sites
        for site, items in day_sites:
            sessions = [
                {
                    "item": item,
                    "time": time_range(item.start, item.end),
                    "moderators": [speaker_row(s) for s in item.moderators],
                    "speakers": [speaker_row(s) for s in item.speakers],
                }
                for item in items
            ]
            level = 5 if site or len(day_sites) > 1 else 4
            sites.append(
                {
                    "name": site,
                    "sessions": sessions,
                    "html": rendering.sessions_html(sessions, level),
                }
            )
        days.append(
            {"day": day.day, "label": french_date(day.day) if day.day else "", "sites": sites}
        )
    return days


def _moment_label(moment: datetime.datetime | None) -> str:
    """ "12 octobre 2027 à 12 h" (local time), "" for None."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    day = french_date(local.date()).split(" ", 1)[1]  # without the weekday
    return f"{day} à {french_time(local.time())}"


def _seats_left(event: Event) -> int | None:
    """Places left on site, from the count read with the event (published_event) when
    there is one."""
    if not event.pk or event.capacity is None:
        return event.capacity
    taken = getattr(event, "seats_taken", None)
    return services.seats_left(event) if taken is None else max(event.capacity - taken, 0)


def registration_state(
    event: Event, user: object, now: datetime.datetime | None = None
) -> dict | None:
    """The registration box: None once the event is over; else whether one can register
    now and why not, the price rule, the places left and the modes offered."""
    now = now or timezone.now()
    if event.ends_at and now >= event.ends_at:
        return None
    refusal = services.registration_refusal(event, now) if event.pk else ""
    if not event.pk:  # the preview of an event not saved yet
        refusal = "Aperçu : les inscriptions s'ouvriront une fois l'événement publié."
    seats = _seats_left(event)
    logged_in = bool(getattr(user, "is_authenticated", False))
    member = services.is_member_user(user)
    members_barrier = event.members_only and not member and not refusal
    modes = [
        label
        for mode, label in ParticipationMode.choices
        if {
            ParticipationMode.ON_SITE: event.allows_on_site,
            ParticipationMode.LIVE: event.allows_live,
            ParticipationMode.REPLAY: event.allows_replay,
        }[mode]
    ]
    return {
        "enabled": event.registration_enabled,
        "cancelled": event.is_cancelled,
        "open": not refusal and not members_barrier,
        "refusal": refusal,
        "members_only": event.members_only,
        "needs_login": members_barrier and not logged_in,
        "needs_member_account": members_barrier and logged_in,
        "seats_left": seats,
        "full": seats == 0,
        "price_lines": price_lines(event),
        "member_price": member and bool(event.price),
        "modes": modes,
        "closes_label": _moment_label(event.registration_closes_at),
        "url": slug_path("events:register")(event.slug) if event.slug else "",
    }


def _score(value: float | None) -> str:
    return f"{value:.1f}".replace(".", ",") if value is not None else ""


def _evaluation(
    figures: tuple[int, float | None, float | None, int], quotes: Callable[[], list[str]]
) -> dict | None:
    """The results from (answers, mean satisfaction, mean usefulness, satisfied answers);
    `quotes` reads the quotes, only when there are answers."""
    count, satisfaction, usefulness, satisfied = figures
    if not count:
        return None
    return {
        "count": count,
        "satisfaction": _score(satisfaction),
        "usefulness": _score(usefulness),
        "satisfied_share": round(100 * satisfied / count),
        "quotes": quotes(),
    }


def evaluation_results(event: Event) -> dict | None:
    """The answers to the questionnaire as figures, and the quotes the team chose among
    those their authors allowed; None without answers."""
    if not event.pk:
        return None
    answers = Evaluation.objects.filter(registration__event=event)
    figures = answers.aggregate(
        answer_count=Count("pk"),
        mean_satisfaction=Avg("satisfaction"),
        mean_usefulness=Avg("usefulness"),
        satisfied_count=Count("pk", filter=Q(satisfaction__gte=SATISFIED)),
    )
    return _evaluation(
        tuple(figures.values()),
        lambda: list(
            answers.filter(featured=True, quote_allowed=True)
            .exclude(comment="")
            .order_by("created_at", "pk")
            .values_list("comment", flat=True)
        ),
    )


def _evaluation_read(event_id: int) -> dict | None:
    """evaluation_results in plain SQL."""
    return _evaluation(
        page_reads.evaluation_figures(event_id, SATISFIED),
        lambda: page_reads.evaluation_quotes(event_id),
    )


_DOCUMENT_ROUTES = {
    "dossier": ("kit", "events:kit_pdf"),
    "actes": ("proceedings", "events:proceedings_pdf"),
}


def _document_urls(slug: str, kinds: set[str]) -> dict[str, str]:
    return {
        _DOCUMENT_ROUTES[kind][0]: slug_path(_DOCUMENT_ROUTES[kind][1])(slug)
        for kind in kinds
        if kind in _DOCUMENT_ROUTES
    }


def ready_documents(event: Event) -> dict[str, str]:
    """The addresses of the participant kit and the proceedings whose PDF is ready."""
    if not event.pk or not event.slug:
        return {}
    # The last good file stays served while a new one is made or after a failed attempt.
    kinds = set(
        GeneratedDocument.objects.filter(event=event, generated_at__isnull=False)
        .exclude(file="")
        .values_list("kind", flat=True)
    )
    return _document_urls(event.slug, kinds)


def event_display(
    event: Event,
    user: object,
    preview: bool = False,
    read: "programme.Programme | None" = None,
    with_registration: bool = True,
    relations: Relations | None = None,
) -> dict:
    """What an event's page shows beyond its own fields, for the view and for the admin
    preview (where the event and its programme may not be saved yet). `read`: the programme
    already read (programme_read), else taken from the event's sessions in memory;
    `with_registration` False leaves the registration box out (the view works it out on each
    request); `relations`: relations_read(event), else taken from the event in memory."""
    members_content = preview or may_see_members_content(user)
    relations = relations or relations_of(event)
    read = read or programme.programme_of(event)
    speaker_row = _speaker_rows(read.people, members_content)
    speakers = [speaker_row(speaker) for speaker in read.speakers]
    places = relations.places
    days = _programme_days(read.days, speaker_row)
    start = timezone.localtime(event.starts_at) if event.starts_at else None
    return {
        "kind_label": event.get_kind_display(),
        "dates": event_dates(event),
        "start_day": start.date() if start else None,
        "places": places,
        "location": location_text(event, places),
        "multi_site": len(places) > 1,
        "organisers": relations.organisers,
        "partners": relations.partners,
        "themes": relations.themes,
        "programme": days,
        "programme_html": rendering.programme_html(days),
        "speakers": speakers,
        "speakers_html": rendering.people_html(speakers),
        "linked": relations.linked,
        # The lists, written by rendering.py.
        "sites_html": rendering.site_items_html(places) if len(places) > 1 else "",
        "organisers_html": rendering.link_items_html(
            (row["url"], row["name"], row["role"].lower()) for row in relations.organisers
        ),
        "partners_html": rendering.link_items_html(
            (row["url"], row["name"], "") for row in relations.partners
        ),
        "themes_html": rendering.theme_links_html(
            relations.themes, address_maker("events:agenda")()
        ),
        "linked_html": {
            kind: rendering.link_items_html((item["url"], item["label"], "") for item in items)
            for kind, items in relations.linked.items()
        },
        "members_content": members_content,
        "replay_url": event.replay_url if members_content else "",
        "slides_url": event.slides.url if members_content and event.slides_id else "",
        "has_members_content": bool(event.replay_url or event.slides_id),
        "participants": participants_text(
            event.participant_count, event.participant_count_is_estimate
        ),
        "registration": registration_state(event, user) if with_registration else None,
        "evaluation": relations.evaluation,
        "documents": relations.documents,
        "ical_url": slug_path("events:ical")(event.slug) if event.slug else "",
        "is_past": bool(event.ends_at and event.ends_at < timezone.now()),
        "cancelled_label": _moment_label(event.cancelled_at),
    }


# --- schema.org ------------------------------------------------------------------------------

_SCHEMA = "https://schema.org/"


def _schema_place(place: Place) -> dict:
    address = {"@type": "PostalAddress", "addressCountry": "FR"}
    if place.address:
        address["streetAddress"] = place.address
    if place.locality:
        address["addressLocality"] = place.locality
    if place.postal_code:
        address["postalCode"] = place.postal_code
    return {
        "@type": "Place",
        "name": place.venue or place.name or place.locality,
        "address": address,
    }


def _attendance_mode(event: Event, places: list[Place]) -> str:
    remote = event.online or (event.registration_enabled and event.allows_live)
    if remote and places:
        return f"{_SCHEMA}MixedEventAttendanceMode"
    if remote:
        return f"{_SCHEMA}OnlineEventAttendanceMode"
    return f"{_SCHEMA}OfflineEventAttendanceMode"


def offer_availability(registration: dict | None) -> str:
    if registration is None or not registration["enabled"] or registration["refusal"]:
        return f"{_SCHEMA}OutOfStock"
    seats = registration["seats_left"]
    if seats == 0:
        return f"{_SCHEMA}SoldOut"
    if seats is not None and seats <= FEW_SEATS:
        return f"{_SCHEMA}LimitedAvailability"
    return f"{_SCHEMA}InStock"


def event_json_ld(event: Event, display: dict, base_url: str) -> dict:
    """The event as schema.org's Event, for search engines and agendas (absolute URLs)."""
    base = base_url.rstrip("/")
    page_url = base + slug_path("events:detail")(event.slug)
    places = display["places"]
    locations: list[dict] = [_schema_place(place) for place in places]
    if event.online or not places:
        locations.append({"@type": "VirtualLocation", "url": page_url})
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "url": page_url,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventAttendanceMode": _attendance_mode(event, places),
        "eventStatus": f"{_SCHEMA}EventCancelled"
        if event.is_cancelled
        else f"{_SCHEMA}EventScheduled",
        "location": locations[0] if len(locations) == 1 else locations,
        "isAccessibleForFree": not event.price,
    }
    organisers = display["organisers"]
    if organisers:
        data["organizer"] = [
            {
                "@type": "Organization",
                "name": row["name"],
                **({"url": row["url"]} if row["url"].startswith("http") else {}),
            }
            for row in organisers
        ]
    registration = display["registration"]
    offer = {
        "@type": "Offer",
        "price": f"{event.price:.2f}",
        "priceCurrency": "EUR",
        "availability": offer_availability(registration),
        "url": base + slug_path("events:register")(event.slug),
    }
    if event.registration_opens_at:
        offer["validFrom"] = timezone.localtime(event.registration_opens_at).isoformat()
    data["offers"] = offer
    if display["speakers"]:
        data["performer"] = [
            {
                "@type": "Person",
                "name": row["name"],
                **({"jobTitle": row["title"]} if row["title"] else {}),
            }
            for row in display["speakers"]
        ]
    return data


def json_for_script(data: dict) -> SafeString:
    """JSON safe inside a <script> element: "<", ">" and "&" escaped, so no text of an editor
    or a speaker's name can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Three replacements: str.translate looks every character up in a table.
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(text)  # escaped above


# --- other modules ---------------------------------------------------------------------------


def events_of_authority(authority: object) -> QuerySet[Event]:
    """Published events an authority spoke at, organised, hosted or supported."""
    return (
        Event.objects.published()
        .filter(
            Q(authorities=authority)
            | Q(pk__in=EventOrganiser.objects.filter(authority=authority).values("event_id"))
        )
        .distinct()
        .order_by("-starts_at")
    )


def published_count() -> int:
    return Event.objects.published().held().count()


def kind_counts(found: QuerySet[Event]) -> dict[str, int]:
    """How many of `found` are of each type (one grouped query)."""
    rows = found.order_by().values_list("kind").annotate(total=Count("pk"))
    return dict(rows)


def feed_events(now: datetime.datetime | None = None) -> QuerySet[Event]:
    """The calendar feed: public published events ending from a year ago on, soonest first."""
    now = now or timezone.now()
    return (
        Event.objects.published()
        .filter(audience=Audience.PUBLIC, ends_at__gte=now - datetime.timedelta(days=365))
        .order_by("starts_at", "pk")
    )
