"""The faceted list of initiatives and its map."""

import pytest
from django.urls import reverse

from essor.core.caching import CACHE_HEADER
from essor.core.testing import assert_page_ok, count_queries
from essor.initiatives.models import Initiative
from essor.initiatives.tests.factories import initiative_make
from essor.members.tests.factories import authority_for
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db

LIST = reverse("initiatives:list")
MAP = reverse("initiatives:map")


def commune(code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=code)


@pytest.fixture
def made():
    """Mobility in the countryside supported by départements, and what is not."""
    gers = authority_for("32", kind="departement")
    lozere = authority_for("48", kind="departement")
    gironde = authority_for("33", kind="departement")
    bordeaux = authority_for("33063")
    nouvelle_aquitaine = authority_for("75", kind="region")
    draft = initiative_make(
        "Projet en attente de relecture",
        themes=("Mobilité durable",),
        territory_types=("rural",),
        places=(commune("32013"),),
        authorities=(gers,),
        live=False,
    )
    # The factory saves drafts with the model's default live=True: make it a real draft.
    Initiative.objects.filter(pk=draft.pk).update(live=False)
    return {
        "draft": draft,
        "covoiturage": initiative_make(
            "Covoiturage rural du Gers",
            themes=("Mobilité durable",),
            territory_types=("rural",),
            places=(commune("32013"),),
            authorities=(gers,),
            tools=("subvention-fonctionnement", "communication"),
            legal_form="association",
            year_started=2015,
        ),
        "garage": initiative_make(
            "Garage solidaire de Lozère",
            themes=("Mobilité durable", "Utilité sociale"),
            territory_types=("rural", "zrr"),
            places=(commune("48095"),),
            authorities=(lozere,),
            tools=("locaux",),
            legal_form="scic",
            year_started=2018,
        ),
        "velo": initiative_make(
            "Vélo-école bordelaise",
            themes=("Mobilité durable",),
            territory_types=("urbain",),
            places=(commune("33063"),),
            authorities=(bordeaux,),
            tools=("communication",),
            legal_form="association",
            year_started=2012,
        ),
        "epicerie": initiative_make(
            "Épicerie solidaire du Médoc",
            summary="Des produits locaux à prix solidaires dans les villages du Médoc.",
            themes=("Alimentation durable",),
            territory_types=("rural",),
            places=(commune("33314"),),
            authorities=(gironde, bordeaux),
            tools=("clause-sociale",),
            legal_form="association",
            year_started=2019,
        ),
        "monnaie": initiative_make(
            "Monnaie locale régionale",
            places=(Territory.objects.get(kind="region", code="75"),),
            authorities=(nouvelle_aquitaine,),
            tools=("label",),
            legal_form="sas-esus",
            year_started=1998,
        ),
        "gers": gers,
        "lozere": lozere,
    }


def _names(client, query: str = "") -> set[str]:
    response = client.get(f"{LIST}?{query}")
    assert_page_ok(response)
    return {line["name"] for line in response.context["lines"]}


def _facet(response, key: str) -> dict[str, int]:
    facet = next(f for f in response.context["summary"].facets if f["key"] == key)
    return {option["value"]: option["count"] for option in facet["options"]}


def test_lists_published_initiatives_only(client, made):
    names = _names(client)
    assert len(names) == 5 and made["draft"].name not in names
    assert "5 initiatives" in client.get(LIST).content.decode()


MOBILITY_RURAL_DEPARTEMENTS = "theme=mobilite-durable&territoire=rural&niveau=departement"


def test_facets_combine_and_count_given_the_other_facets(client, made):
    response = client.get(f"{LIST}?{MOBILITY_RURAL_DEPARTEMENTS}")
    assert {line["name"] for line in response.context["lines"]} == {
        made["covoiturage"].name,
        made["garage"].name,
    }
    # Each facet counts what a click would show: the other facets applied, not its own.
    assert _facet(response, "theme") == {
        "mobilite-durable": 2,
        "utilite-sociale": 1,
        "alimentation-durable": 1,
    }
    assert _facet(response, "territoire") == {"rural": 2, "zrr": 1}
    assert _facet(response, "niveau") == {"departement": 2}
    assert _facet(response, "soutien") == {"32": 1, "48": 1}
    assert _facet(response, "region") == {"76": 2}
    assert _facet(response, "forme") == {"association": 1, "scic": 1}
    assert _facet(response, "annee") == {"2010-2019": 2}


def test_counts_without_filters_cover_every_published_initiative(client, made):
    response = client.get(LIST)
    assert _facet(response, "region") == {"75": 3, "76": 2}
    assert _facet(response, "niveau") == {"region": 1, "departement": 3, "commune": 2}
    assert _facet(response, "levier") == {
        "financement": 1,
        "apports-en-nature": 1,
        "commande-publique": 1,
        "promotion": 3,
    }
    assert _facet(response, "annee") == {"2010-2019": 4, "1990-1999": 1}
    # Options that would show nothing are left out, a selected one stays (to undo it).
    assert "immigration" not in _facet(response, "theme")
    empty = client.get(f"{LIST}?forme=ptce")
    assert _facet(empty, "forme")["ptce"] == 0 and empty.context["lines"] == []


@pytest.mark.parametrize(
    "query, expected",
    [
        ("territoire=urbain&territoire=zrr", {"velo", "garage"}),  # one facet: either value
        ("region=75", {"velo", "epicerie", "monnaie"}),  # the région itself or within it
        ("niveau=commune", {"velo", "epicerie"}),
        ("niveau=region&niveau=commune", {"velo", "epicerie", "monnaie"}),
        ("annee=1990-1999", {"monnaie"}),
        ("levier=promotion&forme=association", {"covoiturage", "velo"}),
        ("soutien=33", {"epicerie"}),
        ("soutien=32&soutien=48&theme=utilite-sociale", {"garage"}),
        ("lieu=departement:33", {"velo", "epicerie"}),
        ("lieu=commune:33063", {"velo"}),
        ("lieu=region:76", {"covoiturage", "garage"}),
        ("q=solidaire", {"garage", "epicerie"}),
        ("q=villages+Médoc", {"epicerie"}),  # every word, in the name or the summary
    ],
)
def test_filters(client, made, query, expected):
    assert _names(client, query) == {made[key].name for key in expected}


def test_an_authoritys_initiatives(client, made):
    html = client.get(f"{LIST}?collectivite={made['gers'].slug}").content.decode()
    assert made["covoiturage"].name in html and made["garage"].name not in html
    assert f"Collectivité : {made['gers'].name}" in html


def test_sorting(client, made):
    response = client.get(f"{LIST}?tri=recent")
    assert response.context["lines"][0]["name"] == made["epicerie"].name
    assert response.context["lines"][-1]["name"] == made["monnaie"].name
    updated = client.get(f"{LIST}?tri=maj").context["lines"]
    assert updated[0]["name"] == made["monnaie"].name  # the last one saved


def test_bad_parameters_are_explained_and_ignored(client, made):
    response = client.get(
        f"{LIST}?theme=abc&annee=xyz&levier=%3Cscript%3E&tri=zzz&lieu=nowhere"
        "&collectivite=..%2Fx&niveau=commune&page=abc&forme[]=x"
    )
    html = assert_page_ok(response)
    assert "ont été ignorés" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    # The valid filter still applies.
    assert {line["name"] for line in response.context["lines"]} == {
        made["velo"].name,
        made["epicerie"].name,
    }
    assert_page_ok(client.get(f"{LIST}?collectivite=inconnue&lieu=commune:00000&page=999"))
    assert_page_ok(client.get(f"{MAP}?theme=abc&annee=1850-1859"))


def test_pagination_keeps_the_filters(client, made, settings):
    from essor.initiatives import browse

    settings.ESSOR_PAGE_CACHE = False
    original = browse.PAGE_SIZE
    browse.PAGE_SIZE = 2
    try:
        response = client.get(f"{LIST}?niveau=departement&niveau=region")
        html = response.content.decode()
        assert response.context["page"].paginator.num_pages == 2
        assert "niveau=departement&amp;niveau=region&amp;page=2" in html
        second = client.get(f"{LIST}?niveau=departement&niveau=region&page=2")
        assert len(second.context["lines"]) == 2
    finally:
        browse.PAGE_SIZE = original


def test_three_clicks_find_rural_mobility_a_departement_supports(client, made):
    """The issue's path: from the list, three facet links, then open an initiative."""
    response = client.get(LIST)
    for facet, value in (
        ("theme", "mobilite-durable"),
        ("territoire", "rural"),
        ("niveau", "departement"),
    ):
        option = next(
            option
            for block in response.context["summary"].facets
            if block["key"] == facet
            for option in block["options"]
            if option["value"] == value
        )
        assert f'href="{option["url"].replace("&", "&amp;")}"' in response.content.decode()
        response = client.get(option["url"])
        assert_page_ok(response)
    found = response.context["lines"]
    assert {line["name"] for line in found} == {made["covoiturage"].name, made["garage"].name}
    html = assert_page_ok(client.get(found[0]["url"]))
    assert made["covoiturage"].name in html


def test_queries_do_not_grow_with_initiatives(client, made):
    url = f"{LIST}?{MOBILITY_RURAL_DEPARTEMENTS}&tri=recent"
    before = count_queries(client, url)
    for number in range(25):
        initiative_make(
            f"Autopartage rural {number}",
            themes=("Mobilité durable",),
            territory_types=("rural",),
            places=(commune("32013"), commune("48095")),
            authorities=(made["gers"], made["lozere"]),
            tools=("subvention-fonctionnement", "locaux"),
            year_started=2000 + number % 20,
        )
    assert count_queries(client, url) == before
    assert count_queries(client, MAP) <= before


def test_anonymous_pages_come_from_the_cache_and_are_fresh_after_an_edit(client, made):
    url = f"{LIST}?theme=mobilite-durable"
    assert client.get(url)[CACHE_HEADER] == "miss"
    assert client.get(url)[CACHE_HEADER] == "hit"
    velo = made["velo"]
    velo.name = "Vélo-école de la métropole"
    velo.save()
    response = client.get(url)
    assert (
        response[CACHE_HEADER] == "miss"
        and "Vélo-école de la métropole" in response.content.decode()
    )


def test_map_counts_initiatives_by_departement_and_commune(client, made):
    response = client.get(MAP)
    html = assert_page_ok(response)
    drawn = response.context["drawn"]
    assert drawn.total == 5 and drawn.commune_total == 4
    departements = {d.code: d.count for r in drawn.regions for d in r.departements if d.count}
    assert departements == {"32": 1, "48": 1, "33": 2}
    assert {c.code: c.count for c in drawn.communes} == {
        "32013": 1,
        "48095": 1,
        "33063": 1,
        "33314": 1,
    }
    assert "<svg" in html and 'id="carte-initiatives"' in html
    # Tables and map link to the list filtered on the place.
    assert "lieu=departement%3A33" in html and "lieu=commune%3A33063" in html


def test_map_applies_the_list_filters(client, made):
    response = client.get(f"{MAP}?theme=mobilite-durable&territoire=rural")
    drawn = response.context["drawn"]
    assert drawn.total == 2
    assert {c.code for c in drawn.communes} == {"32013", "48095"}
    html = response.content.decode()
    assert "Thème : Mobilité durable" in html
    assert "theme=mobilite-durable&amp;territoire=rural&amp;lieu=departement%3A32" in html


def test_map_draws_a_dot_per_commune_where_initiatives_act(client, made):
    drawn = client.get(MAP).context["drawn"]
    assert drawn.dots == 4 and drawn.dot_legend
    assert drawn.svg.count("<circle") == 4
    assert "Auch : 1 initiative" in drawn.svg


def test_commune_positions_fall_where_they_should():
    import json

    from essor.initiatives import maps
    from essor.territories.maps import MAP_PATH

    lille, marseille = maps.project("59350"), maps.project("13055")
    brest, strasbourg = maps.project("29019"), maps.project("67482")
    assert lille[1] < marseille[1] and brest[0] < strasbourg[0]
    # Overseas communes go to their département's inset.
    box = next(i["box"] for i in json.loads(MAP_PATH.read_text())["insets"] if i["key"] == "974")
    x, y = maps.project("97411")
    assert box[0] < x < box[0] + box[2] and box[1] < y < box[1] + box[3]
    assert maps.project("00000") is None
    assert maps.dot_radius(1, 10) < maps.dot_radius(5, 10) < maps.dot_radius(10, 10)
