"""The module's addresses for the XML sitemap (wired into essor/config/urls.py): the lists,
the rubrics, public articles and public agenda entries (members-only ones ask for a login:
search engines cannot read them)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from essor.core.editorial import Audience
from essor.news.models import AgendaEntry, Article, Rubric


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .filter(audience=Audience.PUBLIC)
            .only("slug", "updated_at")
            .order_by("-date", "-pk")
        )

    def lastmod(self, item: Article):
        return item.updated_at


class AgendaEntrySitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            AgendaEntry.objects.published()
            .filter(audience=Audience.PUBLIC)
            .only("slug", "updated_at")
            .order_by("-starts_on", "pk")
        )

    def lastmod(self, item: AgendaEntry):
        return item.updated_at


class NewsPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["news:list", "news:agenda", *Rubric.objects.values_list("slug", flat=True)]

    def location(self, item: str) -> str:
        if item.startswith("news:"):
            return reverse(item)
        return reverse("news:rubric", args=[item])


SITEMAPS = {
    "news-pages": NewsPagesSitemap,
    "news-articles": ArticleSitemap,
    "news-agenda": AgendaEntrySitemap,
}
