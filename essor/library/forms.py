"""The admin form to deposit a publication: one file and the metadata worth asking at once."""

import re
from pathlib import PurePath

from django import forms
from wagtail.admin.widgets import AdminDateInput

from essor.core.models import Theme
from essor.library.extraction import ExtractionError, size_check
from essor.library.models import Publication, PublicationKind

_SEPARATORS = re.compile(r"[_\-\s.]+")


def title_from_file_name(file_name: str) -> str:
    """ "actes_rencontre-2013.pdf" → "Actes rencontre 2013"."""
    words = _SEPARATORS.sub(" ", PurePath(file_name).stem).strip()
    return (words[:1].upper() + words[1:])[: Publication._meta.get_field("title").max_length]


class DocumentFileField(forms.FileField):
    """A PDF or text file to upload, refused over ESSOR_LIBRARY_MAX_BYTES before it is read
    into memory (the library's upload and ingestion's)."""

    def __init__(self, *, help_text: str, **kwargs: object) -> None:
        super().__init__(
            label="Fichier",
            error_messages={
                "empty": "Le fichier envoyé est vide : envoyez le fichier complet. Rien n’a "
                "été enregistré.",
                "required": "Choisissez le fichier à déposer.",
            },
            help_text=help_text,
            widget=forms.ClearableFileInput(
                attrs={"accept": ".pdf,.txt,.md,application/pdf,text/plain"}
            ),
            **kwargs,
        )

    def clean(self, data: object, initial: object = None) -> object:
        upload = super().clean(data, initial)
        if upload:
            try:
                size_check(upload.name, upload.size)
            except ExtractionError as error:
                raise forms.ValidationError(f"{error} Rien n’a été enregistré.") from error
        return upload


class PublicationUploadForm(forms.Form):
    file = DocumentFileField(
        help_text="Un PDF ou un fichier texte. Le texte en est extrait page par page."
    )
    kind = forms.ChoiceField(label="Type", choices=PublicationKind.choices)
    title = forms.CharField(
        label="Titre",
        required=False,
        max_length=Publication._meta.get_field("title").max_length,
        help_text="Laissé vide, le titre est tiré du nom du fichier ; il se corrige ensuite.",
    )
    date = forms.DateField(label="Date de parution", required=False, widget=AdminDateInput)
    members_only = forms.BooleanField(
        label="Réservée aux membres",
        required=False,
        help_text="Le fichier et le texte ne seront montrés qu'aux membres du réseau.",
    )
    themes = forms.ModelMultipleChoiceField(
        label="Thèmes",
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and not cleaned.get("title"):
            cleaned["title"] = title_from_file_name(upload.name) or "Publication sans titre"
        return cleaned
