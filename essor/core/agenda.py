"""What a module gives the agenda: its dated items, through the Wagtail hook
``essor_agenda_sources`` (a callable ``(start, end, user) -> Iterable[AgendaItem]``).

The news module's agenda page (and the letters composed from it) merges the network's events
(the events module registers a source) with the external events members and partners proposed;
neither module imports the other."""

import datetime
from dataclasses import dataclass, field

from wagtail import hooks

AGENDA_SOURCES_HOOK = "essor_agenda_sources"


class AgendaOrigin:
    """Whose event it is, as the agenda's filter and badges say it."""

    NETWORK = "reseau"
    MEMBER = "membre"
    PARTNER = "partenaire"
    LABELS = {NETWORK: "Réseau", MEMBER: "Adhérent", PARTNER: "Partenaire"}


@dataclass(frozen=True)
class AgendaItem:
    key: str  # unique: "event:12", "agenda-entry:5"
    title: str
    url: str  # site-relative, or absolute for an external page
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    starts_at: datetime.datetime | None = None  # when a time is known
    place: str = ""  # "Rennes", "En ligne"
    origin: str = AgendaOrigin.NETWORK
    kind_label: str = ""  # "Journée de formation"
    organiser: str = ""
    summary: str = ""
    themes: tuple[str, ...] = field(default_factory=tuple)  # theme slugs
    members_only: bool = False
    cancelled: bool = False  # still listed, so people see it will not take place

    @property
    def origin_label(self) -> str:
        return AgendaOrigin.LABELS.get(self.origin, "")


def agenda_items(start: datetime.date, end: datetime.date | None, user: object) -> list[AgendaItem]:
    """Every source's items that take place on a day of [start, end] (end open when None),
    members-only ones only for a user who may read them, in date order."""
    items: list[AgendaItem] = []
    for source in hooks.get_hooks(AGENDA_SOURCES_HOOK):
        items.extend(source(start, end, user))
    return sorted(items, key=lambda item: (item.starts_on, item.starts_at is None, item.title))
