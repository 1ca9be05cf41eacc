"""No overbooking when many people register at once: real concurrent requests, each in its
own thread with its own database connection, against committed data.

PostgreSQL only: SQLite runs one write transaction at a time (IMMEDIATE mode), so it cannot
overbook, and its in-memory test database is not shared between connections. Skipping on
SQLite is acceptable ONLY because the same suite runs on PostgreSQL in CI (`make test`,
ESSOR_TEST_POSTGRES_URL) — there the test runs and must pass.

These tests are transactional (pytest-django runs them after the others): the database is
emptied after each one, the referential included (imported after the initial content is
serialized); nothing here needs it.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from essor.events import registration_hooks  # noqa: F401 - the e-mails listener
from essor.events.models import ParticipationMode, Registration, RegistrationStatus
from essor.events.tests.factories import open_event

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrence réelle : PostgreSQL seulement (la CI lance la suite sur PostgreSQL)",
    ),
    # serialized_rollback: the database's initial content (Wagtail's root page, the home page,
    # the role groups) is restored, and the flush after the test does not re-run post_migrate
    # hooks on an empty tree.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PEOPLE = 12
CAPACITY = 5


def _post_at_once(url: str, forms: list[dict]) -> list[int]:
    """POST every form from its own thread, all released at the same moment."""
    start = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)
    failures: list[BaseException] = []

    def post(index: int) -> None:
        try:
            client = Client()
            start.wait()
            statuses[index] = client.post(url, forms[index]).status_code
        except BaseException as error:  # reported below, with the test's failure
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return statuses


def _form(number: int, email: str = "") -> dict:
    return {
        "first_name": "Personne",
        "last_name": f"N{number}",
        "email": email or f"personne{number}@example.org",
        "mode": ParticipationMode.ON_SITE,
        "consent": "on",
    }


def test_many_registrations_at_once_never_take_more_seats_than_the_event_has():
    event = open_event(capacity=CAPACITY)
    url = reverse("events:register", args=[event.slug])

    statuses = _post_at_once(url, [_form(number) for number in range(PEOPLE)])

    assert statuses == [302] * PEOPLE  # everyone registered, no error
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == CAPACITY
    assert registrations.filter(status=RegistrationStatus.WAITING).count() == PEOPLE - CAPACITY


def test_the_same_address_sent_at_once_is_registered_once():
    event = open_event(capacity=CAPACITY)
    url = reverse("events:register", args=[event.slug])

    statuses = _post_at_once(url, [_form(n, "meme@example.org") for n in range(6)])

    assert sorted(statuses) == [200] * 5 + [302]  # the others see the form and the reason
    assert Registration.objects.filter(event=event).count() == 1
