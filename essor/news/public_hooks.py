"""The module's places in other pages, through the layout's hooks (essor/core/navigation.py,
essor/core/agenda.py, essor/core/search_sources.py): the agenda entries in the merged agenda,
articles and entries in the search, an authority's articles on its sheet, the main menu.
Imported by wagtail_hooks.py."""

from django.urls import reverse
from wagtail import hooks

from essor.core.agenda import AGENDA_SOURCES_HOOK
from essor.core.navigation import AUTHORITY_RELATED_HOOK, MAIN_MENU_HOOK, NavEntry
from essor.core.search_sources import SEARCH_SOURCES_HOOK, SearchSource
from essor.members.models import Authority
from essor.news import search_documents, selectors
from essor.news.agenda import entry_items


@hooks.register(AGENDA_SOURCES_HOOK)
def agenda_entries_source(start: object, end: object, user: object) -> list:
    return entry_items(start, end, user)


@hooks.register(SEARCH_SOURCES_HOOK)
def articles_search_source() -> SearchSource:
    return search_documents.article_source()


@hooks.register(SEARCH_SOURCES_HOOK)
def agenda_entries_search_source() -> SearchSource:
    return search_documents.agenda_entry_source()


@hooks.register(AUTHORITY_RELATED_HOOK)
def authority_articles(authority: Authority) -> dict | None:
    """The public articles about an authority, the latest first (its sheet is public)."""
    rows = list(
        selectors.articles_of_authority(authority).values("title", "slug", "date", "rubric__name")[
            : selectors.AUTHORITY_SHOWN
        ]
    )
    if not rows:
        return None
    items = [
        {
            "label": row["title"],
            "url": reverse("news:article", args=[row["slug"]]),
            "meta": f"{row['rubric__name']}, {selectors.french_date(row['date'])}",
        }
        for row in rows
    ]
    return {"title": "Actualités", "items": items}


@hooks.register(MAIN_MENU_HOOK)
def news_menu_entry() -> NavEntry:
    return NavEntry(
        "Actualités",
        "news:list",
        order=40,
        description="Les actualités du réseau et des territoires, et l'agenda.",
    )
