"""Builders other modules' tests may import."""

import datetime

from essor.core.services import theme_get_or_create
from essor.members import services
from essor.members.models import Authority, GeneralAssembly, Organisation, Person
from essor.territories.models import Territory


def authority_for(
    code: str, kind: str = "commune", joined_on: datetime.date | None = None, **fields
) -> Authority:
    """The authority of a territory of the referential, a member since `joined_on` if given."""
    territory = Territory.objects.get(kind=kind, code=code)
    authority = services.authority_upsert_for_territory(territory, **fields)
    if joined_on:
        services.membership_record(authority, joined_on=joined_on)
    return authority


def organisation(key: str = "reseau", name: str = "Réseau de test", **fields) -> Organisation:
    return services.organisation_upsert(key, name=name, **fields)


def person(first_name: str = "Camille", last_name: str = "Durand") -> Person:
    return services.person_get_or_create(first_name, last_name)


def network_fixture() -> dict:
    """A small network: one member commune, the network, a person with two positions and a
    member account, keyed by the admin view set names."""
    caen = authority_for("14118", joined_on=datetime.date(2012, 1, 1))
    network = organisation(
        "rtes",
        "Réseau des collectivités Territoriales pour une Économie Solidaire",
        acronym="RTES",
        kind="network",
    )
    someone = person()
    position = services.position_record(
        someone,
        title="Présidente",
        organisation=network,
        board_role="president",
        start_date=datetime.date(2017, 1, 1),
    )
    services.position_record(
        someone, title="Adjointe à l'ESS", authority=caen, start_date=datetime.date(2017, 1, 1)
    )
    from essor.accounts.services import account_create
    from essor.core.roles import Role

    account = account_create(
        "membre-caen@example.org", role=Role.MEMBER, password="x-long-password-1"
    )
    link = services.member_user_attach(account, caen, someone)
    dues = services.dues_record(caen, year=2017, amount="450.00")
    assembly = GeneralAssembly.objects.create(
        organisation=network, held_on=datetime.date(2017, 1, 1), place="Lille"
    )
    theme = theme_get_or_create("Alimentation durable")
    caen.themes.add(theme)
    caen.save()
    return {
        "membership": caen.memberships.get(),
        "dues": dues,
        "generalassembly": assembly,
        "themes": theme,
        "authority": caen,
        "organisation": network,
        "person": someone,
        "position": position,
        "authorityuser": link,
        "referentiel": caen.territory,
    }
