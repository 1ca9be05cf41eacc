"""The search page: one box over every kind of content, facets to narrow, highlighted passages."""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from essor.core.roles import Role, has_role
from essor.search.engine import Results, search
from essor.search.forms import SearchForm, results_page
from essor.search.selectors import region_choices

FACET_TITLES = {
    "kind": "Type de contenu",
    "themes": "Thème",
    "region": "Région",
    "level": "Niveau de collectivité",
    "year": "Année",
}
# The index calls the theme facet "themes"; the form's parameter is "theme".
FACET_PARAMETERS = {"themes": "theme"}


def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, regions=region_choices())
    query = form.query()
    results = None
    if query:
        results = search(
            query,
            member=has_role(request.user, Role.MEMBER),
            filters=form.filters(),
            page=_page_number(request),
        )
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "page": results_page(results) if results and results.total else None,
            "facet_groups": _facet_groups(request.GET, form, results) if results else [],
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page") or 1)
    except ValueError:
        return 1


def _facet_groups(params: QueryDict, form: SearchForm, results: Results) -> list[dict]:
    """Each facet with its values: label, count, the address that selects (or clears) it."""
    labels = {
        "kind": dict(form.fields["kind"].choices),
        "themes": dict(form.fields["theme"].choices),
        "region": dict(form.fields["region"].choices),
        "level": dict(form.fields["level"].choices),
    }
    groups = []
    for name, counts in results.facets.items():
        parameter = FACET_PARAMETERS.get(name, name)
        selected = params.get(parameter, "")
        items = [
            {
                "label": labels.get(name, {}).get(value, value),
                "count": count,
                "selected": value == selected,
                "url": _with(params, parameter, "" if value == selected else value),
            }
            for value, count in sorted(counts.items(), key=lambda item: -item[1])
        ]
        if items:
            groups.append({"title": FACET_TITLES[name], "items": items})
    return groups


def _with(params: QueryDict, name: str, value: str) -> str:
    changed = params.copy()
    changed.pop("page", None)
    if value:
        changed[name] = value
    else:
        changed.pop(name, None)
    return f"?{changed.urlencode()}"
