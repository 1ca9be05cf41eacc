"""Reading and writing the vendored snapshot of the official referential.

The snapshot is Etalab's "découpage administratif" (npm `@etalab/decoupage-administratif`,
data under Licence Ouverte, code MIT), trimmed to the fields Essor uses and gzipped.
See data/SOURCE.md.
"""

import gzip
import hashlib
import json
from pathlib import Path

SNAPSHOT_PATH = Path(__file__).parent / "data" / "decoupage-administratif.json.gz"
SOURCE_NAME = "@etalab/decoupage-administratif"

_KEEP = {
    "regions": ("code", "nom", "chefLieu", "zone"),
    "departements": ("code", "nom", "region", "chefLieu", "zone"),
    "communes": (
        "code",
        "nom",
        "departement",
        "region",
        "siren",
        "codesPostaux",
        "population",
        "zone",
    ),
    "epci": ("code", "nom", "type", "modeFinancement", "populationMunicipale", "membres"),
    "ept": ("code", "nom", "type", "membres"),
}


def _trim(kind: str, record: dict) -> dict:
    trimmed = {key: record[key] for key in _KEEP[kind] if key in record}
    if "membres" in trimmed:
        trimmed["membres"] = [member["code"] for member in trimmed["membres"]]
    return trimmed


def build_from_package(package_dir: Path) -> dict:
    """Build a snapshot dict from an unpacked copy of the npm package (its folder or data/)."""
    package_dir = Path(package_dir)
    data_dir = package_dir / "data" if (package_dir / "data").is_dir() else package_dir
    manifest = package_dir / "package.json"
    version = json.loads(manifest.read_text())["version"] if manifest.exists() else "inconnue"
    snapshot = {"source": SOURCE_NAME, "version": version, "licence": "Licence Ouverte 2.0 / MIT"}
    for kind in _KEEP:
        records = json.loads((data_dir / f"{kind}.json").read_text(encoding="utf-8"))
        if kind == "communes":
            # Delegated and associated communes and municipal districts are not authorities.
            records = [r for r in records if r.get("type") == "commune-actuelle"]
        snapshot[kind] = [_trim(kind, record) for record in records]
    return snapshot


def write(snapshot: dict, path: Path = SNAPSHOT_PATH) -> None:
    payload = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0 keeps the file byte-identical for identical data (clean git diffs).
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write(payload.encode("utf-8"))


def checksum(path: Path = SNAPSHOT_PATH) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read(path: Path = SNAPSHOT_PATH) -> dict:
    return json.loads(gzip.decompress(Path(path).read_bytes()))
