"""The letters' background work (django-tasks; `essor db_worker` with the database backend):
sending an issue's deliveries, the dispatch that starts scheduled issues and recovers
what a dead worker left (see sending.py), and the confirmation requests of an imported list
(see subscriptions.py)."""

import datetime

from django_tasks import task

from essor.letters import sending, subscriptions


@task()
def issue_send(issue_id: int) -> int:
    """Send the due deliveries of an issue; the messages sent. Several may run at once: each
    claims its own deliveries."""
    return sending.issue_deliver(issue_id)


@task()
def letters_dispatch() -> dict:
    """Enqueued with `run_after` when an issue is scheduled: starts it when due."""
    return sending.dispatch()


@task()
def confirmation_requests_send(subscription_ids: list[int], asked_before: str) -> int:
    """Enqueued by an import (`subscriptions.confirmation_requests_enqueue`): the confirmation
    requests of these subscriptions, `asked_before` an ISO date-time (task arguments are
    JSON). Returns the mails sent."""
    return subscriptions.confirmation_requests_send(
        subscription_ids, datetime.datetime.fromisoformat(asked_before)
    )
