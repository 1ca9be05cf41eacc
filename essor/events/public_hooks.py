"""The module's places in other pages, through the layout's hooks (see
essor/core/navigation.py): the search source, an authority's events on its profile sheet and
the number of events among the home page's figures. Imported by wagtail_hooks.py."""

from django.utils import timezone
from wagtail import hooks

from essor.core.caching import remember
from essor.core.navigation import AUTHORITY_RELATED_HOOK, HOME_FIGURES_HOOK
from essor.core.search_sources import SEARCH_SOURCES_HOOK, SearchSource
from essor.events import selectors
from essor.events.search_documents import event_source
from essor.members.models import Authority

AUTHORITY_SHOWN = 10


@hooks.register(SEARCH_SOURCES_HOOK)
def events_search_source() -> SearchSource:
    return event_source()


@hooks.register(AUTHORITY_RELATED_HOOK)
def authority_events(authority: Authority) -> dict | None:
    """The published events an authority spoke at, organised, hosted or supported, the
    latest first."""
    rows = list(
        selectors.events_of_authority(authority).values("title", "slug", "starts_at", "kind")[
            :AUTHORITY_SHOWN
        ]
    )
    if not rows:
        return None
    kinds = dict(selectors.EventKind.choices)
    items = [
        {
            "label": row["title"],
            "url": selectors.reverse("events:detail", args=[row["slug"]]),
            "meta": f"{kinds.get(row['kind'], '')}, "
            f"{selectors.french_date(timezone.localtime(row['starts_at']).date())}",
        }
        for row in rows
    ]
    return {"title": "Événements du réseau", "items": items}


@hooks.register(HOME_FIGURES_HOOK)
def event_figures() -> list[dict]:
    count = remember("events:published-count", selectors.published_count)
    if not count:
        return []
    return [
        {
            "value": count,
            "label": f"rencontre{'s' if count > 1 else ''} et formation{'s' if count > 1 else ''}",
        }
    ]
