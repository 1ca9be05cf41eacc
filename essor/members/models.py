"""The people and bodies every module links to: authorities (members of the network or
not), other organisations, people and the positions they hold over time."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from essor.core.text import fold
from essor.territories.models import Territory, TerritoryKind
from essor.territories.signals import referential_imported

# The columns Authority copies from its territory, and from its memberships.
_PEER_COLUMNS = ("peer_population", "peer_region", "peer_departement")
_MEMBERSHIP_COLUMNS = ["membership_start", "membership_end", "first_joined_on"]

# Logged in an authority's history when its profile sheet is updated outside the admin.
PROFILE_UPDATE_ACTION = "members.profile_update"

# The levels of the official referential, plus the bodies it does not list.
AuthorityKind = models.TextChoices(
    "AuthorityKind",
    [(kind.name, (kind.value, kind.label)) for kind in TerritoryKind]
    + [("OTHER", ("other", "Autre collectivité ou groupement (pays, PETR, syndicat…)"))],
)


def membership_covers(day: datetime.date) -> Q:
    """Memberships running on `day`: joined on or before it, not yet left (the day of
    leaving is no longer a member day)."""
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


class AuthorityQuerySet(models.QuerySet):
    def members(self, on: datetime.date | None = None) -> "AuthorityQuerySet":
        """The authorities that are members of the network on a day (today by default)."""
        return self.filter(_running_membership(on))

    def with_member_flag(self, on: datetime.date | None = None) -> "AuthorityQuerySet":
        """Annotates `is_current_member` (a member on that day, today by default)."""
        return self.annotate(is_current_member=_running_membership(on))

    def refresh_peer_columns(self) -> int:
        """Copy each authority's population, région and département codes from the
        referential into its comparison columns (see Authority.peer_population), in one
        UPDATE."""
        territory = Territory.objects.filter(pk=OuterRef("territory_id"))
        return self.update(
            peer_population=Subquery(territory.values("population")[:1]),
            peer_region=Coalesce(Subquery(_area_code(territory, TerritoryKind.REGION)), Value("")),
            peer_departement=Coalesce(
                Subquery(_area_code(territory, TerritoryKind.DEPARTEMENT)), Value("")
            ),
        )

    def refresh_membership_columns(self) -> int:
        """Copy each authority's latest membership period and first day of membership from
        its memberships (see Authority.membership_start), in one UPDATE."""
        periods = Membership.objects.filter(authority=OuterRef("pk"))
        latest = periods.order_by("-joined_on")
        return self.update(
            membership_start=Subquery(latest.values("joined_on")[:1]),
            membership_end=Subquery(latest.values("left_on")[:1]),
            first_joined_on=Subquery(periods.order_by("joined_on").values("joined_on")[:1]),
        )


def _area_code(territory: models.QuerySet, kind: str) -> models.QuerySet:
    """The code of the région or département (`kind`) the territory is or lies in."""
    return territory.annotate(
        area_code=Case(When(kind=kind, then=F("code")), default=F(f"{kind}__code"))
    ).values("area_code")[:1]


def _running_membership(on: datetime.date | None) -> Exists:
    day = on or timezone.localdate()
    return Exists(Membership.objects.filter(membership_covers(day), authority=OuterRef("pk")))


class Authority(ClusterableModel):
    """A local authority, tied to its official territory (or a SIREN for bodies without one,
    such as a pays or a syndicat mixte), with its ESS profile sheet ("fiche collectivité")."""

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
    address = models.TextField("adresse postale", blank=True)
    ess_context = models.TextField(
        "contexte de la politique ESS",
        blank=True,
        help_text="Depuis quand, avec quels élu·es et quels partenaires la collectivité agit.",
    )
    ess_programme = models.TextField(
        "programme d'intervention",
        blank=True,
        help_text="Présentation générale ; les axes se détaillent ci-dessous.",
    )
    themes = ParentalManyToManyField("core.Theme", blank=True, verbose_name="thèmes")
    # The name folded (no case, no accents) so the directory search behaves the same on
    # SQLite and PostgreSQL (indexed with the membership columns, see Meta).
    search_name = models.CharField(max_length=200, editable=False, default="")
    profile_updated_at = models.DateTimeField(
        "fiche mise à jour le", null=True, blank=True, editable=False
    )
    # Copied from the territory (population, région code) so the comparable authorities are
    # found through an index rather than by reading every member with its territory. Kept
    # in step on every save here, on every save of a territory and after every import of
    # the referential (signals in apps.py); bulk writes call refresh_peer_columns().
    peer_population = models.PositiveIntegerField(null=True, blank=True, editable=False)
    peer_region = models.CharField(max_length=3, blank=True, default="", editable=False)
    # The département's code likewise (the member map counts by région and département).
    peer_departement = models.CharField(max_length=3, blank=True, default="", editable=False)
    # Copied from the memberships: the latest period (its first day and the day it was
    # left) and the first day of the first period, so the public pages tell members and
    # their seniority from the authority's row rather than by a subquery per authority
    # (running_membership_sql). Kept in step on every save or delete of a membership and on
    # every save here (signals below); bulk writes call refresh_membership_columns().
    membership_start = models.DateField(null=True, blank=True, editable=False)
    membership_end = models.DateField(null=True, blank=True, editable=False)
    first_joined_on = models.DateField(null=True, blank=True, editable=False)

    objects = AuthorityQuerySet.as_manager()

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
        indexes = [
            models.Index(
                fields=["kind", "peer_region", "peer_population"], name="authority_peers_idx"
            ),
            # The public pages' reads of members: each index holds the membership columns,
            # so telling a member needs no read of the authority's row. By area (the map,
            # the directory's région and département filters):
            models.Index(
                fields=["peer_region", "peer_departement", "kind", *_MEMBERSHIP_COLUMNS],
                name="authority_areas_idx",
            ),
            # by level, largest first (the directory's level filter and population order):
            models.Index(
                fields=["kind", "-peer_population", "search_name", *_MEMBERSHIP_COLUMNS],
                name="authority_levels_idx",
            ),
            # by name (the directory's search and its order by name):
            models.Index(fields=["search_name", *_MEMBERSHIP_COLUMNS], name="authority_names_idx"),
            # by seniority (the directory's year filter and orders by joining):
            models.Index(fields=["first_joined_on", "search_name"], name="authority_seniority_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = fold(self.name)
        self.peer_population, self.peer_region, self.peer_departement = self._peer_values()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"territory", "territory_id"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *_PEER_COLUMNS}
        if self.pk is not None and update_fields is None:
            # Read again: this instance may predate a membership recorded since.
            self._read_membership_columns()
        super().save(*args, **kwargs)

    def _read_membership_columns(self) -> None:
        periods = list(
            Membership.objects.filter(authority_id=self.pk)
            .order_by("joined_on")
            .values_list("joined_on", "left_on")
        )
        latest = periods[-1] if periods else (None, None)
        self.membership_start, self.membership_end = latest
        self.first_joined_on = periods[0][0] if periods else None

    def _peer_values(self) -> tuple[int | None, str, str]:
        territory = self.territory if self.territory_id else None
        if territory is None:
            return None, "", ""
        codes = [
            territory.code
            if territory.kind == kind
            else (getattr(territory, kind).code if getattr(territory, f"{kind}_id") else "")
            for kind in (TerritoryKind.REGION, TerritoryKind.DEPARTEMENT)
        ]
        return territory.population, *codes

    def get_absolute_url(self) -> str:
        return reverse("members:authority", args=[self.slug])

    @property
    def population(self) -> int | None:
        return self.territory.population if self.territory_id else None

    def membership_on(self, day: datetime.date | None = None) -> "Membership | None":
        day = day or timezone.localdate()
        return self.memberships.filter(membership_covers(day)).first()

    @property
    def is_member(self) -> bool:
        return self.membership_on() is not None


@receiver(post_save, sender=Territory, dispatch_uid="members-peer-columns-territory")
def _territory_saved(
    sender: type, instance: Territory, raw: bool = False, **kwargs: object
) -> None:
    """A territory's population, région or code changed: its authority's comparison
    columns, and those of the authorities within it when it is a région or a département,
    follow."""
    if not raw:
        Authority.objects.filter(
            Q(territory=instance)
            | Q(territory__region=instance)
            | Q(territory__departement=instance)
        ).refresh_peer_columns()


@receiver(referential_imported, dispatch_uid="members-peer-columns-import")
def _referential_imported(**kwargs: object) -> None:
    """The import writes territories in bulk (no model signal): every authority's comparison
    columns are refreshed in its transaction."""
    Authority.objects.refresh_peer_columns()


class Membership(models.Model):
    """One period of membership: an authority joins on a day and may leave on a later one.
    A member that leaves and comes back has two periods."""

    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="memberships", verbose_name="collectivité"
    )
    joined_on = models.DateField("adhésion le")
    left_on = models.DateField("départ le", null=True, blank=True)
    note = models.CharField("remarque ou source", max_length=250, blank=True)

    class Meta:
        verbose_name = "adhésion"
        verbose_name_plural = "adhésions"
        ordering = ["-joined_on"]
        # "A member on a day" and "first joined" are asked of every authority on the public
        # pages (directory, map, sheets): the index answers them without reading the table.
        indexes = [
            models.Index(
                fields=["authority", "joined_on", "left_on"], name="membership_periods_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=F("joined_on")),
                name="membership_leaves_after_joining",
                violation_error_message="La date de départ doit suivre la date d'adhésion.",
            ),
        ]

    def __str__(self) -> str:
        period = f"depuis le {self.joined_on:%d/%m/%Y}"
        if self.left_on:
            period = f"du {self.joined_on:%d/%m/%Y} au {self.left_on:%d/%m/%Y}"
        return f"{self.authority} — {period}"

    def save(self, *args: object, **kwargs: object) -> None:
        # One transaction with the refresh of the authority's membership columns (signals;
        # Django already deletes in one).
        with transaction.atomic():
            super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on <= self.joined_on:
            raise ValidationError({"left_on": "La date de départ doit suivre la date d'adhésion."})
        if self.authority_id and self.joined_on and self._overlapping().exists():
            raise ValidationError(
                "Cette collectivité est déjà adhérente sur une partie de cette période."
            )

    def _overlapping(self) -> models.QuerySet:
        others = Membership.objects.filter(authority_id=self.authority_id).exclude(pk=self.pk)
        starts_before_end = Q() if self.left_on is None else Q(joined_on__lt=self.left_on)
        return others.filter(starts_before_end).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=self.joined_on)
        )


@receiver(pre_save, sender=Membership, dispatch_uid="members-membership-columns-before")
def _membership_saving(
    sender: type, instance: Membership, raw: bool = False, **kwargs: object
) -> None:
    """Remember which authority a membership moves away from, to refresh it too."""
    instance._previous_authority_id = None
    if not raw and instance.pk is not None:
        instance._previous_authority_id = (
            Membership.objects.filter(pk=instance.pk).values_list("authority_id", flat=True).first()
        )


@receiver(post_save, sender=Membership, dispatch_uid="members-membership-columns-saved")
@receiver(post_delete, sender=Membership, dispatch_uid="members-membership-columns-deleted")
def _membership_changed(
    sender: type, instance: Membership, raw: bool = False, **kwargs: object
) -> None:
    """A period was recorded, changed or removed: its authority's membership columns follow,
    in the same transaction."""
    if not raw:
        ids = {instance.authority_id, getattr(instance, "_previous_authority_id", None)}
        Authority.objects.filter(pk__in=ids - {None}).refresh_membership_columns()


class Dues(models.Model):
    """The annual membership fee an authority owes for a year, and whether it was paid."""

    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="dues", verbose_name="collectivité"
    )
    year = models.PositiveSmallIntegerField("année")
    amount = models.DecimalField(
        "montant (€)", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    paid_on = models.DateField("payée le", null=True, blank=True)

    class Meta:
        verbose_name = "cotisation"
        verbose_name_plural = "cotisations"
        ordering = ["-year", "authority__name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="dues_once_a_year"),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="dues_amount_not_negative",
                violation_error_message="Le montant d'une cotisation ne peut pas être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} — cotisation {self.year}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class EssBudget(models.Model):
    """The budget an authority devotes to the ESS in a year."""

    authority = ParentalKey(Authority, on_delete=models.CASCADE, related_name="ess_budgets")
    year = models.PositiveSmallIntegerField("année")
    amount = models.DecimalField(
        "montant (€)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField("précision", max_length=250, blank=True)

    class Meta:
        verbose_name = "budget ESS"
        verbose_name_plural = "budgets ESS"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="ess_budget_once_a_year"),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="ess_budget_not_negative",
                violation_error_message="Un budget ne peut pas être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} — budget ESS {self.year}"


class EssFigure(Orderable):
    """A figure on the ESS of the territory: "12 % des emplois privés", "850 établissements"."""

    authority = ParentalKey(Authority, on_delete=models.CASCADE, related_name="ess_figures")
    label = models.CharField("intitulé", max_length=200)
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    unit = models.CharField("unité", max_length=40, blank=True)
    year = models.PositiveSmallIntegerField("année", null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "chiffre de l'ESS"
        verbose_name_plural = "chiffres de l'ESS"

    def __str__(self) -> str:
        return f"{self.label} : {self.value} {self.unit}".strip()


class PolicyAxis(Orderable):
    """One axis of the authority's ESS intervention programme."""

    authority = ParentalKey(Authority, on_delete=models.CASCADE, related_name="policy_axes")
    title = models.CharField("axe", max_length=250)
    description = models.TextField("description", blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "axe d'intervention"
        verbose_name_plural = "axes d'intervention"

    def __str__(self) -> str:
        return self.title


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


class GeneralAssembly(models.Model):
    """A general assembly of the network; the board it elects holds positions starting on
    the assembly's day."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="general_assemblies",
        verbose_name="réseau",
    )
    held_on = models.DateField("date")
    place = models.CharField("lieu", max_length=200, blank=True)
    summary = models.TextField("principales décisions", blank=True)
    attendance = models.PositiveIntegerField(
        "collectivités présentes ou représentées", null=True, blank=True
    )

    class Meta:
        verbose_name = "assemblée générale"
        verbose_name_plural = "assemblées générales"
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "held_on"], name="one_general_assembly_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Assemblée générale du {self.held_on:%d/%m/%Y}"


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
