"""Demo events (data/events.toml): the network's meetings, training days and online conferences
of 2013, 2014 and 2017 from the documents' facts in our own words, and one fictitious upcoming
training day to try registration on, published through the initiatives module's service.

Every load is an upsert keyed by slug. An event is written, with a new revision and history
entry, only when the file says something the published event does not; its organisers, sites
and programme are replaced only when they differ. Every reference is resolved before anything
is written: a dangling one raises DemoDataError and the load writes nothing."""

import datetime
import html
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from essor.core.editorial import content_publish
from essor.core.models import Theme
from essor.demo.services import DATA_DIR, DemoDataError, source_label
from essor.events.models import (
    Event,
    EventOrganiser,
    EventSession,
    EventSite,
    OutputKind,
    SessionContribution,
    SessionOutput,
)
from essor.initiatives.models import Initiative, PracticeSheet
from essor.members.models import Authority, Organisation, Person
from essor.territories.models import Territory
from essor.territories.selectors import territory_by_code

PARIS = ZoneInfo("Europe/Paris")
# The events module's summary is shown in the agenda; its form limits it to this length.
SUMMARY_LENGTH = Event._meta.get_field("summary").max_length


@dataclass
class EventsReport:
    events: int = 0
    sessions: int = 0
    upcoming: int = 0
    written: int = 0  # events created or updated by this load


def _read(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def events_demo_load() -> EventsReport:
    """Publish the demo events, after the network (people, authorities, organisations, themes)
    and the initiatives and practice sheets are loaded. Raises DemoDataError on a dangling
    reference, writing nothing."""
    references = _References()
    plans = [_plan(row, references) for row in _read("events.toml")["event"]]
    slugs = [plan.slug for plan in plans]
    if len(set(slugs)) != len(slugs):
        raise DemoDataError("events.toml : deux événements ont le même slug")
    report = EventsReport()
    now = timezone.now()
    for plan in plans:
        report.written += _upsert(plan)
        report.events += 1
        report.sessions += len(plan.sessions)
        report.upcoming += plan.fields["ends_at"] >= now
    return report


# ------------------------------------------------------------------ references


class _References:
    """The records the file names, looked up once each; anything unknown is a DemoDataError
    saying which file entry to fix."""

    def __init__(self) -> None:
        self.people_names = {
            f"{row['first_name']} {row['last_name']}": (row["first_name"], row["last_name"])
            for row in _read("people.toml")["person"]
        }
        self.authority_kinds = {
            row["code"]: row["kind"] for row in _read("authorities.toml")["authority"]
        }
        self._people = {
            (person.first_name.casefold(), person.last_name.casefold()): person
            for person in Person.objects.all()
        }
        self._cache: dict[tuple[str, object], object] = {}

    def _cached(self, kind: str, key: object, find) -> object:
        if (kind, key) not in self._cache:
            self._cache[kind, key] = find()
        return self._cache[kind, key]

    def person(self, name: str, where: str) -> Person:
        if name not in self.people_names:
            raise DemoDataError(f"{where} : personne {name!r} absente de people.toml")
        first, last = self.people_names[name]
        person = self._people.get((first.casefold(), last.casefold()))
        if person is None:
            raise DemoDataError(f"{where} : {name} n'est pas chargée (chargez d'abord le réseau)")
        return person

    def authority(self, code: str, where: str) -> Authority:
        if code not in self.authority_kinds:
            raise DemoDataError(f"{where} : collectivité {code!r} absente de authorities.toml")
        kind = self.authority_kinds[code]
        authority = self._cached(
            "authority",
            code,
            lambda: Authority.objects.filter(territory__kind=kind, territory__code=code).first(),
        )
        if authority is None:
            raise DemoDataError(f"{where} : collectivité {code} non chargée")
        return authority

    def commune(self, code: str, where: str) -> Territory:
        commune = self._cached("commune", code, lambda: territory_by_code("commune", code))
        if commune is None:
            raise DemoDataError(f"{where} : commune {code!r} absente du référentiel")
        return commune

    def organisation(self, key: str, where: str) -> Organisation:
        found = self._cached(
            "organisation", key, lambda: Organisation.objects.filter(slug=key).first()
        )
        if found is None:
            raise DemoDataError(f"{where} : organisation {key!r} absente de organisations.toml")
        return found

    def theme(self, name: str, where: str) -> Theme:
        found = self._cached("theme", name, lambda: Theme.objects.filter(name=name).first())
        if found is None:
            raise DemoDataError(f"{where} : thème {name!r} absent de themes.toml")
        return found

    def initiative(self, slug: str, where: str) -> Initiative:
        found = self._cached(
            "initiative", slug, lambda: Initiative.objects.filter(slug=slug).first()
        )
        if found is None:
            raise DemoDataError(f"{where} : initiative {slug!r} absente de initiatives.toml")
        return found

    def sheet(self, number: int, where: str) -> PracticeSheet:
        found = self._cached(
            "sheet", number, lambda: PracticeSheet.objects.filter(number=number).first()
        )
        if found is None:
            raise DemoDataError(f"{where} : fiche n° {number} absente de practice_sheets.toml")
        return found


# ------------------------------------------------------------------------- plan


@dataclass
class _Plan:
    """What the file says of one event: its fields, its links (sorted primary keys), and its
    child lines both as unsaved objects (to write) and as comparable tuples (to compare)."""

    slug: str
    where: str
    fields: dict
    links: dict[str, list[int]]
    organisers: list[EventOrganiser] = field(default_factory=list)
    sites: list[EventSite] = field(default_factory=list)
    sessions: list[EventSession] = field(default_factory=list)
    lines: dict[str, list[tuple]] = field(default_factory=dict)


def _aware(value: object, where: str) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        raise DemoDataError(f"{where} : {value!r} n'est pas une date et heure")
    return value if timezone.is_aware(value) else timezone.make_aware(value, PARIS)


def _description(row: dict) -> str:
    paragraphs = [text.strip() for text in row.get("description", "").split("\n\n")]
    if row["seeds"]:
        titles = " ; ".join(source_label(seed) for seed in row["seeds"])
        paragraphs.append(
            f"Données de démonstration tirées de : {titles}. Faits repris du document, "
            "texte rédigé pour Essor."
        )
    return "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs if text)


def _fields(row: dict, references: _References, where: str) -> dict:
    summary = " ".join(row["summary"].split())
    if len(summary) > SUMMARY_LENGTH:
        raise DemoDataError(f"{where} : résumé de plus de {SUMMARY_LENGTH} caractères")
    commune = references.commune(row["commune"], where) if row.get("commune") else None
    return {
        "title": row["title"],
        "kind": row["kind"],
        "summary": summary,
        "description": _description(row),
        "starts_at": _aware(row["starts_at"], where),
        "ends_at": _aware(row["ends_at"], where),
        "online": row.get("online", False),
        "venue": row.get("venue", ""),
        "address": row.get("address", ""),
        "commune_id": commune.pk if commune else None,
        "online_url": "",
        "audience": row.get("audience", "public"),
        "registration_enabled": row.get("registration_enabled", False),
        "registration_opens_at": _aware(row.get("registration_opens_at"), where),
        "registration_closes_at": _aware(row.get("registration_closes_at"), where),
        "capacity": row.get("capacity"),
        "allows_on_site": row.get("allows_on_site", True),
        "allows_live": row.get("allows_live", False),
        "allows_replay": row.get("allows_replay", False),
        "price": Decimal(str(row.get("price", 0))),
        "participant_count": row.get("participant_count"),
        "participant_count_is_estimate": row.get("participant_count_is_estimate", False),
        "replay_url": "",  # the documents give none that could be linked for good
    }


def _links(row: dict, references: _References, where: str) -> dict[str, list[int]]:
    return {
        "themes": sorted(references.theme(name, where).pk for name in row.get("themes", [])),
        "initiatives": sorted(
            references.initiative(slug, where).pk for slug in row.get("initiatives", [])
        ),
        "practice_sheets": sorted(
            references.sheet(number, where).pk for number in row.get("practice_sheets", [])
        ),
        "authorities": sorted(
            {references.authority(code, where).pk for code in row.get("authorities", [])}
        ),
    }


def _checked(item: object, exclude: list[str], where: str) -> object:
    try:
        item.full_clean(exclude=exclude)
    except ValidationError as error:
        raise DemoDataError(f"{where} : {' '.join(error.messages)}") from error
    return item


def _organiser(row: dict, index: int, references: _References, where: str) -> EventOrganiser:
    organisation = authority = None
    if row.get("organisation"):
        organisation = references.organisation(row["organisation"], where)
    if row.get("authority"):
        authority = references.authority(row["authority"], where)
    organiser = EventOrganiser(
        role=row.get("role", "organisateur"),
        organisation=organisation,
        authority=authority,
        name=row.get("name", ""),
        sort_order=index,
    )
    return _checked(organiser, ["event"], where)


def _site(row: dict, index: int, references: _References, where: str) -> EventSite:
    commune = references.commune(row["commune"], where) if row.get("commune") else None
    site = EventSite(
        name=row["name"],
        venue=row.get("venue", ""),
        address=row.get("address", ""),
        commune=commune,
        participant_count=row.get("participant_count"),
        sort_order=index,
    )
    return _checked(site, ["event"], where)


def _session(
    row: dict, index: int, site_names: set[str], references: _References, where: str
) -> EventSession:
    where = f"{where}, séance « {row['title']} »"
    if row.get("site", "") not in site_names:
        raise DemoDataError(f"{where} : site {row['site']!r} absent des sites de l'événement")
    session = EventSession(
        title=row["title"],
        format=row["format"],
        day=row.get("day"),
        start_time=row.get("start"),
        end_time=row.get("end"),
        site=row.get("site", ""),
        questions="\n".join(row.get("questions", [])),
        summary=" ".join(row.get("summary", "").split()),
        sort_order=index,
    )
    _checked(session, ["event"], where)
    session.contributions = [
        _checked(
            SessionContribution(
                role=line.get("role", "intervenant"),
                person=references.person(line["person"], where),
                position_title=line.get("position", ""),
                sort_order=number,
            ),
            ["session"],
            where,
        )
        for number, line in enumerate(row.get("contribution", []))
    ]
    outputs = [(OutputKind.KEY_IDEA, text) for text in row.get("key_ideas", [])] + [
        (OutputKind.DIVERGENT_IDEA, text) for text in row.get("divergent_ideas", [])
    ]
    session.outputs = [
        _checked(SessionOutput(kind=kind, text=text, sort_order=number), ["session"], where)
        for number, (kind, text) in enumerate(outputs)
    ]
    return session


def _plan(row: dict, references: _References) -> _Plan:
    where = f"events.toml, {row.get('slug') or row.get('title')}"
    if not row.get("slug"):
        raise DemoDataError(f"{where} : slug manquant (clé de l'événement)")
    plan = _Plan(
        slug=row["slug"],
        where=where,
        fields=_fields(row, references, where),
        links=_links(row, references, where),
    )
    plan.organisers = [
        _organiser(line, index, references, where)
        for index, line in enumerate(row.get("organiser", []))
    ]
    plan.sites = [
        _site(line, index, references, where) for index, line in enumerate(row.get("site", []))
    ]
    site_names = {"", *(site.name for site in plan.sites)}
    plan.sessions = [
        _session(line, index, site_names, references, where)
        for index, line in enumerate(row.get("session", []))
    ]
    plan.lines = {
        "organisers": [_organiser_line(item) for item in plan.organisers],
        "sites": [_site_line(item) for item in plan.sites],
        "sessions": [
            _session_line(
                item,
                [_contribution_line(line) for line in item.contributions.all()],
                [_output_line(line) for line in item.outputs.all()],
            )
            for item in plan.sessions
        ],
    }
    return plan


# ------------------------------------------------------------ comparable lines


def _organiser_line(item: EventOrganiser) -> tuple:
    return (item.role, item.organisation_id, item.authority_id, item.name)


def _site_line(item: EventSite) -> tuple:
    return (item.name, item.venue, item.address, item.commune_id, item.participant_count)


def _contribution_line(item: SessionContribution) -> tuple:
    return (item.role, item.person_id, item.position_title)


def _output_line(item: SessionOutput) -> tuple:
    return (item.kind, item.text, item.attributed_to)


def _session_line(item: EventSession, contributions: list, outputs: list) -> tuple:
    return (
        item.title,
        item.format,
        item.day,
        item.start_time,
        item.end_time,
        item.site,
        item.questions,
        item.summary,
        tuple(contributions),
        tuple(outputs),
    )


def _current_lines(event: Event) -> dict[str, list[tuple]]:
    """The event's child lines as stored, in the same shape as the plan's (three queries for
    the whole programme)."""
    sessions = list(EventSession.objects.filter(event=event).order_by("sort_order", "pk"))
    contributions: dict[int, list] = {session.pk: [] for session in sessions}
    for line in SessionContribution.objects.filter(session__event=event).order_by(
        "sort_order", "pk"
    ):
        contributions[line.session_id].append(_contribution_line(line))
    outputs: dict[int, list] = {session.pk: [] for session in sessions}
    for line in SessionOutput.objects.filter(session__event=event).order_by("sort_order", "pk"):
        outputs[line.session_id].append(_output_line(line))
    return {
        "organisers": [
            _organiser_line(item)
            for item in EventOrganiser.objects.filter(event=event).order_by("sort_order", "pk")
        ],
        "sites": [
            _site_line(item)
            for item in EventSite.objects.filter(event=event).order_by("sort_order", "pk")
        ],
        "sessions": [
            _session_line(session, contributions[session.pk], outputs[session.pk])
            for session in sessions
        ],
    }


_LINKED = {
    "themes": Theme,
    "initiatives": Initiative,
    "practice_sheets": PracticeSheet,
    "authorities": Authority,
}


def _current_links(event: Event) -> dict[str, list[int]]:
    return {name: sorted(getattr(event, name).values_list("pk", flat=True)) for name in _LINKED}


# ----------------------------------------------------------------------- write


def _upsert(plan: _Plan) -> int:
    """Publish the event when it differs from the file; 1 when written, 0 when left alone."""
    event = Event.objects.filter(slug=plan.slug).first()
    if event is not None:
        same_fields = all(getattr(event, name) == value for name, value in plan.fields.items())
        current = _current_lines(event)
        if (
            event.live
            and not event.has_unpublished_changes
            and same_fields
            and _current_links(event) == plan.links
            and current == plan.lines
        ):
            return 0
    else:
        event, current = Event(slug=plan.slug), {}
    for name, value in plan.fields.items():
        setattr(event, name, value)
    for name, pks in plan.links.items():
        setattr(event, name, list(_LINKED[name].objects.filter(pk__in=pks)))
    # Lines already as the file says keep their rows (and their primary keys).
    for name in ("organisers", "sites", "sessions"):
        if current.get(name) != plan.lines[name]:
            setattr(event, name, getattr(plan, name))
    _checked(event, [], plan.where)
    content_publish(event)
    return 1
