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


def test_a_compiled_query_is_compiled_once_and_reads_current_rows(monkeypatch):
    from essor.core.compiled import CompiledQuery

    built = []

    def build():
        built.append(1)
        return Page.objects.filter(slug="accessibilite").values_list("title", flat=True)

    titles = CompiledQuery(build)
    first = titles.rows()
    Page.objects.filter(slug="accessibilite").update(title="Accessibilité du site")
    assert first != titles.rows() == [("Accessibilité du site",)]
    assert len(built) == 1


def test_the_network_identity_is_read_fresh_on_every_page(client, settings):
    settings.ESSOR_PAGE_CACHE = False
    identity = NetworkSettings.load()
    identity.network_acronym, identity.is_demo = "", False
    identity.postal_address = "1 rue de la Paix\n75000 Paris"
    identity.save()
    html = assert_page_ok(client.get("/reseau/collectivites/"))
    assert "demo-banner" not in html
    assert f'<span class="brand__name">{identity.network_name}</span>' in html
    assert "1 rue de la Paix<br>75000 Paris" in html
    identity.network_acronym, identity.is_demo = "RTES", True
    identity.save()
    html = assert_page_ok(client.get("/reseau/collectivites/"))
    assert "demo-banner" in html
    assert '<span class="brand__name">RTES</span>' in html


def test_a_new_instance_shows_the_default_identity():
    from essor.core.selectors import network_identity

    NetworkSettings.objects.all().delete()
    assert network_identity().network_name == "Essor"
    assert NetworkSettings.objects.count() == 1


def test_the_menu_follows_the_role_and_the_modules_hooks(django_user_model):
    from django.contrib.auth.models import AnonymousUser
    from wagtail import hooks

    from essor.core.navigation import MAIN_MENU_HOOK, NavEntry, menu_for
    from essor.core.roles import Role

    def members_only() -> NavEntry:
        return NavEntry("Espace réservé", "accounts:account", order=1, role=Role.MEMBER)

    visitor_menu = menu_for(AnonymousUser())
    with hooks.register_temporarily(MAIN_MENU_HOOK, members_only):
        assert menu_for(AnonymousUser()) == visitor_menu
        admin = django_user_model.objects.create_superuser("a@example.org", "x")
        assert menu_for(admin)[0] == {
            "label": "Espace réservé",
            "url": "/compte/",
            "description": "",
        }
    assert "Espace réservé" not in [entry["label"] for entry in menu_for(admin)]
