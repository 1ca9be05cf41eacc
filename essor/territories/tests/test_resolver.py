"""The name resolver: every mention found in the seed documents, then its rules one by one."""

import csv
from pathlib import Path

import pytest

from essor.territories import resolver, selectors
from essor.territories.models import Territory, TerritoryAlias
from essor.territories.resolver import CONFIDENT, key_words, normalise, ocr_key, parse_mention

pytestmark = pytest.mark.django_db

SEED_MENTIONS = Path(__file__).parent / "data" / "seed_mentions.csv"
MIN_TOP1_ACCURACY = 0.95


def _seed_rows() -> list[dict]:
    # csv keeps every field as text: "06", "08105" and "2A004" stay codes, not numbers.
    with open(SEED_MENTIONS, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


SEED_ROWS = _seed_rows()
POSITIVES = [row for row in SEED_ROWS if row["code"]]
NEGATIVES = [row for row in SEED_ROWS if not row["code"]]


def _is_hard(row: dict) -> bool:
    """Rows an editor marked "hard" in their note: OCR too noisy for a sure answer."""
    return "hard" in row["note"].replace(";", " ").split()


def _top1_right(row: dict) -> bool:
    found = selectors.resolve(row["mention"])
    return (
        bool(found)
        and (found[0].kind, found[0].code) == (row["kind"], row["code"])
        and (found[0].score >= CONFIDENT)
    )


def test_seed_file_is_what_the_tests_expect():
    assert len(SEED_ROWS) == 213
    assert {row["kind"] for row in POSITIVES} <= set(resolver.KINDS)
    assert all(not row["kind"] for row in NEGATIVES)


@pytest.mark.parametrize("row", POSITIVES, ids=[row["mention"] for row in POSITIVES])
def test_seed_mention_resolves_to_its_territory(row):
    found = selectors.resolve(row["mention"])
    if _is_hard(row):
        # The noisiest OCR: the right territory must at least be offered for review.
        assert (row["kind"], row["code"]) in [(c.kind, c.code) for c in found[:5]]
        return
    assert found, f"aucun candidat pour {row['mention']!r}"
    top = found[0]
    assert (top.kind, top.code) == (row["kind"], row["code"]), found[:3]
    assert top.score >= CONFIDENT


@pytest.mark.parametrize("row", NEGATIVES, ids=[row["mention"] for row in NEGATIVES])
def test_seed_non_territory_gets_no_confident_candidate(row):
    found = selectors.resolve(row["mention"])
    assert all(candidate.score < CONFIDENT for candidate in found), found[:3]


def test_top1_accuracy_on_seed_positives():
    right = sum(_top1_right(row) for row in POSITIVES)
    assert right / len(POSITIVES) >= MIN_TOP1_ACCURACY


def test_every_existing_seed_code_is_in_the_referential():
    missing = [
        row["mention"]
        for row in POSITIVES
        if not Territory.objects.filter(kind=row["kind"], code=row["code"]).exists()
    ]
    assert not missing


# -- normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Côtes-d’Armor", "cotes armor"),  # typographic apostrophe, elision, accent
        ("Côtes-d'Armor", "cotes armor"),
        ("L’Île-Saint-Denis", "ile saint denis"),
        ("l'Ile-Saint-Denis", "ile saint denis"),
        ("St-Étienne", "saint etienne"),
        ("Ste-Foy-lès-Lyon", "sainte foy lyon"),
        ("NOUVION SUR MEUSE", "nouvion sur meuse"),
        ("Nouvion-sur-Meuse", "nouvion sur meuse"),
        ("Pays de la Loire", "pays loire"),
        ("Pays de Loire", "pays loire"),
        ("Cœuvres-et-Valsery", "coeuvres valsery"),
        ("conseil général de I'lsére", "conseil general lsere"),  # OCR I' for l'
    ],
)
def test_key_words_fold_spelling_variants(text, expected):
    assert " ".join(key_words(text)) == expected


def test_normalise_keeps_articles_but_not_punctuation():
    assert normalise("  Le  Kremlin-Bicêtre ! ") == "le kremlin bicetre"


def test_ocr_key_folds_confusable_shapes():
    assert ocr_key("tamos") == ocr_key("tarnos")
    assert ocr_key("llle vilaine") == ocr_key("ille vilaine")


# -- kind hints ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "nature"),
    [
        ("Conseil régional de Bretagne", "region", None),
        ("Région Bretagne", "region", None),
        ("conseil général des Côtes d'Armor", "departement", None),
        ("Conseil départemental d'Ille-et-Vilaine", "departement", None),
        ("Département du Pas-de-Calais", "departement", None),
        ("Ville de Caen", "commune", None),
        ("Mairie de Poitiers", "commune", None),
        ("Commune de Tarnos", "commune", None),
        ("Communauté de communes du Val d'Ille", "epci", "CC"),
        ("CC Auberive Vingeanne Montsaugeonnais", "epci", "CC"),
        ("Communauté d'agglomération du Boulonnais", "epci", "CA"),
        ("Agglo du Niortais", "epci", "CA"),
        ("CA Cergy Pontoise", "epci", "CA"),
        ("Roannais Agglomération", "epci", "CA"),
        ("Communauté urbaine de Bordeaux", "epci", "CU"),
        ("CU Caen la Mer", "epci", "CU"),
        ("Métropole de Lyon", "epci", "METRO"),
        ("Toulouse Métropole", "epci", "METRO"),
        ("Établissement public territorial Est Ensemble", "ept", "EPT"),
        ("EPT Plaine Commune", "ept", "EPT"),
        ("Bretagne", None, None),
    ],
)
def test_institutional_prefix_gives_a_kind_hint(text, kind, nature):
    mention = parse_mention(text)
    assert (mention.kind_hint, mention.nature_hint) == (kind, nature)


@pytest.mark.parametrize("text", ["Ville-d'Avray", "Mairie-conseils"])
def test_hyphenated_first_word_is_a_name_not_a_prefix(text):
    assert parse_mention(text).kind_hint is None


def test_ville_d_avray_is_the_commune():
    assert selectors.resolve("Ville-d'Avray")[0].code == "92077"
    assert selectors.resolve("Mairie de Ville-d'Avray")[0].code == "92077"


def test_kind_hint_outranks_a_same_name_of_another_kind():
    region = selectors.resolve("Région Bretagne")
    assert (region[0].kind, region[0].code) == ("region", "53")
    assert all(c.score < CONFIDENT for c in region[1:])
    metropole = selectors.resolve("Bordeaux Métropole")
    assert (metropole[0].kind, metropole[0].code) == ("epci", "243300316")
    city = selectors.resolve("Ville de Bordeaux")
    assert (city[0].kind, city[0].code) == ("commune", "33063")


def test_plain_city_name_is_the_commune_before_its_metropole():
    found = selectors.resolve("Lyon")
    assert [(c.kind, c.code) for c in found[:2]] == [("commune", "69123"), ("epci", "200046977")]


def test_intercommunal_prefix_before_a_seat_commune_names_its_group():
    assert selectors.resolve("agglomération de Roanne")[0].code == "200035731"
    assert selectors.resolve("communauté d'agglomération de La Rochelle")[0].code == "241700434"


def test_former_communaute_d_agglomeration_now_an_ept():
    found = selectors.resolve("communauté d'agglomération Est Ensemble")
    assert (found[0].kind, found[0].code) == ("ept", "200057875")
    assert found[0].score >= CONFIDENT


# -- homonyms --------------------------------------------------------------------------


def test_fresnes_is_the_most_populous_first_and_alone_confident():
    found = selectors.resolve("Fresnes")
    assert found[0].code == "94034"
    assert found[0].score >= CONFIDENT
    assert {c.code for c in found} >= {"94034", "21287", "41094"}
    assert all(c.score < CONFIDENT for c in found[1:])


def test_merignac_gironde_first():
    found = selectors.resolve("Ville de Mérignac")
    assert found[0].code == "33281"
    assert found[0].score >= CONFIDENT
    assert all(c.score < CONFIDENT for c in found[1:])


def test_departement_number_or_postal_code_settles_a_homonym():
    assert selectors.resolve("Fresnes (21)")[0].code == "21287"
    assert selectors.resolve("Saint-Denis (93)")[0].code == "93066"
    assert selectors.resolve("Saint-Denis 974")[0].code == "97411"
    assert selectors.resolve("16200 Mérignac")[0].code == "16216"


@pytest.mark.parametrize(
    ("text", "code"),
    [("Les Fosses", "79126"), ("Fosses", "95250"), ("Chepy", "51149"), ("Chépy", "80190")],
)
def test_article_and_accents_as_written_tell_close_namesakes_apart(text, code):
    assert selectors.resolve(text)[0].code == code


def test_comparable_namesakes_are_not_confident():
    found = selectors.resolve("Saint-Denis")
    assert {c.code for c in found[:2]} == {"97411", "93066"}
    assert found[0].score < CONFIDENT


def test_commune_and_departement_of_paris_are_one_place_commune_first():
    found = selectors.resolve("Paris")
    assert [(c.kind, c.code) for c in found[:2]] == [("commune", "75056"), ("departement", "75")]
    assert found[0].score >= CONFIDENT


def test_departement_before_a_small_commune_of_the_same_name():
    found = selectors.resolve("Vienne")
    assert (found[0].kind, found[0].code) == ("departement", "86")
    assert found[1].score < CONFIDENT


# -- fuzzy matching, negatives, options ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("Villeurbane", "69266"), ("Marseile", "13055"), ("Strasbourgh", "67482")],
)
def test_commune_typed_with_a_typo(text, code):
    found = selectors.resolve(text)
    assert found[0].code == code
    assert found[0].score >= CONFIDENT


@pytest.mark.parametrize(
    "text", ["France Active", "CNFPT", "RTES", "Avise", "CRESS Bretagne", "Le Labo de l'ESS"]
)
def test_organisations_are_not_territories(text):
    assert all(c.score < CONFIDENT for c in selectors.resolve(text))


def test_france_active_has_no_candidate_at_all():
    assert selectors.resolve("France Active") == []


@pytest.mark.parametrize("text", ["", "   ", "de la", "Conseil régional", "Ville de"])
def test_empty_or_prefix_only_text_gives_nothing_confident(text):
    assert all(c.score < CONFIDENT for c in selectors.resolve(text))


def test_kinds_filter_and_limit():
    found = selectors.resolve("Lyon", kinds={"epci"})
    assert [(c.kind, c.code) for c in found] == [("epci", "200046977")]
    assert len(selectors.resolve("Sainte-Colombe", limit=3)) == 3


def test_scores_are_between_zero_and_one_and_sorted():
    found = selectors.resolve("Saint-Martin", limit=10)
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)


def test_candidate_dict_has_the_public_keys():
    found = selectors.resolve("Ville de Caen")[0]
    assert found.as_dict() == {
        "kind": "commune",
        "code": "14118",
        "name": "Caen",
        "population": found.population,
        "score": round(found.score, 3),
    }
    assert found.territory_id == Territory.objects.get(kind="commune", code="14118").pk


def test_resolve_best_only_when_confident():
    assert selectors.resolve_best("CUB").code == "243300316"
    assert selectors.resolve_best("Saint-Denis") is None
    assert selectors.resolve_best("Avise") is None


# -- the index follows the aliases -----------------------------------------------------


@pytest.fixture
def fresh_index():
    resolver.invalidate()
    yield
    resolver.invalidate()  # the test's rows are rolled back: forget what was built on them


def test_new_alias_is_found_without_restart(fresh_index):
    assert all(c.score < CONFIDENT for c in selectors.resolve("Pays des Abers Bretons"))
    territory = Territory.objects.get(kind="commune", code="29019")
    TerritoryAlias.objects.create(territory=territory, name="Pays des Abers Bretons")
    found = selectors.resolve("Pays des Abers Bretons")
    assert (found[0].code, found[0].score >= CONFIDENT) == ("29019", True)


def test_alias_written_by_another_process_is_found_once_the_version_is_read(
    fresh_index, monkeypatch
):
    selectors.resolve("Caen")  # the index is built
    monkeypatch.setattr(resolver, "RECHECK_SECONDS", 0)
    territory = Territory.objects.get(kind="commune", code="29019")
    # bulk_create sends no signal: only the version query (alias count) can notice it.
    TerritoryAlias.objects.bulk_create([TerritoryAlias(territory=territory, name="Ponant Nord")])
    assert selectors.resolve("Ponant Nord")[0].code == "29019"


def test_official_names_beyond_the_seeds_resolve_to_themselves():
    """Not a seed-only result: régions, départements, every EPCI and EPT, and a spread of
    communes, each looked up by its own official name — when no other territory bears
    exactly that name (Guadeloupe the région and the département are one name)."""
    from collections import Counter

    current = Territory.objects.filter(is_current=True)
    name_count = Counter(current.values_list("name", flat=True))
    groups = current.exclude(kind="commune")
    communes = current.filter(kind="commune").order_by("code")[::70]
    territories = [t for t in [*groups, *communes] if name_count[t.name] == 1]
    misses = [
        t.name
        for t in territories
        if not (found := selectors.resolve(t.name, limit=1))
        or (found[0].kind, found[0].code) != (t.kind, t.code)
    ]
    accuracy = 1 - len(misses) / len(territories)
    assert len(territories) > 1500
    assert accuracy >= 0.99, f"{accuracy:.3f}, e.g. {misses[:10]}"
