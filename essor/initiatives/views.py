"""Placeholder: being written."""

from django.http import Http404, HttpRequest, HttpResponse


def initiative_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def initiative_map(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def initiative_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
