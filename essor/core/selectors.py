"""Reads shared by every module's templates."""

from dataclasses import dataclass

from django.urls import reverse
from wagtail.models import Page, Site

from essor.core.caching import kept
from essor.core.compiled import CompiledQuery
from essor.core.models import NetworkSettings
from essor.core.paths import address_maker

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


# Every page of the site runs these two reads: compiled once, read as plain values.
_LIVE_LEGAL_PAGES = CompiledQuery(
    lambda: (
        Page.objects.live()
        .filter(slug__in=[slug for slug, _ in LEGAL_PAGES])
        .order_by()
        .values_list("slug", "url_path")
    )
)
_IDENTITY_FIELDS = ("network_name", "network_acronym", "tagline", "postal_address", "is_demo")
_NETWORK_IDENTITY = CompiledQuery(
    lambda: NetworkSettings.objects.order_by("pk").values_list(*_IDENTITY_FIELDS)[:1]
)


@dataclass(frozen=True)
class NetworkIdentity:
    """What the layout shows of the network's settings (`NetworkSettings`)."""

    network_name: str
    network_acronym: str
    tagline: str
    postal_address: str
    is_demo: bool

    @property
    def short_name(self) -> str:
        return self.network_acronym or self.network_name


def network_identity() -> NetworkIdentity:
    """The network's identity, as every page's header and footer show it."""
    rows = _NETWORK_IDENTITY.rows()
    if not rows:  # a new instance: Wagtail creates the settings with their defaults
        settings = NetworkSettings.load()
        rows = [tuple(getattr(settings, field) for field in _IDENTITY_FIELDS)]
    *texts, is_demo = rows[0]
    return NetworkIdentity(*texts, is_demo=bool(is_demo))


def _footer_links() -> list[dict]:
    rows = _LIVE_LEGAL_PAGES.rows()
    roots = [root.root_path for root in Site.get_site_root_paths()] if rows else []
    urls = {slug: _served_url(url_path, roots) for slug, url_path in rows}
    return [{"label": label, "url": urls[slug]} for slug, label in LEGAL_PAGES if urls.get(slug)]


def _served_url(url_path: str, site_roots: list[str]) -> str | None:
    """The address Wagtail serves a page at, from its tree path ("/home/mentions-legales/"),
    as Page.get_url_parts finds it: below the root of the first site that holds it
    (`site_roots`: Site.get_site_root_paths(), kept by Wagtail until a site changes)."""
    for root in site_roots:
        if url_path.startswith(root):
            path = url_path[len(root) :]
            if not path.isascii():  # reverse() quotes what an address cannot hold as is
                return reverse("wagtail_serve", args=(path,))
            return address_maker("wagtail_serve", "essor-mark/")(path)
    return None
