"""The search form: what a person types and the filters, read into typed values; a bad
filter is explained and left out, a query of any length or character never fails."""

from django import forms
from django.core.paginator import Page, Paginator

from essor.core.models import Theme
from essor.search.engine import MAX_QUERY_CHARS, Filters, Results, kind_labels

LEVELS = [
    ("region", "Région"),
    ("departement", "Département"),
    ("epci", "Intercommunalité"),
    ("ept", "Établissement public territorial"),
    ("commune", "Commune"),
    ("other", "Autre"),
]


class SearchForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, strip=True)
    kind = forms.ChoiceField(label="Type de contenu", required=False)
    theme = forms.ChoiceField(label="Thème", required=False)
    region = forms.ChoiceField(label="Région", required=False)
    level = forms.ChoiceField(
        label="Niveau de collectivité", required=False, choices=[("", "Tous"), *LEVELS]
    )
    year = forms.IntegerField(label="Année", required=False, min_value=1900, max_value=2100)

    def __init__(
        self, *args: object, regions: list[tuple[str, str]] = (), **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        self.fields["kind"].choices = [("", "Tous"), *kind_labels().items()]
        self.fields["theme"].choices = [("", "Tous"), *Theme.objects.values_list("slug", "name")]
        self.fields["region"].choices = [("", "Toutes"), *regions]

    def query(self) -> str:
        return (self.data.get("q") or "")[:MAX_QUERY_CHARS] if self.is_bound else ""

    def filters(self) -> Filters:
        """The valid filters; the others are reported by the form and not applied."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        cleaned = self.cleaned_data
        return Filters(
            **{
                name: cleaned.get(name) or (None if name == "year" else "")
                for name in ("kind", "theme", "region", "level", "year")
                if name not in self.errors
            }
        )


def results_page(results: Results) -> Page:
    """A Django page over the results, for the shared pagination template."""
    paginator = Paginator(
        range(min(results.total, results.pages * results.per_page)), results.per_page
    )
    return paginator.get_page(results.page)
