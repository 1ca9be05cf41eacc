"""The demo news and letters: articles in every rubric from the documents' facts (and a few
fictitious ones that say so, the month's among them), the agenda's external events, the sent
e-letter of November 2026 with its recorded deliveries, a draft Flash hebdo and fictitious
subscribers at example.org; loaded once, idempotent, refused whole on a dangling reference."""

import datetime
import re
import tomllib
from pathlib import Path

import pytest
from wagtail.models import ModelLogEntry, Revision

from essor.core.editorial import Audience
from essor.demo import letters as letters_loader
from essor.demo import news as news_loader
from essor.demo.letters import letters_demo_load
from essor.demo.news import FICTITIOUS_NOTE, news_demo_load
from essor.demo.services import DATA_DIR, DemoDataError
from essor.letters.models import (
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    LetterKind,
    Subscription,
    SubscriptionStatus,
)
from essor.news.models import AgendaEntry, Article, Rubric

pytestmark = pytest.mark.django_db

# The seeds live beside the checkout, never inside it.
SEEDS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
RUBRICS = [
    "actualites-du-reseau",
    "territoires-solidaires",
    "paroles-delu-e",
    "en-bref",
    "europe",
    "appels-a-projets",
]
DEMO_DOMAIN = "@demo.essor.localhost"


def _read(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


# ------------------------------------------------------------------------- news


def test_every_rubric_has_live_articles_with_a_summary(demo):
    assert list(Rubric.objects.values_list("slug", flat=True)) == RUBRICS
    assert set(Rubric.objects.filter(for_authorities=True).values_list("slug", flat=True)) == {
        "territoires-solidaires",
        "appels-a-projets",
    }
    for rubric in Rubric.objects.all():
        assert rubric.articles.count() >= 3, rubric.name
    articles = Article.objects.all()
    assert all(
        article.live and not article.has_unpublished_changes and article.summary.strip()
        for article in articles
    )
    assert f"  {articles.count()} articles dans 6 rubriques" in demo.output
    # Calls for projects carry their deadline; some are for members only (the Flash's).
    calls = Article.objects.filter(rubric__slug="appels-a-projets")
    assert not calls.filter(deadline=None).exists()
    assert Article.objects.filter(audience=Audience.MEMBERS).count() >= 3
    assert Article.objects.filter(authorities__isnull=False).distinct().count() >= 8


def test_the_month_before_today_has_articles_for_the_letter(demo):
    november = Article.objects.filter(
        date__range=(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    )
    assert 4 <= november.count() <= 6
    assert november.filter(audience=Audience.PUBLIC).count() >= 3
    assert Article.objects.filter(date__year__in=[2017, 2018]).count() >= 15


def test_every_text_says_where_it_comes_from_or_that_it_is_fictitious(demo):
    for article in Article.objects.all():
        fictitious = FICTITIOUS_NOTE in article.body
        assert fictitious or "Données de démonstration tirées de :" in article.body, article.slug
        if fictitious:
            assert "démonstration" in article.summary.casefold(), article.slug
    entries = AgendaEntry.objects.all()
    assert 4 <= entries.count() <= 6 and all(entry.live for entry in entries)
    upcoming = entries.filter(starts_on__year=2027)
    assert upcoming.exists()
    # Whatever has not happened yet is made up, and says so.
    for entry in entries.filter(starts_on__gte=datetime.date(2026, 1, 1)):
        assert "démonstration" in entry.summary.casefold(), entry.slug
    assert {entry.origin for entry in entries} == {"membre", "partenaire"}


# ---------------------------------------------------------------------- letters


def test_the_november_letter_was_sent_once_to_its_subscribers(demo):
    assert Issue.objects.count() == 2
    letter = Issue.objects.get(kind=LetterKind.LETTER)
    assert letter.status == IssueStatus.SENT and letter.sent_at and letter.date.month == 11
    articles = Article.objects.filter(pk__in=letter.items.values("article"))
    assert articles.count() >= 3
    assert not articles.filter(audience=Audience.MEMBERS).exists()  # a public list
    assert letter.items.exclude(agenda_entry=None).exists()

    subscribers = Subscription.objects.filter(kind=LetterKind.LETTER)
    assert 35 <= subscribers.count() <= 45
    pending = subscribers.filter(status=SubscriptionStatus.PENDING)
    assert pending.exists() and not Delivery.objects.filter(subscription__in=pending).exists()
    unsubscribed = subscribers.get(status=SubscriptionStatus.UNSUBSCRIBED)
    assert unsubscribed.unsubscribed_from == letter
    bounced = subscribers.get(status=SubscriptionStatus.BOUNCED)

    deliveries = Delivery.objects.filter(issue=letter)
    # One delivery per address subscribed when it left, none left to send.
    received = subscribers.exclude(status=SubscriptionStatus.PENDING)
    assert sorted(deliveries.values_list("email", flat=True)) == sorted(
        received.values_list("email", flat=True)
    )
    assert deliveries.get(email=bounced.email).status == DeliveryStatus.FAILED
    assert deliveries.get(email=unsubscribed.email).status == DeliveryStatus.SENT
    assert deliveries.filter(status=DeliveryStatus.SENT).count() == received.count() - 1
    assert not Delivery.objects.exclude(
        status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED]
    ).exists()


def test_the_flash_hebdo_is_a_draft_for_members(demo):
    flash = Issue.objects.get(kind=LetterKind.FLASH)
    # A scheduled issue would make the task worker mail the demo addresses.
    assert flash.status == IssueStatus.DRAFT and flash.scheduled_at is None
    assert not flash.deliveries.exists()
    articles = Article.objects.filter(pk__in=flash.items.values("article"))
    assert articles.filter(audience=Audience.MEMBERS).exists()
    # Composed from what concerns members and authorities directly.
    assert all(
        article.audience == Audience.MEMBERS or article.rubric.for_authorities
        for article in articles
    )
    member = Subscription.objects.get(kind=LetterKind.FLASH, email=f"membre{DEMO_DOMAIN}")
    assert member.status == SubscriptionStatus.CONFIRMED
    assert member.consent_source == ConsentSource.MEMBERSHIP


def test_subscribers_are_fictitious_with_their_consent_recorded(demo):
    for subscription in Subscription.objects.all():
        assert subscription.email.endswith(("@example.org", DEMO_DOMAIN)), subscription.email
        assert subscription.consent_at and subscription.consent_text
        if subscription.email.endswith("@example.org"):
            assert subscription.consent_text.startswith("Démonstration : ")
    imported = Subscription.objects.filter(consent_source=ConsentSource.IMPORT)
    assert imported.count() >= 30


# ---------------------------------------------------------------- idempotence


def _history() -> tuple[int, ...]:
    return (
        Article.objects.count(),
        AgendaEntry.objects.count(),
        Revision.objects.count(),
        ModelLogEntry.objects.count(),
        Issue.objects.count(),
        sum(issue.items.count() for issue in Issue.objects.all()),
        Subscription.objects.count(),
        Delivery.objects.count(),
    )


def test_a_second_load_writes_nothing(demo):
    before = _history()
    tokens = dict(Subscription.objects.values_list("email", "token"))
    assert news_demo_load().written == 0
    assert letters_demo_load().written == 0
    assert _history() == before
    assert dict(Subscription.objects.values_list("email", "token")) == tokens


def test_a_dangling_reference_writes_nothing(demo, monkeypatch):
    before = _history()
    data = _read("news.toml")
    data["article"][0]["title"] = "Titre qui ne doit pas être écrit"
    data["article"][-1]["themes"] = ["Thème inconnu"]
    monkeypatch.setattr(news_loader, "_read", lambda: data)
    with pytest.raises(DemoDataError, match="Thème inconnu"):
        news_demo_load()
    letters = _read("letters.toml")
    letters["issue"][1]["items"].append("article:article-inexistant")
    monkeypatch.setattr(letters_loader, "_read", lambda: letters)
    with pytest.raises(DemoDataError, match="article-inexistant"):
        letters_demo_load()
    assert _history() == before
    assert not Article.objects.filter(title__startswith="Titre qui ne doit pas").exists()


def test_a_fictitious_text_that_does_not_say_so_is_refused(demo, monkeypatch):
    data = _read("news.toml")
    fictitious = next(row for row in data["article"] if row.get("fictitious"))
    fictitious["summary"] = "Un appel à projets comme un vrai."
    monkeypatch.setattr(news_loader, "_read", lambda: data)
    with pytest.raises(DemoDataError, match="démonstration"):
        news_demo_load()


def test_a_scheduled_demo_issue_is_refused(demo, monkeypatch):
    """A scheduled issue would be sent for real by the task worker."""
    data = _read("letters.toml")
    data["issue"][1]["status"] = IssueStatus.SCHEDULED
    monkeypatch.setattr(letters_loader, "_read", lambda: data)
    with pytest.raises(DemoDataError, match="brouillon"):
        letters_demo_load()


# ----------------------------------------------------------------- no copied text


def _seed_shingles(size: int) -> set[tuple[str, ...]]:
    shingles: set[tuple[str, ...]] = set()
    for path in SEEDS_DIR.glob("00*.txt"):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        shingles.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    return shingles


# Names and titles may repeat the documents; what we write about them may not.
_QUOTED_KEYS = {"slug", "title", "name", "organiser", "venue", "signature"}


def _free_texts(value: object, key: str = ""):
    if isinstance(value, str):
        if key not in _QUOTED_KEYS:
            yield re.sub(r"«[^»]*»", " ", value)
    elif isinstance(value, dict):
        for sub_key, sub_value in value.items():
            yield from _free_texts(sub_value, sub_key)
    elif isinstance(value, list):
        for item in value:
            yield from _free_texts(item, key)


@pytest.mark.parametrize("name", ["news.toml", "letters.toml"])
def test_news_and_letter_texts_are_our_own_words(name):
    """No run of 8 words of the seeds in the summaries, texts, editorials and descriptions."""
    seeds = _seed_shingles(8)
    if not seeds:
        pytest.skip("documents sources absents (../shared/seeds)")
    for text in _free_texts(_read(name)):
        words = re.findall(r"\w+", text.lower())
        copied = [
            " ".join(words[i : i + 8])
            for i in range(len(words) - 7)
            if tuple(words[i : i + 8]) in seeds
        ]
        assert not copied, f"{name} reprend une phrase d'un document source : {copied[0]}"
