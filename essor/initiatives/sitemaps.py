"""The module's addresses for the XML sitemap (wired into essor/config/urls.py)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from essor.initiatives.models import Initiative, PracticeSheet


class InitiativeSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Initiative.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, item: Initiative):
        return item.updated_at


class PracticeSheetSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return PracticeSheet.objects.published().only("number", "slug").order_by("number")


class InitiativePagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["initiatives:list", "initiatives:map", "initiatives:sheets"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "initiative-pages": InitiativePagesSitemap,
    "initiatives": InitiativeSitemap,
    "practice-sheets": PracticeSheetSitemap,
}
