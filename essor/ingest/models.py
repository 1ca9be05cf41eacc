"""What ingestion keeps: each document read (once per content, whatever its name), and the
candidates found in it, each with the passage it comes from, waiting for an editor's decision.

A candidate accepted points at the record it created or linked (a person, an authority, an
organisation, an initiative, a publication…): that link is how a record keeps its source
passage."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class IngestedDocument(models.Model):
    """One file read by the pipeline; the same content read again is the same document."""

    sha256 = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    file_name = models.CharField("nom du fichier", max_length=255)
    file = models.FileField("fichier", upload_to="ingest/", blank=True)
    title = models.CharField("titre", max_length=300, blank=True)
    kind = models.CharField("type de document", max_length=40, blank=True)
    dates = models.JSONField("dates", default=list, blank=True)
    page_count = models.PositiveIntegerField("pages", default=0)
    needs_ocr = models.BooleanField("à passer à l'OCR", default=False)
    message = models.CharField("message de lecture", max_length=300, blank=True)
    # The full extraction as printed by `essor ingest --json` (for display and export).
    facts = models.JSONField("faits extraits", default=dict, blank=True)
    ingested_at = models.DateTimeField("lu le", auto_now_add=True)
    ingested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "document ingéré"
        verbose_name_plural = "documents ingérés"
        ordering = ["-ingested_at", "-pk"]

    def __str__(self) -> str:
        return self.title or self.file_name


class CandidateKind(models.TextChoices):
    PERSON = "person", "Personne"
    PLACE = "place", "Territoire"
    ORGANISATION = "organisation", "Organisation"
    EVENT = "event", "Événement"
    INITIATIVE = "initiative", "Initiative"
    PUBLICATION = "publication", "Publication"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "À examiner"
    ACCEPTED = "accepted", "Accepté"
    REJECTED = "rejected", "Rejeté"


class Candidate(models.Model):
    """A fact found in a document, with its source passage, until an editor decides."""

    document = models.ForeignKey(
        IngestedDocument, on_delete=models.CASCADE, related_name="candidates"
    )
    kind = models.CharField("nature", max_length=20, choices=CandidateKind.choices)
    # Folded identity of the fact within the document: re-ingesting never duplicates it.
    key = models.CharField(max_length=250)
    label = models.CharField("libellé", max_length=300)
    data = models.JSONField("données extraites", default=dict)
    page = models.PositiveIntegerField("page", null=True, blank=True)
    line = models.PositiveIntegerField("ligne", null=True, blank=True)
    passage = models.TextField("passage source", blank=True)
    status = models.CharField(
        "décision", max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    record_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examiné par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "candidat"
        verbose_name_plural = "candidats"
        ordering = ["document", "kind", "page", "line", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "key"], name="ingest_candidate_once_per_document"
            )
        ]
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.label}"

    @property
    def source_label(self) -> str:
        """Where the passage is, as an editor reads it: "p. 3, l. 12"."""
        parts = [f"p. {self.page}" if self.page else "", f"l. {self.line}" if self.line else ""]
        return ", ".join(part for part in parts if part)
