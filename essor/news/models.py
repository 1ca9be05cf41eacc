"""News: articles by rubric and the agenda's external events.

Articles and agenda entries are snippets with Wagtail's drafts, revisions, locking, preview and
the members' proposals workflow (the same as initiatives, decision 0004): the row is the
published version, a member's proposal is a revision under moderation until an editor
publishes it. Rubrics are a managed list editors keep.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from modelcluster.fields import ParentalManyToManyField
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

from essor.core.editorial import Audience, PublishedQuerySet
from essor.core.models import Theme
from essor.members.models import Authority
from essor.territories.models import Territory

RICH_TEXT_FEATURES = ["bold", "italic", "h3", "ol", "ul", "link", "blockquote"]


class Rubric(models.Model):
    """A rubric of the news (actualités du réseau, territoires solidaires, paroles d'élu·e, en
    bref, Europe, appels à projets…), in the order letters show them."""

    name = models.CharField("nom", max_length=80, unique=True)
    slug = models.SlugField("identifiant d'adresse", max_length=80, unique=True)
    description = models.TextField("description", blank=True)
    sort_order = models.PositiveSmallIntegerField("ordre", default=0)
    for_authorities = models.BooleanField(
        "concerne directement les collectivités",
        default=False,
        help_text="Ses articles sont proposés en premier pour le Flash hebdo.",
    )

    class Meta:
        verbose_name = "rubrique"
        verbose_name_plural = "rubriques"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("news:rubric", args=[self.slug])


class ArticleQuerySet(PublishedQuerySet):
    def readable_by(self, may_read_members_only: bool) -> "ArticleQuerySet":
        articles = self.published()
        return articles if may_read_members_only else articles.filter(audience=Audience.PUBLIC)


class Article(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """A news article of a rubric, public or for members only."""

    title = models.CharField("titre", max_length=200)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    rubric = models.ForeignKey(
        Rubric, verbose_name="rubrique", on_delete=models.PROTECT, related_name="articles"
    )
    date = models.DateField(
        "date", default=datetime.date.today, help_text="La date affichée et celle du tri."
    )
    summary = models.TextField(
        "chapeau", max_length=600, help_text="Deux ou trois phrases, reprises dans les lettres."
    )
    body = RichTextField("texte", blank=True, features=RICH_TEXT_FEATURES)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(
        "texte alternatif de l'image",
        max_length=250,
        blank=True,
        help_text="Ce que l'image montre, pour qui ne la voit pas (pages et lettres).",
    )
    audience = models.CharField(
        "public", max_length=12, choices=Audience.choices, default=Audience.PUBLIC
    )
    authorities = ParentalManyToManyField(
        Authority, verbose_name="collectivités concernées", blank=True, related_name="articles"
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name="thèmes", blank=True, related_name="articles"
    )
    signature = models.CharField("signature", max_length=200, blank=True)
    source_url = models.URLField("lien vers la source", blank=True)
    deadline = models.DateField(
        "date limite", null=True, blank=True, help_text="Pour un appel à projets."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_articles",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = ArticleQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.FilterField("live"),
        index.FilterField("audience"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = "article"
        verbose_name_plural = "articles"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["live", "-date"], name="article_live_date")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:article", args=[self.slug])

    @property
    def members_only(self) -> bool:
        return self.audience == Audience.MEMBERS

    def get_preview_template(self, request: object, mode_name: str) -> str:
        return "news/article_detail.html"


class EntryOrigin(models.TextChoices):
    MEMBER = "membre", "Une collectivité adhérente"
    PARTNER = "partenaire", "Un partenaire"


class AgendaEntry(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """An event organised by a member or a partner, shown in the agenda beside the network's
    own events (which the events module holds)."""

    title = models.CharField("titre", max_length=200)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    origin = models.CharField(
        "organisé par", max_length=12, choices=EntryOrigin.choices, default=EntryOrigin.PARTNER
    )
    organiser = models.CharField("organisateur", max_length=200)
    authority = models.ForeignKey(
        Authority,
        verbose_name="collectivité organisatrice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_entries",
    )
    starts_on = models.DateField("premier jour")
    ends_on = models.DateField("dernier jour", null=True, blank=True)
    start_time = models.TimeField("heure de début", null=True, blank=True)
    online = models.BooleanField("en ligne", default=False)
    venue = models.CharField("lieu", max_length=200, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.URLField("page de l'événement", blank=True)
    summary = models.TextField("présentation", max_length=1500)
    audience = models.CharField(
        "public", max_length=12, choices=Audience.choices, default=Audience.PUBLIC
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name="thèmes", blank=True, related_name="agenda_entries"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_agenda_entries",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("summary"),
        index.SearchField("organiser"),
        index.FilterField("live"),
        index.FilterField("starts_on"),
    ]

    class Meta:
        verbose_name = "événement de l'agenda"
        verbose_name_plural = "événements de l'agenda"
        ordering = ["starts_on", "title"]
        indexes = [models.Index(fields=["live", "starts_on"], name="agenda_entry_live_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="agenda_entry_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:agenda_entry", args=[self.slug])

    @property
    def members_only(self) -> bool:
        return self.audience == Audience.MEMBERS

    @property
    def last_day(self) -> datetime.date:
        return self.ends_on or self.starts_on

    def clean(self) -> None:
        super().clean()
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Le dernier jour précède le premier."})
        if not self.online and not (self.venue or self.commune_id):
            raise ValidationError(
                {"venue": "Indiquez le lieu ou la commune, ou cochez « en ligne »."}
            )

    def get_preview_template(self, request: object, mode_name: str) -> str:
        return "news/agenda_entry_detail.html"
