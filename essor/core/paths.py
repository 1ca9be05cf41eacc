"""Addresses for pages that print many of them (a directory page links fifty sheets, a list of
initiatives a hundred filtered lists, a programme tens of people), reversed once per URL
configuration and script prefix rather than per line or request: they only depend on code."""

from collections.abc import Callable

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
