"""Extension points of the layout, filled by modules through Wagtail hooks.

Modules register in their `wagtail_hooks.py` instead of editing the base template,
so the layout "holds the modules" without knowing them:

- ``essor_main_menu`` → a ``NavEntry``
- ``essor_home_figures`` → a list of ``{"value", "label"}`` for the home page
- ``essor_account_panels`` → a callable ``(request) -> {"title", "template", "context"} | None``
- ``essor_member_space_panels`` → the same, shown in a member user's space (their
  registrations, their submissions…)
- ``essor_authority_related`` → a callable ``(authority) -> {"title", "items": [{"label",
  "url", "meta"}]} | None``: what a module holds about an authority (initiatives, events,
  publications), listed on its profile sheet
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from wagtail import hooks

from essor.core.roles import Role, has_role

MAIN_MENU_HOOK = "essor_main_menu"
HOME_FIGURES_HOOK = "essor_home_figures"
ACCOUNT_PANELS_HOOK = "essor_account_panels"
MEMBER_SPACE_PANELS_HOOK = "essor_member_space_panels"
AUTHORITY_RELATED_HOOK = "essor_authority_related"


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int = 100
    role: Role = Role.VISITOR
    description: str = ""

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# The menu only depends on code (the modules' hooks and URL patterns): every page shows it, so
# it is built once per set of hooks, URL configuration and script prefix, not per request.
_menus: dict[tuple, list[tuple[Role, dict]]] = {}


def menu_for(user: object) -> list[dict]:
    """Main menu entries this user may follow, in order."""
    return [dict(item) for role, item in _menu() if has_role(user, role)]


def _menu() -> list[tuple[Role, dict]]:
    functions = tuple(hooks.get_hooks(MAIN_MENU_HOOK))
    key = (functions, get_urlconf(), get_script_prefix())
    menu = _menus.get(key)
    if menu is None:
        entries = sorted((fn() for fn in functions), key=lambda e: (e.order, e.label))
        menu = _menus[key] = [
            (entry.role, {"label": entry.label, "url": url, "description": entry.description})
            for entry in entries
            if (url := entry.url())
        ]
    return menu


def home_figures() -> list[dict]:
    return [figure for fn in hooks.get_hooks(HOME_FIGURES_HOOK) for figure in fn()]


def account_panels(request: HttpRequest) -> list[dict]:
    return [panel for fn in hooks.get_hooks(ACCOUNT_PANELS_HOOK) if (panel := fn(request))]


def member_space_panels(request: HttpRequest) -> list[dict]:
    return [panel for fn in hooks.get_hooks(MEMBER_SPACE_PANELS_HOOK) if (panel := fn(request))]
