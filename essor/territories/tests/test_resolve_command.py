"""`essor resolve` and the HTTP view: the same candidates, as a table or as JSON."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_KEYS = {"kind", "code", "name", "population", "score"}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("resolve", *args, stdout=out)
    return out.getvalue()


def test_json_output_lists_candidates_with_the_public_keys():
    found = json.loads(_run("Région Bretagne", "--json"))
    assert isinstance(found, list) and found
    assert set(found[0]) == PUBLIC_KEYS
    assert (found[0]["kind"], found[0]["code"], found[0]["name"]) == ("region", "53", "Bretagne")
    assert 0.75 <= found[0]["score"] <= 1
    assert found[0]["score"] == round(found[0]["score"], 3)


def test_json_output_options_limit_and_kind():
    found = json.loads(_run("Lyon", "--json", "--kind", "epci"))
    assert [(c["kind"], c["code"]) for c in found] == [("epci", "200046977")]
    assert len(json.loads(_run("Fresnes", "--json", "--limit", "2"))) == 2


def test_readable_output_is_a_table():
    text = _run("Ville de Fresnes")
    assert "Candidats pour « Ville de Fresnes »" in text
    first_row = next(line for line in text.splitlines() if line.strip().startswith("1 "))
    assert "Commune" in first_row and "94034" in first_row and "Fresnes" in first_row
    assert "29\u202f528" in first_row  # population, French digit grouping
    assert "✓" in first_row


def test_readable_output_says_when_nothing_is_found():
    assert "Aucun territoire trouvé" in _run("France Active")


def test_command_refuses_bad_limit_and_empty_text():
    with pytest.raises(CommandError, match="--limit"):
        _run("Caen", "--limit", "0")
    with pytest.raises(CommandError, match="vide"):
        _run("   ")


def test_view_answers_json(client):
    response = client.get(reverse("territories:resolve"), {"q": "CUB"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    found = response.json()
    assert set(found[0]) == PUBLIC_KEYS
    assert (found[0]["kind"], found[0]["code"]) == ("epci", "243300316")


def test_view_filters_by_kind_and_limits(client):
    url = reverse("territories:resolve")
    found = client.get(url, {"q": "Lyon", "kind": "epci"}).json()
    assert [(c["kind"], c["code"]) for c in found] == [("epci", "200046977")]
    assert len(client.get(url, {"q": "Fresnes", "limit": "2"}).json()) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "paramètre « q »"),
        ({"q": "   "}, "paramètre « q »"),
        ({"q": "x" * 301}, "trop long"),
        ({"q": "Caen", "kind": "pays"}, "Niveau inconnu"),
        ({"q": "Caen", "limit": "1000"}, "limit"),
        ({"q": "Caen", "limit": "-1"}, "limit"),
    ],
)
def test_view_rejects_bad_parameters_in_french(client, params, message):
    response = client.get(reverse("territories:resolve"), params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_view_accepts_a_query_of_exactly_the_maximum_length(client):
    response = client.get(reverse("territories:resolve"), {"q": "Caen " + "x" * 295})
    assert response.status_code == 200
