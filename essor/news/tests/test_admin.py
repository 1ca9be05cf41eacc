"""Editors in the admin: an article written and published from the add form, the image's text
alternative required, a rubric added to the managed list, an agenda entry published; the
screens of the "Actualités" menu open."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from essor.core.roles import Role
from essor.core.testing import form_defaults
from essor.news.models import AgendaEntry, Article, Rubric
from essor.news.tests.factories import news_fixture, rubric_make

pytestmark = pytest.mark.django_db


def _image():
    buffer = io.BytesIO()
    PillowImage.new("RGB", (20, 20), "green").save(buffer, "PNG")
    return get_image_model().objects.create(
        title="Marché", file=ContentFile(buffer.getvalue(), name="marche.png")
    )


def _article_form(client, rubric: Rubric, **changes: str) -> dict:
    data = form_defaults(client.get(reverse("article:add")).content.decode())
    data.update(
        {
            "title": "Paroles d'élue : la commande publique responsable",
            "slug": "paroles-elue-commande-publique",
            "rubric": str(rubric.pk),
            "date": "2024-03-12",
            "audience": "public",
            "summary": "Une adjointe raconte comment sa ville a ouvert ses marchés à l'ESS.",
            "body": '{"blocks": [], "entityMap": {}}',
            "action-publish": "action-publish",
            **changes,
        }
    )
    return data


def test_an_editor_writes_and_publishes_an_article(client, make_user):
    rubric = rubric_make("Paroles d'élu·e")
    client.force_login(make_user(Role.EDITOR))

    response = client.post(reverse("article:add"), _article_form(client, rubric))

    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="paroles-elue-commande-publique")
    assert article.live and article.rubric == rubric
    assert article.revisions.exists()
    assert client.get(article.get_absolute_url()).status_code == 200


# The form shown again renders the chosen image's thumbnail: Wagtail's rendition leaves a
# temporary file to the garbage collector.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*SpooledTemporaryFile:pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.filterwarnings("ignore:Unclosed file.*SpooledTemporaryFile:ResourceWarning")
def test_an_image_without_its_text_alternative_is_refused_and_nothing_saved(client, make_user):
    rubric = rubric_make()
    client.force_login(make_user(Role.EDITOR))
    image = _image()

    response = client.post(
        reverse("article:add"), _article_form(client, rubric, image=str(image.pk), image_alt="")
    )

    assert response.status_code == 200
    assert "le texte alternatif est obligatoire" in response.content.decode()
    assert not Article.objects.exists()
    response = client.post(
        reverse("article:add"),
        _article_form(client, rubric, image=str(image.pk), image_alt="Un marché couvert"),
    )
    assert response.status_code == 302
    assert Article.objects.get().image_alt == "Un marché couvert"


def test_an_editor_adds_a_rubric(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    data = form_defaults(client.get(reverse("rubric:add")).content.decode())
    data.update({"name": "Europe", "slug": "europe", "sort_order": "5"})

    response = client.post(reverse("rubric:add"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Rubric.objects.get(slug="europe").name == "Europe"


def test_an_editor_publishes_an_agenda_entry_and_its_place_is_required(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    data = form_defaults(client.get(reverse("agendaentry:add")).content.decode())
    data.update(
        {
            "title": "Mois de l'ESS en Normandie",
            "slug": "mois-ess-normandie",
            "origin": "partenaire",
            "audience": "public",
            "organiser": "Chambre régionale de l'ESS",
            "summary": "Un mois de portes ouvertes et de rencontres.",
            "starts_on": "2030-11-01",
            "ends_on": "2030-11-30",
            "action-publish": "action-publish",
        }
    )

    refused = client.post(reverse("agendaentry:add"), data)
    data["online"] = "on"
    response = client.post(reverse("agendaentry:add"), data)

    assert refused.status_code == 200 and "Indiquez le lieu" in refused.content.decode()
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AgendaEntry.objects.get().live


@pytest.mark.parametrize(
    ("namespace", "route", "key"),
    [
        ("article", "list", None),
        ("article", "edit", "article"),
        ("article", "history", "article"),
        ("article", "inspect", "article"),
        ("agendaentry", "list", None),
        ("agendaentry", "edit", "agendaentry"),
        ("rubric", "index", None),
        ("rubric", "edit", "rubric"),
    ],
)
def test_the_news_screens_open_to_editors_not_to_members(client, make_user, namespace, route, key):
    objects = news_fixture()
    url = reverse(f"{namespace}:{route}", args=[objects[key].pk] if key else [])

    client.force_login(make_user(Role.MEMBER))
    assert client.get(url).status_code in (302, 403)
    client.force_login(make_user(Role.EDITOR))
    assert client.get(url).status_code == 200
