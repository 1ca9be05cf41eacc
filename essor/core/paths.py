"""Addresses for pages that print many of them (a directory page links fifty sheets, a list of
initiatives a hundred filtered lists, a programme tens of people), reversed once per URL
configuration and script prefix rather than per line or request: they only depend on code."""

from collections.abc import Callable

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

_SLUG_MARK = "slug-mark"
_patterns: dict[tuple, tuple[str, ...]] = {}
_routes: dict[tuple, str] = {}


def address_maker(name: str, *marks: object) -> Callable[..., str]:
    """reverse(name, args=...) as a function of its arguments, made by reversing the route once
    with `marks` in the place of the arguments (slugs and numbers: nothing a path would quote;
    each mark must be a value that cannot occur in the route's fixed parts)."""
    key = (name, marks, get_urlconf(), get_script_prefix())
    parts = _patterns.get(key)
    if parts is None:
        rest, found = reverse(name, args=marks), []
        for mark in marks:
            head, _mark, rest = rest.partition(str(mark))
            found.append(head)
        parts = _patterns[key] = (*found, rest)

    if len(parts) == 2:  # one argument: the common case, a slug
        head, tail = parts
        return lambda arg: f"{head}{arg}{tail}"

    def address(*args: object) -> str:
        return "".join(part + str(arg) for part, arg in zip(parts, args, strict=False)) + parts[-1]

    return address


def slug_path(name: str) -> Callable[[str], str]:
    """A reverse() of the slug route `name` for many slugs."""
    return address_maker(name, _SLUG_MARK)


def path_of(name: str) -> str:
    """reverse(name) for a route without argument."""
    key = (name, get_urlconf(), get_script_prefix())
    path = _routes.get(key)
    if path is None:
        path = _routes[key] = reverse(name)
    return path


# The addresses and assets every page's layout links to.
_LAYOUT_ROUTES = {
    "login": "accounts:login",
    "account": "accounts:account",
    "logout": "accounts:logout",
    "admin": "wagtailadmin_home",
    "sitemap": "sitemap",
}
_LAYOUT_ASSETS = {
    "css": "essor/css/essor.css",
    "print_css": "essor/css/print.css",
    "favicon": "essor/img/favicon.svg",
}
_layouts: dict[tuple, dict[str, str]] = {}


def layout_links() -> dict[str, str]:
    """The layout's addresses ("login", "sitemap"…) and its stylesheets' and icon's URLs
    ("css", "print_css", "favicon"), worked out once per URL configuration, script prefix and
    static files' address (the versioned names only change with a deployment)."""
    key = (get_urlconf(), get_script_prefix(), settings.STATIC_URL)
    links = _layouts.get(key)
    if links is None:
        links = _layouts[key] = {
            **{name: path_of(route) for name, route in _LAYOUT_ROUTES.items()},
            **{name: static(asset) for name, asset in _LAYOUT_ASSETS.items()},
        }
    return links
