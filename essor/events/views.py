"""Public pages of events: the agenda, past events, an event, iCalendar files.

Anonymous visitors get pages from the cache (`cache_public_page`). An event's page is the same
for every reader of one kind (member or not) apart from its registration box: the article is
rendered once per kind of reader and kept until the events change (`remember`), the box and
the offer's availability are worked out on each request (they depend on the time and the user).
"""

from collections.abc import Callable
from dataclasses import replace

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from essor.core.caching import cache_public_page, remember
from essor.core.filter_forms import FilterFormWriter
from essor.core.paths import path_of
from essor.events import ical, page_html, programme, rendering, selectors
from essor.events.models import Event, EventKind

FEED_LIMIT = 1000
ICS_TYPE = "text/calendar; charset=utf-8"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _kind_links(filters: selectors.EventFilters, counts: dict[str, int], base: str) -> list[dict]:
    """Each type with its number of events, as a link selecting it (keeping the other
    filters); types without events are left out."""
    links = []
    for value, label in EventKind.choices:
        if not counts.get(value):
            continue
        chosen = replace(filters, kind=value)
        pairs = [
            (name, current)
            for name, current in (
                ("type", chosen.kind),
                ("theme", chosen.theme),
                ("public", chosen.audience),
            )
            if current
        ]
        links.append(
            {
                "label": label,
                "count": counts[value],
                "url": f"{base}?{urlencode(pairs)}",
                "current": filters.kind == value,
            }
        )
    return links


def _page(rows: selectors.CardRows, size: int, count: int, number: str | None) -> Page:
    """A page of `rows`, whose number of events the caller already knows (from the counts
    the page shows): the paginator does not count them again."""
    paginator = Paginator(rows, size)
    paginator.count = count  # a cached property: the value it would have computed
    return paginator.get_page(number)


# The lists' filter forms, written in Python for a valid query (core.filter_forms).
_AGENDA_FILTERS = FilterFormWriter(
    selectors.EventFilterForm, mark_safe("Filtrer l'agenda"), selectors.filters_of
)
_PAST_FILTERS = FilterFormWriter(
    selectors.PastFilterForm, mark_safe("Filtrer les événements passés"), selectors.filters_of
)


@cache_public_page
def agenda(request: HttpRequest) -> HttpResponse:
    base = path_of("events:agenda")
    query = _AGENDA_FILTERS.query(request.GET, base, {"theme": selectors.theme_choices()})
    filters = query.filters
    counts = selectors.upcoming_kind_counts(replace(filters, kind=""))
    total = counts.get(filters.kind, 0) if filters.kind else sum(counts.values())
    kind_links = _kind_links(filters, counts, base)
    page = _page(
        selectors.upcoming_rows(filters), selectors.PAGE_SIZE, total, request.GET.get("page")
    )
    return render(
        request,
        "events/agenda.html",
        {
            "filter_form": query.form_html,
            "filters": filters,
            "page": page,
            "cards": rendering.cards_html(selectors.event_cards(page.object_list), level=3),
            "count": page.paginator.count,
            "kind_links": kind_links,
            "kind_links_html": rendering.kind_links_html(kind_links),
        },
    )


_YEAR_MARK = "year-mark"


def _year_links(query: QueryDict) -> Callable[[int], str]:
    """For each year, what {% querystring annee=year page=None %} gives: the query with the
    year chosen and no page. The query string is encoded once, with a mark for the year."""
    params = query.copy()
    params["annee"] = _YEAR_MARK
    params.pop("page", None)
    head, _mark, tail = f"?{params.urlencode()}".partition(_YEAR_MARK)
    return lambda year: f"{head}{year}{tail}"


@cache_public_page
def past_events(request: HttpRequest) -> HttpResponse:
    every_year = selectors.all_past_years()
    query = _PAST_FILTERS.query(
        request.GET,
        path_of("events:past"),
        {"theme": selectors.theme_choices(), "annee": selectors.year_choices(every_year)},
        make_form=lambda data: selectors.PastFilterForm(data, years=every_year),
    )
    filters = query.filters
    if filters == selectors.EventFilters(year=filters.year):  # no filter, or the year alone
        years = [row for row in every_year if filters.year in (None, row.year)]
    else:
        years = selectors.past_years(filters)
    page = _page(
        selectors.past_rows(filters),
        selectors.PAST_PAGE_SIZE,
        sum(year.events for year in years),
        request.GET.get("page"),
    )
    cards = selectors.event_cards(page.object_list)
    return render(
        request,
        "events/past.html",
        {
            "filter_form": query.form_html,
            "filters": filters,
            "page": page,
            "count": page.paginator.count,
            "years": years,
            "year_rows_html": rendering.year_rows_html(years, _year_links(request.GET)),
            "groups": [
                (year, rendering.cards_html(items, level=4))
                for year, items in selectors.cards_by_year(cards)
            ],
        },
    )


def _reader(user: object) -> str:
    return "member" if selectors.may_see_members_content(user) else "public"


def _article(event: Event, user: object, base_url: str) -> dict:
    """The parts of an event's page that are the same for every reader of one kind."""
    # Read as rows; the registration box depends on the request: the view works it out.
    display = selectors.event_display(
        event,
        user,
        read=programme.programme_read(event),
        with_registration=False,
        relations=selectors.relations_read(event),
    )
    return {
        "head_html": page_html.event_head_html(event, display),
        "body_html": page_html.event_body_html(event, display),
        "json_ld": selectors.event_json_ld(event, display, base_url),
    }


@cache_public_page
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.published_event(slug)
    if event is None:
        raise Http404("Événement introuvable")
    base_url = _base_url(request)
    parts = remember(
        f"events:page:{event.pk}:{_reader(request.user)}:{base_url}",
        lambda: _article(event, request.user, base_url),
    )
    registration = selectors.registration_state(event, request.user)
    json_ld = {**parts["json_ld"]}
    json_ld["offers"] = {
        **json_ld["offers"],
        "availability": selectors.offer_availability(registration),
    }
    return render(
        request,
        "events/event_detail.html",
        {
            "object": event,
            "event": event,
            **page_html.page_parts(event, registration),
            # Written by page_html, which escaped them.
            "head_html": mark_safe(parts["head_html"]),
            "body_html": mark_safe(parts["body_html"]),
            "json_ld": selectors.json_for_script(json_ld),
        },
    )


def _ics_response(content: bytes) -> HttpResponse:
    return HttpResponse(content, content_type=ICS_TYPE)


@cache_public_page
def event_ical(request: HttpRequest, slug: str) -> HttpResponse:
    found = ical.calendar_events(Event.objects.published().filter(slug=slug)).first()
    if found is None:
        raise Http404("Événement introuvable")
    return _ics_response(ical.event_ics(found, _base_url(request)))


@cache_public_page
def agenda_ical(request: HttpRequest) -> HttpResponse:
    events = ical.calendar_events(selectors.feed_events())[:FEED_LIMIT]
    return _ics_response(ical.event_calendar(events, _base_url(request)))
