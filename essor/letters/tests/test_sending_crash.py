"""A real worker process (`essor db_worker`) killed in the middle of sending an issue: after
`essor letters_dispatch --lease 0` and a second worker, every recipient has exactly one
message accepted by the SMTP server, and none was skipped.

The SMTP server is an aiosmtpd sink in this process; it kills the worker (SIGKILL) itself at a
chosen moment, so the crash is deterministic:
- *in flight*: when the k-th message's DATA arrives, before answering; it then answers 451 (the
  message was not accepted, as when a server dies with the worker): it must be sent again;
- *between messages*: when the (k+1)-th message's MAIL FROM arrives, the k-th having been
  accepted and marked sent: nothing may be sent twice.

The workers must see the test's database: on PostgreSQL, the test database itself
(transactional test: the data is committed); on SQLite, whose test database is in this
process's memory, a file copy of it that this process also uses during the test.
"""

import asyncio
import email
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connections
from django.utils import timezone

from essor.letters import sending
from essor.letters.mail import delivery_message_id
from essor.letters.models import Delivery, DeliveryStatus, Issue, IssueStatus
from essor.letters.tests.test_sending import confirmed, make_issue

pytestmark = [
    # serialized_rollback: the initial content (Wagtail's root page…) comes back after the
    # flush that ends a transactional test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECIPIENTS = 30
BATCH = 4
KILL_AT = 10  # the message (1-based) at which the worker dies
SITE = "https://lettres.example.org"
WORKER_TIMEOUT = 120  # seconds; a worker that is not killed finishes long before


class KillingSink:
    """An SMTP sink that records accepted messages and kills `victim` at one moment."""

    def __init__(self, *, kill_on_data: int | None = None, kill_on_mail: int | None = None):
        self.kill_on_data, self.kill_on_mail = kill_on_data, kill_on_mail
        self.victim: subprocess.Popen | None = None
        self.killed = False
        self.data_seen = self.mail_seen = 0
        self.accepted: list[tuple[str, str]] = []  # (recipient, Message-ID)

    def _kill(self) -> None:
        assert self.victim is not None
        os.kill(self.victim.pid, signal.SIGKILL)
        self.victim.wait()  # dead before anything else is answered
        self.killed = True

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_seen += 1
        if self.mail_seen == self.kill_on_mail:
            self._kill()
            return "451 4.3.0 Serveur indisponible"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        if self.data_seen == self.kill_on_data:
            self._kill()
            return "451 4.3.0 Serveur indisponible"
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        self.accepted += [(rcpt, message_id) for rcpt in envelope.rcpt_tos]
        return "250 OK"


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> str:
    """The URL of a database both this process and the workers use."""
    default = connections["default"]
    if default.vendor == "postgresql":
        s = default.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        yield f"postgresql://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    path = tmp_path / "partagee.sqlite3"
    default.ensure_connection()
    copy = sqlite3.connect(path)
    default.connection.backup(copy)  # the migrated schema and the initial content
    copy.close()
    shared = type(default)({**default.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = shared
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections["default"] = default


@pytest.fixture
def sink_factory():
    controllers = []

    def start(sink: KillingSink) -> int:
        with socket.socket() as probe:  # a free port (the controller checks it can connect)
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(
            sink, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop()
        )
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


def worker_env(database_url: str, smtp_port: int, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ESSOR_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="essor.config.settings",
        DATABASE_URL=database_url,
        ESSOR_ENV="development",
        ESSOR_DEBUG="0",
        ESSOR_VAR_DIR=str(var_dir),
        ESSOR_SEARCH_AUTO_INDEX="0",
        SITE_URL=SITE,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        ESSOR_LETTERS_BATCH=str(BATCH),
        ESSOR_LETTERS_RATE="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def essor(env: dict[str, str], *args: str, sink: KillingSink | None = None) -> tuple[int, str]:
    """Run `python -m essor <args>` to its end (or its death); its return code and output."""
    process = subprocess.Popen(
        [sys.executable, "-m", "essor", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if sink is not None:
        sink.victim = process
    try:
        output, _ = process.communicate(timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output


def run_worker(env: dict[str, str], sink: KillingSink | None = None) -> tuple[int, str]:
    return essor(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload", sink=sink)


def start_issue(settings) -> tuple[Issue, list[str]]:
    """The issue started by this process, its sending task in the database queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = SITE
    emails = confirmed(RECIPIENTS)
    issue = make_issue()
    sending.issue_send_now(issue, None)  # committed: the worker sees it
    return issue, emails


def recover_and_finish(env: dict[str, str]) -> str:
    code, output = essor(env, "letters_dispatch", "--lease", "0")
    assert code == 0, output
    assert "Envois relancés : 1" in output, output
    code, output = run_worker(env)
    assert code == 0, output
    return output


def assert_each_received_exactly_once(sink: KillingSink, issue: Issue, emails: list[str]):
    counts = Counter(rcpt for rcpt, _ in sink.accepted)
    assert counts == Counter(emails)  # every recipient, and each once
    ids = dict(Delivery.objects.filter(issue=issue).values_list("email", "pk"))
    for rcpt, message_id in sink.accepted:
        assert message_id == delivery_message_id(issue.pk, ids[rcpt])
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert issue.sent_at <= timezone.now()


def test_worker_killed_with_a_message_in_flight(shared_database, sink_factory, settings, tmp_path):
    sink = KillingSink(kill_on_data=KILL_AT)
    env = worker_env(shared_database, sink_factory(sink), tmp_path)
    issue, emails = start_issue(settings)

    code, output = run_worker(env, sink)

    assert sink.killed, output
    assert code == -signal.SIGKILL
    assert len(sink.accepted) == KILL_AT - 1
    # The message in flight is still claimed by the dead worker, not marked sent.
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == KILL_AT - 1
    in_flight = Delivery.objects.filter(status=DeliveryStatus.SENDING)
    assert 1 <= in_flight.count() <= BATCH

    recover_and_finish(env)

    assert_each_received_exactly_once(sink, issue, emails)


def test_worker_killed_between_two_messages(shared_database, sink_factory, settings, tmp_path):
    sink = KillingSink(kill_on_mail=KILL_AT + 1)
    env = worker_env(shared_database, sink_factory(sink), tmp_path)
    issue, emails = start_issue(settings)

    code, output = run_worker(env, sink)

    assert sink.killed, output
    assert code == -signal.SIGKILL
    assert len(sink.accepted) == KILL_AT
    # The last accepted message was marked sent before the next one began.
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == KILL_AT

    recover_and_finish(env)

    assert_each_received_exactly_once(sink, issue, emails)
