"""The participant kit and the proceedings as PDF, at /evenements/<slug>/dossier-du-participant.pdf
and /evenements/<slug>/actes.pdf: the file of the last generation that succeeded, never a
rendering in the request (editors generate the documents in the admin).

Who may open them:
- a public event's kit and proceedings are public, as its page is;
- a members-only event's documents are for members (and the network's team): anonymous
  readers are sent to the login page, logged-in non-members get a 403;
- an unpublished event, or one whose document was never generated, is a 404.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control

from essor.events.documents import public_file_name, served_document
from essor.events.models import DocumentKind, Event
from essor.events.services import is_member_user


def _serve(request: HttpRequest, slug: str, kind: str) -> FileResponse:
    event = Event.objects.published().filter(slug=slug).first()
    if event is None:
        raise Http404("Événement introuvable")
    if event.members_only and not is_member_user(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Ce document est réservé aux adhérents du réseau.")
    document = served_document(event, kind)
    if document is None:
        raise Http404("Ce document n'est pas encore disponible.")
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("Ce document n'est pas encore disponible.") from None
    response = FileResponse(
        stream,
        content_type="application/pdf",
        as_attachment=False,
        filename=public_file_name(event, kind),
    )
    response["X-Content-Type-Options"] = "nosniff"
    if event.members_only:  # no shared cache (proxy) may hand the file to someone else
        patch_cache_control(response, private=True)
    return response


def kit_pdf(request: HttpRequest, slug: str) -> FileResponse:
    return _serve(request, slug, DocumentKind.KIT)


def proceedings_pdf(request: HttpRequest, slug: str) -> FileResponse:
    return _serve(request, slug, DocumentKind.PROCEEDINGS)
