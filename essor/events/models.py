"""Events and trainings: the event with its sites, organisers and programme, the registrations,
the evaluation answers and the documents generated from them.

An event is a snippet with Wagtail's drafts, revisions, locking and preview (as initiatives
are, see docs/decisions/0004): editors build it in the admin, the row is the published version.
Its programme is nested in it — sessions, and in each session the people who speak and what the
workshop produced — so one save keeps the whole programme consistent. Registrations, answers
and generated files are operational data: plain models, never revisions.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, LockableMixin, PreviewableMixin, RevisionMixin

from essor.core.editorial import Audience, PublishedQuerySet
from essor.core.models import Theme
from essor.events import year_counts
from essor.initiatives.models import Initiative, PracticeSheet
from essor.library.models import Publication
from essor.members.models import Authority, Organisation, Person
from essor.territories.models import Territory

RICH_TEXT_FEATURES = ["bold", "italic", "h3", "ol", "ul", "link"]


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class EventKind(models.TextChoices):
    NATIONAL_MEETING = "rencontre-nationale", "Rencontre nationale"
    TERRITORIAL_MEETING = "rencontre-territoriale", "Rencontres territoriales"
    EXCHANGE_DAY = "journee-echanges", "Journée d'échanges"
    SEMINAR = "seminaire", "Séminaire"
    TRAINING_DAY = "journee-formation", "Journée de formation"
    ONLINE_CONFERENCE = "conference-en-ligne", "Conférence en ligne"
    MINUTE_CONFERENCE = "conference-minute", "Conférence minute"
    VISIO_CONFERENCE = "visioconference", "Visioconférence"
    PARTNER_EVENT = "evenement-partenaire", "Événement partenaire"


# Kinds that count as trainings in the activity report and are free for members by default.
TRAINING_KINDS = frozenset(
    {EventKind.TRAINING_DAY, EventKind.ONLINE_CONFERENCE, EventKind.MINUTE_CONFERENCE}
)


def local_year(moment: datetime.datetime | None) -> int | None:
    """The year of `moment` in local time (where the agenda's years begin), None for None.
    Kept on the row as `Event.start_year`; code writing events in bulk must set it."""
    if moment is None:
        return None
    return moment.year if timezone.is_naive(moment) else timezone.localtime(moment).year


class EventQuerySet(PublishedQuerySet):
    def upcoming(self, now: datetime.datetime | None = None) -> "EventQuerySet":
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now: datetime.datetime | None = None) -> "EventQuerySet":
        return self.filter(ends_at__lt=now or timezone.now())

    def held(self) -> "EventQuerySet":
        """Not cancelled: the events that count in the network's figures."""
        return self.filter(cancelled_at__isnull=True)


class Event(
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    ClusterableModel,
):
    """A meeting, exchange day, seminar, training or online conference of the network, or a
    partner's event the network takes part in."""

    title = models.CharField("titre", max_length=250)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    kind = models.CharField("type", max_length=30, choices=EventKind.choices)
    summary = models.TextField(
        "résumé", max_length=600, help_text="Deux ou trois phrases, affichées dans l'agenda."
    )
    description = RichTextField("présentation", blank=True, features=RICH_TEXT_FEATURES)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    online = models.BooleanField(
        "en ligne", default=False, help_text="Cocher pour une conférence ou une visio à distance."
    )
    venue = models.CharField("lieu", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    online_url = models.URLField(
        "lien de connexion",
        blank=True,
        help_text="Envoyé aux inscrits dans la confirmation, jamais affiché publiquement.",
    )
    audience = models.CharField(
        "public", max_length=12, choices=Audience.choices, default=Audience.PUBLIC
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name="thèmes", blank=True, related_name="events"
    )

    # Registration
    registration_enabled = models.BooleanField("inscriptions en ligne", default=False)
    registration_opens_at = models.DateTimeField(
        "ouverture des inscriptions", null=True, blank=True
    )
    registration_closes_at = models.DateTimeField("clôture des inscriptions", null=True, blank=True)
    capacity = models.PositiveIntegerField(
        "places sur place",
        null=True,
        blank=True,
        help_text="Vide : sans limite. Le direct et le replay ne sont pas limités.",
    )
    allows_on_site = models.BooleanField("participation sur place", default=True)
    allows_live = models.BooleanField("participation en direct à distance", default=False)
    allows_replay = models.BooleanField("accès au replay", default=False)
    price = models.DecimalField(
        "tarif pour les non-adhérents (€)",
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text="Les adhérents participent gratuitement. 0 : gratuit pour tous.",
    )

    # After the event
    participant_count = models.PositiveIntegerField(
        "nombre de participants",
        null=True,
        blank=True,
        help_text="Le nombre constaté ; vide tant que l'événement n'a pas eu lieu.",
    )
    participant_count_is_estimate = models.BooleanField(
        "nombre approximatif", default=False, help_text="Affiché « environ … »."
    )
    replay_url = models.URLField("replay (réservé aux adhérents)", blank=True)
    slides = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="supports de présentation (réservés aux adhérents)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evaluation_enabled = models.BooleanField(
        "questionnaire d'évaluation", default=True, help_text="Envoyé aux présents après la fin."
    )

    # What the event is linked to
    initiatives = ParentalManyToManyField(
        Initiative, verbose_name="initiatives présentées", blank=True, related_name="events"
    )
    practice_sheets = ParentalManyToManyField(
        PracticeSheet, verbose_name="fiches pratiques", blank=True, related_name="events"
    )
    publications = ParentalManyToManyField(
        Publication, verbose_name="publications", blank=True, related_name="events"
    )
    authorities = ParentalManyToManyField(
        Authority,
        verbose_name="collectivités intervenantes",
        blank=True,
        related_name="events",
        help_text="Leurs fiches d'identité entrent dans le dossier du participant.",
    )

    # Cancellation (weather, strike, speaker ill): the event stays listed, marked cancelled,
    # and its registrants are told once. Set by services.event_cancel, never by the edit form.
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True, editable=False)
    cancellation_note = models.TextField(
        "message aux inscrit·es",
        blank=True,
        editable=False,
        help_text="Envoyé aux inscrit·es et affiché sur la page de l'événement.",
    )

    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The local year of `starts_at`, derived on every save (see save()): past events are
    # counted by year from an index rather than by working the year out row by row.
    start_year = models.PositiveSmallIntegerField("année", null=True, editable=False)
    evaluation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = EventQuerySet.as_manager()

    # What happened to the event as a whole, not a version of its content: publishing a
    # revision saved before the cancellation (or a draft edited since) must not undo it.
    OPERATIONAL_FIELDS = (
        "cancelled_at",
        "cancellation_note",
        "reminder_sent_at",
        "evaluation_sent_at",
    )

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["live", "starts_at"], name="event_live_start"),
            # The agenda's "upcoming" filter is on the end (an event under way is upcoming).
            # With what the agenda's counts, page and the past years' subtraction read, so they
            # read the index alone.
            models.Index(
                fields=["live", "ends_at", "kind", "starts_at", "start_year", "participant_count"],
                name="event_live_end_read",
            ),
            # Past events by year (count and participants) read from the index alone.
            models.Index(
                fields=["live", "start_year", "ends_at", "participant_count"],
                name="event_live_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = "L'événement se termine avant de commencer."
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes < opens:
            errors["registration_closes_at"] = "La clôture précède l'ouverture des inscriptions."
        if self.registration_enabled and not (
            self.allows_on_site or self.allows_live or self.allows_replay
        ):
            errors["allows_on_site"] = "Choisissez au moins un mode de participation."
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    def save(self, *args: object, **kwargs: object) -> None:
        self.start_year = local_year(self.starts_at)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "starts_at" in update_fields:
            kwargs["update_fields"] = {*update_fields, "start_year"}
        with transaction.atomic():
            # The totals per year move with the row as stored, before and after (a save of
            # some fields keeps the others as they are in the database).
            before = year_counts.stored(self.pk)
            super().save(*args, **kwargs)
            year_counts.move(before, year_counts.stored(self.pk))

    def with_content_json(self, content: dict) -> "Event":
        obj = super().with_content_json(content)
        for name in self.OPERATIONAL_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def get_preview_template(self, request: object, mode_name: str) -> str:
        return "events/event_detail.html"

    def get_preview_context(self, request: object, mode_name: str) -> dict:
        # page_html and selectors import models.
        from essor.events import page_html
        from essor.events.selectors import event_display

        context = super().get_preview_context(request, mode_name)
        display = context["display"] = event_display(self, request.user, preview=True)
        context.update(page_html.page_parts(self, display["registration"]))
        context["head_html"] = page_html.event_head_html(self, display)
        context["body_html"] = page_html.event_body_html(self, display)
        return context

    @property
    def is_training(self) -> bool:
        return self.kind in TRAINING_KINDS

    @property
    def members_only(self) -> bool:
        return self.audience == Audience.MEMBERS


@receiver(pre_delete, sender=Event)
def _event_deleted(sender: type, instance: Event, **kwargs: object) -> None:
    """A deleted event leaves the totals per year (in the deletion's transaction)."""
    year_counts.move(year_counts.stored(instance.pk), None)


class EventYear(models.Model):
    """Published events and participants counted per local year of the start, the upcoming
    ones included: see year_counts.py, which keeps it."""

    year = models.PositiveSmallIntegerField("année", primary_key=True)
    # Signed, without the positive check: totals off after a bulk write (until the rebuild)
    # must not make the next save of an event fail.
    events = models.IntegerField("événements", default=0)
    participants = models.BigIntegerField("participants comptés", default=0)

    class Meta:
        verbose_name = "année d'événements"
        verbose_name_plural = "années d'événements"

    def __str__(self) -> str:
        return str(self.year)


class OrganiserRole(models.TextChoices):
    ORGANISER = "organisateur", "Organisateur"
    CO_ORGANISER = "co-organisateur", "Co-organisateur"
    PARTNER = "partenaire", "Partenaire"
    HOST = "accueil", "Collectivité d'accueil"


class EventOrganiser(models.Model):
    """An organisation or an authority that organises, co-organises, hosts or supports the
    event; one of the two is chosen, or a name typed when it is in neither directory."""

    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="organisers")
    role = models.CharField(
        "rôle", max_length=20, choices=OrganiserRole.choices, default=OrganiserRole.ORGANISER
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="structure (annuaire)",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_roles",
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name="collectivité (annuaire)",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_roles",
    )
    name = models.CharField("ou nom", max_length=250, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"

    class Meta:
        verbose_name = "organisateur ou partenaire"
        verbose_name_plural = "organisateurs et partenaires"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(self.organisation or self.authority or self.name)

    def clean(self) -> None:
        if not (self.organisation_id or self.authority_id or self.name.strip()):
            raise ValidationError({"name": "Choisissez une structure, une collectivité ou un nom."})


class EventSite(models.Model):
    """One of the places of an event held in several places at once (the 2013 territorial
    meetings: four sites linked by visio-conference)."""

    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(
        "nom du site", max_length=120, help_text="Repris tel quel dans les séances de ce site."
    )
    venue = models.CharField("lieu", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_sites",
    )
    participant_count = models.PositiveIntegerField("participants", null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"

    class Meta:
        verbose_name = "site"
        verbose_name_plural = "sites"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class SessionFormat(models.TextChoices):
    OPENING = "ouverture", "Ouverture"
    PLENARY = "pleniere", "Plénière"
    ROUND_TABLE = "table-ronde", "Table ronde"
    WORKSHOP = "atelier", "Atelier"
    WORLD_CAFE = "world-cafe", "World Café"
    CONFERENCE = "conference", "Conférence"
    VISIO_CONFERENCE = "visioconference", "Visioconférence"
    BREAK = "pause", "Pause ou repas"
    CLOSING = "cloture", "Clôture"


class EventSession(ClusterableModel):
    """A timed part of the programme, at one site or at all of them."""

    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField("titre", max_length=300)
    format = models.CharField(
        "format", max_length=20, choices=SessionFormat.choices, default=SessionFormat.PLENARY
    )
    day = models.DateField("jour", null=True, blank=True, help_text="Vide : le jour du début.")
    start_time = models.TimeField("début", null=True, blank=True)
    end_time = models.TimeField("fin", null=True, blank=True)
    site = models.CharField(
        "site",
        max_length=120,
        blank=True,
        help_text="Le nom d'un des sites de l'événement ; vide : tous les sites.",
    )
    questions = models.TextField("questions traitées", blank=True, help_text="Une par ligne.")
    summary = models.TextField("synthèse (pour les actes)", blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"

    class Meta:
        verbose_name = "séance"
        verbose_name_plural = "séances"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time < self.start_time:
            raise ValidationError({"end_time": "La séance se termine avant de commencer."})

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class ContributionRole(models.TextChoices):
    SPEAKER = "intervenant", "Intervenant·e"
    MODERATOR = "animateur", "Animation"
    OPENING_SPEAKER = "ouverture", "Discours d'ouverture"
    CLOSING_SPEAKER = "cloture", "Conclusion"
    WITNESS = "temoin", "Grand témoin"
    RAPPORTEUR = "rapporteur", "Rapporteur"


class SessionContribution(models.Model):
    """A person who speaks or moderates in a session, with the position they held then."""

    session = ParentalKey(EventSession, on_delete=models.CASCADE, related_name="contributions")
    role = models.CharField(
        "rôle", max_length=20, choices=ContributionRole.choices, default=ContributionRole.SPEAKER
    )
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="contributions"
    )
    position_title = models.CharField(
        "fonction à cette date",
        max_length=300,
        blank=True,
        help_text="Vide : reprise de la fonction que la personne occupait à la date de l'événement.",
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"

    class Meta:
        verbose_name = "intervention"
        verbose_name_plural = "interventions"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class OutputKind(models.TextChoices):
    KEY_IDEA = "idee-cle", "Idée clé"
    DIVERGENT_IDEA = "idee-divergente", "Idée divergente"
    QUOTE = "citation", "Citation"


class SessionOutput(models.Model):
    """What a session produced: the key and the divergent ideas of a World Café table (cards
    of two colours), or a quote for the proceedings."""

    session = ParentalKey(EventSession, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField("nature", max_length=20, choices=OutputKind.choices)
    text = models.TextField("texte", max_length=2000)
    attributed_to = models.CharField("auteur de la citation", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    sort_order_field = "sort_order"

    class Meta:
        verbose_name = "production"
        verbose_name_plural = "productions"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ParticipationMode(models.TextChoices):
    ON_SITE = "sur-place", "Sur place"
    LIVE = "direct", "En direct à distance"
    REPLAY = "replay", "En replay"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmee", "Confirmée"
    WAITING = "attente", "Sur liste d'attente"
    CANCELLED = "annulee", "Annulée"


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> "RegistrationQuerySet":
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def holding_a_seat(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.CONFIRMED, mode=ParticipationMode.ON_SITE)


class Registration(models.Model):
    """One person's registration to an event; its token is the secret of the links in the
    e-mails (cancel, evaluation), which work without an account."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("courriel")
    organisation = models.CharField("structure ou collectivité", max_length=250, blank=True)
    position_title = models.CharField("fonction", max_length=200, blank=True)
    authority = models.ForeignKey(
        Authority,
        verbose_name="collectivité adhérente",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    mode = models.CharField(
        "participation",
        max_length=12,
        choices=ParticipationMode.choices,
        default=ParticipationMode.ON_SITE,
    )
    status = models.CharField("statut", max_length=12, choices=RegistrationStatus.choices)
    is_member = models.BooleanField("adhérent", default=False)
    amount_due = models.DecimalField("montant dû (€)", max_digits=8, decimal_places=2, default=0)
    needs = models.CharField(
        "besoins particuliers (accessibilité, repas)", max_length=500, blank=True
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    attended = models.BooleanField("présent", null=True, blank=True)
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)
    promoted_at = models.DateTimeField("sorti de la liste d'attente le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    evaluation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the notice of the event's cancellation went to this person (once).
    cancellation_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        verbose_name_plural = "inscriptions"
        ordering = ["created_at", "pk"]
        constraints = [
            # One active registration per address and event; a cancelled one may be redone.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="annulee"),
                name="registration_one_active_per_email",
            )
        ]
        indexes = [models.Index(fields=["event", "status", "mode"], name="registration_seats")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} — {self.event}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Evaluation(models.Model):
    """A participant's answer to the questionnaire sent after the event."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="evaluation"
    )
    satisfaction = models.PositiveSmallIntegerField(
        "satisfaction générale", choices=[(n, str(n)) for n in range(1, 6)]
    )
    usefulness = models.PositiveSmallIntegerField(
        "utilité pour votre action", choices=[(n, str(n)) for n in range(1, 6)]
    )
    comment = models.TextField("commentaire", max_length=2000, blank=True)
    quote_allowed = models.BooleanField("citation anonyme autorisée", default=False)
    featured = models.BooleanField(
        "citation retenue", default=False, help_text="Affichée sur la page et dans le bilan."
    )
    created_at = models.DateTimeField("répondu le", auto_now_add=True)

    class Meta:
        verbose_name = "réponse au questionnaire"
        verbose_name_plural = "réponses au questionnaire"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Évaluation de {self.registration}"


class DocumentKind(models.TextChoices):
    KIT = "dossier", "Dossier du participant"
    PROCEEDINGS = "actes", "Actes"


class GeneratedDocument(models.Model):
    """A PDF made from the event's records outside the web request; the file of the last
    generation is kept until the next one is ready."""

    class Status(models.TextChoices):
        PENDING = "en-cours", "En cours"
        READY = "pret", "Prêt"
        FAILED = "echec", "Échec"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("document", max_length=12, choices=DocumentKind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="events/documents/", blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "document généré"
        verbose_name_plural = "documents générés"
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="generated_document_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.event}"
