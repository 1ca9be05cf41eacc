"""Placeholder: being written."""

from django.http import Http404, HttpRequest, HttpResponse


def sheet_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def sheet_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def sheet_pdf(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
