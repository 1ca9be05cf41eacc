from django.contrib.sitemaps import Sitemap

from essor.members.models import Authority, Person


class AuthoritySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Authority.objects.order_by("slug")


class PersonSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Person.objects.filter(positions__isnull=False).distinct().order_by("slug")


SITEMAPS = {"authorities": AuthoritySitemap, "people": PersonSitemap}
