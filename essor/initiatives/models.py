"""Initiatives of the territories and the "Déniché pour vous" practice sheets.

Both are plain models with Wagtail's editorial mixins (drafts, revisions, locking, preview,
moderation workflows) rather than pages: they live at addresses the module owns, are listed and
filtered by the thousand, and members propose them through a moderation workflow. The row holds
the published version; a proposal or a draft waits in a revision until an editor publishes it.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from essor.core.editorial import LICENCE_URLS, Licence, PublishedQuerySet
from essor.core.models import Theme
from essor.initiatives.levers import LEVER_CHOICES, LEVER_OF_TOOL, TOOL_CHOICES
from essor.members.models import Authority, Organisation
from essor.territories.models import Territory

FIRST_YEAR = 1900
# The rich text members and editors may use: no headings above h3, no embeds, no images.
RICH_TEXT_FEATURES = ["bold", "italic", "h3", "ol", "ul", "link"]


def _latest_allowed_year() -> int:
    return timezone.localdate().year + 1


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", "Association"
    SCIC = "scic", "SCIC (société coopérative d'intérêt collectif)"
    SCOP = "scop", "SCOP (société coopérative et participative)"
    CAE = "cae", "CAE (coopérative d'activité et d'emploi)"
    SAS_ESUS = "sas-esus", "SAS agréée ESUS"
    PTCE = "ptce", "PTCE (pôle territorial de coopération économique)"
    GROUPEMENT_EMPLOYEURS = "groupement-employeurs", "Groupement d'employeurs"
    MUTUELLE = "mutuelle", "Mutuelle"
    FONDATION = "fondation", "Fondation"
    SIAE = "siae", "Structure d'insertion par l'activité économique"
    COLLECTIVITE = "collectivite", "Collectivité ou établissement public"
    OTHER = "autre", "Autre forme"


class TerritoryType(models.Model):
    """A kind of territory an initiative acts in (QPV, ZRR, rural…): a short fixed list,
    kept as rows so that initiatives can be filtered and counted by it."""

    code = models.SlugField("code", max_length=20, unique=True)
    name = models.CharField("nom", max_length=80)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "type de territoire"
        verbose_name_plural = "types de territoire"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Initiative(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """An initiative of the social and solidarity economy that local authorities support."""

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    summary = models.TextField(
        "résumé", max_length=600, help_text="Deux ou trois phrases, affichées dans les listes."
    )
    description = RichTextField("présentation", blank=True, features=RICH_TEXT_FEATURES)
    carrier_name = models.CharField("structure porteuse", max_length=200, blank=True)
    carrier = models.ForeignKey(
        Organisation,
        verbose_name="structure porteuse (annuaire)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
    )
    legal_form = models.CharField(
        "forme juridique", max_length=30, choices=LegalForm.choices, blank=True
    )
    year_started = models.PositiveSmallIntegerField(
        "année de lancement",
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(_latest_allowed_year)],
    )
    website = models.URLField("site web", blank=True)
    territory_types = ParentalManyToManyField(
        TerritoryType, verbose_name="types de territoire", blank=True, related_name="initiatives"
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name="thèmes", blank=True, related_name="initiatives"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.SearchField("carrier_name"),
        index.FilterField("live"),
        index.FilterField("legal_form"),
        index.FilterField("year_started"),
    ]

    class Meta:
        verbose_name = "initiative"
        verbose_name_plural = "initiatives"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["live", "name"], name="initiative_live_name"),
            # The list's "recent" order (browse._ORDER_SQL): its pages are read walking it.
            models.Index(fields=["live", "-year_started", "name"], name="initiative_live_recent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:detail", args=[self.slug])

    def get_preview_template(self, request: object, mode_name: str) -> str:
        return "initiatives/initiative_detail.html"

    def get_preview_context(self, request: object, mode_name: str) -> dict:
        from essor.initiatives.selectors import initiative_display  # selectors import models

        context = super().get_preview_context(request, mode_name)
        context["display"] = initiative_display(self, request.user, preview=True)
        return context


class InitiativePlace(models.Model):
    """A territory of the referential where the initiative acts (commune to région)."""

    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="places")
    territory = models.ForeignKey(
        Territory,
        verbose_name="territoire",
        on_delete=models.CASCADE,
        related_name="initiative_places",
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "territoire d'action"
        verbose_name_plural = "territoires d'action"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0
        constraints = [
            models.UniqueConstraint(fields=["initiative", "territory"], name="initiative_place")
        ]

    def __str__(self) -> str:
        return str(self.territory)


class Involvement(models.Model):
    """An authority involved in an initiative, and what it does for it in its own words."""

    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="involvements")
    authority = models.ForeignKey(
        Authority,
        verbose_name="collectivité",
        on_delete=models.CASCADE,
        related_name="initiative_involvements",
    )
    role = models.TextField("rôle de la collectivité", max_length=1000, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "collectivité impliquée"
        verbose_name_plural = "collectivités impliquées"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0

    def __str__(self) -> str:
        return f"{self.authority} — {self.initiative}"


class LeverUse(models.Model):
    """One tool of the decision-makers' levers used for an initiative, by an authority when
    known (see levers.py). The lever is derived from the tool and stored to filter on it."""

    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="lever_uses")
    authority = models.ForeignKey(
        Authority,
        verbose_name="collectivité",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lever_uses",
    )
    tool = models.CharField("outil", max_length=40, choices=TOOL_CHOICES)
    lever = models.CharField("levier", max_length=30, choices=LEVER_CHOICES, editable=False)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "levier mobilisé"
        verbose_name_plural = "leviers mobilisés"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0
        indexes = [models.Index(fields=["lever", "initiative"], name="leveruse_lever")]

    def __str__(self) -> str:
        return self.get_tool_display()

    def save(self, *args: object, **kwargs: object) -> None:
        self.lever = LEVER_OF_TOOL.get(self.tool, "")
        super().save(*args, **kwargs)


class KeyFigure(models.Model):
    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="key_figures")
    label = models.CharField("libellé", max_length=200)
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    unit = models.CharField("unité", max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(
        "année",
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(_latest_allowed_year)],
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "chiffre clé"
        verbose_name_plural = "chiffres clés"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0

    def __str__(self) -> str:
        return self.label


class Financing(models.Model):
    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="financings")
    source = models.CharField("financeur", max_length=200)
    amount = models.DecimalField(
        "montant (€)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    year = models.PositiveSmallIntegerField(
        "année",
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(_latest_allowed_year)],
    )
    note = models.CharField("précision", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "financement"
        verbose_name_plural = "financements"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0

    def __str__(self) -> str:
        return self.source


class Contact(models.Model):
    """A resource person for an initiative: personal data, shown to members only."""

    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("nom", max_length=200)
    role = models.CharField("fonction", max_length=200, blank=True)
    organisation = models.CharField("structure", max_length=200, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0

    def __str__(self) -> str:
        return self.name


class SourceKind(models.TextChoices):
    PUBLICATION = "publication", "Publication"
    EVENT = "evenement", "Événement"
    WEB = "web", "Page web"


class Source(models.Model):
    """Where what is said of an initiative comes from (a publication, an event, a web page)."""

    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField("type", max_length=20, choices=SourceKind.choices)
    title = models.CharField("titre", max_length=300)
    url = models.URLField("adresse", blank=True)
    date = models.DateField("date", null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "source"
        verbose_name_plural = "sources"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0

    def __str__(self) -> str:
        return self.title


class PracticeSheet(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """A numbered "Déniché pour vous" practice sheet, in five sections."""

    number = models.PositiveIntegerField("numéro", unique=True)
    title = models.CharField("titre", max_length=200)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    published_on = models.DateField("date de parution", default=datetime.date.today)
    theme = models.ForeignKey(
        Theme,
        verbose_name="thème",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_sheets",
    )
    origin = RichTextField(
        "origine et présentation de l'initiative", blank=True, features=RICH_TEXT_FEATURES
    )
    financing = RichTextField("financement", blank=True, features=RICH_TEXT_FEATURES)
    authorities_role = RichTextField(
        "rôle des collectivités locales", blank=True, features=RICH_TEXT_FEATURES
    )
    key_figures = RichTextField("chiffres clés", blank=True, features=RICH_TEXT_FEATURES)
    contacts = RichTextField(
        "contacts de personnes ressources",
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text="Données personnelles : affichées aux seuls membres du réseau.",
    )
    licence = models.CharField(
        "licence", max_length=20, choices=Licence.choices, default=Licence.CC_BY_NC_ND
    )
    origin_event = models.CharField(
        "journée d'origine",
        max_length=200,
        blank=True,
        help_text="La journée d'échanges ou la formation dont la fiche est issue.",
    )
    origin_event_url = models.URLField("adresse de la journée", blank=True)

    objects = PublishedQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("origin"),
        index.SearchField("authorities_role"),
        index.FilterField("live"),
        index.FilterField("number"),
    ]

    class Meta:
        verbose_name = "fiche « Déniché pour vous »"
        verbose_name_plural = "fiches « Déniché pour vous »"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"n° {self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("initiatives:sheet", args=[self.number, self.slug])

    def get_preview_template(self, request: object, mode_name: str) -> str:
        return "initiatives/sheet_detail.html"

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class SheetInitiative(models.Model):
    """An initiative a practice sheet presents."""

    sheet = ParentalKey(PracticeSheet, on_delete=models.CASCADE, related_name="initiative_links")
    initiative = models.ForeignKey(
        Initiative,
        verbose_name="initiative",
        on_delete=models.CASCADE,
        related_name="sheet_links",
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "initiative présentée"
        verbose_name_plural = "initiatives présentées"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0

    def __str__(self) -> str:
        return str(self.initiative)


class SheetAuthority(models.Model):
    """An authority a practice sheet talks about."""

    sheet = ParentalKey(PracticeSheet, on_delete=models.CASCADE, related_name="authority_links")
    authority = models.ForeignKey(
        Authority,
        verbose_name="collectivité",
        on_delete=models.CASCADE,
        related_name="sheet_links",
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"  # the admin's inline panels number the lines

    class Meta:
        verbose_name = "collectivité citée"
        verbose_name_plural = "collectivités citées"
        ordering = ["sort_order", "pk"]  # lines made by code all have sort order 0

    def __str__(self) -> str:
        return str(self.authority)


class FacetBitmap(models.Model):
    """One option of the list's facets and the published initiatives having it, as a bitmap
    (bit n: the initiative of id n); derived data kept up to date on write (facet_index.py)."""

    key = models.CharField(max_length=60, primary_key=True)  # "theme:12", "all:"…
    facet = models.CharField(max_length=20, db_index=True)
    bits = models.BinaryField(default=b"")

    class Meta:
        verbose_name = "option de l'index des facettes"
        verbose_name_plural = "index des facettes"

    def __str__(self) -> str:
        return self.key


class FacetMembership(models.Model):
    """The keys an initiative is indexed under, to update only the bitmaps that change.
    A plain id, not a foreign key: the row must outlive the initiative's deletion until
    the index has cleared its bits."""

    initiative = models.IntegerField(primary_key=True)
    keys = models.TextField(blank=True)  # space-separated

    class Meta:
        verbose_name = "clés d'une initiative dans l'index des facettes"
        verbose_name_plural = "clés des initiatives dans l'index des facettes"

    def __str__(self) -> str:
        return f"{self.initiative}: {self.keys}"


from essor.initiatives.workflow import ProposalRefusal, ProposalReviewTask  # noqa
