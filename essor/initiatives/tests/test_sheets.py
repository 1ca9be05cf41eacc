"""The "Déniché pour vous" practice sheets: the list by theme, a sheet's page, its PDF."""

import contextlib
import datetime
import re
import zlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from essor.core import pdf
from essor.core.editorial import content_publish
from essor.core.roles import Role
from essor.core.testing import assert_page_ok, count_queries
from essor.initiatives.models import Licence, PracticeSheet, SheetAuthority, SheetInitiative
from essor.initiatives.sheet_views import render_sheet_pdf
from essor.initiatives.tests.factories import initiative_make, sheet_make
from essor.members.tests.factories import authority_for

pytestmark = pytest.mark.django_db

CONTACT_EMAIL = "camille.martin@example.org"  # in every sheet sheet_make builds
SECTIONS = [
    "Origine et présentation de l'initiative",
    "Financement",
    "Rôle des collectivités locales",
    "Chiffres clés",
    "Contacts de personnes ressources",
]
RESERVED = "Contacts réservés aux membres du réseau"


def typical_sheet(**fields) -> PracticeSheet:
    """A sheet as long as the network's: a few paragraphs in each section."""
    sheet = sheet_make("Une ressourcerie portée par une SCIC", number=12, **fields)
    paragraph = (
        "<p>La structure collecte des objets dont les habitants n'ont plus l'usage, les "
        "répare et les revend à petit prix dans une boutique du centre-ville ; elle forme "
        "des salariés en insertion aux métiers du réemploi et sensibilise les écoles.</p>"
    )
    sheet.origin = paragraph * 3
    sheet.financing = "<ul><li>Région : 40 000 € par an</li><li>Ventes : 55 %</li></ul>"
    sheet.authorities_role = paragraph * 2
    sheet.key_figures = "<ul><li>14 salariés</li><li>220 tonnes évitées par an</li></ul>"
    sheet.contacts = f"<p>Camille Martin, coordinatrice, {CONTACT_EMAIL}, 02 99 00 00 00</p>"
    content_publish(sheet)
    return sheet


def unpublished(item):
    """`sheet_make(live=False)` and `initiative_make(live=False)` save the row with Wagtail's
    default `live=True`: make it a draft for real."""
    type(item).objects.filter(pk=item.pk).update(live=False)
    item.live = False
    return item


def member_client(client, make_user, role=Role.MEMBER):
    client.force_login(make_user(role))
    return client


# --- the list ----------------------------------------------------------------------------


@pytest.fixture
def sheets():
    return {
        "grands_voisins": sheet_make(
            "Les Grands Voisins", number=5, theme="Foncier, lieux partagés, communs"
        ),
        "plaine_sud": sheet_make(
            "SCIC Plaine Sud Énergies",
            number=1,
            theme="Transition énergétique",
            published_on=datetime.date(2016, 3, 1),
        ),
        "savecom": sheet_make("SCIC SAVECOM", number=3, theme="Transition énergétique"),
        "citiz": sheet_make("Citiz Lille Métropole", number=20, theme="Mobilité durable"),
        "untitled_theme": sheet_make("Une fiche sans thème", number=40, theme=None),
        "draft": unpublished(sheet_make("Une fiche en préparation", number=30)),
    }


def test_list_groups_published_sheets_by_theme_then_number(client, sheets):
    html = assert_page_ok(client.get(reverse("initiatives:sheets")))
    assert "5 fiches" in html
    assert "Une fiche en préparation" not in html
    # Themes in alphabetical order (accents ignored), sheets without a theme last.
    headings = [
        html.index(name)
        for name in (
            "Foncier, lieux partagés, communs",
            "Mobilité durable",
            "Transition énergétique",
            "Autres fiches",
        )
    ]
    assert headings == sorted(headings)
    assert html.index("n° 1<") < html.index("n° 3<") < headings[3]
    assert sheets["citiz"].get_absolute_url() in html
    assert reverse("initiatives:sheet_pdf", args=[20, sheets["citiz"].slug]) in html
    assert "1<sup>er</sup> mars 2016" in html


def test_list_filters_by_theme_and_year(client, sheets):
    url = reverse("initiatives:sheets")
    html = assert_page_ok(client.get(url, {"theme": "transition-energetique"}))
    assert "2 fiches correspondant à vos critères" in html
    assert "SCIC SAVECOM" in html and "Citiz Lille" not in html
    html = assert_page_ok(client.get(url, {"theme": "transition-energetique", "annee": "2016"}))
    assert "1 fiche correspondant" in html and "SCIC Plaine Sud" in html
    assert "SCIC SAVECOM" not in html


def test_invalid_filters_are_explained_and_ignored(client, sheets):
    html = assert_page_ok(
        client.get(reverse("initiatives:sheets"), {"theme": "nulle-part", "annee": "abc"})
    )
    assert "Certains filtres ne sont pas valides" in html
    assert "Thème</a> :" in html and "Année de parution</a> :" in html
    assert "5 fiches" in html and "correspondant" not in html


def test_list_queries_do_not_grow_with_sheets(client, sheets):
    url = reverse("initiatives:sheets")
    few = count_queries(client, url)
    for number in range(100, 130):
        sheet_make(f"Fiche {number}", number=number, theme=f"Thème {number % 7}")
    assert count_queries(client, url) == few
    assert few <= 8


# --- a sheet's page ---------------------------------------------------------------------------


def test_sheet_page_shows_the_five_sections_in_order(client):
    sheet = typical_sheet(origin_event="Journée d'échanges sur le réemploi, Lille")
    html = assert_page_ok(client.get(sheet.get_absolute_url()))
    positions = [html.index(f">{title}</h2>") for title in SECTIONS]
    assert positions == sorted(positions)
    assert "<h1>Une ressourcerie portée par une SCIC</h1>" in html
    assert "Déniché pour vous n° 12" in html
    assert "1<sup>er</sup> juin 2017" in html and "Alimentation durable" in html
    assert "Journée d&#x27;échanges sur le réemploi, Lille" in html
    assert "220 tonnes évitées par an" in html
    pdf_url = reverse("initiatives:sheet_pdf", args=[12, sheet.slug])
    assert f'href="{pdf_url}"' in html and "Télécharger la fiche (PDF)" in html
    assert 'initiatives/css/sheet-print.css" media="print"' in html


def test_sheet_page_shows_the_licence_with_its_badge_and_link(client):
    sheet = sheet_make(licence=Licence.CC_BY_NC_ND)
    html = assert_page_ok(client.get(sheet.get_absolute_url()))
    assert 'src="/static/initiatives/img/licence-cc-by-nc-nd-4.0.svg"' in html
    assert f'rel="license" href="{sheet.licence_url}"' in html
    assert "CC BY-NC-ND 4.0" in html


def test_a_sheet_under_all_rights_reserved_has_no_badge(client):
    html = assert_page_ok(client.get(sheet_make(licence=Licence.ALL_RIGHTS).get_absolute_url()))
    assert "Tous droits réservés" in html and "licence-" not in html


def test_sheet_page_links_published_initiatives_and_authorities(client):
    sheet = sheet_make()
    published = initiative_make("Bou'Sol, monnaie locale")
    draft = unpublished(initiative_make("Projet pas encore validé"))
    caen = authority_for("14118")
    SheetInitiative.objects.create(sheet=sheet, initiative=published)
    SheetInitiative.objects.create(sheet=sheet, initiative=draft)
    SheetAuthority.objects.create(sheet=sheet, authority=caen)
    html = assert_page_ok(client.get(sheet.get_absolute_url()))
    assert f'href="{published.get_absolute_url()}"' in html
    assert "Projet pas encore validé" not in html
    assert f'href="{caen.get_absolute_url()}">{caen.name}<' in html
    assert "Initiative présentée" in html and "Collectivité citée" in html


def test_sheet_page_queries_do_not_grow_with_links(client):
    sheet = sheet_make()
    first = count_queries(client, sheet.get_absolute_url())
    for code in ("14118", "35238", "33063"):
        SheetAuthority.objects.create(sheet=sheet, authority=authority_for(code))
        SheetInitiative.objects.create(sheet=sheet, initiative=initiative_make(f"Projet {code}"))
    assert count_queries(client, sheet.get_absolute_url()) <= first + 2


@pytest.mark.parametrize(
    "role, sees_contacts",
    [(None, False), (Role.VISITOR, False), (Role.MEMBER, True), (Role.EDITOR, True)],
)
def test_contacts_are_for_members_only(client, make_user, role, sees_contacts):
    sheet = sheet_make()
    if role is not None:
        client.force_login(make_user(role))
    html = assert_page_ok(client.get(sheet.get_absolute_url()))
    assert (CONTACT_EMAIL in html) is sees_contacts
    assert (RESERVED in html) is not sees_contacts


def test_anonymous_visitors_get_a_login_link_for_contacts(client):
    sheet = sheet_make()
    html = assert_page_ok(client.get(sheet.get_absolute_url()))
    login = reverse("accounts:login")
    assert f'href="{login}?next={sheet.get_absolute_url()}"' in html


def test_the_anonymous_copy_of_a_page_is_never_served_to_a_member(client, make_user):
    sheet = sheet_make()
    assert CONTACT_EMAIL not in client.get(sheet.get_absolute_url()).content.decode()
    member_client(client, make_user)
    assert CONTACT_EMAIL in client.get(sheet.get_absolute_url()).content.decode()


def test_a_wrong_slug_redirects_permanently_to_the_sheet(client):
    sheet = sheet_make("Lemon Tri", number=6)
    response = client.get(reverse("initiatives:sheet", args=[6, "ancien-titre"]))
    assert response.status_code == 301 and response["Location"] == sheet.get_absolute_url()
    response = client.get(reverse("initiatives:sheet_pdf", args=[6, "ancien-titre"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("initiatives:sheet_pdf", args=[6, sheet.slug])


def test_unpublished_unknown_or_malformed_sheets_are_404(client):
    draft = unpublished(sheet_make("En préparation", number=31))
    for url in (
        reverse("initiatives:sheet", args=[31, draft.slug]),
        reverse("initiatives:sheet_pdf", args=[31, draft.slug]),
        reverse("initiatives:sheet", args=[999, "rien"]),
        "/initiatives/fiches/abc/",
        "/initiatives/fiches/12-/",
        "/initiatives/fiches/99999999999999999999999-trop-grand/",
        "/initiatives/fiches/99999999999999999999999-trop-grand.pdf",
    ):
        assert client.get(url).status_code == 404, url


def test_the_page_is_wagtails_preview_of_a_sheet(make_user):
    sheet = typical_sheet()
    sheet.title = "Titre modifié, pas encore publié"
    request = RequestFactory().get("/admin/")
    request.user = make_user(Role.EDITOR)
    request.is_preview = True  # as Wagtail's preview view marks it
    response = sheet.serve_preview(request, "")
    response.render()
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Titre modifié, pas encore publié</h1>" in html
    assert all(f">{title}</h2>" in html for title in SECTIONS)
    assert CONTACT_EMAIL in html  # the editor checks what members will see


# --- the PDF --------------------------------------------------------------------------------


def page_texts(document) -> list[str]:
    """The text of each page of a laid-out WeasyPrint document, margin boxes included."""
    from weasyprint.formatting_structure.boxes import TextBox

    return [
        " ".join(box.text for box in page._page_box.descendants() if isinstance(box, TextBox))
        for page in document.pages
    ]


@pytest.fixture
def rendered(monkeypatch):
    """The documents the PDF views lay out, to read their text."""
    documents = []
    render_document = pdf.render_document

    def spy(*args, **kwargs):
        documents.append(render_document(*args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(pdf, "render_document", spy)
    return documents


def pdf_page_count(content: bytes) -> int:
    """Page objects in a PDF, those packed in compressed object streams included."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, flags=re.DOTALL)
    chunks = [content]
    for stream in streams:
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(stream))
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", chunk)) for chunk in chunks)


def test_pdf_of_a_typical_sheet(client, rendered):
    sheet = typical_sheet()
    response = client.get(reverse("initiatives:sheet_pdf", args=[12, sheet.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="deniche-pour-vous-12-{sheet.slug}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    [document] = rendered
    assert 1 <= len(document.pages) <= 2
    assert pdf_page_count(response.content) == len(document.pages)
    texts = page_texts(document)
    text = " ".join(texts)
    assert "Une ressourcerie portée par une SCIC" in text
    assert "Déniché pour vous n° 12" in texts[0]  # the header band
    assert f"1/{len(texts)}" in texts[0]  # the page number
    positions = [text.index(title) for title in SECTIONS]
    assert positions == sorted(positions)
    assert "CC BY-NC-ND 4.0" in texts[-1]


def test_pdf_contacts_are_for_members_only(client, make_user, rendered):
    sheet = sheet_make()
    url = reverse("initiatives:sheet_pdf", args=[sheet.number, sheet.slug])
    assert client.get(url).status_code == 200
    member_client(client, make_user)
    response = client.get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    anonymous, member = (" ".join(page_texts(document)) for document in rendered)
    assert CONTACT_EMAIL not in anonymous and RESERVED in anonymous
    assert CONTACT_EMAIL in member and RESERVED not in member


def test_pdf_is_rendered_once_per_audience_until_the_sheet_changes(client, rendered):
    sheet = sheet_make()
    url = reverse("initiatives:sheet_pdf", args=[sheet.number, sheet.slug])
    first = client.get(url).content
    assert client.get(url).content == first and len(rendered) == 1
    sheet.title = "Nouveau titre"
    content_publish(sheet)
    client.get(reverse("initiatives:sheet_pdf", args=[sheet.number, sheet.slug]))
    assert len(rendered) == 2 and "Nouveau titre" in " ".join(page_texts(rendered[-1]))


def test_pdf_names_the_network(client, rendered):

    from essor.core.models import NetworkSettings

    identity = NetworkSettings.load()
    identity.network_name = "Réseau des collectivités solidaires"
    identity.save()
    sheet = sheet_make()
    client.get(reverse("initiatives:sheet_pdf", args=[sheet.number, sheet.slug]))
    assert "Réseau des collectivités solidaires" in page_texts(rendered[0])[0]


# --- the PDF never reaches the network ------------------------------------------------------


def test_the_fetcher_serves_our_static_files_only():
    fetcher = pdf.StaticFilesFetcher("http://testserver/")
    css = fetcher.fetch("http://testserver/static/initiatives/css/sheet-pdf.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    badge = fetcher.fetch("http://testserver/static/initiatives/img/licence-cc-by-4.0.svg")
    assert badge.content_type == "image/svg+xml"
    for url in (
        "http://example.org/static/initiatives/css/sheet-pdf.css",
        "https://example.org/tracker.png",
        "file:///etc/passwd",
        "http://testserver/static/../../../../etc/passwd",
        "http://testserver/static/%2e%2e/%2e%2e/etc/passwd",
        "http://testserver/media/upload.svg",
        "http://testserver/static/initiatives/css/absent.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_rendering_ignores_foreign_resources(monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("network access during PDF rendering")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    sheet = sheet_make()
    sheet.origin = '<p>Voir <img src="https://example.org/pixel.png" alt=""> ici.</p>'
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert render_sheet_pdf(sheet, request, show_contacts=False).startswith(b"%PDF")
