"""Sending an issue: every confirmed subscriber receives it exactly once, whatever the
workers do; SMTP errors are recorded per recipient, retried or bounced; bad requests refused.

(A real worker process killed in the middle of a send: test_sending_crash.py.)"""

import datetime
import io
import smtplib
import threading
from collections import Counter
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from essor.letters import sending
from essor.letters.mail import delivery_message_id
from essor.letters.models import (
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueItem,
    IssueStatus,
    LetterKind,
    Subscription,
    SubscriptionStatus,
)
from essor.news.tests.factories import article_make

SITE = "https://lettres.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.ESSOR_LETTERS_BATCH = 3
    settings.ESSOR_LETTERS_RATE = 0
    settings.ESSOR_LETTERS_MAX_ATTEMPTS = 3
    settings.ESSOR_LETTERS_RETRY_SECONDS = 600
    FlakyBackend.script = {}


def subscribe(email: str, status: str = SubscriptionStatus.CONFIRMED, kind=LetterKind.LETTER):
    return Subscription.objects.create(
        kind=kind, email=email, status=status, consent_source=ConsentSource.FORM
    )


def make_issue(number: int = 1, with_item: bool = True) -> Issue:
    issue = Issue.objects.create(
        kind=LetterKind.LETTER, number=number, title="Lettre de mars", date=datetime.date.today()
    )
    if with_item:
        IssueItem.objects.create(issue=issue, article=article_make(f"Article {number}"))
    return issue


def confirmed(count: int) -> list[str]:
    emails = [f"abonne{n:03d}@example.org" for n in range(count)]
    for email in emails:
        subscribe(email)
    return emails


def received() -> Counter:
    return Counter(address for message in django_mail.outbox for address in message.to)


def start_without_worker(issue: Issue) -> None:
    """Start the issue without enqueuing its sending task (the test plays the workers)."""
    with mock.patch.object(sending, "_enqueue_send"):
        sending.issue_send_now(issue, None)


class FlakyBackend(LocmemBackend):
    """The in-memory backend, failing for the addresses of `script` with the exceptions
    listed there, one per attempt."""

    script: dict[str, list[Exception]] = {}

    def send_messages(self, messages):
        for message in messages:
            failures = self.script.get(message.to[0])
            if failures:
                raise failures.pop(0)
        return super().send_messages(messages)


# --- everyone once, nobody else -------------------------------------------------------------


def test_every_confirmed_subscriber_receives_exactly_one_message(
    db, django_capture_on_commit_callbacks
):
    emails = confirmed(7)
    subscribe("attente@example.org", SubscriptionStatus.PENDING)
    subscribe("parti@example.org", SubscriptionStatus.UNSUBSCRIBED)
    subscribe("rebond@example.org", SubscriptionStatus.BOUNCED)
    subscribe("flash@example.org", kind=LetterKind.FLASH)
    issue = make_issue()

    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)

    assert received() == Counter(emails)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert issue.sending_started_at and issue.sent_at
    progress = sending.issue_progress(issue)
    assert progress["total"] == progress["sent"] == 7
    assert progress["failed"] == progress["queued"] == progress["sending"] == 0
    assert progress["percent"] == 100
    assert progress["unsubscribed"] == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_headers_unsubscribe_and_stable_message_id(db, django_capture_on_commit_callbacks):
    subscription = subscribe("lecteur@example.org")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)

    [message] = django_mail.outbox
    delivery = Delivery.objects.get()
    url = f"{SITE}/lettres/desinscription/{subscription.token}/{issue.pk}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Precedence"] == "bulk"
    assert message.extra_headers["Message-ID"] == delivery_message_id(issue.pk, delivery.pk)
    assert message.extra_headers["Message-ID"].endswith("@lettres.example.org>")
    assert url in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and url in html
    parsed = message.message()
    assert parsed["List-Unsubscribe"].strip() == f"<{url}>"
    assert parsed["Message-ID"] == delivery_message_id(issue.pk, delivery.pk)


def test_no_item_refused_with_the_message_and_nothing_created(db):
    confirmed(2)
    issue = make_issue(with_item=False)
    with pytest.raises(sending.IssueNotReady) as refused:
        sending.issue_send_now(issue, None)
    assert refused.value.messages == ["Ce numéro ne contient aucun article ni événement."]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT
    assert not Delivery.objects.exists()
    assert not django_mail.outbox


def test_an_issue_is_started_once(db, django_capture_on_commit_callbacks):
    confirmed(2)
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)
    with pytest.raises(sending.IssueNotReady):
        sending.issue_send_now(Issue.objects.get(pk=issue.pk), None)
    assert len(django_mail.outbox) == 2
    assert Delivery.objects.count() == 2


# --- workers ---------------------------------------------------------------------------------


def test_two_workers_in_turn_share_the_claims_and_never_send_twice(
    db, django_capture_on_commit_callbacks
):
    emails = confirmed(8)
    issue = make_issue()
    start_without_worker(issue)
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 8

    first = sending.deliveries_claim(issue.pk, "worker-a", 3)
    second = sending.deliveries_claim(issue.pk, "worker-b", 3)
    assert len(first) == len(second) == 3
    assert not {d.pk for d in first} & {d.pk for d in second}

    # Worker B sends its batch and the two left; worker A's batch stays A's until A sends it.
    sending.issue_deliver(issue.pk, "worker-b")
    assert set(
        Delivery.objects.filter(status=DeliveryStatus.SENDING).values_list("claimed_by", flat=True)
    ) == {"worker-a"}
    assert len(django_mail.outbox) == 5
    sending._Sender(Issue.objects.get(pk=issue.pk), "worker-a").send_batch(first)
    assert received() == Counter(emails)
    assert sending.issue_finish_if_done(issue.pk)


def test_a_claim_sent_by_its_worker_is_not_sent_again_after_recovery(
    db, django_capture_on_commit_callbacks
):
    emails = confirmed(5)
    issue = make_issue()
    start_without_worker(issue)
    batch = sending.deliveries_claim(issue.pk, "worker-a", 5)
    sender = sending._Sender(Issue.objects.get(pk=issue.pk), "worker-a")
    sender.send_batch(batch[:2])  # A sends two, then stops answering

    # The lease is over: the three unsent go back to the queue; the two sent stay sent.
    assert sending.deliveries_recover(lease_seconds=0) == 3
    with django_capture_on_commit_callbacks(execute=True):
        report = sending.dispatch(lease_seconds=0)
    assert report["enqueued"] == 1
    assert received() == Counter(emails)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT

    # Worker A wakes up (its clock past the heartbeat period) and goes on with its stale
    # batch: its claims were taken back, nothing goes.
    sender.heartbeat_seconds = 0
    sender.send_batch(batch[2:])
    assert received() == Counter(emails)


def test_a_slow_worker_loses_claims_taken_back_and_skips_them(
    db, django_capture_on_commit_callbacks, settings
):
    settings.ESSOR_LETTERS_CLAIM_LEASE_SECONDS = 0  # a heartbeat before every message
    emails = confirmed(4)
    issue = make_issue()
    start_without_worker(issue)
    batch = sending.deliveries_claim(issue.pk, "worker-a", 4)
    # Taken back and sent by worker B meanwhile.
    sending.deliveries_recover(lease_seconds=0)
    sending.issue_deliver(issue.pk, "worker-b")
    sending._Sender(Issue.objects.get(pk=issue.pk), "worker-a").send_batch(batch)
    assert received() == Counter(emails)


def test_a_sent_mark_is_seen_by_the_next_query_of_the_worker(db):
    # On PostgreSQL the mark goes without waiting for its answer: any query after it must
    # still see it, and the worker's last mark must be settled before its batch ends.
    confirmed(2)
    issue = make_issue()
    start_without_worker(issue)
    first, second = sending.deliveries_claim(issue.pk, "worker-a", 2)
    marks = sending._Sender(issue, "worker-a").marks
    with connection.execute_wrapper(marks.before_query):
        marks.sent(first)
        assert Delivery.objects.get(pk=first.pk).status == DeliveryStatus.SENT
        marks.sent(second)
    marks.settle()
    assert Delivery.objects.get(pk=second.pk).status == DeliveryStatus.SENT


def test_a_mark_for_a_delivery_taken_back_is_reported(db, caplog):
    confirmed(1)
    issue = make_issue()
    start_without_worker(issue)
    (delivery,) = sending.deliveries_claim(issue.pk, "worker-a", 1)
    marks = sending._Sender(issue, "worker-b").marks  # not the worker holding it
    marks.sent(delivery)
    marks.settle()
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENDING
    assert "repris par un autre worker" in caplog.text


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="workers at once, each with its connection: PostgreSQL only (SQLite's in-memory test "
    "database is not shared between connections; the claims in turn are tested above)",
)
# serialized_rollback: the initial content (Wagtail's root page…) comes back after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_workers_never_send_twice(django_capture_on_commit_callbacks, settings):
    settings.ESSOR_LETTERS_BATCH = 7
    emails = confirmed(300)
    issue = make_issue()
    start_without_worker(issue)
    barrier = threading.Barrier(4)
    errors = []

    def work(name: str) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            sending.issue_deliver(issue.pk, name)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert received() == Counter(emails)
    workers = set(Delivery.objects.values_list("claimed_by", flat=True))
    assert len(workers) > 1  # they did share the work
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT


# --- changes during the sending --------------------------------------------------------------


def test_unsubscribed_during_the_sending_is_not_sent(db, django_capture_on_commit_callbacks):
    emails = confirmed(3)
    issue = make_issue()
    start_without_worker(issue)
    Subscription.objects.filter(email=emails[1]).update(status=SubscriptionStatus.UNSUBSCRIBED)
    Subscription.objects.filter(email=emails[2]).delete()  # their data deleted

    sending.issue_deliver(issue.pk, "worker-a")

    assert received() == Counter([emails[0]])
    skipped = Delivery.objects.filter(status=DeliveryStatus.FAILED)
    assert set(skipped.values_list("email", flat=True)) == {emails[1], emails[2]}
    assert all("ne reçoit plus" in d.last_error for d in skipped)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT


# --- SMTP errors -----------------------------------------------------------------------------


def test_temporary_error_is_retried_later_then_sent_once(
    db, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "essor.letters.tests.test_sending.FlakyBackend"
    emails = confirmed(3)
    FlakyBackend.script = {
        emails[1]: [smtplib.SMTPRecipientsRefused({emails[1]: (451, b"4.7.1 greylisted")})]
    }
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)

    delivery = Delivery.objects.get(email=emails[1])
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 1
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=500)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENDING
    # Not due yet: the cron run sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        sending.dispatch()
    assert received() == Counter([emails[0], emails[2]])

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("letters_dispatch", stdout=out)
    assert "Envois relancés : 1" in out.getvalue()

    assert received() == Counter(emails)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT
    # The resent message has the same identifier as the first attempt would have had.
    resent = next(m for m in django_mail.outbox if m.to == [emails[1]])
    assert resent.extra_headers["Message-ID"] == delivery_message_id(issue.pk, delivery.pk)


def test_repeated_temporary_errors_end_in_failure(db, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "essor.letters.tests.test_sending.FlakyBackend"
    settings.ESSOR_LETTERS_MAX_ATTEMPTS = 2
    [email] = confirmed(1)
    FlakyBackend.script = {email: [smtplib.SMTPServerDisconnected("perdu")] * 2}
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)
    Delivery.objects.update(next_attempt_at=timezone.now())
    sending.issue_deliver(issue.pk)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 2
    assert "abandon après 2 tentatives" in delivery.last_error
    assert Subscription.objects.get().status == SubscriptionStatus.CONFIRMED  # not a bounce
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT
    assert not django_mail.outbox


@pytest.mark.parametrize(
    ("error", "answer"),
    [
        (smtplib.SMTPRecipientsRefused({"x": (550, b"5.1.1 user unknown")}), "550 5.1.1"),
        (smtplib.SMTPDataError(554, b"5.7.1 rejected"), "554 5.7.1"),
    ],
)
def test_permanent_error_fails_and_the_address_stops_receiving(
    db, django_capture_on_commit_callbacks, settings, error, answer
):
    settings.EMAIL_BACKEND = "essor.letters.tests.test_sending.FlakyBackend"
    emails = confirmed(2)
    subscribe(emails[0], kind=LetterKind.FLASH)
    FlakyBackend.script = {emails[0]: [error]}
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)

    delivery = Delivery.objects.get(email=emails[0])
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith(answer)
    # Every list of that address.
    assert set(Subscription.objects.filter(email=emails[0]).values_list("status", flat=True)) == {
        SubscriptionStatus.BOUNCED
    }
    assert received() == Counter([emails[1]])
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    progress = sending.issue_progress(issue)
    assert (progress["sent"], progress["failed"], progress["percent"]) == (1, 1, 100)


def test_unreachable_server_puts_the_batch_back_without_counting_attempts(
    db, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    confirmed(4)
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)

    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.QUEUED, 0)}
    # The first batch (3) was released for later; the sending stopped there.
    released = Delivery.objects.filter(last_error__contains="injoignable")
    assert released.count() == 3
    assert all(d.next_attempt_at > timezone.now() for d in released)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENDING


# --- scheduling ------------------------------------------------------------------------------


def test_schedule_in_the_past_refused(db):
    issue = make_issue()
    with pytest.raises(sending.IssueNotReady) as refused:
        sending.issue_schedule(issue, timezone.now() - datetime.timedelta(minutes=1), None)
    assert refused.value.messages == ["La date d'envoi doit être dans le futur."]
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT


def test_schedule_without_item_refused(db):
    issue = make_issue(with_item=False)
    with pytest.raises(sending.IssueNotReady, match="aucun article"):
        sending.issue_schedule(issue, timezone.now() + datetime.timedelta(days=1), None)


def test_scheduled_issue_goes_when_due_and_only_then(db, django_capture_on_commit_callbacks):
    emails = confirmed(2)
    issue = make_issue()
    when = timezone.now() + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_schedule(issue, when, None)
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (IssueStatus.SCHEDULED, when)

    with django_capture_on_commit_callbacks(execute=True):
        assert sending.dispatch()["started"] == 0
    assert not django_mail.outbox

    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.dispatch()["started"] == 1
        assert sending.dispatch()["started"] == 0  # again: nothing more
    assert received() == Counter(emails)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT


def test_scheduling_enqueues_a_deferred_dispatch_when_the_backend_can(
    db, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    issue = make_issue()
    when = timezone.now() + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_schedule(issue, when, None)
    [result] = [r for r in default_task_backend.results if r.task.name == "letters_dispatch"]
    assert result.task.name == "letters_dispatch"
    assert result.task.run_after == when


def test_unschedule_back_to_draft_until_sending_started(db, django_capture_on_commit_callbacks):
    issue = make_issue()
    sending.issue_schedule(issue, timezone.now() + datetime.timedelta(days=1), None)
    sending.issue_unschedule(issue, None)
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (IssueStatus.DRAFT, None)
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_send_now(issue, None)
    with pytest.raises(sending.IssueNotReady, match="déjà commencé"):
        sending.issue_unschedule(issue, None)


# --- test sends ------------------------------------------------------------------------------


def test_test_send_goes_to_the_given_addresses_only(db):
    confirmed(3)
    issue = make_issue()
    sent = sending.issue_test_send(issue, ["Equipe@example.org ", "relecture@example.org"])
    assert sent == 2
    assert received() == Counter(["equipe@example.org", "relecture@example.org"])
    assert all(m.subject.startswith("[TEST] ") for m in django_mail.outbox)
    assert not Delivery.objects.exists()
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT
    link = django_mail.outbox[0].extra_headers["List-Unsubscribe"]
    assert link == f"<{SITE}/lettres/desinscription/essai/>"
    tokens = Subscription.objects.values_list("token", flat=True)
    assert not any(token in link for token in tokens)


def test_test_send_with_a_bad_address_sends_nothing(db):
    issue = make_issue()
    with pytest.raises(ValidationError, match="pas-une-adresse"):
        sending.issue_test_send(issue, ["ok@example.org", "pas-une-adresse"])
    with pytest.raises(ValidationError, match="au moins une adresse"):
        sending.issue_test_send(issue, ["  "])
    assert not django_mail.outbox


def test_test_send_to_an_unreachable_server_says_so(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with pytest.raises(ValidationError, match="n'a pas pu partir"):
        sending.issue_test_send(make_issue(), ["equipe@example.org"])


def test_throttle_spaces_messages(monkeypatch):
    clock = {"now": 100.0}
    slept = []
    monkeypatch.setattr(sending.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(sending.time, "sleep", slept.append)
    throttle = sending._Throttle(rate=4)
    for _ in range(3):
        throttle.wait()
    assert slept == [0.25, 0.5]  # the clock does not move: each waits its turn
    unlimited = sending._Throttle(rate=0)
    unlimited.wait()
    assert len(slept) == 2
