"""Admin screen: import the member list from a CSV or XLSX file (editors and administrators).

The lead imports this module from `wagtail_hooks.py`, which registers the hooks below.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from essor.members.imports import (
    FIELD_DESCRIPTIONS,
    FIELD_HEADERS,
    REQUIRED_FIELDS,
    MemberImportFailed,
    apply_member_import,
    member_import_check,
    template_csv,
)
from essor.members.models import Membership

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
IMPORT_PERMISSION = "members.add_membership"
_ACCEPTED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")
_REFUSED_FORMATS = {
    ".xls": "Le format XLS (Excel 97-2003) n'est pas lu : enregistrez le fichier au format XLSX ou CSV.",
    ".ods": "Le format ODS n'est pas lu : enregistrez le fichier au format XLSX ou CSV.",
}


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier de la liste des adhérents",
        help_text="CSV (séparateur point-virgule, virgule ou tabulation) ou XLSX, 5 Mo au plus. "
        "La première ligne porte les noms des colonnes.",
        widget=forms.FileInput(attrs={"accept": ",".join(_ACCEPTED_EXTENSIONS)}),
    )
    dry_run = forms.BooleanField(
        label="Vérifier sans importer",
        required=False,
        help_text="Contrôle le fichier et indique ce qui serait créé ou modifié, sans rien enregistrer.",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        extension = name[name.rfind(".") :] if "." in name else ""
        if extension in _REFUSED_FORMATS:
            raise forms.ValidationError(_REFUSED_FORMATS[extension])
        if extension not in _ACCEPTED_EXTENSIONS:
            raise forms.ValidationError("Envoyez un fichier CSV ou XLSX.")
        if upload.size > MAX_UPLOAD_BYTES:
            size = f"{upload.size / (1024 * 1024):.1f}".replace(".", ",")
            raise forms.ValidationError(
                f"Le fichier fait {size} Mo : la limite est de 5 Mo. Découpez la liste en "
                "plusieurs fichiers."
            )
        return upload


class MemberImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    permission_policy = ModelPermissionPolicy(Membership)
    permission_required = "add"
    form_class = MemberImportForm
    template_name = "members/admin/import.html"
    page_title = "Importer des adhérents"
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context.setdefault("report", None)
        context.setdefault("result", None)
        context.setdefault("failure", None)
        context.update(
            action_url=reverse("members_import"),
            template_url=reverse("members_import_template"),
            submit_button_label="Importer",
            submit_button_active_label="Import en cours…",
            columns=[
                {
                    "header": FIELD_HEADERS[name],
                    "description": FIELD_DESCRIPTIONS[name],
                    "required": name in REQUIRED_FIELDS,
                }
                for name in FIELD_HEADERS
            ],
            memberships_url=_admin_url("membership:index"),
            authorities_url=_admin_url("authority:index"),
        )
        return context

    def form_valid(self, form: MemberImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        report = member_import_check(upload.read(), upload.name)
        result = failure = None
        if report.ok:
            try:
                result = apply_member_import(
                    report, user=self.request.user, dry_run=form.cleaned_data["dry_run"]
                )
            except MemberImportFailed as error:
                failure = str(error.error)
        return self.render_to_response(
            self.get_context_data(form=form, report=report, result=result, failure=failure)
        )


def _admin_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def member_import_template(request: HttpRequest) -> HttpResponse:
    """The file to fill in: expected header and two example lines."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        from wagtail.admin.auth import permission_denied

        return permission_denied(request)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-import-adherents.csv"'
    return response


class MemberImportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(IMPORT_PERMISSION)


@hooks.register("register_admin_urls")
def register_member_import_urls() -> list:
    return [
        path("reseau/import-adherents/", MemberImportView.as_view(), name="members_import"),
        path(
            "reseau/import-adherents/modele.csv",
            member_import_template,
            name="members_import_template",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_member_import_menu_item() -> MenuItem:
    # Just after the "Réseau" group (menu_order 200).
    return MemberImportMenuItem(
        "Importer des adhérents",
        reverse_lazy("members_import"),
        name="members-import",
        icon_name="upload",
        order=201,
    )
