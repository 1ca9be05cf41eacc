"""Search latency at 100 000 indexed passages, on SQLite and on PostgreSQL.

For each database, a throw-away instance (migrate, referential, `essor demo --no-ingest`), then
in a child process pointed at it: the demo's documents (the real passages) and synthetic
passages up to `PASSAGES` are written into the Tantivy index with Essor's own functions
(`essor.search.index.rebuild`, the same entries and vocabulary as `essor search_rebuild`), then
a query mix (the common words of the field, rarer ones, typos, acronyms, questions) is timed:

- through `essor.search.engine.search`, what the page and `essor search` run;
- as a bare full-text query on the same index in the same rounds: Tantivy's own query parser
  over the title and the text, top 10 (`searcher.search(index.parse_query(q), 10)`);
- as the whole search page (`/recherche/?q=…`, anonymous, Django's test client: middlewares,
  form, database, template).

The synthetic passages are generated deterministically (fixed seed) from the demo's own text
(runs of its words taken here and there, so that the frequent words and phrases of the field
stay frequent), with the names of real communes, OCR-like misreadings in publication pages,
and realistic owners, kinds, themes, régions and years. They exist only in the throw-away
index, written once on the SQLite instance and copied beside the PostgreSQL one.

PostgreSQL: `ESSOR_BENCH_POSTGRES` (default postgres://postgres@127.0.0.1:5432), where a
database is created for the run and dropped after. Target: p95 ≤ 50 ms.
Run alone: `.venv/bin/python benchmarks/bench_search_latency.py` (about eight minutes), or
`.venv/bin/python benchmarks/run.py --only search-latency` to write its section of RESULTS.md.
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSAGES = 100_000
SEED = 1
ROUNDS = 8  # each query timed this many times, in a shuffled order each round
PAGE_ROUNDS = 3
P95_TARGET_MS = 50.0
POSTGRES = os.environ.get("ESSOR_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")

# What officers type: the field's common words (matching a large share of the passages),
# rarer ones, typos, acronyms, whole questions, OCR-damaged words.
QUERIES: tuple[tuple[str, str], ...] = (
    ("common", "insertion"),
    ("common", "emploi"),
    ("common", "collectivité"),
    ("common", "collectivites"),
    ("common", "ESS"),
    ("common", "économie sociale"),
    ("common", "economie sociale et solidaire"),
    ("common", "coopérative"),
    ("common", "développement local"),
    ("common", "territoires"),
    ("common", "acteurs de l'ESS"),
    ("common", "politiques publiques"),
    ("rare", "monnaie locale"),
    ("rare", "ressourcerie"),
    ("rare", "habitat participatif"),
    ("rare", "épicerie solidaire"),
    ("rare", "circuits courts"),
    ("rare", "clauses sociales"),
    ("rare", "incubateur"),
    ("rare", "garage solidaire"),
    ("rare", "Bou'Sol"),
    ("rare", "world café"),
    ("typo", "monaie locale"),
    ("typo", "cooperativ"),
    ("typo", "colectivite"),
    ("typo", "economie solidiare"),
    ("typo", "insertoin"),
    ("typo", "devellopement local"),
    ("acronym", "PTCE"),
    ("acronym", "scic"),
    ("acronym", "SCOP"),
    ("acronym", "epci"),
    ("acronym", "QPV"),
    ("acronym", "ptce bretagne"),
    ("acronym", "cress"),
    ("question", "quels departements soutiennent une monnaie locale ?"),
    ("question", "comment une collectivite peut soutenir un ptce ?"),
    ("question", "clauses d'insertion dans les marches publics des collectivites"),
    ("question", "pole territorial de cooperation economique"),
    ("ocr", "pdle territorial"),
    ("ocr", "Quiils ont créé"),
)
CATEGORIES = {
    "common": "mots courants du domaine",
    "rare": "mots plus rares",
    "typo": "une faute de frappe",
    "acronym": "sigles",
    "question": "questions et expressions longues",
    "ocr": "mots abîmés par l'OCR",
}


def _essor(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "essor"), *args], env=env, check=True, capture_output=True)  # noqa: S603


def run() -> dict:
    """Both databases, one after the other (never at the same time on two cores). The index
    is written once, on the SQLite instance, and copied beside the PostgreSQL one (the same
    demo): the two measures differ by the database only."""
    kept = Path(tempfile.mkdtemp(prefix="essor-bench-latency-index-"))
    try:
        return {
            "passages": PASSAGES,
            "queries": len(QUERIES),
            "rounds": ROUNDS,
            "page_rounds": PAGE_ROUNDS,
            "sqlite": (sqlite := _on_database(None, keep_index=kept)),
            "postgresql": _on_postgresql(kept if sqlite["status"] == "ok" else None),
        }
    finally:
        shutil.rmtree(kept, ignore_errors=True)


def _on_database(
    database_url: str | None, *, keep_index: Path | None = None, reuse_index: Path | None = None
) -> dict:
    """Build the demo instance, measure in a child process pointed at it, clean up."""
    var_dir = Path(tempfile.mkdtemp(prefix="essor-bench-latency-"))
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        ESSOR_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="essor.config.settings",
        ESSOR_ENV="development",
        ESSOR_DEBUG="0",  # no SQL recorded per query, as in production
        ESSOR_SEARCH_AUTO_INDEX="0",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    try:
        _essor(env, "migrate", "--no-input", "-v", "0")
        _essor(env, "territories_import")
        _essor(env, "demo", "--no-ingest")
        if reuse_index:
            shutil.rmtree(var_dir / "search")
            shutil.copytree(reuse_index, var_dir / "search")
        measured = subprocess.run(  # noqa: S603
            [str(BIN / "python"), __file__, "--measure", *(["--reuse"] if reuse_index else [])],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        if keep_index:
            shutil.copytree(var_dir / "search", keep_index, dirs_exist_ok=True)
        return {"status": "ok", **json.loads(measured.stdout.strip().splitlines()[-1])}
    except subprocess.CalledProcessError as error:
        lines = (error.stderr or error.stdout or str(error)).strip().splitlines()
        return {"status": "error", "error": lines[-1] if lines else str(error)}
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _on_postgresql(index_dir: Path | None) -> dict:
    import psycopg

    name = f"essor_bench_latency_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        return {"status": "absent", "error": f"PostgreSQL injoignable ({POSTGRES}) : {error}"}
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            return _on_database(f"{POSTGRES}/{name}", reuse_index=index_dir)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- in the child process, Django set up on the instance -------------------------------------


def _measure(reuse: bool) -> dict:
    import django

    django.setup()
    from django.db import connection

    from essor.search import index
    from essor.search.services import all_documents

    real = list(all_documents())
    started = time.perf_counter()
    if not reuse:
        index.rebuild(_all(real, PASSAGES - len(real)))
    build_seconds = None if reuse else time.perf_counter() - started
    searchable = index.index()
    indexed = searchable.searcher().num_docs
    rng = random.Random(SEED)  # noqa: S311 - a reproducible order, not a secret
    load_before = os.getloadavg()[0]
    essor_times, bare_times, page_times = _timings(searchable, rng)
    load = (load_before, os.getloadavg()[0])
    per_query = []
    for category, text in QUERIES:
        per_query.append(
            {
                "category": category,
                "text": text,
                "matches": _matches(text),
                "essor_median": statistics.median(essor_times[text]),
                "essor_p95": _p95(essor_times[text]),
                "bare_median": statistics.median(bare_times[text]),
                "page_median": statistics.median(page_times[text]),
            }
        )
    return {
        "database": _database(connection),
        "load": load,
        "indexed": indexed,
        "real": len(real),
        "vocabulary": len(index.vocabulary()),
        "build_seconds": build_seconds,
        "essor": _summary(essor_times),
        "bare": _summary(bare_times),
        "page": _summary(page_times),
        "categories": {
            category: _summary({t: essor_times[t] for c, t in QUERIES if c == category})
            for category in CATEGORIES
        },
        "per_query": per_query,
    }


def _database(connection) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def _timings(searchable, rng: random.Random) -> tuple[dict, dict, dict]:
    """Each query ROUNDS times through Essor and bare, interleaved, in a new order each round
    (after one round of warm-up: the vocabulary and the glossary are read once per process);
    then the page PAGE_ROUNDS times."""
    from django.test import Client

    from essor.search.engine import search

    texts = [text for _, text in QUERIES]
    essor_times: dict[str, list[float]] = {text: [] for text in texts}
    bare_times: dict[str, list[float]] = {text: [] for text in texts}
    for round_index in range(ROUNDS + 1):
        order = texts[:]
        rng.shuffle(order)
        for text in order:
            pair = [
                ("essor", lambda t=text: search(t, member=False)),
                ("bare", lambda t=text: _bare(searchable, t)),
            ]
            if round_index % 2:
                pair.reverse()
            for name, call in pair:
                started = time.perf_counter()
                call()
                elapsed = (time.perf_counter() - started) * 1000
                if round_index:
                    (essor_times if name == "essor" else bare_times)[text].append(elapsed)
    client = Client()
    page_times: dict[str, list[float]] = {text: [] for text in texts}
    for round_index in range(PAGE_ROUNDS + 1):
        order = texts[:]
        rng.shuffle(order)
        for text in order:
            started = time.perf_counter()
            response = client.get("/recherche/", {"q": text})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"/recherche/?q={text} répond {response.status_code}")
            if round_index:
                page_times[text].append(elapsed)
    return essor_times, bare_times, page_times


def _bare(searchable, text: str) -> int:
    """Tantivy alone: its query parser over the title and the text, the ten best."""
    searcher = searchable.searcher()
    try:
        query = searchable.parse_query(text, ["title", "body"])
    except ValueError:  # syntax Tantivy refuses (an apostrophe, a "?"): its lenient parser
        query, _errors = searchable.parse_query_lenient(text, ["title", "body"])
    return searcher.search(query, 10).count or 0


def _matches(text: str) -> int:
    from essor.search.engine import search

    return search(text, member=False).total


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _summary(times: dict[str, list[float]]) -> dict:
    values = [value for series in times.values() for value in series]
    return {
        "median": statistics.median(values),
        "p95": _p95(values),
        "max": max(values),
        "count": len(values),
    }


# --- the synthetic passages ----------------------------------------------------------------

# The share of each kind among the synthetic passages: pages of publications mostly.
SHARES = (("publication", 0.75), ("initiative", 0.18), ("sheet", 0.04), ("authority", 0.03))
PAGES_PER_PUBLICATION = (8, 240)
WORDS = {
    "publication": (150, 450),
    "initiative": (80, 300),
    "sheet": (60, 200),
    "authority": (8, 20),
}
OCR_NOISE = 0.006  # share of the words of a publication page misread


def _all(real: list, synthetic: int) -> Iterator:
    yield from real
    yield from synthetic_documents(real, synthetic, random.Random(SEED))  # noqa: S311


def synthetic_documents(real: list, count: int, rng: random.Random) -> Iterator:
    """`count` passages that read like the demo's (runs of its words, in its order, so that
    its frequent words and phrases stay frequent), spread over publications, initiatives,
    sheets and authorities, with real commune names and OCR misreadings."""
    import datetime

    from essor.core.search_sources import SearchDocument

    words = [word for document in real for word in document.text.split()]
    places = _place_names()
    themes = sorted({theme for document in real for theme in document.themes})
    regions = sorted({document.region for document in real if document.region})
    levels = sorted({document.level for document in real if document.level})

    def text(kind: str) -> str:
        passage = _runs(words, rng, rng.randint(*WORDS[kind]))
        for _ in range(1 + len(passage) // 120):  # where it happens
            passage.insert(rng.randrange(len(passage) + 1), rng.choice(places))
        if kind == "publication":
            misread = len(passage) * OCR_NOISE
            for at in rng.sample(range(len(passage)), int(misread + rng.random())):
                passage[at] = _misread(passage[at], rng)
        return " ".join(passage)

    def common(kind: str) -> dict:
        return {
            "kind": kind,
            "date": datetime.date(rng.randint(2005, 2025), rng.randint(1, 12), 1),
            "themes": rng.sample(themes, rng.randint(0, min(2, len(themes)))),
            "region": rng.choice(regions) if kind != "publication" else "",
            "level": rng.choice(levels) if kind in ("initiative", "authority") else "",
        }

    remaining = {kind: round(count * share) for kind, share in SHARES}
    remaining["publication"] += count - sum(remaining.values())
    number = 0
    while remaining["publication"] > 0:
        number += 1
        owner = f"publication:synthetique-{number}"
        pages = min(remaining["publication"], rng.randint(*PAGES_PER_PUBLICATION))
        fields = common("publication") | {"members_only": rng.random() < 0.05}
        title = " ".join(_runs(words, rng, rng.randint(4, 9)))
        for page in range(1, pages + 1):
            yield SearchDocument(
                key=f"{owner}:p{page}",
                owner=owner,
                title=f"{title} (publication synthétique {number}) — p. {page}",
                url=f"/bibliotheque/synthetique-{number}/?page={page}",
                text=text("publication"),
                **fields,
            )
        remaining["publication"] -= pages
    for kind in ("initiative", "sheet", "authority"):
        for number in range(1, remaining[kind] + 1):
            owner = f"{kind}:synthetique-{number}"
            if kind == "authority":
                title = f"{rng.choice(places)} (collectivité synthétique {number})"
            else:
                title = " ".join(_runs(words, rng, rng.randint(4, 10)))
            yield SearchDocument(
                key=owner,
                owner=owner,
                title=title,
                url=f"/synthetique/{kind}/{number}/",
                text=text(kind),
                **common(kind),
            )


def _runs(words: list[str], rng: random.Random, count: int) -> list[str]:
    """`count` words of the demo's text, in runs of a few to a few dozen taken here and there."""
    passage: list[str] = []
    while len(passage) < count:
        start = rng.randrange(len(words))
        passage += words[start : start + min(count - len(passage), rng.randint(3, 40))]
    return passage


# What OCR reads for what is printed (a typist's slips, dropped or swapped letters, are the
# queries' business: generated here, they would be "known" words no typo correction touches).
MISREADINGS = (("rn", "m"), ("m", "rn"), ("l", "I"), ("i", "l"), ("e", "c"), ("ô", "d"), ("é", "c"))


def _misread(word: str, rng: random.Random) -> str:
    """What OCR does to a word: letters read as others that look alike."""
    found = [(printed, read) for printed, read in MISREADINGS if printed in word[1:]]
    if not found:
        return word
    printed, read = rng.choice(found)
    return word[0] + word[1:].replace(printed, read, 1)


def _place_names() -> list[str]:
    from essor.territories.models import Territory

    return sorted(Territory.objects.filter(kind="commune").values_list("name", flat=True))


# --- the report -----------------------------------------------------------------------------


def _int(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _ms(value: float) -> str:
    return f"{value:.1f}"


def report_lines(result: dict) -> list[str]:
    if result.get("status") == "error":
        return [f"**Échec** de `benchmarks/bench_search_latency.py` : `{result['error']}`"]
    bases = [("SQLite", result["sqlite"]), ("PostgreSQL", result["postgresql"])]
    measured = [(name, base) for name, base in bases if base.get("status") == "ok"]
    lines = [
        f"{_int(result['passages'])} passages indexés (ceux de la démonstration, les vrais, et des "
        "passages synthétiques tirés de leur texte) ; "
        f"{result['queries']} requêtes tapées comme par les chargé·es de mission (mots courants "
        "du domaine, mots rares, fautes de frappe, sigles, questions, mots abîmés par l'OCR), "
        f"chacune {result['rounds']} fois en tours mélangés après un tour d'échauffement, par "
        "`essor.search.engine.search` (le code de la page), et dans les mêmes tours en requête "
        "« nue » sur le même index (analyseur de requêtes de Tantivy sur le titre et le texte, "
        "les 10 meilleurs, sans correction, sigles, facettes ni extraits) ; puis la page "
        "`/recherche/` entière (visiteur anonyme, client de test de Django, base comprise) "
        f"{result['page_rounds']} fois par requête.",
        "",
        f"| Base | Essor médiane (ms) | Essor p95 (ms) | cible p95 ≤ {P95_TARGET_MS:.0f} ms "
        "| Requête nue médiane (ms) | nue p95 (ms) | Essor ÷ nue, médianes | Essor ÷ nue, p95 "
        "| Page entière médiane (ms) | page p95 (ms) |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(_base_row(name, base) for name, base in bases),
    ]
    if measured:
        lines += ["", *_categories(measured), "", *_about(measured)]
    return lines


def _base_row(name: str, base: dict) -> str:
    if base.get("status") != "ok":
        return f"| {name} | non mesuré : {base.get('error', '?')} | | | | | | | | |"
    essor, bare, page = base["essor"], base["bare"], base["page"]
    met = "atteinte" if essor["p95"] <= P95_TARGET_MS else "**non atteinte**"
    return (
        f"| {name} | {_ms(essor['median'])} | {_ms(essor['p95'])} | {met} "
        f"| {_ms(bare['median'])} | {_ms(bare['p95'])} | {essor['median'] / bare['median']:.1f} "
        f"| {essor['p95'] / bare['p95']:.1f} | {_ms(page['median'])} | {_ms(page['p95'])} |"
    )


def _categories(measured: list[tuple[str, dict]]) -> list[str]:
    lines = [
        "Par sorte de requête, Essor, médiane / p95 (ms) ; « la plus large » : la requête de la "
        "sorte qui trouve le plus d'entrées (n'importe lequel de ses mots suffit à trouver).",
        "",
        "| Requêtes | la plus large | " + " | ".join(name for name, _ in measured) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in measured) + " |",
    ]
    first = measured[0][1]
    for category, label in CATEGORIES.items():
        rows = [row for row in first["per_query"] if row["category"] == category]
        widest = max(rows, key=lambda row: row["matches"])
        cells = " | ".join(
            f"{_ms(base['categories'][category]['median'])} / "
            f"{_ms(base['categories'][category]['p95'])}"
            for _, base in measured
        )
        lines.append(
            f"| {label} ({len(rows)}) | « {widest['text']} », {_int(widest['matches'])} "
            f"résultats | {cells} |"
        )
    return lines


def _about(measured: list[tuple[str, dict]]) -> list[str]:
    lines = []
    for name, base in measured:
        slowest = sorted(base["per_query"], key=lambda row: -row["essor_p95"])[:3]
        lines.append(
            f"- {name} ({base['database']}) : index de {_int(base['indexed'])} passages dont "
            f"{base['real']} de la démonstration, vocabulaire de {_int(base['vocabulary'])} mots "
            "(vers lesquels les fautes sont corrigées), "
            + (
                f"écrit en {base['build_seconds']:.0f} s ; "
                if base["build_seconds"] is not None
                else "le même que pour SQLite, copié ; "
            )
            + "charge moyenne de la machine pendant la mesure "
            f"{base['load'][0]:.1f} – {base['load'][1]:.1f} ; requêtes les plus lentes (p95) : "
            + " ; ".join(f"« {row['text']} » {_ms(row['essor_p95'])} ms" for row in slowest)
            + "."
        )
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--measure" in sys.argv:
        try:
            print(json.dumps(_measure(reuse="--reuse" in sys.argv)))
        except Exception:
            traceback.print_exc()
            raise
    else:
        print("\n".join(report_lines(run())))
