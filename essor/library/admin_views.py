"""Admin screen "Déposer une publication": one file becomes a draft publication with its text
page by page (editors and administrators: the `library.add_publication` permission)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from essor.library.extraction import ExtractionError, max_bytes
from essor.library.forms import PublicationUploadForm
from essor.library.models import Publication, TextStatus
from essor.library.services import publication_create

UPLOAD_PERMISSION = "library.add_publication"


class PublicationUploadView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    permission_policy = ModelPermissionPolicy(Publication)
    permission_required = "add"
    form_class = PublicationUploadForm
    template_name = "library/admin/upload.html"
    page_title = "Déposer une publication"
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("publication:list"), "label": "Publications"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("library_upload"),
            submit_button_label="Déposer",
            submit_button_active_label="Lecture du fichier…",
            max_size=f"{max_bytes() / (1024 * 1024):.0f} Mo",
        )
        return context

    def form_valid(self, form: PublicationUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            publication = publication_create(
                file_name=upload.name,
                data=upload.read(),
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
                members_only=form.cleaned_data["members_only"],
                themes=list(form.cleaned_data["themes"]),
                user=self.request.user,
            )
        except ExtractionError as error:
            form.add_error("file", f"{error} Rien n'a été enregistré.")
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error(None, f"{' '.join(error.messages)} Rien n'a été enregistré.")
            return self.form_invalid(form)
        self._announce(publication)
        return redirect("publication:edit", publication.pk)

    def _announce(self, publication: Publication) -> None:
        done = f"« {publication.title} » est enregistrée en brouillon"
        if publication.text_status == TextStatus.NEEDS_OCR:
            messages.warning(
                self.request,
                f"{done}, sans texte : ce PDF n'a pas de couche texte, il faudra le passer à "
                "la reconnaissance de caractères (OCR) pour en lire le texte.",
            )
        else:
            count = publication.page_count
            messages.success(
                self.request,
                f"{done} : texte extrait de {count} page{'s' if count > 1 else ''}. Vérifiez "
                "les informations, puis publiez-la.",
            )
