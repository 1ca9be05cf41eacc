"""The directory's filter form read and written in Python: the same filters as
DirectoryFilterForm and the same HTML as core/includes/filter_form.html, every value
escaped; an invalid query goes through Django's form, which explains it."""

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from essor.members.directory import DirectoryFilterForm
from essor.members.directory_form import directory_query
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db
ACTION = "/reseau/collectivites/"

VALID = [
    "",
    "page=2",
    "q=saint",
    "q=++ville+de++",
    "q=%22%3E%3Cscript%3E&tri=population",
    "niveau=commune&tri=population",
    "region=75&population=10000-50000",
    "departement=2A&adhesion=2015&page=2",
    "niveau=&region=&departement=&population=&adhesion=&tri=&q=",
    "niveau=region&niveau=commune",  # the last value counts, as in Django's form
    "tri=anciennete&adhesion=1990",
    "niveau[]=x",  # not a field
]
INVALID = [
    "niveau=xx",
    "adhesion=abc",
    "adhesion=1989",
    "region=zz&tri=%27;drop",
    "departement=999",
    "q=" + "a" * 101,
    "q=a%00b",
]


def _by_django(query: str) -> tuple:
    data = QueryDict(query)
    form = DirectoryFilterForm(data or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    html = render_to_string(
        "core/includes/filter_form.html",
        {
            "form": form,
            "action": ACTION,
            "label": mark_safe("Filtrer l'annuaire"),
            "is_filtered": filters.is_filtered,
        },
    )
    return filters, html


@pytest.mark.parametrize("query", VALID + INVALID)
def test_same_filters_and_html_as_django_form(query):
    found = directory_query(QueryDict(query), ACTION)
    filters, html = _by_django(query)
    assert found.filters == filters
    assert str(found.form_html) == html


@pytest.mark.parametrize("query", INVALID)
def test_an_invalid_value_is_explained(query):
    assert "ne sont pas valides" in directory_query(QueryDict(query), ACTION).form_html


def test_values_and_names_are_escaped():
    Territory.objects.filter(kind="region", code="75").update(
        name='Nouvelle <b>"Aquitaine"</b> & co'
    )
    found = directory_query(QueryDict("q=%22%3E%3Cb%3E&region=75"), ACTION)
    html = str(found.form_html)
    assert 'value="&quot;&gt;&lt;b&gt;"' in html
    assert (
        '<option value="75" selected>Nouvelle &lt;b&gt;&quot;Aquitaine&quot;&lt;/b&gt; &amp; co</option>'
        in html
    )
    assert "<b>" not in html
