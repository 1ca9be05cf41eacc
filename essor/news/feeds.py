"""RSS 2.0 and Atom feeds of the public articles, all rubrics or one (partner sites syndicate
them, readers follow them). Members-only articles never go in a feed, whoever asks: a feed
reader keeps and forwards what it fetched."""

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from essor.core.caching import cache_public_page
from essor.news import selectors
from essor.news.models import Article, Rubric

FEED_TITLE = "Actualités du réseau"


class ArticlesFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "fr"
    title = FEED_TITLE
    description = "Les derniers articles publics du réseau, toutes rubriques."

    def link(self) -> str:
        return reverse("news:list")

    def items(self) -> list[Article]:
        return list(selectors.feed_articles())

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(8)))

    def item_updateddate(self, item: Article) -> datetime.datetime:
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [item.rubric.name]

    def item_author_name(self, item: Article) -> str | None:
        return item.signature or None


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = Atom1Feed
    subtitle = ArticlesFeed.description


class RubricFeed(ArticlesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Rubric:
        rubric = selectors.rubric_by_slug(slug)
        if rubric is None:
            raise Http404("Rubrique introuvable")
        return rubric

    def title(self, rubric: Rubric) -> str:
        return f"{FEED_TITLE} : {rubric.name}"

    def description(self, rubric: Rubric) -> str:
        return rubric.description or f"Les derniers articles publics de la rubrique {rubric.name}."

    def link(self, rubric: Rubric) -> str:
        return rubric.get_absolute_url()

    def items(self, rubric: Rubric) -> list[Article]:
        return list(selectors.feed_articles(rubric))


class RubricAtomFeed(RubricFeed):
    feed_type = Atom1Feed

    def subtitle(self, rubric: Rubric) -> str:
        return self.description(rubric)


# Served from the cache to anonymous readers (feed readers are), like the pages.
articles_rss = cache_public_page(ArticlesFeed())
articles_atom = cache_public_page(ArticlesAtomFeed())
rubric_rss = cache_public_page(RubricFeed())
rubric_atom = cache_public_page(RubricAtomFeed())
