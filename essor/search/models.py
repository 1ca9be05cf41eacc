"""The acronyms glossary: a managed list editors extend; the search expands an acronym to its
words and back, and pages can show the expansion."""

from django.db import models


class GlossaryTerm(models.Model):
    acronym = models.CharField("sigle", max_length=20, unique=True)
    expansion = models.CharField("forme développée", max_length=250)
    definition = models.TextField("définition", blank=True)
    variants = models.CharField(
        "autres graphies",
        max_length=400,
        blank=True,
        help_text="Séparées par des virgules : « E.S.S. », un ancien nom…",
    )

    class Meta:
        verbose_name = "sigle du glossaire"
        verbose_name_plural = "glossaire des sigles"
        ordering = ["acronym"]

    def __str__(self) -> str:
        return f"{self.acronym} — {self.expansion}"

    @property
    def variant_list(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.variants.split(",") if part.strip())
