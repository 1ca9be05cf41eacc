"""The official territorial referential: régions, départements, EPCI, EPT and communes.

One table for every level keeps links simple (an authority points at one territory,
whatever its level) and lets the resolver rank candidates of all kinds together.
"""

from django.db import models


class TerritoryKind(models.TextChoices):
    REGION = "region", "Région"
    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI à fiscalité propre"
    EPT = "ept", "Établissement public territorial"
    COMMUNE = "commune", "Commune"


class EpciNature(models.TextChoices):
    CC = "CC", "Communauté de communes"
    CA = "CA", "Communauté d'agglomération"
    CU = "CU", "Communauté urbaine"
    METRO = "METRO", "Métropole"
    MET69 = "MET69", "Métropole de Lyon"
    EPT = "EPT", "Établissement public territorial"


class Zone(models.TextChoices):
    METRO = "metro", "France métropolitaine"
    DROM = "drom", "Outre-mer (DROM)"
    COM = "com", "Collectivité d'outre-mer"


class Territory(models.Model):
    kind = models.CharField("niveau", max_length=12, choices=TerritoryKind.choices)
    # INSEE code for régions, départements and communes; SIREN for EPCI and EPT.
    code = models.CharField("code officiel", max_length=9)
    name = models.CharField("nom officiel", max_length=200)
    siren = models.CharField("SIREN", max_length=9, blank=True, db_index=True)
    nature = models.CharField(
        "nature juridique", max_length=5, choices=EpciNature.choices, blank=True
    )
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    zone = models.CharField("zone", max_length=5, choices=Zone.choices, blank=True)
    # False once a newer referential no longer lists it (merged commune, dissolved EPCI):
    # kept because authorities and documents may still point at it.
    is_current = models.BooleanField("en vigueur", default=True)
    region = models.ForeignKey(
        "self",
        verbose_name="région",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": TerritoryKind.REGION},
    )
    departement = models.ForeignKey(
        "self",
        verbose_name="département",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": TerritoryKind.DEPARTEMENT},
    )
    epci = models.ForeignKey(
        "self",
        verbose_name="EPCI",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_communes",
        limit_choices_to={"kind": TerritoryKind.EPCI},
    )
    ept = models.ForeignKey(
        "self",
        verbose_name="EPT",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ept_communes",
        limit_choices_to={"kind": TerritoryKind.EPT},
    )

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="territory_kind_code")]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        if self.nature:
            return self.get_nature_display()
        return self.get_kind_display()


class TerritoryAlias(models.Model):
    """Another name a territory is known by: a former name, a pre-2016 région, a usual
    abbreviation ("CUB", "Grand Lyon"). `until` is the last year the name was official."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("nom", max_length=200)
    until = models.PositiveSmallIntegerField("officiel jusqu'en", null=True, blank=True)
    note = models.CharField("remarque", max_length=200, blank=True)

    class Meta:
        verbose_name = "autre nom"
        verbose_name_plural = "autres noms"
        constraints = [models.UniqueConstraint(fields=["territory", "name"], name="alias_unique")]

    def __str__(self) -> str:
        return f"{self.name} → {self.territory}"


class ReferentialImport(models.Model):
    """One row per import of the referential, so a second identical import is a no-op."""

    source = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    checksum = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-imported_at"]
        get_latest_by = "imported_at"

    def __str__(self) -> str:
        return f"{self.source} {self.version} ({self.imported_at:%d/%m/%Y})"
