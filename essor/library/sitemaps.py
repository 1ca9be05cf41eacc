"""The library's addresses for the XML sitemap (wired into essor/config/urls.py): the list and
the published publications open to everyone (a members-only one is not advertised)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from essor.library.models import Publication


class PublicationSitemap(Sitemap):
    changefreq = "yearly"
    limit = 5000

    def items(self):
        return (
            Publication.objects.published()
            .filter(members_only=False)
            .only("slug", "updated_at")
            .order_by("slug")
        )

    def lastmod(self, item: Publication):
        return item.updated_at


class LibraryPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["library:list"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "library-pages": LibraryPagesSitemap,
    "publications": PublicationSitemap,
}
