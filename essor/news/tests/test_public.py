"""The news' public pages: the list with its filters and counts, a rubric's page, an article's
page, what members-only articles show to whom, the sitemap, the search documents and an
authority's articles on its sheet."""

import datetime

import pytest
from django.urls import reverse
from wagtail import hooks

from essor.core.editorial import Audience
from essor.core.navigation import AUTHORITY_RELATED_HOOK
from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.members.tests.factories import authority_for
from essor.news import selectors
from essor.news.public_hooks import authority_articles
from essor.news.search_documents import agenda_entry_source, article_source
from essor.news.tests.factories import article_make, entry_make, news_fixture, rubric_make

pytestmark = pytest.mark.django_db

LIST = "/actualites/"


@pytest.fixture
def articles():
    network = rubric_make("Actualités du réseau")
    territories = rubric_make("Territoires solidaires")
    caen = authority_for("14118")
    return {
        "network": network,
        "territories": territories,
        "caen": caen,
        "assembly": article_make(
            "Assemblée générale à Lille",
            rubric=network,
            date=datetime.date(2023, 6, 15),
            themes=("Commande publique",),
        ),
        "caen_article": article_make(
            "Caen lance une monnaie locale",
            rubric=territories,
            date=datetime.date(2024, 3, 1),
            authorities=(caen,),
            themes=("Finance solidaire",),
        ),
        "flash": article_make(
            "Appel à projets réservé aux adhérents",
            rubric=network,
            date=datetime.date(2024, 2, 1),
            audience=Audience.MEMBERS,
            deadline=datetime.date(2024, 4, 30),
        ),
        "draft": article_make("Brouillon jamais publié", rubric=network, live=False),
    }


def _titles(html: str, *candidates: str) -> list[str]:
    return [title for title in candidates if title in html]


ALL = (
    "Assemblée générale à Lille",
    "Caen lance une monnaie locale",
    "Appel à projets réservé aux adhérents",
    "Brouillon jamais publié",
)


def test_the_list_shows_published_public_articles_latest_first_to_visitors(client, articles):
    html = assert_page_ok(client.get(LIST))

    assert _titles(html, *ALL) == ["Assemblée générale à Lille", "Caen lance une monnaie locale"]
    assert html.index("Caen lance une monnaie locale") < html.index("Assemblée générale à Lille")
    assert "2 articles" in html
    # Rubric counts: one public article in each.
    assert 'Actualités du réseau <span class="news-rubrics__count">(1 article)' in html
    assert 'type="application/rss+xml"' in html and reverse("news:feed_atom") in html


def test_members_see_members_only_articles_marked_as_such(client, make_user, articles):
    client.force_login(make_user(Role.MEMBER))

    html = assert_page_ok(client.get(LIST))

    assert "Appel à projets réservé aux adhérents" in html
    assert "3 articles" in html
    assert "Réservé aux adhérents</li>" in html
    assert "Brouillon jamais publié" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rubrique=territoires-solidaires", ["Caen lance une monnaie locale"]),
        ("theme=commande-publique", ["Assemblée générale à Lille"]),
        ("annee=2023", ["Assemblée générale à Lille"]),
        ("collectivite={caen}", ["Caen lance une monnaie locale"]),
    ],
)
def test_each_filter_narrows_the_list(client, articles, query, expected):
    html = assert_page_ok(client.get(f"{LIST}?{query.format(caen=articles['caen'].slug)}"))

    assert _titles(html, *ALL) == expected
    assert "1 article correspondant à vos critères" in html


@pytest.mark.parametrize(
    "query", ["rubrique=inconnue", "annee=deux-mille", "annee=1850", "theme=x&collectivite=y"]
)
def test_a_bad_filter_is_explained_and_not_applied(client, articles, query):
    html = assert_page_ok(client.get(f"{LIST}?{query}"))

    assert "Certains filtres ne sont pas valides et n'ont pas été appliqués" in html
    assert _titles(html, *ALL) == ["Assemblée générale à Lille", "Caen lance une monnaie locale"]


def test_the_list_is_paginated(client, articles):
    from essor.news import selectors

    rubric = articles["network"]
    for number in range(selectors.PAGE_SIZE):
        article_make(f"Brève numéro {number}", rubric=rubric, date=datetime.date(2025, 1, 1))

    first = assert_page_ok(client.get(LIST))
    second = assert_page_ok(client.get(f"{LIST}?page=2"))

    assert "22 articles" in first and "Page 1 sur 2" in first
    assert "Assemblée générale à Lille" in second and "Brève numéro" not in second


def test_a_rubric_page_lists_its_articles_only(client, articles):
    url = reverse("news:rubric", args=[articles["network"].slug])

    html = assert_page_ok(client.get(url))

    assert _titles(html, *ALL) == ["Assemblée générale à Lille"]
    assert reverse("news:rubric_feed_rss", args=[articles["network"].slug]) in html
    assert client.get(reverse("news:rubric", args=["inconnue"])).status_code == 404


def test_an_article_page_shows_its_rubric_authorities_themes_and_other_articles(client, articles):
    other = article_make("Une autre brève des territoires", rubric=articles["territories"])

    html = assert_page_ok(client.get(articles["caen_article"].get_absolute_url()))

    assert "Territoires solidaires" in html
    assert reverse("members:authority", args=[articles["caen"].slug]) in html
    assert "Finance solidaire" in html
    assert "Autres articles de la rubrique" in html and other.title in html


def test_a_members_only_article_asks_visitors_to_log_in_and_opens_to_members(
    client, make_user, articles
):
    url = articles["flash"].get_absolute_url()

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(make_user(Role.MEMBER))
    html = assert_page_ok(client.get(url))
    assert "Date limite de réponse" in html and "Réservé aux adhérents" in html


def test_a_draft_or_unknown_article_is_not_found(client, articles):
    assert client.get(reverse("news:article", args=[articles["draft"].slug])).status_code == 404
    assert client.get(reverse("news:article", args=["inconnu"])).status_code == 404


def test_the_sitemap_lists_public_articles_and_entries_only(client, articles):
    public_entry = entry_make("Forum public")
    members_entry = entry_make("Réunion des adhérents", audience=Audience.MEMBERS)

    xml = client.get("/sitemap.xml").content.decode()

    assert articles["assembly"].get_absolute_url() in xml
    assert articles["flash"].get_absolute_url() not in xml
    assert articles["draft"].slug not in xml
    assert public_entry.get_absolute_url() in xml
    assert members_entry.get_absolute_url() not in xml
    assert reverse("news:rubric", args=[articles["network"].slug]) in xml


def test_the_search_documents_flag_members_only_articles_and_entries(articles):
    entry_make("Réunion des adhérents", audience=Audience.MEMBERS)
    documents = {doc.title: doc for doc in article_source().documents()}

    assert set(documents) == {
        "Assemblée générale à Lille",
        "Caen lance une monnaie locale",
        "Appel à projets réservé aux adhérents",
    }
    assert documents["Appel à projets réservé aux adhérents"].members_only
    assert not documents["Assemblée générale à Lille"].members_only
    assert documents["Caen lance une monnaie locale"].themes == ["finance-solidaire"]
    assert [(d.title, d.members_only) for d in agenda_entry_source().documents()] == [
        ("Réunion des adhérents", True)
    ]


def test_an_authority_sheet_lists_its_public_articles(articles):
    related = authority_articles(articles["caen"])

    assert related["items"][0]["label"] == "Caen lance une monnaie locale"
    assert authority_articles(authority_for("14047")) is None
    assert authority_articles in hooks.get_hooks(AUTHORITY_RELATED_HOOK)


def test_the_sheet_articles_read_in_sql_are_those_of_the_selector(articles):
    """The hook's plain SQL finds, in the same order and number, what
    selectors.articles_of_authority() finds: drafts and members-only articles left out, the
    latest first, ties by the newest article, AUTHORITY_SHOWN at most."""
    caen, rubric = articles["caen"], articles["territories"]
    day = datetime.date(2024, 3, 1)
    for number in range(selectors.AUTHORITY_SHOWN + 2):
        article_make(f"Article <{number}>", rubric=rubric, date=day, authorities=(caen,))
    article_make("Brouillon", rubric=rubric, authorities=(caen,), live=False)
    article_make("Adhérents", rubric=rubric, authorities=(caen,), audience=Audience.MEMBERS)
    expected = [
        (
            article.title,
            article.get_absolute_url(),
            f"{rubric.name}, {selectors.french_date(article.date)}",
        )
        for article in selectors.articles_of_authority(caen)[: selectors.AUTHORITY_SHOWN]
    ]

    items = authority_articles(caen)["items"]

    assert [(item["label"], item["url"], item["meta"]) for item in items] == expected
    assert len(items) == selectors.AUTHORITY_SHOWN


def test_news_fixture_is_published_and_public(client):
    objects = news_fixture()

    for key in ("article", "agendaentry"):
        assert objects[key].live
        assert_page_ok(client.get(objects[key].get_absolute_url()))
    assert_page_ok(client.get(objects["rubric"].get_absolute_url()))


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_articles(client, articles):
    from essor.core.testing import count_queries

    few = count_queries(client, LIST)
    for number in range(15):
        article_make(f"Brève {number}", rubric=articles["network"], themes=("Commande publique",))

    assert count_queries(client, LIST) == few
