"""The form a member user fills in to propose an initiative, or a change to one (the team
uses the admin). Everything a member types is checked here, before anything is saved: rich
text is cut down to the allowed features, places are resolved to the referential, the
attachment is recognised by its content."""

import dataclasses
import functools
import html
import re
import warnings

from bs4 import BeautifulSoup
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename
from PIL import Image, UnidentifiedImageError
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

from essor.core.forms import FrenchDecimalField
from essor.core.models import Theme
from essor.core.text import fold
from essor.initiatives.levers import LEVER_LABELS, LEVER_OF_TOOL, LEVERS, TOOL_CHOICES
from essor.initiatives.models import (
    FIRST_YEAR,
    RICH_TEXT_FEATURES,
    Initiative,
    LegalForm,
    TerritoryType,
)
from essor.territories import selectors as territories
from essor.territories.models import Territory

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_PLACES = 60
MAX_FIGURES = 20
# Below this score the resolver's best guess is no guess: the name is reported as unknown.
_PLAUSIBLE = 0.3
# Elements whose content is code or layout, never text: removed with what they contain
# (Wagtail's whitelister unwraps unknown elements, which would keep a script as text).
_DROPPED_ELEMENTS = ["script", "style", "iframe", "object", "embed", "template", "noscript"]
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_CODE = re.compile(r"(?:\d{2,3}|2[AB]|\d{5}|2[AB]\d{3}|\d{9})", re.IGNORECASE)
_NAME_AND_CODE = re.compile(r"(.+?)\s*\(\s*([0-9AB]{2,9})\s*\)", re.IGNORECASE)
_PLACE_SEPARATORS = re.compile(r"[,;\n]+")


# -- rich text ---------------------------------------------------------------------------


@functools.cache
def _converter() -> EditorHTMLConverter:
    # Built on first use: building it reads Wagtail's rich text features from the hooks,
    # which must all be loaded by then.
    return EditorHTMLConverter(features=RICH_TEXT_FEATURES)


def rich_text_from_member(text: str) -> str:
    """What a member typed or pasted, as the rich text stored in the database: plain text
    becomes paragraphs; HTML keeps only the allowed features (bold, italic, h3, lists,
    links), without any script, style, frame, event handler or javascript: link."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        text = _paragraphs(text)
    soup = BeautifulSoup(text, "html.parser")
    for element in soup.find_all(_DROPPED_ELEMENTS):
        element.decompose()
    cleaned = _converter().to_database_format(str(soup)).strip()
    return "" if not BeautifulSoup(cleaned, "html.parser").get_text(strip=True) else cleaned


def rich_text_for_member(stored: str) -> str:
    """Stored rich text as the member edits it again: back to plain paragraphs when it is
    nothing more, otherwise the (already clean) HTML."""
    if not stored:
        return ""
    soup = BeautifulSoup(_converter().from_database_format(stored), "html.parser")
    tags = {tag.name for tag in soup.find_all(True)}
    if tags <= {"p", "br"}:
        paragraphs = soup.find_all("p") or [soup]
        return "\n\n".join(_text_with_breaks(p) for p in paragraphs).strip()
    return str(soup)


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.replace("\r", ""))]
    return "".join(
        "<p>{}</p>".format(html.escape(block).replace("\n", "<br>")) for block in blocks if block
    )


def _text_with_breaks(element: object) -> str:
    for br in element.find_all("br"):
        br.replace_with("\n")
    return element.get_text()


# -- places --------------------------------------------------------------------------------


def place_label(territory: Territory) -> str:
    """How a place is written back in the form, in a way it resolves again: "Caen (14118)"."""
    return f"{territory.name} ({territory.code})"


def resolve_places(text: str) -> list[Territory]:
    """The territories named in `text` (names or official codes, separated by commas,
    semicolons or lines), in order, without duplicates. A ValidationError names every
    item that matches nothing or more than one territory."""
    items = [item.strip() for item in _PLACE_SEPARATORS.split(text or "") if item.strip()]
    if len(items) > MAX_PLACES:
        raise forms.ValidationError(f"Indiquez au plus {MAX_PLACES} territoires.")
    found: dict[int, Territory] = {}
    unknown: list[str] = []
    ambiguous: list[str] = []
    for item in items:
        territory, candidates = _resolve_place(item)
        if territory is not None:
            found.setdefault(territory.pk, territory)
        elif candidates:
            choices = " ou ".join(f"{c.name} ({c.code})" for c in candidates)
            ambiguous.append(f"« {item} » ({choices})")
        else:
            unknown.append(f"« {item} »")
    errors = []
    if unknown:
        errors.append(
            "Territoire introuvable dans le référentiel officiel : "
            + ", ".join(unknown)
            + ". Vérifiez l'orthographe ou indiquez le code officiel (code INSEE ou SIREN)."
        )
    if ambiguous:
        errors.append(
            "Plusieurs territoires portent ce nom : "
            + " ; ".join(ambiguous)
            + ". Indiquez celui qui convient avec son code, par exemple « Saint-Denis (93066) »."
        )
    if errors:
        raise forms.ValidationError(errors)
    return list(found.values())


def _resolve_place(item: str) -> tuple[Territory | None, list]:
    """One territory, or (None, the candidates that make the item ambiguous)."""
    name, code = item, ""
    if match := _NAME_AND_CODE.fullmatch(item):
        name, code = match.group(1), match.group(2).upper()
    elif _CODE.fullmatch(item):
        name, code = "", item.upper()
    if code:
        by_code = list(Territory.objects.filter(code=code, is_current=True))
        if name:
            by_code = [t for t in by_code if fold(t.name) == fold(name)]
        if len(by_code) == 1:
            return by_code[0], []
        if not name:
            return None, by_code
    candidates = territories.resolve(item, limit=4)
    if candidates and candidates[0].score >= territories.CONFIDENT:
        return Territory.objects.get(pk=candidates[0].territory_id), []
    return None, [c for c in candidates if c.score >= _PLAUSIBLE]


# -- attachment ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Attachment:
    """An uploaded file recognised by its content: `kind` is "pdf" or "image"."""

    file: UploadedFile
    kind: str
    extension: str
    original_name: str


def check_attachment(upload: UploadedFile) -> Attachment:
    """The upload if it is a JPEG or PNG image or a PDF of at most 5 MB, judged by its
    bytes (its name and the browser's content type prove nothing)."""
    original_name = get_valid_filename(upload.name or "piece-jointe")[:120]
    if upload.size > MAX_ATTACHMENT_BYTES:
        size = f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")
        raise forms.ValidationError(
            f"Le fichier « {original_name} » pèse {size} Mo : la limite est de 5 Mo. "
            "Réduisez-le (image plus petite, PDF compressé) et joignez-le de nouveau."
        )
    head = _read(upload, 0, 16)
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in _read(upload, max(upload.size - 2048, 0), 2048):
            raise forms.ValidationError(
                f"Le fichier « {original_name} » commence comme un PDF mais est incomplet "
                "ou abîmé. Enregistrez-le de nouveau en PDF et joignez-le."
            )
        return Attachment(upload, "pdf", "pdf", original_name)
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return Attachment(upload, "image", _image_format(upload, original_name), original_name)
    raise forms.ValidationError(
        f"Le fichier « {original_name} » n'est ni une image JPEG ou PNG ni un PDF "
        "(son contenu a été vérifié, pas seulement son nom). Joignez une image ou un PDF."
    )


def _read(upload: UploadedFile, offset: int, length: int) -> bytes:
    upload.seek(offset)
    data = upload.read(length)
    upload.seek(0)
    return data


def _image_format(upload: UploadedFile, original_name: str) -> str:
    damaged = forms.ValidationError(
        f"L'image « {original_name} » est illisible ou abîmée. Enregistrez-la de nouveau "
        "en JPEG ou en PNG et joignez-la."
    )
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not merely warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format, pixels = image.format, image.width * image.height
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise damaged from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        pixels = MAX_IMAGE_PIXELS + 1
        image_format = "JPEG"
    finally:
        upload.seek(0)
    if pixels > MAX_IMAGE_PIXELS:
        raise forms.ValidationError(
            f"L'image « {original_name} » est trop grande (plus de 40 millions de pixels)."
        )
    if image_format not in ("JPEG", "PNG"):
        raise damaged
    return "jpg" if image_format == "JPEG" else "png"


# -- the form ------------------------------------------------------------------------------


def _year_field(label: str, help_text: str = "") -> forms.IntegerField:
    """A year from 1900 to next year, "next year" being computed when the form is built."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=FIRST_YEAR,
        max_value=timezone.localdate().year + 1,
        help_text=help_text,
    )


def _renew_year(fields: dict, name: str) -> None:
    # A form built on 1 January must accept the new "next year": fields declared on the
    # class were built when the module was imported.
    fields[name] = _year_field(fields[name].label, fields[name].help_text)


class ProposalForm(forms.Form):
    """An initiative as a member tells it. `authority` is the one the member acts for: its
    role and the lever tools it uses are asked only when there is one."""

    name = forms.CharField(label="Nom de l'initiative", max_length=200)
    summary = forms.CharField(
        label="Résumé",
        max_length=600,
        widget=forms.Textarea({"rows": 3}),
        help_text="Deux ou trois phrases, affichées dans les listes (600 caractères au plus).",
    )
    description = forms.CharField(
        label="Présentation",
        required=False,
        max_length=20_000,
        widget=forms.Textarea({"rows": 10}),
        help_text="Origine, objectifs, fonctionnement. Écrivez des paragraphes séparés par une "
        "ligne vide, ou collez un texte mis en forme : seuls le gras, l'italique, les "
        "intertitres, les listes et les liens sont gardés.",
    )
    carrier_name = forms.CharField(
        label="Structure porteuse", max_length=200, required=False, help_text="Son nom."
    )
    legal_form = forms.ChoiceField(
        label="Forme juridique de la structure",
        choices=[("", "Je ne sais pas"), *LegalForm.choices],
        required=False,
    )
    year_started = _year_field("Année de lancement", f"Entre {FIRST_YEAR} et l'an prochain.")
    website = forms.URLField(
        label="Site web", required=False, assume_scheme="https", max_length=200
    )
    themes = forms.ModelMultipleChoiceField(
        label="Thèmes",
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    territory_types = forms.ModelMultipleChoiceField(
        label="Types de territoire",
        queryset=TerritoryType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    places = forms.CharField(
        label="Territoires où l'initiative agit",
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text="Communes, intercommunalités, départements ou régions, séparés par des "
        "virgules ou des retours à la ligne ; leur nom (« Caen », « Rennes Métropole ») "
        "ou leur code officiel (« 14118 »).",
    )
    role = forms.CharField(
        label="Le rôle de votre collectivité",
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 4}),
        help_text="Ce que votre collectivité fait pour l'initiative, en quelques phrases.",
    )
    tools = forms.MultipleChoiceField(
        label="Les leviers qu'elle mobilise",
        choices=TOOL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachment = forms.FileField(
        label="Pièce jointe (facultative)",
        required=False,
        widget=forms.ClearableFileInput({"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text="Une image JPEG ou PNG ou un PDF de 5 Mo au plus (plaquette, photo, "
        "rapport). L'équipe décide de la publier avec l'initiative.",
    )

    def __init__(self, *args: object, with_authority: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _renew_year(self.fields, "year_started")
        if not with_authority:
            del self.fields["role"]
            del self.fields["tools"]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_description(self) -> str:
        return rich_text_from_member(self.cleaned_data["description"])

    def clean_places(self) -> list[Territory]:
        return resolve_places(self.cleaned_data["places"])

    def clean_attachment(self) -> Attachment | None:
        upload = self.cleaned_data.get("attachment")
        return check_attachment(upload) if upload else None

    def tool_groups(self) -> list[dict]:
        """The tool checkboxes grouped by lever, for one fieldset per lever."""
        if "tools" not in self.fields:
            return []
        by_lever: dict[str, list] = {lever.code: [] for lever in LEVERS}
        for checkbox in self["tools"]:
            by_lever[LEVER_OF_TOOL[checkbox.data["value"]]].append(checkbox)
        return [
            {"code": code, "label": LEVER_LABELS[code], "checkboxes": checkboxes}
            for code, checkboxes in by_lever.items()
        ]

    @classmethod
    def initial_from(cls, initiative: Initiative, authority: object | None) -> dict:
        """The form's values from an initiative as stored (a revision or the row)."""
        involvement = next(
            (
                i
                for i in initiative.involvements.all()
                if authority and i.authority_id == authority.pk
            ),
            None,
        )
        return {
            "name": initiative.name,
            "summary": initiative.summary,
            "description": rich_text_for_member(initiative.description),
            "carrier_name": initiative.carrier_name,
            "legal_form": initiative.legal_form,
            "year_started": initiative.year_started,
            "website": initiative.website,
            "themes": [theme.pk for theme in initiative.themes.all()],
            "territory_types": [kind.pk for kind in initiative.territory_types.all()],
            "places": "\n".join(place_label(place.territory) for place in initiative.places.all()),
            "role": involvement.role if involvement else "",
            "tools": [
                use.tool
                for use in initiative.lever_uses.all()
                if authority and use.authority_id == authority.pk
            ],
        }


class KeyFigureForm(forms.Form):
    label = forms.CharField(label="Intitulé", max_length=200)
    value = FrenchDecimalField(label="Valeur", max_digits=14, decimal_places=2, localize=True)
    unit = forms.CharField(label="Unité", max_length=40, required=False)
    year = _year_field("Année")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _renew_year(self.fields, "year")


class _KeyFigureLines(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The filled lines, in order, without the ones marked for deletion."""
        return [
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


KeyFigureFormSet = forms.formset_factory(
    KeyFigureForm,
    formset=_KeyFigureLines,
    extra=2,
    can_delete=True,
    max_num=MAX_FIGURES,
    validate_max=True,
)


def key_figure_lines(
    data: object = None, initiative: Initiative | None = None
) -> forms.BaseFormSet:
    initial = [
        {"label": f.label, "value": f.value, "unit": f.unit, "year": f.year}
        for f in (initiative.key_figures.all() if initiative else [])
    ]
    return KeyFigureFormSet(data, prefix="chiffres", initial=initial)
