"""Events as the search sees them (registered in public_hooks): one document per published
event, its programme's text included, so that a speaker's name or a workshop's question finds
the event."""

import datetime

from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone

from essor.core.search_sources import SearchDocument, SearchSource, owner_key
from essor.core.search_text import plain
from essor.events.models import Event, EventSession, EventSite, SessionContribution

KIND = "event"


def _with_related(events: QuerySet[Event]) -> QuerySet[Event]:
    contributions = Prefetch("contributions", SessionContribution.objects.select_related("person"))
    return events.select_related("commune__region").prefetch_related(
        "themes",
        Prefetch("sites", EventSite.objects.select_related("commune__region")),
        Prefetch("sessions", EventSession.objects.prefetch_related(contributions)),
    )


def _region(event: Event) -> str:
    communes = [event.commune] + [site.commune for site in event.sites.all()]
    for commune in communes:
        if commune is not None:
            return commune.region.code if commune.region_id else ""
    return ""


def _session_text(session: EventSession) -> str:
    people = ", ".join(str(c.person) for c in session.contributions.all())
    return plain(session.title, session.questions, session.summary, people)


def event_document(event: Event) -> SearchDocument:
    start = timezone.localtime(event.starts_at).date() if event.starts_at else None
    places = [event.venue, event.commune.name if event.commune else ""]
    places += [
        f"{site.name} {site.commune.name if site.commune else ''}" for site in event.sites.all()
    ]
    text = plain(
        event.summary,
        event.description,
        event.get_kind_display(),
        " ".join(place for place in places if place),
        *(_session_text(session) for session in event.sessions.all()),
    )
    return SearchDocument(
        key=owner_key(KIND, event.pk),
        owner=owner_key(KIND, event.pk),
        kind=KIND,
        # Results show a title and an excerpt: the title says the event will not take place.
        title=f"{event.title} (annulé)" if event.is_cancelled else event.title,
        url=event.get_absolute_url(),
        text=text,
        date=start if isinstance(start, datetime.date) else None,
        themes=[theme.slug for theme in event.themes.all()],
        region=_region(event),
        # The page is open to all, members-only events included (their replay is not indexed).
        members_only=False,
    )


def _events() -> list[SearchDocument]:
    return [event_document(event) for event in _with_related(Event.objects.published())]


def _event_id(instance: Model) -> object:
    if isinstance(instance, Event):
        return instance.pk
    if isinstance(instance, EventSession):
        return instance.event_id
    return instance.session.event_id  # a contribution: its session is usually in memory


def _event_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    event_id = _event_id(instance)
    found = _with_related(Event.objects.published().filter(pk=event_id)).first()
    return owner_key(KIND, event_id), [event_document(found)] if found else []


def event_source() -> SearchSource:
    return SearchSource(
        KIND,
        "Événements",
        (Event, EventSession, SessionContribution),
        _events,
        _event_of,
        lambda instance: owner_key(KIND, _event_id(instance)),
    )
