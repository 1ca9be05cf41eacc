"""Public pages of the knowledge base: the faceted list, the map and an initiative's page."""

from collections.abc import Callable
from dataclasses import replace

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from essor.core.caching import cache_public_page, remember
from essor.core.paths import path_of
from essor.core.roles import Role, has_role
from essor.initiatives import browse, maps, selectors
from essor.initiatives.moderation import may_propose_change
from essor.territories.maps import map_attribution


def _sort_links(filters: browse.BrowseFilters) -> list[dict]:
    return [
        {"label": label, "url": replace(filters, sort=key).url(), "current": key == filters.sort}
        for key, (label, _order) in browse.SORTS.items()
    ]


def _paths() -> dict[str, str]:
    """The module's addresses the list and the map link to (reversed once per process)."""
    return {name: path_of(f"initiatives:{name}") for name in ("list", "map", "sheets", "propose")}


def _fragment(key: str, template: str, context: Callable[[], dict]) -> SafeString:
    """A part of a page rendered once and kept until the public content changes: the facets
    (a hundred links or so) and the results are the costliest parts to render, and the same
    for every visitor who makes the same selection."""
    html = remember(key, lambda: str(render_to_string(template, context())))
    return mark_safe(html)  # rendered by the template engine, which escaped it


@cache_public_page
def initiative_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    choices = browse.facet_choices()
    form = browse.BrowseForm(request.GET or None, choices=choices)
    filters = form.filters()
    summary = browse.browse_summary(filters, choices)
    page = Paginator(range(summary.count), browse.PAGE_SIZE).get_page(request.GET.get("page"))
    start = (page.number - 1) * browse.PAGE_SIZE
    lines = browse.page_lines(filters, summary, start, start + browse.PAGE_SIZE)
    paths = _paths()
    problems = form.problems()
    return render(
        request,
        "initiatives/initiative_list.html",
        {
            "form": form,
            "problems": problems,
            "problems_html": browse.problems_html(problems),
            "paths": paths,
            "filters": filters,
            "page": page,
            "summary": summary,
            "lines": lines,
            # The search box keeps the other filters (and the sort) as hidden fields.
            "kept": [pair for pair in filters.query_pairs() if pair[0] != "q"],
            # Built in Python: a template include per option or line cost more than the counts.
            "facets_html": browse.facets_html(summary),
            "lines_html": browse.lines_html(lines),
            "active_html": browse.active_html(summary.active, paths["list"]),
            "sorts": _sort_links(filters),
            "map_url": filters.url(paths["map"]),
        },
    )


@cache_public_page
def initiative_map(request: HttpRequest, **kwargs: object) -> HttpResponse:
    # The facets' options are read only for those selected (the map shows no facet).
    form = browse.BrowseForm(request.GET or None)
    filters = form.filters()
    paths = _paths()
    problems = form.problems()
    active = browse.active_filters(filters, paths["map"])
    return render(
        request,
        "initiatives/initiative_map.html",
        {
            "form": form,
            "problems": problems,
            "problems_html": browse.problems_html(problems),
            "paths": paths,
            "filters": filters,
            "drawn": maps.initiative_map(filters),
            "active": active,
            "active_html": browse.active_html(active, paths["map"]),
            "attribution": map_attribution(),
            "positions_attribution": maps.positions_attribution(),
            "list_url": filters.url(),
        },
    )


@cache_public_page
def initiative_detail(request: HttpRequest, slug: str = "", **kwargs: object) -> HttpResponse:
    initiative = selectors.published_initiative(slug)
    if initiative is None:
        raise Http404("Initiative introuvable")
    show_contacts = has_role(request.user, Role.MEMBER)
    can_propose_change = may_propose_change(request.user, initiative)

    def article() -> dict:
        # Plain values, one query per kind of line: no model instance per line.
        lines = selectors.page_lines(initiative.pk, with_contacts=show_contacts)
        likeness = selectors.likeness(initiative, lines)
        return {
            "object": initiative,
            "display": selectors.lines_display(
                lines, initiative.carrier_label, show_contacts=show_contacts
            ),
            "similar": remember(
                f"initiatives:similar:{initiative.pk}", lambda: selectors.similar_to(likeness)
            ),
            "can_propose_change": can_propose_change,
            "request": request,
        }

    # One copy of the article per kind of reader: contacts and the proposal link differ.
    variant = f"{int(show_contacts)}{int(can_propose_change)}"
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "object": initiative,
            "initiative": initiative,
            "body_html": _fragment(
                f"initiatives:page-html:{initiative.pk}:{variant}",
                "initiatives/includes/initiative_body.html",
                article,
            ),
        },
    )
