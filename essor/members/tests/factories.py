"""Builders other modules' tests may import."""

import datetime

from essor.members import services
from essor.members.models import Authority, Organisation, Person
from essor.territories.models import Territory


def authority_for(code: str, kind: str = "commune", **fields) -> Authority:
    territory = Territory.objects.get(kind=kind, code=code)
    return services.authority_upsert_for_territory(territory, **fields)


def organisation(key: str = "reseau", name: str = "Réseau de test", **fields) -> Organisation:
    return services.organisation_upsert(key, name=name, **fields)


def person(first_name: str = "Camille", last_name: str = "Durand") -> Person:
    return services.person_get_or_create(first_name, last_name)


def network_fixture() -> dict:
    """A small network: one member commune, the network, a person with two positions and a
    member account, keyed by the admin view set names."""
    caen = authority_for("14118", is_member=True, member_since=datetime.date(2012, 1, 1))
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
    return {
        "authority": caen,
        "organisation": network,
        "person": someone,
        "position": position,
        "authorityuser": link,
        "referentiel": caen.territory,
    }
