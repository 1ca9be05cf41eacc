"""Name resolver throughput and top-1 accuracy over the mentions found in the seed documents.

`run()` expects Django to be set up on a database where `essor territories_import` has run
(the default database, not a test one). Run alone: `.venv/bin/python benchmarks/bench_resolve.py`.
"""

import csv
import time
from pathlib import Path

SEED_MENTIONS = (
    Path(__file__).resolve().parent.parent
    / "essor" / "territories" / "tests" / "data" / "seed_mentions.csv"
)  # fmt: skip
TIMED_PASSES = 3


def _rows() -> list[dict]:
    # Read as text: "06" and "2A004" are codes, not numbers.
    with open(SEED_MENTIONS, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _is_right(row: dict, found: list, confident: float) -> bool:
    top = found[0] if found else None
    return (
        top is not None
        and (top.kind, top.code) == (row["kind"], row["code"])
        and (top.score >= confident)
    )


def run() -> dict:
    """Names resolved per second after a warm-up pass (which builds the in-memory index),
    and the share of positive mentions whose first candidate is the right territory with a
    confident score."""
    from essor.territories.models import Territory, TerritoryAlias
    from essor.territories.selectors import CONFIDENT, resolve

    if not Territory.objects.exists():
        raise RuntimeError("Référentiel absent : lancez d'abord « essor territories_import ».")
    if not TerritoryAlias.objects.exists():
        # An import made before aliases.csv existed is "already up to date" for the snapshot.
        raise RuntimeError(
            "Aucun autre nom (aliases.csv) chargé : lancez « essor territories_import --force »."
        )
    rows = _rows()
    for row in rows:  # warm-up
        resolve(row["mention"])
    started = time.perf_counter()
    results = [[resolve(row["mention"]) for row in rows] for _pass in range(TIMED_PASSES)]
    elapsed = time.perf_counter() - started
    positives = [(row, found) for row, found in zip(rows, results[0], strict=True) if row["code"]]
    right = sum(_is_right(row, found, CONFIDENT) for row, found in positives)
    return {
        "names_per_second": round(TIMED_PASSES * len(rows) / elapsed, 1),
        "top1_accuracy": round(right / len(positives), 4),
        "rows": len(rows),
    }


if __name__ == "__main__":
    import os
    import sys

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essor.config.settings")
    django.setup()
    print(run())
