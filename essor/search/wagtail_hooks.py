from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from essor.core.navigation import MAIN_MENU_HOOK, NavEntry
from essor.core.templatetags.glossary import GLOSSARY_HOOK
from essor.search.analysis import glossary
from essor.search.models import GlossaryTerm


@hooks.register(MAIN_MENU_HOOK)
def search_menu_entry() -> NavEntry:
    return NavEntry(
        "Rechercher",
        "search:search",
        order=90,
        description="Une recherche dans tout le contenu : collectivités, initiatives, fiches, publications.",
    )


class GlossaryViewSet(ModelViewSet):
    """The acronyms the search expands both ways (a search finds "PTCE" and "pôle territorial
    de coopération économique" alike); the index takes an edit into account for what is
    published afterwards, and everywhere after `essor search_rebuild`."""

    model = GlossaryTerm
    icon = "help"
    menu_label = "Glossaire des sigles"
    menu_order = 260
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = ["acronym", "expansion"]
    search_fields = ["acronym", "expansion"]
    form_fields = ["acronym", "expansion", "definition", "variants"]


@hooks.register("register_admin_viewset")
def register_glossary_viewset() -> ModelViewSet:
    return GlossaryViewSet("glossary")


@hooks.register(GLOSSARY_HOOK)
def glossary_terms() -> tuple:
    """The managed glossary, for `{% load glossary %}` in every module's pages."""
    return glossary()
