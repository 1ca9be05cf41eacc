"""The search page: results with their highlighted passage and facets, bad filters explained
and ignored, members-only passages only for members."""

import pytest

from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.initiatives.tests.factories import initiative_make
from essor.library.tests.factories import publication_make
from essor.search.services import index_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed():
    initiative_make("Monnaie locale du Boulonnais", summary="Une monnaie locale complémentaire.")
    publication_make(
        "Note interne", pages=("La monnaie locale et la cotisation.",), members_only=True
    )
    index_rebuild()


def test_the_page_answers_with_highlighted_results_and_facets(client, indexed):
    page = assert_page_ok(client.get("/recherche/?q=monnaie+locale"))
    assert "1 résultat pour « monnaie locale »" in page
    assert "<mark>monnaie</mark>" in page or "<mark>Monnaie</mark>" in page
    assert "Monnaie locale du Boulonnais" in page
    assert "Type de contenu" in page  # the facets
    assert "Note interne" not in page  # members only


def test_a_member_finds_the_members_only_passage(client, indexed, make_user):
    client.force_login(make_user(Role.MEMBER))
    page = assert_page_ok(client.get("/recherche/?q=cotisation"))
    assert "Note interne — p. 1" in page
    assert "réservé aux membres" in page


def test_bad_filters_are_explained_and_left_out(client, indexed):
    page = assert_page_ok(client.get("/recherche/?q=monnaie&kind=inconnu&year=deux-mille"))
    assert "Certains filtres ne sont pas valides" in page
    assert "Monnaie locale du Boulonnais" in page


def test_without_a_query_the_page_shows_the_form_only(client, indexed):
    page = assert_page_ok(client.get("/recherche/"))
    assert 'type="search"' in page
    assert "résultat" not in page
