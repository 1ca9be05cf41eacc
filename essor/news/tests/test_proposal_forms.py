"""Bad input in a member's proposal: a clear French message next to the field, what they typed
kept, nothing saved; pasted HTML cut down to the allowed features."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from essor.core.testing import assert_page_ok
from essor.news import moderation
from essor.news.forms import AgendaEntryProposalForm, ArticleProposalForm
from essor.news.models import AgendaEntry, Article
from essor.news.tests.factories import rubric_make
from essor.news.tests.test_moderation import article_data, entry_data

pytestmark = pytest.mark.django_db
PROPOSE = reverse("news:propose_article")
PROPOSE_ENTRY = reverse("news:propose_agenda_entry")
NOT_SENT = "La proposition n'a pas été envoyée"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _workflow():
    moderation.moderation_workflow_ensure()


@pytest.fixture
def rubric():
    return rubric_make("En bref")


@pytest.fixture
def member_client(client, make_user):
    from essor.members.tests.factories import network_fixture

    client.force_login(network_fixture()["authorityuser"].user)
    return client


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def _article_errors(chosen_rubric, files=None, **fields) -> dict:
    form = ArticleProposalForm(article_data(chosen_rubric, **fields), files or {})
    assert not form.is_valid()
    return form.errors


def _entry_errors(**fields) -> dict:
    form = AgendaEntryProposalForm(entry_data(**fields))
    assert not form.is_valid()
    return form.errors


# -- through the pages: the message, the text kept, nothing saved ---------------------------


def test_an_article_without_a_title_is_not_sent_and_keeps_what_was_typed(member_client, rubric):
    html = assert_page_ok(member_client.post(PROPOSE, article_data(rubric, title="  ")))
    assert NOT_SENT in html and 'href="#id_title"' in html  # the summary links to the field
    assert "Champ requis." in html
    assert "La ville soutient une ressourcerie" in html
    assert not Article.objects.exists()


def test_reversed_dates_are_refused_in_french(member_client):
    html = assert_page_ok(
        member_client.post(PROPOSE_ENTRY, entry_data(starts_on="2031-05-13", ends_on="2031-05-12"))
    )
    assert NOT_SENT in html and "Le dernier jour précède le premier." in html
    assert "Chambre régionale de l&#x27;ESS de Normandie" in html
    assert not AgendaEntry.objects.exists()


def test_a_pdf_in_place_of_an_image_is_refused_and_nothing_is_stored(member_client, rubric):
    pdf = SimpleUploadedFile("affiche.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    html = assert_page_ok(member_client.post(PROPOSE, article_data(rubric, image=pdf)))
    assert "est un PDF : joignez une image JPEG ou PNG" in html
    assert "joignez-le de nouveau" in html  # a browser never keeps a chosen file
    assert not Article.objects.exists() and not get_image_model().objects.exists()


# -- the article form ----------------------------------------------------------------------


def test_script_and_unknown_markup_are_stripped_from_the_body(rubric):
    pasted = (
        '<h1 style="color:red">Titre</h1><p onclick="steal()">Un <b>bon</b> texte '
        '<a href="javascript:alert(1)">piège</a> <a href="https://example.org">lien</a></p>'
        "<script>alert('x')</script><iframe src=\"https://evil.example\"></iframe>"
    )
    form = ArticleProposalForm(article_data(rubric, body=pasted))
    assert form.is_valid(), form.errors
    body = form.cleaned_data["body"]
    for forbidden in ("<script", "alert(", "onclick", "style", "<iframe", "javascript:", "<h1"):
        assert forbidden not in body, forbidden
    assert "<b>bon</b>" in body and '<a href="https://example.org">lien</a>' in body


@pytest.mark.parametrize("chosen", ["", "999999"])
def test_an_article_needs_a_rubric_from_the_list(rubric, chosen):
    data = article_data(rubric) | {"rubric": chosen}
    form = ArticleProposalForm(data)
    assert not form.is_valid() and form.errors["rubric"]
    if not chosen:
        assert form.errors["rubric"] == ["Choisissez la rubrique de l'article."]


def test_an_image_needs_its_alternative_text(rubric):
    errors = _article_errors(rubric, files={"image": _png()}, image_alt=" ")
    assert "obligatoire avec une image" in errors["image_alt"][0]
    form = ArticleProposalForm(
        article_data(rubric, image_alt="Une affiche bleue"), {"image": _png()}
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("deadline", "31/02/2031", "Indiquez une date valide"),
        ("source_url", "pas une adresse", "Saisissez une URL valide"),
        ("audience", "tout-le-monde", "Sélectionnez un choix valide"),
    ],
)
def test_article_fields_are_checked(rubric, field, value, message):
    assert message in _article_errors(rubric, **{field: value})[field][0]


def test_a_french_date_is_understood(rubric):
    form = ArticleProposalForm(article_data(rubric, deadline="30/06/2031"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["deadline"].isoformat() == "2031-06-30"


# -- the agenda entry form -----------------------------------------------------------------


def test_an_entry_needs_a_place_unless_online():
    errors = _entry_errors(venue="", commune="")
    assert errors["venue"] == ["Indiquez le lieu ou la commune, ou cochez « en ligne »."]
    form = AgendaEntryProposalForm(entry_data(venue="", commune="", online="on"))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "commune, message",
    [
        ("Blablaville", "Territoire introuvable dans le référentiel officiel"),
        ("Calvados", "Indiquez une seule commune"),
        ("Caen, Rennes", "Indiquez une seule commune"),
    ],
)
def test_the_commune_is_one_commune_of_the_referential(commune, message):
    assert message in " ".join(_entry_errors(commune=commune)["commune"])


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("starts_on", "", "Champ requis."),
        ("starts_on", "demain", "Indiquez une date valide"),
        ("start_time", "25:99", "Indiquez une heure valide"),
        ("origin", "inconnu", "Sélectionnez un choix valide"),
        ("summary", "x" * 1501, "1500 caractères"),
    ],
)
def test_entry_fields_are_checked(field, value, message):
    assert message in " ".join(_entry_errors(**{field: value})[field]).replace("\u202f", " ")
