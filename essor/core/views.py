from functools import cache

from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines
from wagtail.models import Page


def bare_benchmark_view(request: HttpRequest) -> HttpResponse:
    """The reference the benchmarks compare pages against: Django with no template or query."""
    return HttpResponse("<!DOCTYPE html><title>bare</title><p>ok</p>")


@cache
def _wagtail_benchmark_template():
    return engines["django"].from_string(
        '<!DOCTYPE html><html lang="fr"><title>{{ page.title }}</title><h1>{{ page.title }}</h1>'
    )


def wagtail_benchmark_view(request: HttpRequest) -> HttpResponse:
    """The second benchmark reference: Wagtail without Essor's layout.

    The site's root page goes through Wagtail's own routing (site lookup, tree walk, specific
    page) and Wagtail's base page context, rendered by a one-line template with no context
    processor, so none of Essor's layout, menus or page-specific context is paid for."""
    route = Page.route_for_request(request, "/")
    if route is None:
        raise Http404
    page = route[0]
    context = Page.get_context(page, request)  # Wagtail's own, not the page type's override
    return HttpResponse(_wagtail_benchmark_template().render(context))
