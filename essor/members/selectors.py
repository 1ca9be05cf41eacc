"""Reads on the network's people and bodies, for views and other modules."""

# ruff: noqa: S608 - the SQL written out here names the models' tables; values always go
# as parameters.

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Count,
    Prefetch,
    Q,
)
from django.utils import timezone
from wagtail.models import ModelLogEntry

from essor.core.models import Theme
from essor.core.paths import slug_path
from essor.core.text import fold
from essor.members.models import (
    PROFILE_UPDATE_ACTION,
    Authority,
    AuthorityUser,
    BoardRole,
    EssBudget,
    EssFigure,
    GeneralAssembly,
    Membership,
    Organisation,
    Person,
    PolicyAxis,
    Position,
)
from essor.territories.models import Territory
from essor.territories.neighbours import neighbouring_regions

NETWORK_ORGANISATION_KIND = "network"
_BOARD_ORDER = [role.value for role in BoardRole]


def authority_of_user(user: object) -> Authority | None:
    """The authority a member user acts for, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    link = AuthorityUser.objects.select_related("authority").filter(user=user).first()
    return link.authority if link else None


def network_organisation() -> Organisation | None:
    """The network that runs this site (the first organisation of kind network with a board)."""
    return (
        Organisation.objects.filter(kind=NETWORK_ORGANISATION_KIND)
        .annotate(board=Count("positions", filter=~Q(positions__board_role="")))
        .order_by("-board", "pk")
        .first()
    )


def board_positions(organisation: Organisation) -> list[Position]:
    """The latest board of the network, president first."""
    boards = boards_by_date(organisation)
    return boards[0]["positions"] if boards else []


def authority_with_people(slug: str) -> Authority | None:
    """An authority with everything its profile sheet shows, in a fixed number of queries."""
    return (
        Authority.objects.select_related(
            "territory",
            "territory__region",
            "territory__departement",
            "territory__epci",
            "territory__ept",
        )
        .prefetch_related(
            Prefetch(
                "positions",
                Position.objects.select_related("person").order_by(
                    "-start_date", "person__last_name"
                ),
            ),
            "themes",
            "policy_axes",
            "ess_figures",
            "ess_budgets",
            "memberships",
        )
        .filter(slug=slug)
        .first()
    )


def current_positions(authority: Authority, on: datetime.date | None = None) -> list[Position]:
    """Who is in charge on a day (today by default): each person's latest position at the
    authority that had started then, if it has not ended (sources rarely give end dates; a
    newer title replaces an older one)."""
    day = on or timezone.localdate()
    latest: dict[int, Position] = {}
    for position in authority.positions.all():  # newest first
        if position.start_date is None or position.start_date <= day:
            latest.setdefault(position.person_id, position)
    return [position for position in latest.values() if position.is_current(day)]


def membership_now(authority: Authority) -> Membership | None:
    """The running membership, from the prefetched memberships."""
    today = timezone.localdate()
    for membership in authority.memberships.all():
        if membership.joined_on <= today and (not membership.left_on or membership.left_on > today):
            return membership
    return None


# --- The profile sheet, read in plain SQL ---------------------------------------------------
# The sheet is computed on each request and is mostly small lists: building the ORM's
# queries cost several times running them, so these reads are written out.

_TERRITORY_COLUMNS = [
    "id", "kind", "code", "name", "nature", "population",
    "region_id", "departement_id", "epci_id", "ept_id",
]  # fmt: skip
_PARENT_KINDS = ("region", "departement", "epci", "ept")


def sql_rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def running_membership_sql(alias: str) -> str:
    """SQL for "the authority `alias` is a member on a day", from its membership columns
    (five parameters, all that day). The latest period tells for nearly every authority; the
    memberships are only read for one that had an earlier period."""
    return (
        f"(({alias}.membership_start <= %s "
        f"AND ({alias}.membership_end IS NULL OR {alias}.membership_end > %s)) "
        f"OR ({alias}.first_joined_on <= %s AND {alias}.first_joined_on < {alias}.membership_start "
        f"AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} m "
        f"WHERE m.authority_id = {alias}.id AND m.joined_on <= %s "
        "AND (m.left_on IS NULL OR m.left_on > %s))))"
    )


def running_membership_params(day: datetime.date) -> list[datetime.date]:
    """The parameters of running_membership_sql() for `day`."""
    return [day] * 5


def sql_date(value: object) -> datetime.date | None:
    """A date computed in SQL: SQLite gives it as text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


_AUTHORITY_FIELDS = [f.attname for f in Authority._meta.concrete_fields]
_PEER_FIELDS = ["id", "name", "slug", "search_name", "peer_population", "peer_region"]


def _authority_from_row(values: tuple) -> Authority:
    """An Authority from its columns in _AUTHORITY_FIELDS order, as the ORM builds it."""
    authority = Authority.from_db(connection.alias, _AUTHORITY_FIELDS, values)
    stamp = authority.profile_updated_at
    if stamp is not None and timezone.is_naive(stamp):  # SQLite: stored in UTC
        authority.profile_updated_at = timezone.make_aware(stamp, datetime.UTC)
    return authority


def authority_sheet(slug: str) -> Authority | None:
    """An authority for its profile sheet, with its territory (the fields the sheet shows)
    and its running membership as `joined_on` and `membership_note` (one query)."""
    fields = _AUTHORITY_FIELDS
    running = (
        f"FROM {Membership._meta.db_table} m WHERE m.authority_id = a.id AND m.joined_on <= %s "
        "AND (m.left_on IS NULL OR m.left_on > %s) ORDER BY m.joined_on DESC LIMIT 1"
    )
    sql = (
        f"SELECT {', '.join(f'a.{name}' for name in fields)}, "
        f"{', '.join(f't.{name}' for name in _TERRITORY_COLUMNS)}, "
        f"(SELECT m.joined_on {running}), (SELECT m.note {running}) "
        f"FROM {Authority._meta.db_table} a "
        f"LEFT JOIN {Territory._meta.db_table} t ON t.id = a.territory_id WHERE a.slug = %s"
    )
    day = timezone.localdate()
    rows = sql_rows(sql, [day, day, day, day, slug])
    if not rows:
        return None
    row = rows[0]
    authority = _authority_from_row(row[: len(fields)])
    territory_values = row[len(fields) : len(fields) + len(_TERRITORY_COLUMNS)]
    if authority.territory_id:
        authority.territory = Territory.from_db(
            connection.alias, _TERRITORY_COLUMNS, territory_values
        )
    authority.joined_on, authority.membership_note = sql_date(row[-2]), row[-1]
    return authority


class SheetPosition(NamedTuple):
    """A position as the sheet lists it, read as plain values (a tuple: a sheet lists tens,
    and a frozen dataclass cost several times as much to build)."""

    person_id: int
    person_slug: str
    full_name: str
    email: str
    phone: str
    title: str
    kind: str
    start_date: datetime.date | None
    end_date: datetime.date | None

    def is_current(self, day: datetime.date) -> bool:
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or self.end_date >= day
        )


def sheet_positions(authority: Authority) -> list[SheetPosition]:
    """Every position at the authority, newest first (the order of authority_with_people)."""
    sql = (
        "SELECT p.person_id, pe.slug, pe.first_name, pe.last_name, pe.email, pe.phone, "
        "p.title, p.kind, p.start_date, p.end_date "
        f"FROM {Position._meta.db_table} p JOIN {Person._meta.db_table} pe ON pe.id = p.person_id "
        "WHERE p.authority_id = %s ORDER BY p.start_date DESC, pe.last_name ASC"
    )
    return [
        SheetPosition(pk, slug, f"{first} {last}".strip(), email, phone, title, kind,
                      sql_date(start), sql_date(end))
        for pk, slug, first, last, email, phone, title, kind, start, end
        in sql_rows(sql, [authority.pk])
    ]  # fmt: skip


def current_of(positions: list[SheetPosition], on: datetime.date | None = None) -> list:
    """Who is in charge on a day, as current_positions() tells it, from sheet_positions()."""
    day = on or timezone.localdate()
    latest: dict[int, SheetPosition] = {}
    for position in positions:  # newest first
        if position.start_date is None or position.start_date <= day:
            latest.setdefault(position.person_id, position)
    return [position for position in latest.values() if position.is_current(day)]


def _decimal(value: object) -> Decimal | None:
    """A decimal column: SQLite gives it as a number."""
    return value if value is None or isinstance(value, Decimal) else Decimal(str(value))


def sheet_parts(authority: Authority) -> dict[str, list]:
    """The themes (pk, name), policy axes, figures and budgets of a sheet, as plain values,
    in their models' orders."""
    pk = [authority.pk]
    themes = sql_rows(
        f"SELECT th.id, th.name FROM {Theme._meta.db_table} th "
        f"JOIN {Authority.themes.through._meta.db_table} l ON l.theme_id = th.id "
        "WHERE l.authority_id = %s ORDER BY th.name",
        pk,
    )
    axes = sql_rows(
        f"SELECT title, description FROM {PolicyAxis._meta.db_table} "
        "WHERE authority_id = %s ORDER BY sort_order",
        pk,
    )
    figures = sql_rows(
        f"SELECT label, value, unit, year FROM {EssFigure._meta.db_table} "
        "WHERE authority_id = %s ORDER BY sort_order",
        pk,
    )
    budgets = sql_rows(
        f"SELECT year, amount, note FROM {EssBudget._meta.db_table} "
        "WHERE authority_id = %s ORDER BY year DESC",
        pk,
    )
    return {
        "themes": themes,
        "axes": [{"title": title, "description": text} for title, text in axes],
        "figures": [
            {"label": label, "value": _decimal(value), "unit": unit, "year": year}
            for label, value, unit, year in figures
        ],
        "budgets": [
            {"year": year, "amount": _decimal(amount), "note": note}
            for year, amount, note in budgets
        ],
    }


@dataclass(frozen=True)
class SheetParent:
    """A territory the authority's lies in, with its authority's address if known."""

    territory: Territory
    url: str
    is_member: bool


def sheet_parents(authority: Authority) -> list[SheetParent]:
    """parent_territories() in plain values (one query)."""
    territory = authority.territory
    if territory is None:
        return []
    wanted = [
        (kind, getattr(territory, f"{kind}_id"))
        for kind in _PARENT_KINDS
        if getattr(territory, f"{kind}_id") is not None and territory.kind != kind
    ]
    if not wanted:
        return []
    day = timezone.localdate()
    columns = ["id", "kind", "name", "nature"]
    sql = (
        f"SELECT {', '.join(f't.{name}' for name in columns)}, a.slug, "
        f"CASE WHEN a.id IS NULL THEN 0 WHEN {running_membership_sql('a')} THEN 1 ELSE 0 END "
        f"FROM {Territory._meta.db_table} t "
        f"LEFT JOIN {Authority._meta.db_table} a ON a.territory_id = t.id "
        f"WHERE t.id IN ({', '.join(['%s'] * len(wanted))})"
    )
    params = [*running_membership_params(day), *(pk for _kind, pk in wanted)]
    found = {row[0]: row for row in sql_rows(sql, params)}
    authority_path = slug_path("members:authority")
    parents = []
    for _kind, pk in wanted:
        if pk in found:
            row = found[pk]
            parents.append(
                SheetParent(
                    Territory.from_db(connection.alias, columns, row[:4]),
                    authority_path(row[4]) if row[4] else "",
                    bool(row[5]),
                )
            )
    return parents


def member_authorities_within_rows(authority: Authority) -> list[tuple[str, str, str]]:
    """member_authorities_within() as (name, slug, kind) rows, same order."""
    territory = authority.territory
    if territory is None or territory.kind not in _PARENT_KINDS:
        return []
    day = timezone.localdate()
    sql = (
        f"SELECT a.name, a.slug, a.kind FROM {Authority._meta.db_table} a "
        f"JOIN {Territory._meta.db_table} t ON t.id = a.territory_id "
        f"WHERE t.{territory.kind}_id = %s AND {running_membership_sql('a')} "
        "ORDER BY a.kind, a.search_name"
    )
    return sql_rows(sql, [territory.pk, *running_membership_params(day)])


@dataclass(frozen=True)
class RelatedTerritory:
    territory: Territory
    authority: Authority | None
    is_member: bool


def parent_territories(authority: Authority) -> list[RelatedTerritory]:
    """The région, département and intercommunalités the authority's territory lies in, with
    their authority and whether it is a member (one query)."""
    territory = authority.territory
    if territory is None:
        return []
    parents = [
        parent
        for kind, parent in (
            ("region", territory.region),
            ("departement", territory.departement),
            ("epci", territory.epci),
            ("ept", territory.ept),
        )
        if parent is not None and territory.kind != kind
    ]
    authorities = {
        a.territory_id: a
        for a in Authority.objects.filter(territory__in=parents).with_member_flag()
    }
    return [
        RelatedTerritory(
            parent,
            authorities.get(parent.pk),
            bool(getattr(authorities.get(parent.pk), "is_current_member", False)),
        )
        for parent in parents
    ]


def member_authorities_within(authority: Authority) -> list[Authority]:
    """The member authorities located in the authority's territory (a région's départements,
    intercommunalités and communes…)."""
    territory = authority.territory
    if territory is None or territory.kind == "commune":
        return []
    return list(
        Authority.objects.members()
        .filter(**{f"territory__{territory.kind}": territory})
        .select_related("territory")
        .order_by("kind", "search_name")
    )


@dataclass
class Comparable:
    """A peer as the sheet shows it; `authority` is read on first use (the sheet only
    prints the name and address: reading every column of the peers ranked cost more than
    ranking them)."""

    name: str
    slug: str
    score: float
    reasons: list[str] = field(default_factory=list)
    population: int | None = None
    pk: int | None = field(default=None, repr=False)

    @cached_property
    def authority(self) -> Authority:
        return Authority.objects.in_bulk([self.pk])[self.pk]


_POPULATION_WEIGHT, _REGION_WEIGHT, _NEIGHBOUR_WEIGHT, _THEMES_WEIGHT = 0.5, 0.3, 0.15, 0.2
# The database ranks with its own floating-point arithmetic; a few more rows than shown
# are read and the final order is computed here, so rounding cannot change it.
_RANK_MARGIN = 5
# The first reading only looks at peers that could come within this of the best possible
# score; when fewer than the number shown do, a second reading widens to what is needed.
_FIRST_REACH = 0.25


@dataclass
class _Peer:
    """What comparing needs of an authority, read as plain values (no model objects)."""

    pk: int
    name: str
    slug: str
    search_name: str
    population: int | None
    region: str
    shared: list[str] = field(default_factory=list)  # names of the themes in common
    themes: int = 0  # how many themes of its own


@dataclass(frozen=True)
class _Side:
    """The authority compared: its population, themes, and the région classes that bring
    a bonus (région codes and bonus; None for every other région, bonus 0)."""

    population: int | None
    themes: dict[int, str]
    classes: list[tuple[frozenset[str] | None, float]]


def comparable_authorities(
    authority: Authority, limit: int = 5, themes: dict[int, str] | None = None
) -> list[Comparable]:
    """The member authorities most like this one, to call as peers: same level first, then
    nearest population, same or neighbouring région, shared themes (`themes`: the
    authority's, {pk: name}, when already read).

    Only the peers that could score best are read, through the index on the population and
    région copied on each authority, ranked by the database and scored exactly here: two
    small queries, three when the first reading was too narrow."""
    side = _side(authority, themes)
    themes_weight = _THEMES_WEIGHT if side.themes else 0.0
    best_bonus = max(bonus for _codes, bonus in side.classes)
    threshold = _POPULATION_WEIGHT + best_bonus + themes_weight - _FIRST_REACH
    while True:
        found = _ranked(authority, side, threshold - themes_weight, limit + _RANK_MARGIN)
        # Exact once the shown peers all reach the threshold: a peer left unread could not
        # (the margin covers the database's rounding).
        if threshold <= 0 or (len(found) >= limit and found[limit - 1][1] >= threshold + 1e-9):
            break
        threshold = found[limit - 1][1] - 1e-9 if len(found) >= limit else 0.0
    peers = [peer for peer, _rank in found]
    if side.themes and peers:
        _add_themes(peers, side.themes)
    scored = sorted(
        ((_score(side, peer), peer) for peer in peers),
        key=lambda pair: (-pair[0], pair[1].search_name, pair[1].pk),
    )
    return [
        Comparable(peer.name, peer.slug, score, _reasons(side, peer), peer.population, peer.pk)
        for score, peer in scored[:limit]
    ]


def _side(authority: Authority, themes: dict[int, str] | None) -> _Side:
    region = authority.peer_region
    classes: list[tuple[frozenset[str] | None, float]] = []
    if region and authority.kind != "region":
        classes.append((frozenset([region]), _REGION_WEIGHT))
    neighbours = neighbouring_regions(region) if region else frozenset()
    if neighbours:
        classes.append((neighbours, _NEIGHBOUR_WEIGHT))
    classes.append((None, 0.0))
    if themes is None:
        themes = {theme.pk: theme.name for theme in authority.themes.all()}
    return _Side(authority.peer_population, themes, classes)


def _reach(side: _Side, floor: float) -> list[tuple[str, list, float]]:
    """For each région class whose peers could bring `floor` by their population and région
    alone: SQL for those peers, its parameters and the class's bonus (none: none could)."""
    near = sorted(code for codes, _bonus in side.classes if codes for code in codes)
    branches = []
    for codes, bonus in side.classes:
        if codes:
            where, values = f"a.peer_region IN ({', '.join(['%s'] * len(codes))})", sorted(codes)
        elif near:
            where, values = f"a.peer_region NOT IN ({', '.join(['%s'] * len(near))})", near
        else:
            where, values = "1 = 1", []
        need = floor - bonus  # what the population must still bring
        if need > 0:
            if not side.population or need > _POPULATION_WEIGHT:
                continue
            spread = 10 ** (2 * (1 - need / _POPULATION_WEIGHT))  # widest population ratio
            where += " AND a.peer_population BETWEEN %s AND %s"
            values = [
                *values,
                math.floor(side.population / spread * (1 - 1e-9)),
                math.ceil(side.population * spread * (1 + 1e-9)),
            ]
        branches.append((where, values, bonus))
    return branches


def _ranked(
    authority: Authority, side: _Side, floor: float, count: int
) -> list[tuple[_Peer, float]]:
    """The `count` members of the authority's level, within reach of `floor`, that score
    best as the database computes it, with that score."""
    branches = _reach(side, floor)
    if not branches:
        return []
    population, themes, rank_params = _rank_sql(side)
    day = timezone.localdate()
    # Raw SQL: the ORM spent several times the query's own cost building this expression.
    # One SELECT per région class (they do not overlap), each with its bonus as a constant:
    # SQLite reads each through the peers' index for about a quarter less than one OR.
    select = (
        f"SELECT {', '.join(f'a.{name}' for name in _PEER_FIELDS)}, "
        f"{population} + %s + {themes} AS rank FROM {Authority._meta.db_table} a "
        "WHERE a.kind = %s AND a.id <> %s AND "
    )
    running = f" AND {running_membership_sql('a')}"
    parts, params = [], []
    for where, values, bonus in branches:
        parts.append(f"{select}{where}{running}")
        params += [*rank_params[0], bonus, *rank_params[1], authority.kind, authority.pk]
        params += [*values, *running_membership_params(day)]
    sql = (
        f"SELECT * FROM ({' UNION ALL '.join(parts)}) peers "
        "ORDER BY rank DESC, search_name, id LIMIT %s"
    )
    return [(_Peer(*row[:-1]), row[-1]) for row in sql_rows(sql, [*params, count])]


def _rank_sql(side: _Side) -> tuple[str, str, tuple[list, list]]:
    """The score but for the région bonus as SQL: population closeness, share of themes,
    and their parameters."""
    population, population_params = "0", []
    if side.population:
        # Nested CASE: the logarithm is only taken of a positive population.
        gap = "ABS(LN(CAST(a.peer_population AS DOUBLE PRECISION)) - %s) / %s"
        population = (
            f"CASE WHEN a.peer_population > 0 THEN (CASE WHEN {gap} < 2 "
            f"THEN %s * (1 - {gap} / 2) ELSE 0 END) ELSE 0 END"
        )
        logs = [math.log(side.population), math.log(10)]
        population_params = [*logs, _POPULATION_WEIGHT, *logs]
    themes, themes_params = "0", []
    if side.themes:
        mine = ", ".join(["%s"] * len(side.themes))
        shared = f"SUM(CASE WHEN t.theme_id IN ({mine}) THEN 1 ELSE 0 END)"
        links = Authority.themes.through._meta.db_table
        share = f"%s * {shared} / (%s + COUNT(*) - {shared})"
        themes = f"COALESCE((SELECT {share} FROM {links} t WHERE t.authority_id = a.id), 0)"
        themes_params = [_THEMES_WEIGHT, *side.themes, len(side.themes), *side.themes]
    return population, themes, (population_params, themes_params)


def _add_themes(peers: list[_Peer], themes: dict[int, str]) -> None:
    """Each peer's number of themes and the names of those it shares with `themes`."""
    by_pk = {peer.pk: peer for peer in peers}
    rows = sql_rows(
        f"SELECT authority_id, theme_id FROM {Authority.themes.through._meta.db_table} "
        f"WHERE authority_id IN ({', '.join(['%s'] * len(by_pk))})",
        list(by_pk),
    )
    for authority_id, theme_id in rows:
        peer = by_pk[authority_id]
        peer.themes += 1
        if theme_id in themes:
            peer.shared.append(themes[theme_id])


def _score(side: _Side, peer: _Peer) -> float:
    """The score, exactly as ranked: population closeness, région, then shared themes."""
    score = 0.0
    if side.population and peer.population:
        gap = abs(math.log10(side.population) - math.log10(peer.population))
        score += _POPULATION_WEIGHT * max(0.0, 1 - gap / 2)
    score += _region_bonus(side, peer)
    if peer.shared:
        union = len(side.themes) + peer.themes - len(peer.shared)
        score += _THEMES_WEIGHT * len(peer.shared) / union
    return score


def _region_bonus(side: _Side, peer: _Peer) -> float:
    for codes, bonus in side.classes:
        if codes and peer.region in codes:
            return bonus
    return 0.0


def _reasons(side: _Side, peer: _Peer) -> list[str]:
    reasons = ["même niveau"]
    if side.population and peer.population:
        gap = abs(math.log10(side.population) - math.log10(peer.population))
        if gap <= math.log10(1.5):
            reasons.append("population proche")
    bonus = _region_bonus(side, peer)
    if bonus == _REGION_WEIGHT:
        reasons.append("même région")
    elif bonus == _NEIGHBOUR_WEIGHT:
        reasons.append("région voisine")
    if peer.shared:
        reasons.append("thèmes communs : " + ", ".join(sorted(peer.shared)))
    return reasons


def member_counts_by_kind(on: datetime.date | None = None) -> dict[str, int]:
    """How many members of each level on a day (today by default), in one query."""
    rows = Authority.objects.members(on=on).values("kind").annotate(total=Count("pk"))
    return {row["kind"]: row["total"] for row in rows}


def member_count(on: datetime.date | None = None) -> int:
    return Authority.objects.members(on=on).count()


def member_counts_by_year(first: int | None = None, last: int | None = None) -> list[dict]:
    """The number of members at the end of each year, from the first membership on."""
    last = last or timezone.localdate().year
    if first is None:
        earliest = Membership.objects.order_by("joined_on").values_list("joined_on", flat=True)
        first = earliest[0].year if earliest else last
    periods = list(Membership.objects.values_list("authority_id", "joined_on", "left_on"))
    counts = []
    for year in range(first, last + 1):
        day = datetime.date(year, 12, 31)
        running = {
            authority
            for authority, joined, left in periods
            if joined <= day and (left is None or left > day)
        }
        counts.append({"year": year, "count": len(running)})
    return counts


def general_assemblies(organisation: Organisation) -> list[GeneralAssembly]:
    return list(GeneralAssembly.objects.filter(organisation=organisation))


def boards_by_date(organisation: Organisation) -> list[dict]:
    """Every board of the network, latest first: the mandates that started on one day."""
    positions = (
        Position.objects.filter(organisation=organisation)
        .exclude(board_role="")
        .select_related("person")
        .order_by("-start_date", "person__last_name")
    )
    boards: dict[datetime.date | None, list[Position]] = {}
    for position in positions:
        boards.setdefault(position.start_date, []).append(position)
    return [
        {
            "start_date": start,
            "positions": sorted(
                group, key=lambda p: (_BOARD_ORDER.index(p.board_role), p.person.last_name)
            ),
        }
        for start, group in boards.items()
    ]


def person_with_positions(slug: str) -> Person | None:
    return (
        Person.objects.prefetch_related(
            Prefetch(
                "positions",
                Position.objects.select_related("authority", "organisation").order_by(
                    "-start_date"
                ),
            )
        )
        .filter(slug=slug)
        .first()
    )


def network_figures() -> list[dict]:
    """Figures shown on the home page."""
    members = Authority.objects.members().count()
    people = Person.objects.count()
    figures = []
    if members:
        figures.append({"value": members, "label": "collectivités adhérentes"})
    if people:
        figures.append({"value": people, "label": "élu·es et technicien·nes référencé·es"})
    return figures


@dataclass(frozen=True)
class ProfileEdit:
    when: datetime.datetime
    who: str
    changes: list[dict]


def profile_history(authority: Authority, limit: int = 20) -> list[ProfileEdit]:
    """The latest updates of the authority's profile sheet, with what each changed."""
    entries = (
        ModelLogEntry.objects.for_instance(authority)
        .filter(action=PROFILE_UPDATE_ACTION)
        .select_related("user")
        .order_by("-timestamp")[:limit]
    )
    return [
        ProfileEdit(
            entry.timestamp,
            entry.user.get_full_name() or entry.user.email if entry.user else "L'équipe",
            entry.data.get("changes", []),
        )
        for entry in entries
    ]


@dataclass
class AreaCount:
    code: str
    name: str
    count: int = 0
    is_member: bool = False  # the région or département is itself a member
    departements: list["AreaCount"] = field(default_factory=list)


def member_counts_by_area(on: datetime.date | None = None) -> list[AreaCount]:
    """Members counted in each région and each of its départements (an authority counts where
    it lies: a commune in its département, an EPCI in its seat's), régions in name order."""
    regions = {
        t.code: AreaCount(t.code, t.name)
        for t in Territory.objects.filter(kind="region", is_current=True).order_by("name")
    }
    departements = {}
    for t in Territory.objects.filter(kind="departement", is_current=True).select_related("region"):
        departements[t.code] = AreaCount(t.code, t.name)
        if t.region and t.region.code in regions:
            regions[t.region.code].departements.append(departements[t.code])
    rows = Authority.objects.members(on=on).values_list(
        "kind", "territory__code", "territory__region__code", "territory__departement__code"
    )
    for kind, code, region_code, departement_code in rows:
        if kind == "region" and code in regions:
            regions[code].is_member = True
            region_code = code
        if kind == "departement" and code in departements:
            departements[code].is_member = True
            departement_code = code
        if region_code in regions:
            regions[region_code].count += 1
        if departement_code in departements:
            departements[departement_code].count += 1
    for region in regions.values():
        region.departements.sort(key=lambda d: d.code)
    return list(regions.values())


def person_match(first_name: str, last_name: str) -> Person | None:
    """The person already known under this name, written with or without accents, hyphens,
    capitals or extra spaces ("Helene Dupont Martin" is "Hélène Dupont-Martin"); the oldest
    record when several match. Names are stored as typed and neither SQLite nor PostgreSQL
    folds accents the same way, so the comparison is made here on the names alone."""
    wanted = fold(f"{first_name} {last_name}")
    if not wanted:
        return None
    rows = Person.objects.order_by("pk").values_list("pk", "first_name", "last_name")
    for pk, first, last in rows.iterator():
        if fold(f"{first} {last}") == wanted:
            return Person.objects.get(pk=pk)
    return None
