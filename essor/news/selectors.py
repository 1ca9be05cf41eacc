"""Reads on the news for the public pages, the feeds, the agenda and other modules (letters,
authorities' sheets).

Who may read members-only articles and agenda entries is decided here, once
(`may_read_members_only`): member users and the network's team; the list, the pages, the
agenda and the search all ask it.
"""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import dateformat

from essor.core.editorial import Audience
from essor.core.roles import Role, has_role
from essor.members.models import Authority
from essor.news.models import AgendaEntry, Article, Rubric

PAGE_SIZE = 20
OTHERS_SHOWN = 5
FEED_SIZE = 30
AUTHORITY_SHOWN = 10


def may_read_members_only(user: object) -> bool:
    """Members-only articles and agenda entries: member users and the network's team."""
    return has_role(user, Role.MEMBER)


def french_date(day: datetime.date) -> str:
    """datetime.date(2024, 3, 1) → "1er mars 2024"."""
    text = dateformat.format(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


# --- articles --------------------------------------------------------------------------------


def readable_articles(may_read: bool) -> QuerySet[Article]:
    """Published articles the reader may see, the latest first."""
    return Article.objects.readable_by(may_read).order_by("-date", "-pk")


def list_rows(found: QuerySet[Article]) -> QuerySet[Article]:
    """Articles with what a card of the list reads (slice it after)."""
    return found.select_related("rubric").only(
        "title", "slug", "summary", "date", "audience", "deadline", "rubric__name", "rubric__slug"
    )


def rubric_counts(found: QuerySet[Article]) -> dict[int, int]:
    """How many of `found` are in each rubric (one grouped query), by rubric key."""
    return dict(found.order_by().values_list("rubric").annotate(total=Count("pk")))


def rubrics() -> list[Rubric]:
    return list(Rubric.objects.all())


def rubric_by_slug(slug: str) -> Rubric | None:
    return Rubric.objects.filter(slug=slug).first()


def article_years() -> list[int]:
    """The years of published articles, the latest first."""
    dates = Article.objects.published().dates("date", "year", order="DESC")
    return [day.year for day in dates]


def published_article(slug: str) -> Article | None:
    """A published article with what its page shows, members-only ones included (the view
    decides who reads them)."""
    return (
        Article.objects.published()
        .filter(slug=slug)
        .select_related("rubric", "image")
        .prefetch_related(
            Prefetch("authorities", Authority.objects.order_by("name").only("name", "slug")),
            "themes",
        )
        .first()
    )


def other_articles(article: Article, may_read: bool) -> list[Article]:
    """The latest other articles of the article's rubric the reader may see."""
    found = readable_articles(may_read).filter(rubric_id=article.rubric_id).exclude(pk=article.pk)
    return list(list_rows(found)[:OTHERS_SHOWN])


def feed_articles(rubric: Rubric | None = None) -> QuerySet[Article]:
    """The feeds' articles: public and published only, whoever asks — a feed reader keeps
    and forwards what it fetched."""
    found = readable_articles(False).select_related("rubric")
    if rubric is not None:
        found = found.filter(rubric=rubric)
    return found[:FEED_SIZE]


def articles_of_authority(authority: Authority) -> QuerySet[Article]:
    """Public published articles about an authority, the latest first (its sheet is public)."""
    return readable_articles(False).filter(authorities=authority)


# --- agenda entries --------------------------------------------------------------------------


def readable_entries(may_read: bool) -> QuerySet[AgendaEntry]:
    entries = AgendaEntry.objects.published()
    return entries if may_read else entries.filter(audience=Audience.PUBLIC)


def entries_between(
    start: datetime.date, end: datetime.date | None, may_read: bool
) -> QuerySet[AgendaEntry]:
    """Published entries taking place on a day of [start, end] (end open when None): one
    whose last day is `start` or later, and whose first day is `end` or earlier."""
    # An entry without a last day lasts one day: its first day is its last.
    found = readable_entries(may_read).filter(Q(starts_on__gte=start) | Q(ends_on__gte=start))
    if end is not None:
        found = found.filter(starts_on__lte=end)
    return (
        found.select_related("commune", "authority")
        .prefetch_related("themes")
        .order_by("starts_on", "title")
    )


def published_entry(slug: str) -> AgendaEntry | None:
    return (
        AgendaEntry.objects.published()
        .filter(slug=slug)
        .select_related("commune", "authority")
        .prefetch_related("themes")
        .first()
    )


def entry_place(entry: AgendaEntry) -> str:
    """ "Salle X, Rennes", "En ligne" or both."""
    place = ", ".join(
        part for part in (entry.venue, entry.commune.name if entry.commune else "") if part
    )
    if entry.online:
        return f"{place} et en ligne" if place else "En ligne"
    return place


def entry_dates(entry: AgendaEntry) -> str:
    """ "12 mars 2024 à 9 h 30" or "du 12 mars 2024 au 14 mars 2024"."""
    if entry.ends_on and entry.ends_on != entry.starts_on:
        return f"du {french_date(entry.starts_on)} au {french_date(entry.ends_on)}"
    text = french_date(entry.starts_on)
    if entry.start_time:
        minutes = f"\u00a0{entry.start_time.minute:02d}" if entry.start_time.minute else ""
        text += f" à {entry.start_time.hour}\u00a0h{minutes}"
    return text
