"""The module's places in other pages, through the layout's hooks (see
essor/core/navigation.py and essor/core/agenda.py): the search source, an authority's events on
its profile sheet, the number of events among the home page's figures and the network's events
in the merged agenda. Imported by wagtail_hooks.py."""

import datetime

from django.db import connection
from django.utils import timezone
from wagtail import hooks

from essor.core.agenda import AGENDA_SOURCES_HOOK, AgendaItem, AgendaOrigin
from essor.core.caching import remember
from essor.core.navigation import AUTHORITY_RELATED_HOOK, HOME_FIGURES_HOOK
from essor.core.paths import slug_path
from essor.core.search_sources import SEARCH_SOURCES_HOOK, SearchSource
from essor.events import selectors
from essor.events.models import Event, EventOrganiser
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
    # The same events as selectors.events_of_authority() (published: live), found from the
    # two link tables' indexes; written out, as building it with the ORM cost several times
    # running it on this page computed on each request.
    sql = (
        f"SELECT e.title, e.slug, e.starts_at, e.kind, e.cancelled_at FROM {Event._meta.db_table} e "  # noqa: S608
        "WHERE e.live AND (e.id IN (SELECT event_id FROM "
        f"{Event.authorities.through._meta.db_table} WHERE authority_id = %s) "
        f"OR e.id IN (SELECT event_id FROM {EventOrganiser._meta.db_table} WHERE authority_id = %s)) "
        "ORDER BY e.starts_at DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [authority.pk, authority.pk, AUTHORITY_SHOWN])
        rows = [
            {"title": title, "slug": slug, "starts_at": _aware(start), "kind": kind,
             "cancelled_at": cancelled}
            for title, slug, start, kind, cancelled in cursor.fetchall()
        ]  # fmt: skip
    if not rows:
        return None
    kinds = dict(selectors.EventKind.choices)
    event_url = slug_path("events:detail")
    items = [
        {
            "label": row["title"],
            "url": event_url(row["slug"]),
            "meta": f"{kinds.get(row['kind'], '')}, "
            f"{selectors.french_date(timezone.localtime(row['starts_at']).date())}"
            + (" — annulé" if row["cancelled_at"] else ""),
        }
        for row in rows
    ]
    return {"title": "Événements du réseau", "items": items}


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A datetime read in plain SQL: SQLite gives it naive, in UTC."""
    return timezone.make_aware(moment, datetime.UTC) if timezone.is_naive(moment) else moment


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


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@hooks.register(AGENDA_SOURCES_HOOK)
def network_events_agenda(
    start: datetime.date, end: datetime.date | None, user: object
) -> list[AgendaItem]:
    """The network's published events taking place on a day of [start, end] (local days).
    Members-only events are listed for everyone, as in the events' own agenda (their page is
    open to all; registration is what is reserved): `members_only` marks them."""
    found = Event.objects.published().filter(ends_at__gte=_day_start(start))
    if end is not None:
        found = found.filter(starts_at__lt=_day_start(end + datetime.timedelta(days=1)))
    found = selectors.card_rows(found).prefetch_related("themes").order_by("starts_at", "pk")
    kinds = dict(selectors.EventKind.choices)
    items = []
    for event in found:
        starts_at = timezone.localtime(event.starts_at)
        ends_on = timezone.localtime(event.ends_at).date() if event.ends_at else None
        items.append(
            AgendaItem(
                key=f"event:{event.pk}",
                title=event.title,
                cancelled=event.is_cancelled,
                url=event.get_absolute_url(),
                starts_on=starts_at.date(),
                ends_on=ends_on if ends_on and ends_on != starts_at.date() else None,
                starts_at=event.starts_at,
                place=selectors.location_text(event),
                origin=AgendaOrigin.NETWORK,
                kind_label=kinds.get(event.kind, ""),
                organiser="",
                summary=event.summary,
                themes=tuple(theme.slug for theme in event.themes.all()),
                members_only=event.members_only,
            )
        )
    return items
