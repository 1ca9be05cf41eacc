"""The glossary's acronyms explained in pages: `<abbr title="…">ESS</abbr>` at their first use,
the rest of the text escaped, links, attributes and addresses left whole, and a term added in
the admin shown on the next visit."""

import pytest
from django.urls import reverse
from django.utils.safestring import mark_safe

from essor.core.roles import Role
from essor.core.templatetags.glossary import glossary_abbr, glossary_abbr_html
from essor.core.testing import assert_page_ok
from essor.initiatives.tests.factories import initiative_make, sheet_make
from essor.library.tests.factories import publication_make
from essor.search.services import index_rebuild

pytestmark = pytest.mark.django_db

ESS = '<abbr title="Économie sociale et solidaire">ESS</abbr>'


def test_the_first_use_of_an_acronym_is_explained_and_the_text_escaped():
    shown = glossary_abbr("<b>L'ESS</b> & l'ESS, un PTCE.")
    assert shown == (
        f"&lt;b&gt;L&#x27;{ESS}&lt;/b&gt; &amp; l&#x27;ESS, un "
        '<abbr title="Pôle territorial de coopération économique">PTCE</abbr>.'
    )


def test_words_that_only_contain_an_acronym_are_left_alone():
    text = "Un essai, ESS-France, l'ess en minuscules, LESS et https://exemple.org/ESS"
    assert "<abbr" not in glossary_abbr(text)
    assert "https://exemple.org/ESS" in glossary_abbr(text)


def test_in_html_only_the_text_is_touched_never_a_tag_a_link_or_an_address():
    markup = mark_safe(
        '<p title="ESS"><a href="https://www.ess-france.org/ESS">ESS France</a> et '
        "<code>ESS</code>, puis l'ESS (www.exemple.org/ESS).</p>"
    )
    shown = glossary_abbr_html(markup)
    assert shown == (
        '<p title="ESS"><a href="https://www.ess-france.org/ESS">ESS France</a> et '
        f"<code>ESS</code>, puis l'{ESS} (www.exemple.org/ESS).</p>"
    )


def test_html_not_marked_safe_is_escaped_first():
    assert glossary_abbr_html("<script>ESS</script>") == f"&lt;script&gt;{ESS}&lt;/script&gt;"


def test_the_initiative_page_explains_its_acronyms_outside_links(client):
    initiative = initiative_make(
        "Coopérative de territoire",
        summary="Une coopérative de l'ESS au service des habitants.",
        description='<p>Voir <a href="https://exemple.org/ESS">le site ESS</a>.</p>',
    )
    page = assert_page_ok(client.get(initiative.get_absolute_url()))
    assert ESS in page
    assert '<a href="https://exemple.org/ESS">le site ESS</a>' in page


def test_the_sheet_and_publication_pages_explain_their_acronyms(client):
    sheet = sheet_make("Un garage solidaire")
    type(sheet).objects.filter(pk=sheet.pk).update(origin="<p>Un garage porté par une SCIC.</p>")
    assert '<abbr title="Société coopérative d' in assert_page_ok(
        client.get(sheet.get_absolute_url())
    )
    publication = publication_make("Actes", summary="Les politiques de l'ESS en région.")
    assert ESS in assert_page_ok(client.get(publication.get_absolute_url()))


def test_search_excerpts_explain_their_acronyms(client, settings):
    initiative_make("Ressourcerie", summary="Une ressourcerie de l'ESS à Lille.")
    index_rebuild()
    page = assert_page_ok(client.get("/recherche/?q=ressourcerie"))
    assert ESS in page


def test_a_term_added_in_the_admin_is_shown_on_the_next_visit(client, make_user):
    initiative = initiative_make("Tiers-lieu", summary="Un tiers-lieu labellisé ZZTL.")
    url = initiative.get_absolute_url()
    assert "<abbr title=\"Zone d'essai" not in assert_page_ok(client.get(url))  # now cached

    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post(
        reverse("glossary:add"),
        {"acronym": "ZZTL", "expansion": "zone d'essai du tiers-lieu", "definition": ""},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    client.logout()

    page = assert_page_ok(client.get(url))
    assert '<abbr title="Zone d&#x27;essai du tiers-lieu">ZZTL</abbr>' in page
