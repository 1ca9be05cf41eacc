"""Sending an issue: one delivery per recipient, claimed by one worker, sent once.

Every mail of an issue is a `Delivery` row, so that a crash, a restart or a second worker
never sends a mail twice and never skips one:

- **Starting** (`issue_send_now`, or `dispatch` when a scheduled issue is due): an issue with
  no item, or already sending or sent, is refused (`IssueNotReady`, with a French message).
  In one transaction, the issue goes to "envoi" and a delivery is created for every recipient
  (`subscriptions.recipients`), in batches read from an iterator so memory stays flat at
  100 000 recipients; the unique (issue, email) constraint and `ignore_conflicts` make it
  idempotent. A crash leaves either nothing or every row. Once committed, the sending task is
  enqueued (`tasks.issue_send`); should the process die between the two, `dispatch` enqueues it.
- **Claiming**: a worker takes up to ESSOR_LETTERS_BATCH queued deliveries that are due
  (`next_attempt_at` empty or past): their ids (`SELECT … FOR UPDATE SKIP LOCKED` on
  PostgreSQL, so concurrent workers take different rows; SQLite serialises write transactions)
  then `UPDATE … SET status='envoi', claimed_by=<worker>, claimed_at=now WHERE id IN (<ids>)
  AND status='attente'`, in one transaction. The UPDATE checks the status again, so two
  workers never hold the same row.
- **Sending** a claimed delivery: the issue is rendered once per worker (`rendering`) and its
  mail serialised once (`mail.IssueMessages`), each recipient's bytes only get their address,
  unsubscribe address and Message-ID; one SMTP connection per batch, reopened after a
  disconnection; right after the server accepted a message, the delivery is marked sent by
  its own UPDATE, committed on its own. A worker killed at any time can therefore lose at most
  the message in flight. (On PostgreSQL, while a worker sends, its commits do not wait for the
  disk, `synchronous_commit` off for its session, as SQLite's WAL with synchronous=NORMAL:
  only a crash of the database server itself could forget the last marks.) While a batch is being sent, the claim of
  the rest of the batch is refreshed (heartbeat) so a slow batch is not taken back. Just before
  sending, the batch is checked against the recipients again: an address unsubscribed or
  bounced since the start is not sent to (its delivery fails with the reason).
- **Recovery**: deliveries left in "envoi" longer than ESSOR_LETTERS_CLAIM_LEASE_SECONDS go back
  to the queue (`deliveries_recover`, run by `dispatch`). The message in flight when a worker
  died is then sent again: it can arrive twice only if the process died after the SMTP server
  had accepted it and before the "sent" UPDATE was committed (a window of one round trip to the
  database). Both copies carry the same Message-ID, which lets mail systems drop the second.
- **`dispatch`** (the `essor letters_dispatch` command for cron, and the task enqueued with
  `run_after` at scheduling time, so that no cron is needed on the normal path): starts the
  scheduled issues that are due, recovers stale claims, enqueues the sending of issues that
  have due deliveries and no live worker, and marks an issue "envoyé" once none of its
  deliveries is queued or being sent. Running it again does nothing more.
- **SMTP errors**, per recipient: a permanent refusal (5xx to RCPT or DATA) fails the delivery
  with the server's answer and marks the address bounced everywhere
  (`subscriptions.address_bounced`); a temporary one (4xx, lost connection) counts an attempt
  and queues the delivery again after ESSOR_LETTERS_RETRY_SECONDS × 2^(attempts − 1), until
  ESSOR_LETTERS_MAX_ATTEMPTS, when it fails. A server that cannot be reached at all stops the
  batch: its deliveries go back to the queue (no attempt counted) for RETRY_SECONDS.
- **Throttling**: at most ESSOR_LETTERS_RATE messages per second per worker (0: no limit).
- **Test sends** (`issue_test_send`): to a few given addresses, subject prefixed "[TEST]", no
  delivery rows, an unsubscribe link that touches no subscription.
"""

import contextlib
import datetime
import logging
import os
import secrets
import select
import smtplib
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.validators import validate_email
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from essor.core.caching import public_content_changed
from essor.core.links import absolute_url
from essor.letters import mail
from essor.letters.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueItem,
    IssueStatus,
    Subscription,
)
from essor.letters.rendering import RenderedIssue, issue_render
from essor.letters.subscriptions import address_bounced, issue_unsubscribe_url, recipients

logger = logging.getLogger(__name__)

CREATE_BATCH = 2000  # deliveries written per INSERT when an issue starts
SMTP_TIMEOUT = 60  # seconds: a silent server must not hold a claim for ever
MAX_TEST_ADDRESSES = 10
# The token of the unsubscribe link of test sends: no subscription has it (theirs are 32
# random characters), so the link shows the unsubscribe page and changes nothing.
TEST_UNSUBSCRIBE_TOKEN = "essai"  # noqa: S105 - not a secret: a token no subscription has
NO_ITEM = "Ce numéro ne contient aucun article ni événement."
ALREADY_STARTED = "L'envoi de ce numéro a déjà commencé ou est terminé."
NOT_RECEIVING = (
    "Non envoyé : l'adresse ne reçoit plus cette lettre (désinscription, erreur définitive "
    "ou données supprimées depuis le début de l'envoi)."
)


class IssueNotReady(ValidationError):
    """The issue cannot be sent as it is (no item, already sent…): the message says why."""


# --- starting ------------------------------------------------------------------------------


def _check_startable(issue: Issue) -> None:
    if issue.status in (IssueStatus.SENDING, IssueStatus.SENT):
        raise IssueNotReady(ALREADY_STARTED)
    if not IssueItem.objects.filter(issue_id=issue.pk).exists():
        raise IssueNotReady(NO_ITEM)


def _deliveries_create(issue: Issue) -> int:
    """One queued delivery per recipient, written by batches from an iterator."""
    rows = recipients(issue.kind).order_by().values_list("pk", "email")
    batch: list[Delivery] = []
    for subscription_id, email in rows.iterator(chunk_size=CREATE_BATCH):
        batch.append(Delivery(issue_id=issue.pk, subscription_id=subscription_id, email=email))
        if len(batch) >= CREATE_BATCH:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    return Delivery.objects.filter(issue_id=issue.pk).count()


def issue_start(issue: Issue) -> int:
    """Start sending `issue` now: status "envoi", every delivery created, the sending task
    enqueued once committed. Returns the number of recipients."""
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        _check_startable(locked)
        now = timezone.now()
        Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENDING, sending_started_at=now)
        count = _deliveries_create(locked)
        transaction.on_commit(lambda: _enqueue_send(issue.pk))
    issue.status, issue.sending_started_at = IssueStatus.SENDING, now
    logger.info("lettres : envoi de %s commencé, %d destinataires", issue, count)
    return count


def issue_send_now(issue: Issue, user: object) -> Issue:
    """Send the issue now (from draft or scheduled); refused with `IssueNotReady`."""
    issue_start(issue)
    return issue


def issue_schedule(issue: Issue, when: datetime.datetime, user: object) -> Issue:
    """Send the issue at `when`: status "programmé"; a dispatch task is enqueued to run at that
    time when the task backend can defer (the database one can), `essor letters_dispatch`
    otherwise. Refused for a time that is not in the future and for an issue with no item."""
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when <= timezone.now():
        raise IssueNotReady("La date d'envoi doit être dans le futur.")
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        _check_startable(locked)
        Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SCHEDULED, scheduled_at=when)
        transaction.on_commit(lambda: _enqueue_dispatch(when))
    issue.status, issue.scheduled_at = IssueStatus.SCHEDULED, when
    return issue


def issue_unschedule(issue: Issue, user: object) -> Issue:
    """Back to draft, as long as sending has not started."""
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status in (IssueStatus.SENDING, IssueStatus.SENT):
            raise IssueNotReady(ALREADY_STARTED)
        Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.DRAFT, scheduled_at=None)
    issue.status, issue.scheduled_at = IssueStatus.DRAFT, None
    return issue


def _enqueue_send(issue_id: int, run_after: datetime.datetime | None = None) -> bool:
    """Enqueue the sending task; with `run_after`, only if the backend can defer."""
    from essor.letters import tasks

    task = tasks.issue_send
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return False
        task = task.using(run_after=run_after)
    task.enqueue(issue_id)
    return True


def _enqueue_dispatch(when: datetime.datetime) -> bool:
    from essor.letters import tasks

    if not tasks.letters_dispatch.get_backend().supports_defer:
        return False  # `essor letters_dispatch` (cron) starts it
    tasks.letters_dispatch.using(run_after=when).enqueue()
    return True


# --- claiming and sending ---------------------------------------------------------------------


def worker_id() -> str:
    """Who holds a claim: host, process, and a random part (a pid can be reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _due(issue_id: int, now: datetime.datetime) -> "Q":
    return Q(issue_id=issue_id, status=DeliveryStatus.QUEUED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def deliveries_claim(issue_id: int, worker: str, size: int) -> list[Delivery]:
    """Claim up to `size` due deliveries of the issue for `worker`; the claimed rows."""
    now = timezone.now()
    with transaction.atomic():
        # The ids first, then the UPDATE: PostgreSQL may run a LIMITed subquery of an UPDATE
        # more than once and claim more than `size`. SKIP LOCKED: concurrent workers take
        # different rows instead of waiting for each other (ignored by SQLite, whose
        # write transactions are one at a time). No order: sorting by id made the database
        # walk past every row already sent, 50 ms per claim late in a 100 000 send, against
        # 2 ms through the (issue, status) index.
        candidates = list(
            Delivery.objects.filter(_due(issue_id, now))
            .order_by()
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        claimed = Delivery.objects.filter(pk__in=candidates, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING, claimed_by=worker, claimed_at=now
        )
    if not claimed:
        return []
    # Every row this worker holds, the ones claimed earlier and not sent too (through the
    # (claimed_by, status) index: its rows already sent are not walked past).
    return list(
        Delivery.objects.filter(issue_id=issue_id, claimed_by=worker, status=DeliveryStatus.SENDING)
        .select_related("subscription")
        .order_by("pk")
    )


def deliveries_recover(lease_seconds: int | None = None) -> int:
    """Queue again the deliveries whose worker has not shown a sign of life for the lease
    (killed, machine restarted); the number recovered."""
    if lease_seconds is None:
        lease_seconds = settings.ESSOR_LETTERS_CLAIM_LEASE_SECONDS
    stale = timezone.now() - datetime.timedelta(seconds=lease_seconds)
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lte=stale).update(
        status=DeliveryStatus.QUEUED, claimed_by="", claimed_at=None
    )


class _Throttle:
    """At most `rate` messages per second (0: no limit)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def _smtp_code(error: Exception) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return max(codes) if codes else None
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    return None


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        code, text = answers[0] if answers else (None, b"")
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    else:
        return f"{type(error).__name__} : {error}"[:1000]
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}"[:1000]


def _is_permanent(error: Exception) -> bool:
    """A refusal of this recipient or of this message (5xx to RCPT or DATA): trying again
    would be refused again. A 5xx to MAIL FROM is the sender's problem, not the address's."""
    code = _smtp_code(error)
    return (
        isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)
        and code is not None
        and 500 <= code < 600
    )


def _keeps_connection(error: Exception) -> bool:
    """After a refusal the session goes on; anything else, the connection is opened again."""
    return (
        isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)
        and _smtp_code(error) != 421
    )


def _sent_sql() -> str:
    table, quote = Delivery._meta.db_table, connection.ops.quote_name
    column = {field.name: quote(field.column) for field in Delivery._meta.concrete_fields}
    # Names from the model's metadata, quoted; every value is a parameter.
    return (
        f"UPDATE {quote(table)} SET {column['status']} = %s, {column['sent_at']} = %s, "  # noqa: S608
        f"{column['attempts']} = {column['attempts']} + 1, {column['next_attempt_at']} = NULL, "
        f"{column['last_error']} = '' WHERE {column['id']} = %s AND {column['claimed_by']} = %s "
        f"AND {column['status']} = %s"
    )


class _Marks:
    """The UPDATEs that end a claim, one per delivery, each committed on its own."""

    def __init__(self, worker: str):
        self.worker = worker
        self.sent_sql = _sent_sql()

    def _mine(self, delivery: Delivery) -> "Q":
        return Q(pk=delivery.pk, claimed_by=self.worker, status=DeliveryStatus.SENDING)

    def sent(self, delivery: Delivery) -> None:
        # The one UPDATE per message of the hot path, written once as SQL and run as one
        # statement committed on its own (autocommit: no BEGIN/COMMIT round trips): building
        # it with the ORM, or wrapping it in a transaction, cost more than running it
        # (benchmarks/bench_letters.py). It is the ORM's `filter(self._mine(delivery))
        # .update(status=SENT, sent_at=now, attempts=F("attempts") + 1,
        # next_attempt_at=None, last_error="")`.
        with connection.cursor() as cursor:
            cursor.execute(self.sent_sql, self._sent_params(delivery))
            self._sent_checked(delivery.pk, cursor.rowcount)

    def _sent_params(self, delivery: Delivery) -> list:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        return [
            DeliveryStatus.SENT.value,
            now,
            delivery.pk,
            self.worker,
            DeliveryStatus.SENDING.value,
        ]

    def _sent_checked(self, delivery_pk: int, updated: int) -> None:
        if not updated:
            logger.warning(
                "lettres : envoi %s repris par un autre worker pendant son envoi (message "
                "peut-être reçu deux fois, même Message-ID)",
                delivery_pk,
            )

    def settle(self) -> None:
        """Wait for the marks still on their way to the database (none here)."""

    def before_query(
        self, execute: Callable, sql: str, params: Any, many: bool, context: dict
    ) -> Any:
        """Django's execute wrapper: every other query waits for the marks on their way."""
        self.settle()
        return execute(sql, params, many, context)

    def failed(self, delivery: Delivery, reason: str, attempted: bool = True) -> None:
        Delivery.objects.filter(self._mine(delivery)).update(
            status=DeliveryStatus.FAILED,
            attempts=F("attempts") + (1 if attempted else 0),
            next_attempt_at=None,
            last_error=reason,
        )

    def retry(self, delivery: Delivery, reason: str) -> None:
        attempts = delivery.attempts + 1
        if attempts >= settings.ESSOR_LETTERS_MAX_ATTEMPTS:
            self.failed(delivery, f"{reason} (abandon après {attempts} tentatives)")
            return
        delay = settings.ESSOR_LETTERS_RETRY_SECONDS * 2 ** (attempts - 1)
        Delivery.objects.filter(self._mine(delivery)).update(
            status=DeliveryStatus.QUEUED,
            attempts=attempts,
            next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
            claimed_by="",
            claimed_at=None,
            last_error=reason,
        )

    def release(self, deliveries: list[Delivery], reason: str) -> None:
        """Back to the queue without counting an attempt (the server could not be reached)."""
        Delivery.objects.filter(
            pk__in=[d.pk for d in deliveries], claimed_by=self.worker, status=DeliveryStatus.SENDING
        ).update(
            status=DeliveryStatus.QUEUED,
            next_attempt_at=timezone.now()
            + datetime.timedelta(seconds=settings.ESSOR_LETTERS_RETRY_SECONDS),
            claimed_by="",
            claimed_at=None,
            last_error=reason,
        )

    def heartbeat(self, deliveries: list[Delivery]) -> set[int]:
        """Refresh the claim of `deliveries`; the ids still ours (the others were taken back
        after the lease and may be sent by another worker: they are skipped)."""
        ids = [d.pk for d in deliveries]
        mine = Delivery.objects.filter(
            pk__in=ids, claimed_by=self.worker, status=DeliveryStatus.SENDING
        )
        if mine.update(claimed_at=timezone.now()) == len(ids):
            return set(ids)
        return set(mine.values_list("pk", flat=True))


class _PostgresMarks(_Marks):
    """On PostgreSQL, the "sent" UPDATE is handed to the server and the worker goes on to the
    next message without waiting for the answer, read before the next query on the
    connection (`settle`): the database's round trip overlaps the SMTP server's instead of
    adding to it (benchmarks/bench_letters.py). The statement is in the server's hands before
    the next message is sent: a worker killed after that point still has it committed, as
    when it waited (PostgreSQL runs a query it has received even if the client is gone)."""

    def __init__(self, worker: str):
        super().__init__(worker)
        self.pending: int | None = None  # the delivery whose mark has no answer yet
        # libpq numbers its parameters: $1, $2…
        first, *rest = self.sent_sql.split("%s")
        self.sent_libpq = (
            first + "".join(f"${index}{part}" for index, part in enumerate(rest, start=1))
        ).encode()

    def _pgconn(self) -> Any:  # psycopg.pq's PGconn
        connection.ensure_connection()
        return connection.connection.pgconn

    def sent(self, delivery: Delivery) -> None:
        self.settle()
        pgconn = self._pgconn()
        params = [str(value).encode() for value in self._sent_params(delivery)]
        pgconn.send_query_params(self.sent_libpq, params)
        while pgconn.flush():  # 1: some bytes not written yet
            select.select([], [pgconn.socket], [])
        self.pending = delivery.pk

    def settle(self) -> None:
        if self.pending is None:
            return
        from psycopg import pq

        delivery_pk, self.pending = self.pending, None
        pgconn, updated, error = self._pgconn(), 0, ""
        while True:
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                break
            if result.status == pq.ExecStatus.COMMAND_OK:
                updated = int(result.command_tuples or 0)
            else:
                error = (result.error_message or b"").decode(errors="replace")
        if error:
            raise DatabaseError(f"lettres : marque d'envoi {delivery_pk} refusée : {error}")
        self._sent_checked(delivery_pk, updated)


_rendered_cache: dict[tuple, RenderedIssue] = {}


def _rendered(issue: Issue) -> RenderedIssue:
    """The issue rendered once per worker process: it cannot change once sending started."""
    key = (issue.pk, issue.updated_at)
    if key not in _rendered_cache:
        if len(_rendered_cache) >= 4:
            _rendered_cache.clear()
        _rendered_cache[key] = issue_render(issue)
    return _rendered_cache[key]


class _Sender:
    """Sends the claimed batches of one issue for one worker."""

    def __init__(self, issue: Issue, worker: str):
        self.issue = issue
        self.rendered = _rendered(issue)
        self.messages = mail.IssueMessages(issue, self.rendered)
        self.marks = _PostgresMarks(worker) if connection.vendor == "postgresql" else _Marks(worker)
        self.unsubscribe_url = issue_unsubscribe_url(issue)
        self.throttle = _Throttle(settings.ESSOR_LETTERS_RATE)
        self.heartbeat_seconds = settings.ESSOR_LETTERS_CLAIM_LEASE_SECONDS / 3
        self.connection = None
        self.sent = 0

    def _close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):  # gone anyway
                self.connection.close()
            self.connection = None

    def _deliver(self, delivery: Delivery) -> bool:
        """Hand one message to the server; True when accepted. Over SMTP, the bytes go
        straight to the connection Django's backend opened (`IssueMessages`: no MIME building
        per recipient); any other backend (tests, console) gets the EmailMessage."""
        unsubscribe = self.unsubscribe_url(delivery.subscription.token)
        message_id = mail.delivery_message_id(self.issue.pk, delivery.pk)
        smtp = getattr(self.connection, "connection", None)
        if isinstance(self.connection, SMTPBackend) and smtp is not None:
            refused = smtp.sendmail(
                self.messages.from_address,
                [self.messages.envelope_recipient(delivery.email)],
                self.messages.message_bytes(delivery.email, unsubscribe, message_id),
            )
            return not refused
        message = mail.recipient_message(
            self.issue, self.rendered, delivery.email, unsubscribe, message_id
        )
        return bool(self.connection.send_messages([message]))

    def send_batch(self, batch: list[Delivery]) -> bool:
        """Send one claimed batch; False when the server cannot be reached (stop)."""
        # The model's rule, not `recipients()`: that one also syncs the members' Flash
        # subscriptions, a write that belongs to the start of the sending only.
        receiving = set(
            Subscription.objects.receiving(self.issue.kind)
            .filter(pk__in=[d.subscription_id for d in batch if d.subscription_id])
            .values_list("pk", flat=True)
        )
        lost: set[int] = set()
        beat_at = time.monotonic()
        # Any other query first reads the answer of the mark on its way.
        with connection.execute_wrapper(self.marks.before_query):
            try:
                for index, delivery in enumerate(batch):
                    if time.monotonic() - beat_at >= self.heartbeat_seconds:
                        rest = batch[index:]
                        lost |= {d.pk for d in rest} - self.marks.heartbeat(rest)
                        beat_at = time.monotonic()
                    if delivery.pk in lost:
                        continue
                    if delivery.subscription_id not in receiving:
                        self.marks.failed(delivery, NOT_RECEIVING, attempted=False)
                        continue
                    try:
                        if self.connection is None:
                            self.connection = get_connection(timeout=SMTP_TIMEOUT)
                            self.connection.open()
                    except (smtplib.SMTPException, OSError) as error:
                        self.connection = None
                        logger.error("lettres : serveur SMTP injoignable : %s", error)
                        self.marks.release(
                            batch[index:], f"Serveur injoignable : {_error_text(error)}"
                        )
                        return False
                    self.throttle.wait()
                    self._send_one(delivery)
            finally:
                self.marks.settle()
                self._close()
        return True

    def _send_one(self, delivery: Delivery) -> None:
        try:
            accepted = self._deliver(delivery)
        except (smtplib.SMTPException, OSError) as error:
            reason = _error_text(error)
            if _is_permanent(error):
                self.marks.failed(delivery, reason)
                address_bounced(delivery.email)
            else:
                self.marks.retry(delivery, reason)
            if not _keeps_connection(error):
                self._close()
            return
        if accepted:
            self.marks.sent(delivery)
            self.sent += 1
        else:
            self.marks.retry(delivery, "Message non accepté par le serveur")


@contextlib.contextmanager
def _commits_without_disk_wait() -> Iterator[None]:
    """While a worker sends, PostgreSQL commits its marks without waiting for the WAL to
    reach the disk (flushed a few hundred milliseconds later). A killed worker loses
    nothing: each mark is committed and visible at once; only a crash of the database server
    itself may forget the last marks (their messages would go again, same Message-ID).
    SQLite's WAL with synchronous=NORMAL (settings.py) makes the same trade. Waiting for the
    disk at each message halved the throughput (benchmarks/bench_letters.py)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def issue_deliver(issue_id: int, worker: str | None = None) -> int:
    """The worker's loop: claim a batch, send it, until nothing is due; then finish the
    issue, or enqueue this again for the earliest retry. Returns the messages sent."""
    issue = Issue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).first()
    if issue is None:
        return 0
    sender = _Sender(issue, worker or worker_id())
    with _commits_without_disk_wait():
        while batch := deliveries_claim(
            issue_id, sender.marks.worker, settings.ESSOR_LETTERS_BATCH
        ):
            if not sender.send_batch(batch):
                break  # the server cannot be reached: the batch is back in the queue
    if not issue_finish_if_done(issue_id):
        _enqueue_retry(issue_id)
    return sender.sent


def _enqueue_retry(issue_id: int) -> None:
    """A deferred run for the earliest queued delivery not yet due (retries, server down)."""
    earliest = Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.QUEUED).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    if earliest is not None and earliest > timezone.now():
        _enqueue_send(issue_id, run_after=earliest)


def issue_finish_if_done(issue_id: int) -> bool:
    """Mark the issue sent once none of its deliveries is queued or being sent."""
    pending = Delivery.objects.filter(
        issue_id=OuterRef("pk"), status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
    )
    finished = bool(
        Issue.objects.filter(pk=issue_id, status=IssueStatus.SENDING)
        .filter(~Exists(pending))
        .update(status=IssueStatus.SENT, sent_at=timezone.now())
    )
    if finished:
        # The web archive lists sent issues only: its cached pages must show this one now.
        transaction.on_commit(public_content_changed)
    return finished


def dispatch(lease_seconds: int | None = None) -> dict:
    """What cron (`essor letters_dispatch`) and the scheduled task run; idempotent. Returns
    what it did: issues started, refused (back to draft), claims recovered, sending tasks
    enqueued, issues finished."""
    report = {"started": 0, "refused": 0, "recovered": 0, "enqueued": 0, "finished": 0}
    now = timezone.now()
    for issue in Issue.objects.filter(status=IssueStatus.SCHEDULED, scheduled_at__lte=now):
        try:
            issue_start(issue)
            report["started"] += 1
        except IssueNotReady as error:
            # Emptied after it was scheduled: the editors find it among the drafts again.
            logger.error("lettres : %s non envoyé : %s", issue, " ".join(error.messages))
            Issue.objects.filter(pk=issue.pk, status=IssueStatus.SCHEDULED).update(
                status=IssueStatus.DRAFT
            )
            report["refused"] += 1
    report["recovered"] = deliveries_recover(lease_seconds)
    now = timezone.now()
    for issue_id in Issue.objects.filter(status=IssueStatus.SENDING).values_list("pk", flat=True):
        if issue_finish_if_done(issue_id):
            report["finished"] += 1
            continue
        working = Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.SENDING)
        if Delivery.objects.filter(_due(issue_id, now)).exists() and not working.exists():
            _enqueue_send(issue_id)
            report["enqueued"] += 1
    return report


# --- test sends and progress -----------------------------------------------------------------


def _test_addresses(addresses: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(a.strip().lower() for a in addresses if a and a.strip()))
    if not cleaned:
        raise ValidationError("Indiquez au moins une adresse pour l'envoi de test.")
    if len(cleaned) > MAX_TEST_ADDRESSES:
        raise ValidationError(
            f"Un envoi de test va à {MAX_TEST_ADDRESSES} adresses au plus ({len(cleaned)} "
            "indiquées)."
        )
    invalid = []
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise ValidationError(f"Adresse invalide : {', '.join(invalid)}.")
    return cleaned


def issue_test_send(issue: Issue, addresses: list[str]) -> int:
    """Send the issue as it stands to a few addresses (the team's), marked "[TEST]", with no
    delivery and an unsubscribe link that changes nothing. Returns the messages sent; bad
    addresses raise a ValidationError naming them, and nothing is sent; a server that refuses
    or cannot be reached, a ValidationError with its answer."""
    cleaned = _test_addresses(addresses)
    rendered = issue_render(issue)  # not the worker's cache: a draft changes
    harmless = absolute_url(reverse("letters:unsubscribe", args=[TEST_UNSUBSCRIBE_TOKEN]))
    messages = [mail.trial_message(issue, rendered, address, harmless) for address in cleaned]
    try:
        return get_connection(timeout=SMTP_TIMEOUT).send_messages(messages) or 0
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError(
            f"L'envoi de test n'a pas pu partir : {_error_text(error)}"
        ) from error


def issue_progress(issue: Issue) -> dict:
    """Where the sending of an issue stands, for the admin.

    Keys: `status` (the issue's), `counts` ({delivery status value: number}, every status
    present), `total`, `queued`, `sending`, `sent`, `failed`, `percent` (share of deliveries
    done, sent or failed, 0–100), `unsubscribed` (unsubscriptions from this issue's link),
    `started_at`, `finished_at`."""
    rows = (
        Delivery.objects.filter(issue_id=issue.pk)
        .order_by()
        .values_list("status")
        .annotate(number=Count("pk"))
    )
    found = dict(rows)
    counts = {status.value: found.get(status.value, 0) for status in DeliveryStatus}
    total = sum(counts.values())
    done = counts[DeliveryStatus.SENT] + counts[DeliveryStatus.FAILED]
    finished = 100 if issue.status == IssueStatus.SENT else 0
    percent = int(100 * done / total) if total else finished
    return {
        "status": issue.status,
        "counts": counts,
        "total": total,
        "queued": counts[DeliveryStatus.QUEUED],
        "sending": counts[DeliveryStatus.SENDING],
        "sent": counts[DeliveryStatus.SENT],
        "failed": counts[DeliveryStatus.FAILED],
        "percent": percent,
        "unsubscribed": issue.unsubscriptions.count(),
        "started_at": issue.sending_started_at,
        "finished_at": issue.sent_at,
    }
