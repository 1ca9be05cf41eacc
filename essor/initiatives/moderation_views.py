"""Placeholder: being written."""

from django.http import Http404, HttpRequest, HttpResponse


def propose(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def my_proposals(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def proposal_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def propose_change(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
