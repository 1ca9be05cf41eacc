from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from essor.members.models import Authority, Person


class AuthoritySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Authority.objects.order_by("slug")


class PersonSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Person.objects.filter(positions__isnull=False).distinct().order_by("slug")


class NetworkPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["members:network", "members:directory", "members:map", "members:board"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "network": NetworkPagesSitemap,
    "authorities": AuthoritySitemap,
    "people": PersonSitemap,
}
