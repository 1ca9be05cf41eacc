"""The demo practice sheets and initiatives: the sheets the 2017 report lists, initiatives
of the 2013 and 2014 documents with their facts, authorities and levers, loaded once."""

import datetime
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from wagtail.models import ModelLogEntry, Revision

from essor.demo import initiatives as loader
from essor.demo.initiatives import initiatives_demo_load
from essor.demo.services import DATA_DIR, DemoDataError
from essor.initiatives.models import Initiative, Licence, PracticeSheet

pytestmark = pytest.mark.django_db

# The seeds live beside the checkout, never inside it.
SEEDS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
# Numbers the report gives; it announces 28 sheets but its text names only these 26.
LISTED_NUMBERS = [*range(1, 22), *range(23, 28)]


def _toml(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


def _figure(initiative: Initiative, label_start: str) -> tuple[Decimal, str, int | None]:
    figure = initiative.key_figures.get(label__startswith=label_start)
    return figure.value, figure.unit, figure.year


# `demo` is the whole demo, loaded once for this folder (conftest.py).


def test_sheets_and_initiatives_are_published_with_their_facts(demo):
    _check_the_sheets_of_the_2017_report_by_number_title_theme_and_year()
    _check_sheets_say_they_are_demo_and_invent_no_section()
    _check_at_least_twelve_initiatives_each_with_an_authority_and_a_lever()
    _check_bou_sol()
    _check_the_lorraine_social_clause_facilitators()
    _check_the_ptce_of_the_goutte_dor()
    _check_every_initiative_says_it_is_demo_data_from_a_dated_source()


def _check_the_sheets_of_the_2017_report_by_number_title_theme_and_year():
    sheets = PracticeSheet.objects.published().select_related("theme")
    assert sorted(sheet.number for sheet in sheets) == LISTED_NUMBERS
    by_number = {sheet.number: sheet for sheet in sheets}
    expected = {
        1: ("SCIC Plaine Sud Energies", "Transition énergétique"),
        4: ("Ville de Lille / Enercoop", "Transition énergétique"),
        7: ("La Réserve des Arts", "Économie circulaire"),
        11: ("Terre de Liens", "Foncier, lieux partagés et communs"),
        12: ("Le Château de Nanterre", "Alimentation durable"),
        19: ("SINGA France", "Immigration"),
        23: (
            "Évaluation de l'utilité sociale : démarche engagée à Brest autour du numérique",
            "Utilité sociale",
        ),
        27: ("Garage SolidarAuto 38", "Mobilité durable"),
    }
    for number, (title, theme) in expected.items():
        assert (by_number[number].title, by_number[number].theme.name) == (title, theme)
    # "10 nouvelles fiches ont été réalisées en 2017": the ten the report marks 2017.
    of_2017 = sorted(n for n, sheet in by_number.items() if sheet.published_on.year == 2017)
    assert of_2017 == [17, 18, 19, 20, 21, 23, 24, 25, 26, 27]
    earlier = [sheet for number, sheet in by_number.items() if number not in of_2017]
    assert all(sheet.published_on < datetime.date(2017, 1, 1) for sheet in earlier)
    assert {sheet.licence for sheet in sheets} == {Licence.CC_BY_NC_ND}
    mobility = sheets.filter(theme__name="Mobilité durable", published_on__year=2017)
    assert all("3 octobre 2017" in sheet.origin_event for sheet in mobility)
    lille = by_number[4].authority_links.get().authority
    assert (lille.territory.kind, lille.territory.code) == ("commune", "59350")


def _check_sheets_say_they_are_demo_and_invent_no_section():
    for sheet in PracticeSheet.objects.all():
        assert "Contenu de démonstration" in sheet.origin
        assert sheet.financing == sheet.authorities_role == sheet.key_figures == ""
        assert sheet.contacts == ""


def _check_at_least_twelve_initiatives_each_with_an_authority_and_a_lever():
    published = Initiative.objects.published()
    assert published.count() >= 12
    assert published.count() == Initiative.objects.count()
    for initiative in published:
        assert initiative.involvements.exists(), initiative.slug
        assert initiative.lever_uses.exclude(lever="").exists(), initiative.slug
        assert initiative.places.exists() and initiative.themes.exists(), initiative.slug
        # The documents name people; no personal contact detail is republished.
        assert not initiative.contacts.exists(), initiative.slug


def _check_bou_sol():
    bou_sol = Initiative.objects.get(name__startswith="Bou'Sol")
    assert bou_sol.year_started == 2013 and "mai 2013" in bou_sol.summary
    assert _figure(bou_sol, "Bou'Sols obtenus pour 20 €")[:2] == (21, "Bou'Sols")
    assert _figure(bou_sol, "Filières prioritaires")[0] == 4
    assert bou_sol.legal_form == "association"
    agglomeration = bou_sol.involvements.get(authority__territory__code="246200729")
    assert "ensemblier" in agglomeration.role
    assert set(bou_sol.lever_uses.values_list("tool", flat=True)) >= {"subvention-fonctionnement"}


def _check_the_lorraine_social_clause_facilitators():
    lorraine = Initiative.objects.get(name__contains="facilitateurs")
    assert lorraine.year_started == 2008
    assert _figure(lorraine, "Marchés régionaux avec clause sociale")[:2] == (600, "marchés")
    assert _figure(lorraine, "Heures de travail")[:2] == (300_000, "heures")
    assert lorraine.lever_uses.filter(tool="clause-sociale", lever="commande-publique").exists()
    region = lorraine.involvements.get().authority
    assert (region.territory.kind, region.territory.code) == ("region", "44")
    assert sorted(lorraine.places.values_list("territory__code", flat=True)) == [
        "54",
        "55",
        "57",
        "88",
    ]


def _check_the_ptce_of_the_goutte_dor():
    ptce = Initiative.objects.get(name__contains="Gouttes d'Or")
    assert _figure(ptce, "Emplois de la filière mode")[:2] == (330, "emplois")
    assert ptce.legal_form == "ptce"
    assert set(ptce.territory_types.values_list("code", flat=True)) == {"qpv", "urbain"}
    paris = ptce.involvements.get(authority__territory__kind="commune").authority
    assert paris.territory.code == "75056"


def _check_every_initiative_says_it_is_demo_data_from_a_dated_source():
    for initiative in Initiative.objects.all():
        assert "Données de démonstration tirées de" in initiative.description
        assert initiative.sources.filter(kind="publication", date__isnull=False).exists()


def _state() -> tuple:
    return (
        list(Initiative.objects.order_by("pk").values_list("pk", "slug", "updated_at")),
        list(PracticeSheet.objects.order_by("pk").values_list("pk", "number", "latest_revision")),
        Revision.objects.count(),
        ModelLogEntry.objects.count(),
    )


def test_a_second_load_writes_nothing_and_a_changed_line_updates_in_place(demo, monkeypatch):
    first = initiatives_demo_load()  # `demo` loaded them once already
    before = _state()
    second = initiatives_demo_load()
    assert _state() == before, "loading twice must neither duplicate nor rewrite"
    assert (second.written, second.sheets, second.initiatives) == (
        0,
        first.sheets,
        first.initiatives,
    )

    read = loader._read

    def edited(name: str) -> dict:
        data = read(name)
        if name == "initiatives.toml":
            data["initiative"][0]["summary"] = "Résumé corrigé."
        return data

    monkeypatch.setattr(loader, "_read", edited)
    third = initiatives_demo_load()
    assert third.written == 1
    assert Initiative.objects.count() == len(before[0])
    corrected = Initiative.objects.get(summary="Résumé corrigé.")
    assert corrected.live and not corrected.has_unpublished_changes


def test_a_dangling_reference_is_refused_and_writes_nothing(monkeypatch):
    def broken(name: str) -> dict:
        if name == "practice_sheets.toml":
            return {"sheet": []}
        row = dict(_toml("initiatives.toml")["initiative"][0])
        row.pop("carrier")
        row["involvement"] = [{"kind": "commune", "code": "00000", "role": "?", "tools": []}]
        return {"initiative": [row]}

    monkeypatch.setattr(loader, "_read", broken)
    with pytest.raises(DemoDataError, match="00000"):
        initiatives_demo_load()
    assert not Initiative.objects.exists()


def _seed_shingles(size: int) -> set[tuple[str, ...]]:
    shingles: set[tuple[str, ...]] = set()
    for path in SEEDS_DIR.glob("00*.txt"):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        shingles.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    return shingles


# Names, titles and labels may repeat the documents; what we write about them may not.
_QUOTED_KEYS = {"name", "title", "carrier_name", "source", "label", "slug", "origin_event"}


def _free_texts(value: object, key: str = ""):
    if isinstance(value, str):
        if key not in _QUOTED_KEYS:
            yield re.sub(r"«[^»]*»", " ", value)
    elif isinstance(value, dict):
        for sub_key, sub_value in value.items():
            yield from _free_texts(sub_value, sub_key)
    elif isinstance(value, list):
        for item in value:
            yield from _free_texts(item, key)


def test_initiative_texts_are_our_own_words():
    """No run of 8 words of the seeds in the summaries, descriptions and roles written for
    the demo."""
    seeds = _seed_shingles(8)
    if not seeds:
        pytest.skip("documents sources absents (../shared/seeds)")
    for name in ("initiatives.toml", "practice_sheets.toml"):
        for text in _free_texts(_toml(name)):
            words = re.findall(r"\w+", text.lower())
            copied = [
                " ".join(words[i : i + 8])
                for i in range(len(words) - 7)
                if tuple(words[i : i + 8]) in seeds
            ]
            assert not copied, f"{name} reprend une phrase d'un document source : {copied[0]}"
