"""The profile sheet form a member user fills in (the team uses the admin)."""

from django import forms
from django.utils import timezone

from essor.core.forms import FrenchDecimalField
from essor.core.models import Theme
from essor.members.models import Authority

_MAX_LINES = 30


def _year_field(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label="Année",
        required=required,
        min_value=1980,
        max_value=timezone.localdate().year + 5,
    )


class MemberCountDateForm(forms.Form):
    au = forms.DateField(
        label="Nombre d'adhérentes au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


class ProfileForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        label="Thèmes",
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Authority
        fields = ["website", "address", "ess_context", "ess_programme", "themes"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "ess_context": forms.Textarea(attrs={"rows": 6}),
            "ess_programme": forms.Textarea(attrs={"rows": 4}),
        }


class PolicyAxisForm(forms.Form):
    title = forms.CharField(label="Axe", max_length=250)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EssFigureForm(forms.Form):
    label = forms.CharField(label="Intitulé", max_length=200)
    value = FrenchDecimalField(label="Valeur", max_digits=14, decimal_places=2, localize=True)
    unit = forms.CharField(label="Unité", max_length=40, required=False)
    year = _year_field(required=False)


class EssBudgetForm(forms.Form):
    year = _year_field()
    amount = FrenchDecimalField(
        label="Montant (€)",
        max_digits=14,
        decimal_places=2,
        localize=True,
        min_value=0,
        error_messages={"min_value": "Un budget ne peut pas être négatif."},
    )
    note = forms.CharField(label="Précision", max_length=250, required=False)


class _LinesFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The filled lines, in order, without the ones marked for deletion."""
        return [
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class _BudgetFormSet(_LinesFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        years = [row["year"] for row in self.rows()]
        if len(years) != len(set(years)):
            raise forms.ValidationError("Une seule ligne de budget par année.")


def _formset(form: type, base: type = _LinesFormSet) -> type:
    return forms.formset_factory(
        form,
        formset=base,
        extra=2,
        can_delete=True,
        max_num=_MAX_LINES,
        validate_max=True,
    )


PolicyAxisFormSet = _formset(PolicyAxisForm)
EssFigureFormSet = _formset(EssFigureForm)
EssBudgetFormSet = _formset(EssBudgetForm, _BudgetFormSet)


def profile_formsets(authority: Authority, data: object = None) -> dict[str, forms.BaseFormSet]:
    """The three lists of the sheet, prefilled from the authority."""
    return {
        "axes": PolicyAxisFormSet(
            data,
            prefix="axes",
            initial=[
                {"title": a.title, "description": a.description}
                for a in authority.policy_axes.all()
            ],
        ),
        "figures": EssFigureFormSet(
            data,
            prefix="chiffres",
            initial=[
                {"label": f.label, "value": f.value, "unit": f.unit, "year": f.year}
                for f in authority.ess_figures.all()
            ],
        ),
        "budgets": EssBudgetFormSet(
            data,
            prefix="budgets",
            initial=[
                {"year": b.year, "amount": b.amount, "note": b.note}
                for b in authority.ess_budgets.all()
            ],
        ),
    }
