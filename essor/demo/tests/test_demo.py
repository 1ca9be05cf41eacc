from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import ModelLogEntry, Revision

from essor.accounts.models import User
from essor.core.testing import assert_page_ok
from essor.ingest.models import IngestedDocument
from essor.ingest.reading import corpus_files
from essor.initiatives.models import Initiative, PracticeSheet
from essor.members.models import Authority, Organisation, Person, Position

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Organisation.objects.count(),
        Authority.objects.count(),
        Person.objects.count(),
        Position.objects.count(),
        User.objects.count(),
        Initiative.objects.count(),
        PracticeSheet.objects.count(),
        # A rewrite would add a revision and a history entry even without a new row.
        Revision.objects.count(),
        ModelLogEntry.objects.count(),
    )


def test_demo_loads_real_names_once(demo):
    # `demo` ran `essor demo` on an empty database; this is the second load.
    first = _counts()
    call_command("demo", stdout=StringIO())
    assert _counts() == first, "loading twice must create no duplicates"
    _, authorities, people, _, users, initiatives, sheets, *_ = first
    assert authorities >= 40 and people >= 40 and users == 4
    # The seeds went through the ingestion pipeline, once.
    assert IngestedDocument.objects.count() == len(corpus_files())
    assert initiatives >= 12 and sheets == 26
    rtes = Organisation.objects.get(acronym="RTES")
    assert rtes.founded == 2002 and rtes.seat == "Lille"
    president = Position.objects.get(
        organisation=rtes, board_role="president", start_date__year=2017
    )
    assert president.person.full_name == "Christiane Bouchart"
    assert Authority.objects.get(territory__kind="region", territory__code="53").is_member


def test_every_page_says_it_is_a_demo(demo, client):
    for url in ("/", "/reseau/", "/compte/connexion/"):
        assert "données de démonstration" in assert_page_ok(client.get(url))


def test_demo_accounts_can_log_in(demo, client):
    response = client.post(
        "/compte/connexion/",
        {"username": "membre@demo.essor.localhost", "password": "essor-demo-2026"},
    )
    assert response.status_code == 302
    assert "Ma collectivité" in client.get("/compte/").content.decode()


def test_demo_is_refused_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo")
