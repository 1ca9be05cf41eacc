"""The layout every page shares: the network's identity and the legal links, read cheaply."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from essor.core.forms import QuickSelect
from essor.core.models import NetworkSettings
from essor.core.testing import assert_page_ok

pytestmark = pytest.mark.django_db


def test_the_network_identity_shows_whatever_host_the_site_answers_on(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    identity = NetworkSettings.load()
    identity.network_name = "Réseau des territoires solidaires"
    identity.save()
    assert not Site.objects.filter(hostname="autre-nom.example").exists()
    html = assert_page_ok(client.get("/reseau/collectivites/", HTTP_HOST="autre-nom.example"))
    assert "Réseau des territoires solidaires" in html


def test_a_module_page_never_looks_up_the_wagtail_site(client, settings):
    settings.ESSOR_DATA_CACHE = False
    settings.ESSOR_PAGE_CACHE = False
    assert_page_ok(client.get("/reseau/collectivites/"))  # Wagtail keeps its sites' root paths
    with CaptureQueriesContext(connection) as queries:
        assert_page_ok(client.get("/reseau/collectivites/"))
    assert not [q for q in queries.captured_queries if "wagtailcore_site" in q["sql"]]


@pytest.mark.parametrize("data_cache", [True, False])
def test_an_unpublished_legal_page_leaves_the_footer_of_every_page(client, settings, data_cache):
    settings.ESSOR_DATA_CACHE = data_cache
    assert 'href="/accessibilite/"' in assert_page_ok(client.get("/reseau/collectivites/"))
    Page.objects.get(slug="accessibilite").specific.unpublish()
    html = assert_page_ok(client.get("/reseau/collectivites/"))
    assert 'href="/accessibilite/"' not in html
    assert 'href="/mentions-legales/"' in html


class _Filters(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.reads = 0

    def read_choices(self) -> list:
        self.reads += 1
        return [("", "Toutes"), ("a", "Première <b>"), ("b", "Seconde")]


@pytest.mark.parametrize("value", ["b", ""])
def test_a_quick_select_reads_its_choices_once_and_marks_the_chosen_one(value):
    form = _Filters()
    field = forms.ChoiceField(required=True, choices=form.read_choices, widget=QuickSelect)
    form.fields["pick"] = field
    bound = form["pick"]
    html = str(bound.as_widget(attrs={"id": "pick"}))
    assert form.reads == 1
    assert "Première &lt;b&gt;" in html
    assert ('<option value="b" selected>' in str(field.widget.render("pick", value))) is bool(value)
    # A placeholder first: the browser may require a choice.
    assert " required" in html


def test_each_form_reads_fresh_choices():
    values = ["a"]
    field = forms.ChoiceField(required=False, choices=lambda: [(v, v) for v in values])
    field.widget = QuickSelect(choices=field.widget.choices)

    class One(forms.Form):
        pick = field

    assert 'value="a"' in str(One()["pick"])
    values.append("z")
    assert 'value="z"' in str(One()["pick"])
