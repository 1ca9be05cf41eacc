"""Essor's benchmarks (`make bench`): see benchmarks/README.md.

Builds a throw-away instance (demo, then synthetic data up to the scale below), runs the name
resolver benchmark in-process, then measures Essor's pages against two references, in
interleaved rounds, on two gunicorns running side by side: one with the anonymous page cache
(as served to a visitor), one without (`ESSOR_PAGE_CACHE=0`). Writes benchmarks/RESULTS.md.
"""

import contextlib
import http.client
import importlib.util
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# The volumes the pages are measured at (`essor synthetic_members` tops the demo up to them).
SCALE = {"authorities": 2000, "people": 10000, "initiatives": 20000, "events": 5000, "seed": 1}
# Stated in the report until the initiatives module exists and the generator makes them.
NOT_GENERATED: list[str] = []

# Pages measured against the two references; modules add theirs here. FULL_SHEET stands for
# the profile sheet the generator filled completely (found once the instance is built).
FULL_SHEET = "{fiche-complete}"
PAGES = [
    ("Accueil", "/"),
    ("Annuaire, sans filtre", "/reseau/collectivites/"),
    ("Annuaire, communes par population", "/reseau/collectivites/?niveau=commune&tri=population"),
    (
        "Annuaire, région 75 et 10 000 – 50 000 hab.",
        "/reseau/collectivites/?region=75&population=10000-50000",
    ),
    ("Annuaire, recherche « saint »", "/reseau/collectivites/?q=saint"),
    ("Annuaire, adhésion 2015, page 2", "/reseau/collectivites/?adhesion=2015&page=2"),
    ("Fiche collectivité complète", FULL_SHEET),
    ("Carte des adhérentes", "/reseau/carte/"),
    ("Initiatives, sans filtre", "/initiatives/"),
    (
        "Initiatives, trois facettes (mobilité, rural, départements)",
        "/initiatives/?theme=mobilite-durable&territoire=rural&niveau=departement",
    ),
    (
        "Initiatives, trois facettes, tri récent, page 2",
        "/initiatives/?theme=mobilite-durable&territoire=rural&niveau=departement&tri=recent&page=2",
    ),
    ("Initiative complète", "/initiatives/initiative-synthetique-00001/"),
    ("Carte des initiatives", "/initiatives/carte/"),
]
# The events module's pages (agenda and event page at 5,000 events, `essor synthetic_events`);
# also measured alone by `run.py --only events`.
EVENT_PAGES = [
    ("Agenda, sans filtre", "/evenements/"),
    ("Agenda, journées de formation", "/evenements/?type=journee-formation"),
    ("Événements passés", "/evenements/passes/"),
    ("Événements passés, 2015", "/evenements/passes/?annee=2015"),
    ("Événement complet (4 sites, 20 séances)", "/evenements/evenement-synthetique-00001/"),
]
PAGES += EVENT_PAGES
BARE = ("Référence Django nu", "/__bench__/bare/")
WAGTAIL = ("Référence Wagtail minimal", "/__bench__/wagtail/")

# The targets of the members module's issue, as shares of a reference's requests per second.
UNCACHED_TARGET = 0.8  # uncached page ÷ minimal Wagtail page
CACHED_TARGET = 0.5  # page as served to an anonymous visitor ÷ bare Django view
# The pages the targets apply to: the members, initiatives and events modules'.
TARGETED = ("/reseau/", "/initiatives/", "/evenements/")

ROUNDS = 4
ROUND_SECONDS = 2.0
WARMUP_SECONDS = 0.5
IDLE_REQUESTS = 15  # one client, one request after the other: the latency of a lone visitor
CLIENTS = 8
MAX_REQUESTS_PER_CLIENT_ROUND = 50_000  # a bound on top of the time limit
WORKERS = 2
REQUEST_TIMEOUT = 10
CACHE_HEADER = "X-Essor-Cache"

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
RESOLVER_BENCH = ROOT / "benchmarks" / "bench_resolve.py"
SHEET_PDF_BENCH = ROOT / "benchmarks" / "bench_sheet_pdf.py"
INGEST_BENCH = ROOT / "benchmarks" / "bench_ingest.py"
SEARCH_BENCH = ROOT / "benchmarks" / "bench_search.py"
EVENTS_BENCH = ROOT / "benchmarks" / "bench_events.py"
EVENTS_TITLE = "## Événements"
SEARCH_LATENCY_BENCH = ROOT / "benchmarks" / "bench_search_latency.py"
SEARCH_LATENCY_TITLE = "## Latence de la recherche"
LETTERS_BENCH = ROOT / "benchmarks" / "bench_letters.py"
LETTERS_TITLE = "## Lettres : envoi d'un numéro"
# The first section after the pages' tables: `--only pages` rewrites everything above it.
FIRST_OTHER_TITLE = "## Résolveur de noms"
HOST = "127.0.0.1"  # loopback only


@dataclass(frozen=True)
class Mode:
    key: str
    title: str
    env: dict


MODES = [
    Mode(
        "nocache",
        "Sans aucun cache (`ESSOR_PAGE_CACHE=0 ESSOR_DATA_CACHE=0`)",
        {"ESSOR_PAGE_CACHE": "0", "ESSOR_DATA_CACHE": "0"},
    ),
    Mode(
        "uncached",
        "Sans cache de pages, calculs gardés (`ESSOR_PAGE_CACHE=0`)",
        {"ESSOR_PAGE_CACHE": "0", "ESSOR_DATA_CACHE": "1"},
    ),
    Mode("cached", "Visiteur anonyme, cache de pages permis", {"ESSOR_PAGE_CACHE": "1"}),
]


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- the throw-away instance ----------------------------------------------------------------


def instance_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "STATIC_ROOT", "MEDIA_ROOT", "REDIS_URL", "ESSOR_PAGE_CACHE"}
    }
    env.update(
        ESSOR_VAR_DIR=str(var_dir),
        ESSOR_ENV="development",
        ESSOR_DEBUG="0",
        ESSOR_BENCHMARK_ROUTES="1",
        # Synthetic data is written by the ten thousand: the search index is not the measure.
        ESSOR_SEARCH_AUTO_INDEX="0",
        ALLOWED_HOSTS=HOST,
        DJANGO_SETTINGS_MODULE="essor.config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def essor(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 - our own console command, fixed arguments
        [str(BIN / "essor"), *args], env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        sys.exit(f"bench: `essor {' '.join(args)}` a échoué :\n{result.stdout}{result.stderr}")
    return result


def build_instance(env: dict[str, str]) -> list[str]:
    steps = []
    started = time.monotonic()
    essor(env, "migrate", "--no-input", "-v", "0")
    essor(env, "territories_import")
    if essor(env, "help", "demo", check=False).returncode == 0:
        essor(env, "demo")
        steps.append("données de démonstration (`essor demo`)")
    else:
        log("commande `essor demo` absente : instance sans données de démonstration")
        steps.append("sans données de démonstration (`essor demo` absente)")
    scale_started = time.monotonic()
    essor(
        env,
        "synthetic_members",
        "--authorities",
        str(SCALE["authorities"]),
        "--people",
        str(SCALE["people"]),
        "--seed",
        str(SCALE["seed"]),
    )
    steps.append(
        f"complétées de données synthétiques (`essor synthetic_members --authorities "
        f"{SCALE['authorities']} --people {SCALE['people']} --seed {SCALE['seed']}`, "
        f"{time.monotonic() - scale_started:.0f} s)"
    )
    initiatives_started = time.monotonic()
    essor(
        env,
        "synthetic_initiatives",
        "--count",
        str(SCALE["initiatives"]),
        "--seed",
        str(SCALE["seed"]),
    )
    steps.append(
        f"puis `essor synthetic_initiatives --count {SCALE['initiatives']} --seed "
        f"{SCALE['seed']}` ({time.monotonic() - initiatives_started:.0f} s)"
    )
    steps.append(synthetic_events(env))
    essor(env, "collectstatic", "--noinput", "-v", "0")
    log(f"instance prête en {time.monotonic() - started:.0f} s")
    return steps


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def instance_figures(env: dict[str, str]) -> tuple[dict, str | None]:
    """What the instance holds, and the address of the full profile sheet (in-process)."""
    django_setup(env)
    from django.db import connections

    from essor.initiatives.models import Initiative
    from essor.members.management.commands.synthetic_members import full_sheet
    from essor.members.models import Authority, Membership, Person, Position

    try:
        sheet = full_sheet()
        figures = {
            "authorities": Authority.objects.count(),
            "members": Authority.objects.members().count(),
            "people": Person.objects.count(),
            "positions": Position.objects.count(),
            "memberships": Membership.objects.count(),
            "initiatives": Initiative.objects.published().count(),
            "sheet_positions": sheet.position_count if sheet else 0,
        }
        return figures, sheet.get_absolute_url() if sheet else None
    finally:
        connections.close_all()


# --- (1) the name resolver, in-process ---------------------------------------------------------


def run_in_process(env: dict[str, str], script: Path) -> dict:
    """Run a benchmark script's `run()` in this process, against the instance."""
    if not script.exists():
        log(f"{script.relative_to(ROOT)} absent : mesure sautée")
        return {"status": "absent"}
    django_setup(env)
    log(f"{script.relative_to(ROOT)}…")
    started = time.monotonic()
    try:
        spec = importlib.util.spec_from_file_location(script.stem, script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        figures = dict(module.run())
    except Exception:  # report it and go on with the pages
        log(f"{script.relative_to(ROOT)} a échoué :")
        traceback.print_exc()
        return {"status": "error", "error": traceback.format_exc(limit=3).strip().splitlines()[-1]}
    finally:
        from django.db import connections

        connections.close_all()  # nothing of ours stays open on the database during the load
    return {"status": "ok", "seconds": time.monotonic() - started, **figures}


# --- (2) the pages, against two gunicorns ---------------------------------------------------


class Server:
    """One gunicorn, in its own process group, stopped whatever happens."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.log_file = log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
            [
                str(BIN / "gunicorn"),
                "essor.config.wsgi",
                "-w",
                str(WORKERS),
                "-b",
                f"{HOST}:{port}",
                "--timeout",
                "60",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn s'est arrêté au démarrage")
            try:
                status, _, _ = fetch(self.port, path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn ne répond pas après {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log_file.close()


def fetch(port: int, path: str) -> tuple[int, bytes, str | None]:
    """Status, body and the page cache's header of one GET."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader(CACHE_HEADER)
    finally:
        connection.close()


def load(port: int, path: str, seconds: float, clients: int = CLIENTS) -> dict:
    """`clients` threads, each on a keep-alive connection (reopened when the server closes
    it), sending GET requests one after the other for `seconds`. Returns requests per second
    and the latency of each successful request."""
    deadline = time.monotonic() + seconds
    counts = [0] * clients
    errors = [0] * clients
    connections_opened = [0] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]

    def client(index: int) -> None:
        connection = None
        for _ in range(MAX_REQUESTS_PER_CLIENT_ROUND):
            if time.monotonic() >= deadline:
                break
            try:
                if connection is None or connection.sock is None:
                    if connection is not None:
                        connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
                    connection.connect()
                    connections_opened[index] += 1
                sent = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    counts[index] += 1
                    latencies[index].append(time.perf_counter() - sent)
                else:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - started
    total = sum(counts)
    return {
        "rps": total / elapsed,
        "requests": total,
        "errors": sum(errors),
        "connections": sum(connections_opened),
        "latencies": [latency for per_client in latencies for latency in per_client],
    }


def idle_latencies(port: int, path: str) -> list[float]:
    """One client alone: the time a lone visitor waits, without queueing behind others."""
    timings = []
    for _ in range(IDLE_REQUESTS):
        sent = time.perf_counter()
        status, _, _ = fetch(port, path)
        if status == 200:
            timings.append(time.perf_counter() - sent)
    return timings


def check_cache(port: int, mode: Mode, label: str, path: str) -> str:
    """Two GETs: each must answer 200; the page cache must serve the second one in the cached
    mode (for the pages it covers) and never in the uncached one. Returns the header seen."""
    for _ in range(2):
        status, _, header = fetch(port, path)
        if status != 200:
            raise RuntimeError(f"{label} ({path}) répond {status} au lieu de 200")
    if mode.key != "cached" and header is not None:
        raise RuntimeError(f"{label} ({path}) : {CACHE_HEADER}: {header} sans cache de pages")
    return header or "—"


def measured_pages(sheet: str | None) -> list[tuple[str, str]]:
    """PAGES with the full profile sheet's address, found once the instance is built (left
    out when there is none)."""
    return [
        (label, sheet if path == FULL_SHEET else path)
        for label, path in PAGES
        if path != FULL_SHEET or sheet
    ]


def measure_pages(env: dict[str, str], var_dir: Path, pages: list[tuple[str, str]]) -> dict:
    servers: dict[str, Server] = {}
    try:
        for mode in MODES:
            servers[mode.key] = Server(
                {**env, **mode.env}, free_port(), var_dir / f"gunicorn-{mode.key}.log"
            )
        targets = []  # (mode, label, path), interleaved over both servers
        headers = {}
        for mode in MODES:
            server = servers[mode.key]
            server.wait_ready(BARE[1])
            for label, path in [BARE, WAGTAIL, *pages]:
                headers[mode.key, path] = check_cache(server.port, mode, label, path)
                targets.append((mode, label, path))
        for mode, label, path in targets:
            # Every page of the targeted modules goes through the anonymous page cache.
            cached_page = mode.key == "cached" and path.startswith(TARGETED)
            if cached_page and headers[mode.key, path] != "hit":
                raise RuntimeError(f"{label} ({path}) n'est pas servie par le cache")
        ports = ", ".join(f"{mode.key} {servers[mode.key].port}" for mode in MODES)
        log(
            f"{len(MODES)} gunicorn -w {WORKERS} sur {HOST} ({ports}) ; échauffement et latence "
            "à vide…"
        )
        idle = {}
        for mode, _, path in targets:
            port = servers[mode.key].port
            load(port, path, WARMUP_SECONDS)
            idle[mode.key, path] = idle_latencies(port, path)
        samples: dict[tuple[str, str], list[dict]] = {(m.key, p): [] for m, _, p in targets}
        for round_index in range(ROUNDS):
            # Interleaved, and the order turns each round, so that no URL always runs first.
            shift = round_index * len(targets) // ROUNDS
            for mode, label, path in targets[shift:] + targets[:shift]:
                sample = load(servers[mode.key].port, path, ROUND_SECONDS)
                samples[mode.key, path].append(sample)
                log(
                    f"tour {round_index + 1}/{ROUNDS} {mode.key:<8} {label[:40]:<40} "
                    f"{sample['rps']:8.1f} req/s"
                )
        return {"samples": samples, "idle": idle, "headers": headers}
    except Exception:
        for server in servers.values():
            print(server.log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        for server in servers.values():
            server.stop()


# --- the report ---------------------------------------------------------------------------------


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ")


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else fmt(seconds * 1000, 1)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(pages: dict, mode: str, path: str) -> dict:
    runs = pages["samples"][mode, path]
    latencies = [latency for run in runs for latency in run["latencies"]]
    return {
        "rps": statistics.median(run["rps"] for run in runs),
        "low": min(run["rps"] for run in runs),
        "high": max(run["rps"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "idle": percentile(pages["idle"][mode, path], 0.5),
        "cache": pages["headers"][mode, path],
    }


def met(value: float, target: float) -> str:
    return "**atteinte**" if value >= target else "**non atteinte**"


def pages_report(
    steps: list[str], figures: dict, pages: dict, page_list: list[tuple[str, str]]
) -> list[str]:
    """The head of RESULTS.md: the instance, the targets and the pages in the three modes,
    up to (not including) the first section of the other benchmarks."""
    stats = {
        (mode.key, path): summary(pages, mode.key, path)
        for mode in MODES
        for _, path in [BARE, WAGTAIL, *page_list]
    }
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        "# Résultats des benchmarks",
        "",
        "Produit par `make bench` (`benchmarks/run.py`) ; lire `benchmarks/README.md` pour "
        "l'interprétation. Chiffres valables pour cette machine et ce jour seulement : "
        "comparer les rapports, pas les req/s d'une machine à l'autre.",
        "",
        f"- Date : {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Machine : {nproc} cœurs ({cpu_model()}), {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Django {package_version('django')}, "
        f"Wagtail {package_version('wagtail')}, gunicorn {package_version('gunicorn')}",
        f"- Base : SQLite {sqlite3.sqlite_version} (fichier jetable, WAL), "
        f"instance {', '.join(steps)}",
        f"- Volumes : {fmt(figures['authorities'], 0)} collectivités dont "
        f"{fmt(figures['members'], 0)} adhérentes, {fmt(figures['people'], 0)} personnes, "
        f"{fmt(figures['positions'], 0)} fonctions, {fmt(figures['memberships'], 0)} périodes "
        f"d'adhésion, {fmt(figures['initiatives'], 0)} initiatives publiées"
        + (f" ; {'; '.join(NOT_GENERATED)}" if NOT_GENERATED else ""),
        f"- Charge : trois gunicorn côte à côte, `-w {WORKERS}` (workers sync) chacun : sans "
        "aucun cache, sans cache de pages (calculs gardés), avec cache de pages ; cache Django "
        "sur fichiers (réglage par défaut) ; "
        f"{CLIENTS} clients HTTP/1.1 concurrents en Python sur la boucle locale, {ROUNDS} tours "
        f"entrelacés de {ROUND_SECONDS:g} s par adresse et par serveur ; req/s : médiane des "
        "tours ; latences : sur toutes les requêtes des tours (file d'attente comprise), et "
        f"« à vide » : médiane de {IDLE_REQUESTS} requêtes d'un client seul",
        f"- Fiche mesurée : la commune synthétique à fiche complète (axes, chiffres, budgets, "
        f"thèmes) qui a le plus de fonctions ({figures['sheet_positions']})",
        "",
        "## Cibles",
        "",
        "Débit relatif = req/s de la page ÷ req/s de la référence, servies par le même "
        "serveur dans les mêmes tours (1 = aussi rapide que la référence).",
        "",
        "« Sans cache » se lit strictement : ni cache de pages, ni calculs ou fragments gardés "
        "(`ESSOR_DATA_CACHE=0`) ; la colonne « calculs gardés » montre ce que `remember` "
        "(comptes des facettes, lignes, cartes, comparaisons, gardés par version du contenu et "
        "périmés à chaque écriture publique) apporte quand une adresse a déjà été demandée.",
        "",
        f"| Page | Sans aucun cache ÷ Wagtail minimal | cible ≥ {fmt(UNCACHED_TARGET, 1)} "
        "| Calculs gardés ÷ Wagtail minimal "
        f"| Visiteur anonyme ÷ Django nu | cible ≥ {fmt(CACHED_TARGET, 1)} |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]

    def versus(mode: str, path: str, reference: tuple[str, str]) -> float:
        return stats[mode, path]["rps"] / stats[mode, reference[1]]["rps"]

    all_met = True
    for label, path in page_list:
        strict, kept = versus("nocache", path, WAGTAIL), versus("uncached", path, WAGTAIL)
        cached = versus("cached", path, BARE)
        targeted = path.startswith(TARGETED)
        all_met &= not targeted or (strict >= UNCACHED_TARGET and cached >= CACHED_TARGET)
        lines.append(
            f"| {label} | {fmt(strict, 2)} "
            f"| {met(strict, UNCACHED_TARGET) if targeted else 'hors cible'} | {fmt(kept, 2)} "
            f"| {fmt(cached, 2)} | {met(cached, CACHED_TARGET) if targeted else 'hors cible'} |"
        )
    lines += [
        "",
        "Toutes les cibles sont atteintes."
        if all_met
        else "Certaines cibles ne sont **pas** atteintes (voir le détail ci-dessous).",
        "",
        "Les cibles visent les pages des modules réseau (annuaire, fiche, carte), initiatives "
        "(liste à facettes, initiative, carte) et événements (agenda, événements passés, "
        "événement). L'accueil, page Wagtail hors du cache de pages, figure pour suivre "
        "l'évolution.",
    ]
    for mode in MODES:
        bare, wagtail = stats[mode.key, BARE[1]]["rps"], stats[mode.key, WAGTAIL[1]]["rps"]
        lines += [
            "",
            f"## {mode.title}",
            "",
            "| Page | Adresse | req/s (médiane) | min – max | latence médiane (ms) | p95 (ms) "
            f"| à vide (ms) | {CACHE_HEADER} | erreurs | ÷ Django nu | ÷ Wagtail minimal |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        ]
        for label, path in [*page_list, BARE, WAGTAIL]:
            row = stats[mode.key, path]
            versus_wagtail = "—" if path == BARE[1] else fmt(row["rps"] / wagtail, 2)
            lines.append(
                f"| {label} | `{path}` | {fmt(row['rps'])} | {fmt(row['low'])} – "
                f"{fmt(row['high'])} | {ms(row['p50'])} | {ms(row['p95'])} | {ms(row['idle'])} "
                f"| {row['cache']} | {row['errors']} | {fmt(row['rps'] / bare, 2)} "
                f"| {versus_wagtail} |"
            )
    samples = pages["samples"]
    requests = sum(s["requests"] for runs in samples.values() for s in runs)
    connections = sum(s["connections"] for runs in samples.values() for s in runs)
    closing = connections >= requests * 0.9
    lines += [
        "",
        f"{fmt(requests, 0)} requêtes mesurées sur {fmt(connections, 0)} connexions "
        f"({'gunicorn ferme la connexion après chaque réponse' if closing else 'connexions réutilisées'}).",
        "",
    ]
    return lines


def report(
    steps: list[str],
    figures: dict,
    resolver: dict,
    sheet_pdf: dict,
    ingest: dict,
    search: dict,
    search_latency: dict,
    pages: dict,
    page_list: list[tuple[str, str]],
    total_seconds: float,
) -> str:
    lines = pages_report(steps, figures, pages, page_list)
    lines += [
        FIRST_OTHER_TITLE,
        "",
    ]
    if resolver["status"] == "absent":
        lines.append("Non mesuré : `benchmarks/bench_resolve.py` absent.")
    elif resolver["status"] == "error":
        lines.append(f"**Échec** de `benchmarks/bench_resolve.py` : `{resolver['error']}`")
    else:
        rows = resolver.get("rows")
        accuracy = resolver.get("top1_accuracy")
        speed = resolver.get("names_per_second")
        lines += [
            "| Mesure | Valeur |",
            "| --- | ---: |",
            f"| Noms résolus par seconde | {fmt(speed) if isinstance(speed, int | float) else speed} |",
            f"| Exactitude top-1 | {f'{accuracy:.1%}' if isinstance(accuracy, int | float) else accuracy} |",
            f"| Lignes du jeu d'essai | {rows} |",
            f"| Durée de la mesure | {resolver['seconds']:.1f} s |",
        ]
    lines += ["", "## Fiche « Déniché pour vous » en PDF", "", *sheet_pdf_lines(sheet_pdf)]
    lines += ["", "## Ingestion des documents", "", *ingest_lines(ingest)]
    lines += [
        "",
        "## Qualité de la recherche",
        "",
        *_bench_module(SEARCH_BENCH).report_lines(search),
    ]
    lines += ["", SEARCH_LATENCY_TITLE, "", *search_latency_lines(search_latency)]
    lines += ["", f"Durée totale de `make bench` : {total_seconds:.0f} s.", ""]
    return "\n".join(lines)


def with_section(text: str, title: str, section: list[str], level: str = "## ") -> str:
    """RESULTS.md with the section under `title` replaced by `section` (up to the next heading
    of the same `level` or above, or the total duration), or added before the total duration
    when absent: `--only` runs rewrite their part and leave the others as they are."""
    lines = text.splitlines()
    stops = tuple(level[:depth] + " " for depth in range(1, len(level.strip()) + 1))
    if title in lines:
        start = lines.index(title)
        end = next(
            (
                n
                for n in range(start + 1, len(lines))
                if lines[n].startswith((*stops, "Durée totale"))
            ),
            len(lines),
        )
    else:
        start = end = next(
            (n for n, line in enumerate(lines) if line.startswith("Durée totale")), len(lines)
        )
    lines[start:end] = [title, "", *section, ""]
    return "\n".join(lines) + "\n"


def _bench_module(script: Path) -> object:
    spec = importlib.util.spec_from_file_location(script.stem, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ingest_lines(result: dict) -> list[str]:
    """The ingestion benchmark writes its own section (speed ratios and extraction quality)."""
    if result["status"] != "ok":
        return [f"**Échec** de `benchmarks/bench_ingest.py` : `{result.get('error', 'absent')}`"]
    return _bench_module(INGEST_BENCH).report_lines(result)


def search_quality() -> dict:
    """The search benchmark builds its own demo instance (its judgments are on the demo)."""
    log("benchmarks/bench_search.py (instance de démonstration à part)…")
    try:
        return {"status": "ok", **_bench_module(SEARCH_BENCH).run()}
    except Exception:
        traceback.print_exc()
        return {"status": "error", "error": traceback.format_exc(limit=3).strip().splitlines()[-1]}


def search_latency() -> dict:
    """The latency benchmark builds its own instances (SQLite, then PostgreSQL)."""
    log("benchmarks/bench_search_latency.py (instances à part, SQLite puis PostgreSQL)…")
    try:
        return {"status": "ok", **_bench_module(SEARCH_LATENCY_BENCH).run()}
    except Exception:
        traceback.print_exc()
        return {"status": "error", "error": traceback.format_exc(limit=3).strip().splitlines()[-1]}


def search_latency_lines(result: dict) -> list[str]:
    return _bench_module(SEARCH_LATENCY_BENCH).report_lines(result)


def only_search_latency() -> int:
    """`run.py --only search-latency`: this part alone, its section of RESULTS.md replaced
    (added before the total duration when absent), the other sections left as they are."""
    result = search_latency()
    section = search_latency_lines(result)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(with_section(text, SEARCH_LATENCY_TITLE, section), encoding="utf-8")
    print("\n".join(section))
    log(f"section « {SEARCH_LATENCY_TITLE[3:]} » écrite dans {RESULTS.relative_to(ROOT)}")
    return 1 if result["status"] == "error" else 0


# --- events (issue 7) -------------------------------------------------------------------------


def synthetic_events(env: dict[str, str]) -> str:
    """Top the instance up to SCALE["events"] published events; the build step's description."""
    started = time.monotonic()
    essor(env, "synthetic_events", "--count", str(SCALE["events"]), "--seed", str(SCALE["seed"]))
    return (
        f"puis `essor synthetic_events --count {SCALE['events']} --seed {SCALE['seed']}` "
        f"({time.monotonic() - started:.0f} s)"
    )


EVENT_PAGES_TITLE = "### Pages"


def events_lines(result: dict, pages: dict | None, page_list: list[tuple[str, str]]) -> list[str]:
    """The events section: the volumes, the events pages against the references measured in
    the same run (also in the tables above after a full run), the kit and registrations."""
    if result["status"] != "ok":
        return _bench_module(EVENTS_BENCH).report_lines(result)
    return [
        f"Instance : {fmt(result['events_published'], 0)} événements publiés dont "
        f"{fmt(result['events_upcoming'], 0)} à venir (`essor synthetic_events`) ; événement "
        f"mesuré : `{result['full_event_url']}` ({result['full_event_sites']} sites, "
        f"{result['full_event_sessions']} séances, inscriptions ouvertes).",
        "",
        EVENT_PAGES_TITLE,
        "",
        *event_pages_lines(pages, page_list),
        "",
        *_bench_module(EVENTS_BENCH).report_lines(result),
    ]


def event_pages_lines(pages: dict | None, page_list: list[tuple[str, str]]) -> list[str]:
    """The events pages against both references of the same run."""
    if pages is None:
        return ["Non mesurées (serveurs indisponibles)."]
    stats = {
        (mode.key, path): summary(pages, mode.key, path)
        for mode in MODES
        for _, path in [BARE, WAGTAIL, *page_list]
    }

    def versus(mode: str, path: str, reference: tuple[str, str]) -> float:
        return stats[mode, path]["rps"] / stats[mode, reference[1]]["rps"]

    lines = [
        f"| Page | Sans aucun cache ÷ Wagtail minimal | cible ≥ {fmt(UNCACHED_TARGET, 1)} "
        "| Calculs gardés ÷ Wagtail minimal "
        f"| Visiteur anonyme ÷ Django nu | cible ≥ {fmt(CACHED_TARGET, 1)} "
        "| à vide sans cache (ms) |",
        "| --- | ---: | --- | ---: | ---: | --- | ---: |",
    ]
    for label, path in page_list:
        strict, kept = versus("nocache", path, WAGTAIL), versus("uncached", path, WAGTAIL)
        cached = versus("cached", path, BARE)
        lines.append(
            f"| {label} | {fmt(strict, 2)} | {met(strict, UNCACHED_TARGET)} "
            f"| {fmt(kept, 2)} | {fmt(cached, 2)} | {met(cached, CACHED_TARGET)} "
            f"| {ms(stats['nocache', path]['idle'])} |"
        )
    return [
        *lines,
        "",
        f"Références de ces mesures : Django nu {fmt(stats['nocache', BARE[1]]['rps'])} "
        f"req/s, Wagtail minimal {fmt(stats['nocache', WAGTAIL[1]]['rps'])} req/s (serveur "
        "sans aucun cache).",
    ]


def only_events() -> int:
    """`run.py --only events`: the instance built as for `make bench`, then the events
    benchmarks and pages alone (with both references); RESULTS.md's events section replaced,
    the other sections left as they are."""
    var_dir = Path(tempfile.mkdtemp(prefix="essor-bench-events-"))
    pages = None
    try:
        env = instance_env(var_dir)
        log(f"instance jetable dans {var_dir}")
        build_instance(env)
        events = run_in_process(env, EVENTS_BENCH)
        try:
            pages = measure_pages(env, var_dir, EVENT_PAGES)
        except (RuntimeError, OSError) as error:
            log(f"mesure des pages impossible : {error}")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    section = events_lines(events, pages, EVENT_PAGES)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(with_section(text, EVENTS_TITLE, section), encoding="utf-8")
    print("\n".join(section))
    log(f"section « {EVENTS_TITLE[3:]} » écrite dans {RESULTS.relative_to(ROOT)}")
    return 1 if pages is None or events["status"] == "error" else 0


def only_pages() -> int:
    """`run.py --only pages`: the instance built as for `make bench`, then every page against
    both references in one run (about 15 minutes); RESULTS.md's head (instance, targets, the
    three modes' tables) and the events section's page table replaced, the other benchmarks'
    sections left as they are."""
    var_dir = Path(tempfile.mkdtemp(prefix="essor-bench-pages-"))
    pages = None
    try:
        env = instance_env(var_dir)
        log(f"instance jetable dans {var_dir}")
        steps = build_instance(env)
        figures, sheet = instance_figures(env)
        page_list = measured_pages(sheet)
        try:
            pages = measure_pages(env, var_dir, page_list)
        except (RuntimeError, OSError) as error:
            log(f"mesure des pages impossible : {error}")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    if pages is None:
        return 1
    head = pages_report(steps, figures, pages, page_list)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    rest = text[text.index(FIRST_OTHER_TITLE) :] if FIRST_OTHER_TITLE in text else ""
    text = "\n".join(head) + "\n" + rest
    if EVENTS_TITLE in text:
        events_part = text[text.index(EVENTS_TITLE) :]
        updated = with_section(
            events_part, EVENT_PAGES_TITLE, event_pages_lines(pages, EVENT_PAGES), "### "
        )
        text = text[: text.index(EVENTS_TITLE)] + updated
    RESULTS.write_text(text, encoding="utf-8")
    print("\n".join(head))
    log(f"tableaux des pages écrits dans {RESULTS.relative_to(ROOT)}")
    return 0


# --- letters (issue 8) ------------------------------------------------------------------------


def letters_lines(result: dict) -> list[str]:
    return _bench_module(LETTERS_BENCH).report_lines(result)


def only_letters() -> int:
    """`run.py --only letters`: a throw-away instance, migrated only (the letters benchmark
    makes its own subscribers and issues), then the sending benchmark on SQLite and on a
    throw-away PostgreSQL database; RESULTS.md's letters section replaced, the other sections
    left as they are."""
    var_dir = Path(tempfile.mkdtemp(prefix="essor-bench-letters-"))
    try:
        env = instance_env(var_dir)
        log(f"instance jetable dans {var_dir}")
        essor(env, "migrate", "--no-input", "-v", "0")
        letters = run_in_process(env, LETTERS_BENCH)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    section = letters_lines(letters)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(with_section(text, LETTERS_TITLE, section), encoding="utf-8")
    print("\n".join(section))
    log(f"section « {LETTERS_TITLE[3:]} » écrite dans {RESULTS.relative_to(ROOT)}")
    return 1 if letters["status"] == "error" else 0


def sheet_pdf_lines(result: dict) -> list[str]:
    if result["status"] == "absent":
        return ["Non mesuré : `benchmarks/bench_sheet_pdf.py` absent."]
    if result["status"] == "error":
        return [f"**Échec** de `benchmarks/bench_sheet_pdf.py` : `{result['error']}`"]
    target = result.get("target_seconds", 1.0)
    return [
        f"Rendu WeasyPrint d'une fiche complète, {result['runs']} fois dans le même processus "
        f"(cible : moins de {fmt(target, 0)} s).",
        "",
        "| Mesure | Valeur |",
        "| --- | ---: |",
        f"| Médiane | {fmt(result['median_seconds'], 2)} s |",
        f"| Maximum | {fmt(result['max_seconds'], 2)} s |",
        f"| Premier rendu du processus | {fmt(result['first_seconds'], 2)} s |",
        f"| Taille du PDF | {fmt(result['pdf_bytes'] / 1024, 0)} Kio |",
        f"| Cible | {'atteinte' if result['target_met'] else '**non atteinte**'} |",
    ]


def main() -> int:
    started = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix="essor-bench-"))
    server_error = None
    try:
        env = instance_env(var_dir)
        log(f"instance jetable dans {var_dir}")
        steps = build_instance(env)
        figures, sheet = instance_figures(env)
        if sheet is None:
            log("aucune fiche complète trouvée : la fiche n'est pas mesurée")
        page_list = measured_pages(sheet)
        resolver = run_in_process(env, RESOLVER_BENCH)
        sheet_pdf = run_in_process(env, SHEET_PDF_BENCH)
        events = run_in_process(env, EVENTS_BENCH)
        letters = run_in_process(env, LETTERS_BENCH)
        ingest = run_in_process(env, INGEST_BENCH)
        search = search_quality()
        latency = search_latency()
        try:
            pages = measure_pages(env, var_dir, page_list)
        except (RuntimeError, OSError) as error:
            server_error = error
            pages = None
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    if pages is None:
        log(f"mesure des pages impossible : {server_error}")
        return 1
    text = report(
        steps,
        figures,
        resolver,
        sheet_pdf,
        ingest,
        search,
        latency,
        pages,
        page_list,
        time.monotonic() - started,
    )
    text = with_section(text, EVENTS_TITLE, events_lines(events, pages, EVENT_PAGES))
    text = with_section(text, LETTERS_TITLE, letters_lines(letters))
    RESULTS.write_text(text, encoding="utf-8")
    print()
    print(text)
    log(f"écrit dans {RESULTS.relative_to(ROOT)}")
    statuses = (
        resolver["status"],
        sheet_pdf["status"],
        ingest["status"],
        search["status"],
        latency["status"],
        events["status"],
        letters["status"],
    )
    return 1 if "error" in statuses else 0


if __name__ == "__main__":
    # A SIGTERM (or Ctrl-C) still goes through the `finally` blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if sys.argv[1:] == ["--only", "search-latency"]:
        sys.exit(only_search_latency())
    if sys.argv[1:] == ["--only", "events"]:
        sys.exit(only_events())
    if sys.argv[1:] == ["--only", "pages"]:
        sys.exit(only_pages())
    if sys.argv[1:] == ["--only", "letters"]:
        sys.exit(only_letters())
    sys.exit(main())
