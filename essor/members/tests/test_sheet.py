"""The authority profile sheet: its sections, related territories, comparable authorities,
and the cache served to anonymous visitors."""

import datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.template.defaultfilters import floatformat

from essor.core.caching import CACHE_HEADER
from essor.core.services import theme_get_or_create
from essor.core.testing import assert_page_ok, count_queries
from essor.members import selectors, services
from essor.members.sheet import (
    axes_html,
    budgets_html,
    figures_html,
    french_number,
    level_label,
    long_date,
)
from essor.members.tests.factories import authority_for, person
from essor.territories.models import EpciNature, Territory, TerritoryKind

pytestmark = pytest.mark.django_db
JOINED = datetime.date(2012, 1, 1)


@pytest.fixture
def gironde():
    authority = authority_for("33", kind="departement", joined_on=JOINED)
    services.profile_update(
        authority,
        fields={
            "address": "Esplanade Charles-de-Gaulle\n33074 Bordeaux",
            "ess_context": "Une politique ESS engagée depuis le premier mandat.",
            "ess_programme": "Trois axes votés en assemblée.",
        },
        policy_axes=[
            {"title": "Soutenir la création d'activités", "description": ""},
            {"title": "Développer la commande publique responsable", "description": "Clauses"},
        ],
        ess_figures=[{"label": "emplois dans l'ESS", "value": "52000", "unit": "", "year": 2015}],
        ess_budgets=[{"year": 2016, "amount": "1250000", "note": ""}],
        themes=[theme_get_or_create("Économie circulaire")],
    )
    return authority


def test_sheet_shows_every_section_of_the_fiche(client, gironde):
    html = assert_page_ok(client.get(gironde.get_absolute_url()))
    for expected in (
        "Contexte de la politique ESS",
        "Une politique ESS engagée",
        "Programme d'intervention",
        "Développer la commande publique responsable",
        "L'ESS sur le territoire en chiffres",
        "52",  # the figure
        "Budget consacré à l'ESS",
        "1\u00a0250\u00a0000 €",
        "33074 Bordeaux",
        "Économie circulaire",
        "adhérente du réseau depuis 2012",
    ):
        assert expected in html, expected


def test_population_comes_from_the_referential(client, gironde):
    html = assert_page_ok(client.get(gironde.get_absolute_url()))
    population = gironde.territory.population
    assert population and f"{population:,}".replace(",", "\u00a0") in html


def test_parents_and_members_within(client, gironde):
    merignac = authority_for("33281", joined_on=JOINED)
    metropole = authority_for("243300316", kind="epci")  # known, not a member
    html = assert_page_ok(client.get(merignac.get_absolute_url()))
    parents = {p.territory.kind: p for p in selectors.parent_territories(merignac)}
    assert parents["departement"].is_member and parents["departement"].authority == gironde
    assert not parents["epci"].is_member and parents["epci"].authority == metropole
    assert parents["region"].authority is None
    assert "Nouvelle-Aquitaine" in html and metropole.get_absolute_url() in html
    within = assert_page_ok(client.get(gironde.get_absolute_url()))
    assert merignac.get_absolute_url() in within and metropole.get_absolute_url() not in within


def test_comparable_authorities_rank_peers_first(gironde):
    for code in ("40", "59", "13", "90"):  # Landes, Nord, Bouches-du-Rhône, Territoire de Belfort
        authority_for(code, kind="departement", joined_on=JOINED)
    authority_for("33063", joined_on=JOINED)  # Bordeaux: a commune, not a peer
    authority_for("47", kind="departement")  # Lot-et-Garonne: not a member
    ranked = [c.authority.name for c in selectors.comparable_authorities(gironde)]
    assert "Bordeaux" not in ranked and "Lot-et-Garonne" not in ranked
    assert "Gironde" not in ranked
    # Landes lies in the same région; Nord and Bouches-du-Rhône are as populous;
    # the Territoire de Belfort is small and far: last.
    assert ranked == ["Landes", "Bouches-du-Rhône", "Nord", "Territoire de Belfort"]


def test_shared_themes_bring_an_authority_closer(gironde):
    nord = authority_for("59", kind="departement", joined_on=JOINED)
    rhone = authority_for("13", kind="departement", joined_on=JOINED)
    before = [c.authority for c in selectors.comparable_authorities(gironde)]
    last = before[-1]
    last.themes.add(theme_get_or_create("Économie circulaire"))
    last.save()  # a cluster's relations are written when it is saved
    after = selectors.comparable_authorities(gironde)
    assert after[0].authority == last and {nord, rhone} == set(before)
    assert any("Économie circulaire" in reason for reason in after[0].reasons)


def test_sheet_queries_do_not_grow_with_data(client, gironde):
    url = gironde.get_absolute_url()
    authority_for("40", kind="departement", joined_on=JOINED)  # one peer, one member within
    authority_for("33281", joined_on=JOINED)
    before = count_queries(client, url)
    for code in ("59", "13", "23", "64"):
        authority_for(code, kind="departement", joined_on=JOINED)
    for code in ("33063", "33318"):
        commune = authority_for(code, joined_on=JOINED)
        services.position_record(person("Élu", code), title="Adjoint", authority=commune)
    for index in range(4):
        services.position_record(person("Agent", str(index)), title="Chargé", authority=gironde)
    assert count_queries(client, url) == before


def test_anonymous_pages_come_from_the_cache_and_are_fresh_after_an_edit(client, gironde):
    url = gironde.get_absolute_url()
    assert client.get(url)[CACHE_HEADER] == "miss"
    assert client.get(url)[CACHE_HEADER] == "hit"
    services.profile_update(gironde, fields={"ess_context": "Nouveau contexte rédigé."})
    response = client.get(url)
    assert (
        response[CACHE_HEADER] == "miss" and "Nouveau contexte rédigé." in response.content.decode()
    )
    directory = "/reseau/collectivites/"
    assert client.get(directory)[CACHE_HEADER] == "miss"
    authority_for("40", kind="departement", joined_on=JOINED)
    assert "Landes" in client.get(directory).content.decode()


def test_logged_in_users_never_get_the_anonymous_copy(client, gironde, make_user):
    url = gironde.get_absolute_url()
    client.get(url)
    client.force_login(make_user())
    response = client.get(url)
    assert CACHE_HEADER not in response and "Se déconnecter" in response.content.decode()


# --- the sheet's parts written in Python, against the template fragments they replace ----

_FORMER = {
    "figures": (
        "{% for figure in figures %}\n    "
        '<li class="figure"><span class="figure__value">{{ figure.value|floatformat:"-2g" }}'
        "{% if figure.unit %} {{ figure.unit }}{% endif %}</span> "
        '<span class="figure__label">{{ figure.label }}{% if figure.year %} ({{ figure.year }})'
        "{% endif %}</span></li>\n    {% endfor %}"
    ),
    "axes": (
        "{% for axis in axes %}<li><strong>{{ axis.title }}</strong>{% if axis.description %}"
        "<br>{{ axis.description }}{% endif %}</li>{% endfor %}"
    ),
    "budgets": (
        '{% for budget in budgets %}<tr><th scope="row">{{ budget.year }}</th>'
        '<td class="number">{{ budget.amount|floatformat:"0g" }} €</td>'
        "<td>{{ budget.note }}</td></tr>{% endfor %}"
    ),
    "date": '{{ day|date:"j F Y" }}',
}
_TRICKY = '<b>"Tiers-lieux"</b> & co'


def _former(name: str, **context: object) -> str:
    return engines["django"].from_string(_FORMER[name]).render(context)


def test_figures_axes_and_budgets_are_written_as_the_template_wrote_them():
    figures = [
        {"label": _TRICKY, "value": Decimal("52000"), "unit": "", "year": 2015},
        {"label": "part", "value": Decimal("12.5"), "unit": _TRICKY, "year": None},
        {"label": "grand", "value": Decimal("1234567.89"), "unit": "€", "year": 2020},
    ]
    axes = [{"title": _TRICKY, "description": ""}, {"title": "B", "description": _TRICKY}]
    budgets = [
        {"year": 2016, "amount": Decimal("1250000"), "note": _TRICKY},
        {"year": 2015, "amount": Decimal("999.5"), "note": ""},
    ]
    assert figures_html(figures) == _former("figures", figures=figures)
    assert axes_html(axes) == _former("axes", axes=axes)
    assert budgets_html(budgets) == _former("budgets", budgets=budgets)
    assert "<b>" not in figures_html(figures) + axes_html(axes) + budgets_html(budgets)


@pytest.mark.parametrize(
    "value",
    ["0", "0.004", "-0.004", "0.005", "0.995", "12.3", "12.345", "999.5", "1000", "1E+3",
     "52000", "1234567.89", "-1234.555", "999999999999.99", "1250000.00", "-0.5"],
)  # fmt: skip
def test_numbers_are_written_as_the_floatformat_filter_wrote_them(value):
    number = Decimal(value)
    assert french_number(number, 2) == floatformat(number, "-2g")
    assert french_number(number, 0) == floatformat(number, "0g")


def test_level_labels_are_those_of_the_territory():
    for kind in TerritoryKind.values:
        for nature in ["", *EpciNature.values]:
            territory = Territory(kind=kind, nature=nature)
            assert level_label(territory) == territory.level_label


@pytest.mark.parametrize("day", [datetime.date(2024, 1, 28), datetime.date(2009, 8, 1)])
def test_long_dates_are_those_of_the_date_filter(day):
    assert long_date(day) == _former("date", day=day)
