"""Events: the participant kit PDF of a large event, and registrations per second under
concurrency with the no-overbooking guarantee checked, on SQLite and on PostgreSQL.

`run()` expects Django to be set up on a migrated database (the default one, not a test one)
holding at least ten authorities and twenty people (`essor synthetic_members`).

- **Kit** (target: under 5 s): an event with 20 speakers, ten authorities whose profile
  sheets are filled (axes, figures, budgets, people in charge) and the practice sheets of the
  database (three at most), built inside a transaction rolled back at the end; its kit is
  rendered as the background task does it (`document_event` then `document_generate`), once
  to warm up (fonts, templates; reported apart) then `KIT_RUNS` times. The files are deleted.
- **Registrations**: `THREADS` threads, each with its own database connection, register
  `ATTEMPTS` distinct addresses through `services.registration_create` (confirmation and
  waiting-list e-mails rendered, kept in memory) to one event of `CAPACITY` seats, all
  released at once. Registrations per second, the latency of one registration, and the
  guarantee: exactly `CAPACITY` confirmed, the others on the waiting list, no error. On the
  instance's database (SQLite: one write transaction at a time) and on a throw-away
  PostgreSQL database (`ESSOR_BENCH_POSTGRES_URL`, by default postgres://postgres@127.0.0.1:5432:
  created, `essor migrate`, measured in a child process, dropped), where seats are taken
  under a row lock (SELECT … FOR UPDATE). The event and its registrations are deleted after.

Run alone: `.venv/bin/python benchmarks/bench_events.py` (on the instance of the
environment, ESSOR_VAR_DIR or DATABASE_URL), or with `registrations` for that part only.
"""

import datetime
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
KIT_TARGET_SECONDS = 5.0
KIT_RUNS = 5
SPEAKERS = 20
AUTHORITIES = 10
SHEETS = 3
THREADS = 16
CAPACITY = 200
ATTEMPTS = 1000
POSTGRES_URL = os.environ.get("ESSOR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
MARK = "Données synthétiques (banc d'essai)"
PARAGRAPH = (
    "La collectivité soutient depuis plusieurs années les acteurs de l'économie sociale et "
    "solidaire : appels à projets, accompagnement des porteurs, commande publique "
    "responsable et coopération avec les autres niveaux de collectivités. "
)


# --- the participant kit ----------------------------------------------------------------------


def _profiled(authority, day: datetime.date, number: int) -> None:
    """Fill what the kit prints of an authority's profile sheet when it is missing."""
    from essor.members.models import EssBudget, EssFigure, Person, PolicyAxis, Position

    if not authority.ess_context:
        authority.ess_context = f"{MARK}. " + PARAGRAPH * 3
        authority.ess_programme = PARAGRAPH * 2
        authority.save(update_fields=["ess_context", "ess_programme"])
    if not authority.policy_axes.exists():
        for order in range(4):
            PolicyAxis.objects.create(
                authority=authority, sort_order=order, title=f"Axe {order + 1}", description=MARK
            )
    if not authority.ess_figures.exists():
        for order in range(3):
            EssFigure.objects.create(
                authority=authority,
                sort_order=order,
                label=f"indicateur {order + 1}",
                value=Decimal(1200 * (order + 1)),
                year=day.year - 1,
            )
    if not authority.ess_budgets.exists():
        EssBudget.objects.create(
            authority=authority, year=day.year - 1, amount=Decimal(250_000), note=MARK
        )
    if not authority.positions.exists():
        for order in range(2):
            person = Person.objects.create(
                first_name="Responsable",
                last_name=f"Banc {number:02d}-{order}",
                slug=f"responsable-banc-{number:02d}-{order}-{secrets.token_hex(3)}",
            )
            Position.objects.create(
                person=person,
                authority=authority,
                title="Vice-présidente à l'ESS",
                start_date=day - datetime.timedelta(days=800),
                source=MARK,
            )


def _authorities(day: datetime.date) -> list:
    """Ten authorities, those with a filled profile sheet first (the synthetic data's)."""
    from django.db.models import Exists, OuterRef

    from essor.members.models import Authority, EssBudget, EssFigure, PolicyAxis

    profiled = Authority.objects.filter(
        Exists(PolicyAxis.objects.filter(authority=OuterRef("pk"))),
        Exists(EssFigure.objects.filter(authority=OuterRef("pk"))),
        Exists(EssBudget.objects.filter(authority=OuterRef("pk"))),
    ).order_by("pk")
    chosen = list(profiled[:AUTHORITIES])
    others = Authority.objects.exclude(pk__in=[a.pk for a in chosen]).order_by("pk")
    chosen += list(others[: AUTHORITIES - len(chosen)])
    if len(chosen) < AUTHORITIES:
        raise RuntimeError(
            f"Il faut au moins {AUTHORITIES} collectivités : lancez `essor synthetic_members`."
        )
    for number, authority in enumerate(chosen):
        _profiled(authority, day, number)
    return chosen


def _speakers() -> list:
    from essor.members.models import Person

    people = list(
        Person.objects.filter(positions__isnull=False).distinct().order_by("pk")[:SPEAKERS]
    )
    if len(people) < SPEAKERS:
        raise RuntimeError(
            f"Il faut au moins {SPEAKERS} personnes avec une fonction : lancez "
            "`essor synthetic_members`."
        )
    return people


def _large_event():
    """A training day with ten sessions, twenty people who speak or moderate, ten authorities
    and the practice sheets, saved as published."""
    from django.utils import timezone

    from essor.events.models import (
        ContributionRole,
        Event,
        EventKind,
        EventSession,
        SessionContribution,
        SessionFormat,
    )
    from essor.initiatives.models import PracticeSheet

    day = timezone.localdate() + datetime.timedelta(days=45)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    event = Event.objects.create(
        title="Journée de formation du banc d'essai (synthétique)",
        slug=f"banc-essai-dossier-{secrets.token_hex(4)}",
        kind=EventKind.TRAINING_DAY,
        summary=f"{MARK} : journée fictive pour mesurer le dossier du participant.",
        description=f"<p>{MARK}.</p>" + f"<p>{PARAGRAPH * 3}</p>" * 2,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=8),
        venue="Salle synthétique",
        address="Adresse fictive",
        live=True,
    )
    formats = [SessionFormat.OPENING] + [SessionFormat.ROUND_TABLE] * 3 + [SessionFormat.BREAK]
    formats += [SessionFormat.WORKSHOP] * 2 + [SessionFormat.WORLD_CAFE] * 2
    formats += [SessionFormat.CLOSING]
    people = iter(_speakers())
    moderator = next(people)
    for order, fmt in enumerate(formats):
        start = datetime.time(9 + order * 45 // 60, order * 45 % 60)
        session = EventSession.objects.create(
            event=event,
            title=f"{SessionFormat(fmt).label} n° {order + 1} (synthétique)",
            format=fmt,
            start_time=start,
            end_time=(
                datetime.datetime.combine(day, start) + datetime.timedelta(minutes=45)
            ).time(),
            questions="Quels outils pour les collectivités ?\nAvec quels partenaires ?",
            sort_order=order,
        )
        if fmt == SessionFormat.BREAK:
            continue
        SessionContribution.objects.create(
            session=session, person=moderator, role=ContributionRole.MODERATOR, sort_order=0
        )
        for rank in range(1, 3 if fmt != SessionFormat.OPENING else 4):
            person = next(people, None)
            if person is not None:
                SessionContribution.objects.create(session=session, person=person, sort_order=rank)
    event.authorities.set(_authorities(day))
    event.practice_sheets.set(PracticeSheet.objects.filter(live=True).order_by("number")[:SHEETS])
    event.save()  # a ParentalManyToManyField is written when the event is saved
    return event


def _render_kit(event_id: int) -> tuple[float, float, object]:
    """The work of the background task: elapsed and processor seconds, the document."""
    from essor.events import documents
    from essor.events.models import DocumentKind

    started, processor = time.perf_counter(), time.process_time()
    document = documents.document_generate(documents.document_event(event_id), DocumentKind.KIT)
    return time.perf_counter() - started, time.process_time() - processor, document


def kit(runs: int = KIT_RUNS) -> dict:
    """Median and maximum time of the participant kit of a large event."""
    import pypdf
    from django.db import transaction

    from essor.events import programme
    from essor.events.documents import document_event

    with transaction.atomic():
        event = _large_event()
        first, _, document = _render_kit(event.pk)
        durations, processor = [], []
        for _run in range(runs):
            seconds, cpu, document = _render_kit(event.pk)
            durations.append(seconds)
            processor.append(cpu)
        if document.status != document.Status.READY:
            raise RuntimeError(f"Dossier non rendu : {document.error}")
        content = document.file.read()
        document.file.close()
        document.file.delete(save=False)  # the rows go with the rollback, not the file
        speakers = len(programme.event_speakers(document_event(event.pk)))
        authorities = event.authorities.count()
        sheets = event.practice_sheets.count()
        transaction.set_rollback(True)
    median = statistics.median(durations)
    return {
        "kit_runs": runs,
        "kit_median_seconds": round(median, 3),
        "kit_max_seconds": round(max(durations), 3),
        "kit_first_seconds": round(first, 3),
        # A loaded machine stretches the elapsed time, not this one.
        "kit_cpu_median_seconds": round(statistics.median(processor), 3),
        "kit_pages": len(pypdf.PdfReader(io.BytesIO(content)).pages),
        "kit_bytes": len(content),
        "kit_speakers": speakers,
        "kit_authorities": authorities,
        "kit_sheets": sheets,
        "kit_target_seconds": KIT_TARGET_SECONDS,
        "kit_target_met": median < KIT_TARGET_SECONDS and max(durations) < KIT_TARGET_SECONDS,
    }


# --- registrations under concurrency ---------------------------------------------------------


def _open_event(capacity: int):
    """A published event open for registration, committed (the threads read it)."""
    from django.utils import timezone

    from essor.events.models import Event, EventKind

    now = timezone.now()
    return Event.objects.create(
        title="Journée d'échanges du banc d'essai (synthétique)",
        slug=f"banc-essai-inscriptions-{secrets.token_hex(4)}",
        kind=EventKind.EXCHANGE_DAY,
        summary=f"{MARK} : événement fictif pour mesurer les inscriptions.",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=30, hours=7),
        venue="Salle synthétique",
        registration_enabled=True,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=29),
        capacity=capacity,
        price=Decimal(40),
        live=True,
    )


def registrations(
    threads: int = THREADS, capacity: int = CAPACITY, attempts: int = ATTEMPTS
) -> dict:
    """`attempts` distinct registrations from `threads` threads at once to an event of
    `capacity` seats on the default database."""
    from django.db import connection
    from django.test.utils import override_settings

    from essor.events import (
        registration_hooks,  # noqa: F401 - the e-mails, as the form sends
        services,
    )
    from essor.events.models import Registration, RegistrationStatus

    event = _open_event(capacity)
    next_number = iter(range(attempts))
    taking = threading.Lock()
    start = threading.Barrier(threads)
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    failures: list[str] = []

    def register() -> None:
        try:
            start.wait()
            while True:
                with taking:
                    number = next(next_number, None)
                if number is None:
                    return
                request = services.RegistrationRequest(
                    first_name="Personne",
                    last_name=f"Inscrite {number:04d} (synthétique)",
                    email=f"banc.{event.pk}.{number:04d}@exemple.invalid",
                )
                sent = time.perf_counter()
                try:
                    status = services.registration_create(event, request).status
                except services.RegistrationError as error:
                    status = f"refusée : {error}"
                with taking:
                    latencies.append(time.perf_counter() - sent)
                    outcomes[status] = outcomes.get(status, 0) + 1
        except Exception as error:  # counted: the guarantee is not held
            with taking:
                failures.append(f"{error.__class__.__name__}: {error}")
        finally:
            connection.close()

    workers = [threading.Thread(target=register) for _ in range(threads)]
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            elapsed = time.perf_counter() - started
        found = Registration.objects.filter(event=event)
        confirmed = found.filter(status=RegistrationStatus.CONFIRMED).count()
        waiting = found.filter(status=RegistrationStatus.WAITING).count()
    finally:
        event.delete()  # its registrations go with it
    held = not failures and confirmed == capacity and waiting == attempts - capacity
    return {
        "database": connection.vendor,
        "threads": threads,
        "capacity": capacity,
        "attempts": attempts,
        "seconds": round(elapsed, 3),
        "per_second": round(sum(outcomes.values()) / elapsed, 1),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "latency_p95_ms": round(_percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        "confirmed": confirmed,
        "waiting": waiting,
        "failures": len(failures) + sum(n for s, n in outcomes.items() if s.startswith("refusée")),
        "first_failure": failures[0] if failures else "",
        "held": held,
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def postgres_registrations() -> dict:
    """The same measure on a throw-away PostgreSQL database, in a child process (this
    process's Django is set up on its own database)."""
    import psycopg

    name = f"essor_bench_events_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        return {"status": "absent", "reason": f"PostgreSQL injoignable ({POSTGRES_URL}) : {error}"}
    env = {**os.environ, "DATABASE_URL": f"{POSTGRES_URL}/{name}"}
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        started = time.monotonic()
        subprocess.run(  # noqa: S603 - our own console command, fixed arguments
            [str(BIN / "essor"), "migrate", "--no-input", "-v", "0"],
            env=env,
            check=True,
            capture_output=True,
        )
        migrated = time.monotonic() - started
        measured = subprocess.run(  # noqa: S603 - this file, fixed arguments
            [str(BIN / "python"), __file__, "registrations", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return {
            "status": "ok",
            "migrate_seconds": round(migrated, 1),
            **json.loads(measured.stdout.strip().splitlines()[-1]),
        }
    except subprocess.CalledProcessError as error:
        tail = (error.stderr or b"")[-800:]
        return {"status": "error", "error": tail.decode() if isinstance(tail, bytes) else tail}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def volumes() -> dict:
    """What the agenda holds, and the page the benchmarks measure (`essor synthetic_events`)."""
    from essor.events.management.commands.synthetic_events import full_event
    from essor.events.models import Event

    published = Event.objects.published()
    full = full_event()
    return {
        "events_published": published.count(),
        "events_upcoming": published.upcoming().count(),
        "full_event_url": full.get_absolute_url() if full else "",
        "full_event_sessions": full.sessions.count() if full else 0,
        "full_event_sites": full.sites.count() if full else 0,
    }


def run() -> dict:
    """The kit, then registrations on this database and on PostgreSQL."""
    return {
        **volumes(),
        **kit(),
        "sqlite": {"status": "ok", **registrations()},
        "postgresql": postgres_registrations(),
    }


# --- the report -------------------------------------------------------------------------------


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ")  # as run.py writes the other sections


def _registration_row(label: str, result: dict) -> str:
    if result.get("status") == "absent":
        return f"| {label} | non mesuré : {result['reason']} | | | | |"
    if result.get("status") != "ok":
        return f"| {label} | **échec** : `{result.get('error', '?')[-300:]}` | | | | |"
    held = "oui" if result["held"] else "**non**"
    return (
        f"| {label} | {_fmt(result['per_second'])} | {_fmt(result['latency_p50_ms'])} – "
        f"{_fmt(result['latency_p95_ms'])} | {result['confirmed']} / {result['waiting']} "
        f"| {result['failures']} | {held} |"
    )


def report_lines(result: dict) -> list[str]:
    """The section of benchmarks/RESULTS.md."""
    if result.get("status") == "absent":
        return ["Non mesuré : `benchmarks/bench_events.py` absent."]
    if result.get("status") == "error":
        return [f"**Échec** de `benchmarks/bench_events.py` : `{result['error']}`"]
    met = result["kit_target_met"]
    sqlite, postgres = result["sqlite"], result["postgresql"]
    return [
        "### Dossier du participant (PDF)",
        "",
        f"Un événement de {result['kit_speakers']} intervenant·es, {result['kit_authorities']} "
        f"collectivités à fiche remplie (axes, chiffres, budgets, responsables) et "
        f"{result['kit_sheets']} fiches pratiques : le dossier rendu comme le fait la tâche "
        f"de fond (`document_generate`, hors de toute requête web ; la route publique sert le "
        f"dernier fichier), {result['kit_runs']} fois après un premier rendu.",
        "",
        "| Mesure | Valeur |",
        "| --- | ---: |",
        f"| Médiane | {_fmt(result['kit_median_seconds'], 2)} s |",
        f"| Maximum | {_fmt(result['kit_max_seconds'], 2)} s |",
        f"| Temps processeur (médiane) | {_fmt(result['kit_cpu_median_seconds'], 2)} s |",
        f"| Premier rendu du processus | {_fmt(result['kit_first_seconds'], 2)} s |",
        f"| Pages, taille | {result['kit_pages']} pages, {_fmt(result['kit_bytes'] / 1024, 0)} Kio |",
        f"| Cible (moins de {_fmt(KIT_TARGET_SECONDS, 0)} s) | "
        f"{'atteinte' if met else '**non atteinte**'} |",
        "",
        "### Inscriptions simultanées",
        "",
        f"{sqlite.get('threads', THREADS)} fils, chacun avec sa connexion, inscrivent "
        f"{sqlite.get('attempts', ATTEMPTS)} adresses différentes par "
        "`services.registration_create` (courriels de confirmation et de liste d'attente "
        f"rendus, gardés en mémoire) à un événement de {sqlite.get('capacity', CAPACITY)} "
        "places, tous lâchés en même temps. Garantie tenue : exactement autant de confirmées "
        "que de places, toutes les autres en liste d'attente, aucune erreur.",
        "",
        "| Base | inscriptions/s | latence médiane – p95 (ms) | confirmées / en attente "
        "| erreurs | garantie tenue |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        _registration_row("SQLite (instance, une transaction d'écriture à la fois)", sqlite),
        _registration_row(
            "PostgreSQL (base jetable, verrou de ligne `SELECT … FOR UPDATE`)", postgres
        ),
        "",
        "Les fils Python partagent un seul processus (et son GIL) : c'est le débit d'un "
        "processus web multi-fils, pas celui de plusieurs workers.",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essor.config.settings")
    import django

    django.setup()
    if "registrations" in sys.argv:
        measured = registrations()
        print(json.dumps(measured) if "--json" in sys.argv else measured)
    else:
        print("\n".join(report_lines(run())))
