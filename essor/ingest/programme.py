"""The events a document is about and their programme: sessions with their time slots,
formats, moderators and speakers.

A programme line starts with a time ("9h", "10 h 15 – 11h30", "14h30-16h"); what follows it,
and the heading line under a short one ("1er temps de débat"), is the session's title. The
people named in the lines up to the next time slot are its moderators (after a label such as
"Animation :") and its speakers."""

import re
from dataclasses import dataclass, field

from essor.core.text import fold
from essor.ingest.cleaning import LABEL, PERSON_ITEM, Line
from essor.ingest.facts import dates_in
from essor.ingest.people import Mention

_TIME = r"(?P<{0}h>[012]?\d)\s?h\s?(?P<{0}m>[0-5]\d)?"
_SLOT = re.compile(
    r"^\s*" + _TIME.format("s") + r"(?:\s?(?:[-–—]|à)\s?" + _TIME.format("e") + r")?"
    r"\s*(?:[/|:–—-]\s*)?(?P<title>.*)$"
)
_MODERATOR_LABELS = ("anim", "moderat", "presidee par", "preside par")
FORMATS = [
    ("world_cafe", ("world cafe",)),
    ("round_table", ("table ronde", "tables rondes")),
    ("workshop", ("atelier",)),
    ("online_conference", ("visio", "en ligne", "webinaire", "webinar", "conference en ligne")),
    ("minute_conference", ("conference minute",)),
    (
        "plenary",
        (
            "pleniere",
            "conference introductive",
            "ouverture",
            "introduction",
            "cloture",
            "conclusion",
            "mot de bienvenue",
            "accueil",
            "temps de debat",
            "conference",
        ),
    ),
]
_EVENT = re.compile(
    r"\b(?P<title>(?:(?:la|les|une|des)\s)?(?:journée|journées|rencontres?|séminaire|colloque|"
    r"forum|assises|université d['’](?:été|automne)|conférence|formation|"
    r"semaine|salon|webinaire)\b[^.;:!?]{0,110})",
    re.IGNORECASE,
)
# An organiser is a name: capitalised or an acronym, a few words, not a pronoun.
_ORGANISER_NAME = re.compile(
    r"^(?!(?:Ils?|Elles?|Nous|On|Ce|Cette|Ces|Qui)\b)"
    r"(?:[A-ZÀ-Ü]|(?:réseau|association|collectif|fédération|union|conseil|communauté|ville|"
    r"région|département|métropole)\s[A-ZÀ-Ü])[\w'’&-]*(?:\s[\w'’&-]+){0,6}$"
)
# The event a document is about is named in its first pages.
EVENT_SEARCH_LINES = 400
_ORGANISERS = re.compile(
    r"(?:^|[.;]\s|pourquoi\s|ainsi\s)(?P<orgs>(?:l[ea']\s?|les\s)?[^.;]{2,160}?)\s"
    r"(?:organisent|organise|co-organisent|proposent)\b"
    r"|organisée?s?\s(?:conjointement\s)?par\s(?P<by>[^.;]{2,100})",
    re.IGNORECASE,
)


@dataclass
class Session:
    title: str
    start: str
    end: str
    format: str
    source: dict
    moderators: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _time(hours: str | None, minutes: str | None) -> str:
    return f"{int(hours):02d}:{minutes or '00'}" if hours else ""


def sessions_in(lines: list[Line], mentions: list[Mention]) -> list[Session]:
    slots = [
        (index, match)
        for index, line in enumerate(lines)
        if (match := _SLOT.match(line.text)) and _is_slot(match)
    ]
    sessions = []
    for position, (index, match) in enumerate(slots):
        end_index = (
            slots[position + 1][0] if position + 1 < len(slots) else min(len(lines), index + 25)
        )
        session = Session(
            title=_title(match.group("title"), lines[index + 1 : end_index]),
            start=_time(match.group("sh"), match.group("sm")),
            end=_time(match.group("eh"), match.group("em")),
            format="",
            source=lines[index].source(),
        )
        session.format = _format(" ".join(line.text for line in lines[index:end_index][:6]))
        _people_of(session, [m for m in mentions if index <= m.index < end_index])
        sessions.append(session)
    return sessions


def _is_slot(match: re.Match) -> bool:
    """A time followed by a title, not a figure ("24h sur 24") nor a time inside a sentence."""
    hours = int(match.group("sh"))
    title = match.group("title").strip()
    return (
        hours <= 23
        and bool(title)
        and len(title) < 200
        and not re.match(r"\d+\s?(?:%|€|h\b)", title)
    )


def _title(text: str, following: list[Line]) -> str:
    title = text.strip(" /–-")
    if len(title.split()) <= 5 and following and not following[0].bullet:
        heading = following[0].text
        person_or_label = PERSON_ITEM.match(heading) or LABEL.match(heading)
        if len(heading) < 200 and not _SLOT.match(heading) and not person_or_label:
            return f"{title} : {heading}" if title else heading
    return title


def _format(text: str) -> str:
    folded = fold(text)
    for name, signals in FORMATS:
        if any(signal in folded for signal in signals):
            return name
    return ""


def _people_of(session: Session, mentions: list[Mention]) -> None:
    for mention in mentions:
        name = mention.person.name
        if mention.label.startswith(_MODERATOR_LABELS):
            if name not in session.moderators:
                session.moderators.append(name)
        elif name not in session.speakers and name not in session.moderators:
            session.speakers.append(name)


def main_event(
    lines: list[Line], sessions: list[Session], places: list[dict], document_dates: list[str]
) -> dict | None:
    """The event the document is about: among the passages naming a meeting (a day, a
    meeting, a seminar…) in its first pages, the one with a date and organisers nearby, the
    earliest on a tie; with its dates, organisers and the places named with it. None when the
    document names no event and has no programme."""
    best: tuple[float, dict] | None = None
    for index, line in enumerate(lines[:EVENT_SEARCH_LINES]):
        match = _EVENT.search(line.text)
        if match is None or len(match.group("title").split()) < 3:
            continue
        window = lines[max(0, index - 3) : index + 4]
        dates = sorted({d.isoformat() for w in window for d in dates_in(w.text)})
        organisers = _organisers(window)
        near_programme = bool(sessions) and abs(index - _line_index(lines, sessions[0])) < 40
        score = 2 * bool(dates) + bool(organisers) + 3 * near_programme
        score -= index / EVENT_SEARCH_LINES
        if best is None or score > best[0]:
            title = match.group("title")
            best = (score, _event(title, window, dates, organisers, sessions, places))
    if best is not None:
        return best[1]
    if sessions:
        return _event("Programme", lines[:1], document_dates[:1], [], sessions, places)
    return None


def _line_index(lines: list[Line], session: Session) -> int:
    spot = (session.source["page"], session.source["line"])
    return next((index for index, line in enumerate(lines) if (line.page, line.line) == spot), 0)


def _event(
    title: str,
    window: list[Line],
    dates: list[str],
    organisers: list[str],
    sessions: list[Session],
    places: list[dict],
) -> dict:
    title = re.sub(r"^(?:la|les|une|des)\s", "", title.strip(" ,"), flags=re.IGNORECASE)
    title = title[0].upper() + title[1:]
    line = window[len(window) // 2] if len(window) > 3 else window[0]
    spots = {(w.page, w.line) for w in window}
    near = [
        place["name"]
        for place in places
        if (place["source"]["page"], place["source"]["line"]) in spots
    ]
    return {
        "title": title,
        "dates": dates,
        "places": near[:3],
        "organisers": organisers,
        "source": line.source(),
        "sessions": [session.as_dict() for session in sessions],
    }


def _organisers(window: list[Line]) -> list[str]:
    for line in window:
        match = _ORGANISERS.search(line.text)
        if match:
            text = match.group("orgs") or match.group("by")
            parts = re.split(r",\s|\set\s", text)
            names = [_organiser(part) for part in parts if part.strip()]
            return [name for name in names if _ORGANISER_NAME.match(name)]
    return []


def _organiser(text: str) -> str:
    """ "C'est pourquoi le CNFPT" → "CNFPT"."""
    text = re.sub(
        r"^.*\b(?:pourquoi|ainsi|donc|aussi|alors)\s", "", text.strip(), flags=re.IGNORECASE
    )
    return re.sub(r"^(?:l[ea]|les|l['’])\s?", "", text, flags=re.IGNORECASE).strip()
