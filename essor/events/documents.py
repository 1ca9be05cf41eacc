"""The participant kit and the proceedings of an event, as print-quality A4 PDFs (WeasyPrint).

The kit is what a participant is handed on arrival: the cover, practical information, the
timed programme, the speakers with their positions, the profile sheets of the authorities
that speak and the linked practice sheets. The proceedings are written afterwards: each
session with its summary, what the workshops produced, quotes, and the thanks list.

Rendering takes seconds for a large event, so it never happens in a web request: an editor
asks for it in the admin (`document_request`), a task renders it (`document_generate`) and
the public routes serve the last file that came out. Nothing is fetched from the network
while rendering (core.pdf.StaticFilesFetcher), and the documents hold no personal contact
details: the kit of a public event is public.
"""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Avg, Count, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from essor.core import pdf
from essor.core.models import NetworkSettings
from essor.events.models import (
    DocumentKind,
    Evaluation,
    Event,
    EventOrganiser,
    EventSite,
    GeneratedDocument,
    OrganiserRole,
)
from essor.events.programme import event_programme, event_speakers, event_with_programme
from essor.initiatives.models import PracticeSheet
from essor.members import selectors as member_selectors
from essor.members.models import Authority, Membership, Position

logger = logging.getLogger(__name__)

TEMPLATES = {
    DocumentKind.KIT: "events/pdf/kit.html",
    DocumentKind.PROCEEDINGS: "events/pdf/proceedings.html",
}
# The start of the file names, in French: "dossier-du-participant-<slug>.pdf".
FILE_STEMS = {DocumentKind.KIT: "dossier-du-participant", DocumentKind.PROCEEDINGS: "actes"}
# A generation still pending after this long has died with its worker: it may be asked again.
STALE_AFTER = datetime.timedelta(minutes=15)
# Ruled lines of each notes page at the end of the kit.
NOTE_LINES = 26
MAX_ERROR_LENGTH = 2000

# How each organiser role is announced on the covers, in this order.
ORGANISER_HEADINGS = [
    (OrganiserRole.ORGANISER, "Organisation", "Organisation"),
    (OrganiserRole.CO_ORGANISER, "Co-organisation", "Co-organisation"),
    (OrganiserRole.HOST, "Collectivité d'accueil", "Collectivités d'accueil"),
    (OrganiserRole.PARTNER, "Partenaire", "Partenaires"),
]


class DocumentError(Exception):
    """A document could not be rendered (the message says why, in French)."""


# --- what the documents show ------------------------------------------------------------------


def document_event(event_id: int) -> Event | None:
    """The event with everything both documents read, in a fixed number of queries."""
    queryset = Event.objects.select_related("commune").prefetch_related(
        Prefetch(
            "organisers",
            EventOrganiser.objects.select_related("organisation", "authority"),
        ),
        Prefetch("sites", EventSite.objects.select_related("commune")),
    )
    return event_with_programme(queryset).filter(pk=event_id).first()


def day_label(day: datetime.date) -> str:
    """ "jeudi 12 septembre 2013", "lundi 1er juillet 2024"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{date_format(day, 'l')} {number} {date_format(day, 'F Y')}"


def time_label(moment: datetime.time | None) -> str:
    """ "9 h", "10 h 15"."""
    if moment is None:
        return ""
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"


def time_range_label(start: datetime.time | None, end: datetime.time | None) -> str:
    if start and end:
        return f"{time_label(start)} – {time_label(end)}"
    return time_label(start or end)


def dates_label(event: Event) -> str:
    """The event's date(s) in French: "jeudi 12 septembre 2013", "du 3 au 4 octobre 2017"."""
    start = timezone.localtime(event.starts_at).date()
    end = timezone.localtime(event.ends_at).date()
    if end <= start:
        return day_label(start)
    first = "1er" if start.day == 1 else str(start.day)
    if (start.year, start.month) == (end.year, end.month):
        first_part = first
    elif start.year == end.year:
        first_part = f"{first} {date_format(start, 'F')}"
    else:
        first_part = f"{first} {date_format(start, 'F Y')}"
    last = "1er" if end.day == 1 else str(end.day)
    return f"du {first_part} au {last} {date_format(end, 'F Y')}"


def hours_label(event: Event) -> str:
    """ "de 9 h 30 à 17 h" for an event held within one day, "" otherwise."""
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() != end.date():
        return ""
    return f"de {time_label(start.time())} à {time_label(end.time())}"


def _commune_name(commune: object) -> str:
    return getattr(commune, "name", "") if commune is not None else ""


def places(event: Event) -> list[str]:
    """Where the event is held, one line per place: its sites, else its venue, else online."""
    lines = []
    for site in event.sites.all():
        where = ", ".join(
            part for part in (site.venue, site.address, _commune_name(site.commune)) if part
        )
        lines.append(f"{site.name} : {where}" if where else site.name)
    if lines:
        return lines
    where = ", ".join(
        part for part in (event.venue, event.address, _commune_name(event.commune)) if part
    )
    if where:
        lines.append(where)
    if event.online:
        lines.append("En ligne (le lien de connexion est envoyé aux inscrits)")
    return lines


@dataclass(frozen=True)
class OrganiserGroup:
    heading: str
    names: list[str]


def organiser_groups(event: Event) -> list[OrganiserGroup]:
    """Organisers, co-organisers, hosts and partners, each role under its heading."""
    by_role: dict[str, list[str]] = {}
    for organiser in event.organisers.all():
        by_role.setdefault(organiser.role, []).append(organiser.display_name)
    return [
        OrganiserGroup(singular if len(by_role[role]) == 1 else plural, by_role[role])
        for role, singular, plural in ORGANISER_HEADINGS
        if role in by_role
    ]


def participants_label(event: Event) -> str:
    """ "environ 400 participants", "142 participants", "" when not counted."""
    count = event.participant_count
    if not count:
        return ""
    noun = "participant" if count == 1 else "participants"
    number = f"{count:,}".replace(",", "\u00a0")
    return f"environ {number} {noun}" if event.participant_count_is_estimate else f"{number} {noun}"


def price_label(event: Event) -> str:
    if not event.price:
        return "Participation gratuite."
    amount = f"{event.price:.2f}".replace(".00", "").replace(".", ",")
    return f"Gratuit pour les adhérents du réseau ; {amount} € pour les non-adhérents."


@dataclass
class ProgrammeLine:
    """A session of the programme with its times written out."""

    item: object  # programme.ProgrammeSession
    time: str


@dataclass
class ProgrammeSite:
    name: str
    sessions: list[ProgrammeLine]


@dataclass
class ProgrammeDayView:
    label: str
    anchor: str
    sites: list[ProgrammeSite]


def programme_view(event: Event, *, skip_breaks: bool = False) -> list[ProgrammeDayView]:
    """The programme by day and by site, as the documents lay it out."""
    days = []
    for number, day in enumerate(event_programme(event), start=1):
        sites = []
        for site, items in day.sites:
            lines = [
                ProgrammeLine(item, time_range_label(item.start, item.end))
                for item in items
                if not (skip_breaks and item.is_break)
            ]
            if lines:
                sites.append(ProgrammeSite(site, lines))
        if sites:
            days.append(
                ProgrammeDayView(day_label(day.day) if day.day else "", f"jour-{number}", sites)
            )
    return days


@dataclass
class AuthorityProfile:
    """What the kit shows of an authority that speaks: its profile sheet ("fiche d'identité")."""

    authority: Authority
    anchor: str
    membership: Membership | None
    people: list[Position]


def authority_profiles(event: Event) -> list[AuthorityProfile]:
    """The profile sheets of the authorities involved, in name order, read with the members
    module's selector (identity, population, ESS context, axes, figures, budgets, people)."""
    day = timezone.localtime(event.starts_at).date()
    profiles = []
    for slug in event.authorities.order_by("name").values_list("slug", flat=True):
        authority = member_selectors.authority_with_people(slug)
        if authority is None:
            continue
        profiles.append(
            AuthorityProfile(
                authority=authority,
                anchor=f"collectivite-{authority.pk}",
                membership=member_selectors.membership_now(authority),
                people=member_selectors.current_positions(authority, on=day),
            )
        )
    return profiles


def practice_sheets(event: Event) -> list[PracticeSheet]:
    """The published practice sheets linked to the event, by number."""
    return list(event.practice_sheets.filter(live=True).select_related("theme").order_by("number"))


@dataclass(frozen=True)
class EvaluationSummary:
    answers: int
    satisfaction: float | None
    usefulness: float | None
    quotes: list[str]


def evaluation_summary(event: Event) -> EvaluationSummary | None:
    """The questionnaire's figures and the quotes the team chose (with the author's consent);
    None when nobody answered."""
    answers = Evaluation.objects.filter(registration__event=event)
    figures = answers.aggregate(
        count=Count("pk"), satisfaction=Avg("satisfaction"), usefulness=Avg("usefulness")
    )
    if not figures["count"]:
        return None
    quotes = list(
        answers.filter(featured=True, quote_allowed=True)
        .exclude(comment="")
        .order_by("created_at", "pk")
        .values_list("comment", flat=True)
    )
    return EvaluationSummary(
        figures["count"], figures["satisfaction"], figures["usefulness"], quotes
    )


def site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") or pdf.FALLBACK_BASE_URL.rstrip("/")


def _common_context(event: Event) -> dict:
    return {
        "event": event,
        "network": NetworkSettings.load(),
        "dates": dates_label(event),
        "hours": hours_label(event),
        "places": places(event),
        "organiser_groups": organiser_groups(event),
        "speakers": event_speakers(event),
        "site_url": site_url(),
        "page_url": site_url() + event.get_absolute_url(),
        "generated_on": day_label(timezone.localdate()),
    }


def kit_context(event: Event) -> dict:
    return {
        **_common_context(event),
        "document_title": DocumentKind.KIT.label,
        "programme": programme_view(event),
        "price": price_label(event),
        "authorities": authority_profiles(event),
        "sheets": practice_sheets(event),
        "note_lines": range(NOTE_LINES),
    }


def proceedings_context(event: Event) -> dict:
    programme = programme_view(event, skip_breaks=True)
    return {
        **_common_context(event),
        "document_title": DocumentKind.PROCEEDINGS.label,
        "programme": programme,
        "participants": participants_label(event),
        "sites": [site for site in event.sites.all() if site.participant_count],
        "evaluation": evaluation_summary(event),
        "has_sessions": any(site.sessions for day in programme for site in day.sites),
    }


def _html(kind: str, event: Event) -> str:
    context = kit_context(event) if kind == DocumentKind.KIT else proceedings_context(event)
    # A task runs outside any request: the French month and day names must not depend on it.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATES[kind], context)


def kit_html(event: Event) -> str:
    """The participant kit as the HTML WeasyPrint lays out."""
    return _html(DocumentKind.KIT, _loaded(event))


def proceedings_html(event: Event) -> str:
    """The proceedings as the HTML WeasyPrint lays out."""
    return _html(DocumentKind.PROCEEDINGS, _loaded(event))


def _loaded(event: Event) -> Event:
    """The event with its programme prefetched (a caller may pass a bare row)."""
    if "sessions" in getattr(event, "_prefetched_objects_cache", {}):
        return event
    return document_event(event.pk) or event


def document_pdf(event: Event, kind: str) -> bytes:
    """The document rendered now, as PDF bytes. Links are absolute, to the site's address;
    only our static files are read (stylesheet), nothing from the network."""
    return pdf.html_document(_html(kind, _loaded(event)), site_url() + "/").write_pdf()


# --- generation -------------------------------------------------------------------------------


def _kind(kind: str) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        raise DocumentError(f"Document inconnu : « {kind} ».") from None


def _file_name(event: Event, kind: str) -> str:
    # A random part: were the media folder ever served as is, a members-only event's
    # documents could not be found by guessing their address.
    return f"{FILE_STEMS[kind]}-{event.slug}-{secrets.token_hex(6)}.pdf"


def _error_message(error: Exception) -> str:
    message = str(error).strip() or error.__class__.__name__
    return message[:MAX_ERROR_LENGTH]


def document_generate(event: Event, kind: str) -> GeneratedDocument:
    """Render the document and keep it: READY with the new file (the previous file is
    deleted only once the new one is stored), or FAILED with the error, the previous file
    kept and still served."""
    kind = _kind(kind)
    document, _ = GeneratedDocument.objects.get_or_create(event=event, kind=kind)
    try:
        content = document_pdf(event, kind)
    except Exception as error:  # whatever went wrong is shown to the editor, not lost in a log
        logger.exception("Generating %s of event %s failed", kind, event.pk)
        document.status = GeneratedDocument.Status.FAILED
        document.error = _error_message(error)
        document.save(update_fields=["status", "error"])
        return document
    document.refresh_from_db(fields=["file"])
    previous = document.file.name
    storage = document.file.storage
    document.file.save(_file_name(event, kind), ContentFile(content), save=False)
    document.status = GeneratedDocument.Status.READY
    document.error = ""
    document.generated_at = timezone.now()
    document.save(update_fields=["file", "status", "error", "generated_at"])
    if previous and previous != document.file.name:
        storage.delete(previous)
    return document


def is_in_progress(
    document: GeneratedDocument | None, now: datetime.datetime | None = None
) -> bool:
    """Pending and recent: a worker is on it (an older pending row is a lost task)."""
    if document is None or document.status != GeneratedDocument.Status.PENDING:
        return False
    return (now or timezone.now()) - document.requested_at < STALE_AFTER


def document_request(event: Event, kind: str) -> tuple[GeneratedDocument, bool]:
    """Mark the document as being generated and hand the work to the task queue. Returns
    the row and False when a generation is already under way (nothing is queued twice)."""
    from essor.events.tasks_documents import generate_document  # the task imports this module

    kind = _kind(kind)
    document, created = GeneratedDocument.objects.get_or_create(event=event, kind=kind)
    if not created and is_in_progress(document):
        return document, False
    document.status = GeneratedDocument.Status.PENDING
    document.requested_at = timezone.now()
    document.error = ""
    document.save(update_fields=["status", "requested_at", "error"])
    generate_document.enqueue(event.pk, str(kind))
    document.refresh_from_db()  # an immediate backend has already done the work
    return document, True


# --- serving ----------------------------------------------------------------------------------


def served_document(event: Event, kind: str) -> GeneratedDocument | None:
    """The document the public route serves: the file of the last generation that succeeded
    (kept while a new one is pending or after one failed), None when there is none."""
    return (
        GeneratedDocument.objects.filter(event=event, kind=kind, generated_at__isnull=False)
        .exclude(Q(file="") | Q(file__isnull=True))
        .first()
    )


def public_file_name(event: Event, kind: str) -> str:
    """The name a reader's browser saves the file under."""
    return f"{FILE_STEMS[_kind(kind)]}-{event.slug}.pdf"


def served_documents(event: Event) -> list[GeneratedDocument]:
    """The documents an event's page may link to (the page decides who sees the links: see
    document_views for who may open them)."""
    return list(
        GeneratedDocument.objects.filter(event=event, generated_at__isnull=False)
        .exclude(file="")
        .order_by("kind")
    )
