"""Composing an issue: its next number, "add the month's articles" (and the agenda's coming
items), and the issue's contents as every reader sees them — items grouped by rubric in the
rubrics' order, then the agenda in date order. The mail (rendering.py), the admin preview and
the web archive all read `issue_contents`, so the three never disagree.

Which articles a letter may carry is a rule of its kind: the public e-letter only takes public
articles; the members' Flash hebdo takes members-only ones too, and proposes first those of
the rubrics that concern authorities directly.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from essor.core.agenda import agenda_items
from essor.core.editorial import Audience
from essor.core.links import absolute_url
from essor.events.models import Event
from essor.events.selectors import event_dates, french_date
from essor.letters.models import Issue, IssueItem, LetterKind
from essor.news.models import AgendaEntry, Article, Rubric

# How far ahead the agenda of an issue looks, from the issue's date.
AGENDA_WEEKS = {LetterKind.LETTER: 6, LetterKind.FLASH: 3}
# core.agenda keys of the two sources a letter can hold ("event:12", "agenda-entry:5").
_AGENDA_KEYS = {"event": "event_id", "agenda-entry": "agenda_entry_id"}
IMAGE_WIDTH = 560  # the mail's 600 px column less its padding


def issue_number_next(kind: str) -> int:
    """The number proposed for a new issue of `kind`: one more than the highest."""
    highest = Issue.objects.filter(kind=kind).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def composition_window(issue: Issue) -> tuple[datetime.date, datetime.date]:
    """The days whose articles the issue takes: from the day after the previous issue of its
    kind (none: the first day of the issue's month) to the last day of the issue's month. So
    a monthly letter takes its month's articles, a Flash hebdo what appeared since the last
    Flash, and no article is proposed twice by two issues that follow each other."""
    month_start = issue.date.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    previous = (
        Issue.objects.filter(kind=issue.kind, date__lt=issue.date)
        .exclude(pk=issue.pk)
        .order_by("-date", "-number")
        .first()
    )
    start = previous.date + datetime.timedelta(days=1) if previous else month_start
    return start, next_month - datetime.timedelta(days=1)


def _month_articles(issue: Issue) -> list[Article]:
    start, end = composition_window(issue)
    articles = Article.objects.published().filter(date__range=(start, end))
    if issue.kind == LetterKind.LETTER:
        articles = articles.filter(audience=Audience.PUBLIC)
    taken = issue.items.exclude(article=None).values("article_id")
    articles = articles.exclude(pk__in=taken).select_related("rubric")
    if issue.kind == LetterKind.FLASH:
        order = ["-rubric__for_authorities", "rubric__sort_order", "rubric__name", "date", "pk"]
    else:
        order = ["rubric__sort_order", "rubric__name", "date", "pk"]
    return list(articles.order_by(*order))


def _coming_agenda(issue: Issue, user: object | None) -> list[dict]:
    """The agenda's items of the weeks after the issue's date, as IssueItem fields: the
    e-letter's are those anybody may read; the Flash's those its composer (a member of the
    network's team) may read."""
    reader = user if issue.kind == LetterKind.FLASH and user is not None else AnonymousUser()
    end = issue.date + datetime.timedelta(weeks=AGENDA_WEEKS[issue.kind])
    taken = {
        (name, value)
        for name in _AGENDA_KEYS.values()
        for value in issue.items.exclude(**{name: None}).values_list(name, flat=True)
    }
    found = []
    for item in agenda_items(issue.date, end, reader):
        if issue.kind == LetterKind.LETTER and item.members_only:
            continue
        source, _colon, pk = item.key.partition(":")
        name = _AGENDA_KEYS.get(source)
        if name is None or not pk.isdigit() or (name, int(pk)) in taken:
            continue
        taken.add((name, int(pk)))
        found.append({name: int(pk)})
    return found


@dataclass(frozen=True)
class Candidates:
    articles: list[Article]
    agenda: list[dict]  # {"event_id": 3} or {"agenda_entry_id": 5}

    def __len__(self) -> int:
        return len(self.articles) + len(self.agenda)


def issue_candidates(issue: Issue, user: object | None = None) -> Candidates:
    """What "Ajouter les articles du mois" would add, not yet in the issue."""
    return Candidates(_month_articles(issue), _coming_agenda(issue, user))


@transaction.atomic
def issue_add_month_items(issue: Issue, user: object | None = None) -> int:
    """Add the month's published articles and the coming agenda's items that the issue does
    not hold yet, after its items; the number added. Refused once sending started."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not issue.editable:
        raise ValidationError("L'envoi de ce numéro a commencé : il ne peut plus être modifié.")
    candidates = issue_candidates(issue, user)
    order = (issue.items.aggregate(last=Max("sort_order"))["last"] or 0) + 1
    rows = [IssueItem(issue=issue, article=article) for article in candidates.articles]
    rows += [IssueItem(issue=issue, **fields) for fields in candidates.agenda]
    for offset, row in enumerate(rows):
        row.sort_order = order + offset
    IssueItem.objects.bulk_create(rows)
    return len(rows)


# -- the issue's contents, as the mail, the preview and the archive show them ---------------


@dataclass(frozen=True)
class Image:
    url: str  # absolute: the mail's
    alt: str
    width: int
    height: int
    web_src: str = ""  # the rendition's address as the site's own pages give it


@dataclass(frozen=True)
class Entry:
    """One item of the issue as a reader sees it; `url` is absolute."""

    title: str
    url: str
    date_label: str
    summary: str
    members_only: bool = False
    place: str = ""
    image: Image | None = None
    sort_key: tuple = ()


@dataclass
class Section:
    title: str
    anchor: str
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Contents:
    sections: list[Section]  # the articles, by rubric in the rubrics' order
    agenda: list[Entry]  # the events, in date order

    @property
    def is_empty(self) -> bool:
        return not self.sections and not self.agenda


def _image(article: Article) -> Image | None:
    # An image without its text would be a picture nobody reading with a screen reader (or
    # with images blocked, as many mail clients do by default) can know: left out.
    if not article.image_id or not article.image_alt.strip():
        return None
    rendition = article.image.get_rendition(f"width-{IMAGE_WIDTH}")
    return Image(
        absolute_url(rendition.url),
        article.image_alt,
        rendition.width,
        rendition.height,
        web_src=rendition.url,
    )


def _article_entry(article: Article, sort_order: int) -> Entry:
    return Entry(
        title=article.title,
        url=absolute_url(article.get_absolute_url()),
        date_label=french_date(article.date),
        summary=article.summary,
        members_only=article.members_only,
        image=_image(article),
        sort_key=(sort_order,),
    )


def _event_entry(event: Event) -> Entry:
    return Entry(
        title=event.title,
        url=absolute_url(event.get_absolute_url()),
        date_label=event_dates(event),
        summary=event.summary,
        members_only=event.members_only,
        place="En ligne" if event.online and not event.venue else event.venue,
        sort_key=(timezone.localtime(event.starts_at).date(), event.title),
    )


def _agenda_entry(entry: AgendaEntry) -> Entry:
    if entry.ends_on and entry.ends_on != entry.starts_on:
        when = f"du {french_date(entry.starts_on)} au {french_date(entry.ends_on)}"
    else:
        when = french_date(entry.starts_on)
    place = ", ".join(part for part in (entry.venue, str(entry.commune or "")) if part)
    if entry.online:
        place = f"{place} et en ligne" if place else "En ligne"
    return Entry(
        title=entry.title,
        url=absolute_url(entry.url or entry.get_absolute_url()),
        date_label=when,
        summary=entry.summary,
        members_only=entry.members_only,
        place=place,
        sort_key=(entry.starts_on, entry.title),
    )


def _rubric_order(kind: str):
    def key(rubric: Rubric) -> tuple:
        first = kind == LetterKind.FLASH and rubric.for_authorities
        return (not first, rubric.sort_order, rubric.name)

    return key


def issue_contents(issue: Issue) -> Contents:
    """The issue's items grouped by rubric (rubrics in their order, articles in the issue's
    order; for a Flash, the rubrics that concern authorities first), then the agenda."""
    items = (
        IssueItem.objects.filter(issue=issue)
        .select_related("article__rubric", "article__image", "event", "agenda_entry__commune")
        .order_by("sort_order", "pk")
    )
    by_rubric: dict[Rubric, list[Entry]] = {}
    agenda: list[Entry] = []
    with translation.override("fr"):
        for item in items:
            if item.article_id:
                entry = _article_entry(item.article, item.sort_order or 0)
                by_rubric.setdefault(item.article.rubric, []).append(entry)
            elif item.event_id:
                agenda.append(_event_entry(item.event))
            elif item.agenda_entry_id:
                agenda.append(_agenda_entry(item.agenda_entry))
    rubric_key = _rubric_order(issue.kind)
    sections = [
        Section(rubric.name, f"rubrique-{rubric.slug}", by_rubric[rubric])
        for rubric in sorted(by_rubric, key=rubric_key)
    ]
    agenda.sort(key=lambda entry: entry.sort_key)
    return Contents(sections, agenda)
