"""The forms a member user fills in to propose an article or an agenda entry (the team uses
the admin). Everything is checked here before anything is saved, with the initiatives'
checks (essor.initiatives.forms): rich text cut down to the allowed features, the image
recognised by its content, the commune resolved to the official referential."""

from django import forms
from django.core.exceptions import ValidationError

from essor.core.editorial import Audience
from essor.core.models import Theme
from essor.initiatives.forms import (
    Attachment,
    check_attachment,
    place_label,
    resolve_places,
    rich_text_for_member,
    rich_text_from_member,
)
from essor.members.models import Authority
from essor.news.models import AgendaEntry, Article, EntryOrigin, Rubric
from essor.territories.models import Territory, TerritoryKind

NOT_AN_IMAGE = (
    "Le fichier « {name} » est un PDF : joignez une image JPEG ou PNG (une photo, une "
    "illustration). Un document se signale plutôt par un lien vers la source."
)
ALT_REQUIRED = "Décrivez l'image pour qui ne la voit pas : ce texte est obligatoire avec une image."


def _themes_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Thèmes",
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _audience_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Qui peut le lire",
        choices=Audience.choices,
        initial=Audience.PUBLIC,
        widget=forms.RadioSelect,
    )


def _date_field(label: str, required: bool, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text or "Au format jj/mm/aaaa.",
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Indiquez une date valide, par exemple 14/03/2025."},
    )


class ArticleProposalForm(forms.Form):
    """An article as a member writes it. `authority` is the one the member acts for: the
    article concerns it unless they choose another member authority, or none."""

    title = forms.CharField(label="Titre", max_length=200)
    rubric = forms.ModelChoiceField(
        label="Rubrique",
        queryset=Rubric.objects.all(),
        empty_label="Choisissez une rubrique",
        error_messages={"required": "Choisissez la rubrique de l'article."},
    )
    summary = forms.CharField(
        label="Chapeau",
        max_length=600,
        widget=forms.Textarea({"rows": 3}),
        help_text="Deux ou trois phrases, reprises dans les lettres (600 caractères au plus).",
    )
    body = forms.CharField(
        label="Texte",
        required=False,
        max_length=30_000,
        widget=forms.Textarea({"rows": 12}),
        help_text="Écrivez des paragraphes séparés par une ligne vide, ou collez un texte mis "
        "en forme : seuls le gras, l'italique, les intertitres, les listes et les liens sont "
        "gardés.",
    )
    themes = _themes_field()
    authority = forms.ModelChoiceField(
        label="Collectivité concernée",
        queryset=Authority.objects.none(),
        required=False,
        empty_label="Aucune en particulier",
    )
    audience = _audience_field()
    source_url = forms.URLField(
        label="Lien vers la source",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="La page d'origine de l'information, s'il y en a une.",
    )
    deadline = _date_field(
        "Date limite", False, "Pour un appel à projets ou à candidatures, au format jj/mm/aaaa."
    )
    image = forms.FileField(
        label="Image (facultative)",
        required=False,
        widget=forms.ClearableFileInput({"accept": ".jpg,.jpeg,.png"}),
        help_text="Une image JPEG ou PNG de 5 Mo au plus, que vous avez le droit de diffuser.",
    )
    image_alt = forms.CharField(
        label="Texte alternatif de l'image",
        required=False,
        max_length=250,
        help_text="Ce que l'image montre, pour qui ne la voit pas. Obligatoire avec une image.",
    )
    remove_image = forms.BooleanField(label="Retirer l'image actuelle", required=False)

    def __init__(
        self,
        *args: object,
        authority: Authority | None = None,
        current_image: object | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        members = Authority.objects.members()
        if authority is not None:
            members = members | Authority.objects.filter(pk=authority.pk)
        self.fields["authority"].queryset = members.distinct().order_by("name")
        if authority is not None and "authority" not in self.initial:
            self.initial["authority"] = authority.pk
        self.current_image = current_image
        if current_image is None:
            del self.fields["remove_image"]

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_body(self) -> str:
        return rich_text_from_member(self.cleaned_data["body"])

    def clean_image(self) -> Attachment | None:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        attachment = check_attachment(upload)
        if attachment.kind != "image":
            raise ValidationError(NOT_AN_IMAGE.format(name=attachment.original_name))
        return attachment

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned.setdefault("remove_image", False)
        keeps_image = self.current_image is not None and not cleaned["remove_image"]
        has_image = bool(cleaned.get("image")) or keeps_image
        cleaned["image_alt"] = (cleaned.get("image_alt") or "").strip()
        if has_image and not cleaned["image_alt"] and "image" not in self.errors:
            self.add_error("image_alt", ALT_REQUIRED)
        return cleaned

    @classmethod
    def initial_from(cls, article: Article) -> dict:
        """The form's values from an article as stored (the author's latest revision)."""
        authority = next(iter(article.authorities.all()), None)
        return {
            "title": article.title,
            "rubric": article.rubric_id,
            "summary": article.summary,
            "body": rich_text_for_member(article.body),
            "themes": [theme.pk for theme in article.themes.all()],
            "authority": authority.pk if authority else None,
            "audience": article.audience,
            "source_url": article.source_url,
            "deadline": article.deadline,
            "image_alt": article.image_alt,
        }


class AgendaEntryProposalForm(forms.Form):
    """An external event: one organised by the member's authority or by a partner."""

    title = forms.CharField(label="Titre de l'événement", max_length=200)
    origin = forms.ChoiceField(
        label="Qui l'organise",
        choices=EntryOrigin.choices,
        initial=EntryOrigin.MEMBER,
        widget=forms.RadioSelect,
    )
    organiser = forms.CharField(
        label="Organisateur",
        max_length=200,
        help_text="Le nom de la collectivité, de l'association ou du partenaire qui l'organise.",
    )
    starts_on = _date_field("Premier jour", True)
    ends_on = _date_field(
        "Dernier jour", False, "Pour un événement sur plusieurs jours, au format jj/mm/aaaa."
    )
    start_time = forms.TimeField(
        label="Heure de début",
        required=False,
        widget=forms.TimeInput({"type": "time"}, format="%H:%M"),
        help_text="Par exemple 09:30.",
        error_messages={"invalid": "Indiquez une heure valide, par exemple 09:30."},
    )
    online = forms.BooleanField(label="L'événement a lieu en ligne", required=False)
    venue = forms.CharField(
        label="Lieu",
        required=False,
        max_length=200,
        help_text="La salle, le bâtiment, l'adresse.",
    )
    commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=200,
        help_text="Son nom ou son code INSEE, par exemple « Caen » ou « 14118 ».",
    )
    url = forms.URLField(
        label="Page de l'événement",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="Le programme ou l'inscription, chez l'organisateur.",
    )
    summary = forms.CharField(
        label="Présentation",
        max_length=1500,
        widget=forms.Textarea({"rows": 6}),
        help_text="Ce qui s'y passe et pour qui (1 500 caractères au plus).",
    )
    themes = _themes_field()
    audience = _audience_field()

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_commune(self) -> Territory | None:
        text = self.cleaned_data["commune"].strip()
        if not text:
            return None
        found = resolve_places(text)
        if len(found) != 1 or found[0].kind != TerritoryKind.COMMUNE:
            raise ValidationError(
                "Indiquez une seule commune, par son nom ou son code INSEE (« Caen » ou « 14118 »)."
            )
        return found[0]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors.keys() & {"starts_on", "ends_on", "commune"}:
            return cleaned
        # The entry's own rules (last day after the first, a place unless online), so that
        # the form and the admin say the same.
        entry = AgendaEntry(
            starts_on=cleaned.get("starts_on"),
            ends_on=cleaned.get("ends_on"),
            online=cleaned.get("online", False),
            venue=cleaned.get("venue", ""),
            commune=cleaned.get("commune"),
        )
        try:
            entry.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    @classmethod
    def initial_from(cls, entry: AgendaEntry) -> dict:
        return {
            "title": entry.title,
            "origin": entry.origin,
            "organiser": entry.organiser,
            "starts_on": entry.starts_on,
            "ends_on": entry.ends_on,
            "start_time": entry.start_time,
            "online": entry.online,
            "venue": entry.venue,
            "commune": place_label(entry.commune) if entry.commune else "",
            "url": entry.url,
            "summary": entry.summary,
            "themes": [theme.pk for theme in entry.themes.all()],
            "audience": entry.audience,
        }
