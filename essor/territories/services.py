"""Writes of the referential: importing a snapshot and its aliases."""

import csv
import hashlib
import logging
from collections import Counter
from pathlib import Path

from django.db import transaction

from essor.territories import snapshot as snapshot_module
from essor.territories.models import ReferentialImport, Territory, TerritoryAlias, TerritoryKind
from essor.territories.signals import referential_imported

logger = logging.getLogger(__name__)

ALIASES_PATH = Path(__file__).parent / "data" / "aliases.csv"
_FIELDS = [
    "name",
    "siren",
    "nature",
    "population",
    "postal_codes",
    "zone",
    "is_current",
    "region_id",
    "departement_id",
    "epci_id",
    "ept_id",
]
# Parents before children, so that links can be filled in as rows are written.
_LEVELS = ["region", "departement", "epci", "ept", "commune"]


def referential_import(path: Path | None = None, force: bool = False) -> dict:
    """Load the snapshot into the database; a second run with the same file does nothing.

    Returns the counts by kind and whether anything was written.
    """
    path = path or snapshot_module.SNAPSHOT_PATH
    checksum = _import_checksum(path)
    done = ReferentialImport.objects.filter(checksum=checksum).first()
    if done and not force:
        return {"changed": False, "version": done.version, **_counts()}
    data = snapshot_module.read(path)
    with transaction.atomic():
        rows = _rows_from_snapshot(data)
        _upsert(rows)
        alias_count = aliases_import()
        referential_imported.send(sender=Territory)
        counts = _counts()
        ReferentialImport.objects.create(
            source=data["source"],
            version=data["version"],
            checksum=checksum,
            counts={**counts, "aliases": alias_count},
        )
    return {"changed": True, "version": data["version"], **counts}


def _import_checksum(path: Path) -> str:
    """One fingerprint for the snapshot and the aliases: a change to either re-imports."""
    digest = hashlib.sha256(snapshot_module.checksum(path).encode())
    digest.update(IMPORT_RULES_VERSION.encode())
    if ALIASES_PATH.exists():
        digest.update(ALIASES_PATH.read_bytes())
    return digest.hexdigest()


# Bump when the way rows are derived from the snapshot changes, so that existing databases
# re-import (2: populations of régions and départements summed from their communes).
IMPORT_RULES_VERSION = "2"


def _counts() -> dict:
    found = Counter(Territory.objects.filter(is_current=True).values_list("kind", flat=True))
    return {kind.value: found.get(kind.value, 0) for kind in TerritoryKind}


def _rows_from_snapshot(data: dict) -> dict[tuple[str, str], dict]:
    """Every territory of the snapshot as a row keyed by (kind, code); links as (kind, code)."""
    rows: dict[tuple[str, str], dict] = {}

    def add(kind: str, code: str, links: dict | None = None, **fields) -> None:
        rows[(kind, code)] = {"kind": kind, "code": code, "fields": fields, "links": links or {}}

    for region in data["regions"]:
        add("region", region["code"], name=region["nom"], zone=region.get("zone", ""))
    for dep in data["departements"]:
        add(
            "departement",
            dep["code"],
            {"region_id": ("region", dep["region"])},
            name=dep["nom"],
            zone=dep.get("zone", ""),
        )
    group_of: dict[str, dict[str, str]] = {"epci": {}, "ept": {}}
    for kind in ("epci", "ept"):
        for group in data[kind]:
            add(
                kind,
                group["code"],
                name=group["nom"],
                siren=group["code"],
                nature="EPT" if kind == "ept" else group.get("type", ""),
                population=group.get("populationMunicipale"),
            )
            for member in group.get("membres", []):
                group_of[kind][member] = group["code"]
    for commune in data["communes"]:
        code = commune["code"]
        links = {
            "region_id": ("region", commune.get("region")),
            "departement_id": ("departement", commune.get("departement")),
            "epci_id": ("epci", group_of["epci"].get(code)),
            "ept_id": ("ept", group_of["ept"].get(code)),
        }
        add(
            "commune",
            code,
            links,
            name=commune["nom"],
            siren=commune.get("siren", ""),
            population=commune.get("population"),
            postal_codes=commune.get("codesPostaux", []),
            zone=commune.get("zone", ""),
        )
    _place_groups(rows, data)
    _sum_populations(rows)
    return rows


def _sum_populations(rows: dict) -> None:
    # Régions and départements: the sum of their communes' municipal populations.
    totals: Counter = Counter()
    for row in rows.values():
        if row["kind"] == "commune":
            for link in ("region_id", "departement_id"):
                if row["links"].get(link):
                    totals[row["links"][link]] += row["fields"].get("population") or 0
    for key, total in totals.items():
        if key in rows and total:
            rows[key]["fields"]["population"] = total


def _place_groups(rows: dict, data: dict) -> None:
    # An EPCI or EPT has no département in the data: take its most populous commune's.
    for kind in ("epci", "ept"):
        for group in data[kind]:
            members = [
                rows[("commune", c)] for c in group.get("membres", []) if ("commune", c) in rows
            ]
            if not members:
                continue
            seat = max(members, key=lambda m: m["fields"].get("population") or 0)
            row = rows[(kind, group["code"])]
            row["links"] = {key: seat["links"][key] for key in ("region_id", "departement_id")}
            if not row["fields"].get("population"):
                row["fields"]["population"] = sum(
                    m["fields"].get("population") or 0 for m in members
                )
            row["zone"] = seat["fields"].get("zone", "")
            row["fields"]["zone"] = row["zone"]


def _upsert(rows: dict) -> None:
    """Write each level in turn, creating new rows and updating only those that changed."""
    existing = {(t.kind, t.code): t for t in Territory.objects.all()}
    ids = {key: t.pk for key, t in existing.items()}
    defaults = {field: Territory._meta.get_field(field).get_default() for field in _FIELDS}
    for level in _LEVELS:
        to_create, to_update = [], []
        for key, row in rows.items():
            if row["kind"] != level:
                continue
            values = {**defaults, **row["fields"], "is_current": True}
            for field, target in row["links"].items():
                values[field] = ids.get(target)
            territory = existing.get(key)
            if territory is None:
                to_create.append(Territory(kind=row["kind"], code=row["code"], **values))
            elif any(getattr(territory, f) != v for f, v in values.items()):
                for field, value in values.items():
                    setattr(territory, field, value)
                to_update.append(territory)
        for territory in Territory.objects.bulk_create(to_create, batch_size=1000):
            ids[(territory.kind, territory.code)] = territory.pk
        Territory.objects.bulk_update(to_update, _FIELDS, batch_size=500)
    retired = [pk for key, pk in ids.items() if key not in rows]
    Territory.objects.filter(pk__in=retired, is_current=True).update(is_current=False)


def aliases_import(path: Path = ALIASES_PATH) -> int:
    """(Re)load the other names territories are known by. Rows whose territory is missing
    from the referential are reported and skipped."""
    if not Path(path).exists():
        return 0
    ids = {
        (kind, code): pk for pk, kind, code in Territory.objects.values_list("id", "kind", "code")
    }
    aliases = []
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            territory_id = ids.get((row["kind"], row["code"]))
            if territory_id is None:
                logger.warning(
                    "aliases.csv ligne %s : territoire %s %s inconnu",
                    line,
                    row["kind"],
                    row["code"],
                )
                continue
            aliases.append(
                TerritoryAlias(
                    territory_id=territory_id,
                    name=row["alias"].strip(),
                    until=int(row["until"]) if row.get("until") else None,
                    note=row.get("note", ""),
                )
            )
    TerritoryAlias.objects.all().delete()
    TerritoryAlias.objects.bulk_create(aliases, ignore_conflicts=True)
    return len(aliases)
