"""Loading the demonstration dataset (essor/demo/data/): facts from the network's public
documents, rewritten, tied to official codes, completed by fictitious members that say they
are. Every load is an upsert: loading twice changes nothing."""

import datetime
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from essor.accounts.models import User
from essor.accounts.services import account_create, account_set_role
from essor.core.models import NetworkSettings, Theme
from essor.core.roles import Role
from essor.core.services import theme_get_or_create
from essor.demo.fillers import FILLER_NOTE, filler_plan, fillers_toml, stable_number
from essor.members import services as members
from essor.members.models import Authority, Dues, GeneralAssembly, Membership, Position
from essor.territories.models import Territory
from essor.territories.selectors import territory_by_code

DATA_DIR = Path(__file__).parent / "data"
DEMO_PASSWORD = "essor-demo-2026"  # noqa: S105 - printed on purpose: demo accounts only
DEMO_ACCOUNTS = [
    (Role.VISITOR, "visiteur@demo.essor.localhost", "Valérie", "Visiteuse"),
    (Role.MEMBER, "membre@demo.essor.localhost", "Marc", "Membre"),
    (Role.EDITOR, "editeur@demo.essor.localhost", "Élise", "Éditrice"),
    (Role.ADMINISTRATOR, "admin@demo.essor.localhost", "Adam", "Administrateur"),
]


class DemoDataError(Exception):
    """The dataset refers to something that does not exist (a code, a key)."""


@dataclass
class DemoReport:
    organisations: int = 0
    authorities: int = 0
    fillers: int = 0
    people: int = 0
    positions: int = 0
    themes: int = 0
    profiles: int = 0
    memberships: int = 0
    members_end_2017: int = 0
    dues: int = 0
    general_assemblies: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def _load(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


def _date(value: object) -> datetime.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


@transaction.atomic
def demo_load() -> DemoReport:
    """Load organisations, authorities and their memberships, fictitious members, people and
    positions, themes, profile sheets, the general assembly, dues, the network's identity and
    one account per role. Raises DemoDataError on a dangling reference, writing nothing."""
    report = DemoReport()
    organisations = _load_organisations(report)
    authorities = _load_authorities(report)
    fillers = _load_fillers(report, authorities)
    _load_people(report, organisations, authorities)
    themes = _load_themes(report)
    _load_profiles(report, authorities, themes)
    _load_general_assemblies(report, organisations)
    _load_dues(report, [*authorities.values(), *fillers], _unpaid_dues())
    report.memberships = Membership.objects.count()
    report.members_end_2017 = Authority.objects.members(on=datetime.date(2017, 12, 31)).count()
    _mark_site(organisations.get("rtes"))
    report.accounts = _ensure_accounts(authorities)
    return report


def _load_organisations(report: DemoReport) -> dict:
    found = {}
    for row in _load("organisations.toml")["organisation"]:
        fields = {
            key: row[key]
            for key in ("acronym", "kind", "website", "description", "founded", "seat")
            if key in row
        }
        found[row["key"]] = members.organisation_upsert(row["key"], name=row["name"], **fields)
    report.organisations = len(found)
    return found


def _load_authorities(report: DemoReport) -> dict[str, Authority]:
    found: dict[str, Authority] = {}
    for row in _load("authorities.toml")["authority"]:
        territory = territory_by_code(row["kind"], row["code"])
        if territory is None:
            raise DemoDataError(
                f"authorities.toml : territoire {row['kind']} {row['code']} inconnu"
            )
        if row["code"] in found:
            raise DemoDataError(
                f"authorities.toml : code {row['code']} ambigu (deux collectivités)"
            )
        authority = _authority_for(territory, row.get("name", ""), row.get("website", ""))
        if row.get("is_member"):
            if "joined" not in row:
                raise DemoDataError(
                    f"authorities.toml : {row['code']} adhérente sans date (joined)"
                )
            _record_membership(authority, _date(row["joined"]), None, row.get("joined_note", ""))
        found[row["code"]] = authority
    report.authorities = len(found)
    return found


def _authority_for(territory: Territory, name: str, website: str) -> Authority:
    """The authority of the territory, written only when the file says something new (a
    load that writes nothing stays fast)."""
    authority = Authority.objects.filter(territory=territory).first()
    if (
        authority is not None
        and authority.name == (name or authority.name)
        and authority.website == (website or authority.website)
    ):
        return authority
    return members.authority_upsert_for_territory(territory, name=name, website=website)


# Earlier versions of the demo dated every membership 1 January 2012, without a note.
_LEGACY_JOINED_ON = datetime.date(2012, 1, 1)


def _record_membership(
    authority: Authority, joined_on: datetime.date, left_on: datetime.date | None, note: str
) -> None:
    authority.memberships.filter(joined_on=_LEGACY_JOINED_ON, note="").exclude(
        joined_on=joined_on
    ).delete()
    current = authority.memberships.filter(joined_on=joined_on).first()
    if current and current.left_on == left_on and current.note == note:
        return
    try:
        members.membership_record(authority, joined_on=joined_on, left_on=left_on, note=note)
    except ValidationError as error:
        raise DemoDataError(f"adhésion de {authority} : {' '.join(error.messages)}") from error


def _load_fillers(report: DemoReport, authorities: dict[str, Authority]) -> list[Authority]:
    """The fictitious members (data/fillers.toml): real authorities, invented memberships,
    each marked as such."""
    cited = {authority.territory_id for authority in authorities.values()}
    found: dict[int, Authority] = {}
    for row in _load("fillers.toml")["filler"]:
        territory = territory_by_code(row["kind"], row["code"])
        if territory is None:
            raise DemoDataError(f"fillers.toml : territoire {row['kind']} {row['code']} inconnu")
        if territory.pk in cited or territory.pk in found:
            raise DemoDataError(
                f"fillers.toml : {row['kind']} {row['code']} figure déjà dans le jeu de données"
            )
        authority = _authority_for(territory, row["name"], "")
        _record_membership(authority, _date(row["joined"]), _date(row.get("left")), FILLER_NOTE)
        found[territory.pk] = authority
    report.fillers = len(found)
    return list(found.values())


def _unpaid_dues() -> set[tuple[str, str, int]]:
    return {
        (row["kind"], row["code"], year)
        for row in _load("fillers.toml")["filler"]
        for year in row.get("unpaid", [])
    }


def fillers_draft() -> str:
    """A fresh draft of data/fillers.toml from the referential in the database."""
    rows = _load("authorities.toml")["authority"]
    excluded = {(row["kind"], row["code"]) for row in rows}
    seed_years = [_date(row["joined"]).year for row in rows if row.get("is_member")]
    return fillers_toml(filler_plan(excluded, seed_years))


def _load_people(report: DemoReport, organisations: dict, authorities: dict) -> None:
    _retire_legacy_board(organisations.get("rtes"))
    for row in _load("people.toml")["person"]:
        person = members.person_get_or_create(row["first_name"], row["last_name"])
        report.people += 1
        for position in row.get("position", []):
            body = _body_of(position, organisations, authorities, person)
            wanted = {
                "title": position["title"],
                **body,
                "kind": position.get("kind", "elected"),
                "board_role": position.get("board_role", ""),
                "start_date": _date(position.get("start")),
                "end_date": _date(position.get("end")),
                "source": source_label(position.get("seed", "")),
            }
            if not Position.objects.filter(person=person, **wanted).exists():
                members.position_record(person, **wanted)
            report.positions += 1


def _retire_legacy_board(network: object) -> None:
    """Earlier versions of the demo started the 2017 board on 1 January; it was elected at
    the general assembly of 30 June 2017. Drop those rows so the board is not listed twice."""
    if network is not None:
        Position.objects.filter(
            organisation=network,
            start_date=datetime.date(2017, 1, 1),
            end_date=datetime.date(2017, 12, 31),
            source=source_label("003"),
        ).exclude(board_role="").delete()


def _body_of(position: dict, organisations: dict, authorities: dict, person: object) -> dict:
    if "organisation" in position:
        if position["organisation"] not in organisations:
            raise DemoDataError(
                f"people.toml : organisation {position['organisation']!r} inconnue ({person})"
            )
        return {"organisation": organisations[position["organisation"]], "authority": None}
    if position.get("authority") not in authorities:
        raise DemoDataError(
            f"people.toml : collectivité {position.get('authority')!r} inconnue ({person})"
        )
    return {"authority": authorities[position["authority"]], "organisation": None}


def _load_themes(report: DemoReport) -> dict[str, Theme]:
    found = {}
    for row in _load("themes.toml")["theme"]:
        found[row["name"]] = theme_get_or_create(row["name"], row.get("description", ""))
    report.themes = len(found)
    return found


_PROFILE_FIELDS = {
    "address": "address",
    "website": "website",
    "context": "ess_context",
    "programme": "ess_programme",
}


def _load_profiles(
    report: DemoReport, authorities: dict[str, Authority], themes: dict[str, Theme]
) -> None:
    """Profile sheets and themes (data/profiles.toml). Lines already as the file says are
    left alone, so a second load neither rewrites them nor adds to the history."""
    for row in _load("profiles.toml")["profile"]:
        authority = authorities.get(row["code"])
        if authority is None or authority.kind != row["kind"]:
            raise DemoDataError(
                f"profiles.toml : collectivité {row['kind']} {row['code']} inconnue"
            )
        unknown = [name for name in row.get("themes", []) if name not in themes]
        if unknown:
            raise DemoDataError(f"profiles.toml : thème(s) inconnu(s) {unknown} ({authority})")
        axes = [
            {"title": axis["title"], "description": axis.get("description", "")}
            for axis in row.get("axis", [])
        ]
        figures = [
            {
                "label": figure["label"],
                "value": _decimal(figure["value"]),
                "unit": figure.get("unit", ""),
                "year": figure.get("year"),
            }
            for figure in row.get("figure", [])
        ]
        budgets = [
            {
                "year": budget["year"],
                "amount": _decimal(budget["amount"]),
                "note": budget.get("note", ""),
            }
            for budget in row.get("budget", [])
        ]
        members.profile_update(
            authority,
            fields={
                field: row[key].strip() for key, field in _PROFILE_FIELDS.items() if key in row
            },
            themes=[themes[name] for name in row["themes"]] if "themes" in row else None,
            policy_axes=_unless_same(authority.policy_axes, axes, "axis" in row),
            ess_figures=_unless_same(authority.ess_figures, figures, "figure" in row),
            ess_budgets=_unless_same(authority.ess_budgets, budgets, "budget" in row),
        )
        report.profiles += 1


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))


def _unless_same(manager: object, rows: list[dict], given: bool) -> list[dict] | None:
    """The rows to write, or None (keep) when the file says nothing or the lines already
    match: profile_update replaces lines wholesale, which would renumber them every load."""
    if not given:
        return None
    keys = list(rows[0]) if rows else []
    current = [{key: getattr(line, key) for key in keys} for line in manager.all()]
    return None if current == rows else rows


def _load_general_assemblies(report: DemoReport, organisations: dict) -> None:
    for row in _load("assemblies.toml")["general_assembly"]:
        organisation = organisations.get(row["organisation"])
        if organisation is None:
            raise DemoDataError(f"assemblies.toml : organisation {row['organisation']!r} inconnue")
        held_on = _date(row["held_on"])
        wanted = {
            "place": row.get("place", ""),
            "summary": row.get("summary", "").strip(),
            "attendance": row.get("attendance"),
        }
        assembly = GeneralAssembly.objects.filter(
            organisation=organisation, held_on=held_on
        ).first() or GeneralAssembly(organisation=organisation, held_on=held_on)
        if assembly.pk is None or any(getattr(assembly, k) != v for k, v in wanted.items()):
            for name, value in wanted.items():
                setattr(assembly, name, value)
            assembly.full_clean()
            assembly.save()
        report.general_assemblies += 1


# Dues of the demo are FICTITIOUS: the network's real scale is not in the documents. A flat
# amount by level, then by population (euros a year), the same in 2016 and 2017.
DUES_YEARS = (2016, 2017)
DUES_SCALE = {
    "region": [(None, 6000)],
    "departement": [(None, 3500)],
    "epci": [(50_000, 600), (150_000, 1200), (400_000, 2400), (None, 4000)],
    "commune": [(10_000, 200), (30_000, 500), (100_000, 1000), (None, 2000)],
}
DUES_SCALE["ept"] = DUES_SCALE["epci"]


def demo_dues_amount(kind: str, population: int) -> Decimal:
    """The fictitious yearly dues of an authority of this level and population."""
    for ceiling, amount in DUES_SCALE.get(kind, DUES_SCALE["commune"]):
        if ceiling is None or population < ceiling:
            return Decimal(amount)
    raise AssertionError("the last band of every scale has no ceiling")


def _load_dues(
    report: DemoReport, authorities: list[Authority], unpaid: set[tuple[str, str, int]]
) -> None:
    """Dues for every demo authority that was a member during the year; paid on a date of
    the year that depends only on the authority, except the few listed as unpaid."""
    populations = _populations(authorities)
    recorded = {
        (dues.authority_id, dues.year): (dues.amount, dues.paid_on)
        for dues in Dues.objects.filter(authority__in=authorities, year__in=DUES_YEARS)
    }
    for year in DUES_YEARS:
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        periods = Membership.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=first),
            authority__in=authorities,
            joined_on__lte=last,
        ).select_related("authority__territory")
        for period in periods:
            authority = period.authority
            kind, code = authority.territory.kind, authority.territory.code
            amount = demo_dues_amount(kind, populations.get(authority.pk, 0))
            paid_on = None if (kind, code, year) in unpaid else _payment_day(period, year, code)
            if recorded.get((authority.pk, year)) != (amount, paid_on):
                members.dues_record(authority, year=year, amount=amount, paid_on=paid_on)
            report.dues += 1


def _payment_day(period: Membership, year: int, code: str) -> datetime.date:
    start = max(datetime.date(year, 2, 1), period.joined_on)
    end = datetime.date(year, 12, 15)
    if period.left_on:
        end = min(end, period.left_on - datetime.timedelta(days=1))
    span = max((end - start).days, 0)
    return start + datetime.timedelta(days=stable_number(code, year, "paid") % (span + 1))


def _populations(authorities: object) -> dict[int, int]:
    """Population of each authority; the referential gives none for régions and
    départements, so theirs is the sum of their communes."""
    found = {}
    territory_of = {a.territory_id: a.pk for a in authorities if a.territory_id}
    for link in ("region", "departement"):
        sums = (
            Territory.objects.filter(
                kind="commune", is_current=True, **{f"{link}_id__in": territory_of}
            )
            .values_list(f"{link}_id")
            .annotate(total=Sum("population"))
        )
        found.update({territory_of[pk]: total or 0 for pk, total in sums})
    for territory in Territory.objects.filter(
        pk__in=territory_of, kind__in=["epci", "ept", "commune"]
    ):
        found[territory_of[territory.pk]] = territory.population or 0
    return found


_SOURCES = {
    "000": "Actes de la rencontre Grand Ouest, Rennes, 12 septembre 2013",
    "001": "Actes des quatre rencontres territoriales de 2013",
    "002": "Dossier du participant, journée CNFPT–RTES sur la loi ESS de 2014",
    "003": "Rapport d'activité 2017 du RTES",
}


def source_label(seed: str) -> str:
    return _SOURCES.get(seed, "")


def _mark_site(network: object) -> None:
    identity = NetworkSettings.load()
    identity.network_name = getattr(network, "name", "") or identity.network_name
    identity.network_acronym = getattr(network, "acronym", "") or identity.network_acronym
    identity.tagline = "Les collectivités engagées pour l'économie sociale et solidaire"
    identity.postal_address = f"Siège : {network.seat}" if getattr(network, "seat", "") else ""
    identity.is_demo = True
    identity.save()


def _ensure_accounts(authorities: dict[str, Authority]) -> list[tuple[str, str, str]]:
    # A member the documents cite, not a fictitious one.
    member_authority = (
        Authority.objects.members()
        .filter(kind="commune")
        .exclude(memberships__note=FILLER_NOTE)
        .order_by("name")
        .first()
    ) or next(iter(authorities.values()), None)
    accounts = []
    for role, email, first_name, last_name in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = account_create(
                email, role=role, first_name=first_name, last_name=last_name, password=DEMO_PASSWORD
            )
        else:
            account_set_role(user, role)
        if role == Role.MEMBER and member_authority is not None:
            members.member_user_attach(user, member_authority)
        accounts.append((role.value, email, DEMO_PASSWORD))
    return accounts
