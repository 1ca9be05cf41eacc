"""An event's programme as the page, the participant kit and the proceedings show it: days,
sessions in time order (sessions of one site apart from those of all sites), who spoke with the
position they held then, what the workshops produced, and the thanks list.

Read-only and built from one prefetched query set, so the page and the PDFs cost the same few
queries whatever the size of the programme.
"""

import datetime
import unicodedata
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.utils import timezone

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
    def sort_key(self) -> tuple[str, str]:
        return (_fold(self.last_name), _fold(self.first_name))


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


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
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
    positions = list(person.positions.all())
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
        if output.kind == OutputKind.KEY_IDEA:
            item.key_ideas.append(output.text)
        elif output.kind == OutputKind.DIVERGENT_IDEA:
            item.divergent_ideas.append(output.text)
        else:
            item.quotes.append((output.text, output.attributed_to))
    return item


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
