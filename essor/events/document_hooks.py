"""The generated documents in the admin: two buttons in the header of an event's edit page
("Dossier du participant (PDF)", "Actes (PDF)") lead to a screen showing the state of both
documents, where an editor asks for a new generation (a background task) and downloads the
last file. Editors with the change permission on events only; every change is a POST.

Imported by wagtail_hooks.py, which registers the hooks below.
"""

from django.contrib import messages
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.views.generic import View
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from essor.core.admin_views import RECORD_HEADER_BUTTONS_HOOK
from essor.events import documents
from essor.events.admin_views import EventAdminMixin, EventScreenView
from essor.events.models import DocumentKind, Event, GeneratedDocument

CHANGE_PERMISSION = "events.change_event"
# While a document is being generated the screen reloads itself this often (seconds).
REFRESH_SECONDS = 5
BUTTON_LABELS = {
    DocumentKind.KIT: "Dossier du participant (PDF)",
    DocumentKind.PROCEEDINGS: "Actes (PDF)",
}
PUBLIC_ROUTES = {
    DocumentKind.KIT: "events:kit_pdf",
    DocumentKind.PROCEEDINGS: "events:proceedings_pdf",
}
_policy = ModelPermissionPolicy(Event)


def documents_url(event: Event, kind: str = "") -> str:
    url = reverse("event_documents:index", args=[event.pk])
    return f"{url}#{kind}" if kind else url


@hooks.register(RECORD_HEADER_BUTTONS_HOOK)
def documents_buttons(instance: Model, user: object) -> list[Button]:
    """The two documents in the "…" menu of an event's edit page."""
    if not isinstance(instance, Event) or instance.pk is None:
        return []
    if not user.has_perm(CHANGE_PERMISSION):
        return []
    return [
        Button(label, url=documents_url(instance, kind), icon_name="doc-full", priority=55 + n)
        for n, (kind, label) in enumerate(BUTTON_LABELS.items())
    ]


class EventDocumentsMixin(EventAdminMixin):
    permission_policy = _policy
    permission_required = "change"


class DocumentRow:
    """One document's line on the screen."""

    def __init__(self, event: Event, kind: DocumentKind, document: GeneratedDocument | None):
        self.kind = kind
        self.label = kind.label
        self.document = document
        self.in_progress = documents.is_in_progress(document)
        self.stalled = (
            document is not None
            and document.status == GeneratedDocument.Status.PENDING
            and not self.in_progress
        )
        self.failed = document is not None and document.status == GeneratedDocument.Status.FAILED
        self.has_file = bool(document and document.file and document.generated_at)
        self.size = _file_size(document) if self.has_file else None
        self.download_url = (
            reverse("event_documents:file", args=[event.pk, kind.value]) if self.has_file else ""
        )
        self.public_url = reverse(PUBLIC_ROUTES[kind], args=[event.slug]) if event.live else ""


def _file_size(document: GeneratedDocument) -> int | None:
    try:
        return document.file.size
    except (FileNotFoundError, OSError):
        return None


class EventDocumentsView(EventDocumentsMixin, EventScreenView):
    template_name = "events/admin/documents.html"
    header_icon = "doc-full"
    http_method_names = ["get", "post"]
    screen_label = "Documents à imprimer"

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        event = self.event()
        existing = {d.kind: d for d in GeneratedDocument.objects.filter(event=event)}
        rows = [DocumentRow(event, kind, existing.get(kind.value)) for kind in DocumentKind]
        context.update(
            event=event,
            rows=rows,
            refresh_seconds=REFRESH_SECONDS if any(row.in_progress for row in rows) else None,
            edit_url=reverse("event:edit", args=[event.pk]),
            action_url=documents_url(event),
            now=timezone.now(),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self.event()
        try:
            kind = DocumentKind(request.POST.get("kind", ""))
        except ValueError:
            messages.error(request, "Choisissez le document à générer.")
            return HttpResponseRedirect(documents_url(event))
        document, queued = documents.document_request(event, kind)
        name = kind.label.lower()
        if not queued:
            messages.warning(
                request, f"La génération du document « {name} » est déjà en cours : patientez."
            )
        elif document.status == GeneratedDocument.Status.READY:
            messages.success(request, f"Le document « {name} » est prêt.")
        elif document.status == GeneratedDocument.Status.FAILED:
            messages.error(request, f"La génération du document « {name} » a échoué.")
        else:
            messages.success(
                request,
                f"La génération du document « {name} » est lancée : cette page se met à jour "
                "toute seule.",
            )
        return HttpResponseRedirect(documents_url(event, kind.value))


class EventDocumentFileView(EventDocumentsMixin, View):
    """The last generated file, for the team (the event may be a draft)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int, kind: str) -> FileResponse:
        event = self.event()
        if kind not in DocumentKind.values:
            raise Http404
        document = documents.served_document(event, kind)
        if document is None:
            raise Http404
        try:
            stream = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            stream,
            content_type="application/pdf",
            as_attachment=False,
            filename=documents.public_file_name(event, kind),
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


@hooks.register("register_admin_urls")
def register_admin_urls() -> list:
    """Under /admin/, namespace "event_documents"."""
    patterns = [
        path("", EventDocumentsView.as_view(), name="index"),
        path("<str:kind>.pdf", EventDocumentFileView.as_view(), name="file"),
    ]
    return [
        path(
            "evenements/evenement/<int:pk>/documents/",
            include((patterns, "event_documents"), namespace="event_documents"),
        )
    ]
