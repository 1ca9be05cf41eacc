"""Accepting an event read in a document: a draft event of the events module with its sites,
organisers and timed sessions, the moderators and speakers linked to the people's records, for
an editor to complete and publish. The event already recorded under that title and date is
linked instead, never doubled."""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from wagtail.actions.create import CreateAction

from essor.core.editorial import unique_slug
from essor.core.text import fold
from essor.events.models import (
    ContributionRole,
    Event,
    EventKind,
    EventOrganiser,
    EventSession,
    EventSite,
    SessionContribution,
    SessionFormat,
)
from essor.ingest.selectors import organisation_match
from essor.members.models import Person
from essor.members.selectors import person_match
from essor.members.services import person_get_or_create
from essor.territories.models import Territory, TerritoryKind
from essor.territories.selectors import resolve_best

DATE_MISSING = (
    "La date de l’événement n’a pas été lue dans le document : indiquez-la dans « Corriger », "
    "puis acceptez."
)
# The ingestion's session formats (ingest/programme.py) in the events module's terms.
_FORMATS = {
    "world_cafe": SessionFormat.WORLD_CAFE,
    "round_table": SessionFormat.ROUND_TABLE,
    "workshop": SessionFormat.WORKSHOP,
    "online_conference": SessionFormat.VISIO_CONFERENCE,
    "minute_conference": SessionFormat.CONFERENCE,
    "plenary": SessionFormat.PLENARY,
}
# Words of a title, folded, that tell the kind of event; the first match wins.
_KIND_WORDS = [
    (("conference minute",), EventKind.MINUTE_CONFERENCE),
    (("webinaire", "conference en ligne", "visioconference", "visio"), EventKind.ONLINE_CONFERENCE),
    (("formation", "journee d'actualite", "journee d’actualite"), EventKind.TRAINING_DAY),
    (("territoriale",), EventKind.TERRITORIAL_MEETING),
    (("nationale",), EventKind.NATIONAL_MEETING),
    (("seminaire",), EventKind.SEMINAR),
]
DAY_START, DAY_END = datetime.time(9, 0), datetime.time(17, 0)


def event_kind_guess(title: str) -> str:
    folded = fold(title)
    for words, kind in _KIND_WORDS:
        if any(word in folded for word in words):
            return kind
    return EventKind.EXCHANGE_DAY


def event_accept(data: dict, source: str, user: object | None) -> Event:
    """The draft event the candidate's data describe (or the one already recorded)."""
    title = " ".join((data.get("title") or "").split())[:250]
    days = sorted(filter(None, (_day(value) for value in data.get("dates") or [])))
    if not days:
        raise ValidationError(DATE_MISSING)
    sessions = data.get("sessions") or []
    starts_at = _at(days[0], _first_time(sessions, "start") or DAY_START)
    known = Event.objects.filter(title__iexact=title, starts_at__date=days[0]).first()
    if known is not None:
        return known
    event = Event(
        title=title,
        slug=unique_slug(Event, title),
        kind=data.get("kind") or event_kind_guess(title),
        summary=f"À rédiger : événement relevé dans « {source} ».",
        starts_at=starts_at,
        ends_at=max(_at(days[-1], _last_time(sessions, "end") or DAY_END), starts_at),
    )
    _places(event, data.get("places") or [])
    event.organisers = [_organiser(name) for name in data.get("organisers") or []]
    event.sessions = [_session(item, days[0]) for item in sessions]
    return CreateAction(event, user=user).execute(skip_permission_checks=True)


def event_correct(data: dict, cleaned: dict, required: Callable) -> str:
    """An editor's fix of an event candidate: title, kind, first and last day."""
    data["title"] = required(cleaned, "title", "Le titre", data, 250)
    if cleaned.get("kind"):
        if cleaned["kind"] not in EventKind.values:
            raise ValidationError({"kind": "Choisissez un type d’événement de la liste."})
        data["kind"] = cleaned["kind"]
    first, last = _checked_day(cleaned, "date"), _checked_day(cleaned, "end_date")
    if first:
        data["dates"] = [first.isoformat()] + ([last.isoformat()] if last else [])
        if last and last < first:
            raise ValidationError({"end_date": "Le dernier jour précède le premier."})
    return data["title"]


def _checked_day(cleaned: dict, name: str) -> datetime.date | None:
    value = cleaned.get(name) or ""
    if not value:
        return None
    day = _day(value)
    if day is None:
        raise ValidationError({name: "Donnez une date valide (AAAA-MM-JJ)."})
    return day


def _day(value: object) -> datetime.date | None:
    try:
        return parse_date(str(value))
    except ValueError:
        return None


def _time(value: str) -> datetime.time | None:
    try:
        hours, minutes = (int(part) for part in value.split(":"))
        return datetime.time(hours, minutes)
    except (ValueError, AttributeError):
        return None


def _first_time(sessions: list[dict], key: str) -> datetime.time | None:
    times = [t for item in sessions if (t := _time(item.get(key) or ""))]
    return min(times) if times else None


def _last_time(sessions: list[dict], key: str) -> datetime.time | None:
    times = [t for item in sessions if (t := _time(item.get(key) or item.get("start") or ""))]
    return max(times) if times else None


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _places(event: Event, names: list[str]) -> None:
    """One place: the event's commune; several: one site each (simultaneous meetings)."""
    communes = [(name, _commune(name)) for name in names]
    if len(communes) == 1:
        event.venue, event.commune = communes[0][0][:200], communes[0][1]
    else:
        event.sites = [EventSite(name=name[:120], commune=commune) for name, commune in communes]


def _commune(name: str) -> Territory | None:
    found = resolve_best(name, kinds={TerritoryKind.COMMUNE})
    return Territory.objects.filter(pk=found.territory_id).first() if found else None


def _organiser(name: str) -> EventOrganiser:
    return EventOrganiser(name=name[:250], organisation=organisation_match(name))


def _session(item: dict, day: datetime.date) -> EventSession:
    session = EventSession(
        title=" ".join((item.get("title") or "Séance").split())[:300],
        format=_FORMATS.get(item.get("format") or "", SessionFormat.PLENARY),
        day=day,
        start_time=_time(item.get("start") or ""),
        end_time=_time(item.get("end") or ""),
    )
    if session.start_time and session.end_time and session.end_time < session.start_time:
        session.end_time = None  # a slot read wrong: the editor gives the end
    session.contributions = [
        SessionContribution(person=_person(name), role=ContributionRole.MODERATOR)
        for name in item.get("moderators") or []
    ] + [
        SessionContribution(person=_person(name), role=ContributionRole.SPEAKER)
        for name in item.get("speakers") or []
    ]
    return session


def _person(name: str) -> Person:
    first_name, _, last_name = " ".join(name.split()).partition(" ")
    if not last_name:
        first_name, last_name = "", first_name
    return person_match(first_name, last_name) or person_get_or_create(
        first_name[:100], last_name[:100]
    )
