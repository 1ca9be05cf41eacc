"""Ingestion of the seed documents: speed against spaCy's bare `nlp.pipe` over the same text,
in the same run, peak memory, and the quality of the extraction against the facts written by
hand (essor/ingest/tests/data/expected_facts.toml).

`run()` expects Django to be set up (the resolver reads the referential from the database).
Targets: the whole pipeline at least 0.7 of spaCy's bare throughput; people recall ≥ 0.9 and
precision ≥ 0.85; places recall and precision ≥ 0.9.
Run alone: `.venv/bin/python benchmarks/bench_ingest.py`.
"""

import resource
import time
from pathlib import Path

SPEED_TARGET = 0.7
PEOPLE_TARGETS = {"recall": 0.9, "precision": 0.85}
PLACES_TARGETS = {"recall": 0.9, "precision": 0.9}
ROUNDS = 2  # best of two for both sides, so that a hiccup of the machine favours neither


def _corpus() -> list[Path]:
    from essor.ingest.reading import corpus_files

    return corpus_files()


def _best_seconds(work) -> float:
    durations = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        work()
        durations.append(time.perf_counter() - started)
    return min(durations)


def _speed(files: list[Path]) -> dict:
    import spacy

    from essor.ingest.nlp import MODEL, french
    from essor.ingest.pipeline import analyse
    from essor.library.extraction import extract

    datas = {path.name: path.read_bytes() for path in files}
    pages = [page for name, data in datas.items() for page in extract(name, data).pages]
    words = sum(len(page.split()) for page in pages)
    bare_full = spacy.load(MODEL)  # the model as shipped, every component
    ours = french()
    list(bare_full.pipe(pages[:2]))  # warm-ups: first calls allocate
    for name, data in list(datas.items())[:1]:
        analyse(name, data)

    full_seconds = _best_seconds(lambda: list(bare_full.pipe(pages)))
    same_seconds = _best_seconds(lambda: list(ours.pipe(pages)))
    pipeline_seconds = _best_seconds(lambda: [analyse(n, d) for n, d in datas.items()])
    return {
        "documents": len(files),
        "kilobytes": round(sum(len(d) for d in datas.values()) / 1024),
        "words": words,
        "pipeline_seconds": round(pipeline_seconds, 2),
        "pipeline_words_per_second": round(words / pipeline_seconds),
        "bare_full_words_per_second": round(words / full_seconds),
        "bare_same_words_per_second": round(words / same_seconds),
        "ratio_to_bare_full": round(full_seconds / pipeline_seconds, 2),
        "ratio_to_bare_same": round(same_seconds / pipeline_seconds, 2),
        "speed_target": SPEED_TARGET,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _quality(corpus_dir: Path) -> dict:
    from essor.ingest import quality
    from essor.ingest.pipeline import analyse

    people, places, per_document = [], [], []
    for document in quality.expected_documents():
        path = corpus_dir / document["seed"]
        facts = analyse(path.name, path.read_bytes())
        people_score = quality.people_score(document["people"], facts["people"])
        places_score = quality.places_score(document["places"], facts["places"])
        people.append(people_score)
        places.append(places_score)
        per_document.append((document["seed"], people_score, places_score))
    return {
        "people": _score_dict(quality.combined(people)),
        "places": _score_dict(quality.combined(places)),
        "documents": [
            {"seed": seed, "people": _score_dict(people_of), "places": _score_dict(places_of)}
            for seed, people_of, places_of in per_document
        ],
    }


def _score_dict(score) -> dict:
    return {
        "expected": score.expected,
        "found": score.found,
        "right": score.right,
        "precision": round(score.precision, 3),
        "recall": round(score.recall, 3),
        "missed": score.missed,
        "wrong": score.wrong,
    }


def run() -> dict:
    files = _corpus()
    if not files:
        return {"skipped": "aucun document dans ESSOR_CORPUS_DIR"}
    result = {**_speed(files), "quality": _quality(files[0].parent)}
    quality = result["quality"]
    result["targets_met"] = {
        "speed": result["ratio_to_bare_full"] >= SPEED_TARGET,
        "people": all(quality["people"][key] >= value for key, value in PEOPLE_TARGETS.items()),
        "places": all(quality["places"][key] >= value for key, value in PLACES_TARGETS.items()),
    }
    return result


def report_lines(result: dict) -> list[str]:
    """The section of RESULTS.md (French, as the rest of the report)."""
    from essor.core.text import group_thousands

    if result.get("status") == "absent":
        return ["Non mesuré : `benchmarks/bench_ingest.py` absent."]
    if result.get("status") == "error":
        return [f"**Échec** de `benchmarks/bench_ingest.py` : `{result['error']}`"]
    if "skipped" in result:
        return [f"Non mesuré : {result['skipped']}."]
    met = result["targets_met"]
    quality = result["quality"]

    def verdict(ok: bool) -> str:
        return "atteinte" if ok else "**non atteinte**"

    lines = [
        f"{result['documents']} documents du corpus ({result['kilobytes']} Ko, "
        f"{group_thousands(result['words'])} mots), dans le même processus ; meilleur de "
        f"{ROUNDS} passages de chaque côté.",
        "",
        "| Mesure | Valeur |",
        "| --- | ---: |",
        f"| Chaîne complète (lecture, nettoyage, spaCy, règles, résolution) | "
        f"{result['pipeline_seconds']} s, {result['pipeline_words_per_second']} mots/s |",
        f"| spaCy seul, `nlp.pipe` du modèle complet | {result['bare_full_words_per_second']} mots/s |",
        f"| spaCy seul, `nlp.pipe` des composants utilisés | "
        f"{result['bare_same_words_per_second']} mots/s |",
        f"| Rapport chaîne / spaCy complet (cible ≥ {SPEED_TARGET}) | "
        f"{result['ratio_to_bare_full']} — {verdict(met['speed'])} |",
        f"| Rapport chaîne / spaCy mêmes composants | {result['ratio_to_bare_same']} |",
        f"| Mémoire maximale du processus (modèle compris) | {result['peak_memory_mb']} Mo |",
        "",
        "| Qualité (faits écrits à la main, seeds 000 et 002) | précision | rappel | cible |",
        "| --- | ---: | ---: | --- |",
        f"| Personnes ({quality['people']['expected']} attendues) | "
        f"{quality['people']['precision']} | {quality['people']['recall']} | "
        f"P ≥ 0,85, R ≥ 0,9 : {verdict(met['people'])} |",
        f"| Territoires ({quality['places']['expected']} attendus) | "
        f"{quality['places']['precision']} | {quality['places']['recall']} | "
        f"≥ 0,9 : {verdict(met['places'])} |",
    ]
    misses = [
        f"- `{document['seed']}` — {what} manqués : {', '.join(score['missed']) or 'aucun'} ; "
        f"en trop : {', '.join(score['wrong']) or 'aucun'}"
        for document in quality["documents"]
        for what, score in (("personnes", document["people"]), ("territoires", document["places"]))
    ]
    return [*lines, "", *misses]


if __name__ == "__main__":
    import os
    import sys

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essor.config.settings")
    django.setup()
    print("\n".join(report_lines(run())))
