"""Loading the demonstration dataset (essor/demo/data/): facts from the network's public
documents, rewritten, tied to official codes. Every load is an upsert: loading twice
changes nothing."""

import datetime
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from wagtail.models import Site

from essor.accounts.models import User
from essor.accounts.services import account_create, account_set_role
from essor.core.models import NetworkSettings
from essor.core.roles import Role
from essor.members import services as members
from essor.members.models import Authority
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
    people: int = 0
    positions: int = 0
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
    """Load organisations, authorities, people and positions, the network's identity and one
    account per role. Raises DemoDataError on a dangling reference, writing nothing."""
    report = DemoReport()
    organisations = _load_organisations(report)
    authorities = _load_authorities(report)
    _load_people(report, organisations, authorities)
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
        found[row["code"]] = members.authority_upsert_for_territory(
            territory,
            name=row.get("name", ""),
            website=row.get("website", ""),
            is_member=row.get("is_member", False),
            member_since=datetime.date(row["member_since"], 1, 1)
            if row.get("member_since")
            else None,
        )
    report.authorities = len(found)
    return found


def _load_people(report: DemoReport, organisations: dict, authorities: dict) -> None:
    for row in _load("people.toml")["person"]:
        person = members.person_get_or_create(row["first_name"], row["last_name"])
        report.people += 1
        for position in row.get("position", []):
            body = _body_of(position, organisations, authorities, person)
            members.position_record(
                person,
                title=position["title"],
                **body,
                kind=position.get("kind", "elected"),
                board_role=position.get("board_role", ""),
                start_date=_date(position.get("start")),
                end_date=_date(position.get("end")),
                source=_source_label(position.get("seed", "")),
            )
            report.positions += 1


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


_SOURCES = {
    "000": "Actes de la rencontre Grand Ouest, Rennes, 12 septembre 2013",
    "001": "Actes des quatre rencontres territoriales de 2013",
    "002": "Dossier du participant, journée CNFPT–RTES sur la loi ESS de 2014",
    "003": "Rapport d'activité 2017 du RTES",
}


def _source_label(seed: str) -> str:
    return _SOURCES.get(seed, "")


def _mark_site(network: object) -> None:
    site = Site.objects.get(is_default_site=True)
    identity = NetworkSettings.for_site(site)
    identity.network_name = getattr(network, "name", "") or identity.network_name
    identity.network_acronym = getattr(network, "acronym", "") or identity.network_acronym
    identity.tagline = "Les collectivités engagées pour l'économie sociale et solidaire"
    identity.postal_address = f"Siège : {network.seat}" if getattr(network, "seat", "") else ""
    identity.is_demo = True
    identity.save()


def _ensure_accounts(authorities: dict[str, Authority]) -> list[tuple[str, str, str]]:
    member_authority = Authority.objects.filter(is_member=True, kind="commune").order_by(
        "name"
    ).first() or next(iter(authorities.values()), None)
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
