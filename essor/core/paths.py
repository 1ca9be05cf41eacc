"""Addresses for pages that print many of them (a directory page links fifty sheets, a list of
initiatives a hundred filtered lists), reversed once per URL configuration and script prefix
rather than per line or request: they only depend on code."""

from collections.abc import Callable

from django.urls import get_script_prefix, get_urlconf, reverse

_MARK = "slug-mark"
_slug_routes: dict[tuple, tuple[str, str]] = {}
_routes: dict[tuple, str] = {}


def _parts(name: str) -> tuple[str, str]:
    """What comes before and after the slug in the route `name`."""
    key = (name, get_urlconf(), get_script_prefix())
    parts = _slug_routes.get(key)
    if parts is None:
        head, _mark, tail = reverse(name, args=[_MARK]).partition(_MARK)
        parts = _slug_routes[key] = (head, tail)
    return parts


def slug_path(name: str) -> Callable[[str], str]:
    """A reverse() of the slug route `name` for many slugs: each is put between the fixed
    parts (slugs hold no character a path would quote)."""
    head, tail = _parts(name)
    return lambda slug: f"{head}{slug}{tail}"


def path_of(name: str) -> str:
    """reverse(name) for a route without argument."""
    key = (name, get_urlconf(), get_script_prefix())
    path = _routes.get(key)
    if path is None:
        path = _routes[key] = reverse(name)
    return path
