"""The mail of an issue survives the major mail clients' constraints, carries the same content
and links in its two versions, and shows its items grouped by rubric then the agenda.

The HTML is parsed, not grepped: a template change that adds a <style> block, a layout table
without role="presentation", a relative link or a floating column makes these tests fail."""

import datetime
import io
import re

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from essor.core.editorial import Audience
from essor.events.tests.factories import EventFactory
from essor.letters.models import Issue, IssueStatus, LetterKind
from essor.letters.rendering import UNSUBSCRIBE_URL_MARK, issue_render
from essor.letters.tests.factories import issue_make
from essor.news.tests.factories import article_make, entry_make, rubric_make

pytestmark = [
    pytest.mark.django_db,
    # Wagtail's rendition of the article's image leaves a temporary file to the collector.
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in.*SpooledTemporaryFile:pytest.PytestUnraisableExceptionWarning"
    ),
    pytest.mark.filterwarnings("ignore:Unclosed file.*SpooledTemporaryFile:ResourceWarning"),
]

SITE = "https://essor.example.org"
MAX_WIDTH = 600
# Tags mail clients strip or refuse (or that would run code): none in a letter.
FORBIDDEN_TAGS = ["script", "style", "link", "form", "input", "iframe", "object", "embed", "video"]
# CSS that Outlook's Word engine or Gmail drop, or that lays out (badly) without them.
FORBIDDEN_CSS = re.compile(
    r"(^|;)\s*(position|float|flex[a-z-]*|grid[a-z-]*)\s*:|display\s*:\s*(flex|grid)|url\(",
    re.IGNORECASE,
)


@pytest.fixture
def issue(settings):
    settings.SITE_URL = SITE
    first = rubric_make("Territoires solidaires", slug="territoires-solidaires", sort_order=1)
    second = rubric_make("En bref", slug="en-bref", sort_order=2)
    image = get_image_model().objects.create(title="Marché", file=_png("marche.png"))
    brief = article_make("Brève sur la loi ESS", rubric=second, date=datetime.date(2025, 3, 4))
    territory = article_make(
        "Une monnaie locale à Brest",
        rubric=first,
        date=datetime.date(2025, 3, 10),
        image=image,
        image_alt="Le marché couvert de Brest un jour de marché",
    )
    later = entry_make("Forum régional de l'ESS", starts_on=datetime.date(2025, 4, 20))
    sooner = EventFactory(
        title="Journée d'échanges à Lille",
        starts_at=timezone.make_aware(datetime.datetime(2025, 4, 2, 9, 30)),
    )
    return issue_make(
        LetterKind.LETTER,
        items=(later, brief, sooner, territory),
        date=datetime.date(2025, 3, 31),
        title="Les nouvelles de mars",
        editorial='<p>Bonne lecture, et voyez <a href="/actualites/">nos actualités</a>.</p>',
    )


def _png(name: str) -> ContentFile:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (900, 450), "green").save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _pixels(value: str) -> int | None:
    match = re.fullmatch(r"\s*(\d+)(px)?\s*", value)
    return int(match.group(1)) if match else None


def test_the_html_keeps_to_what_mail_clients_accept(issue):
    rendered = issue_render(issue)
    soup = _soup(rendered.html.replace(UNSUBSCRIBE_URL_MARK, f"{SITE}/lettres/desinscription/x/"))

    for tag in FORBIDDEN_TAGS:
        assert soup.find(tag) is None, f"<{tag}> in the mail"
    assert not soup.find(attrs={"class": True}), "a class needs a stylesheet the mail lacks"
    assert not any(attribute.startswith("on") for t in soup.find_all(True) for attribute in t.attrs)

    tables = soup.find_all("table")
    assert len(tables) >= 2
    for table in tables:
        assert table.get("role") == "presentation", table.attrs
        width = table.get("width", "")
        assert width == "100%" or (_pixels(width) or 0) <= MAX_WIDTH, width
    assert any(table.get("width") == str(MAX_WIDTH) for table in tables)

    for element in soup.find_all(style=True):
        style = element["style"]
        assert not FORBIDDEN_CSS.search(style), style
        for _prop, value in re.findall(r"(?:^|;)\s*((?:max-)?width)\s*:\s*([^;]+)", style):
            pixels = _pixels(value)
            assert pixels is None or pixels <= MAX_WIDTH, style

    images = soup.find_all("img")
    assert images, "the article's image is shown"
    for image in images:
        assert image.get("alt", "").strip(), image
        assert 0 < int(image["width"]) <= MAX_WIDTH
        assert image["src"].startswith("https://")

    links = soup.find_all("a")
    assert links
    for link in links:
        assert link["href"].startswith(("https://", "mailto:")), link["href"]
    assert f"{SITE}/actualites/" in [link["href"] for link in links], "editorial link absolute"


def test_both_versions_hold_the_same_items_links_and_unsubscribe_mark(issue):
    rendered = issue_render(issue)
    assert rendered.subject == "Lettre électronique n° 1 — Les nouvelles de mars"
    assert UNSUBSCRIBE_URL_MARK in rendered.html
    assert UNSUBSCRIBE_URL_MARK in rendered.text
    soup = _soup(rendered.html)
    hrefs = {link["href"] for link in soup.find_all("a")}
    web_version = f"{SITE}/lettres/lettre/{issue.number}/"
    assert web_version in hrefs and web_version in rendered.text
    for item in issue.items.all():
        target = item.article or item.event or item.agenda_entry
        url = target.url if getattr(target, "url", "") else SITE + target.get_absolute_url()
        assert url in hrefs, url
        assert url in rendered.text, url
        assert target.title in soup.get_text()
        assert target.title in rendered.text
    assert "nos actualités (https://essor.example.org/actualites/)" in rendered.text
    # Who sends it and why the reader gets it, in both versions.
    for version in (soup.get_text(" "), rendered.text):
        assert "Vous recevez cette lettre parce que" in version
        assert "Se désinscrire" in version
    assert "<p" not in rendered.text and "&#" not in rendered.text


def test_items_are_grouped_by_rubric_in_rubric_order_then_the_agenda_by_date(issue):
    text = issue_render(issue).text
    positions = [
        text.index(marker)
        for marker in (
            "TERRITOIRES SOLIDAIRES",
            "Une monnaie locale à Brest",
            "EN BREF",
            "Brève sur la loi ESS",
            "AGENDA",
            "Journée d'échanges à Lille",  # 2 April, although added after the forum
            "Forum régional de l'ESS",  # 20 April
        )
    ]
    assert positions == sorted(positions)
    html = _soup(issue_render(issue).html)
    headings = [h2.get_text(strip=True) for h2 in html.find_all("h2")]
    assert headings[1:] == ["Territoires solidaires", "En bref", "Agenda"]


def test_a_members_only_article_of_the_flash_links_to_the_site_page_marked_for_members(settings):
    settings.SITE_URL = SITE
    article = article_make("Appel à projets réservé", audience=Audience.MEMBERS)
    flash = issue_make(LetterKind.FLASH, items=(article,))
    rendered = issue_render(flash)
    assert f"{SITE}{article.get_absolute_url()}" in rendered.html
    assert "réservé aux adhérents" in rendered.text
    assert "Vous recevez le Flash hebdo parce que" in rendered.text


def test_the_articles_image_and_its_text_in_the_mail_and_the_web_version(issue, client):
    alt = "Le marché couvert de Brest un jour de marché"
    [image] = _soup(issue_render(issue).html).find_all("img")
    assert image["alt"] == alt
    assert image["src"].startswith(f"{SITE}/") and ".width-560." in image["src"]
    assert (int(image["width"]), int(image["height"])) == (560, 280)
    assert "max-width:560px" in image["style"].replace(" ", "")

    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT)
    page = client.get(issue.get_absolute_url())
    assert page.status_code == 200
    [shown] = _soup(page.content.decode()).select("main img, article img")
    assert shown["alt"] == alt
    assert shown["src"].endswith(".width-560.png") and shown["src"] == image["src"].removeprefix(
        SITE
    )
    assert (shown["width"], shown["height"]) == ("560", "280")
