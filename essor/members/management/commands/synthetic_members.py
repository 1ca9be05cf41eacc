"""`essor synthetic_members [--authorities 2000] [--people 10000] [--seed 1]`: synthetic data
for load tests (benchmarks/), never for a demonstration nor a real site.

Tops the database up to the given totals: authorities picked from the referential (territories
no authority uses yet, every level, plus a few bodies known by a SIREN only), people holding
positions at them, memberships (most of them running), profile sheets (axes, figures, budgets)
for a share of them, themes. Everything it writes says it is synthetic: authority names end in
"(synthétique)", people are "Personne Synthétique 00001", memberships, positions and texts
carry SYNTHETIC_NOTE. Deterministic for a given seed and starting database. Bulk inserts, so no
signal fires: the public page cache is made stale once at the end.
"""

import datetime
import math
import random
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from essor.core.caching import public_content_changed
from essor.core.management.synthetic import SyntheticDataCommand
from essor.core.models import Theme
from essor.core.text import fold
from essor.members.models import (
    Authority,
    AuthorityKind,
    EssBudget,
    EssFigure,
    Membership,
    Person,
    PolicyAxis,
    Position,
    PositionKind,
)
from essor.territories.models import Territory

SYNTHETIC_NOTE = "Données synthétiques (banc d'essai)"
AUTHORITY_SUFFIX = " (synthétique)"
PERSON_FIRST_NAME = "Personne"
PERSON_LAST_NAME = "Synthétique"
# SIRENs starting with 000 are never attributed: no clash with a real body.
SYNTHETIC_SIREN_PREFIX = "000"

# Share of the synthetic authorities at each level (communes take the rest).
LEVEL_SHARES = {"region": 0.005, "departement": 0.03, "ept": 0.003, "epci": 0.22, "other": 0.02}
OTHER_BODIES = ["Pays", "PETR", "Syndicat mixte", "Pôle métropolitain"]
# Half of the communes are drawn among those of at least this population (network members
# are rarely villages), the other half among all of them.
LARGE_COMMUNE = 5_000
# Membership years: elections years and the one after weigh more (new teams join).
FIRST_YEAR = 2002
BUSY_YEARS = {2008, 2009, 2014, 2015, 2020, 2021}
PROFILE_SHARE = 0.4
THEMES_SHARE = 0.6
SECOND_POSITION_SHARE = 0.2
STAFF_SHARE = 0.3
MIN_THEMES = 8
FULL_SHEET_PEOPLE = 12

ELECTED_TITLES = {
    "region": ["Vice-président·e à l'économie sociale et solidaire", "Conseiller·ère régional·e"],
    "departement": ["Vice-président·e à l'insertion et à l'ESS", "Conseiller·ère départemental·e"],
    "epci": ["Président·e", "Vice-président·e au développement économique et à l'ESS"],
    "ept": ["Président·e", "Vice-président·e à l'ESS"],
    "commune": ["Maire", "Adjoint·e à l'ESS", "Conseiller·ère municipal·e délégué·e à l'ESS"],
    "other": ["Président·e", "Vice-président·e"],
}
STAFF_TITLES = [
    "Chargé·e de mission ESS",
    "Directeur·rice du développement économique",
    "Responsable du service emploi et ESS",
]
AXES = [
    "Soutenir la création d'activités d'utilité sociale",
    "Développer la commande publique responsable",
    "Accompagner les tiers-lieux",
    "Favoriser l'alimentation durable",
    "Structurer les filières de réemploi",
    "Animer le réseau des acteurs locaux",
    "Financer l'innovation sociale",
]
FIGURES = [
    ("emplois dans l'ESS", "emplois", 50, 40_000),
    ("établissements employeurs de l'ESS", "établissements", 5, 4_000),
    ("part de l'emploi privé", "%", 5, 20),
    ("structures accompagnées", "structures", 3, 300),
]


class Command(SyntheticDataCommand):
    help = (
        "Complète la base avec des données SYNTHÉTIQUES pour les bancs d'essai (benchmarks/) : "
        "collectivités prises dans le référentiel, personnes et fonctions, adhésions, fiches "
        "(axes, chiffres, budgets) et thèmes, jusqu'aux totaux demandés. Tout est marqué "
        "« synthétique ». Distincte de `essor demo` ; refusée quand ESSOR_ENV=production."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)  # --seed, --force
        parser.add_argument(
            "--authorities",
            type=int,
            default=2000,
            help="nombre total de collectivités visé, existantes comprises (défaut 2000)",
        )
        parser.add_argument(
            "--people",
            type=int,
            default=10000,
            help="nombre total de personnes visé, existantes comprises (défaut 10000)",
        )

    def handle(self, *args, authorities: int, people: int, seed: int, force: bool, **options):
        self.refuse_in_production(force)
        if authorities < 0 or people < 0:
            raise CommandError("Les totaux doivent être positifs.")
        with transaction.atomic():
            # Reproducible filler, not a secret.
            report = Generator(random.Random(seed)).run(authorities, people)  # noqa: S311
        public_content_changed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Données synthétiques : {report['authorities']} collectivités "
                f"({report['members']} adhérentes), {report['people']} personnes, "
                f"{report['positions']} fonctions, {report['memberships']} périodes d'adhésion, "
                f"{report['profiles']} fiches, {report['themes']} rattachements à un thème."
            )
        )
        self.stdout.write(
            f"Totaux : {Authority.objects.count()} collectivités, {Person.objects.count()} "
            "personnes. Initiatives : pas encore générées (module non livré)."
        )
        sheet = full_sheet()
        if sheet is not None:
            self.stdout.write(f"Fiche complète à mesurer : {sheet.get_absolute_url()}")


def full_sheet() -> Authority | None:
    """The synthetic member commune with a full profile sheet (axes, figures, budgets, themes)
    and the most positions: the sheet the benchmarks measure."""
    return (
        Authority.objects.members()
        .filter(kind="commune", name__endswith=AUTHORITY_SUFFIX)
        .filter(
            Exists(PolicyAxis.objects.filter(authority=OuterRef("pk"))),
            Exists(EssFigure.objects.filter(authority=OuterRef("pk"))),
            Exists(EssBudget.objects.filter(authority=OuterRef("pk"))),
            Exists(Authority.themes.through.objects.filter(authority=OuterRef("pk"))),
        )
        .annotate(position_count=Count("positions"))
        .order_by("-position_count", "pk")
        .first()
    )


class Generator:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.today = timezone.localdate()
        self.full: Authority | None = None
        self.report = dict.fromkeys(
            ("authorities", "members", "people", "positions", "memberships", "profiles", "themes"),
            0,
        )

    def run(self, authorities_total: int, people_total: int) -> dict:
        created = self._authorities(max(0, authorities_total - Authority.objects.count()))
        self._memberships(created)
        self._profiles(created)
        self._people(max(0, people_total - Person.objects.count()))
        return self.report

    # -- authorities ---------------------------------------------------------------------

    def _authorities(self, count: int) -> list[Authority]:
        if count == 0:
            return []
        plan = {kind: round(count * share) for kind, share in LEVEL_SHARES.items()}
        free = Territory.objects.filter(is_current=True, authority__isnull=True).order_by(
            "kind", "code"
        )
        by_kind: dict[str, list[Territory]] = {}
        for territory in free.only("id", "kind", "code", "name", "population"):
            by_kind.setdefault(territory.kind, []).append(territory)
        picked: list[Territory] = []
        for kind in ("region", "departement", "ept", "epci"):
            pool = by_kind.get(kind, [])
            plan[kind] = min(plan[kind], len(pool))
            picked += self.rng.sample(pool, plan[kind])
        communes = by_kind.get("commune", [])
        wanted = min(count - sum(plan.values()), len(communes))
        large = [t for t in communes if (t.population or 0) >= LARGE_COMMUNE]
        chosen = self.rng.sample(large, min(len(large), wanted // 2))
        taken = {t.pk for t in chosen}
        rest = [t for t in communes if t.pk not in taken]
        chosen += self.rng.sample(rest, wanted - len(chosen))
        picked += chosen

        used_slugs = set(Authority.objects.values_list("slug", flat=True))
        rows = []
        for territory in picked:
            name = territory.name + AUTHORITY_SUFFIX
            rows.append(
                Authority(
                    name=name,
                    slug=_unique(f"{slugify(territory.name)[:80]}-synthetique", used_slugs),
                    kind=territory.kind,
                    territory=territory,
                    search_name=fold(name),
                )
            )
        used_sirens = set(Authority.objects.exclude(siren="").values_list("siren", flat=True))
        number = 0
        for _ in range(plan["other"]):
            number += 1
            siren = f"{SYNTHETIC_SIREN_PREFIX}{number:06d}"
            while siren in used_sirens:
                number += 1
                siren = f"{SYNTHETIC_SIREN_PREFIX}{number:06d}"
            used_sirens.add(siren)
            name = f"{self.rng.choice(OTHER_BODIES)} {number:04d}{AUTHORITY_SUFFIX}"
            rows.append(
                Authority(
                    name=name,
                    slug=_unique(slugify(name), used_slugs),
                    kind=AuthorityKind.OTHER,
                    siren=siren,
                    search_name=fold(name),
                )
            )
        created = Authority.objects.bulk_create(rows, batch_size=500)
        # bulk_create skips save(): the comparison columns are copied from the referential here.
        Authority.objects.filter(pk__in=[a.pk for a in created]).refresh_peer_columns()
        self.report["authorities"] = len(created)
        # One commune gets a full sheet (member, profile, themes, a dozen people): the page
        # the benchmarks measure.
        self.full = next(
            (a for a in created if a.kind == "commune"), created[0] if created else None
        )
        return created

    # -- memberships ---------------------------------------------------------------------

    def _year(self) -> int:
        years = range(FIRST_YEAR, self.today.year)
        weights = [3 if year in BUSY_YEARS else 1 for year in years]
        return self.rng.choices(years, weights)[0]

    def _day(self, year: int) -> datetime.date:
        day = datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return min(day, self.today - datetime.timedelta(days=1))

    def _memberships(self, authorities: list[Authority]) -> None:
        rows = []
        members = 0
        for authority in authorities:
            draw = 0.0 if authority is self.full else self.rng.random()
            if draw >= 0.95:  # never a member
                continue
            joined = self._day(self._year())
            if draw < 0.80:  # a member since then
                rows.append(_membership(authority, joined, None))
                members += 1
                continue
            # Left after one to eight years (and, for some, came back later).
            left = joined + datetime.timedelta(days=365 * self.rng.randint(1, 8))
            if left >= self.today:
                rows.append(_membership(authority, joined, None))
                members += 1
                continue
            rows.append(_membership(authority, joined, left))
            if draw < 0.88:
                back = left + datetime.timedelta(days=self.rng.randint(200, 1500))
                if back < self.today:
                    rows.append(_membership(authority, back, None))
                    members += 1
        Membership.objects.bulk_create(rows, batch_size=1000)  # no signal: columns refreshed
        Authority.objects.filter(
            pk__in={row.authority_id for row in rows}
        ).refresh_membership_columns()
        self.report["memberships"] = len(rows)
        self.report["members"] = members

    # -- profile sheets and themes ---------------------------------------------------------

    def _themes(self) -> list[Theme]:
        themes = list(Theme.objects.order_by("name"))
        number = 0
        while len(themes) < MIN_THEMES:
            number += 1
            name = f"Thème synthétique {number}"
            theme, _ = Theme.objects.get_or_create(
                name=name, defaults={"slug": slugify(name), "description": SYNTHETIC_NOTE}
            )
            if theme not in themes:
                themes.append(theme)
        return themes

    def _profiles(self, authorities: list[Authority]) -> None:
        if not authorities:
            return
        themes = self._themes()
        axes, figures, budgets, links = [], [], [], []
        profiled = []
        now = timezone.now()
        for authority in authorities:
            full = authority is self.full
            if full or self.rng.random() < THEMES_SHARE:
                for theme in self.rng.sample(themes, self.rng.randint(1, 4)):
                    links.append(Authority.themes.through(authority=authority, theme=theme))
            if not full and self.rng.random() >= PROFILE_SHARE:
                continue
            authority.ess_context = (
                f"{SYNTHETIC_NOTE} : contexte de la politique ESS de {authority.name}, "
                "texte de remplissage sans rapport avec la collectivité réelle."
            )
            authority.ess_programme = f"{SYNTHETIC_NOTE} : programme d'intervention fictif."
            authority.profile_updated_at = now
            profiled.append(authority)
            for order, title in enumerate(self.rng.sample(AXES, self.rng.randint(2, 5))):
                axes.append(
                    PolicyAxis(
                        authority=authority,
                        sort_order=order,
                        title=title,
                        description=f"{SYNTHETIC_NOTE}.",
                    )
                )
            for order, (label, unit, low, high) in enumerate(
                self.rng.sample(FIGURES, self.rng.randint(1, len(FIGURES)))
            ):
                figures.append(
                    EssFigure(
                        authority=authority,
                        sort_order=order,
                        label=label,
                        value=Decimal(self.rng.randint(low, high)),
                        unit=unit,
                        year=self.today.year - self.rng.randint(1, 3),
                    )
                )
            for back in range(1, self.rng.randint(2, 6)):
                budgets.append(
                    EssBudget(
                        authority=authority,
                        year=self.today.year - back,
                        amount=Decimal(self.rng.randint(10, 5_000) * 1_000),
                        note=SYNTHETIC_NOTE,
                    )
                )
        Authority.objects.bulk_update(
            profiled, ["ess_context", "ess_programme", "profile_updated_at"], batch_size=500
        )
        PolicyAxis.objects.bulk_create(axes, batch_size=1000)
        EssFigure.objects.bulk_create(figures, batch_size=1000)
        EssBudget.objects.bulk_create(budgets, batch_size=1000)
        Authority.themes.through.objects.bulk_create(links, batch_size=1000)
        self.report["profiles"] = len(profiled)
        self.report["themes"] = len(links)

    # -- people and positions --------------------------------------------------------------

    def _people(self, count: int) -> None:
        if count == 0:
            return
        # People work at synthetic authorities (at any one when there is none).
        bodies = list(
            Authority.objects.filter(name__endswith=AUTHORITY_SUFFIX)
            .select_related("territory")
            .order_by("pk")
        ) or list(Authority.objects.select_related("territory").order_by("pk"))
        if not bodies:
            raise CommandError("Aucune collectivité où placer des personnes.")
        weights = [_weight(authority) for authority in bodies]
        start = Person.objects.filter(
            first_name=PERSON_FIRST_NAME, last_name__startswith=f"{PERSON_LAST_NAME} "
        ).count()
        width = max(5, len(str(start + count)))
        used_slugs = set(Person.objects.values_list("slug", flat=True))
        people = []
        for number in range(start + 1, start + count + 1):
            last_name = f"{PERSON_LAST_NAME} {number:0{width}d}"
            people.append(
                Person(
                    first_name=PERSON_FIRST_NAME,
                    last_name=last_name,
                    slug=_unique(slugify(f"{PERSON_FIRST_NAME} {last_name}"), used_slugs),
                    email=f"personne.synthetique.{number:0{width}d}@exemple.invalid",
                )
            )
        people = Person.objects.bulk_create(people, batch_size=1000)
        positions = []
        for index, person in enumerate(people):
            if self.full is not None and index < FULL_SHEET_PEOPLE:
                authority = self.full
            else:
                authority = self.rng.choices(bodies, weights)[0]
            positions += self._positions(person, authority)
        Position.objects.bulk_create(positions, batch_size=1000)
        self.report["people"] = len(people)
        self.report["positions"] = len(positions)

    def _positions(self, person: Person, authority: Authority) -> list[Position]:
        staff = self.rng.random() < STAFF_SHARE
        titles = STAFF_TITLES if staff else ELECTED_TITLES.get(authority.kind, ["Élu·e"])
        start = self._day(self.rng.randint(FIRST_YEAR, self.today.year - 1))
        current = Position(
            person=person,
            authority=authority,
            title=self.rng.choice(titles),
            kind=PositionKind.STAFF if staff else PositionKind.ELECTED,
            start_date=start,
            source=SYNTHETIC_NOTE,
        )
        if self.rng.random() >= SECOND_POSITION_SHARE or start.year <= FIRST_YEAR:
            return [current]
        # An earlier title at the same authority, ended when the current one began.
        earlier_start = self._day(self.rng.randint(FIRST_YEAR - 6, start.year - 1))
        earlier = Position(
            person=person,
            authority=authority,
            title=self.rng.choice(titles),
            kind=current.kind,
            start_date=min(earlier_start, start - datetime.timedelta(days=1)),
            end_date=start - datetime.timedelta(days=1),
            source=SYNTHETIC_NOTE,
        )
        return [current, earlier]


def _membership(
    authority: Authority, joined: datetime.date, left: datetime.date | None
) -> Membership:
    return Membership(authority=authority, joined_on=joined, left_on=left, note=SYNTHETIC_NOTE)


def _weight(authority: Authority) -> float:
    """More people at larger bodies."""
    if authority.kind in ("region", "departement"):
        return 12.0
    population = authority.territory.population if authority.territory_id else None
    return 1.0 + math.log10(max(population or 1_000, 10))


def _unique(base: str, used: set[str]) -> str:
    candidate, counter = base, 2
    while candidate in used:
        candidate = f"{base}-{counter}"
        counter += 1
    used.add(candidate)
    return candidate
