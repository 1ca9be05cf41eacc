"""A list's filter form read and written in Python: for every query, the same filters as the
Django form and the same HTML as core/includes/filter_form.html; invalid values explained."""

import pytest
from django import forms
from django.http import QueryDict
from django.template.loader import render_to_string

from essor.core.filter_forms import FILTER_FORM_TEMPLATE, FilterFormWriter
from essor.core.forms import QuickSelect

PLACES = [("", "Toutes les régions"), ("11", "Île-de-France"), ("94", 'Corse <"Sud"> & co')]
YEARS = [("", "Toutes les années"), (2015, "2015"), (2016, "2016")]


class _Filters(forms.Form):
    q = forms.CharField(
        label="Nom",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Tous"), ("a", "A & B")], widget=QuickSelect
    )
    place = forms.ChoiceField(label="Région", required=False, choices=(), widget=QuickSelect)
    year = forms.TypedChoiceField(
        label="Année", required=False, choices=(), coerce=int, empty_value=None, widget=QuickSelect
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = PLACES
        self.fields["year"].choices = YEARS


class _Chosen(dict):
    @property
    def is_filtered(self) -> bool:
        return any(value not in ("", None) for value in self.values())


WRITER = FilterFormWriter(_Filters, "Filtrer <la> liste", _Chosen)
ACTION = "/liste/?x=1&y=2"
VALID = [
    "",
    "page=3",
    "q=++saint++",
    "q=%22%3E%3Cb%3E",
    "kind=a&place=94&year=2016",
    "kind=&place=&year=&q=",
    "year=2015&year=2016",  # the last value counts, as in Django's form
    "unknown=1",
]
INVALID = ["kind=z", "place=75", "year=abc", "year=1999", "q=" + "x" * 21, "q=a%00b"]


def _by_django(query: str) -> tuple[dict, str]:
    form = _Filters(QueryDict(query) or None)
    valid = {}
    if form.is_bound:
        form.is_valid()
        valid = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    chosen = _Chosen(valid)
    context = {
        "form": form,
        "action": ACTION,
        "label": "Filtrer <la> liste",
        "is_filtered": chosen.is_filtered,
    }
    return chosen, render_to_string(FILTER_FORM_TEMPLATE, context)


def _by_writer(query: str):
    return WRITER.query(QueryDict(query), ACTION, {"place": PLACES, "year": YEARS})


@pytest.mark.parametrize("query", VALID + INVALID)
def test_the_same_filters_and_html_as_django_s_form_and_template(query):
    found = _by_writer(query)
    filters, html = _by_django(query)
    assert found.filters == filters
    assert str(found.form_html) == html


@pytest.mark.parametrize("query", INVALID)
def test_an_invalid_value_is_explained_and_dropped(query):
    found = _by_writer(query)
    assert "ne sont pas valides" in found.form_html
    assert 'aria-invalid="true"' in found.form_html


def test_values_labels_and_choices_are_escaped():
    html = str(_by_writer("q=%22%3E%3Cb%3E&place=94").form_html)
    assert 'value="&quot;&gt;&lt;b&gt;"' in html
    assert '<option value="94" selected>Corse &lt;&quot;Sud&quot;&gt; &amp; co</option>' in html
    assert 'aria-label="Filtrer &lt;la&gt; liste"' in html
    assert 'action="/liste/?x=1&amp;y=2"' in html
    assert "<b>" not in html


def test_a_field_the_writer_cannot_write_is_refused_at_once():
    class Required(forms.Form):
        kind = forms.ChoiceField(choices=[("a", "A")], widget=QuickSelect)

    with pytest.raises(TypeError):
        FilterFormWriter(Required, "Filtrer", dict)
