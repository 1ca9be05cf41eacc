"""What the events' public pages read, in plain SQL: building a query with the ORM cost these
pages 0.3 to 1 ms of Python each, more than running it, and they run a dozen.

Every statement here is fixed text with parameters (the filters choose among fixed fragments,
never put request data in the text), standard SQL that runs on SQLite and PostgreSQL. The
values come back as the database gives them: `aware`, `json_list` and `float_or_none` make
them what the ORM would have given. Tests compare each reader with the ORM reads it replaced
(tests/test_page_reads.py).
"""

import datetime
import json
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection

from essor.events.models import Event, ParticipationMode, RegistrationStatus


def fetch(sql: str, params: Sequence[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A datetime read in plain SQL: SQLite gives it naive, in UTC."""
    if moment is None or moment.tzinfo is not None:  # PostgreSQL's are aware
        return moment
    return moment.replace(tzinfo=datetime.UTC)


def json_list(value: object) -> list:
    """A JSON list column: both databases give it back as text (Django turns the parsing off)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def float_or_none(value: object) -> float | None:
    """An average: PostgreSQL gives a Decimal, SQLite a float; the ORM gives a float."""
    return None if value is None else float(value)


# --- one event -------------------------------------------------------------------------------

# The event's whole row (a model instance: the page, its templates and the registration rules
# read its fields and methods), its commune, and the places on site taken. The columns in the
# model's order, as Model.from_db takes them; Event.objects.raw cost four times the query.
_EVENT_FIELDS = Event._meta.concrete_fields
_PUBLISHED_EVENT = (
    "SELECT "  # noqa: S608 (the model's columns, no input)
    + ", ".join(f"event.{field.column}" for field in _EVENT_FIELDS)
    + ", commune.name, commune.postal_codes,"
    " (SELECT COUNT(*) FROM events_registration registration"
    " WHERE registration.event_id = event.id AND registration.status = %s"
    " AND registration.mode = %s)"
    " FROM events_event event"
    " LEFT JOIN territories_territory commune ON commune.id = event.commune_id"
    " WHERE event.slug = %s AND event.live"
)
# Per database vendor, each column's converters, as the ORM applies them (aware datetimes,
# decimals, booleans on SQLite): they only depend on the model.
_event_converters: dict[str, list[tuple]] = {}


def _converters() -> list[tuple]:
    found = _event_converters.get(connection.vendor)
    if found is None:
        found = []
        for field in _EVENT_FIELDS:
            column = field.get_col(Event._meta.db_table)
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            found.append((column, functions))
        _event_converters[connection.vendor] = found
    return found


def published_event(slug: str) -> Event | None:
    """A published event's row (one query), with `commune_name`, `commune_codes` (its
    commune's name and postal codes, "" and [] without one) and `seats_taken` (registrations
    holding a place on site)."""
    params = [RegistrationStatus.CONFIRMED, ParticipationMode.ON_SITE, slug]
    rows = fetch(_PUBLISHED_EVENT, params)
    if not rows:
        return None
    *values, commune_name, commune_codes, seats_taken = rows[0]
    for index, (column, functions) in enumerate(_converters()):
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    event = Event.from_db(connection.alias, None, values)
    event.commune_name, event.commune_codes = commune_name or "", json_list(commune_codes)
    event.seats_taken = seats_taken
    return event


# The programme: sessions, who speaks in them (with the positions of those whose title is not
# given for the session), what the sessions produced. Each in the order of the admin's inlines.
_SESSIONS = (
    "SELECT id, title, format, summary, sort_order, day, start_time, end_time, site, questions"
    " FROM events_eventsession WHERE event_id = %s ORDER BY sort_order, id"
)
# A contribution without a title for the session comes once per position of its person (in
# members' Position ordering, latest first; the body as Organisation.__str__ prints it), with
# NULL positions when there is none or a title is given: one statement rather than a second
# one walking the contributions again (each statement is compiled, and reads its tables'
# pages, anew on every request's connection).
_CONTRIBUTIONS = (
    "SELECT contribution.id, contribution.session_id, contribution.role,"
    " contribution.person_id, contribution.position_title, person.first_name,"
    " person.last_name, person.slug, person.email, person.phone,"
    " position.id, position.title, position.start_date, position.end_date, authority.name,"
    " organisation.name, organisation.acronym"
    " FROM events_sessioncontribution contribution"
    " INNER JOIN events_eventsession session ON session.id = contribution.session_id"
    " INNER JOIN members_person person ON person.id = contribution.person_id"
    " LEFT JOIN members_position position ON position.person_id = contribution.person_id"
    " AND contribution.position_title = ''"
    " LEFT JOIN members_authority authority ON authority.id = position.authority_id"
    " LEFT JOIN members_organisation organisation ON organisation.id = position.organisation_id"
    " WHERE session.event_id = %s ORDER BY contribution.sort_order, contribution.id,"
    " position.start_date DESC, position.title, position.id"
)
_OUTPUTS = (
    "SELECT output.session_id, output.kind, output.text, output.attributed_to"
    " FROM events_sessionoutput output"
    " INNER JOIN events_eventsession session ON session.id = output.session_id"
    " WHERE session.event_id = %s ORDER BY output.sort_order, output.id"
)


def sessions(event_id: int) -> list[tuple]:
    """(id, title, format, summary, sort_order, day, start_time, end_time, site, questions)"""
    return fetch(_SESSIONS, [event_id])


def contributions(event_id: int) -> list[tuple]:
    """(id, session_id, role, person_id, position_title, first_name, last_name, slug, email,
    phone, then the position's id, title, start_date, end_date, authority name, organisation
    name, organisation acronym — all None without one): a row per position of an untitled
    contribution's person."""
    return fetch(_CONTRIBUTIONS, [event_id])


def outputs(event_id: int) -> list[tuple]:
    """(session_id, kind, text, attributed_to)"""
    return fetch(_OUTPUTS, [event_id])


# What the page's head and its "further" section print of the event's relations.
_ORGANISERS = (
    "SELECT line.role, line.name, line.organisation_id, organisation.name,"
    " organisation.acronym, organisation.website, line.authority_id, authority.name,"
    " authority.slug"
    " FROM events_eventorganiser line"
    " LEFT JOIN members_organisation organisation ON organisation.id = line.organisation_id"
    " LEFT JOIN members_authority authority ON authority.id = line.authority_id"
    " WHERE line.event_id = %s ORDER BY line.sort_order, line.id"
)
# Themes, the published initiatives, sheets and publications, the authorities and the PDFs
# ready: one list, each row tagged with what it is. Publications in their own order (latest
# first, then by title), themes by name; the others are sorted by the caller. The first part
# gives the columns' types (PostgreSQL takes untyped NULLs for text).
_LINKS = (
    "SELECT 'theme', theme.name, theme.slug, CAST(NULL AS INTEGER), CAST(NULL AS DATE)"
    " FROM core_theme theme"
    " INNER JOIN events_event_themes line ON line.theme_id = theme.id WHERE line.event_id = %s"
    " UNION ALL SELECT 'initiative', initiative.name, initiative.slug, NULL, NULL"
    " FROM initiatives_initiative initiative INNER JOIN events_event_initiatives line"
    " ON line.initiative_id = initiative.id WHERE line.event_id = %s AND initiative.live"
    " UNION ALL SELECT 'sheet', sheet.title, sheet.slug, sheet.number, NULL"
    " FROM initiatives_practicesheet sheet INNER JOIN events_event_practice_sheets line"
    " ON line.practicesheet_id = sheet.id WHERE line.event_id = %s AND sheet.live"
    " UNION ALL SELECT 'publication', publication.title, publication.slug, NULL, publication.date"
    " FROM library_publication publication INNER JOIN events_event_publications line"
    " ON line.publication_id = publication.id WHERE line.event_id = %s AND publication.live"
    " UNION ALL SELECT 'authority', authority.name, authority.slug, NULL, NULL"
    " FROM members_authority authority INNER JOIN events_event_authorities line"
    " ON line.authority_id = authority.id WHERE line.event_id = %s"
    " UNION ALL SELECT 'document', document.kind, NULL, NULL, NULL"
    " FROM events_generateddocument document WHERE document.event_id = %s"
    " AND document.generated_at IS NOT NULL AND document.file <> ''"
    " ORDER BY 1, 5 DESC, 2"
)
LINK_KINDS = ("theme", "initiative", "sheet", "publication", "authority", "document")


def organisers(event_id: int) -> list[tuple]:
    """(role, name, organisation id, name, acronym, website, authority id, name, slug)"""
    return fetch(_ORGANISERS, [event_id])


def links(event_id: int) -> dict[str, list[tuple]]:
    """Per kind of LINK_KINDS, its rows (label, slug, number): the name and slug of a theme,
    a published initiative or publication, an authority; a published sheet's title, slug and
    number; the kind of a generated document ready to download."""
    found: dict[str, list[tuple]] = {kind: [] for kind in LINK_KINDS}
    for kind, label, slug, number, _date in fetch(_LINKS, [event_id] * len(LINK_KINDS)):
        found[kind].append((label, slug, number))
    return found


# The answers to the questionnaire, as figures; the quotes chosen, read when there are answers.
_EVALUATION_FIGURES = (
    "SELECT COUNT(answer.id), AVG(answer.satisfaction), AVG(answer.usefulness),"
    " COUNT(CASE WHEN answer.satisfaction >= %s THEN 1 END)"
    " FROM events_evaluation answer"
    " INNER JOIN events_registration registration ON registration.id = answer.registration_id"
    " WHERE registration.event_id = %s"
)
_EVALUATION_QUOTES = (
    "SELECT answer.comment FROM events_evaluation answer"
    " INNER JOIN events_registration registration ON registration.id = answer.registration_id"
    " WHERE registration.event_id = %s AND answer.featured AND answer.quote_allowed"
    " AND answer.comment <> '' ORDER BY answer.created_at, answer.id"
)


def evaluation_figures(
    event_id: int, satisfied: int
) -> tuple[int, float | None, float | None, int]:
    """(answers, mean satisfaction, mean usefulness, answers of `satisfied` or more)"""
    count, satisfaction, usefulness, satisfied_count = fetch(
        _EVALUATION_FIGURES, [satisfied, event_id]
    )[0]
    return count, float_or_none(satisfaction), float_or_none(usefulness), satisfied_count or 0


def evaluation_quotes(event_id: int) -> list[str]:
    return [comment for (comment,) in fetch(_EVALUATION_QUOTES, [event_id])]


# --- the agenda and the past events ----------------------------------------------------------

# The filters of the lists, each a fixed condition on `event` taking one or two parameters.
_KIND = " AND event.kind = %s"
_THEME = (
    " AND event.id IN (SELECT line.event_id FROM events_event_themes line"
    " INNER JOIN core_theme theme ON theme.id = line.theme_id WHERE theme.slug = %s)"
)
_AUDIENCE = " AND event.audience = %s"
_STARTED_WITHIN = " AND event.starts_at >= %s AND event.starts_at < %s"
# Published written as an equality: SQLite's planner then uses the indexes starting with
# `live`, (live, ends_at) for upcoming events and (live, starts_at) for past ones.
_UPCOMING = "event.live = %s AND event.ends_at >= %s"
_ENDED = "event.live = %s AND event.ends_at < %s"
# For a page of past events, "started before now", implied by "ended before now" (an event
# cannot end before it starts, see Event.clean), lets SQLite walk (live, starts_at) in the
# page's order.
_PAST = "event.live = %s AND event.starts_at < %s AND event.ends_at < %s"


class Filters(NamedTuple):
    """Conditions on `event` to AND, their parameters, and the end of the period of the start
    asked for (None without one)."""

    sql: str
    params: list
    started_before: datetime.datetime | None = None


def _moment(moment: datetime.datetime) -> object:
    """A datetime parameter as the ORM passes it (SQLite stores naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def filters_sql(
    kind: str = "",
    theme: str = "",
    audience: str = "",
    started: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> Filters:
    """The lists' filters (the type, a theme's slug, the audience, a period of the start)."""
    sql, params = "", []
    for fragment, values in (
        (_KIND, [kind] if kind else None),
        (_THEME, [theme] if theme else None),
        (_AUDIENCE, [audience] if audience else None),
        (_STARTED_WITHIN, [_moment(bound) for bound in started] if started else None),
    ):
        if values:
            sql += fragment
            params += values
    return Filters(sql, params, started[1] if started else None)


def kind_counts(now: datetime.datetime, filters: Filters) -> dict[str, int]:
    """How many upcoming published events of each type match the filters."""
    sql = (
        "SELECT event.kind, COUNT(*) FROM events_event event"  # noqa: S608 (fixed fragments)
        f" WHERE {_UPCOMING}{filters.sql} GROUP BY event.kind"
    )
    return dict(fetch(sql, [True, _moment(now), *filters.params]))


# Every past event by year: the totals kept per year (year_counts.py) minus the published
# events not over yet. `+start_year` keeps SQLite on the index on the end, whose range holds
# the few events not over, rather than walking every event in the year's index.
_ALL_PAST_YEARS = (
    "SELECT total.year,"  # noqa: S608 (fixed fragments)
    " total.events - COALESCE(waiting.events, 0),"
    " total.participants - COALESCE(waiting.participants, 0)"
    " FROM events_eventyear total LEFT JOIN (SELECT +event.start_year AS year,"
    " COUNT(*) AS events, SUM(event.participant_count) AS participants"
    f" FROM events_event event WHERE {_UPCOMING} GROUP BY +event.start_year) waiting"
    " ON waiting.year = total.year"
    " WHERE total.events > COALESCE(waiting.events, 0) ORDER BY total.year DESC"
)


def all_year_counts(now: datetime.datetime) -> list[tuple[int, int, int]]:
    """year_counts without filters, from the totals per year."""
    return fetch(_ALL_PAST_YEARS, [True, _moment(now)])


def year_counts(now: datetime.datetime, filters: Filters) -> list[tuple[int, int, int]]:
    """Per local year of the start, latest first, the published events ended that match the
    filters: (year, events, participants counted)."""
    # Grouped on the stored local year, read with the end and the count from one index
    # (live, start_year, ends_at, participant_count) when no other filter applies.
    sql = (
        "SELECT event.start_year, COUNT(*), SUM(event.participant_count)"  # noqa: S608
        f" FROM events_event event WHERE {_ENDED}{filters.sql}"
        " GROUP BY event.start_year ORDER BY event.start_year DESC"
    )
    rows = fetch(sql, [True, _moment(now), *filters.params])
    return [(year, count, total or 0) for year, count, total in rows]


# The model fields the cards read (and registration_refusal): not the texts, not the workflow.
CARD_FIELDS = (
    "title",
    "slug",
    "summary",
    "kind",
    "starts_at",
    "ends_at",
    "online",
    "venue",
    "address",
    "commune",
    "audience",
    "live",
    "registration_enabled",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "participant_count",
    "participant_count_is_estimate",
    "cancelled_at",
)
# What the cards print of an event, in the order card_rows selects it (named as
# selectors.event_cards reads them), with the places taken and whether it has sites.
CARD_COLUMNS = (
    "pk",
    *(field for field in CARD_FIELDS if field != "commune"),
    "commune_id",
    "commune__name",
    "commune__postal_codes",
    "seats_taken",
    "has_sites",
)
_DATETIMES = (
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "cancelled_at",
)
_CARDS = (
    "SELECT event.id, event.title, event.slug, event.summary, event.kind, event.starts_at,"
    " event.ends_at, event.online, event.venue, event.address, event.audience, event.live,"
    " event.registration_enabled, event.registration_opens_at, event.registration_closes_at,"
    " event.capacity, event.participant_count, event.participant_count_is_estimate,"
    " event.cancelled_at, event.commune_id, commune.name, commune.postal_codes,"
    " (SELECT COUNT(*) FROM events_registration registration"
    " WHERE registration.event_id = event.id AND registration.status = %s"
    " AND registration.mode = %s),"
    " CASE WHEN EXISTS (SELECT 1 FROM events_eventsite site WHERE site.event_id = event.id)"
    " THEN 1 ELSE 0 END"
    " FROM events_event event"
    " LEFT JOIN territories_territory commune ON commune.id = event.commune_id"
)
_SOONEST_FIRST = " ORDER BY event.starts_at, event.id"
_LATEST_FIRST = " ORDER BY event.starts_at DESC, event.id DESC"


def card_rows(
    now: datetime.datetime, past: bool, filters: Filters, offset: int, limit: int
) -> list[dict]:
    """A page of the upcoming published events matching the filters, the soonest first, or
    of the past ones (`past`), the latest first: dicts of CARD_COLUMNS."""
    seats = [RegistrationStatus.CONFIRMED, ParticipationMode.ON_SITE]
    if past:
        # One bound on the start from above, the lower of now and the period's end: with two,
        # SQLite may walk the index down from now through the years after the period.
        before = min(now, filters.started_before or now)
        sql = f"{_CARDS} WHERE {_PAST}{filters.sql}{_LATEST_FIRST} LIMIT %s OFFSET %s"
        params = [*seats, True, _moment(before), _moment(now), *filters.params, limit, offset]
    else:
        # The page's events chosen from the index on the end alone, then their cards: sorted
        # with their cards, every upcoming event's places and sites would be read.
        sql = (
            f"{_CARDS} WHERE event.id IN (SELECT event.id FROM events_event event"  # noqa: S608
            f" WHERE {_UPCOMING}{filters.sql}{_SOONEST_FIRST} LIMIT %s OFFSET %s){_SOONEST_FIRST}"
        )
        params = [*seats, True, _moment(now), *filters.params, limit, offset]
    rows = []
    for values in fetch(sql, params):
        row = dict(zip(CARD_COLUMNS, values, strict=True))
        for name in _DATETIMES:
            row[name] = aware(row[name])
        if row["commune__postal_codes"] is not None:  # None without a commune, as the ORM
            row["commune__postal_codes"] = json_list(row["commune__postal_codes"])
        row["has_sites"] = bool(row["has_sites"])
        rows.append(row)
    return rows


def sites_of(event_ids: list[int]) -> list[tuple]:
    """The sites of these events, in order: (event id, name, venue, address, commune name,
    postal codes as a list, participant count)."""
    marks = ", ".join(["%s"] * len(event_ids))
    sql = (
        "SELECT site.event_id, site.name, site.venue, site.address, commune.name,"  # noqa: S608
        " commune.postal_codes, site.participant_count FROM events_eventsite site"
        " LEFT JOIN territories_territory commune ON commune.id = site.commune_id"
        f" WHERE site.event_id IN ({marks}) ORDER BY site.sort_order, site.id"
    )
    return [(*row[:5], json_list(row[5]), row[6]) for row in fetch(sql, event_ids)]


_THEMES_IN_USE = (
    "SELECT theme.slug, theme.name FROM core_theme theme WHERE EXISTS (SELECT 1"
    " FROM events_event_themes line INNER JOIN events_event event ON event.id = line.event_id"
    " WHERE line.theme_id = theme.id AND event.live)"
)


def themes_in_use() -> list[tuple[str, str]]:
    """(slug, name) of the themes of published events."""
    return fetch(_THEMES_IN_USE, [])
