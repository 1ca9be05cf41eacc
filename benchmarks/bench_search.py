"""Search quality on the demo corpus: hit@5 and MRR@10 over the judged queries
(essor/search/tests/data/queries.toml) for Essor's search and, in the same run and on the same
data, for Wagtail's stock database backend with default settings.

Builds its own throw-away instance (migrate, referential, `essor demo`, Wagtail's
`update_index`), since the judgments are made on the demo alone. Targets: Essor hit@5 ≥ 0.9 and
better than the stock backend on both measures.
Run alone: `.venv/bin/python benchmarks/bench_search.py` (about three minutes).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HIT_TARGET = 0.9


def _essor(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "essor"), *args], env=env, check=True, capture_output=True)  # noqa: S603


def run() -> dict:
    """Build the demo instance, measure in a child process pointed at it, clean up."""
    var_dir = Path(tempfile.mkdtemp(prefix="essor-bench-search-"))
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(ESSOR_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="essor.config.settings")
    try:
        _essor(env, "migrate", "--no-input", "-v", "0")
        _essor(env, "territories_import")
        _essor(env, "demo", "--no-ingest")  # rebuilds Essor's index at its end
        _essor(env, "update_index")  # Wagtail's stock index
        measured = subprocess.run(  # noqa: S603
            [str(BIN / "python"), __file__, "--measure"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(measured.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _measure() -> dict:
    import django

    django.setup()
    from essor.search.engine import search
    from essor.search.quality import measure

    essor = measure(lambda text: [hit.url for hit in search(text, member=False).hits])
    stock = measure(_wagtail_urls, _relevant_or_its_publication)
    return {
        "queries": essor.queries,
        "essor": {"hit_at_5": essor.hit_at_5, "mrr_at_10": essor.mrr_at_10, "misses": essor.misses},
        "wagtail": {"hit_at_5": stock.hit_at_5, "mrr_at_10": stock.mrr_at_10},
    }


def _wagtail_urls(text: str) -> list[str]:
    """Wagtail's database backend over every indexed model, merged by score (what a site
    gets from `search()` with no configuration)."""
    from wagtail.search.backends import get_search_backend

    from essor.initiatives.models import Initiative, PracticeSheet
    from essor.library.models import Publication

    backend = get_search_backend()
    scored = []
    for model in (Initiative, PracticeSheet, Publication):
        rows = backend.search(text, model.objects.filter(live=True)).annotate_score("_score")[:10]
        scored.extend((row._score or 0, row.get_absolute_url()) for row in rows)
    return [url for _score, url in sorted(scored, key=lambda item: -item[0])]


def _relevant_or_its_publication(url: str, relevant: list[str]) -> bool:
    """The stock backend indexes a publication, not its pages: the publication counts as
    relevant when one of its pages is (a judgement in its favour)."""
    return url in relevant or any(item.startswith(f"{url}?page=") for item in relevant)


def report_lines(result: dict) -> list[str]:
    if result.get("status") == "error":
        return [f"**Échec** de `benchmarks/bench_search.py` : `{result['error']}`"]
    essor, stock = result["essor"], result["wagtail"]
    better = essor["hit_at_5"] > stock["hit_at_5"] and essor["mrr_at_10"] > stock["mrr_at_10"]
    met = essor["hit_at_5"] >= HIT_TARGET and better
    return [
        f"{result['queries']} requêtes écrites comme les tapent les chargé·es de mission, "
        "jugées à la main sur la démonstration (`essor/search/tests/data/queries.toml`).",
        "",
        "| Moteur | hit@5 | MRR@10 |",
        "| --- | ---: | ---: |",
        f"| Essor (Tantivy, analyse française) | {essor['hit_at_5']:.3f} | {essor['mrr_at_10']:.3f} |",
        f"| Wagtail, base de données, réglages d'origine | {stock['hit_at_5']:.3f} | "
        f"{stock['mrr_at_10']:.3f} |",
        "",
        f"Cible (hit@5 ≥ {HIT_TARGET} et mieux que Wagtail sur les deux mesures) : "
        f"{'atteinte' if met else '**non atteinte**'}.",
        "",
        "Sans réponse pertinente dans les cinq premiers résultats : "
        + ("; ".join(f"« {text} »" for text in essor["misses"]) or "aucune")
        + ".",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--measure" in sys.argv:
        print(json.dumps(_measure()))
    else:
        print("\n".join(report_lines(run())))
