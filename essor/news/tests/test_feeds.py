"""RSS and Atom feeds: valid XML of the right kind, the public published articles only (never
a members-only one, even for a member), per rubric too."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from essor.core.editorial import Audience
from essor.core.roles import Role
from essor.news.tests.factories import article_make, rubric_make

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def articles():
    network, europe = rubric_make("Actualités du réseau"), rubric_make("Europe")
    return {
        "network": network,
        "europe": europe,
        "old": article_make("Rencontre nationale", rubric=network, date=datetime.date(2024, 1, 5)),
        "new": article_make(
            "Le Parlement européen et l'ESS",
            rubric=europe,
            date=datetime.date(2024, 2, 5),
            signature="La délégation",
        ),
        "members": article_make(
            "Flash réservé",
            rubric=network,
            audience=Audience.MEMBERS,
            date=datetime.date(2024, 3, 1),
        ),
        "draft": article_make("Brouillon", rubric=network, live=False),
    }


def _rss_titles(content: bytes) -> list[str]:
    root = ET.fromstring(content)  # noqa: S314 - our own feed
    assert root.tag == "rss" and root.get("version") == "2.0"
    return [item.findtext("title") for item in root.iter("item")]


def _atom_titles(content: bytes) -> list[str]:
    root = ET.fromstring(content)  # noqa: S314 - our own feed
    assert root.tag == f"{ATOM}feed"
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


def test_the_rss_feed_lists_public_articles_latest_first(client, articles):
    response = client.get(reverse("news:feed_rss"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert _rss_titles(response.content) == [
        "Le Parlement européen et l'ESS",
        "Rencontre nationale",
    ]
    root = ET.fromstring(response.content)  # noqa: S314
    item = root.find("channel/item")
    assert item.findtext("link").endswith(articles["new"].get_absolute_url())
    assert item.findtext("category") == "Europe"


def test_the_atom_feed_lists_the_same_articles(client, articles):
    response = client.get(reverse("news:feed_atom"))

    assert response["Content-Type"].startswith("application/atom+xml")
    assert _atom_titles(response.content) == [
        "Le Parlement européen et l'ESS",
        "Rencontre nationale",
    ]


def test_members_only_articles_are_never_in_a_feed_even_for_a_member(client, make_user, articles):
    client.force_login(make_user(Role.MEMBER))

    for name in ("news:feed_rss", "news:feed_atom"):
        assert b"Flash r" not in client.get(reverse(name)).content
    rubric_feed = reverse("news:rubric_feed_rss", args=[articles["network"].slug])
    assert _rss_titles(client.get(rubric_feed).content) == ["Rencontre nationale"]


def test_a_rubric_feed_lists_its_articles_only(client, articles):
    slug = articles["europe"].slug

    rss = client.get(reverse("news:rubric_feed_rss", args=[slug]))
    atom = client.get(reverse("news:rubric_feed_atom", args=[slug]))

    assert _rss_titles(rss.content) == ["Le Parlement européen et l'ESS"]
    assert _atom_titles(atom.content) == ["Le Parlement européen et l'ESS"]
    assert "Europe" in ET.fromstring(rss.content).findtext("channel/title")  # noqa: S314
    assert client.get(reverse("news:rubric_feed_rss", args=["inconnue"])).status_code == 404
