"""The search as officers use it: French words without accents, plurals, acronyms both ways,
a typo, OCR noise; passages of publications; members-only content only for members; the index
following what editors publish, unpublish and delete; any input answered without an error."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from essor.initiatives.tests.factories import initiative_make, sheet_make
from essor.library.tests.factories import publication_make
from essor.search.engine import Filters, search
from essor.search.services import index_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    currency = initiative_make(
        "Une monnaie complémentaire pour le bassin minier",
        summary="Une monnaie locale adossée à l'euro, soutenue par le département.",
        themes=("Finances solidaires",),
    )
    cluster = initiative_make(
        "PTCE Les Ateliers du Val",
        summary="Des entreprises coopèrent autour d'une friche industrielle.",
    )
    housing = initiative_make(
        "Habitat participatif à Villeneuve",
        summary="Une coopérative d'habitants construit douze logements.",
    )
    sheet = sheet_make("Une épicerie solidaire en milieu rural")
    proceedings = publication_make(
        "Actes de la rencontre régionale",
        pages=(
            "Ouverture de la journée par la vice-présidente.",
            "Table ronde : le pdle territorial de coopération économique du Val.",
            "Conclusion et remerciements.",
        ),
    )
    private = publication_make(
        "Compte rendu du conseil d'administration",
        pages=("Le budget de l'association et la cotisation des adhérents.",),
        members_only=True,
    )
    index_rebuild()
    return {
        "currency": currency,
        "cluster": cluster,
        "housing": housing,
        "sheet": sheet,
        "proceedings": proceedings,
        "private": private,
    }


def _urls(text: str, member: bool = False, **filters) -> list[str]:
    return [hit.url for hit in search(text, member=member, filters=Filters(**filters)).hits]


def test_words_typed_without_accents_or_capitals_find_the_content(corpus):
    assert corpus["sheet"].get_absolute_url() in _urls("epicerie SOLIDAIRE")


def test_plurals_and_forms_meet_through_french_stemming(corpus):
    assert corpus["housing"].get_absolute_url() in _urls("cooperatives d'habitants")[:1]


def test_an_acronym_finds_its_expansion_and_the_expansion_its_acronym(corpus):
    # "PTCE" in a title, "pôle territorial de coopération économique" (OCR-damaged) in a passage.
    by_expansion = _urls("pole territorial de cooperation economique")
    assert corpus["cluster"].get_absolute_url() in by_expansion[:3]
    by_acronym = _urls("ptce")
    assert f"{corpus['proceedings'].get_absolute_url()}?page=2" in by_acronym


def test_a_typo_is_corrected_and_said(corpus):
    results = search("monaie complementaire", member=False)
    assert results.suggestion == "monnaie complementaire"
    assert results.hits[0].url == corpus["currency"].get_absolute_url()


def test_ocr_noise_does_not_hide_a_passage(corpus):
    urls = _urls("pôle territorial")
    assert f"{corpus['proceedings'].get_absolute_url()}?page=2" in urls


def test_a_passage_is_found_at_its_page_with_the_words_highlighted(corpus):
    results = search("remerciements", member=False)
    [hit] = results.hits
    assert hit.url.endswith("?page=3")
    assert "<mark>remerciements</mark>" in hit.excerpt
    assert hit.kind == "publication"


def test_members_only_passages_are_found_by_members_only(corpus):
    assert _urls("cotisation adherents") == []
    member_urls = _urls("cotisation adherents", member=True)
    assert f"{corpus['private'].get_absolute_url()}?page=1" in member_urls


def test_facets_count_the_matches_and_filters_narrow_them(corpus):
    results = search("monnaie cooperative", member=False)
    assert results.facets["kind"]["initiative"] >= 2
    assert set(_urls("monnaie cooperative", kind="initiative")) <= {
        corpus[name].get_absolute_url() for name in ("currency", "cluster", "housing")
    }


def test_the_index_follows_publishing_unpublishing_and_deleting(
    corpus, settings, django_capture_on_commit_callbacks
):
    settings.ESSOR_SEARCH_AUTO_INDEX = True
    with django_capture_on_commit_callbacks(execute=True):
        fresh = initiative_make("Ressourcerie du plateau", summary="Réemploi et réparation.")
    assert fresh.get_absolute_url() in _urls("ressourcerie")
    with django_capture_on_commit_callbacks(execute=True):
        fresh.live = False
        fresh.save()
    assert _urls("ressourcerie") == []
    with django_capture_on_commit_callbacks(execute=True):
        corpus["housing"].delete()
    assert _urls("habitat participatif") == []
    # A new page of a publication's text is found once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for number in (4, 5):
            corpus["proceedings"].pages.create(number=number, text=f"Annexe {number} : glossaire.")
    assert len(callbacks) == 1  # the publication is reindexed once, not once per page
    assert len(_urls("glossaire")) == 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "le la les de",
        "a" * 10_000,
        '"unbalanced',
        "NEAR(x) * - : AND OR",
        "'; DROP TABLE search; --",
        "🌱 économie 🌍",
        "الاقتصاد الاجتماعي",
        "\x00\x1f",
    ],
)
def test_any_input_gets_an_answer_never_an_error(corpus, text):
    results = search(text, member=False)
    assert results.total >= 0
    assert results.message or results.total >= 0


def test_the_command_prints_json_results(corpus):
    out = StringIO()
    call_command("search", "monnaie locale", "--json", "--limit", "3", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows and len(rows) <= 3
    assert set(rows[0]) == {"title", "url", "kind", "excerpt"}
    assert rows[0]["url"] == corpus["currency"].get_absolute_url()


def test_an_acronym_editors_add_to_the_glossary_is_expanded_at_once(corpus):
    from essor.search.models import GlossaryTerm

    assert _urls("hlm") == []
    GlossaryTerm.objects.create(acronym="HLM", expansion="habitat participatif")
    assert corpus["housing"].get_absolute_url() in _urls("hlm")
