"""The module's places in other pages, through the layout's hooks (essor/core/navigation.py,
essor/core/agenda.py, essor/core/search_sources.py): the agenda entries in the merged agenda,
articles and entries in the search, an authority's articles on its sheet, the main menu.
Imported by wagtail_hooks.py."""

from django.db import connection
from wagtail import hooks

from essor.core.agenda import AGENDA_SOURCES_HOOK
from essor.core.editorial import Audience
from essor.core.navigation import AUTHORITY_RELATED_HOOK, MAIN_MENU_HOOK, NavEntry
from essor.core.paths import slug_path
from essor.core.search_sources import SEARCH_SOURCES_HOOK, SearchSource
from essor.members.models import Authority
from essor.news import search_documents, selectors
from essor.news.agenda import entry_items
from essor.news.models import Article, Rubric


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
    # selectors.articles_of_authority() (published: live, public) written out: building it
    # with the ORM cost several times running it, on a sheet computed on each request.
    sql = (
        f"SELECT a.title, a.slug, a.date, r.name FROM {Article._meta.db_table} a "  # noqa: S608
        f"JOIN {Rubric._meta.db_table} r ON r.id = a.rubric_id "
        "WHERE a.live AND a.audience = %s AND a.id IN (SELECT article_id FROM "
        f"{Article.authorities.through._meta.db_table} WHERE authority_id = %s) "
        "ORDER BY a.date DESC, a.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Audience.PUBLIC.value, authority.pk, selectors.AUTHORITY_SHOWN])
        rows = cursor.fetchall()
    if not rows:
        return None
    article_url = slug_path("news:article")
    items = [
        {
            "label": title,
            "url": article_url(slug),
            "meta": f"{rubric}, {selectors.french_date(day)}",
        }
        for title, slug, day, rubric in rows
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
