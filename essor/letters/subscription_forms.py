"""Forms of the subscriptions: the public subscription form, the member space's one-click
buttons and the admin's import. Each one validates everything it receives: views never read
request data another way."""

from django import forms

from essor.letters import subscriptions
from essor.letters.models import LetterKind

# The honeypot: a field people never see nor reach; robots that fill every field fill it.
HONEYPOT_FIELD = "site_internet"
PRIVACY_SENTENCE = (
    "Votre adresse sert uniquement à vous envoyer la lettre. Elle n'est jamais transmise à "
    "des tiers ; chaque lettre contient un lien de désabonnement, et vous pouvez à tout moment "
    "consulter et supprimer vos données d'abonnement."
)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        help_text="Par exemple : prenom.nom@collectivite.fr",
        error_messages={
            "required": "Saisissez votre adresse électronique.",
            "invalid": "Cette adresse électronique n'est pas valide : vérifiez-la "
            "(forme attendue : prenom.nom@collectivite.fr).",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=subscriptions.FORM_CONSENT_TEXT,
        error_messages={
            "required": "Cochez la case d'accord pour recevoir la lettre : sans cet accord, "
            "l'abonnement ne peut pas être enregistré."
        },
    )
    site_internet = forms.CharField(
        label="Ne pas remplir ce champ",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_email(self) -> str:
        email = subscriptions.normalize_email(self.cleaned_data["email"])
        if subscriptions.is_disposable(email):
            raise forms.ValidationError(
                "Les adresses jetables ou temporaires ne sont pas acceptées : la lettre "
                "arrive chaque mois pendant des années. Indiquez une adresse que vous "
                "consultez durablement.",
                code="disposable",
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get(HONEYPOT_FIELD):
            raise forms.ValidationError(
                "L'abonnement n'a pas été enregistré : le champ « Ne pas remplir ce champ » "
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


class MemberSubscriptionForm(forms.Form):
    """A button of the member space or account page: subscribe or unsubscribe one list."""

    kind = forms.ChoiceField(choices=LetterKind.choices)
    subscribe = forms.TypedChoiceField(
        choices=[("1", "s'abonner"), ("0", "se désabonner")],
        coerce=lambda value: value == "1",
    )


class SubscriptionImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier des adresses (CSV)",
        help_text="CSV en UTF-8 ou Windows-1252, séparateur point-virgule ou virgule, 5 Mo au "
        "plus. La première ligne porte les noms des colonnes.",
        widget=forms.FileInput(attrs={"accept": ".csv,.txt"}),
    )
    kind = forms.ChoiceField(label="Liste", choices=LetterKind.choices, initial=LetterKind.LETTER)
    send_confirmation = forms.BooleanField(
        label="Envoyer une demande de confirmation",
        required=False,
        help_text="Aux seules nouvelles adresses sans date de consentement, envoyée en "
        "arrière-plan après l'import (quelques minutes pour une longue liste). Sans cette case, "
        "elles restent en attente sans recevoir de courriel (et sont effacées après le délai "
        "de purge).",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith((".xls", ".xlsx", ".ods")):
            raise forms.ValidationError(
                "Seul le format CSV est lu : dans votre tableur, choisissez « Enregistrer "
                "sous » puis « CSV (séparateur : point-virgule) »."
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "Le fichier dépasse 5 Mo : découpez la liste en plusieurs fichiers."
            )
        return upload
