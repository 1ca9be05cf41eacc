"""Pages served to anonymous visitors from the cache, and made stale by any edit.

One version number covers all public content: a module connects its models'
``post_save``/``post_delete`` (and m2m changes) to ``public_content_changed``, which bumps it,
so a page is never served stale after an edit, whatever the cache backend (local memory in
development, Redis when several processes serve the site).
"""

import hashlib
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "essor:public-content-version"
CACHE_HEADER = "X-Essor-Cache"
DEFAULT_TIMEOUT = 600


def public_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def public_content_changed(*_args: object, **_kwargs: object) -> None:
    """Signal receiver: every cached public page becomes stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key expired or was never set
        cache.set(VERSION_KEY, 2, timeout=None)


def public_settings_changed(*args: object, created: bool = False, **kwargs: object) -> None:
    """Signal receiver for the network's settings: stale pages on an edit, not when Wagtail
    creates them with their defaults on the first request (nothing shown has changed)."""
    if not created:
        public_content_changed(*args, **kwargs)


def _cacheable(request: HttpRequest) -> bool:
    # A visitor with a pending message (e.g. after logging out) must see it, not a copy.
    return (
        getattr(settings, "ESSOR_PAGE_CACHE", True)
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES
    )


def cache_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's successful answers to anonymous visitors from the cache."""

    @wraps(view)
    def cached(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        # Hashed: a long query string must not make a key beyond what cache backends accept.
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"essor:page:{public_version()}:{path}"
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response[CACHE_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), DEFAULT_TIMEOUT)
            response[CACHE_HEADER] = "miss"
        return response

    return cached


def remember(key: str, compute: Callable[[], object], timeout: int = DEFAULT_TIMEOUT) -> object:
    """The result of `compute()`, kept until the public content changes: for costly
    reads (comparisons, counts) every visitor, logged in or not, would otherwise redo."""
    if not getattr(settings, "ESSOR_DATA_CACHE", True):
        return compute()
    versioned = f"essor:data:{public_version()}:{hashlib.sha256(key.encode()).hexdigest()}"
    value = cache.get(versioned)
    if value is None:
        value = compute()
        cache.set(versioned, value, timeout)
    return value


def kept(key: str, compute: Callable[[], object], timeout: int) -> object:
    """The result of `compute()` kept under a fixed `key` that its writers delete (the layout's
    legal links, the referential's choice lists): like `remember`, never kept when
    ESSOR_DATA_CACHE is off, so an uncached measure pays for what it shows."""
    if not getattr(settings, "ESSOR_DATA_CACHE", True):
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def stale_on_writes(models: Iterable[type], relations: Iterable[object] = ()) -> None:
    """Make cached public pages stale on every save or delete of `models` and every change
    of the many-to-many `relations` (their descriptors: `Initiative.themes`…). Called from a
    module's AppConfig.ready."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in models:
        post_save.connect(public_content_changed, sender=model, dispatch_uid=f"cache-{model}")
        post_delete.connect(public_content_changed, sender=model, dispatch_uid=f"uncache-{model}")
    for relation in relations:
        m2m_changed.connect(
            public_content_changed,
            sender=relation.through,
            dispatch_uid=f"cache-{relation.through}",
        )
