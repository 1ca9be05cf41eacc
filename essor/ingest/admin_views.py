"""Admin screens of ingestion (editors: the `ingest.change_candidate` permission): the queue of
documents read, the review of one document's candidates (accept, correct, reject), the upload
of a file, and the source passages of a record. Every decision is a POST with its CSRF token;
permissions are checked before anything is looked up."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from essor.ingest import review, services
from essor.ingest.forms import DocumentUploadForm, correction_form
from essor.ingest.models import Candidate, CandidateKind, CandidateStatus, IngestedDocument
from essor.ingest.selectors import document_candidates, documents_with_counts, record_sources
from essor.library.extraction import max_bytes
from essor.library.models import PublicationKind
from essor.territories.models import TerritoryKind

REVIEW_PERMISSION = "ingest.change_candidate"
QUEUE_PAGE_SIZE = 25
_candidates_policy = ModelPermissionPolicy(Candidate)
_documents_policy = ModelPermissionPolicy(IngestedDocument)


class ReviewMixin(PermissionCheckedMixin):
    """The permission every review screen and decision requires."""

    permission_policy = _candidates_policy
    permission_required = "change"


def _queue_crumbs(*items: dict) -> list[dict]:
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("ingest:queue"), "label": "Ingestion"},
        *items,
    ]


# ------------------------------------------------------------------ the queue


class QueueView(ReviewMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "ingest/admin/queue.html"
    page_title = "Ingestion des documents"
    header_icon = "doc-full-inverse"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": "Ingestion"}]

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        # Only this one flag is read from the query string.
        pending_only = self.request.GET.get("a_examiner") == "1"
        paginator = Paginator(documents_with_counts(pending_only), QUEUE_PAGE_SIZE)
        context.update(
            page_obj=paginator.get_page(self.request.GET.get("p")),
            pending_only=pending_only,
            can_upload=_documents_policy.user_has_permission(self.request.user, "add"),
        )
        return context


# ------------------------------------------------------------------ upload


class UploadView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    permission_policy = _documents_policy
    permission_required = "add"
    form_class = DocumentUploadForm
    template_name = "ingest/admin/upload.html"
    page_title = "Lire un document"
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict]:
        return _queue_crumbs({"url": "", "label": self.page_title})

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("ingest:upload"),
            submit_button_label="Lire le document",
            submit_button_active_label="Lecture du document…",
            max_size=f"{max_bytes() / (1024 * 1024):.0f} Mo",
        )
        return context

    def form_valid(self, form: DocumentUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        result = services.ingest_bytes(
            upload.name, upload.read(), store=True, user=self.request.user
        )
        if result.error:
            form.add_error("file", f"{result.error} Rien n’a été enregistré.")
            return self.form_invalid(form)
        count = result.new_candidates
        found = (
            f"{count} nouveau{'x' if count > 1 else ''} candidat{'s' if count > 1 else ''} à examiner"
            if count
            else "aucun nouveau candidat (ce contenu avait déjà été lu)"
        )
        messages.success(self.request, f"« {result.document} » est lu : {found}.")
        return redirect("ingest:document", result.document.pk)


# ------------------------------------------------------------------ one document


@dataclass
class CandidateRow:
    """What the review page shows of a candidate."""

    candidate: Candidate
    details: list[tuple[str, str]] = field(default_factory=list)
    record_url: str = ""
    sources_url: str = ""
    form: object = None


class DocumentView(ReviewMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "ingest/admin/document.html"
    header_icon = "doc-full"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.document = get_object_or_404(IngestedDocument, pk=pk)
        return super().get(request, pk=pk)

    def get_page_title(self) -> str:
        return str(self.document)

    def get_breadcrumbs_items(self) -> list[dict]:
        return _queue_crumbs({"url": "", "label": str(self.document)[:60]})

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        finder = AdminURLFinder(self.request.user)
        groups = [
            (CandidateKind(kind).label, [_row(candidate, finder) for candidate in candidates])
            for kind, candidates in document_candidates(self.document)
        ]
        pending_bulk = self.document.candidates.filter(
            kind__in=review.BULK_KINDS, status=CandidateStatus.PENDING
        ).count()
        context.update(document=self.document, groups=groups, pending_bulk=pending_bulk)
        return context


def _row(candidate: Candidate, finder: AdminURLFinder) -> CandidateRow:
    row = CandidateRow(candidate, details=_details(candidate))
    if candidate.status == CandidateStatus.ACCEPTED and candidate.record is not None:
        row.record_url = finder.get_edit_url(candidate.record) or ""
        row.sources_url = sources_url(candidate.record)
    else:
        row.form = correction_form(candidate)
    return row


# Which extracted values are shown for each kind, with their French labels.
_DETAILS = {
    CandidateKind.PERSON: [
        ("role", "Fonction"),
        ("organisation", "Organisation"),
        ("email", "Courriel"),
        ("phone", "Téléphone"),
    ],
    CandidateKind.PLACE: [
        ("text", "Mention"),
        ("kind", "Niveau"),
        ("code", "Code"),
        ("score", "Score"),
    ],
    CandidateKind.ORGANISATION: [("acronym", "Sigle")],
    CandidateKind.EVENT: [
        ("dates", "Dates"),
        ("places", "Lieux"),
        ("organisers", "Organisateurs"),
        ("sessions", "Séances"),
    ],
    CandidateKind.INITIATIVE: [],
    CandidateKind.PUBLICATION: [("kind", "Type"), ("date", "Date")],
}
_CHOICE_LABELS = {
    CandidateKind.PLACE: dict(TerritoryKind.choices),
    CandidateKind.PUBLICATION: dict(PublicationKind.choices),
}


def _details(candidate: Candidate) -> list[tuple[str, str]]:
    data = candidate.data
    details = []
    for key, label in _DETAILS.get(candidate.kind, []):
        value = _shown(candidate.kind, key, data.get(key))
        if value:
            details.append((label, value))
    extracted = data.get("extracted")
    if extracted:
        details.append(("Lu dans le document", _extracted_label(extracted)))
    return details


def _shown(kind: str, key: str, value: object) -> str:
    if value in (None, "", []):
        return ""
    if key == "score" and isinstance(value, int | float):
        return f"{round(value * 100)} %"
    if key == "kind":
        return str(_CHOICE_LABELS.get(kind, {}).get(value, value))
    if key == "sessions" and isinstance(value, list):
        return str(len(value))
    if isinstance(value, list):
        return ", ".join(_item(item) for item in value)
    return str(value)


def _item(item: object) -> str:
    if isinstance(item, dict):
        return str(item.get("name") or item.get("text") or item.get("title") or "")
    return str(item)


def _extracted_label(extracted: dict) -> str:
    """The extraction an editor corrected, in a few words."""
    main = extracted.get("name") or extracted.get("title") or extracted.get("text") or ""
    extra = [str(extracted[key]) for key in ("role", "organisation", "code") if extracted.get(key)]
    return " — ".join([str(main), *extra]) if main else ", ".join(extra)


class DocumentFileView(ReviewMixin, View):
    """The file as it was read, for an editor to check a passage in its page. Served as a
    PDF or as plain text whatever its name says: an uploaded HTML page is never rendered in
    the admin (and the sandbox policy forbids scripts in any case)."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        document = get_object_or_404(IngestedDocument, pk=pk)
        if not document.file:
            raise Http404
        try:
            stream = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        is_pdf = b"%PDF-" in stream.read(1024)
        stream.seek(0)
        response = FileResponse(
            stream,
            filename=document.file_name,
            content_type="application/pdf" if is_pdf else "text/plain; charset=utf-8",
        )
        response["Content-Security-Policy"] = "sandbox"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# ------------------------------------------------------------------ decisions (POST only)


class CandidateActionView(ReviewMixin, View):
    """A decision on one candidate; back to the document's page at the candidate."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        candidate = get_object_or_404(Candidate.objects.select_related("document"), pk=pk)
        try:
            self.decide(candidate)
        except (ValueError, ValidationError) as error:
            messages.error(request, _message(error))
        return _back_to(candidate)

    def decide(self, candidate: Candidate) -> None:
        raise NotImplementedError


class AcceptView(CandidateActionView):
    def decide(self, candidate: Candidate) -> None:
        record = review.candidate_accept(candidate, self.request.user)
        messages.success(self.request, f"« {candidate.label} » est accepté : {record}.")


class RejectView(CandidateActionView):
    def decide(self, candidate: Candidate) -> None:
        review.candidate_reject(candidate, self.request.user)
        messages.success(self.request, f"« {candidate.label} » est rejeté.")


class CorrectView(CandidateActionView):
    """Saves the correction; with the "and accept" button, accepts the corrected candidate."""

    def decide(self, candidate: Candidate) -> None:
        form = correction_form(candidate, self.request.POST)
        if form is None:
            raise ValueError("Ce type de candidat ne se corrige pas ici.")
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        if "accept" in self.request.POST:
            record = review.candidate_accept(candidate, self.request.user, form.cleaned_data)
            messages.success(
                self.request, f"« {candidate.label} » est corrigé et accepté : {record}."
            )
            return
        review.candidate_correct(candidate, self.request.user, form.cleaned_data)
        messages.success(self.request, f"« {candidate.label} » est corrigé.")


class BulkAcceptView(ReviewMixin, View):
    """Accepts every pending person and place of a document."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(IngestedDocument, pk=pk)
        pending = document.candidates.filter(
            kind__in=review.BULK_KINDS, status=CandidateStatus.PENDING
        )
        accepted, errors = review.candidates_accept_pending(list(pending), request.user)
        if accepted:
            messages.success(
                request,
                f"{accepted} personne{'s' if accepted > 1 else ''} ou territoire"
                f"{'s' if accepted > 1 else ''} accepté{'s' if accepted > 1 else ''}.",
            )
        for error in errors:
            messages.error(request, error)
        return redirect("ingest:document", document.pk)


def _form_errors(form: object) -> list[str]:
    """ "Nom : Ce champ est obligatoire." — the page shows them as one message."""
    return [
        f"{form.fields[name].label} : {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


def _back_to(candidate: Candidate) -> HttpResponseRedirect:
    url = reverse("ingest:document", args=[candidate.document_id])
    return HttpResponseRedirect(f"{url}#candidate-{candidate.pk}")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# ------------------------------------------------------------------ sources of a record


def sources_url(record: models.Model) -> str:
    """The address of the passages a record was taken from."""
    return reverse(
        "ingest:sources",
        args=[record._meta.app_label, record._meta.model_name, record.pk],
    )


class SourcesView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    permission_policy = _candidates_policy
    permission_required = "view"
    template_name = "ingest/admin/sources.html"
    page_title = "Sources"
    header_icon = "doc-full"

    def get(self, request: HttpRequest, app_label: str, model: str, pk: int) -> HttpResponse:
        self.record = _record(app_label, model, pk)
        return super().get(request)

    def get_page_subtitle(self) -> str:
        return str(self.record)

    def get_breadcrumbs_items(self) -> list[dict]:
        return _queue_crumbs({"url": "", "label": f"Sources de « {self.record} »"[:80]})

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            record=self.record,
            record_url=AdminURLFinder(self.request.user).get_edit_url(self.record) or "",
            record_kind=self.record._meta.verbose_name,
            sources=record_sources(self.record),
        )
        return context


def _record(app_label: str, model: str, pk: int) -> models.Model:
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        raise Http404 from None
    model_class = content_type.model_class()
    record = model_class and model_class._default_manager.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record
