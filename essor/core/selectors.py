"""Reads shared by every module's templates."""

from django.urls import reverse
from wagtail.models import Page, Site

from essor.core.caching import kept

# The footer pages every French public site owes its visitors (RGAA, RGPD, LCEN).
LEGAL_PAGES = [
    ("mentions-legales", "Mentions légales"),
    ("accessibilite", "Accessibilité : partiellement conforme"),
    ("donnees-personnelles", "Données personnelles"),
]
FOOTER_CACHE_KEY = "essor:footer-links"


def footer_links() -> list[dict]:
    """Links to the legal pages that exist and are live, kept until a page is published."""
    return kept(FOOTER_CACHE_KEY, _footer_links, 300)


def _footer_links() -> list[dict]:
    # Plain values, not page objects: every page of the site pays for this query.
    rows = Page.objects.live().filter(slug__in=[slug for slug, _ in LEGAL_PAGES]).order_by()
    urls = {slug: _served_url(url_path) for slug, url_path in rows.values_list("slug", "url_path")}
    return [{"label": label, "url": urls[slug]} for slug, label in LEGAL_PAGES if urls.get(slug)]


def _served_url(url_path: str) -> str | None:
    """The address Wagtail serves a page at, from its tree path ("/home/mentions-legales/"),
    as Page.get_url_parts finds it: below the root of the first site that holds it."""
    for root in Site.get_site_root_paths():  # kept by Wagtail until a site changes
        if url_path.startswith(root.root_path):
            return reverse("wagtail_serve", args=(url_path[len(root.root_path) :],))
    return None
