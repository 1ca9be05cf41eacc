import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from essor.members import services
from essor.members.models import Authority, Position
from essor.members.tests.factories import authority_for, organisation, person

pytestmark = pytest.mark.django_db


def test_one_person_two_positions():
    """'Présidente du réseau, conseillère municipale de Lille' is one person, two positions."""
    lille = authority_for("59350")
    network = organisation()
    bouchart = person("Christiane", "Bouchart")
    services.position_record(bouchart, title="Présidente", organisation=network)
    services.position_record(
        services.person_get_or_create("christiane", "BOUCHART"),
        title="Conseillère municipale",
        authority=lille,
    )
    assert bouchart.positions.count() == 2


def test_a_position_is_at_exactly_one_body():
    with pytest.raises(ValidationError):
        services.position_record(
            person(), title="Élue", authority=authority_for("59350"), organisation=organisation()
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Position.objects.create(person=person(), title="Sans structure")


def test_position_dates_must_be_ordered():
    with pytest.raises(ValidationError):
        services.position_record(
            person(),
            title="Élue",
            organisation=organisation(),
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2019, 1, 1),
        )


def test_authority_needs_a_territory_or_a_siren():
    with transaction.atomic(), pytest.raises(IntegrityError):
        Authority.objects.create(name="Pays imaginaire", slug="pays", kind="other")
    Authority.objects.create(
        name="Pays de Langres", slug="pays-de-langres", kind="other", siren="200000000"
    )


def test_authority_population_comes_from_the_referential():
    assert authority_for("14118").population > 100_000


def test_upsert_for_a_territory_keeps_one_authority():
    first = authority_for("14118", name="Ville de Caen")
    again = authority_for("14118", joined_on=datetime.date(2015, 1, 1))
    assert first.pk == again.pk and again.name == "Ville de Caen" and again.is_member
