"""Writes of the shared kernel: the site tree every installation starts with."""

from django.core.cache import cache
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from essor.core.caching import public_content_changed
from essor.core.models import HomePage, StandardPage, Theme
from essor.core.selectors import FOOTER_CACHE_KEY

HOME_TITLE = "Accueil"
HOME_INTRO = (
    "<p>Essor rassemble le travail d'un réseau de collectivités engagées pour l'économie "
    "sociale et solidaire : ses membres, leurs initiatives, ses rencontres, ses publications.</p>"
)

LEGAL_PAGE_CONTENT = {
    "mentions-legales": (
        "Mentions légales",
        "Qui publie ce site, qui l'héberge et sous quelles conditions réutiliser ses contenus.",
        "<h2>Éditeur</h2><p>Le site est publié par le réseau dont l'identité figure en pied de "
        "page ; ses coordonnées se règlent dans l'administration (Paramètres › Identité du "
        "réseau).</p><h2>Hébergement</h2><p>L'hébergeur est indiqué par l'administrateur de "
        "l'instance.</p><h2>Logiciel</h2><p>Ce site fonctionne avec Essor, logiciel libre.</p>",
    ),
    "accessibilite": (
        "Déclaration d'accessibilité",
        "Le réseau s'engage à rendre son site accessible conformément au RGAA 4.1.",
        "<h2>État de conformité</h2><p>Le site est partiellement conforme au RGAA 4.1 : chaque "
        "page publique est contrôlée automatiquement (axe-core) à chaque version ; aucun audit "
        "complet n'a encore été réalisé.</p><h2>Signaler un défaut</h2><p>Si vous ne pouvez pas "
        "accéder à un contenu, écrivez au réseau : une réponse ou une version accessible vous "
        "sera proposée.</p><h2>Voies de recours</h2><p>Vous pouvez saisir le Défenseur des "
        "droits si vous n'obtenez pas de réponse satisfaisante.</p>",
    ),
    "donnees-personnelles": (
        "Données personnelles",
        "Quelles données le site conserve, pourquoi, combien de temps, et comment exercer vos droits.",
        "<h2>Données conservées</h2><p>Comptes : nom, courriel, collectivité de rattachement. "
        "Personnes publiques : nom et fonction ; leurs coordonnées ne sont visibles que des "
        "membres du réseau.</p><h2>Vos droits</h2><p>Depuis la page « Mon compte », vous pouvez "
        "exporter vos données et supprimer votre compte. Pour toute autre demande, écrivez au "
        "réseau.</p><h2>Cookies</h2><p>Le site n'utilise qu'un cookie de session et un cookie de "
        "protection des formulaires, sans mesure d'audience tierce.</p>",
    ),
}


@transaction.atomic
def site_ensure() -> HomePage:
    """Make sure the default site serves an Essor home page with the legal pages under it.

    Idempotent: run after every migration; never overwrites what editors changed.
    """
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title=HOME_TITLE, slug="accueil", intro=HOME_INTRO))
        _point_default_site_to(home)
        _remove_wagtail_welcome_page(root, keep=home)
    existing = set(home.get_children().values_list("slug", flat=True))
    for slug, (title, intro, body) in LEGAL_PAGE_CONTENT.items():
        if slug not in existing:
            home.add_child(
                instance=StandardPage(
                    title=title, slug=slug, intro=intro, body=body, show_in_menus=False
                )
            )
    cache.delete(FOOTER_CACHE_KEY)
    return home


def _point_default_site_to(home: Page) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Essor"
        )
    else:
        site.root_page = home
        site.save()


def _remove_wagtail_welcome_page(root: Page, keep: Page) -> None:
    # Wagtail's own migration creates a "Welcome to your new Wagtail site!" page.
    for page in root.get_children().exclude(pk=keep.pk):
        if page.specific_class is Page:
            page.delete()


def site_ensure_after_migrate(sender: object, **kwargs: object) -> None:
    site_ensure()


def clear_layout_caches(**kwargs: object) -> None:
    """A page published or unpublished may be a legal page, linked from every page's footer:
    the kept links and every cached page go stale."""
    cache.delete(FOOTER_CACHE_KEY)
    public_content_changed()


@transaction.atomic
def theme_get_or_create(name: str, description: str = "") -> Theme:
    """The theme of that name (case-insensitive), created on first use."""
    theme = Theme.objects.filter(name__iexact=name.strip()).first()
    if theme is None:
        theme = Theme.objects.create(
            name=name.strip(), slug=slugify(name)[:120], description=description
        )
    return theme
