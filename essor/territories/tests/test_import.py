"""The referential import: idempotent, links right, plausible counts, aliases linked."""

import csv
import logging

import pytest

from essor.territories.models import ReferentialImport, Territory, TerritoryAlias
from essor.territories.services import ALIASES_PATH, aliases_import, referential_import

pytestmark = pytest.mark.django_db


def _commune(code: str) -> Territory:
    return Territory.objects.select_related("departement", "region", "epci", "ept").get(
        kind="commune", code=code
    )


def _alias_rows() -> list[dict]:
    with open(ALIASES_PATH, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_second_import_changes_nothing():
    territories, aliases = Territory.objects.count(), TerritoryAlias.objects.count()
    imports = ReferentialImport.objects.count()
    result = referential_import()
    assert result["changed"] is False
    assert result["commune"] == Territory.objects.filter(kind="commune", is_current=True).count()
    assert (Territory.objects.count(), TerritoryAlias.objects.count()) == (territories, aliases)
    assert ReferentialImport.objects.count() == imports


def test_counts_by_kind_are_plausible():
    current = Territory.objects.filter(is_current=True)
    assert current.filter(kind="region").count() >= 18
    assert current.filter(kind="departement").count() >= 101
    assert current.filter(kind="epci").count() >= 1200
    assert current.filter(kind="ept").count() == 11
    assert current.filter(kind="commune").count() >= 34_000


def test_caen_is_linked_to_its_departement_region_and_epci():
    caen = _commune("14118")
    assert caen.name == "Caen"
    assert (caen.departement.code, caen.region.code) == ("14", "28")
    assert (caen.epci.code, caen.epci.nature) == ("200065597", "CU")  # Caen la Mer
    assert caen.ept is None
    assert caen.population > 100_000


def test_fresnes_belongs_to_an_ept_and_the_metropole_du_grand_paris():
    fresnes = _commune("94034")
    assert fresnes.ept is not None and fresnes.ept.kind == "ept"
    assert fresnes.ept.code == "200058014"  # Grand-Orly Seine Bièvre
    assert fresnes.epci.code == "200054781"  # Métropole du Grand Paris


def test_groups_get_a_departement_and_a_population():
    lyon = Territory.objects.get(kind="epci", code="200046977")
    assert (lyon.nature, lyon.departement.code) == ("MET69", "69")
    est_ensemble = Territory.objects.get(kind="ept", code="200057875")
    assert est_ensemble.population and est_ensemble.departement.code == "93"


def test_every_alias_row_is_loaded_and_linked():
    rows = _alias_rows()
    assert len(rows) >= 100
    assert TerritoryAlias.objects.count() == len(rows)
    for row in rows:
        alias = TerritoryAlias.objects.select_related("territory").get(
            name=row["alias"], territory__kind=row["kind"], territory__code=row["code"]
        )
        assert alias.until == (int(row["until"]) if row["until"] else None)


def test_every_pre_2016_region_has_an_alias():
    old_regions = {
        "Alsace": "44", "Aquitaine": "75", "Auvergne": "84", "Basse-Normandie": "28",
        "Bourgogne": "27", "Centre": "24", "Champagne-Ardenne": "44", "Franche-Comté": "27",
        "Haute-Normandie": "28", "Languedoc-Roussillon": "76", "Limousin": "75",
        "Lorraine": "44", "Midi-Pyrénées": "76", "Nord-Pas-de-Calais": "32", "Picardie": "32",
        "Poitou-Charentes": "75", "Rhône-Alpes": "84",
    }  # fmt: skip
    for name, code in old_regions.items():
        alias = TerritoryAlias.objects.get(name=name)
        assert (alias.territory.kind, alias.territory.code, alias.until) == ("region", code, 2015)


def test_alias_rows_with_an_unknown_territory_are_skipped_and_reported(tmp_path, caplog):
    path = tmp_path / "aliases.csv"
    path.write_text(
        "kind,code,alias,until,note\n"
        "epci,243300316,CUB,2014,sigle\n"
        "commune,99999,Nulle Part,,inconnue\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="essor.territories.services"):
        assert aliases_import(path) == 1
    assert "99999" in caplog.text
    assert list(TerritoryAlias.objects.values_list("name", flat=True)) == ["CUB"]


def test_a_changed_alias_file_is_imported_even_with_the_same_snapshot(tmp_path, monkeypatch):
    from essor.territories import services

    extended = tmp_path / "aliases.csv"
    extended.write_text(
        ALIASES_PATH.read_text(encoding="utf-8") + "commune,14118,Caen-la-Mer-test,,essai\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(services, "ALIASES_PATH", extended)
    monkeypatch.setattr(services.aliases_import, "__defaults__", (extended,))
    assert referential_import()["changed"] is True
    assert TerritoryAlias.objects.filter(name="Caen-la-Mer-test", territory__code="14118").exists()
