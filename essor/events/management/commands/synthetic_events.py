"""`essor synthetic_events [--count 5000] [--seed 1] [--replace] [--force]`: synthetic published
events for load tests (benchmarks/), never for a demonstration nor a real site.

Tops the database up to the given total of published events, spread over the types, the
themes and the years 2010–2027 (the last ones upcoming, some open for registration), held in
communes of the referential or online. Each has 3 to 12 timed sessions whose speakers are
people already in the database (the synthetic people of `essor synthetic_members` when there
are), organisers and hosts (the synthetic authorities when there are). Written in bulk,
published without revisions (the row is the published version; there is no history to keep
for filler), so no signal fires: the public page cache is made stale once at the end, and the
search index is not updated.

Everything it writes says it is synthetic: titles end in "(synthétique)", summaries,
descriptions and session summaries carry SYNTHETIC_NOTE, addresses are "fictive",
registrations use the reserved .invalid domain. Deterministic for a given seed, starting
database and day. The first one made is complete — four sites, 20 sessions with speakers and
workshop outputs, organisers, hosts and partners, linked initiatives, practice sheets,
publications and ten authorities with a profile sheet, registration open: the page the
benchmarks measure.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from essor.core.caching import public_content_changed
from essor.core.management.synthetic import SyntheticDataCommand
from essor.core.models import Theme
from essor.core.services import theme_get_or_create
from essor.events import year_counts
from essor.events.models import (
    Audience,
    ContributionRole,
    Event,
    EventKind,
    EventOrganiser,
    EventSession,
    EventSite,
    OrganiserRole,
    OutputKind,
    ParticipationMode,
    Registration,
    RegistrationStatus,
    SessionContribution,
    SessionFormat,
    SessionOutput,
    local_year,
)
from essor.initiatives.models import Initiative, PracticeSheet
from essor.library.models import Publication
from essor.members.management.commands.synthetic_members import (
    PERSON_FIRST_NAME,
    PERSON_LAST_NAME,
)
from essor.members.models import Authority, EssBudget, EssFigure, Organisation, Person, PolicyAxis
from essor.territories.models import Territory

SYNTHETIC_NOTE = "Données synthétiques (banc d'essai)"
SUFFIX = " (synthétique)"
SLUG_PREFIX = "evenement-synthetique-"
FIRST_YEAR, LAST_YEAR = 2010, 2027
# Themes made only when the database has none (the initiatives generator makes the network's).
FALLBACK_THEMES = ("Économie circulaire", "Mobilité durable", "Utilité sociale")
KIND_WEIGHTS = {
    EventKind.NATIONAL_MEETING: 3,
    EventKind.TERRITORIAL_MEETING: 5,
    EventKind.EXCHANGE_DAY: 15,
    EventKind.SEMINAR: 8,
    EventKind.TRAINING_DAY: 20,
    EventKind.ONLINE_CONFERENCE: 18,
    EventKind.MINUTE_CONFERENCE: 10,
    EventKind.VISIO_CONFERENCE: 8,
    EventKind.PARTNER_EVENT: 13,
}
ONLINE_KINDS = frozenset(
    {EventKind.ONLINE_CONFERENCE, EventKind.MINUTE_CONFERENCE, EventKind.VISIO_CONFERENCE}
)
# Local start and end time of each type (a national meeting lasts two days).
HOURS = {
    EventKind.ONLINE_CONFERENCE: ((10, 0), (12, 0)),
    EventKind.MINUTE_CONFERENCE: ((12, 30), (13, 15)),
    EventKind.VISIO_CONFERENCE: ((14, 0), (15, 30)),
}
DAY_HOURS = ((9, 30), (17, 0))
TOPICS = (
    "la commande publique responsable",
    "les tiers-lieux",
    "l'alimentation durable",
    "le réemploi",
    "la mobilité solidaire",
    "les pôles territoriaux de coopération économique",
    "le foncier et les communs",
    "l'emploi des jeunes",
    "la transition énergétique",
    "les monnaies locales",
)
DAY_FORMATS = (
    SessionFormat.PLENARY,
    SessionFormat.ROUND_TABLE,
    SessionFormat.WORKSHOP,
    SessionFormat.WORLD_CAFE,
    SessionFormat.CONFERENCE,
)
ONLINE_FORMATS = (SessionFormat.CONFERENCE, SessionFormat.VISIO_CONFERENCE)
CAPACITIES = (30, 50, 80, 120, 200, None)
PRICES = (Decimal(0), Decimal(0), Decimal(30), Decimal(40), Decimal(60))
FULL_SITES = 4
FULL_SITE_SESSIONS = (
    (SessionFormat.ROUND_TABLE, "Table ronde"),
    (SessionFormat.WORLD_CAFE, "World Café"),
    (SessionFormat.WORKSHOP, "Atelier"),
    (SessionFormat.WORKSHOP, "Atelier"),
)
FULL_AUTHORITIES = 10
FULL_LINKS = {"initiatives": 6, "sheets": 3, "publications": 3}
FULL_CAPACITY = 400
FULL_REGISTRATIONS = 60
FULL_IN_DAYS = 30


@dataclass
class SessionPlan:
    session: EventSession
    speakers: list[tuple[int, str]] = field(default_factory=list)  # (person id, role)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)


@dataclass
class Plan:
    """One event and its lines, before they are written."""

    event: Event
    sessions: list[SessionPlan] = field(default_factory=list)
    sites: list[EventSite] = field(default_factory=list)
    organisers: list[EventOrganiser] = field(default_factory=list)
    themes: list[int] = field(default_factory=list)
    initiatives: list[int] = field(default_factory=list)
    sheets: list[int] = field(default_factory=list)
    publications: list[int] = field(default_factory=list)
    authorities: list[int] = field(default_factory=list)
    registrations: int = 0
    full: bool = False


class Command(SyntheticDataCommand):
    help = (
        "Complète la base avec des événements SYNTHÉTIQUES publiés pour les bancs d'essai "
        "(benchmarks/), jusqu'au total demandé : types, thèmes, années 2010–2027 (les derniers "
        "à venir), communes du référentiel, séances avec intervenant·es existant·es, "
        "organisateurs. Tout est marqué « synthétique ». Distincte de `essor demo` ; refusée "
        "quand ESSOR_ENV=production."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)  # --seed, --force
        parser.add_argument(
            "--count",
            type=int,
            default=5000,
            help="nombre total d'événements publiés visé, existants compris (défaut 5000)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="supprime d'abord les événements synthétiques existants",
        )

    def handle(self, *args, count: int, seed: int, replace: bool, force: bool, **options):
        self.refuse_in_production(force)
        if count < 0:
            raise CommandError("Le total doit être positif.")
        with transaction.atomic():
            removed = synthetic_delete() if replace else 0
            wanted = max(0, count - Event.objects.published().count())
            # Reproducible filler, not a secret.
            made = Generator(random.Random(seed)).run(wanted) if wanted else 0  # noqa: S311
            year_counts.rebuild()  # bulk_create skips Event.save(), which keeps them
        public_content_changed()
        if removed:
            self.stdout.write(f"{removed} événements synthétiques supprimés.")
        published = Event.objects.published()
        self.stdout.write(
            self.style.SUCCESS(
                f"Événements synthétiques : {made} créés ; total : {published.count()} "
                f"événements publiés, dont {published.upcoming().count()} à venir."
            )
        )
        full = full_event()
        if full is not None:
            self.stdout.write(f"Événement complet à mesurer : {full.get_absolute_url()}")


def synthetic_events():
    return Event.objects.filter(slug__startswith=SLUG_PREFIX, title__endswith=SUFFIX)


def synthetic_delete() -> int:
    """Delete the synthetic events (their programme and registrations go with them)."""
    found = synthetic_events()
    total = found.count()
    found.delete()
    return total


def full_event() -> Event | None:
    """The synthetic event with every part filled: the page the benchmarks measure."""
    return synthetic_events().filter(live=True).order_by("slug").first()


class Generator:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()

    # -- what there is to pick from ----------------------------------------------------------

    def _load(self) -> None:
        self.communes = list(
            Territory.objects.filter(kind="commune", is_current=True)
            .order_by("code")
            .values_list("pk", "name", "population", "region_id")
        )
        if not self.communes:
            raise CommandError("Le référentiel est vide : lancez `essor territories_import`.")
        self.large = [row for row in self.communes if (row[2] or 0) >= 20_000] or self.communes
        synthetic_people = Person.objects.filter(
            first_name=PERSON_FIRST_NAME, last_name__startswith=f"{PERSON_LAST_NAME} "
        )
        pool = synthetic_people if synthetic_people.exists() else Person.objects.all()
        self.people = list(pool.order_by("pk").values_list("pk", flat=True))
        if not self.people:
            raise CommandError(
                "Aucune personne pour intervenir : lancez d'abord `essor synthetic_members` "
                "(ou `essor demo`)."
            )
        synthetic = Authority.objects.filter(name__endswith=SUFFIX)
        authorities = synthetic if synthetic.exists() else Authority.objects.all()
        self.authorities = list(authorities.order_by("pk").values_list("pk", "territory_id"))
        self.authority_of_territory = {row[1]: row[0] for row in self.authorities if row[1]}
        self.organisations = list(
            Organisation.objects.order_by("pk").values_list("pk", flat=True)[:20]
        )
        if not Theme.objects.exists():
            for name in FALLBACK_THEMES:
                theme_get_or_create(name)
        self.themes = list(Theme.objects.order_by("name").values_list("pk", flat=True))
        self.initiatives = list(
            Initiative.objects.published().order_by("slug").values_list("pk", flat=True)[:2000]
        )
        self.sheets = list(
            PracticeSheet.objects.filter(live=True).order_by("number").values_list("pk", flat=True)
        )
        self.publications = list(
            Publication.objects.filter(live=True).order_by("pk").values_list("pk", flat=True)
        )

    def _profiled_authorities(self) -> list[int]:
        """Authorities with a filled profile sheet, for the complete event's kit."""
        found = Authority.objects.filter(
            Exists(PolicyAxis.objects.filter(authority=OuterRef("pk"))),
            Exists(EssFigure.objects.filter(authority=OuterRef("pk"))),
            Exists(EssBudget.objects.filter(authority=OuterRef("pk"))),
        ).order_by("pk")
        chosen = list(found.values_list("pk", flat=True)[:FULL_AUTHORITIES])
        return chosen or [row[0] for row in self.authorities[:FULL_AUTHORITIES]]

    # -- dates -------------------------------------------------------------------------------

    def _aware(self, day: datetime.date, hour_minute: tuple[int, int]) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(*hour_minute)))

    def _when(self, kind: str) -> tuple[datetime.datetime, datetime.datetime]:
        year = self.rng.randint(FIRST_YEAR, LAST_YEAR)
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 364))
        start, end = HOURS.get(kind, DAY_HOURS)
        last_day = day + datetime.timedelta(days=1 if kind == EventKind.NATIONAL_MEETING else 0)
        return self._aware(day, start), self._aware(last_day, end)

    # -- one event ---------------------------------------------------------------------------

    def _event(
        self, number: int, kind: str, starts_at: datetime.datetime, ends_at: datetime.datetime
    ) -> Event:
        online = kind in ONLINE_KINDS
        commune = None if online else self.rng.choice(self.large)
        label = EventKind(kind).label
        topic = self.rng.choice(TOPICS)
        upcoming = ends_at >= self.now
        event = Event(
            title=f"{label} {number:05d} : {topic}{SUFFIX}",
            slug=f"{SLUG_PREFIX}{number:05d}",
            kind=kind,
            summary=(
                f"{SYNTHETIC_NOTE} : {label.lower()} sur {topic}, événement fictif généré pour "
                "mesurer le site, sans rapport avec un événement réel."
            ),
            description=f"<p>{SYNTHETIC_NOTE}. Texte de remplissage.</p>",
            starts_at=starts_at,
            start_year=local_year(starts_at),  # bulk_create does not run Event.save()
            ends_at=ends_at,
            online=online,
            venue="" if online else "Salle synthétique",
            address="" if online else "Adresse fictive",
            commune_id=commune[0] if commune else None,
            online_url=f"https://visio.exemple.invalid/{number:05d}" if online else "",
            audience=Audience.MEMBERS if self.rng.random() < 0.15 else Audience.PUBLIC,
            allows_on_site=not online,
            allows_live=online or self.rng.random() < 0.2,
            allows_replay=kind == EventKind.ONLINE_CONFERENCE,
            price=self.rng.choice(PRICES),
            live=True,
            has_unpublished_changes=False,
            first_published_at=self.now,
            last_published_at=self.now,
        )
        if self.rng.random() < (0.7 if upcoming else 0.4):
            event.registration_enabled = True
            event.registration_opens_at = starts_at - datetime.timedelta(days=90)
            event.registration_closes_at = starts_at - datetime.timedelta(days=1)
            event.capacity = None if online else self.rng.choice(CAPACITIES)
        if not upcoming and self.rng.random() < 0.8:
            event.participant_count = self.rng.randint(12, 60 if online else 400)
            event.participant_count_is_estimate = self.rng.random() < 0.3
        return event

    def _slots(
        self, start: datetime.datetime, end: datetime.datetime, count: int
    ) -> list[tuple[datetime.time, datetime.time]]:
        """`count` sessions of equal length between the local start and end times of a day."""
        first = timezone.localtime(start)
        last = timezone.localtime(end).replace(year=first.year, month=first.month, day=first.day)
        minutes = max(int((last - first).total_seconds() // 60), count * 5)
        length = minutes // count // 5 * 5 or 5
        slots = []
        for index in range(count):
            begin = first + datetime.timedelta(minutes=index * length)
            slots.append((begin.time(), (begin + datetime.timedelta(minutes=length)).time()))
        return slots

    def _session(
        self, event: Event, order: int, fmt: str, title: str, slot: tuple, **fields: object
    ) -> SessionPlan:
        """A session with its speakers; workshops of a past event (or of the complete one)
        with what they produced."""
        past = event.ends_at < self.now
        outputs = fields.pop("outputs", past)
        session = EventSession(
            title=title,
            format=fmt,
            start_time=slot[0],
            end_time=slot[1],
            questions="" if fmt == SessionFormat.BREAK else "Quels outils pour les collectivités ?",
            summary=f"{SYNTHETIC_NOTE} : synthèse fictive." if past else "",
            sort_order=order,
            **fields,
        )
        plan = SessionPlan(session)
        if fmt == SessionFormat.BREAK:
            return plan
        role = {
            SessionFormat.OPENING: ContributionRole.OPENING_SPEAKER,
            SessionFormat.CLOSING: ContributionRole.CLOSING_SPEAKER,
        }.get(fmt, ContributionRole.SPEAKER)
        for person in self.rng.sample(self.people, min(len(self.people), self.rng.randint(1, 3))):
            plan.speakers.append((person, role))
        if self.rng.random() < 0.5:
            plan.speakers.append((self.rng.choice(self.people), ContributionRole.MODERATOR))
        if outputs and fmt in (SessionFormat.WORLD_CAFE, SessionFormat.WORKSHOP):
            plan.outputs = [
                (OutputKind.KEY_IDEA, f"Idée clé n° {n} ({SYNTHETIC_NOTE.lower()})") for n in (1, 2)
            ] + [(OutputKind.DIVERGENT_IDEA, f"Idée divergente ({SYNTHETIC_NOTE.lower()})")]
        return plan

    def _sessions(self, event: Event) -> list[SessionPlan]:
        online = event.kind in ONLINE_KINDS
        count = self.rng.randint(3, 5) if online else self.rng.randint(3, 12)
        two_days = event.kind == EventKind.NATIONAL_MEETING
        first_day = timezone.localtime(event.starts_at).date()
        per_day = [count - count // 2, count // 2] if two_days and count >= 4 else [count]
        plans, order = [], 0
        for day_index, day_count in enumerate(per_day):
            for index, slot in enumerate(self._slots(event.starts_at, event.ends_at, day_count)):
                if order == 0:
                    fmt = SessionFormat.OPENING
                elif order == count - 1 and count >= 4:
                    fmt = SessionFormat.CLOSING
                elif not online and day_count >= 6 and index == day_count // 2:
                    fmt = SessionFormat.BREAK
                else:
                    fmt = self.rng.choice(ONLINE_FORMATS if online else DAY_FORMATS)
                title = f"{SessionFormat(fmt).label} synthétique n° {order + 1}"
                day = first_day + datetime.timedelta(days=day_index) if day_index else None
                plans.append(self._session(event, order, fmt, title, slot, day=day))
                order += 1
        return plans

    def _organisers(self, event: Event, hosts: list[int]) -> list[EventOrganiser]:
        rows = []
        if self.organisations:
            rows.append(
                EventOrganiser(role=OrganiserRole.ORGANISER, organisation_id=self.organisations[0])
            )
        else:
            rows.append(EventOrganiser(role=OrganiserRole.ORGANISER, name=f"Réseau{SUFFIX}"))
        for authority in hosts:
            rows.append(EventOrganiser(role=OrganiserRole.HOST, authority_id=authority))
        if self.rng.random() < 0.4:
            number = self.rng.randint(1, 200)
            rows.append(
                EventOrganiser(role=OrganiserRole.PARTNER, name=f"Partenaire {number:03d}{SUFFIX}")
            )
        for order, row in enumerate(rows):
            row.event = event
            row.sort_order = order
        return rows

    def _sample(self, pool: list[int], share: float, most: int) -> list[int]:
        if not pool or self.rng.random() >= share:
            return []
        return self.rng.sample(pool, min(len(pool), self.rng.randint(1, most)))

    def _plan(self, number: int) -> Plan:
        kind = self.rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        starts_at, ends_at = self._when(kind)
        event = self._event(number, kind, starts_at, ends_at)
        host = self.authority_of_territory.get(event.commune_id)
        return Plan(
            event=event,
            sessions=self._sessions(event),
            organisers=self._organisers(event, [host] if host else []),
            themes=self._sample(self.themes, 0.9, 3),
            initiatives=self._sample(self.initiatives, 0.2, 3),
            sheets=self._sample(self.sheets, 0.05, 1),
            authorities=self._sample([row[0] for row in self.authorities], 0.3, 3),
        )

    def _full_plan(self, number: int) -> Plan:
        """Territorial meetings in four places at once, next month, registration open."""
        day = self.today + datetime.timedelta(days=FULL_IN_DAYS)
        starts_at, ends_at = self._aware(day, DAY_HOURS[0]), self._aware(day, DAY_HOURS[1])
        event = self._event(number, EventKind.TERRITORIAL_MEETING, starts_at, ends_at)
        event.audience = Audience.PUBLIC
        event.registration_enabled = True
        event.registration_opens_at = self.now - datetime.timedelta(days=10)
        event.registration_closes_at = starts_at - datetime.timedelta(days=1)
        event.capacity = FULL_CAPACITY
        event.allows_live = True
        event.price = Decimal(40)
        regions, communes = set(), []
        for commune in self.rng.sample(self.large, min(len(self.large), 40)):
            if commune[3] not in regions and len(communes) < FULL_SITES:
                regions.add(commune[3])
                communes.append(commune)
        sites = [
            EventSite(
                event=event,
                name=commune[1],
                venue="Salle synthétique",
                address="Adresse fictive",
                commune_id=commune[0],
                sort_order=order,
            )
            for order, commune in enumerate(communes)
        ]
        slots = self._slots(starts_at, ends_at, 6)
        common = [
            (SessionFormat.OPENING, "Ouverture commune en visioconférence", slots[0]),
            (SessionFormat.VISIO_CONFERENCE, "Duplex entre les sites", slots[1]),
            (SessionFormat.BREAK, "Déjeuner", slots[3]),
            (SessionFormat.CLOSING, "Clôture commune en visioconférence", slots[5]),
        ]
        sessions = [
            self._session(event, order, fmt, title, slot)
            for order, (fmt, title, slot) in enumerate(common)
        ]
        per_site_slots = [slots[2], slots[2], slots[4], slots[4]]
        for site in sites:
            for (fmt, label), slot in zip(FULL_SITE_SESSIONS, per_site_slots, strict=True):
                title = f"{label} synthétique : {self.rng.choice(TOPICS)}"
                sessions.append(
                    self._session(
                        event, len(sessions), fmt, title, slot, site=site.name, outputs=True
                    )
                )
        hosts = [
            self.authority_of_territory[c[0]]
            for c in communes
            if c[0] in self.authority_of_territory
        ]
        organisers = self._organisers(event, hosts)
        organisers.append(
            EventOrganiser(
                event=event,
                role=OrganiserRole.PARTNER,
                name=f"Partenaire national{SUFFIX}",
                sort_order=len(organisers),
            )
        )
        return Plan(
            event=event,
            sessions=sessions,
            sites=sites,
            organisers=organisers,
            themes=self.themes[:3],
            initiatives=self.initiatives[: FULL_LINKS["initiatives"]],
            sheets=self.sheets[: FULL_LINKS["sheets"]],
            publications=self.publications[: FULL_LINKS["publications"]],
            authorities=self._profiled_authorities(),
            registrations=FULL_REGISTRATIONS,
            full=True,
        )

    # -- writing -----------------------------------------------------------------------------

    def run(self, count: int) -> int:
        self._load()
        taken = set(
            Event.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
        )
        plans, number = [], 0
        while len(plans) < count:
            number += 1
            if f"{SLUG_PREFIX}{number:05d}" in taken:
                continue
            full = not plans and number == 1
            plans.append(self._full_plan(number) if full else self._plan(number))
        Event.objects.bulk_create([plan.event for plan in plans], batch_size=500)
        self._lines(plans)
        return len(plans)

    def _lines(self, plans: list[Plan]) -> None:
        sessions, sites, organisers, links, registrations = [], [], [], [], []
        for plan in plans:
            event = plan.event
            for item in plan.sessions:
                item.session.event_id = event.pk
                sessions.append(item.session)
            for row in [*plan.sites, *plan.organisers]:
                row.event_id = event.pk
            sites += plan.sites
            organisers += plan.organisers
            links += [Event.themes.through(event_id=event.pk, theme_id=pk) for pk in plan.themes]
            links += [
                Event.initiatives.through(event_id=event.pk, initiative_id=pk)
                for pk in plan.initiatives
            ]
            links += [
                Event.practice_sheets.through(event_id=event.pk, practicesheet_id=pk)
                for pk in plan.sheets
            ]
            links += [
                Event.publications.through(event_id=event.pk, publication_id=pk)
                for pk in plan.publications
            ]
            links += [
                Event.authorities.through(event_id=event.pk, authority_id=pk)
                for pk in plan.authorities
            ]
            registrations += _registrations(event, plan.registrations)
        EventSession.objects.bulk_create(sessions, batch_size=1000)
        contributions, outputs = [], []
        for plan in plans:
            for item in plan.sessions:
                contributions += [
                    SessionContribution(
                        session_id=item.session.pk, person_id=person, role=role, sort_order=order
                    )
                    for order, (person, role) in enumerate(item.speakers)
                ]
                outputs += [
                    SessionOutput(
                        session_id=item.session.pk, kind=kind, text=text, sort_order=order
                    )
                    for order, (kind, text) in enumerate(item.outputs)
                ]
        for model, rows in (
            (EventSite, sites),
            (EventOrganiser, organisers),
            (SessionContribution, contributions),
            (SessionOutput, outputs),
            (Registration, registrations),
        ):
            model.objects.bulk_create(rows, batch_size=2000)
        by_model: dict[type, list] = {}
        for link in links:
            by_model.setdefault(type(link), []).append(link)
        for model, rows in by_model.items():
            model.objects.bulk_create(rows, batch_size=2000)


def _registrations(event: Event, count: int) -> list[Registration]:
    """Seats already taken on the complete event (so its page shows places left)."""
    return [
        Registration(
            event_id=event.pk,
            first_name=PERSON_FIRST_NAME,
            last_name=f"Inscrite {number:03d}{SUFFIX}",
            email=f"inscription.{event.pk}.{number:03d}@exemple.invalid",
            organisation=SYNTHETIC_NOTE,
            mode=ParticipationMode.ON_SITE,
            status=RegistrationStatus.CONFIRMED,
        )
        for number in range(1, count + 1)
    ]
