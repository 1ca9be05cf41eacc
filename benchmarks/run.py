"""Essor's benchmarks (`make bench`): see benchmarks/README.md.

Builds a throw-away instance, runs the name resolver benchmark in-process, then measures the
throughput of Essor's pages against two references served by the same gunicorn, in interleaved
rounds, and writes benchmarks/RESULTS.md.
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
from datetime import datetime
from pathlib import Path

# Pages measured against the two references; modules add theirs here.
PAGES = [
    ("Accueil", "/"),
]
BARE = ("Référence Django nu", "/__bench__/bare/")
WAGTAIL = ("Référence Wagtail minimal", "/__bench__/wagtail/")

ROUNDS = 5
ROUND_SECONDS = 3.0
WARMUP_SECONDS = 1.0
CLIENTS = 8
MAX_REQUESTS_PER_CLIENT_ROUND = 50_000  # a bound on top of the time limit
WORKERS = 2
REQUEST_TIMEOUT = 10

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
RESOLVER_BENCH = ROOT / "benchmarks" / "bench_resolve.py"
HOST = "127.0.0.1"  # loopback only


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
        if key not in {"DATABASE_URL", "STATIC_ROOT", "MEDIA_ROOT", "REDIS_URL"}
    }
    env.update(
        ESSOR_VAR_DIR=str(var_dir),
        ESSOR_ENV="development",
        ESSOR_DEBUG="0",
        ESSOR_BENCHMARK_ROUTES="1",
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
    essor(env, "collectstatic", "--noinput", "-v", "0")
    log(f"instance prête en {time.monotonic() - started:.0f} s")
    return steps


# --- (1) the name resolver, in-process ---------------------------------------------------------


def run_resolver(env: dict[str, str]) -> dict:
    if not RESOLVER_BENCH.exists():
        log(f"{RESOLVER_BENCH.relative_to(ROOT)} absent : mesure du résolveur sautée")
        return {"status": "absent"}
    os.environ.update(env)
    import django

    django.setup()
    log("résolveur de noms (benchmarks/bench_resolve.py)…")
    started = time.monotonic()
    try:
        spec = importlib.util.spec_from_file_location("bench_resolve", RESOLVER_BENCH)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        figures = dict(module.run())
    except Exception:  # report it and go on with the pages
        log("le benchmark du résolveur a échoué :")
        traceback.print_exc()
        return {"status": "error", "error": traceback.format_exc(limit=3).strip().splitlines()[-1]}
    finally:
        from django.db import connections

        connections.close_all()  # nothing of ours stays open on the database during the load
    return {"status": "ok", "seconds": time.monotonic() - started, **figures}


# --- (2) the pages, against one gunicorn ----------------------------------------------------


class Server:
    """One gunicorn, in its own process group, stopped whatever happens."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path):
        self.port = port
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
                status, _ = fetch(self.port, path)
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


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, path: str, seconds: float) -> dict:
    """CLIENTS threads, each on a keep-alive connection (reopened when the server closes it),
    sending GET requests one after the other for `seconds`. Returns requests per second."""
    deadline = time.monotonic() + seconds
    counts = [0] * CLIENTS
    errors = [0] * CLIENTS
    connections_opened = [0] * CLIENTS

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
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    counts[index] += 1
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
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
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
    }


def measure_pages(env: dict[str, str], var_dir: Path) -> dict:
    targets = [*PAGES, BARE, WAGTAIL]
    port = free_port()
    server = Server(env, port, var_dir / "gunicorn.log")
    try:
        server.wait_ready(BARE[1])
        for label, path in targets:
            status, _ = fetch(port, path)
            if status != 200:
                raise RuntimeError(f"{label} ({path}) répond {status} au lieu de 200")
        log(f"gunicorn -w {WORKERS} sur {HOST}:{port} ; échauffement…")
        for _, path in targets:
            load(port, path, WARMUP_SECONDS)
        samples: dict[str, list[dict]] = {path: [] for _, path in targets}
        for round_index in range(ROUNDS):
            # Interleaved, and the order turns each round, so that no URL always runs first.
            shift = round_index % len(targets)
            for label, path in targets[shift:] + targets[:shift]:
                sample = load(port, path, ROUND_SECONDS)
                samples[path].append(sample)
                log(f"tour {round_index + 1}/{ROUNDS} {label:<28} {sample['rps']:8.1f} req/s")
        return {"port": port, "samples": samples}
    except Exception:
        log_text = (var_dir / "gunicorn.log").read_text(errors="replace")[-3000:]
        print(log_text, file=sys.stderr)
        raise
    finally:
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


def report(steps: list[str], resolver: dict, pages: dict, total_seconds: float) -> str:
    samples = pages["samples"]
    median = {path: statistics.median(s["rps"] for s in runs) for path, runs in samples.items()}
    bare, wagtail = median[BARE[1]], median[WAGTAIL[1]]
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
        f"- Charge : gunicorn `-w {WORKERS}` (workers sync), {CLIENTS} clients HTTP/1.1 "
        f"concurrents en Python sur la boucle locale, {ROUNDS} tours entrelacés de "
        f"{ROUND_SECONDS:g} s par adresse ; médiane des tours",
        "",
        "## Pages",
        "",
        "Rapport = temps par requête de la page ÷ celui de la référence "
        "(= req/s de la référence ÷ req/s de la page) : 4.0 veut dire « 4 fois le coût ».",
        "",
        "| Page | Adresse | req/s (médiane) | min – max | erreurs | × Django nu | × Wagtail minimal |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, path in [*PAGES, BARE, WAGTAIL]:
        runs = samples[path]
        rps = median[path]
        low, high = min(s["rps"] for s in runs), max(s["rps"] for s in runs)
        errors = sum(s["errors"] for s in runs)
        # The bare reference is the floor: its ratio to the Wagtail one says nothing useful.
        versus_wagtail = "—" if path == BARE[1] else fmt(wagtail / rps, 2)
        lines.append(
            f"| {label} | `{path}` | {fmt(rps)} | {fmt(low)} – {fmt(high)} | {errors} "
            f"| {fmt(bare / rps, 2)} | {versus_wagtail} |"
        )
    requests = sum(s["requests"] for runs in samples.values() for s in runs)
    connections = sum(s["connections"] for runs in samples.values() for s in runs)
    lines += [
        "",
        f"{fmt(requests, 0)} requêtes mesurées sur {fmt(connections, 0)} connexions "
        f"({'gunicorn ferme la connexion après chaque réponse' if connections >= requests * 0.9 else 'connexions réutilisées'}).",
        "",
        "## Résolveur de noms",
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
    lines += ["", f"Durée totale de `make bench` : {total_seconds:.0f} s.", ""]
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix="essor-bench-"))
    server_error = None
    try:
        env = instance_env(var_dir)
        log(f"instance jetable dans {var_dir}")
        steps = build_instance(env)
        resolver = run_resolver(env)
        try:
            pages = measure_pages(env, var_dir)
        except (RuntimeError, OSError) as error:
            server_error = error
            pages = None
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    if pages is None:
        log(f"mesure des pages impossible : {server_error}")
        return 1
    text = report(steps, resolver, pages, time.monotonic() - started)
    RESULTS.write_text(text, encoding="utf-8")
    print()
    print(text)
    log(f"écrit dans {RESULTS.relative_to(ROOT)}")
    return 1 if resolver["status"] == "error" else 0


if __name__ == "__main__":
    # A SIGTERM (or Ctrl-C) still goes through the `finally` blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
