"""Public pages of the subscriptions (filled by the subscribers' work)."""

from django.http import HttpRequest, HttpResponse


def unsubscribe(request: HttpRequest, token: str, issue: int | None = None) -> HttpResponse:
    raise NotImplementedError
