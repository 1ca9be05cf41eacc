"""The registration form (with or without an account) and the evaluation questionnaire.

Everything typed is checked here before the services write anything; the services check again
what depends on the moment (window, seats, address already registered) under the event's lock.
"""

import datetime
from decimal import Decimal

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone

from essor.events import selectors
from essor.events.models import Evaluation, Event, ParticipationMode, Registration
from essor.events.services import RegistrationRequest
from essor.members.models import AuthorityUser, Position

# How long the data of a registration is kept after the event (tasks.registrations_anonymise).
RETENTION_TEXT = "un an après la fin de l'événement"
CONSENT_LABEL = (
    "J'accepte que l'équipe du réseau utilise ces informations (nom, prénom, adresse "
    "électronique, structure, fonction, mode de participation et besoins particuliers) pour "
    "organiser l'événement : liste des participants, badges, feuille d'émargement, courriels de "
    "confirmation, de rappel et d'évaluation. Elles ne sont transmises à personne d'autre et sont "
    f"anonymisées {RETENTION_TEXT}."
)
# The honeypot: a field people never see nor reach; robots that fill every field fill it.
HONEYPOT_FIELD = "site_internet"


def money(amount: Decimal) -> str:
    """40 → "40 €", 12.5 → "12,50 €" (as the event's page writes it)."""
    return selectors.euros(amount)


def price_rule(event: Event) -> str:
    """ "Gratuit", or "Gratuit pour les adhérents ; 40 € pour les non-adhérents"."""
    return " ; ".join(selectors.price_lines(event))


def allowed_modes(event: Event) -> list[tuple[str, str]]:
    allowed = {
        ParticipationMode.ON_SITE: event.allows_on_site,
        ParticipationMode.LIVE: event.allows_live,
        ParticipationMode.REPLAY: event.allows_replay,
    }
    return [(mode.value, mode.label) for mode in ParticipationMode if allowed[mode]]


def registration_initial(user: object, today: datetime.date | None = None) -> dict:
    """A logged-in user's details for the form: names and address from the account (or from
    the person the account is attached to), the authority's name and the person's current
    position there."""
    if not getattr(user, "is_authenticated", False):
        return {}
    initial = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    link = AuthorityUser.objects.select_related("authority", "person").filter(user=user).first()
    if link is None:
        return initial
    initial["organisation"] = link.authority.name
    if link.person is not None:
        initial["first_name"] = initial["first_name"] or link.person.first_name
        initial["last_name"] = initial["last_name"] or link.person.last_name
        initial["position_title"] = _current_title(link, today or timezone.localdate())
    return initial


def _current_title(link: AuthorityUser, today: datetime.date) -> str:
    positions = Position.objects.filter(person=link.person, authority=link.authority).order_by(
        "-start_date", "title"
    )
    current = [position for position in positions if position.is_current(today)]
    return current[0].title if current else ""


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        help_text="La confirmation et le lien pour gérer votre inscription y sont envoyés.",
        error_messages={
            "invalid": "Cette adresse électronique n'est pas valide : vérifiez-la "
            "(par exemple prenom.nom@mairie.fr)."
        },
    )
    organisation = forms.CharField(
        label="Structure ou collectivité", max_length=250, required=False
    )
    position_title = forms.CharField(label="Fonction", max_length=200, required=False)
    mode = forms.ChoiceField(label="Participation", widget=forms.RadioSelect)
    needs = forms.CharField(
        label="Besoins particuliers",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Accessibilité, repas, accompagnement… (500 caractères au plus).",
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={
            "required": "Cochez la case d'accord sur l'utilisation de vos informations : "
            "sans cet accord, l'inscription ne peut pas être enregistrée."
        },
    )

    def __init__(self, *args: object, event: Event, seats_left: int | None, **kwargs: object):
        super().__init__(*args, **kwargs)
        choices = allowed_modes(event)
        if seats_left == 0:
            choices = [
                (value, f"{label} (complet : liste d'attente)")
                if value == ParticipationMode.ON_SITE
                else (value, label)
                for value, label in choices
            ]
        self.fields["mode"].choices = choices
        # Checked at first: the first mode that still has room (on site when full: the list).
        open_modes = [
            value
            for value, _label in choices
            if not (seats_left == 0 and value == ParticipationMode.ON_SITE)
        ]
        if choices:
            self.initial.setdefault("mode", (open_modes or [choices[0][0]])[0])
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["position_title"].widget.attrs["autocomplete"] = "organization-title"
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label="Ne pas remplir ce champ",
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if (self.data.get(HONEYPOT_FIELD) or "").strip():
            raise forms.ValidationError(
                "L'inscription n'a pas été enregistrée : le champ « Ne pas remplir ce champ » "
                "doit rester vide.",
                code="honeypot",
            )
        return cleaned

    @property
    def honeypot(self) -> forms.BoundField:
        return self[HONEYPOT_FIELD]

    def visible_user_fields(self) -> list[forms.BoundField]:
        """The fields people fill in (the honeypot apart), for the error summary."""
        return [field for field in self.visible_fields() if field.name != HONEYPOT_FIELD]

    def registration_request(self) -> RegistrationRequest:
        data = self.cleaned_data
        return RegistrationRequest(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            mode=data["mode"],
            organisation=data["organisation"],
            position_title=data["position_title"],
            needs=data["needs"],
        )


_SCALE = [
    (1, "1 – pas du tout"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 – tout à fait"),
]


class EvaluationForm(forms.ModelForm):
    satisfaction = forms.TypedChoiceField(
        label="Êtes-vous satisfait·e de l'événement ?",
        choices=_SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="De 1 (pas du tout) à 5 (tout à fait).",
        error_messages={"required": "Choisissez une note de 1 à 5."},
    )
    usefulness = forms.TypedChoiceField(
        label="L'événement vous sera-t-il utile dans votre action ?",
        choices=_SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="De 1 (pas du tout) à 5 (tout à fait).",
        error_messages={"required": "Choisissez une note de 1 à 5."},
    )

    class Meta:
        model = Evaluation
        fields = ["satisfaction", "usefulness", "comment", "quote_allowed"]
        labels = {
            "comment": "Votre commentaire",
            "quote_allowed": "J'accepte que mon commentaire soit cité sans mon nom sur la page "
            "de l'événement et dans le bilan d'activité du réseau.",
        }
        help_texts = {
            "comment": "Ce qui vous a été utile, ce qui manquait, vos suggestions (2 000 "
            "caractères au plus)."
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 5})}

    def save_for(self, registration: Registration) -> Evaluation | None:
        """Record the answer; None when this registration has already answered (a second
        tab, a double click): the first answer stands."""
        evaluation = self.save(commit=False)
        evaluation.registration = registration
        try:
            with transaction.atomic():
                evaluation.save()
        except IntegrityError:
            return None
        return evaluation
