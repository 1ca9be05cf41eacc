"""The library: the network's publications, their files and their text, page by page.

A publication is a snippet with drafts and revisions like initiatives (decision 0004). Its
file is a Wagtail document; its text is kept page by page in `PublicationPage`, outside the
revisions (it comes from the file, not from editors), so that a passage can be cited with its
page and searched. A members-only publication refuses its file and text to other visitors.
"""

from django.db import models
from django.urls import reverse
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, PreviewableMixin, RevisionMixin
from wagtail.search import index

from essor.core.editorial import Licence, PublishedQuerySet
from essor.core.models import Theme


class PublicationKind(models.TextChoices):
    GUIDE = "reperess", "Guide « Points de RepèrESS »"
    STUDY = "etude", "Étude"
    PAPER_LETTER = "lettre-papier", "Lettre papier"
    PROCEEDINGS = "actes", "Actes"
    MEETING_REPORT = "compte-rendu", "Compte rendu de rencontre"
    PARTICIPANT_KIT = "dossier-participant", "Dossier du participant"
    ACTIVITY_REPORT = "rapport-activite", "Rapport d'activité"
    ADVOCACY = "plaidoyer", "Note de plaidoyer"
    PRESS_RELEASE = "communique", "Communiqué de presse"
    OTHER = "autre", "Autre document"


class TextStatus(models.TextChoices):
    PENDING = "a-extraire", "Texte pas encore extrait"
    EXTRACTED = "extrait", "Texte extrait"
    NEEDS_OCR = "ocr-requis", "Texte à reconnaître (OCR) : le PDF n'a pas de couche texte"
    NO_FILE = "sans-fichier", "Pas de fichier"


class Publication(
    DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel
):
    kind = models.CharField("type", max_length=30, choices=PublicationKind.choices)
    number = models.CharField("numéro", max_length=20, blank=True)
    title = models.CharField("titre", max_length=300)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    date = models.DateField("date de parution", null=True, blank=True)
    themes = ParentalManyToManyField(
        Theme, verbose_name="thèmes", blank=True, related_name="publications"
    )
    authors = models.CharField("auteurs", max_length=300, blank=True)
    partners = models.CharField("partenaires", max_length=300, blank=True)
    summary = models.TextField("résumé", blank=True)
    licence = models.CharField("licence", max_length=20, choices=Licence.choices, blank=True)
    members_only = models.BooleanField(
        "réservée aux membres",
        default=False,
        help_text="Le fichier et le texte ne sont montrés qu'aux membres du réseau.",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="fichier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text_status = models.CharField(
        "état du texte", max_length=20, choices=TextStatus.choices, default=TextStatus.NO_FILE
    )
    page_count = models.PositiveIntegerField("pages", default=0)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("summary", boost=2),
        index.SearchField("authors"),
        index.FilterField("live"),
        index.FilterField("kind"),
        index.FilterField("members_only"),
    ]

    class Meta:
        verbose_name = "publication"
        verbose_name_plural = "publications"
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:detail", args=[self.slug])

    def get_preview_template(self, request: object, mode_name: str) -> str:
        return "library/publication_detail.html"

    def with_content_json(self, content: dict) -> "Publication":
        obj = super().with_content_json(content)
        # The text comes from the file, not from editors: a revision never brings back an old state.
        obj.text_status, obj.page_count = self.text_status, self.page_count
        return obj


class PublicationPage(models.Model):
    """The text of one page of a publication's file (1-based), as extracted."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField("page")
    text = models.TextField("texte", blank=True)

    class Meta:
        verbose_name = "page de publication"
        verbose_name_plural = "pages de publication"
        ordering = ["publication", "number"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="publication_page")
        ]

    def __str__(self) -> str:
        return f"{self.publication} — p. {self.number}"
