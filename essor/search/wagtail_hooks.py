from wagtail import hooks

from essor.core.navigation import MAIN_MENU_HOOK, NavEntry


@hooks.register(MAIN_MENU_HOOK)
def search_menu_entry() -> NavEntry:
    return NavEntry(
        "Rechercher",
        "search:search",
        order=90,
        description="Une recherche dans tout le contenu : collectivités, initiatives, fiches, publications.",
    )
