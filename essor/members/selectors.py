"""Reads on the network's people and bodies, for views and other modules."""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from wagtail.models import ModelLogEntry

from essor.core.text import fold
from essor.members.models import (
    PROFILE_UPDATE_ACTION,
    Authority,
    AuthorityUser,
    BoardRole,
    GeneralAssembly,
    Membership,
    Organisation,
    Person,
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
    authority: Authority
    score: float
    reasons: list[str] = field(default_factory=list)


_POPULATION_WEIGHT, _REGION_WEIGHT, _NEIGHBOUR_WEIGHT, _THEMES_WEIGHT = 0.5, 0.3, 0.15, 0.2


@dataclass(frozen=True)
class _Peer:
    """What comparing needs of an authority, read as plain values (no model objects)."""

    pk: int
    search_name: str
    population: int | None
    region: str


def _peers(authorities: QuerySet[Authority]) -> list[_Peer]:
    rows = authorities.values_list(
        "pk", "search_name", "territory__population", "territory__kind", "territory__code",
        "territory__region__code",
    )  # fmt: skip
    return [
        _Peer(pk, name, population, code if kind == "region" else (region or ""))
        for pk, name, population, kind, code, region in rows
    ]


def comparable_authorities(authority: Authority, limit: int = 5) -> list[Comparable]:
    """The member authorities most like this one, to call as peers: same level first, then
    nearest population, same or neighbouring région, shared themes (three queries, whatever
    the number of members)."""
    same_level = Authority.objects.members().filter(kind=authority.kind)
    peers = _peers(same_level)
    themes: dict[int, set[str]] = {}
    theme_rows = Authority.themes.through.objects.filter(
        Q(authority__in=same_level) | Q(authority=authority)
    ).values_list("authority_id", "theme__name")
    for authority_id, name in theme_rows:
        themes.setdefault(authority_id, set()).add(name)
    mine = next(iter(_peers(Authority.objects.filter(pk=authority.pk))), None) or _Peer(
        authority.pk, authority.search_name, None, ""
    )
    scored = [
        (
            _compare(
                mine, peer, authority.kind, themes.get(mine.pk, set()), themes.get(peer.pk, set())
            ),
            peer,
        )
        for peer in peers
        if peer.pk != authority.pk
    ]
    scored.sort(key=lambda pair: (-pair[0][0], pair[1].search_name))
    best = scored[:limit]
    loaded = Authority.objects.select_related("territory").in_bulk([peer.pk for _, peer in best])
    return [Comparable(loaded[peer.pk], score, reasons) for (score, reasons), peer in best]


def _compare(
    mine: _Peer, other: _Peer, kind: str, my_themes: set, other_themes: set
) -> tuple[float, list[str]]:
    score, reasons = 0.0, ["même niveau"]
    if mine.population and other.population:
        gap = abs(math.log10(mine.population) - math.log10(other.population))
        score += _POPULATION_WEIGHT * max(0.0, 1 - gap / 2)
        if gap <= math.log10(1.5):
            reasons.append("population proche")
    if mine.region and mine.region == other.region and kind != "region":
        score += _REGION_WEIGHT
        reasons.append("même région")
    elif mine.region and other.region in neighbouring_regions(mine.region):
        score += _NEIGHBOUR_WEIGHT
        reasons.append("région voisine")
    shared = my_themes & other_themes
    if shared:
        score += _THEMES_WEIGHT * len(shared) / len(my_themes | other_themes)
        reasons.append("thèmes communs : " + ", ".join(sorted(shared)))
    return score, reasons


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
