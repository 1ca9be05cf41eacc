"""The fictitious members that complete the demo network.

The seeds name 37 member authorities; the network had 118 at the end of 2017 (2017 activity
report) and "près de 110" in September 2013 (2013 proceedings). The other members are not
known, so the demo picks real authorities from the referential and gives them memberships
that are marked as fictitious. This module holds the rule that picks them and dates their
memberships; `essor demo --fillers-draft` prints its result, which was reviewed (names) and
committed as data/fillers.toml. Loading reads that file only, so a newer referential never
changes the demo by itself.
"""

import datetime
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Sum

from essor.territories.models import Territory

FILLER_NOTE = "Adhésion fictive (données de démonstration)"

# Members at the end of each year, seed members included. Fixed points from the seeds:
# near 110 in 2013 (proceedings of the 2013 meetings), 118 at the end of 2017 (activity
# report 2017). The rest is a plausible growth from the network's founding in 2002.
MEMBERS_AT_YEAR_END = {
    2002: 12,
    2003: 19,
    2004: 27,
    2005: 35,
    2006: 44,
    2007: 53,
    2008: 62,
    2009: 71,
    2010: 80,
    2011: 88,
    2012: 96,
    2013: 108,
    2014: 110,
    2015: 112,
    2016: 115,
    2017: 118,
}

# How many fillers of each level stay members through 2017, and how many left before: with
# the 37 seed members (7 régions, 6 départements, 10 intercommunalités, 14 communes) the
# network counts 12 régions, 20 départements, 35 intercommunalités and 51 communes.
STAYING = {"region": 5, "departement": 14, "intercommunalite": 25, "commune": 37}
LEAVING = {"region": 0, "departement": 1, "intercommunalite": 2, "commune": 5}

# (year joined, year left) of the fillers that left: a few departures, more of them after
# the 2014 municipal and 2015 departmental elections.
DEPARTURES = [
    (2003, 2009),
    (2004, 2011),
    (2005, 2013),
    (2006, 2013),
    (2008, 2014),
    (2007, 2015),
    (2009, 2016),
    (2010, 2017),
]
UNPAID_IN_2017 = 6

# Départements that are no separate collectivity: the Ville de Paris is also the département
# 75; Corse, Guyane, Martinique and Mayotte have one collectivity for both levels (their
# région is the candidate); Bas-Rhin and Haut-Rhin form the Collectivité européenne d'Alsace.
_SAME_COLLECTIVITY = {
    ("departement", code) for code in ("75", "2A", "2B", "972", "973", "976", "67", "68")
}
# The établissements publics territoriaux and the Métropole du Grand Paris date from 2016,
# without a former body of the same extent to have joined before: a membership dating back
# to the 2000s would look wrong, so they are left out.
_CREATED_2016 = {("epci", "200054781")}


@dataclass
class Filler:
    kind: str
    code: str
    name: str
    joined_on: datetime.date
    left_on: datetime.date | None = None
    unpaid: list[int] = field(default_factory=list)


def stable_number(*parts: object) -> int:
    """A number that depends only on its inputs (never on the run), for spreading dates."""
    return zlib.crc32(":".join(str(part) for part in parts).encode())


def filler_plan(excluded: set[tuple[str, str]], seed_joined_years: list[int]) -> list[Filler]:
    """The fictitious members: real authorities not in the demo, picked by level and spread
    over the régions in proportion to their population, dated so that the member counts
    follow MEMBERS_AT_YEAR_END. Deterministic for a given referential."""
    picked = {level: _pick(level, STAYING[level] + LEAVING[level], excluded) for level in STAYING}
    leaving, staying = [], []
    for level, territories in picked.items():
        # The smallest picks of each level are the ones that left.
        cut = len(territories) - LEAVING[level]
        staying += territories[:cut]
        leaving += territories[cut:]
    staying.sort(key=lambda t: stable_number(t.kind, t.code))
    leaving.sort(key=lambda t: stable_number(t.kind, t.code))
    fillers = [
        Filler(
            t.kind,
            t.code,
            display_name(t),
            _day_in(joined, t.code, "joined"),
            _day_in(left, t.code, "left"),
        )
        for t, (joined, left) in zip(leaving, DEPARTURES, strict=True)
    ]
    slots = _joining_years(seed_joined_years)
    fillers += [
        Filler(t.kind, t.code, display_name(t), _day_in(year, t.code, "joined"))
        for t, year in zip(staying, slots, strict=True)
    ]
    members_2017 = [f for f in fillers if f.left_on is None or f.left_on.year > 2017]
    for filler in sorted(members_2017, key=lambda f: stable_number(f.code, "dues"))[
        :UNPAID_IN_2017
    ]:
        filler.unpaid = [2017]
    return sorted(fillers, key=lambda f: (f.joined_on, f.kind, f.code))


def _joining_years(seed_joined_years: list[int]) -> list[int]:
    """The year each staying filler joins, so that seed members plus fillers give the
    target count at the end of every year."""
    years = []
    active_before = 0
    for year, target in sorted(MEMBERS_AT_YEAR_END.items()):
        seeds = sum(1 for joined in seed_joined_years if joined <= year)
        leavers = sum(1 for joined, left in DEPARTURES if joined <= year < left)
        staying_needed = target - seeds - leavers
        joining = staying_needed - active_before
        if joining < 0:
            raise ValueError(f"objectif {year} intenable : {joining} adhésions")
        years += [year] * joining
        active_before = staying_needed
    return years


def _day_in(year: int | None, code: str, salt: str) -> datetime.date | None:
    if year is None:
        return None
    return datetime.date(year, 1 + stable_number(code, salt) % 12, 1)


class _Candidate(NamedTuple):
    pk: int
    kind: str
    code: str
    name: str
    population: int
    region: str


def _pick(level: str, count: int, excluded: set[tuple[str, str]]) -> list[_Candidate]:
    """The `count` most populous authorities of a level not yet in the demo, shared between
    the régions in proportion to their population (D'Hondt), largest first."""
    kind = "epci" if level == "intercommunalite" else level
    left_out = excluded | _SAME_COLLECTIVITY | _CREATED_2016
    rows = (
        Territory.objects.filter(kind=kind, is_current=True)
        .exclude(zone="com")
        .values_list("pk", "kind", "code", "name", "population", "region__code")
    )
    populations = _summed_populations(kind) if kind in ("region", "departement") else {}
    candidates = [
        _Candidate(pk, kind, code, name, populations.get(pk, population or 0), region or code)
        for pk, kind, code, name, population, region in rows
        if (kind, code) not in left_out
    ]
    ranked = sorted(candidates, key=lambda c: (-c.population, c.code))
    if level == "region":
        return ranked[:count]
    by_region = defaultdict(list)
    for candidate in ranked:
        by_region[candidate.region].append(candidate)
    weights = _region_populations()
    seats: dict[str, int] = defaultdict(int)
    chosen = []
    while len(chosen) < count:
        open_regions = [code for code in by_region if seats[code] < len(by_region[code])]
        if not open_regions:
            break
        region = max(
            open_regions, key=lambda code: (weights.get(code, 0) / (seats[code] + 1), code)
        )
        chosen.append(by_region[region][seats[region]])
        seats[region] += 1
    return sorted(chosen, key=lambda c: (-c.population, c.code))


def _summed_populations(kind: str) -> dict[int, int]:
    """Régions and départements have no population in the referential: the sum of their
    communes stands for it."""
    rows = (
        Territory.objects.filter(kind="commune", is_current=True)
        .values_list(kind)
        .annotate(total=Sum("population"))
        .values_list(kind, "total")
    )
    return {pk: total or 0 for pk, total in rows if pk}


def _region_populations() -> dict[str, int]:
    rows = (
        Territory.objects.filter(kind="commune", is_current=True, region__isnull=False)
        .values_list("region__code")
        .annotate(total=Sum("population"))
        .values_list("region__code", "total")
    )
    return {code: total or 0 for code, total in rows}


# ------------------------------------------------------------------ names as used in French

_PLURAL_DEPARTEMENTS = {"Ardennes", "Landes", "Vosges", "Yvelines"}
_PLURAL_PREFIXES = ("Hautes-", "Hauts-", "Alpes-", "Bouches-", "Côtes-", "Deux-", "Pyrénées-")
_FEMININE_DEPARTEMENTS = {
    "Charente", "Charente-Maritime", "Corrèze", "Corse-du-Sud", "Creuse", "Côte-d'Or",
    "Dordogne", "Drôme", "Gironde", "Guadeloupe", "Loire", "Loire-Atlantique", "Lozère",
    "Manche", "Marne", "Mayenne", "Meurthe-et-Moselle", "Meuse", "Moselle", "Nièvre",
    "Sarthe", "Savoie", "Saône-et-Loire", "Seine-Maritime", "Seine-Saint-Denis",
    "Seine-et-Marne", "Somme", "Vendée", "Vienne",
}  # fmt: skip
_EPCI_PREFIXES = {
    "CA ": "Communauté d'agglomération ",
    "CU ": "Communauté urbaine ",
    "CC ": "Communauté de communes ",
}


def display_name(territory: Territory | _Candidate) -> str:
    """The name an authority goes by ("Ville du Havre", "Département des Landes"); a draft
    that a person checks before it is committed."""
    name = territory.name
    if territory.kind == "region":
        return f"Région {name.removeprefix('La ')}"
    if territory.kind == "departement":
        return f"Département {_of_departement(name)}"
    if territory.kind == "commune":
        return f"Ville {_of_commune(name)}"
    return _epci_name(name)


def _epci_name(name: str) -> str:
    """The referential abbreviates the nature ("CA du Pays Basque"); spell it out, unless the
    name already says what it is ("Nîmes Métropole", "Grand Annecy")."""
    name = name.replace(" - ", "-")
    for short, full in _EPCI_PREFIXES.items():
        if not name.startswith(short):
            continue
        rest = name.removeprefix(short)
        if "Métropole" in rest or "Agglo" in rest or rest.startswith("Communauté"):
            return rest.removeprefix("de ")
        if short == "CA " and rest.startswith("Grand "):
            return rest
        return full + rest
    return name


_VOWELS = tuple("AEIOUYÉÈÊÎ")


def _of_commune(name: str) -> str:
    """de Lille, d'Amiens, du Havre, des Abymes, de La Rochelle."""
    if name.startswith("Le "):
        return "du " + name.removeprefix("Le ")
    if name.startswith("Les "):
        return "des " + name.removeprefix("Les ")
    if name.startswith(_VOWELS):
        return "d'" + name
    return "de " + name


def _of_departement(name: str) -> str:
    """du Nord, de la Somme, de l'Aisne, de l'Hérault, des Landes, de La Réunion."""
    if name.startswith("La "):
        return "de " + name
    if name in _PLURAL_DEPARTEMENTS or name.startswith(_PLURAL_PREFIXES):
        return "des " + name
    if name.startswith(_VOWELS) or name.startswith("Hérault"):
        return "de l'" + name
    if name in _FEMININE_DEPARTEMENTS or name.startswith("Haute-"):
        return "de la " + name
    return "du " + name


def fillers_toml(fillers: list[Filler]) -> str:
    """The plan as data/fillers.toml, to be reviewed before it is committed."""
    lines = [
        "# Jeu de démonstration : adhérents FICTIFS. De vraies collectivités, tirées du",
        "# référentiel officiel, dont l'adhésion est inventée : les documents ne nomment que 37",
        "# des 118 adhérents de fin 2017. Chaque adhésion porte la remarque",
        f"# « {FILLER_NOTE} ». Cotisations : `unpaid` liste les années",
        "# où la cotisation (fictive elle aussi) n'est pas payée.",
        "# Produit par `essor demo --fillers-draft` (règle de choix : essor/demo/fillers.py), relu.",
    ]
    for filler in fillers:
        lines += ["", "[[filler]]", f'kind = "{filler.kind}"', f'code = "{filler.code}"']
        lines.append(f'name = "{filler.name}"')
        lines.append(f"joined = {filler.joined_on.isoformat()}")
        if filler.left_on:
            lines.append(f"left = {filler.left_on.isoformat()}")
        if filler.unpaid:
            lines.append(f"unpaid = {filler.unpaid}")
    return "\n".join(lines) + "\n"
