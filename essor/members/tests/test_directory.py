import csv
import datetime
import io

import pytest
from django.urls import reverse

from essor.core.testing import assert_page_ok, count_queries
from essor.members import services
from essor.members.directory import DirectoryFilters, DirectoryRows, directory
from essor.members.tests.factories import authority_for, person

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("members:directory")


@pytest.fixture
def members():
    """Members of every level in several régions, one former member and one non-member."""
    made = {
        "idf": authority_for("11", kind="region", joined_on=datetime.date(2010, 3, 1)),
        "gironde": authority_for("33", kind="departement", joined_on=datetime.date(2014, 1, 1)),
        "bordeaux_metro": authority_for(
            "243300316", kind="epci", joined_on=datetime.date(2016, 1, 1)
        ),
        "lille": authority_for("59350", joined_on=datetime.date(2005, 1, 1)),
        "merignac": authority_for("33281", joined_on=datetime.date(2016, 6, 1)),
        "evry": authority_for(
            "91228", name="Évry-Courcouronnes", joined_on=datetime.date(2012, 1, 1)
        ),
    }
    made["former"] = authority_for("35238", joined_on=datetime.date(2008, 1, 1))
    services.membership_record(
        made["former"], joined_on=datetime.date(2008, 1, 1), left_on=datetime.date(2015, 1, 1)
    )
    made["outsider"] = authority_for("14118")
    return made


def _names(client, query: str = "") -> list[str]:
    response = client.get(f"{DIRECTORY}?{query}")
    assert_page_ok(response)
    return [line["name"] for line in response.context["page"].object_list]


def test_lists_current_members_only_with_a_count(client, members):
    names = _names(client)
    assert len(names) == 6
    assert members["former"].name not in names and members["outsider"].name not in names
    assert "6 collectivités adhérentes" in client.get(DIRECTORY).content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("niveau=intercommunalite", {"bordeaux_metro"}),
        ("niveau=commune", {"lille", "merignac", "evry"}),
        ("niveau=region", {"idf"}),
        # A région's filter keeps the région itself and what lies within it.
        ("region=75", {"gironde", "bordeaux_metro", "merignac"}),
        ("region=11", {"idf", "evry"}),
        ("departement=33", {"gironde", "bordeaux_metro", "merignac"}),
        ("population=plus-de-1000000", {"idf", "gironde"}),
        ("population=50000-200000", {"evry", "merignac"}),
        ("adhesion=2016", {"bordeaux_metro", "merignac"}),
        ("niveau=commune&departement=33", {"merignac"}),
        # Accents, case and hyphens do not matter.
        ("q=EVRY", {"evry"}),
        ("q=ile de france", {"idf"}),
        ("q=bordeaux metropole", {"bordeaux_metro"}),
    ],
)
def test_filters_combine(client, members, query, expected):
    assert set(_names(client, query)) == {members[key].name for key in expected}


def test_sorting_by_population_and_by_joining(client, members):
    by_population = _names(client, "tri=population")
    assert by_population[0] == members["idf"].name
    assert _names(client, "tri=anciennete")[0] == members["lille"].name
    assert _names(client, "tri=adhesion")[0] == members["merignac"].name


def test_bad_filters_are_explained_and_ignored(client, members):
    response = client.get(f"{DIRECTORY}?region=zz&adhesion=abc&tri=%27;drop&niveau[]=x")
    html = assert_page_ok(response)
    assert "ne sont pas valides" in html
    assert len(response.context["page"].object_list) == 6


def test_page_number_out_of_range_shows_last_page(client, members):
    assert_page_ok(client.get(f"{DIRECTORY}?page=999"))
    assert_page_ok(client.get(f"{DIRECTORY}?page=abc"))


def test_export_follows_the_filters_and_holds_no_personal_contact(client, members):
    someone = person("Alex", "Martin")
    someone.email = "alex.martin@example.org"
    someone.save()
    services.position_record(someone, title="Adjoint", authority=members["merignac"])
    response = client.get(reverse("members:directory_export") + "?departement=33")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {row["nom"] for row in rows} == {
        members[key].name for key in ("gironde", "bordeaux_metro", "merignac")
    }
    merignac = next(row for row in rows if row["code_officiel"] == "33281")
    assert merignac["adhesion"] == "2016-06-01" and merignac["region"] == "Nouvelle-Aquitaine"
    assert "alex.martin" not in text


def test_directory_queries_do_not_grow_with_members(client, members):
    url = f"{DIRECTORY}?niveau=commune&tri=population"
    before = count_queries(client, url)
    for code in ("75056", "69123", "13055", "31555", "44109", "67482", "06088", "34172"):
        authority_for(code, joined_on=datetime.date(2015, 1, 1))
    assert count_queries(client, url) == before


def test_each_line_links_the_sheet_and_escapes_what_editors_typed(client):
    made = authority_for("33281", name="Mérignac <b>& co</b>", joined_on=datetime.date(2016, 6, 1))
    html = assert_page_ok(client.get(DIRECTORY))
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert f'<a href="{made.get_absolute_url()}">Mérignac &lt;b&gt;&amp; co&lt;/b&gt;</a>' in row
    assert "<b>& co" not in html
    assert "Gironde, Nouvelle-Aquitaine" in row and "2016" in row


# --- the page's SQL reader against directory(), the ORM version -----------------------------

READER_FILTERS = [
    DirectoryFilters(),
    DirectoryFilters(sort="population"),
    DirectoryFilters(sort="adhesion"),
    DirectoryFilters(sort="anciennete"),
    DirectoryFilters(level="commune", sort="population"),
    DirectoryFilters(level="intercommunalite"),
    DirectoryFilters(level="autre"),
    DirectoryFilters(region="75", sort="adhesion"),
    DirectoryFilters(region="11"),
    DirectoryFilters(departement="33", sort="anciennete"),
    DirectoryFilters(region="75", departement="33", level="commune"),
    DirectoryFilters(population="moins-de-10000"),
    DirectoryFilters(population="50000-200000", sort="population"),
    DirectoryFilters(population="plus-de-1000000"),
    DirectoryFilters(joined_year=2016),
    DirectoryFilters(joined_year=2008),
    DirectoryFilters(text="bordeaux metropole"),
    DirectoryFilters(text="e"),
    DirectoryFilters(text="%"),
    DirectoryFilters(text="a_b"),
    DirectoryFilters(on=datetime.date(2010, 6, 1)),
    DirectoryFilters(on=datetime.date(2015, 1, 1), sort="anciennete"),
]


@pytest.mark.parametrize("filters", READER_FILTERS)
def test_the_page_reader_lists_what_the_orm_lists(members, filters):
    expected = [(a.name, a.first_joined.year) for a in directory(filters)]
    rows = DirectoryRows(filters)
    assert rows.count() == len(expected)
    lines = rows[0:100]
    assert [(line["name"], int(line["joined_year"])) for line in lines] == expected
    assert rows[1:3] == lines[1:3]  # a window reads the same lines


def test_the_former_member_is_listed_on_a_day_of_its_membership(members):
    names = [
        line["name"] for line in DirectoryRows(DirectoryFilters(on=datetime.date(2010, 6, 1)))[0:50]
    ]
    assert members["former"].name in names and members["merignac"].name not in names
