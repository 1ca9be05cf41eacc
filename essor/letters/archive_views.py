"""The web archive of the letters: the past issues of the public e-letter for everyone, those
of the Flash hebdo for members only, and the web version of a sent issue (the same contents as
the mail, without any recipient's own link).

Anonymous visitors get these pages from the cache (`cache_public_page`): they only ever see
the public e-letter (the Flash's pages send them to the login page, which is not cached). An
issue that finishes sending, and any edit of an issue, makes them stale (apps.py, sending.py).
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from essor.core.caching import cache_public_page
from essor.letters import selectors
from essor.letters.models import LetterKind
from essor.letters.rendering import issue_context

PAGE_SIZE = 24
LATEST = 6  # issues of each letter on the archive's first page


def _subscribe_url() -> str:
    try:
        return reverse("letters:subscribe")
    except NoReverseMatch:  # the subscription pages are not installed
        return ""


def _kind_allowed(request: HttpRequest, kind: str) -> HttpResponse | None:
    """None when the user may read this letter's archive; else the login page (visitors) or
    a refusal (an account of no member authority). An unknown letter is a 404."""
    if kind not in LetterKind.values:
        raise Http404("Cette lettre n'existe pas.")
    if selectors.may_read_kind(request.user, kind):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("Les archives du Flash hebdo sont réservées aux adhérents.")


@cache_public_page
def archive(request: HttpRequest) -> HttpResponse:
    letters = [
        {
            "kind": kind,
            "label": label,
            "url": reverse("letters:archive_kind", args=[kind]),
            "issues": list(selectors.sent_issues(kind)[:LATEST]),
        }
        for kind, label in selectors.archive_kinds(request.user)
    ]
    return render(
        request,
        "letters/archive_index.html",
        {
            "letters": letters,
            "flash_hidden": not selectors.may_read_kind(request.user, LetterKind.FLASH),
            "subscribe_url": _subscribe_url(),
        },
    )


@cache_public_page
def archive_kind(request: HttpRequest, kind: str) -> HttpResponse:
    if refusal := _kind_allowed(request, kind):
        return refusal
    page = Paginator(selectors.sent_issues(kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "letters/archive_kind.html",
        {
            "kind": kind,
            "label": LetterKind(kind).label,
            "page": page,
            "subscribe_url": _subscribe_url() if kind == LetterKind.LETTER else "",
        },
    )


@cache_public_page
def issue_detail(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    if refusal := _kind_allowed(request, kind):
        return refusal
    issue = selectors.sent_issue(kind, number)
    if issue is None:  # unknown, or not sent yet: a draft is nobody's business
        raise Http404("Ce numéro n'existe pas ou n'a pas encore été envoyé.")
    context = issue_context(issue)
    context.update(
        archive_url=reverse("letters:archive_kind", args=[kind]),
        subscribe_url=_subscribe_url() if kind == LetterKind.LETTER else "",
    )
    return render(request, "letters/archive_issue.html", context)
