"""Letters: the issues of the e-letter and of the members' Flash hebdo, their subscribers and
one delivery record per recipient and issue.

An issue is composed from chosen items (articles, the network's events, agenda entries) that
the letter groups by rubric. Subscriptions hold the proof of consent; a member user receives the
Flash hebdo by virtue of their membership (a subscription whose source is the membership).
Deliveries make sending exactly-once: each is claimed by one worker, marked "sending" before
the SMTP transaction and "sent" right after it, see sending.py.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from essor.events.models import Event
from essor.news.models import AgendaEntry, Article


def new_token() -> str:
    return secrets.token_urlsafe(24)


class LetterKind(models.TextChoices):
    LETTER = "lettre", "Lettre électronique"
    FLASH = "flash", "Flash hebdo"


# The Flash hebdo, its archive included, is for members only.
MEMBERS_ONLY_KINDS = frozenset({LetterKind.FLASH})


class IssueStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SCHEDULED = "programme", "Programmé"
    SENDING = "envoi", "Envoi en cours"
    SENT = "envoye", "Envoyé"


class Issue(ClusterableModel):
    """One issue of a letter: an editorial and chosen items, sent once to its list."""

    kind = models.CharField("lettre", max_length=10, choices=LetterKind.choices)
    number = models.PositiveIntegerField("numéro")
    title = models.CharField(
        "objet du courriel", max_length=150, help_text="Ce que les abonnés lisent en premier."
    )
    date = models.DateField("date du numéro")
    editorial = RichTextField(
        "éditorial", blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )
    status = models.CharField(
        "état", max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    scheduled_at = models.DateTimeField("envoi programmé le", null=True, blank=True)
    sending_started_at = models.DateTimeField("envoi commencé le", null=True, blank=True)
    sent_at = models.DateTimeField("envoi terminé le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "numéro de lettre"
        verbose_name_plural = "numéros de lettres"
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="issue_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("letters:issue", args=[self.kind, self.number])

    @property
    def members_only(self) -> bool:
        return self.kind in MEMBERS_ONLY_KINDS

    @property
    def editable(self) -> bool:
        """Items and text change until sending starts: nobody receives two versions."""
        return self.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED)


class IssueItem(Orderable):
    """An item of an issue: an article, a network event or an agenda entry."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        Article,
        verbose_name="article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.ForeignKey(
        Event,
        verbose_name="événement du réseau",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    agenda_entry = models.ForeignKey(
        AgendaEntry,
        verbose_name="événement de l'agenda",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta(Orderable.Meta):
        verbose_name = "élément du numéro"
        verbose_name_plural = "éléments du numéro"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(article__isnull=False, event__isnull=True, agenda_entry__isnull=True)
                    | Q(article__isnull=True, event__isnull=False, agenda_entry__isnull=True)
                    | Q(article__isnull=True, event__isnull=True, agenda_entry__isnull=False)
                ),
                name="issue_item_exactly_one_target",
                violation_error_message=(
                    "Chaque ligne du numéro reçoit un article, un événement du réseau ou un "
                    "événement de l'agenda, un seul : complétez ou supprimez la ligne vide."
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.article or self.event or self.agenda_entry)


class SubscriptionStatus(models.TextChoices):
    PENDING = "attente", "En attente de confirmation"
    CONFIRMED = "confirme", "Abonné·e"
    UNSUBSCRIBED = "desabonne", "Désabonné·e"
    BOUNCED = "erreur", "Adresse en erreur définitive"


class ConsentSource(models.TextChoices):
    FORM = "formulaire", "Formulaire d'inscription du site"
    IMPORT = "import", "Import d'une liste existante"
    MEMBERSHIP = "adhesion", "Adhésion de sa collectivité"
    ADMIN = "equipe", "Ajout par l'équipe"


class SubscriptionQuerySet(models.QuerySet):
    def receiving(self, kind: str) -> "SubscriptionQuerySet":
        return self.filter(kind=kind, status=SubscriptionStatus.CONFIRMED)


class Subscription(models.Model):
    """An address on a letter's list, with the proof of the consent it gave."""

    kind = models.CharField("lettre", max_length=10, choices=LetterKind.choices)
    email = models.EmailField("adresse électronique")  # stored lower-cased
    status = models.CharField(
        "état",
        max_length=10,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.PENDING,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letter_subscriptions",
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    consent_source = models.CharField(
        "origine du consentement", max_length=12, choices=ConsentSource.choices
    )
    consent_text = models.TextField("texte présenté", blank=True)
    consent_at = models.DateTimeField("consentement donné le", null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        "demande de confirmation envoyée le", null=True, blank=True
    )
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("désabonné le", null=True, blank=True)
    unsubscribed_from = models.ForeignKey(
        Issue,
        verbose_name="désabonné depuis le numéro",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unsubscriptions",
    )
    bounced_at = models.DateTimeField("erreur définitive le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "abonnement"
        verbose_name_plural = "abonnements"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "email"], name="subscription_unique_email")
        ]
        indexes = [models.Index(fields=["kind", "status"], name="subscription_kind_status")]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_kind_display()})"


class DeliveryStatus(models.TextChoices):
    QUEUED = "attente", "En attente"
    SENDING = "envoi", "En cours d'envoi"
    SENT = "envoye", "Envoyé"
    FAILED = "echec", "Échec"


class Delivery(models.Model):
    """The mail of one issue to one address: created when sending starts, so that every
    recipient is known before the first mail leaves and none is sent twice."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    email = models.EmailField("adresse")
    status = models.CharField(
        "état", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", null=True, blank=True)
    claimed_by = models.CharField("pris par", max_length=64, blank=True)
    claimed_at = models.DateTimeField("pris le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)

    class Meta:
        verbose_name = "envoi"
        verbose_name_plural = "envois"
        constraints = [
            models.UniqueConstraint(fields=["issue", "email"], name="delivery_unique_recipient")
        ]
        indexes = [
            models.Index(fields=["issue", "status"], name="delivery_issue_status"),
            models.Index(fields=["claimed_by", "status"], name="delivery_claim_status"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} → {self.email}"
