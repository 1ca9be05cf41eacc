"""The module's addresses for the XML sitemap (wired into essor/config/urls.py)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from essor.events.models import Event


class EventSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Event.objects.published().only("slug", "updated_at").order_by("-starts_at", "pk")

    def lastmod(self, item: Event):
        return item.updated_at


class EventPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["events:agenda", "events:past"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "event-pages": EventPagesSitemap,
    "events": EventSitemap,
}
