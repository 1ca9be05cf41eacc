"""`essor synthetic_initiatives [--count 20000] [--seed 1] [--replace]`: synthetic published
initiatives for load tests (benchmarks/), never for a demonstration nor a real site.

Tops the database up to the given total of initiatives. Each one acts in communes of the
referential, is supported by authorities already in the database (the synthetic ones of
`essor synthetic_members` when there are, any otherwise), near its place when possible, and
has themes, territory types, levers, key figures, financings, a contact and a source. Written
in bulk, published without revisions (the row is the published version; there is no history
to keep for filler), so no signal fires: the facet index of the list and the map is rebuilt
and the public page cache made stale once at the end; the search index is not updated
(`essor update_index` if a search benchmark needs it).

Everything it writes says it is synthetic: names end in "(synthétique)", summaries, texts
and sources carry SYNTHETIC_NOTE, contacts use an address in the reserved .invalid domain.
Deterministic for a given seed and starting database. The first one made is complete (every
section filled): the page the benchmarks measure.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from essor.core.caching import public_content_changed
from essor.core.management.synthetic import SyntheticDataCommand
from essor.core.models import Theme
from essor.core.services import theme_get_or_create
from essor.initiatives import facet_index
from essor.initiatives.levers import LEVER_OF_TOOL, LEVERS
from essor.initiatives.models import (
    Contact,
    Financing,
    Initiative,
    InitiativePlace,
    Involvement,
    KeyFigure,
    LegalForm,
    LeverUse,
    Source,
    SourceKind,
    TerritoryType,
)
from essor.members.models import Authority
from essor.territories.models import Territory

SYNTHETIC_NOTE = "Données synthétiques (banc d'essai)"
SUFFIX = " (synthétique)"
SLUG_PREFIX = "initiative-synthetique-"
# The themes of the network the issue names: the benchmarks filter on them.
NETWORK_THEMES = (
    "Transition énergétique",
    "Économie circulaire",
    "Foncier, lieux partagés et communs",
    "Alimentation durable",
    "Mobilité durable",
    "Immigration",
    "Utilité sociale",
)
KINDS = (
    "Recyclerie",
    "Épicerie solidaire",
    "Garage solidaire",
    "Tiers-lieu",
    "Monnaie locale",
    "Coopérative d'habitants",
    "Plateforme de covoiturage",
    "Atelier vélo",
    "Légumerie",
    "Ressourcerie",
    "Centrale villageoise",
    "Chantier d'insertion",
    "Fabrique à initiatives",
    "Pôle de coopération",
)
LEGAL_FORM_WEIGHTS = {
    LegalForm.ASSOCIATION: 40,
    LegalForm.SCIC: 14,
    LegalForm.SCOP: 8,
    LegalForm.CAE: 4,
    LegalForm.SAS_ESUS: 6,
    LegalForm.PTCE: 4,
    LegalForm.GROUPEMENT_EMPLOYEURS: 3,
    LegalForm.MUTUELLE: 1,
    LegalForm.FONDATION: 1,
    LegalForm.SIAE: 8,
    LegalForm.COLLECTIVITE: 3,
    LegalForm.OTHER: 2,
}
FIRST_YEAR = 1985
FIGURES = (
    ("emplois créés", "emplois", 1, 120),
    ("bénévoles", "personnes", 5, 400),
    ("tonnes détournées de l'enfouissement", "t", 10, 5_000),
    ("adhérents", "adhérents", 20, 3_000),
    ("chiffre d'affaires", "€", 20_000, 2_000_000),
)
FUNDERS = ("Région", "Département", "Fonds européens (FSE+)", "Fondation", "État (ANCT)")
ALL_TOOLS = tuple(tool.code for lever in LEVERS for tool in lever.tools)
# Rural below, urban above (population of the main commune).
RURAL_BELOW, URBAN_FROM = 3_500, 30_000


@dataclass
class Plan:
    """One initiative and its lines, before they are written."""

    initiative: Initiative
    places: list[int] = field(default_factory=list)  # territory ids
    authorities: list[int] = field(default_factory=list)  # authority ids
    themes: list[int] = field(default_factory=list)
    types: list[int] = field(default_factory=list)
    tools: list[tuple[str, int | None]] = field(default_factory=list)
    full: bool = False


class Command(SyntheticDataCommand):
    help = (
        "Complète la base avec des initiatives SYNTHÉTIQUES publiées pour les bancs d'essai "
        "(benchmarks/), jusqu'au total demandé : lieux pris dans le référentiel, collectivités "
        "existantes, thèmes, leviers, chiffres, financements. Tout est marqué « synthétique ». "
        "Distincte de `essor demo` ; refusée quand ESSOR_ENV=production."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)  # --seed, --force
        parser.add_argument(
            "--count",
            type=int,
            default=20000,
            help="nombre total d'initiatives visé, existantes comprises (défaut 20000)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="supprime d'abord les initiatives synthétiques existantes",
        )

    def handle(self, *args, count: int, seed: int, replace: bool, force: bool, **options):
        self.refuse_in_production(force)
        if count < 0:
            raise CommandError("Le total doit être positif.")
        # Bulk writes send no signal: the facet index is rebuilt once at the end.
        with transaction.atomic(), facet_index.rebuilt_after():
            removed = synthetic_delete() if replace else 0
            wanted = max(0, count - Initiative.objects.count())
            # Reproducible filler, not a secret.
            made = Generator(random.Random(seed)).run(wanted) if wanted else 0  # noqa: S311
        public_content_changed()
        if removed:
            self.stdout.write(f"{removed} initiatives synthétiques supprimées.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Initiatives synthétiques : {made} créées ; total : "
                f"{Initiative.objects.count()} initiatives, dont "
                f"{Initiative.objects.published().count()} publiées."
            )
        )
        full = full_initiative()
        if full is not None:
            self.stdout.write(f"Initiative complète à mesurer : {full.get_absolute_url()}")


def synthetic_delete() -> int:
    """Delete the synthetic initiatives (their lines go with them)."""
    found = Initiative.objects.filter(slug__startswith=SLUG_PREFIX, name__endswith=SUFFIX)
    total = found.count()
    found.delete()
    return total


def full_initiative() -> Initiative | None:
    """The synthetic initiative with every section filled: the page the benchmarks measure."""
    return (
        Initiative.objects.published()
        .filter(slug__startswith=SLUG_PREFIX, name__endswith=SUFFIX)
        .order_by("slug")
        .first()
    )


class Generator:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.now()
        self.year = timezone.localdate().year

    # -- what there is to pick from ----------------------------------------------------------

    def _load(self) -> None:
        self.themes = self._themes()
        self.types = {t.code: t.pk for t in TerritoryType.objects.all()}
        rows = Territory.objects.filter(kind="commune", is_current=True).order_by("code")
        self.communes = list(
            rows.values_list("pk", "population", "departement_id", "region_id", "epci_id", "zone")
        )
        if not self.communes:
            raise CommandError("Le référentiel est vide : lancez `essor territories_import`.")
        self.commune_by_pk = {row[0]: row for row in self.communes}
        self.by_departement: dict[int, list[tuple]] = {}
        self.by_region: dict[int, list[tuple]] = {}
        self.by_epci: dict[int, list[tuple]] = {}
        for row in self.communes:
            self.by_departement.setdefault(row[2], []).append(row)
            self.by_region.setdefault(row[3], []).append(row)
            if row[4]:
                self.by_epci.setdefault(row[4], []).append(row)
        self.large = [row for row in self.communes if (row[1] or 0) >= 10_000]
        synthetic = Authority.objects.filter(name__endswith=SUFFIX)
        pool = synthetic if synthetic.exists() else Authority.objects.all()
        self.authorities = list(
            pool.order_by("pk").values_list("pk", "kind", "territory_id", "territory__kind")
        )
        if not self.authorities:
            raise CommandError(
                "Aucune collectivité : lancez d'abord `essor synthetic_members` (ou `essor demo`)."
            )
        # Authorities by the territory they are (to find the département or région of a place).
        self.authority_of_territory = {row[2]: row[0] for row in self.authorities if row[2]}

    def _themes(self) -> list[int]:
        for name in NETWORK_THEMES:
            theme_get_or_create(name)
        return list(Theme.objects.order_by("name").values_list("pk", flat=True))

    # -- one initiative ----------------------------------------------------------------------

    def _places(self, authority: tuple) -> list[tuple]:
        """The communes where an initiative acts: in the territory of its main authority."""
        _pk, _kind, territory_id, territory_kind = authority
        pools = {
            "commune": None,
            "epci": self.by_epci.get(territory_id),
            "departement": self.by_departement.get(territory_id),
            "region": self.by_region.get(territory_id),
        }
        if territory_kind == "commune":
            main = self.commune_by_pk[territory_id]
        elif pools.get(territory_kind):
            main = self.rng.choice(pools[territory_kind])
        else:  # a body without territory: a town, as most initiatives are
            main = self.rng.choice(self.large or self.communes)
        places = [main]
        if self.rng.random() < 0.2:
            neighbours = self.by_departement.get(main[2]) or []
            other = self.rng.choice(neighbours) if neighbours else None
            if other is not None and other != main:
                places.append(other)
        return places

    def _supporters(self, main: tuple, places: list[tuple]) -> list[int]:
        """The main authority, and sometimes the département or région of the place."""
        supporters = [main[0]]
        departement = self.authority_of_territory.get(places[0][2])
        region = self.authority_of_territory.get(places[0][3])
        for other, share in ((departement, 0.5), (region, 0.3)):
            if other and other not in supporters and self.rng.random() < share:
                supporters.append(other)
        if self.rng.random() < 0.15:
            extra = self.rng.choice(self.authorities)[0]
            if extra not in supporters:
                supporters.append(extra)
        return supporters

    def _types(self, commune: tuple) -> list[int]:
        population, zone = commune[1] or 0, commune[5]
        codes = set()
        if population < RURAL_BELOW:
            codes.add("rural")
            if self.rng.random() < 0.3:
                codes.add("zrr")
            if self.rng.random() < 0.15:
                codes.add("montagne")
        elif population >= URBAN_FROM:
            codes.add("urbain")
            if self.rng.random() < 0.4:
                codes.add("qpv")
        else:
            codes.add(self.rng.choice(("rural", "urbain")))
        if self.rng.random() < 0.1:
            codes.add("littoral")
        if zone == "drom":
            codes.add("drom")
        return [self.types[code] for code in sorted(codes) if code in self.types]

    def _year(self) -> int:
        years = range(FIRST_YEAR, self.year + 1)
        # Recent years weigh more: the network has grown.
        return self.rng.choices(years, [1 + (y - FIRST_YEAR) // 5 for y in years])[0]

    def _plan(self, number: int, full: bool) -> Plan:
        main = self.rng.choice(self.authorities)
        places = self._places(main)
        supporters = self._supporters(main, places)
        kind = self.rng.choice(KINDS)
        initiative = Initiative(
            name=f"{kind} {number:05d}{SUFFIX}",
            slug=f"{SLUG_PREFIX}{number:05d}",
            summary=(
                f"{SYNTHETIC_NOTE} : {kind.lower()} fictive, générée pour mesurer le site, "
                "sans rapport avec une structure réelle."
            ),
            description=f"<p>{SYNTHETIC_NOTE}. Texte de remplissage.</p>",
            carrier_name=f"Structure synthétique {number:05d}",
            legal_form=self.rng.choices(
                list(LEGAL_FORM_WEIGHTS), list(LEGAL_FORM_WEIGHTS.values())
            )[0],
            year_started=self._year(),
            live=True,
            has_unpublished_changes=False,
            first_published_at=self.now,
            last_published_at=self.now,
        )
        themes = self.rng.sample(self.themes, min(len(self.themes), self.rng.randint(1, 3)))
        tools = [
            (tool, self.rng.choice(supporters) if self.rng.random() < 0.9 else None)
            for tool in self.rng.sample(ALL_TOOLS, self.rng.randint(1, 4))
        ]
        return Plan(
            initiative=initiative,
            places=[row[0] for row in places],
            authorities=supporters,
            themes=themes,
            types=self._types(places[0]),
            tools=tools,
            full=full,
        )

    def _complete(self, plan: Plan) -> None:
        """Every section filled, on a rural mobility theme a département supports."""
        mobility = Theme.objects.get(name="Mobilité durable").pk
        plan.themes = list(dict.fromkeys([mobility, *plan.themes]))[:3]
        rural = self.types.get("rural")
        plan.types = list(dict.fromkeys([*plan.types, *([rural] if rural else [])]))
        departements = [row[0] for row in self.authorities if row[1] == "departement"]
        if departements and not set(departements) & set(plan.authorities):
            plan.authorities.append(departements[0])
        while len(plan.places) < 3:
            plan.places.append(self.rng.choice(self.communes)[0])
        plan.places = list(dict.fromkeys(plan.places))
        plan.tools = [(tool, plan.authorities[i % len(plan.authorities)]) for i, tool in
                      enumerate(ALL_TOOLS[::5])]  # fmt: skip

    # -- writing -------------------------------------------------------------------------------

    def run(self, count: int) -> int:
        self._load()
        taken = set(
            Initiative.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
        )
        plans, number = [], 0
        while len(plans) < count:
            number += 1
            if f"{SLUG_PREFIX}{number:05d}" in taken:
                continue
            plan = self._plan(number, full=not plans and number == 1)
            if plan.full:
                self._complete(plan)
            plans.append(plan)
        Initiative.objects.bulk_create([p.initiative for p in plans], batch_size=500)
        self._lines(plans)
        return len(plans)

    def _lines(self, plans: list[Plan]) -> None:
        themes, types, places, involvements, uses = [], [], [], [], []
        figures, financings, contacts, sources = [], [], [], []
        for plan in plans:
            pk = plan.initiative.pk
            themes += [Initiative.themes.through(initiative_id=pk, theme_id=t) for t in plan.themes]
            types += [
                Initiative.territory_types.through(initiative_id=pk, territorytype_id=t)
                for t in plan.types
            ]
            places += [
                InitiativePlace(initiative_id=pk, territory_id=territory, sort_order=order)
                for order, territory in enumerate(plan.places)
            ]
            involvements += [
                Involvement(
                    initiative_id=pk,
                    authority_id=authority,
                    role=f"{SYNTHETIC_NOTE} : soutien de la collectivité.",
                    sort_order=order,
                )
                for order, authority in enumerate(plan.authorities)
            ]
            uses += [
                LeverUse(
                    initiative_id=pk,
                    authority_id=authority,
                    tool=tool,
                    lever=LEVER_OF_TOOL[tool],  # bulk_create skips save(), which derives it
                    sort_order=order,
                )
                for order, (tool, authority) in enumerate(plan.tools)
            ]
            figures += self._figures(pk, plan.full)
            financings += self._financings(pk, plan.full)
            contacts += self._contacts(pk, plan.full)
            sources += self._sources(pk, plan.full)
        for model, rows in (
            (Initiative.themes.through, themes),
            (Initiative.territory_types.through, types),
            (InitiativePlace, places),
            (Involvement, involvements),
            (LeverUse, uses),
            (KeyFigure, figures),
            (Financing, financings),
            (Contact, contacts),
            (Source, sources),
        ):
            model.objects.bulk_create(rows, batch_size=2000)

    def _figures(self, pk: int, full: bool) -> list[KeyFigure]:
        chosen = FIGURES[:3] if full else self.rng.sample(FIGURES, self.rng.randint(0, 3))
        return [
            KeyFigure(
                initiative_id=pk,
                label=label,
                value=Decimal(self.rng.randint(low, high)),
                unit=unit,
                year=self.year - self.rng.randint(1, 4),
                sort_order=order,
            )
            for order, (label, unit, low, high) in enumerate(chosen)
        ]

    def _financings(self, pk: int, full: bool) -> list[Financing]:
        count = 2 if full else self.rng.randint(0, 2)
        return [
            Financing(
                initiative_id=pk,
                source=self.rng.choice(FUNDERS),
                amount=Decimal(self.rng.randint(5, 500) * 1_000),
                year=self.year - self.rng.randint(1, 6),
                note=SYNTHETIC_NOTE,
                sort_order=order,
            )
            for order in range(count)
        ]

    def _contacts(self, pk: int, full: bool) -> list[Contact]:
        return [
            Contact(
                initiative_id=pk,
                name=f"Contact synthétique {pk}-{order + 1}",
                role="Coordination",
                email=f"contact.{pk}.{order + 1}@exemple.invalid",
                sort_order=order,
            )
            for order in range(2 if full else 1)
        ]

    def _sources(self, pk: int, full: bool) -> list[Source]:
        return [
            Source(
                initiative_id=pk,
                kind=SourceKind.PUBLICATION,
                title=f"{SYNTHETIC_NOTE} — source fictive",
                date=datetime.date(self.year - 1, 1, 1),
                sort_order=order,
            )
            for order in range(2 if full else 1)
        ]
