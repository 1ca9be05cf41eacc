"""The demo network: memberships consistent with the seeds, fictitious members that say so,
dues, profile sheets from the 2014 participant kit, themes, the 2017 general assembly."""

import datetime
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from wagtail.models import ModelLogEntry, PageLogEntry

from essor.core.models import Theme
from essor.demo.fillers import (
    DEPARTURES,
    FILLER_NOTE,
    LEAVING,
    MEMBERS_AT_YEAR_END,
    STAYING,
    filler_plan,
)
from essor.demo.services import DATA_DIR, demo_dues_amount, demo_load
from essor.members.models import (
    Authority,
    Dues,
    EssBudget,
    EssFigure,
    GeneralAssembly,
    Membership,
    Organisation,
    Person,
    PolicyAxis,
    Position,
)

pytestmark = pytest.mark.django_db

END_2017 = datetime.date(2017, 12, 31)
# The seeds live beside the checkout, never inside it.
SEEDS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def _toml(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


def _authority(kind: str, code: str) -> Authority:
    return Authority.objects.get(territory__kind=kind, territory__code=code)


# `demo` is the whole demo, loaded once for this folder (conftest.py).


def test_memberships_fictitious_members_and_dues(demo):
    _check_the_network_counts_118_members_at_the_end_of_2017_and_grows_every_year()
    _check_every_fictitious_membership_says_it_is_one_and_no_cited_member_does()
    _check_dues_cover_every_member_of_2016_and_2017_never_negative_few_unpaid()


def test_profile_sheets_themes_and_general_assembly(demo):
    _check_aquitaine_sheet_of_2013_has_its_budget_and_five_axes()
    _check_every_sheet_of_the_2014_kit_is_loaded_and_themes_come_from_the_list()
    _check_the_2017_board_was_elected_at_the_general_assembly()


def _check_the_network_counts_118_members_at_the_end_of_2017_and_grows_every_year():
    assert Authority.objects.members(on=END_2017).count() == 118
    counts = [
        Authority.objects.members(on=datetime.date(year, 12, 31)).count()
        for year in range(2010, 2018)
    ]
    assert counts == sorted(set(counts)), f"le nombre d'adhérents doit croître : {counts}"
    # "près de 110 collectivités" in the proceedings of September 2013
    assert 100 <= Authority.objects.members(on=datetime.date(2013, 9, 12)).count() <= 110
    levels = list(Authority.objects.members(on=END_2017).values_list("kind", flat=True))
    assert {kind: levels.count(kind) for kind in set(levels)} == {
        "region": 12,
        "departement": 20,
        "epci": 35,
        "commune": 51,
    }
    assert Membership.objects.filter(left_on__isnull=False).count() == len(DEPARTURES)


def _check_every_fictitious_membership_says_it_is_one_and_no_cited_member_does():
    fillers = _toml("fillers.toml")["filler"]
    assert len(fillers) == 81 + len(DEPARTURES)
    for row in fillers:
        membership = Membership.objects.get(
            authority__territory__kind=row["kind"], authority__territory__code=row["code"]
        )
        assert membership.note == FILLER_NOTE
    assert Membership.objects.filter(note=FILLER_NOTE).count() == len(fillers)
    cited = [row for row in _toml("authorities.toml")["authority"] if row.get("is_member")]
    assert len(cited) == 37
    for row in cited:
        membership = _authority(row["kind"], row["code"]).memberships.get()
        assert membership.note == row["joined_note"]
        assert membership.note.startswith(
            ("Adhésion attestée en 2013", "Année d'adhésion de démonstration")
        )
    # A member seen in the 2013 meetings joined no later than 2013.
    assert _authority("commune", "59350").memberships.get().joined_on.year <= 2013


def _check_dues_cover_every_member_of_2016_and_2017_never_negative_few_unpaid():
    assert not Dues.objects.filter(amount__lt=0).exists()
    for year in (2016, 2017):
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        owing = set(
            Membership.objects.filter(joined_on__lte=last)
            .exclude(left_on__lte=first)
            .values_list("authority_id", flat=True)
        )
        assert set(Dues.objects.filter(year=year).values_list("authority_id", flat=True)) == owing
        for dues in Dues.objects.filter(year=year, paid_on__isnull=False):
            assert first <= dues.paid_on <= last
            assert dues.paid_on >= dues.authority.memberships.order_by("joined_on")[0].joined_on
    unpaid = Dues.objects.filter(paid_on__isnull=True)
    assert {dues.year for dues in unpaid} == {2017}
    assert 1 <= unpaid.count() <= 10
    assert all(dues.authority.memberships.filter(note=FILLER_NOTE).exists() for dues in unpaid), (
        "seuls des adhérents fictifs ont une cotisation impayée"
    )
    assert demo_dues_amount("commune", 5_000) < demo_dues_amount("commune", 500_000)
    assert demo_dues_amount("region", 0) == Decimal(6000)


def _check_aquitaine_sheet_of_2013_has_its_budget_and_five_axes():
    region = _authority("region", "75")
    assert region.name == "Région Nouvelle-Aquitaine"
    assert EssBudget.objects.get(authority=region, year=2013).amount == Decimal("4150000")
    axes = list(region.policy_axes.order_by("sort_order").values_list("title", flat=True))
    assert len(axes) == 5 and axes[-1] == "Soutenir l'innovation sociale"
    assert region.ess_figures.get(label="Salariés de l'ESS").value == Decimal("117197")
    assert "Bordeaux" in region.address and "2005" in region.ess_context
    assert set(region.themes.values_list("name", flat=True)) >= {"Innovation sociale"}
    # The elected official and the officer in charge named on the sheet
    names = {p.person.full_name for p in region.positions.filter(start_date__year=2014)}
    assert {"Bérénice Delpeyrat-Vincent", "Céline Laroche"} <= names


def _check_every_sheet_of_the_2014_kit_is_loaded_and_themes_come_from_the_list():
    sheets = [row for row in _toml("profiles.toml")["profile"] if row["seed"] == "002"]
    assert {(row["kind"], row["code"]) for row in sheets} == {
        ("region", "75"),
        ("region", "44"),
        ("region", "11"),
        ("departement", "62"),
        ("epci", "246200729"),
        ("commune", "75056"),
    }
    for row in sheets:
        authority = _authority(row["kind"], row["code"])
        assert authority.ess_context and authority.profile_updated_at
    assert EssBudget.objects.get(authority=_authority("region", "44"), year=2013).amount == (
        Decimal("2600000")
    )
    assert _authority("epci", "246200729").themes.filter(name="Monnaies locales").exists()
    listed = {row["name"] for row in _toml("themes.toml")["theme"]}
    assert {
        "Transition énergétique",
        "Économie circulaire",
        "Foncier, lieux partagés et communs",
        "Alimentation durable",
        "Mobilité durable",
        "Immigration",
        "Utilité sociale",
    } <= listed
    assert set(Theme.objects.values_list("name", flat=True)) >= listed
    assert Authority.objects.filter(themes__isnull=False).distinct().count() >= 30


def _check_the_2017_board_was_elected_at_the_general_assembly():
    rtes = Organisation.objects.get(acronym="RTES")
    assembly = GeneralAssembly.objects.get(organisation=rtes)
    assert assembly.held_on == datetime.date(2017, 6, 30)
    board = Position.objects.filter(organisation=rtes, start_date__year=2017).exclude(board_role="")
    assert board.count() == 23
    assert set(board.values_list("start_date", flat=True)) == {assembly.held_on}


def _state() -> tuple:
    return (
        list(Membership.objects.order_by("pk").values_list("pk", "joined_on", "left_on", "note")),
        list(Dues.objects.order_by("pk").values_list("pk", "amount", "paid_on")),
        list(PolicyAxis.objects.order_by("pk").values_list("pk", "title")),
        list(EssFigure.objects.order_by("pk").values_list("pk", "value")),
        list(EssBudget.objects.order_by("pk").values_list("pk", "amount")),
        list(Authority.objects.order_by("pk").values_list("pk", "name", "profile_updated_at")),
        Theme.objects.count(),
        GeneralAssembly.objects.count(),
        Person.objects.count(),
        Position.objects.count(),
        ModelLogEntry.objects.count(),
        PageLogEntry.objects.count(),
    )


def test_a_second_load_changes_nothing(demo):
    # The first load is `demo`'s, on an empty database.
    assert "126 périodes d'adhésion (118 adhérents au 31/12/2017)" in demo.output
    before = _state()
    second_report = demo_load()
    assert _state() == before
    assert second_report.memberships == 126
    assert second_report.members_end_2017 == 118


def test_the_filler_rule_is_deterministic_and_meets_its_targets():
    rows = _toml("authorities.toml")["authority"]
    excluded = {(row["kind"], row["code"]) for row in rows}
    seed_years = [row["joined"].year for row in rows if row.get("is_member")]
    plan = filler_plan(excluded, seed_years)
    assert plan == filler_plan(excluded, seed_years)
    assert len(plan) == sum(STAYING.values()) + sum(LEAVING.values())
    assert not {(f.kind, f.code) for f in plan} & excluded
    for year, target in MEMBERS_AT_YEAR_END.items():
        end = datetime.date(year, 12, 31)
        fillers = sum(
            1 for f in plan if f.joined_on <= end and (f.left_on is None or f.left_on > end)
        )
        assert fillers + sum(1 for y in seed_years if y <= year) == target


def _seed_shingles(size: int) -> set[tuple[str, ...]]:
    shingles: set[tuple[str, ...]] = set()
    for path in SEEDS_DIR.glob("00*.txt"):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        shingles.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    return shingles


def _free_texts(value: object, key: str = ""):
    if isinstance(value, str):
        if key not in ("address", "website", "name", "mention"):
            yield re.sub(r"«[^»]*»", " ", value)
    elif isinstance(value, dict):
        for sub_key, sub_value in value.items():
            yield from _free_texts(sub_value, sub_key)
    elif isinstance(value, list):
        for item in value:
            yield from _free_texts(item, key)


def test_demo_texts_are_our_own_words():
    """No run of 8 words of the seeds in the texts written for the demo (names, addresses
    and quoted titles aside)."""
    seeds = _seed_shingles(8)
    if not seeds:
        pytest.skip("documents sources absents (../shared/seeds)")
    for name in ("profiles.toml", "themes.toml", "assemblies.toml"):
        for text in _free_texts(_toml(name)):
            words = re.findall(r"\w+", text.lower())
            copied = [
                " ".join(words[i : i + 8])
                for i in range(len(words) - 7)
                if tuple(words[i : i + 8]) in seeds
            ]
            assert not copied, f"{name} reprend une phrase d'un document source : {copied[0]}"
