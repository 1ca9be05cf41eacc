"""The letters' background work (django-tasks; `essor db_worker` with the database backend):
sending an issue's deliveries, and the dispatch that starts scheduled issues and recovers
what a dead worker left (see sending.py)."""

from django_tasks import task

from essor.letters import sending


@task()
def issue_send(issue_id: int) -> int:
    """Send the due deliveries of an issue; the messages sent. Several may run at once: each
    claims its own deliveries."""
    return sending.issue_deliver(issue_id)


@task()
def letters_dispatch() -> dict:
    """Enqueued with `run_after` when an issue is scheduled: starts it when due."""
    return sending.dispatch()
