"""An initiative's page: what it shows, to whom, its similar initiatives and its preview."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.core.caching import CACHE_HEADER
from essor.core.roles import Role
from essor.core.testing import assert_page_ok, count_queries
from essor.initiatives import selectors
from essor.initiatives.models import (
    Contact,
    Financing,
    Initiative,
    InitiativePlace,
    Involvement,
    LeverUse,
    PracticeSheet,
    SheetInitiative,
    Source,
)
from essor.initiatives.tests.factories import initiative_make, sheet_make
from essor.members.services import member_user_attach
from essor.members.tests.factories import authority_for
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db
EMAIL = "camille.martin@example.org"


def commune(code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=code)


@pytest.fixture
def bousol():
    """A local currency with everything its page can show."""
    boulogne = authority_for("62160", joined_on=datetime.date(2012, 1, 1))
    departement = authority_for("62", kind="departement")
    initiative = initiative_make(
        "Le Bou'Sol, monnaie locale",
        summary="Une monnaie locale complémentaire pour le commerce de proximité.",
        description="<p>Lancée en <b>mai 2013</b> : 20 € donnent 21 Bou'Sols.</p>",
        carrier_name="Association Bou'Sol",
        legal_form="association",
        year_started=2013,
        website="https://example.org/bousol",
        themes=("Économie circulaire", "Utilité sociale"),
        territory_types=("urbain", "littoral"),
        places=(commune("62160"), commune("62193")),
        authorities=(boulogne, departement),
        tools=("subvention-fonctionnement", "appel-a-projets", "communication"),
        contacts=({"name": "Camille Martin", "role": "Coordinatrice", "email": EMAIL},),
        figures=(("heures de travail", 300000, "heures"), ("taux de conversion", 5, "%")),
    )
    LeverUse.objects.create(initiative=initiative, tool="locaux")  # no authority given
    Financing.objects.create(
        initiative=initiative, source="Fondation de France", amount=Decimal("12500.50"), year=2014
    )
    Source.objects.create(initiative=initiative, kind="web", title="Site du Bou'Sol")
    live = sheet_make("Les monnaies locales", number=12)
    SheetInitiative.objects.create(sheet=live, initiative=initiative)
    draft = sheet_make("Une fiche en préparation", number=13, live=False)
    PracticeSheet.objects.filter(pk=draft.pk).update(live=False)
    SheetInitiative.objects.create(sheet=draft, initiative=initiative)
    return {"initiative": initiative, "boulogne": boulogne, "departement": departement}


def test_shows_the_initiative_with_its_authorities_and_levers(client, bousol):
    initiative = bousol["initiative"]
    html = assert_page_ok(client.get(initiative.get_absolute_url()))
    assert html.count("<h1") == 1 and "Le Bou&#x27;Sol, monnaie locale" in html
    assert "<b>mai 2013</b>" in html  # rich text
    assert "Association Bou&#x27;Sol" in html and "2013" in html
    # Places link to the sheet of their authority when there is one.
    assert f'href="{bousol["boulogne"].get_absolute_url()}"' in html
    assert "Calais" in html
    # Authorities with their role and levers, grouped by lever, labels of the study.
    assert "Soutien financier et technique." in html
    assert (
        "<strong>Partenariats financiers directs</strong> : Subvention de fonctionnement, "
        "Appel à projets ou à manifestation d&#x27;intérêt"
    ) in html
    assert "Autres leviers mobilisés" in html and "Mise à disposition de locaux" in html
    # French number formatting.
    assert "300\u00a0000 heures" in html and "12\u00a0500,5 €" in html
    assert "Site du Bou&#x27;Sol" in html
    # Live practice sheets only.
    assert "Fiche n° 12 — Les monnaies locales" in html
    assert "Une fiche en préparation" not in html


def test_contacts_are_for_members_only(client, bousol, make_user):
    url = bousol["initiative"].get_absolute_url()
    html = client.get(url).content.decode()
    assert EMAIL not in html and "réservées aux membres" in html
    assert "Proposer une modification" not in html
    visitor = make_user()
    client.force_login(visitor)
    html = client.get(url).content.decode()
    change = reverse("initiatives:propose_change", args=[bousol["initiative"].slug])
    # Only users who may propose a change see the link (the team, the authorities involved).
    assert EMAIL not in html and change not in html
    member = make_user(Role.MEMBER)
    member_user_attach(member, bousol["boulogne"])
    client.force_login(member)
    html = client.get(url).content.decode()
    assert EMAIL in html and "Coordinatrice" in html
    assert change in html  # Boulogne is involved in the Bou'Sol


def test_unpublished_initiatives_are_not_found(client, bousol):
    draft = initiative_make("Une initiative en relecture", live=False)
    Initiative.objects.filter(pk=draft.pk).update(live=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("initiatives:detail", args=["inconnue"])).status_code == 404
    Initiative.objects.filter(pk=bousol["initiative"].pk).update(live=False)
    assert client.get(bousol["initiative"].get_absolute_url()).status_code == 404


def test_similar_initiatives_share_themes_levers_form_and_region(client, bousol):
    boulogne = bousol["boulogne"]
    initiative_make(
        "Monnaie locale de Lille",
        themes=("Économie circulaire", "Utilité sociale"),
        places=(commune("59350"),),
        authorities=(boulogne,),
        tools=("subvention-fonctionnement",),
        legal_form="association",
    )
    initiative_make(
        "Recyclerie de Brest",
        themes=("Économie circulaire",),
        places=(commune("29019"),),
        legal_form="scic",
    )
    initiative_make("Sans rapport", themes=("Immigration",), places=(commune("62160"),))
    similar = selectors.similar_initiatives(bousol["initiative"])
    assert [s.name for s in similar] == ["Monnaie locale de Lille", "Recyclerie de Brest"]
    assert similar[0].reasons == [
        "thèmes communs : Utilité sociale, Économie circulaire",
        "mêmes leviers : partenariats financiers directs",
        "même forme juridique",
        "même région",
    ]
    assert similar[1].reasons == ["thèmes communs : Économie circulaire"]
    html = client.get(bousol["initiative"].get_absolute_url()).content.decode()
    assert "Initiatives similaires" in html and "Monnaie locale de Lille" in html


def test_similar_initiatives_without_theme_share_a_lever(bousol):
    lonely = initiative_make("Sans thème", tools=("locaux",), legal_form="scic")
    initiative_make("Même levier", tools=("foncier",), legal_form="scic")
    initiative_make("Autre levier", tools=("communication",), legal_form="scic")
    similar = selectors.similar_initiatives(lonely)
    # The Bou'Sol also has "locaux" (an authority gave premises): both share the lever.
    assert [s.name for s in similar] == ["Même levier", "Le Bou'Sol, monnaie locale"]
    assert similar[0].reasons == ["mêmes leviers : apports en nature", "même forme juridique"]
    assert similar[1].reasons == ["mêmes leviers : apports en nature"]
    assert selectors.similar_initiatives(initiative_make("Sans rien")) == []


def test_similar_initiatives_rank_a_bounded_pool_of_the_latest(bousol, monkeypatch):
    """However many initiatives share a theme, one query ranks the latest few of them."""
    for number in range(6):
        initiative_make(f"Ancienne {number}", themes=("Utilité sociale",))
    latest = [
        initiative_make(f"Récente {number}", themes=("Utilité sociale",)) for number in range(3)
    ]
    unpublished = initiative_make("Brouillon", themes=("Utilité sociale",), live=False)
    Initiative.objects.filter(pk=unpublished.pk).update(live=False)
    monkeypatch.setattr(selectors, "POOL_SIZE", 6)  # 3 per theme of the Bou'Sol
    likeness = _likeness(bousol["initiative"])
    with CaptureQueriesContext(connection) as queries:
        similar = selectors.similar_to(likeness, limit=10)
    assert len(queries) == 1
    assert sorted(s.name for s in similar) == sorted(i.name for i in latest)


def _likeness(initiative: Initiative) -> selectors.Likeness:
    lines = selectors.page_lines(initiative.pk, with_contacts=False)
    return selectors.likeness(initiative, lines)


def test_page_lines_read_in_sql_are_the_instance_lines(bousol):
    """The page reads the lines in plain SQL, the preview from the instance: the same."""
    initiative = Initiative.objects.get(pk=bousol["initiative"].pk)
    lines = selectors.page_lines(initiative.pk, with_contacts=True)
    assert lines == selectors.instance_lines(initiative, with_sheets=True)
    assert lines.sheets == [(12, "Les monnaies locales", lines.sheets[0][2])]
    assert lines.figures[0] == ("heures de travail", Decimal("300000"), "heures", None)
    hidden = selectors.page_lines(initiative.pk, with_contacts=False)
    assert hidden.contacts == [] and hidden.has_contacts
    published = selectors.published_initiative(initiative.slug)
    assert published.pk == initiative.pk and published.carrier_label == "Association Bou'Sol"
    assert selectors.published_initiative("inconnue") is None


def test_lines_built_in_python_are_escaped(client, bousol, make_user):
    initiative = bousol["initiative"]
    Source.objects.create(initiative=initiative, kind="web", title="<script>alert(1)</script>")
    Financing.objects.create(initiative=initiative, source="Fonds <b>", note="a & b")
    Contact.objects.filter(initiative=initiative).update(role="<i>Coordinatrice</i>")
    member = make_user(Role.MEMBER)
    member_user_attach(member, bousol["boulogne"])
    client.force_login(member)
    html = client.get(initiative.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Fonds &lt;b&gt;" in html and "a &amp; b" in html
    assert "&lt;i&gt;Coordinatrice&lt;/i&gt;" in html


def test_page_queries_do_not_grow_with_similar_candidates(client, bousol):
    url = bousol["initiative"].get_absolute_url()
    before = count_queries(client, url)
    for number in range(12):
        initiative_make(f"Voisine {number}", themes=("Utilité sociale",), legal_form="scic")
    assert count_queries(client, url) == before


def test_queries_do_not_grow_with_the_initiatives_lines(client, bousol):
    url = bousol["initiative"].get_absolute_url()
    before = count_queries(client, url)
    initiative = bousol["initiative"]
    for code in ("62193", "62893", "62178"):
        authority = authority_for(code)
        Involvement.objects.create(initiative=initiative, authority=authority, role="Locaux")
        LeverUse.objects.create(initiative=initiative, authority=authority, tool="locaux")
        InitiativePlace.objects.get_or_create(initiative=initiative, territory=commune(code))
    assert count_queries(client, url) == before


def test_anonymous_copy_is_fresh_after_an_edit(client, bousol):
    initiative = bousol["initiative"]
    url = initiative.get_absolute_url()
    assert client.get(url)[CACHE_HEADER] == "miss"
    assert client.get(url)[CACHE_HEADER] == "hit"
    initiative.summary = "Un nouveau résumé après relecture."
    initiative.save()
    response = client.get(url)
    assert response[CACHE_HEADER] == "miss"
    assert "Un nouveau résumé après relecture." in response.content.decode()


def test_admin_preview_renders_the_page(bousol, make_user):
    request = RequestFactory().get("/admin/")
    # A user without admin access: Wagtail's user bar (its own templates) stays out of it.
    request.user = make_user()
    initiative = Initiative.objects.get(pk=bousol["initiative"].pk)
    response = initiative.serve_preview(request, "")
    response.render()
    html = response.content.decode()
    assert "Le Bou&#x27;Sol, monnaie locale" in html and "Une monnaie locale" in html


def test_page_parts_work_for_an_unsaved_preview(bousol, make_user):
    """What the admin preview of a new initiative holds: lines not saved, levers derived."""
    initiative = Initiative(name="Nouvelle initiative", slug="nouvelle", summary="Résumé.")
    initiative.places = [InitiativePlace(territory=commune("62160"))]
    initiative.involvements = [Involvement(authority=bousol["boulogne"], role="Locaux")]
    initiative.lever_uses = [LeverUse(authority=bousol["boulogne"], tool="locaux")]
    display = selectors.initiative_display(initiative, make_user(Role.EDITOR), preview=True)
    assert display["involvements"][0]["levers"][0].label == "Apports en nature"
    assert display["places"][0]["name"] == "Boulogne-sur-Mer"
    assert display["show_contacts"] and display["sheets"] == []


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("300000"), "300\u00a0000"),
        (Decimal("12.50"), "12,5"),
        (Decimal("-1234.25"), "-1\u00a0234,25"),
        (7, "7"),
    ],
)
def test_french_numbers(value, text):
    assert selectors.french_number(value) == text


def test_authority_sheet_lists_the_initiatives_it_supports(client, bousol):
    from essor.initiatives import related

    html = client.get(bousol["boulogne"].get_absolute_url()).content.decode()
    assert "Initiatives soutenues" in html
    assert bousol["initiative"].get_absolute_url() in html
    for number in range(related.AUTHORITY_SHOWN):
        initiative_make(f"Initiative {number:02d}", authorities=(bousol["departement"],))
    block = related.authority_initiatives(bousol["departement"])
    assert len(block["items"]) == related.AUTHORITY_SHOWN + 1
    assert block["items"][-1]["label"] == f"Voir les {related.AUTHORITY_SHOWN + 1} initiatives"
    assert f"collectivite={bousol['departement'].slug}" in block["items"][-1]["url"]
    assert related.authority_initiatives(authority_for("14118")) is None
    assert related.initiative_figures()[0]["value"] == related.AUTHORITY_SHOWN + 1


def test_sitemap_lists_published_initiatives_only(bousol):
    from essor.initiatives.sitemaps import SITEMAPS

    draft = initiative_make("Brouillon", live=False)
    Initiative.objects.filter(pk=draft.pk).update(live=False)
    locations = {
        SITEMAPS["initiatives"]().location(item) for item in SITEMAPS["initiatives"]().items()
    }
    assert locations == {bousol["initiative"].get_absolute_url()}
    pages = SITEMAPS["initiative-pages"]()
    assert [pages.location(item) for item in pages.items()][:2] == [
        "/initiatives/",
        "/initiatives/carte/",
    ]
