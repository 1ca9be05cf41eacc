"""Admin forms of ingestion: the upload of a document, and the correction of a candidate
(one small form per kind; `review.candidate_correct` checks the values against the data)."""

from django import forms

from essor.events.models import EventKind
from essor.ingest.event_review import event_kind_guess
from essor.ingest.models import Candidate, CandidateKind
from essor.library.forms import DocumentFileField
from essor.library.models import PublicationKind
from essor.territories.models import TerritoryKind


class DocumentUploadForm(forms.Form):
    file = DocumentFileField(
        help_text="Un PDF ou un fichier texte : ce qu’il nomme est proposé à l’examen."
    )


class PersonCorrectionForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=100, required=False)
    last_name = forms.CharField(label="Nom", max_length=100)
    role = forms.CharField(label="Fonction", max_length=250, required=False)
    organisation = forms.CharField(
        label="Collectivité ou organisation",
        max_length=250,
        required=False,
        help_text="Une collectivité reconnue devient celle de son territoire officiel.",
    )


class PlaceCorrectionForm(forms.Form):
    kind = forms.ChoiceField(label="Niveau", choices=TerritoryKind.choices)
    code = forms.CharField(
        label="Code officiel",
        max_length=9,
        help_text="Code INSEE (région, département, commune) ou SIREN (EPCI, EPT).",
    )


class OrganisationCorrectionForm(forms.Form):
    name = forms.CharField(label="Nom", max_length=250)
    acronym = forms.CharField(label="Sigle", max_length=40, required=False)


class InitiativeCorrectionForm(forms.Form):
    name = forms.CharField(label="Nom de l’initiative", max_length=200)


class PublicationCorrectionForm(forms.Form):
    title = forms.CharField(label="Titre", max_length=300)
    kind = forms.ChoiceField(label="Type", choices=PublicationKind.choices)
    date = forms.DateField(
        label="Date de parution",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class EventCorrectionForm(forms.Form):
    title = forms.CharField(label="Titre de l’événement", max_length=250)
    kind = forms.ChoiceField(label="Type", choices=EventKind.choices)
    date = forms.DateField(
        label="Premier jour",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label="Dernier jour",
        required=False,
        help_text="Vide pour un événement d’une journée.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


CORRECTION_FORMS: dict[str, type[forms.Form]] = {
    CandidateKind.PERSON: PersonCorrectionForm,
    CandidateKind.PLACE: PlaceCorrectionForm,
    CandidateKind.ORGANISATION: OrganisationCorrectionForm,
    CandidateKind.INITIATIVE: InitiativeCorrectionForm,
    CandidateKind.PUBLICATION: PublicationCorrectionForm,
    CandidateKind.EVENT: EventCorrectionForm,
}


def correction_form(candidate: Candidate, data: dict | None = None) -> forms.Form | None:
    """The correction form of the candidate's kind, filled with what it holds now (None for
    a kind that is not corrected here). Field ids are unique on the review page."""
    form_class = CORRECTION_FORMS.get(candidate.kind)
    if form_class is None:
        return None
    initial = {name: candidate.data.get(name) for name in form_class.base_fields}
    if candidate.kind == CandidateKind.EVENT:
        initial.update(_event_initial(candidate.data))
    if (
        candidate.kind == CandidateKind.PUBLICATION
        and initial["kind"] not in PublicationKind.values
    ):
        initial["kind"] = PublicationKind.OTHER
    return form_class(data, initial=initial, prefix=f"candidate-{candidate.pk}")


def _event_initial(data: dict) -> dict:
    dates = sorted(data.get("dates") or [])
    return {
        "kind": data.get("kind") or event_kind_guess(data.get("title") or ""),
        "date": dates[0] if dates else None,
        "end_date": dates[-1] if len(dates) > 1 else None,
    }
