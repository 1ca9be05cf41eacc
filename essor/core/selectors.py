"""Reads shared by every module's templates."""

from django.core.cache import cache
from wagtail.models import Page

# The footer pages every French public site owes its visitors (RGAA, RGPD, LCEN).
LEGAL_PAGES = [
    ("mentions-legales", "Mentions légales"),
    ("accessibilite", "Accessibilité : partiellement conforme"),
    ("donnees-personnelles", "Données personnelles"),
]
FOOTER_CACHE_KEY = "essor:footer-links"


def footer_links() -> list[dict]:
    """Links to the legal pages that exist and are live, cached until a page is published."""
    links = cache.get(FOOTER_CACHE_KEY)
    if links is None:
        pages = {
            page.slug: page
            for page in Page.objects.live().filter(slug__in=[slug for slug, _ in LEGAL_PAGES])
        }
        links = [
            {"label": label, "url": pages[slug].url}
            for slug, label in LEGAL_PAGES
            if slug in pages and pages[slug].url
        ]
        cache.set(FOOTER_CACHE_KEY, links, 300)
    return links
