"""Letters: sending one issue to 100 000 subscribers through Essor's real path, against a bare
`smtplib` loop sending the same rendered messages, to a local SMTP sink; memory at 10 000 and
100 000 recipients; duplicates counted at the sink.

`run()` expects Django to be set up on a migrated database (the default one, not a test one);
it adds synthetic subscriptions (`@example.org`, marked) and two issues, and deletes them at the
end. Every measure runs in a child process of its own (`python bench_letters.py <part> …`, same
environment, same database), so that each peak resident memory (ru_maxrss) is that part's:

- **sink**: an aiosmtpd server in its own process, counting the messages each recipient got
  (it answers 250 to all and parses nothing);
- **real path**: `sending.issue_start` (one delivery per recipient, written by batches from an
  iterator) then `sending.issue_deliver`, the worker's loop (claims of ESSOR_LETTERS_BATCH, the
  mail serialised once per issue and completed per recipient by `mail.IssueMessages`, one SMTP
  connection per batch, one committed UPDATE per message), in-process instead of through
  `essor db_worker`;
- **bare loop**: the issue rendered and serialised once as Django would send it, then for each
  recipient its address, unsubscribe link and Message-ID put into the bytes and
  `smtplib.SMTP.sendmail`, on one connection; no database.

Target: real path ≥ 0.5 × the bare loop's messages per second; peak memory flat in the number
of recipients; 0 duplicates. Measured on the instance's database, then on a throw-away
PostgreSQL database (`ESSOR_BENCH_POSTGRES_URL`, by default postgres://postgres@127.0.0.1:5432:
created, `essor migrate`, measured in a child process, dropped).

Run alone: `.venv/bin/python benchmarks/bench_letters.py` (on the instance of the environment,
ESSOR_VAR_DIR or DATABASE_URL, migrated).
"""

import json
import os
import resource
import selectors
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ESSOR_BENCH_LETTERS_LARGE: a smaller list for a quick try (the report states the sizes).
LARGE = int(os.environ.get("ESSOR_BENCH_LETTERS_LARGE", "100000"))
SMALL = LARGE // 10
TARGET_RATIO = 0.5
MARK = "Données synthétiques (banc d'essai)"
DOMAIN = "example.org"  # fake subscribers, never real addresses
SITE = "https://lettres.example.org"
ISSUE_NUMBERS = (990_001, 990_002)  # far from any real issue
CHILD_TIMEOUT = 1800
POSTGRES_URL = os.environ.get("ESSOR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essor.config.settings")
    os.environ.setdefault("SITE_URL", SITE)
    import django

    django.setup()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# --- the sink (child process) -----------------------------------------------------------------


def sink_main() -> None:
    """`bench_letters.py sink`: prints its port, then answers "report" lines on stdin with the
    counts since the last report (JSON); stops at the end of stdin."""
    import socket

    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self) -> None:
            self.received: Counter = Counter()

        async def handle_DATA(self, server, session, envelope):
            self.received.update(envelope.rcpt_tos)
            return "250 OK"

    handler = Counting()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    for line in sys.stdin:
        if line.strip() == "report":
            received, handler.received = handler.received, Counter()
            messages = sum(received.values())
            print(
                json.dumps(
                    {
                        "messages": messages,
                        "recipients": len(received),
                        "duplicates": messages - len(received),
                    }
                ),
                flush=True,
            )
    controller.stop()


class Sink:
    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - this script, fixed arguments
            [sys.executable, __file__, "sink"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self._line())

    def _line(self, timeout: float = 60) -> str:
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                raise RuntimeError("le serveur SMTP de mesure ne répond pas")
        return self.process.stdout.readline()

    def report(self) -> dict:
        self.process.stdin.write("report\n")
        self.process.stdin.flush()
        return json.loads(self._line())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


# --- the measured parts (child processes) -----------------------------------------------------


def real_main(issue_id: int) -> None:
    """`bench_letters.py real <issue>`: start and send the issue through Essor's code."""
    from unittest import mock

    _setup_django()
    from essor.letters import sending
    from essor.letters.models import Issue

    issue = Issue.objects.get(pk=issue_id)
    sending._rendered(issue)  # the worker renders once; not part of the per-message cost
    baseline = _peak_rss_mib()
    started = time.perf_counter()
    with mock.patch.object(sending, "_enqueue_send"):  # this process is the worker
        recipients = sending.issue_start(issue)
    created = time.perf_counter()
    sent = sending.issue_deliver(issue_id)
    finished = time.perf_counter()
    issue.refresh_from_db()
    print(
        json.dumps(
            {
                "recipients": recipients,
                "sent": sent,
                "start_seconds": created - started,
                "send_seconds": finished - created,
                "status": issue.status,
                "baseline_rss_mib": baseline,
                "peak_rss_mib": _peak_rss_mib(),
            }
        )
    )


def bare_main(issue_id: int) -> None:
    """`bench_letters.py bare <issue>`: the same rendered messages through a bare smtplib
    loop (the addresses are read first, outside the measure)."""
    import smtplib

    _setup_django()
    from django.conf import settings

    from essor.letters import mail
    from essor.letters.models import Issue, Subscription
    from essor.letters.rendering import issue_render

    issue = Issue.objects.get(pk=issue_id)
    rows = list(
        Subscription.objects.receiving(issue.kind).order_by("pk").values_list("email", "token")
    )
    rendered = issue_render(issue)
    # Placeholders as long as the real values, put in once the bytes are serialised.
    address, token, message_id = "A" * 30 + "@example.org", "T" * 32, "<M" * 20 + ">"
    url = f"{SITE}/lettres/desinscription/{token}/{issue.pk}/"
    template = (
        mail.recipient_message(issue, rendered, address, url, message_id)
        .message()
        .as_bytes(linesep="\r\n")
    )
    assert address.encode() in template and token.encode() in template
    sender = settings.ESSOR_LETTERS_FROM_EMAIL
    smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT)
    started = time.perf_counter()
    for number, (email, subscription_token) in enumerate(rows):
        body = (
            template.replace(address.encode(), email.encode())
            .replace(token.encode(), subscription_token.encode())
            .replace(message_id.encode(), f"<bare.{number}@{DOMAIN}>".encode())
        )
        smtp.sendmail(sender, [email], body)
    finished = time.perf_counter()
    smtp.quit()
    print(
        json.dumps({"sent": len(rows), "send_seconds": finished - started, "bytes": len(template)})
    )


def _child(part: str, issue_id: int, env: dict[str, str]) -> dict:
    result = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, part, str(issue_id)],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{part} : {result.stderr.strip()[-800:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the data ---------------------------------------------------------------------------------


def _subscriptions_up_to(total: int, kind: str) -> None:
    from django.utils import timezone

    from essor.letters.models import ConsentSource, Subscription, SubscriptionStatus

    have = Subscription.objects.filter(email__startswith="bench-", email__endswith=DOMAIN).count()
    now = timezone.now()
    batch = []
    for number in range(have, total):
        batch.append(
            Subscription(
                kind=kind,
                email=f"bench-{number:06d}@{DOMAIN}",
                status=SubscriptionStatus.CONFIRMED,
                consent_source=ConsentSource.ADMIN,
                consent_text=MARK,
                consent_at=now,
                confirmed_at=now,
            )
        )
        if len(batch) == 5000:
            Subscription.objects.bulk_create(batch)
            batch = []
    if batch:
        Subscription.objects.bulk_create(batch)


def _issue(number: int, kind: str) -> object:
    import datetime

    from essor.core.editorial import unique_slug
    from essor.letters.models import Issue, IssueItem
    from essor.news.models import Article, Rubric

    rubric = Rubric.objects.order_by("sort_order").first() or Rubric.objects.create(
        name="Banc d'essai", slug=unique_slug(Rubric, "banc-d-essai-lettres")
    )
    article = Article.objects.create(
        title=f"{MARK} — article du numéro {number}",
        slug=unique_slug(Article, f"banc-essai-lettre-{number}"),
        rubric=rubric,
        summary="Un chapeau de trois lignes, comme ceux que les lettres reprennent. " * 3,
        body="<p>" + "Le réseau accompagne les collectivités adhérentes. " * 40 + "</p>",
    )
    issue = Issue.objects.create(
        kind=kind,
        number=number,
        title=f"Lettre de banc d'essai n° {number}",
        date=datetime.date.today(),
        editorial="<p>" + "Éditorial de la lettre, quelques paragraphes. " * 20 + "</p>",
    )
    IssueItem.objects.create(issue=issue, article=article)
    return issue, article


def _clean(issues: list, articles: list) -> None:
    from essor.letters.models import Subscription

    for issue in issues:
        issue.delete()  # deliveries and items with it
    for article in articles:
        article.delete()
    Subscription.objects.filter(email__startswith="bench-", email__endswith=DOMAIN).delete()


def measure() -> dict:
    """On this process's database: an issue sent to SMALL then to LARGE synthetic
    subscribers (real path), and the LARGE list through the bare loop, to one sink."""
    from django.conf import settings
    from django.db import connection, connections

    from essor.letters.models import LetterKind

    kind = LetterKind.LETTER
    sink = Sink()
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "SITE_URL": SITE,
        "PYTHONPATH": str(ROOT),
    }
    issues, articles = [], []
    try:
        _subscriptions_up_to(SMALL, kind)
        small_issue, article = _issue(ISSUE_NUMBERS[0], kind)
        issues.append(small_issue)
        articles.append(article)
        connections.close_all()
        small = _child("real", small_issue.pk, env)
        small_sink = sink.report()

        _subscriptions_up_to(LARGE, kind)
        large_issue, article = _issue(ISSUE_NUMBERS[1], kind)
        issues.append(large_issue)
        articles.append(article)
        connections.close_all()
        bare = _child("bare", large_issue.pk, env)
        bare_sink = sink.report()
        large = _child("real", large_issue.pk, env)
        large_sink = sink.report()
    finally:
        sink.stop()
        _clean(issues, articles)
    real_rate = large["sent"] / large["send_seconds"]
    bare_rate = bare["sent"] / bare["send_seconds"]
    return {
        "database": connection.vendor,
        "batch": settings.ESSOR_LETTERS_BATCH,
        "rate_limit": settings.ESSOR_LETTERS_RATE,
        "message_bytes": bare["bytes"],
        "small": {**small, "sink": small_sink},
        "large": {**large, "sink": large_sink},
        "bare": {**bare, "sink": bare_sink},
        "real_per_second": real_rate,
        "real_with_start_per_second": large["sent"]
        / (large["send_seconds"] + large["start_seconds"]),
        "bare_per_second": bare_rate,
        "ratio": real_rate / bare_rate,
        "target_met": real_rate / bare_rate >= TARGET_RATIO
        and large_sink["duplicates"] == small_sink["duplicates"] == 0,
    }


def postgres() -> dict:
    """The same measure on a throw-away PostgreSQL database, in a child process (this
    process's Django is set up on its own database)."""
    import secrets

    import psycopg

    name = f"essor_bench_letters_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        return {"status": "absent", "reason": f"PostgreSQL injoignable ({POSTGRES_URL}) : {error}"}
    env = {**os.environ, "DATABASE_URL": f"{POSTGRES_URL}/{name}"}
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        subprocess.run(  # noqa: S603 - our own console command, fixed arguments
            [str(ROOT / ".venv" / "bin" / "essor"), "migrate", "--no-input", "-v", "0"],
            env=env,
            check=True,
            capture_output=True,
        )
        measured = subprocess.run(  # noqa: S603 - this file, fixed arguments
            [sys.executable, __file__, "measure"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT * 3,
        )
        return {"status": "ok", **json.loads(measured.stdout.strip().splitlines()[-1])}
    except subprocess.CalledProcessError as error:
        tail = (error.stderr or b"")[-800:]
        return {"status": "error", "error": tail.decode() if isinstance(tail, bytes) else tail}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run() -> dict:
    """The measure on the instance's database, then on PostgreSQL (unless the instance is
    on PostgreSQL already)."""
    from django.db import connection

    started = time.monotonic()
    figures = measure()
    results = [{"status": "ok", **figures, "seconds": time.monotonic() - started}]
    if connection.vendor != "postgresql":
        results.append(postgres())
    return {"databases": results}


# --- the report -------------------------------------------------------------------------------


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ")  # as run.py writes the other sections


def _rows(result: dict) -> dict[str, str]:
    """One column of the table: the measures on one database."""
    if result.get("status") == "absent":
        return {"Base": f"non mesuré : {result['reason']}"}
    if result.get("status") != "ok":
        return {"Base": f"**échec** : `{result.get('error', '?')[-300:]}`"}
    small, large, bare = result["small"], result["large"], result["bare"]
    complete = all(
        part["sink"]["recipients"] == part["sent"] == part["sink"]["messages"]
        for part in (small, large, bare)
    )
    ratio = result["ratio"]
    return {
        "Base": result["database"],
        "Chemin réel, envoi (messages/s)": _fmt(result["real_per_second"]),
        "Boucle `smtplib` nue (messages/s)": _fmt(result["bare_per_second"]),
        f"Rapport (cible ≥ {_fmt(TARGET_RATIO, 1)})": f"{_fmt(ratio, 2)} — "
        + ("atteinte" if ratio >= TARGET_RATIO else "**non atteinte**"),
        f"Création des {_fmt(large['recipients'], 0)} envois (`issue_start`)": (
            f"{_fmt(large['start_seconds'], 1)} s"
        ),
        "Chemin réel, création comprise (messages/s)": _fmt(result["real_with_start_per_second"]),
        f"Mémoire résidente maximale, {_fmt(small['recipients'], 0)} destinataires": (
            f"{_fmt(small['peak_rss_mib'], 0)} Mio (au départ {_fmt(small['baseline_rss_mib'], 0)})"
        ),
        f"Mémoire résidente maximale, {_fmt(large['recipients'], 0)} destinataires": (
            f"{_fmt(large['peak_rss_mib'], 0)} Mio (au départ {_fmt(large['baseline_rss_mib'], 0)})"
        ),
        "Écart de mémoire pour 10 × plus de destinataires": (
            f"{_fmt(large['peak_rss_mib'] - small['peak_rss_mib'], 1)} Mio"
        ),
        "Doublons comptés par le serveur (petit / grand envoi)": (
            f"{small['sink']['duplicates']} / {large['sink']['duplicates']}"
        ),
        "Chaque destinataire servi une fois (reçus = destinataires = envoyés)": (
            "oui" if complete else "**non**"
        ),
        "Durée de la mesure": f"{_fmt(result['seconds'], 0)} s",
    }


def report_lines(result: dict) -> list[str]:
    """The section of benchmarks/RESULTS.md."""
    if result.get("status") == "absent":
        return ["Non mesuré : `benchmarks/bench_letters.py` absent."]
    if result.get("status") == "error":
        return [f"**Échec** de `benchmarks/bench_letters.py` : `{result['error']}`"]
    columns = [_rows(database) for database in result["databases"]]
    first = next((d for d in result["databases"] if d.get("status") == "ok"), {})
    labels = list(dict.fromkeys(label for column in columns for label in column))
    lines = [
        f"Un numéro (éditorial, un article) envoyé à {_fmt(LARGE, 0)} abonné·es synthétiques "
        f"(`@{DOMAIN}`) vers un serveur SMTP local (aiosmtpd dans son propre processus, qui "
        "compte les messages reçus par destinataire), sur SQLite puis sur une base "
        "PostgreSQL jetable ; lots de "
        f"{first.get('batch', '?')}, sans limite de débit ; message de "
        f"{_fmt(first.get('message_bytes', 0) / 1024, 1)} Kio (texte et HTML). Chaque mesure "
        "tourne dans un processus à part (mémoire résidente maximale de ce processus).",
        "",
        "- **Chemin réel** : `issue_start` (un envoi par destinataire, écrits par lots depuis "
        "un itérateur) puis `issue_deliver`, la boucle du worker (réservation par lots, "
        "message sérialisé une fois par numéro et complété pour chaque destinataire, une "
        "connexion SMTP par lot, un UPDATE validé par message — sur PostgreSQL remis au "
        "serveur avant le message suivant mais sans attendre sa réponse, lue avant la requête "
        "suivante, et validé sans attendre l'écriture du journal sur disque "
        "(`synchronous_commit` coupé pour la session d'envoi, comme SQLite en WAL "
        "`synchronous=NORMAL`)), dans le processus plutôt que par `essor db_worker` ;",
        "- **Boucle `smtplib` nue** : le même numéro rendu et sérialisé une fois, adresse, lien "
        "de désinscription et Message-ID remplacés dans les octets, `sendmail` sur une seule "
        "connexion, sans base de données.",
        "",
        "| Mesure | " + " | ".join(column.get("Base", "?") for column in columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for label in labels[1:]:
        lines.append(f"| {label} | " + " | ".join(c.get(label, "") for c in columns) + " |")
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["sink"]:
        sink_main()
    elif sys.argv[1:2] == ["real"]:
        real_main(int(sys.argv[2]))
    elif sys.argv[1:2] == ["bare"]:
        bare_main(int(sys.argv[2]))
    elif sys.argv[1:2] == ["measure"]:  # one database, JSON on the last line
        _setup_django()
        started = time.monotonic()
        figures = measure()
        print(json.dumps({**figures, "seconds": time.monotonic() - started}))
    else:
        _setup_django()
        figures = {"status": "ok", **run()}
        print(json.dumps(figures, indent=2, default=str))
        print("\n".join(report_lines(figures)))
