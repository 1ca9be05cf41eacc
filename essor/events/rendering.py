"""HTML of the parts the events' pages repeat many times — the agenda's cards, the sessions
and the people of a programme — written in Python with escaping, rather than a template
included once per item: a page of past events prints fifty cards, a programme twenty
sessions and fifty people, and the template engine's cost per node is what the page paid for.
Every text from the database goes through `escape`."""

import re
from collections.abc import Callable, Iterable
from html import escape as _html_escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.conf import settings
from django.utils.formats import localize
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:  # selectors imports this module
    from essor.events.selectors import EventCard


_SPECIAL = re.compile("[&<>\"']")


def escape(text: object) -> str:
    """What django.utils.html.escape gives, without its check for lazy strings on every call
    (a programme escapes five hundred texts, most with nothing to escape)."""
    text = str(text)
    return _html_escape(text) if _SPECIAL.search(text) else text


def plural(count: int) -> str:
    return "" if count == 1 else "s"


def _seats(card: "EventCard") -> str:
    """The line on places left and registration, "" when there is nothing to say."""
    if card.cancelled:
        return ""
    opened = " · inscriptions ouvertes" if card.registration_open else ""
    if card.seats_left is not None:
        if card.seats_left:
            ending = plural(card.seats_left)
            text = f"{card.seats_left} place{ending} restante{ending}"
        else:
            text = "Complet : liste d'attente"
        return f'\n  <p class="event-card__seats">{text}{opened}</p>'
    if card.registration_open:
        return '\n  <p class="event-card__seats">Inscriptions ouvertes</p>'
    return ""


def card_html(card: "EventCard", level: int = 3) -> str:
    """An event of the agenda or the past events; `level` is the heading level of its title.
    Every text from the database is escaped."""
    badges = "".join(
        (
            '<li class="event-badge event-badge--cancelled">Annulé</li>' if card.cancelled else "",
            f'<li class="event-badge">{escape(card.kind_label)}</li>',
            '<li class="event-badge event-badge--members">Réservé aux adhérents</li>'
            if card.members_only
            else "",
        )
    )
    participants = ""
    if card.participants:
        text = card.participants[0].upper() + card.participants[1:]
        participants = f'\n  <p class="meta">{escape(text)}</p>'
    location = escape(card.location) if card.location else "Lieu à préciser"
    return (
        '<li class="event-card">\n'
        f'  <p class="event-card__date"><time datetime="{card.day.isoformat()}">'
        f"{escape(card.date_label)}</time></p>\n"
        f'  <h{level} class="event-card__title"><a href="{escape(card.url)}">'
        f"{escape(card.title)}</a></h{level}>\n"
        f'  <ul class="event-badges" aria-label="Caractéristiques">{badges}</ul>\n'
        f'  <p class="event-card__place"><span class="visually-hidden">Lieu : </span>'
        f"{location}</p>\n"
        f'  <p class="event-card__summary">{escape(card.summary)}</p>'
        f"{participants}{_seats(card)}\n"
        "</li>"
    )


def cards_html(cards: "list[EventCard]", level: int = 3) -> SafeString:
    """The cards as the items of a list (the page writes the <ul>)."""
    return mark_safe("\n".join(card_html(card, level) for card in cards))  # escaped above


# --- the programme of an event's page --------------------------------------------------------


def person_html(person: dict) -> str:
    """A speaker or moderator: a row of selectors._speaker_rows, which keeps it as the row's
    `html` for the writers below."""
    name = escape(person["name"])
    text = f'<a href="{escape(person["url"])}">{name}</a>' if person["url"] else name
    if person["title"]:
        text += f', <span class="event-person__title">{escape(person["title"])}</span>'
    if person["email"] or person["phone"]:
        contacts = ""
        if person["email"]:
            email = escape(person["email"])
            contacts += f' <a href="mailto:{email}">{email}</a>'
        if person["phone"]:
            contacts += f" {escape(person['phone'])}"
        text += f' <span class="meta">—{contacts}</span>'
    return f'<span class="event-person">{text}</span>'


def people_html(people: list[dict]) -> SafeString:
    """The items of the speakers' list."""
    items = (f"\n    <li>{person['html']}</li>" for person in people)
    return mark_safe("".join(items))  # escaped by person_html


def _session_people(entry: dict) -> str:
    parts = []
    if entry["moderators"]:
        items = "".join(f"<li>{person['html']}</li>" for person in entry["moderators"])
        parts.append(
            '\n    <p class="programme-session__label">Animation :</p>\n'
            f'    <ul class="event-people">{items}</ul>'
        )
    speakers = entry["speakers"]
    if speakers:
        label = "Intervenant·es" if len(speakers) > 1 else "Intervention"
        items = "".join(
            f"<li>{person['html']}"
            + (
                ""
                if person["plain_speaker"]
                else f' <span class="meta">({escape(person["role"].lower())})</span>'
            )
            + "</li>"
            for person in speakers
        )
        parts.append(
            f'\n    <p class="programme-session__label">{label} :</p>\n'
            f'    <ul class="event-people">{items}</ul>'
        )
    return "".join(parts)


def _ideas(item: object) -> str:
    if not (item.key_ideas or item.divergent_ideas):
        return ""
    groups = ""
    for ideas, modifier, label in (
        (item.key_ideas, "key", "Idées clés"),
        (item.divergent_ideas, "divergent", "Idées divergentes"),
    ):
        if ideas:
            items = "".join(f"<li>{escape(idea)}</li>" for idea in ideas)
            groups += (
                f'\n      <div class="workshop-outputs__group workshop-outputs__group--{modifier}">'
                f'\n        <p class="workshop-outputs__label">{label}</p>'
                f"\n        <ul>{items}</ul>\n      </div>"
            )
    return f'\n    <div class="workshop-outputs">{groups}\n    </div>'


def session_html(entry: dict, level: int) -> str:
    """A session of the programme: `entry` as selectors._programme_days makes it, `level` the
    heading level of its title."""
    item = entry["item"]
    time = escape(entry["time"]) or '<span class="visually-hidden">Horaire non précisé</span>'
    questions = ""
    if item.questions:
        items = "".join(f"<li>{escape(question)}</li>" for question in item.questions)
        questions = (
            '\n    <p class="programme-session__label">Questions traitées :</p>\n'
            f'    <ul class="programme-questions">{items}</ul>'
        )
    summary = ""
    if item.summary:
        summary = (
            f'\n    <div class="programme-session__summary">'
            f"{linebreaks(item.summary, autoescape=True)}</div>"
        )
    quotes = "".join(
        f'<blockquote class="event-quote"><p>« {escape(text)} »</p>'
        + (f'<footer class="meta">— {escape(author)}</footer>' if author else "")
        + "</blockquote>"
        for text, author in item.quotes
    )
    modifier = " programme-session--break" if item.is_break else ""
    return (
        f'<li class="programme-session{modifier}">\n'
        f'  <p class="programme-session__time">{time}</p>\n'
        '  <div class="programme-session__body">\n'
        f'    <h{level} class="programme-session__title">{escape(item.title)}</h{level}>\n'
        f'    <p class="programme-session__format meta">{escape(item.format_label)}</p>'
        f"{questions}{_session_people(entry)}{summary}{_ideas(item)}\n"
        f"    {quotes}\n"
        "  </div>\n"
        "</li>"
    )


def sessions_html(entries: list[dict], level: int) -> SafeString:
    """The items of a site's (or a day's) list of sessions."""
    return mark_safe("".join(session_html(entry, level) for entry in entries))  # escaped


# --- the lists of an event's page ------------------------------------------------------------


def _link(url: str, label: str) -> str:
    label = escape(label)
    return f'<a href="{escape(url)}">{label}</a>' if url else label


def link_items_html(items: Iterable[tuple[str, str, str]]) -> SafeString:
    """The items of a list of links, from (address, label, note): the label alone without an
    address, the note (an organiser's role) after it in brackets when there is one."""
    return mark_safe(  # escaped by _link and escape
        "".join(
            f"<li>{_link(url, label)}"
            + (f' <span class="meta">({escape(note)})</span>' if note else "")
            + "</li>"
            for url, label, note in items
        )
    )


def theme_links_html(themes: list[dict], agenda_url: str) -> SafeString:
    """The event's themes, each a link to the agenda filtered on it, separated by commas."""
    return mark_safe(  # escaped
        ", ".join(
            f'<a href="{escape(agenda_url)}?theme={escape(quote(theme["slug"], safe="/"))}">'
            f"{escape(theme['name'])}</a>"
            for theme in themes
        )
    )


def site_items_html(places: list) -> SafeString:
    """The sites of an event held in several places (selectors.Place)."""
    items = []
    for place in places:
        line = f" : {escape(place.line)}" if place.line else ""
        count = place.participant_count
        if count:
            line += f' <span class="meta">({integer_text(count)} participant{plural(count)})</span>'
        items.append(f"<li><strong>{escape(place.name)}</strong>{line}</li>")
    return mark_safe("".join(items))  # escaped above


def programme_html(days: list[dict]) -> SafeString:
    """The programme's days, each with its sessions under their site's heading when the day
    has one (`days` as selectors._programme_days makes them, the sessions already written)."""
    parts = []
    for day_number, day in enumerate(days, 1):
        label = day["label"][:1].upper() + day["label"][1:]
        parts.append(
            f'\n  <section class="programme-day" aria-labelledby="jour-{day_number}">'
            f'\n    <h3 id="jour-{day_number}">{escape(label)}</h3>'
        )
        several = len(day["sites"]) > 1
        for site_number, site in enumerate(day["sites"], 1):
            sessions = f'<ol class="programme-sessions">{site["html"]}</ol>'
            if not (site["name"] or several):
                parts.append(f"\n    {sessions}")
                continue
            anchor = f"jour-{day_number}-site-{site_number}"
            heading = f"Site : {escape(site['name'])}" if site["name"] else "Tous les sites"
            parts.append(
                f'\n    <section class="programme-site" aria-labelledby="{anchor}">'
                f'\n      <h4 id="{anchor}">{heading}</h4>\n      {sessions}\n    </section>'
            )
        parts.append("\n  </section>")
    return mark_safe("".join(parts))  # escaped above, the sessions by session_html


# --- the lists' navigation -------------------------------------------------------------------


def integer_text(value: int) -> str:
    """An integer as a template prints it: localize() gives str() unless thousands are
    grouped (USE_THOUSAND_SEPARATOR), at a tenth of the cost."""
    return localize(value) if settings.USE_THOUSAND_SEPARATOR else str(value)


def kind_links_html(links: list[dict]) -> SafeString:
    """The agenda's types, each a link with its number of events (views._kind_links)."""
    return mark_safe(  # escaped
        "".join(
            f'<li><a href="{escape(link["url"])}"'
            + (' aria-current="true"' if link["current"] else "")
            + f'>{escape(link["label"])} <span class="event-kinds__count">'
            f"({integer_text(link['count'])})</span></a></li>"
            for link in links
        )
    )


def year_rows_html(years: list, year_url: Callable[[int], str]) -> SafeString:
    """The rows of the past events' table by year (selectors.YearSummary), each year a link
    made by `year_url`."""
    return mark_safe(  # escaped
        "".join(
            f'<tr><th scope="row"><a href="{escape(year_url(year.year))}">'
            f"{integer_text(year.year)}</a></th>"
            f'<td class="number">{integer_text(year.events)}</td>'
            f'<td class="number">'
            f"{escape(year.participants_label) if year.participants else '—'}</td></tr>"
            for year in years
        )
    )
