"""Rubrics, articles and agenda entries for tests; other modules' tests may import these.

`article_make()` and `entry_make()` publish through a Wagtail revision, as the admin does
(`content_publish`), unless `live=False` (a draft never published).
"""

import datetime
import itertools

from django.utils import timezone

from essor.core.editorial import Audience, content_publish, unique_slug
from essor.core.services import theme_get_or_create
from essor.members.models import Authority
from essor.news.models import AgendaEntry, Article, EntryOrigin, Rubric

_numbers = itertools.count(1)


def rubric_make(name: str = "Actualités du réseau", **fields: object) -> Rubric:
    rubric = Rubric.objects.filter(name=name).first()
    if rubric is None:
        defaults = {"slug": unique_slug(Rubric, name), "sort_order": next(_numbers)}
        rubric = Rubric.objects.create(name=name, **{**defaults, **fields})
    return rubric


def _publish_or_draft(item: Article | AgendaEntry, live: bool) -> None:
    if live:
        content_publish(item)
    else:
        item.slug = item.slug or unique_slug(type(item), item.title)
        item.live = False  # a draft: the field's default is Wagtail's True
        item.save()


def article_make(
    title: str = "Le réseau réunit ses adhérents à Lille",
    *,
    rubric: Rubric | None = None,
    summary: str = "Deux jours d'échanges sur les politiques locales d'économie solidaire.",
    audience: str = Audience.PUBLIC,
    themes: tuple[str, ...] = (),
    authorities: tuple[Authority, ...] = (),
    live: bool = True,
    **fields: object,
) -> Article:
    """An article, published unless `live=False`; `themes` are theme names."""
    article = Article(
        title=title,
        rubric=rubric or rubric_make(),
        summary=summary,
        audience=audience,
        **fields,
    )
    article.themes = [theme_get_or_create(theme) for theme in themes]
    article.authorities = list(authorities)
    _publish_or_draft(article, live)
    return article


def entry_make(
    title: str = "Forum de l'économie solidaire",
    *,
    starts_on: datetime.date | None = None,
    origin: str = EntryOrigin.PARTNER,
    audience: str = Audience.PUBLIC,
    themes: tuple[str, ...] = (),
    live: bool = True,
    **fields: object,
) -> AgendaEntry:
    """An agenda entry, ten days from today unless `starts_on`; published unless
    `live=False`."""
    entry = AgendaEntry(
        title=title,
        starts_on=starts_on or timezone.localdate() + datetime.timedelta(days=10),
        origin=origin,
        audience=audience,
        **{
            "organiser": "Chambre régionale de l'ESS",
            "venue": "Halle aux grains",
            "summary": "Stands, ateliers et rencontres entre structures de l'ESS et collectivités.",
            **fields,
        },
    )
    entry.themes = [theme_get_or_create(theme) for theme in themes]
    _publish_or_draft(entry, live)
    return entry


def news_fixture() -> dict:
    """One of each object the module's screens show, keyed by admin view set namespace (for
    the URL × role table of essor/config/tests): a rubric, a published public article and a
    published public agenda entry, both with a revision."""
    rubric = rubric_make("Rubrique du fixture", slug="rubrique-du-fixture")
    article = article_make("Article du fixture", rubric=rubric, slug="article-du-fixture")
    entry = entry_make("Événement de l'agenda du fixture", slug="agenda-du-fixture")
    return {"rubric": rubric, "article": article, "agendaentry": entry}
