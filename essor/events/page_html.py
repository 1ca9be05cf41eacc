"""The article of an event's page — its head (title, facts, places, organisers) and its body
(presentation, programme, speakers, replay, evaluation, further reading, documents) — written
in Python, escaped, for the public page and the admin preview. As templates they were mostly
`{% if %}` around lists already written by rendering.py, and the template engine's cost per
node was most of what the page's own work still cost.

`display` is selectors.event_display's dict; every text from the database goes through
`escape` (the lists it holds, `…_html`, are escaped by rendering.py)."""

import unicodedata

from django.template.defaultfilters import linebreaksbr, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from wagtail.templatetags.wagtailcore_tags import richtext

from essor.core.paths import path_of
from essor.events.models import Event
from essor.events.rendering import escape, integer_text, plural


def meta_description(summary: str) -> str:
    """What `summary|truncatechars:200` gives (the page's description for search engines),
    without walking the text character by character when it is short enough."""
    if len(summary) <= _DESCRIPTION_LENGTH:  # fewer characters still once combining ones left out
        return unicodedata.normalize("NFC", summary)
    return Truncator(summary).chars(_DESCRIPTION_LENGTH)


_DESCRIPTION_LENGTH = 200


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cancelled(event: Event, display: dict) -> str:
    """The notice of a cancelled event, "" for the others."""
    if not event.cancelled_at:
        return ""
    label = display["cancelled_label"]
    announced = (
        f' <span class="meta">(annulation annoncée le {escape(label)})</span>' if label else ""
    )
    note = (
        f"<p>{linebreaksbr(event.cancellation_note, autoescape=True)}</p>"
        if event.cancellation_note
        else ""
    )
    return (
        '\n  <div class="message message--error event-cancelled" role="status">\n'
        f"    <p><strong>Événement annulé</strong>{announced}</p>\n"
        f"    {note}\n"
        "  </div>\n  "
    )


def _place(event: Event, display: dict) -> str:
    """The place(s): the list of sites of an event held in several places."""
    if display["multi_site"]:
        online = "<p>Et en ligne.</p>" if event.online else ""
        return (
            '\n      <ul class="event-sites">\n'
            f"        {display['sites_html']}\n"
            "      </ul>\n"
            f"      {online}\n      "
        )
    return escape(display["location"]) if display["location"] else "Lieu à préciser"


def _facts(event: Event, display: dict) -> str:
    """The items after the place: public, organisers, partners, participants, themes."""
    parts = [f"    <dt>Public</dt>\n    <dd>{escape(event.get_audience_display())}</dd>\n    "]
    if display["organisers"]:
        parts.append(
            "<dt>Organisation</dt>\n"
            f'    <dd><ul class="event-inline-list">{display["organisers_html"]}</ul></dd>'
        )
    parts.append("\n    ")
    if display["partners"]:
        parts.append(
            "<dt>Partenaires</dt>\n"
            f'    <dd><ul class="event-inline-list">{display["partners_html"]}</ul></dd>'
        )
    parts.append("\n    ")
    if display["participants"]:
        parts.append(f"<dt>Participation</dt><dd>{escape(_capfirst(display['participants']))}</dd>")
    parts.append("\n    ")
    if display["themes"]:
        parts.append(f"<dt>Thèmes</dt>\n    <dd>{display['themes_html']}</dd>")
    return "".join(parts)


def event_head_html(event: Event, display: dict) -> SafeString:
    """The page's header: type, title, cancellation, badges, summary and facts."""
    members = (
        '<p class="event-badges"><span class="event-badge event-badge--members">'
        "Réservé aux adhérents</span></p>"
        if event.members_only
        else ""
    )
    ical = ""
    if display["ical_url"] and not event.cancelled_at:
        ical = (
            f'<p class="event-links"><a href="{escape(display["ical_url"])}" '
            'type="text/calendar" download>Ajouter à mon agenda (.ics)</a></p>'
        )
    return mark_safe(  # escaped above
        '\n<header class="event-header">\n'
        f'  <p class="event-kicker">{escape(display["kind_label"])}</p>\n'
        f"  <h1>{escape(event.title)}</h1>\n"
        f"  {_cancelled(event, display)}\n"
        f"  {members}\n"
        f'  <p class="lead">{escape(event.summary)}</p>\n'
        '  <dl class="details event-facts">\n'
        "    <dt>Date</dt>\n"
        f"    <dd>{escape(_capfirst(display['dates']))}</dd>\n"
        f"    <dt>{'Lieux' if display['multi_site'] else 'Lieu'}</dt>\n"
        "    <dd>\n"
        f"      {_place(event, display)}\n"
        "    </dd>\n"
        f"{_facts(event, display)}\n"
        "  </dl>\n"
        f"  {ical}\n"
        "</header>\n"
    )


def _presentation(event: Event) -> str:
    if not event.description:
        return ""
    return (
        '\n<section class="section prose" aria-labelledby="presentation">\n'
        '  <h2 id="presentation">Présentation</h2>\n'
        f"  {richtext(event.description)}\n"
        "</section>\n"
    )


def _programme(display: dict) -> str:
    if not display["programme"]:
        return ""
    return (
        '\n<section class="section event-programme" aria-labelledby="programme">\n'
        '  <h2 id="programme">Programme</h2>\n'
        f"  {display['programme_html']}\n"
        "</section>\n"
    )


def _section(anchor: str, heading: str, inner: str) -> str:
    """A section of the page, titled `heading` (escaped by the caller), reachable at #anchor."""
    return (
        f'\n<section class="section" aria-labelledby="{anchor}">\n'
        f'  <h2 id="{anchor}">{heading}</h2>\n'
        f"  {inner}\n"
        "</section>\n"
    )


def _speakers(display: dict) -> str:
    if not display["speakers"]:
        return ""
    reserved = (
        ""
        if display["members_content"]
        else '<p class="meta">Les coordonnées des intervenants sont réservées aux membres du '
        "réseau.</p>"
    )
    people = f'<ul class="event-people">{display["speakers_html"]}\n  </ul>\n  {reserved}'
    return _section("intervenants", "Intervenantes et intervenants", people)


def _members_content(event: Event, display: dict) -> str:
    """The replay and slides, or the invitation to log in for them."""
    if not display["has_members_content"]:
        return ""
    if display["members_content"]:
        replay = slides = ""
        if display["replay_url"]:
            replay = f'<li><a href="{escape(display["replay_url"])}">Voir le replay</a></li>'
        if display["slides_url"]:
            slides = (
                f'<li><a href="{escape(display["slides_url"])}">'
                "Télécharger les supports de présentation</a></li>"
            )
        inner = f"\n  <ul>\n    {replay}\n    {slides}\n  </ul>\n  "
    else:
        login = f"{path_of('accounts:login')}?next={escape(urlencode(event.get_absolute_url()))}"
        inner = (
            '\n  <p class="event-reserved">Le replay et les supports de présentation sont '
            f'réservés aux adhérents. <a href="{login}">Connectez-vous</a> avec votre compte '
            "membre pour y accéder.</p>\n  "
        )
    return _section("replay", "Replay et supports", inner)


def _evaluation(display: dict) -> str:
    evaluation = display["evaluation"]
    if not evaluation:
        return ""
    count = evaluation["count"]
    quotes = ""
    if evaluation["quotes"]:
        quotes = "\n  <h3>Ils et elles en parlent</h3>\n  " + "".join(
            f'<blockquote class="event-quote"><p>« {escape(quote)} »</p><footer class="meta">'
            "Un participant ou une participante, anonymement</footer></blockquote>"
            for quote in evaluation["quotes"]
        )
        quotes += "\n  "
    figure = '    <li class="figure"><span class="figure__value">'
    figures = (
        '<ul class="figures">\n'
        f"{figure}{integer_text(count)}</span> "
        f'<span class="figure__label">réponse{plural(count)} au questionnaire</span></li>\n'
        f"{figure}{escape(evaluation['satisfaction'])}/5</span> "
        '<span class="figure__label">satisfaction moyenne</span></li>\n'
        f"{figure}{escape(evaluation['usefulness'])}/5</span> "
        '<span class="figure__label">utilité moyenne pour leur action</span></li>\n'
        f"{figure}{integer_text(evaluation['satisfied_share'])} %</span> "
        '<span class="figure__label">de participants satisfaits (4 ou 5 sur 5)</span></li>\n'
        "  </ul>\n"
        f"  {quotes}"
    )
    return _section("evaluation", "L'avis des participants", figures)


_FURTHER = (
    ("authorities", "Collectivités intervenantes"),
    ("initiatives", "Initiatives présentées"),
    ("sheets", "Fiches « Déniché pour vous »"),
    ("publications", "Publications"),
)


def _further(display: dict) -> str:
    linked = display["linked"]
    if not any(linked[kind] for kind, _ in _FURTHER):
        return ""
    groups = "\n  ".join(
        f"<h3>{heading}</h3>\n  <ul>{display['linked_html'][kind]}</ul>" if linked[kind] else ""
        for kind, heading in _FURTHER
    )
    return _section("pour-aller-plus-loin", "Pour aller plus loin", groups)


def _documents(display: dict) -> str:
    documents = display["documents"]
    if not documents:
        return ""
    kit = proceedings = ""
    if documents.get("kit"):
        kit = (
            f'<li><a href="{escape(documents["kit"])}" type="application/pdf">'
            "Dossier du participant (PDF)</a></li>"
        )
    if documents.get("proceedings"):
        proceedings = (
            f'<li><a href="{escape(documents["proceedings"])}" type="application/pdf">'
            "Actes (PDF)</a></li>"
        )
    return _section("documents", "Documents", f"<ul>\n    {kit}\n    {proceedings}\n  </ul>")


def event_body_html(event: Event, display: dict) -> SafeString:
    """The sections after the registration box, each left out when it has nothing to show."""
    return mark_safe(  # escaped above and by rendering.py
        "\n"
        + "\n\n".join(
            (
                _presentation(event),
                _programme(display),
                _speakers(display),
                _members_content(event, display),
                _evaluation(display),
                _further(display),
                _documents(display),
            )
        )
        + "\n"
    )


# --- the registration box, worked out on each request ----------------------------------------


def _seats_line(registration: dict) -> str:
    if not (registration["enabled"] and registration["seats_left"] is not None):
        return ""
    if registration["full"]:
        text = (
            "<strong>Complet</strong> : les nouvelles inscriptions sur place vont sur la liste "
            "d'attente."
        )
    else:
        seats = registration["seats_left"]
        ending = plural(seats)
        text = f"<strong>{integer_text(seats)} place{ending} restante{ending}</strong> sur place."
    return f'\n  <p class="event-registration__seats">{text}</p>\n  '


def _registration_action(event: Event, registration: dict) -> str:
    """The button, or why one cannot register (log in, a member account, the refusal)."""
    if registration["open"]:
        label = "S'inscrire sur la liste d'attente" if registration["full"] else "S'inscrire"
        closes = registration["closes_label"]
        until = f'<p class="meta">Inscriptions jusqu\'au {escape(closes)}.</p>' if closes else ""
        return (
            f'\n  <p><a class="button" href="{escape(registration["url"])}">{label}'
            f'<span class="visually-hidden"> à « {escape(event.title)} »</span></a></p>\n'
            f"  {until}\n  "
        )
    if registration["needs_login"]:
        login = f"{path_of('accounts:login')}?next={escape(urlencode(event.get_absolute_url()))}"
        return (
            f'\n  <p>Cet événement est réservé aux adhérents : <a href="{login}">connectez-vous'
            "</a> avec votre compte membre pour vous inscrire.</p>\n  "
        )
    if registration["needs_member_account"]:
        return (
            "\n  <p>Cet événement est réservé aux adhérents : l'inscription demande un compte "
            "membre, rattaché à une collectivité adhérente.</p>\n  "
        )
    return f'\n  <p class="event-registration__state">{escape(registration["refusal"])}</p>\n  '


def registration_box_html(event: Event, registration: dict | None) -> SafeString:
    """The registration box (`registration`: selectors.registration_state), "" without one
    (a past event)."""
    if not registration:
        return mark_safe("")
    if registration["cancelled"]:
        inner = (
            f'\n  <p class="event-registration__state">{escape(registration["refusal"])}</p>\n  '
        )
    else:
        prices = "".join(f"<li>{escape(line)}</li>" for line in registration["price_lines"])
        member = (
            "<p>Vous êtes adhérent·e : votre participation est gratuite.</p>"
            if registration["member_price"]
            else ""
        )
        modes = ""
        if registration["enabled"] and registration["modes"]:
            # As the |join:", "|lower filters: each mode escaped, then the whole lowered.
            joined = ", ".join(escape(mode) for mode in registration["modes"]).lower()
            modes = f"<p>Participation : {joined}.</p>"
        inner = (
            '\n  <ul class="event-price" aria-label="Tarif">\n'
            f"    {prices}\n"
            "  </ul>\n"
            f"  {member}\n"
            f"  {_seats_line(registration)}\n"
            f"  {modes}\n"
            f"  {_registration_action(event, registration)}\n  "
        )
    return mark_safe(  # escaped above
        '\n<aside class="event-registration" aria-labelledby="inscription-titre">\n'
        '  <h2 id="inscription-titre">Inscription</h2>\n'
        f"  {inner}\n"
        "</aside>\n"
    )


def page_parts(event: Event, registration: dict | None) -> dict:
    """What event_detail.html prints around the article, worked out on each request: the
    description for search engines, the agenda's address (the breadcrumb) and the
    registration box."""
    return {
        "meta_description": meta_description(event.summary),
        "agenda_url": path_of("events:agenda"),
        "registration_html": registration_box_html(event, registration),
    }
