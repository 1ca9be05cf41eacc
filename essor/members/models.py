"""The people and bodies every module links to: authorities (members of the network or
not), other organisations, people and the positions they hold over time."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from essor.territories.models import Territory, TerritoryKind

# The levels of the official referential, plus the bodies it does not list.
AuthorityKind = models.TextChoices(
    "AuthorityKind",
    [(kind.name, (kind.value, kind.label)) for kind in TerritoryKind]
    + [("OTHER", ("other", "Autre collectivité ou groupement (pays, PETR, syndicat…)"))],
)


class Authority(models.Model):
    """A local authority, tied to its official territory (or a SIREN for bodies without one,
    such as a pays or a syndicat mixte)."""

    name = models.CharField("nom d'usage", max_length=200)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    kind = models.CharField("niveau", max_length=12, choices=AuthorityKind.choices)
    territory = models.OneToOneField(
        Territory,
        verbose_name="territoire officiel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authority",
    )
    siren = models.CharField(
        "SIREN",
        max_length=9,
        blank=True,
        help_text="Pour un organisme sans code territorial officiel.",
    )
    website = models.URLField("site internet", blank=True)
    is_member = models.BooleanField("adhérente au réseau", default=False)
    member_since = models.DateField("adhérente depuis", null=True, blank=True)

    class Meta:
        verbose_name = "collectivité"
        verbose_name_plural = "collectivités"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(territory__isnull=False) | ~Q(siren=""),
                name="authority_has_official_identifier",
                violation_error_message="Une collectivité doit avoir un territoire officiel ou un SIREN.",
            ),
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="authority_unique_siren"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:authority", args=[self.slug])

    @property
    def population(self) -> int | None:
        return self.territory.population if self.territory_id else None


class OrganisationKind(models.TextChoices):
    NETWORK = "network", "Réseau"
    STATE = "state", "Service de l'État"
    PUBLIC_BODY = "public_body", "Établissement ou organisme public"
    UNION_OF_AUTHORITIES = "union_of_authorities", "Association de collectivités"
    ASSOCIATION = "association", "Association"
    ENTERPRISE = "enterprise", "Entreprise de l'ESS"
    OTHER = "other", "Autre"


class Organisation(models.Model):
    """Any body that is not a local authority: State services, networks, ESS enterprises."""

    name = models.CharField("nom", max_length=250)
    acronym = models.CharField("sigle", max_length=40, blank=True)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    kind = models.CharField(
        "type", max_length=24, choices=OrganisationKind.choices, default=OrganisationKind.OTHER
    )
    website = models.URLField("site internet", blank=True)
    description = models.TextField("présentation", blank=True)
    founded = models.PositiveSmallIntegerField("année de création", null=True, blank=True)
    seat = models.CharField("siège", max_length=120, blank=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class Person(models.Model):
    """A person with public roles. Contact details are personal data, shown to members only."""

    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    email = models.EmailField("courriel professionnel", blank=True)
    phone = models.CharField("téléphone professionnel", max_length=30, blank=True)

    class Meta:
        verbose_name = "personne"
        verbose_name_plural = "personnes"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("members:person", args=[self.slug])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PositionKind(models.TextChoices):
    ELECTED = "elected", "Élu·e"
    STAFF = "staff", "Agent·e ou salarié·e"
    VOLUNTEER = "volunteer", "Bénévole"
    OTHER = "other", "Autre"


class BoardRole(models.TextChoices):
    PRESIDENT = "president", "Président·e"
    VICE_PRESIDENT = "vice_president", "Vice-président·e"
    TREASURER = "treasurer", "Trésorier·e"
    SECRETARY = "secretary", "Secrétaire"
    QUALIFIED_PERSON = "qualified_person", "Personne qualifiée"
    ADMINISTRATOR = "administrator", "Administrateur·rice"


class Position(models.Model):
    """A title a person holds at one authority or organisation over a period.

    "Présidente du RTES, conseillère municipale de Lille" is two positions of one person.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name="collectivité",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name="organisation",
    )
    title = models.CharField("fonction", max_length=250)
    kind = models.CharField(
        "nature", max_length=10, choices=PositionKind.choices, default=PositionKind.ELECTED
    )
    board_role = models.CharField(
        "rôle au conseil d'administration du réseau",
        max_length=20,
        choices=BoardRole.choices,
        blank=True,
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    source = models.CharField(
        "source",
        max_length=250,
        blank=True,
        help_text="Document ou passage d'où vient l'information.",
    )

    class Meta:
        verbose_name = "fonction"
        verbose_name_plural = "fonctions"
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(authority__isnull=False) & Q(organisation__isnull=True))
                | (Q(authority__isnull=True) & Q(organisation__isnull=False)),
                name="position_at_exactly_one_body",
                violation_error_message="Une fonction s'exerce dans une collectivité ou une organisation, pas les deux.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="position_dates_ordered",
                violation_error_message="La date de fin précède la date de début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.title}, {self.body}"

    @property
    def body(self) -> Authority | Organisation:
        return self.authority or self.organisation

    def is_current(self, on: object = None) -> bool:
        day = on or timezone.localdate()
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or self.end_date >= day
        )


class AuthorityUser(models.Model):
    """Attaches a member user's account to the one authority they act for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="authority_link",
        verbose_name="compte",
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="users", verbose_name="collectivité"
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
        verbose_name="personne",
    )

    class Meta:
        verbose_name = "rattachement d'un compte"
        verbose_name_plural = "rattachements des comptes"

    def __str__(self) -> str:
        return f"{self.user} → {self.authority}"
