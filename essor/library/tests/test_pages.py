"""The library's public pages: the list with its filters, a publication with its text page by
page, its file, and the members-only rule through every way to the file."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from wagtail.documents import get_document_model

from essor.core.caching import CACHE_HEADER
from essor.core.navigation import menu_for
from essor.core.roles import Role
from essor.core.services import theme_get_or_create
from essor.core.testing import assert_page_ok, count_queries

# Until the module's wagtail_hooks.py imports it, importing it here registers the hooks.
from essor.library import hooks as library_hooks
from essor.library.models import Licence, PublicationKind, TextStatus
from essor.library.sitemaps import PublicationSitemap
from essor.library.tests.factories import publication_make

pytestmark = pytest.mark.django_db
LIST_URL = "/bibliotheque/"
PDF_BYTES = b"%PDF-1.4\n% un PDF de test\n%%EOF\n"
LOGIN_PATH = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files go to a temporary folder, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path


def with_file(publication, content: bytes = PDF_BYTES, name: str = "Actes scan final (2).pdf"):
    """Attach a Wagtail document to the publication, as an upload would."""
    document = get_document_model()(title=publication.title, file=ContentFile(content, name=name))
    document.file_size = len(content)
    document.save()
    publication.document = document
    publication.save(update_fields=["document"])
    return document


@pytest.fixture
def member(make_user):
    return make_user(Role.MEMBER)


@pytest.fixture
def non_member(make_user):
    return make_user(Role.VISITOR)


def html_of(client, url: str) -> str:
    return assert_page_ok(client.get(url))


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_published_publications_with_their_count_and_the_members_badge(client):
    publication_make("Guide de la commande publique", kind=PublicationKind.GUIDE, number="4")
    publication_make("Flash réservé", members_only=True)
    publication_make("Brouillon pas encore publié", live=False)
    html = html_of(client, LIST_URL)
    assert "2 publications" in html
    assert "Guide de la commande publique" in html and "n° 4" in html
    assert "Guide « Points de RepèrESS »" in html
    assert "Brouillon pas encore publié" not in html
    assert html.count('class="publication-badge">Réservée aux membres') == 1
    assert "12 septembre 2013" in html


def test_the_list_filters_by_kind_year_and_theme(client):
    theme = theme_get_or_create("Alimentation durable")
    study = publication_make("Étude circuits courts", kind=PublicationKind.STUDY)
    study.themes.set([theme])
    study.save()
    publication_make(
        "Rapport 2019", kind=PublicationKind.ACTIVITY_REPORT, date=datetime.date(2019, 6, 1)
    )
    by_kind = html_of(client, f"{LIST_URL}?type=etude")
    assert "1 publication correspondant" in by_kind and "Étude circuits courts" in by_kind
    assert "Rapport 2019" not in by_kind
    by_year = html_of(client, f"{LIST_URL}?annee=2019")
    assert "Rapport 2019" in by_year and "Étude circuits courts" not in by_year
    by_theme = html_of(client, f"{LIST_URL}?theme={theme.slug}")
    assert "Étude circuits courts" in by_theme and "Rapport 2019" not in by_theme
    assert "Thèmes : Alimentation durable" in by_theme


def test_the_text_search_reads_title_summary_and_authors(client):
    publication_make("Actes de Lille", summary="Rencontre sur la coopération territoriale.")
    publication_make("Guide des achats", authors="Anne-Laure Federici")
    publication_make("Lettre papier 12")
    assert "Actes de Lille" in html_of(client, f"{LIST_URL}?q=coopération")
    found = html_of(client, f"{LIST_URL}?q=federici")
    assert "Guide des achats" in found and "Actes de Lille" not in found
    both = html_of(client, f"{LIST_URL}?q=lettre+papier")
    assert "1 publication correspondant" in both and "Lettre papier 12" in both


def test_the_list_sorts_newest_first_or_by_title(client):
    publication_make("B ancienne", date=datetime.date(2010, 1, 1))
    publication_make("A récente", date=datetime.date(2020, 1, 1))
    by_date = html_of(client, LIST_URL)
    assert by_date.index("A récente") < by_date.index("B ancienne")
    by_title = html_of(client, f"{LIST_URL}?tri=titre&annee=2010")
    assert "A récente" not in by_title
    by_title = html_of(client, f"{LIST_URL}?tri=titre")
    assert by_title.index("A récente") < by_title.index("B ancienne")


def test_bad_parameters_are_explained_and_ignored(client):
    publication_make("Actes des rencontres")
    for query in (
        "type=inconnu",
        "annee=abc",
        "annee=1850",
        "theme=nulle-part",
        "tri=hasard",
        "page=zzz",
        "page=99999",
        "q=" + "x" * 150,  # over the 100 characters allowed
        "type=etude&type=actes",
    ):
        html = html_of(client, f"{LIST_URL}?{query}")
        assert "Actes des rencontres" in html, query
    html = html_of(client, f"{LIST_URL}?type=inconnu")
    assert "ne sont pas valides et n'ont pas été appliqués" in html
    assert "1 publication" in html


def test_the_list_is_paginated(client):
    for number in range(23):
        publication_make(f"Lettre {number:02d}", date=datetime.date(2000 + number, 1, 1))
    first = html_of(client, LIST_URL)
    assert "23 publications" in first and "Page 1 sur 2" in first
    assert "Lettre 22" in first and "Lettre 00" not in first
    assert "Lettre 00" in html_of(client, f"{LIST_URL}?page=2")


def test_the_list_makes_the_same_queries_for_3_or_23_publications(client):
    theme = theme_get_or_create("Emploi")

    def make(count: int, start: int) -> None:
        for number in range(start, start + count):
            publication = publication_make(f"Publication {number}", members_only=number % 2 == 0)
            publication.themes.set([theme])
            publication.save()

    make(3, 0)
    few = count_queries(client, LIST_URL)
    make(20, 3)
    assert count_queries(client, LIST_URL) == few <= 8


# --- a publication ---------------------------------------------------------------------------


def test_the_page_shows_the_publication_and_its_text_page_by_page(client):
    theme = theme_get_or_create("Coopération")
    publication = publication_make(
        "Actes des rencontres de Lille",
        number="7",
        authors="RTES",
        partners="Métropole européenne de Lille",
        summary="Deux jours de rencontres.",
        licence=Licence.CC_BY_SA,
        pages=("Ouverture par la présidente.", "Table ronde sur les achats."),
    )
    publication.themes.set([theme])
    publication.save()
    html = html_of(client, publication.get_absolute_url())
    assert "<h1>Actes des rencontres de Lille</h1>" in html
    for fact in (
        "Actes",
        "n° 7",
        "12 septembre 2013",
        "Coopération",
        "RTES",
        "Métropole européenne de Lille",
        "Deux jours de rencontres.",
        "CC BY-SA 4.0",
    ):
        assert fact in html, fact
    assert 'id="page-1"' in html and 'id="page-2"' in html
    assert "p. 1" in html and "p. 2" in html
    # Each passage sits under its page's marker: it can be cited with its page.
    assert html.index("p. 1") < html.index("Ouverture") < html.index("p. 2")
    assert html.index("p. 2") < html.index("Table ronde")
    assert f'href="{publication.get_absolute_url()}?page=2"' in html


def test_a_cited_page_leads_to_its_anchor(client):
    publication = publication_make("Actes courts", pages=("un", "deux", "trois"))
    response = client.get(f"{publication.get_absolute_url()}?page=3")
    assert response.status_code == 302
    assert response["Location"] == f"{publication.get_absolute_url()}#page-3"


def test_a_long_text_is_shown_twenty_pages_per_screen(client):
    pages = tuple(f"Texte de la page {number}." for number in range(1, 46))
    publication = publication_make("Rapport long", pages=pages)
    url = publication.get_absolute_url()
    first = html_of(client, url)
    assert "Texte de la page 20." in first and "Texte de la page 21." not in first
    assert 'href="?pages=21-40#texte"' in first and "p. 41 à 45" in first
    second = html_of(client, f"{url}?pages=21-40")
    assert 'id="page-21"' in second and 'id="page-40"' in second
    assert "Texte de la page 20." not in second and "Texte de la page 41." not in second
    # A page is found on its screen.
    response = client.get(f"{url}?page=33")
    assert response.status_code == 302 and response["Location"] == f"{url}?pages=21-40#page-33"
    # A range that does not start a screen shows the screen holding its first page.
    assert 'id="page-41"' in html_of(client, f"{url}?pages=43-44")


def test_the_page_makes_the_same_queries_for_a_short_or_a_long_text(client):
    short = publication_make("Texte court", pages=("une page",))
    long = publication_make("Texte long", pages=tuple(f"Page {n}." for n in range(1, 61)))
    for publication in (short, long):
        with_file(publication)
    assert (
        count_queries(client, short.get_absolute_url())
        == count_queries(client, long.get_absolute_url())
        <= 6
    )


def test_bad_page_parameters_are_explained_and_ignored(client):
    pages = tuple(f"Page {number}." for number in range(1, 26))
    publication = publication_make("Rapport de 25 pages", pages=pages)
    url = publication.get_absolute_url()
    for query in ("pages=abc", "pages=900-920", "pages=0-3", "page=abc", "page=0", "page=999"):
        html = html_of(client, f"{url}?{query}")
        assert "a été ignorée" in html, query
        assert 'id="page-1"' in html, query
    assert "999" in html_of(client, f"{url}?page=999")
    assert client.get(f"{url}?page=99999999999999999999").status_code == 200


def test_a_scanned_pdf_says_its_text_needs_ocr(client):
    publication = publication_make("Actes numérisés", pages=())
    publication.text_status = TextStatus.NEEDS_OCR
    publication.page_count = 12
    publication.save()
    with_file(publication)
    html = html_of(client, publication.get_absolute_url())
    assert "reconnaissance de caractères (OCR)" in html
    assert "Télécharger" in html and "12 pages" in html


def test_without_a_file_the_page_says_so_and_has_no_download_link(client):
    publication = publication_make("Communiqué", pages=())
    html = html_of(client, publication.get_absolute_url())
    assert "Aucun fichier n'est joint à cette publication" in html
    assert "Télécharger" not in html
    assert client.get(reverse("library:file", args=[publication.slug])).status_code == 404


def test_unpublished_publications_are_not_found(client, member):
    draft = publication_make("Brouillon", live=False)
    with_file(draft)
    client.force_login(member)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("library:file", args=[draft.slug])).status_code == 404
    assert client.get("/bibliotheque/absente/").status_code == 404


# --- the file --------------------------------------------------------------------------------


def test_the_file_is_downloaded_under_a_clean_name(client):
    publication = publication_make("Guide achats", kind=PublicationKind.GUIDE)
    with_file(publication)
    html = html_of(client, publication.get_absolute_url())
    file_url = reverse("library:file", args=[publication.slug])
    assert f'href="{file_url}"' in html
    assert "Télécharger <span" in html and "(PDF, 2 pages, " in html
    response = client.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="guide-achats.pdf"'


# --- members only: the text and the file ---------------------------------------------------


@pytest.fixture
def reserved():
    publication = publication_make(
        "Flash hebdo réservé",
        members_only=True,
        summary="Ce que le réseau a appris cette semaine.",
        pages=("Passage confidentiel de la page une.", "Suite confidentielle."),
    )
    with_file(publication)
    return publication


def test_anonymous_visitors_see_what_it_is_but_not_the_text_nor_the_file(client, reserved):
    html = html_of(client, reserved.get_absolute_url())
    assert "Ce que le réseau a appris cette semaine." in html
    assert "Réservée aux membres du réseau" in html
    assert f"{LOGIN_PATH}?next={reserved.get_absolute_url()}" in html
    assert "confidentiel" not in html and 'id="page-1"' not in html
    assert reverse("library:file", args=[reserved.slug]) not in html
    assert reserved.document.url not in html


def test_logged_in_non_members_are_told_why_not_asked_to_log_in(client, reserved, non_member):
    client.force_login(non_member)
    html = html_of(client, reserved.get_absolute_url())
    assert "Réservée aux membres du réseau" in html and "pas celui d'un membre" in html
    assert "confidentiel" not in html and "Télécharger" not in html
    # A cited page does not lead into the text either.
    assert client.get(f"{reserved.get_absolute_url()}?page=2").status_code == 200


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EDITOR])
def test_members_and_the_team_read_everything(client, reserved, make_user, role):
    client.get(reserved.get_absolute_url())  # an anonymous copy in the cache must not be served
    client.force_login(make_user(role))
    html = html_of(client, reserved.get_absolute_url())
    assert "Passage confidentiel de la page une." in html and 'id="page-2"' in html
    assert reverse("library:file", args=[reserved.slug]) in html
    assert "Se connecter pour lire" not in html


def _file_urls(publication) -> list[str]:
    """Both ways to the file: the library's address and Wagtail's document address."""
    return [reverse("library:file", args=[publication.slug]), publication.document.url]


def test_the_file_asks_anonymous_visitors_to_log_in(client, reserved):
    for url in _file_urls(reserved):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN_PATH}?next="), url


def test_the_file_is_refused_to_logged_in_non_members(client, reserved, non_member):
    client.force_login(non_member)
    for url in _file_urls(reserved):
        assert client.get(url).status_code == 403, url


def test_the_file_is_given_to_members(client, reserved, member):
    client.force_login(member)
    for url in _file_urls(reserved):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == PDF_BYTES, url


def test_wagtails_document_address_serves_public_files_to_everyone(client):
    publication = publication_make("Guide public")
    document = with_file(publication)
    response = client.get(document.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert not library_hooks.is_members_only_document(document)


def test_a_draft_members_only_publications_file_is_refused_too(client, non_member):
    draft = publication_make("Brouillon réservé", members_only=True, live=False)
    document = with_file(draft)
    response = client.get(document.url)
    assert response.status_code == 302 and LOGIN_PATH in response["Location"]
    client.force_login(non_member)
    assert client.get(document.url).status_code == 403


# --- cache, preview, sitemap, menu -----------------------------------------------------------


def test_anonymous_pages_come_from_the_cache_and_are_fresh_after_an_edit(client):
    publication = publication_make("Titre d'origine")
    url = publication.get_absolute_url()
    for page in (url, LIST_URL):
        assert client.get(page)[CACHE_HEADER] == "miss"
        assert client.get(page)[CACHE_HEADER] == "hit"
    publication.title = "Titre corrigé"
    publication.save_revision().publish()
    for page in (url, LIST_URL):
        response = client.get(page)
        assert response[CACHE_HEADER] == "miss" and "Titre corrigé" in response.content.decode()


def test_the_page_is_wagtails_preview_of_a_publication(make_user):
    publication = publication_make("Actes à relire", members_only=True)
    with_file(publication)
    publication.title = "Titre modifié, pas encore publié"
    request = RequestFactory().get("/admin/")
    request.user = make_user(Role.EDITOR)
    request.is_preview = True  # as Wagtail's preview view marks it
    response = publication.serve_preview(request, "")
    response.render()
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Titre modifié, pas encore publié</h1>" in html
    assert 'id="page-1"' in html and "Première page du texte." in html
    assert "Télécharger" in html


def test_the_preview_of_a_new_publication_renders_without_text(make_user):
    from essor.library.models import Publication

    publication = Publication(title="Nouvelle publication", slug="nouvelle", kind="etude")
    request = RequestFactory().get("/admin/")
    request.user = make_user(Role.EDITOR)
    response = publication.serve_preview(request, "")
    response.render()
    assert "<h1>Nouvelle publication</h1>" in response.content.decode()


def test_the_sitemap_lists_published_publications_open_to_everyone():
    public = publication_make("Guide public")
    publication_make("Réservé", members_only=True)
    publication_make("Brouillon", live=False)
    assert [item.slug for item in PublicationSitemap().items()] == [public.slug]


def test_the_library_is_in_the_main_menu():
    assert {"label": "Bibliothèque", "url": LIST_URL} in [
        {"label": entry["label"], "url": entry["url"]} for entry in menu_for(AnonymousUser())
    ]
