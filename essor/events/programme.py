"""An event's programme as the page, the participant kit and the proceedings show it: days,
sessions in time order (sessions of one site apart from those of all sites), who spoke with the
position they held then, what the workshops produced, and the thanks list.

Read-only, and a fixed number of queries whatever the size of the programme: the PDFs and the
admin preview build it from one prefetched query set (`event_with_programme`, `programme_of`),
the public page from plain rows (`programme_read`), into the same objects.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.utils import timezone

from essor.events import page_reads
from essor.events.models import (
    ContributionRole,
    Event,
    EventSession,
    OutputKind,
    SessionContribution,
    SessionFormat,
)
from essor.members.models import Person, Position

# Roles listed with the moderators rather than with the speakers.
MODERATING_ROLES = frozenset({ContributionRole.MODERATOR, ContributionRole.RAPPORTEUR})


@dataclass(frozen=True)
class Speaker:
    person_id: int
    first_name: str
    last_name: str
    title: str
    role: str
    role_label: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def sort_key(self) -> str:
        """The last name then the first, folded. One string, folded at once: the separator,
        the lowest character, orders it as the pair (last name, first name) would."""
        return _fold(f"{self.last_name}\x00{self.first_name}")


@dataclass
class ProgrammeSession:
    session: EventSession
    day: datetime.date | None
    start: datetime.time | None
    end: datetime.time | None
    site: str
    questions: list[str]
    moderators: list[Speaker] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    key_ideas: list[str] = field(default_factory=list)
    divergent_ideas: list[str] = field(default_factory=list)
    quotes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.session.title

    @property
    def format(self) -> str:
        return self.session.format

    @property
    def format_label(self) -> str:
        return self.session.get_format_display()

    @property
    def summary(self) -> str:
        return self.session.summary

    @property
    def is_break(self) -> bool:
        return self.session.format == SessionFormat.BREAK

    @property
    def has_outputs(self) -> bool:
        return bool(self.key_ideas or self.divergent_ideas or self.quotes)


@dataclass
class ProgrammeDay:
    day: datetime.date | None
    sessions: list[ProgrammeSession]

    @property
    def sites(self) -> list[tuple[str, list[ProgrammeSession]]]:
        """The day's sessions by site, the sessions of all sites first (site "")."""
        ordered = sorted(self.sessions, key=lambda item: item.site != "")
        return [(site, list(items)) for site, items in groupby(ordered, key=lambda s: s.site)]


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold(text: str) -> str:
    """Case and accents dropped: the speakers' sort key."""
    if text.isascii():  # most names: nothing to decompose (NFKD leaves ASCII as it is)
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Only the non-ASCII characters can be combining: when they all are (the accents of
    # French names), one substitution drops them, rather than a test per character.
    others = _NON_ASCII.findall(decomposed)
    if all(unicodedata.combining(char) for char in others):
        return _NON_ASCII.sub("", decomposed) if others else decomposed
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def event_with_programme(queryset=None):
    """Events with everything the programme needs prefetched (sessions, their contributions
    with the people and their positions, their outputs)."""
    positions = Prefetch(
        "person__positions",
        queryset=Position.objects.select_related("authority", "organisation"),
    )
    contributions = Prefetch(
        "contributions",
        queryset=SessionContribution.objects.select_related("person").prefetch_related(positions),
    )
    sessions = Prefetch(
        "sessions",
        queryset=EventSession.objects.prefetch_related(contributions, "outputs"),
    )
    return (queryset if queryset is not None else Event.objects.all()).prefetch_related(sessions)


def position_title_on(person: Person, day: datetime.date) -> str:
    """The title the person held on `day` ("Vice-présidente, Région Bretagne"): the position
    current that day, else the last one that started before it; "" when none is recorded.
    Uses the prefetched positions when there are."""
    return title_on(list(person.positions.all()), day)


def title_on(positions: "list[Position | PositionRow]", day: datetime.date) -> str:
    """position_title_on from a person's positions, in their usual order (latest first)."""
    current = [position for position in positions if position.is_current(day)]
    started = [p for p in positions if p.start_date is None or p.start_date <= day]
    chosen = current or started
    if not chosen:
        return ""
    position = max(chosen, key=lambda p: p.start_date or datetime.date.min)
    return f"{position.title}, {position.body}"


def speaker_of(contribution: SessionContribution, day: datetime.date) -> Speaker:
    person = contribution.person
    return Speaker(
        person_id=person.pk,
        first_name=person.first_name,
        last_name=person.last_name,
        title=contribution.position_title or position_title_on(person, day),
        role=contribution.role,
        role_label=contribution.get_role_display(),
    )


def _event_day(event: Event) -> datetime.date:
    return timezone.localtime(event.starts_at).date() if event.starts_at else timezone.localdate()


def _programme_session(session: EventSession, event_day: datetime.date) -> ProgrammeSession:
    day = session.day or event_day
    item = ProgrammeSession(
        session=session,
        day=day,
        start=session.start_time,
        end=session.end_time,
        site=session.site.strip(),
        questions=session.question_list,
    )
    for contribution in session.contributions.all():
        speaker = speaker_of(contribution, day)
        (item.moderators if contribution.role in MODERATING_ROLES else item.speakers).append(
            speaker
        )
    for output in session.outputs.all():
        _add_output(item, output.kind, output.text, output.attributed_to)
    return item


def _add_output(item: ProgrammeSession, kind: str, text: str, attributed_to: str) -> None:
    if kind == OutputKind.KEY_IDEA:
        item.key_ideas.append(text)
    elif kind == OutputKind.DIVERGENT_IDEA:
        item.divergent_ideas.append(text)
    else:
        item.quotes.append((text, attributed_to))


def _session_order(item: ProgrammeSession) -> tuple:
    return (item.day or datetime.date.min, item.start or datetime.time.min, item.session.sort_order)


def event_programme(event: Event) -> list[ProgrammeDay]:
    """The programme by day, each day's sessions in time order."""
    event_day = _event_day(event)
    items = sorted(
        (_programme_session(session, event_day) for session in event.sessions.all()),
        key=_session_order,
    )
    return [
        ProgrammeDay(day=day, sessions=list(sessions))
        for day, sessions in groupby(items, key=lambda item: item.day)
    ]


def event_speakers(event: Event) -> list[Speaker]:
    """Everyone who spoke or moderated, once each, in alphabetical order of last name: the
    thanks list of the proceedings and the speakers' pages of the kit."""
    event_day = _event_day(event)
    seen: dict[int, Speaker] = {}
    for session in event.sessions.all():
        for contribution in session.contributions.all():
            if contribution.person_id not in seen:
                seen[contribution.person_id] = speaker_of(contribution, session.day or event_day)
    return sorted(seen.values(), key=lambda speaker: speaker.sort_key)


# --- the programme read as rows, for the event's public page ---------------------------------
#
# The page prints the same programme as the PDFs, but building model instances (sessions are
# clusters, each contribution a person with positions) cost it more than its queries: these
# read plain rows in four queries and build the same ProgrammeDay, Speaker objects.


@dataclass(frozen=True)
class SessionRow:
    """What ProgrammeSession reads of a session, from a row."""

    pk: int
    title: str
    format: str
    summary: str
    sort_order: int

    def get_format_display(self) -> str:
        return _SESSION_FORMATS.get(self.format, self.format)


@dataclass(frozen=True)
class PositionRow:
    """What title_on reads of a position, from a row; `body` is the name printed."""

    title: str
    body: str
    start_date: datetime.date | None
    end_date: datetime.date | None

    def is_current(self, on: datetime.date) -> bool:
        return (self.start_date is None or self.start_date <= on) and (
            self.end_date is None or self.end_date >= on
        )


@dataclass(frozen=True)
class PersonRow:
    """What the page prints of a speaker beyond their name: the link and the contacts."""

    slug: str
    email: str
    phone: str


@dataclass
class Programme:
    days: list[ProgrammeDay]
    speakers: list[Speaker]
    people: dict[int, object]  # person id → Person or PersonRow (slug, email, phone)


_SESSION_FORMATS = dict(SessionFormat.choices)
_ROLES = dict(ContributionRole.choices)


def programme_of(event: Event) -> Programme:
    """The programme from the event's sessions in memory (prefetched, or the admin preview's
    unsaved ones)."""
    people = {
        contribution.person_id: contribution.person
        for session in event.sessions.all()
        for contribution in session.contributions.all()
    }
    return Programme(event_programme(event), event_speakers(event), people)


def _contributions(rows: list[tuple]) -> tuple[dict[int, list[tuple]], dict[int, list]]:
    """From page_reads.contributions rows: each session's contributions (session_id, role,
    person_id, position_title, first_name, last_name, slug, email, phone) in their order, and
    the positions of each person speaking without a title, latest first (read with their
    first such contribution: the others repeat them)."""
    by_session: dict[int, list[tuple]] = {}
    positions: dict[int, list[PositionRow]] = {}
    positions_from: dict[int, int] = {}  # person id → the contribution giving their positions
    last = None
    for row in rows:
        contribution_id, contribution, position_id = row[0], row[1:10], row[10]
        if contribution_id != last:
            last = contribution_id
            by_session.setdefault(contribution[0], []).append(contribution)
        if position_id is None:
            continue
        person_id = contribution[2]
        if positions_from.setdefault(person_id, contribution_id) == contribution_id:
            positions.setdefault(person_id, []).append(_position(*row[11:]))
    return by_session, positions


def _position(
    title: str,
    start: datetime.date | None,
    end: datetime.date | None,
    authority: str | None,
    organisation: str | None,
    acronym: str | None,
) -> PositionRow:
    body = authority if authority is not None else organisation
    if authority is None and organisation is not None and acronym:
        body = f"{organisation} ({acronym})"  # as Organisation.__str__
    return PositionRow(title, body or "None", start, end)


def programme_read(event: Event) -> Programme:
    """The programme of a saved event read as rows: three queries (one without sessions),
    whatever its size."""
    event_day = _event_day(event)
    sessions = page_reads.sessions(event.pk)
    by_session, positions = _contributions(page_reads.contributions(event.pk) if sessions else [])
    outputs = page_reads.outputs(event.pk) if sessions else ()
    items, seen, people = [], {}, {}
    by_pk = {}
    for pk, title, format, summary, order, day, start, end, site, questions in sessions:
        day = day or event_day
        item = ProgrammeSession(
            session=SessionRow(pk, title, format, summary, order),
            day=day,
            start=start,
            end=end,
            site=site.strip(),
            questions=[line.strip() for line in questions.splitlines() if line.strip()],
        )
        for _, role, person_id, given, first, last, slug, email, phone in by_session.get(pk, ()):
            speaker = Speaker(
                person_id=person_id,
                first_name=first,
                last_name=last,
                title=given or title_on(positions.get(person_id, []), day),
                role=role,
                role_label=_ROLES.get(role, role),
            )
            (item.moderators if role in MODERATING_ROLES else item.speakers).append(speaker)
            seen.setdefault(person_id, speaker)  # the first contribution, as event_speakers
            people.setdefault(person_id, PersonRow(slug, email, phone))
        items.append(item)
        by_pk[pk] = item
    for session_id, kind, text, attributed_to in outputs:
        _add_output(by_pk[session_id], kind, text, attributed_to)
    items.sort(key=_session_order)
    days = [
        ProgrammeDay(day=day, sessions=list(group))
        for day, group in groupby(items, key=lambda item: item.day)
    ]
    speakers = sorted(seen.values(), key=lambda speaker: speaker.sort_key)
    return Programme(days, speakers, people)
