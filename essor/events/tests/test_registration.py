"""Registering to an event: without an account, as a member (free, details prefilled) and as a
non-member (the price), the waiting list and its promotion, and each bad input of the issue:
a clear message, nothing written, what was typed kept."""

import datetime
import html
from decimal import Decimal

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.events import registration_hooks  # noqa: F401 - the e-mails listener
from essor.events.models import (
    Audience,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)
from essor.events.tests.factories import EventFactory, RegistrationFactory, open_event
from essor.members.tests.factories import network_fixture

pytestmark = pytest.mark.django_db


def _form(**overrides: str) -> dict:
    data = {
        "first_name": "Inès",
        "last_name": "Morvan",
        "email": "ines.morvan@example.org",
        "organisation": "Communauté de communes du Val",
        "position_title": "Chargée de mission ESS",
        "mode": ParticipationMode.ON_SITE,
        "needs": "Accès en fauteuil roulant",
        "consent": "on",
        "site_internet": "",
    }
    data.update(overrides)
    return data


def _page(response, status: int = 200) -> str:
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(assert_page_ok(response, status))


def _register(client, event, capture, **overrides: str):
    with capture(execute=True):
        return client.post(reverse("events:register", args=[event.slug]), _form(**overrides))


def _ics_event(message) -> icalendar.Event:
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    payload = content.encode() if isinstance(content, str) else content
    [vevent] = icalendar.Calendar.from_ical(payload).walk("VEVENT")
    return vevent


# -- who registers ------------------------------------------------------------------------


def test_a_visitor_registers_without_an_account_and_gets_the_confirmation(
    client, django_capture_on_commit_callbacks
):
    event = open_event(title="Journée de formation : la loi ESS")
    page = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "Gratuit pour les adhérents ; 40\u00a0€ pour les non-adhérents" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Places restantes sur place : <strong>30</strong>" in page

    response = _register(client, event, django_capture_on_commit_callbacks)

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:registration", args=[registration.token])
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.user, registration.is_member) == (None, False)
    assert registration.amount_due == Decimal("40")
    assert registration.needs == "Accès en fauteuil roulant"
    confirmation = _page(client.get(response["Location"]))
    assert "Votre inscription est confirmée" in confirmation
    assert "Un courriel de confirmation a été envoyé à <strong>ines.morvan@example.org" in (
        confirmation
    )
    [message] = mail.outbox
    assert message.to == ["ines.morvan@example.org"]
    assert message.subject == "Inscription confirmée : Journée de formation : la loi ESS"
    manage_url = "http://127.0.0.1:8000" + reverse("events:registration", args=[registration.token])
    assert manage_url in message.body
    assert "40\u00a0€ (tarif non-adhérent)" in message.body
    assert manage_url in message.alternatives[0][0]
    vevent = _ics_event(message)
    assert str(vevent["summary"]) == "Journée de formation : la loi ESS"
    assert vevent.decoded("dtstart") == event.starts_at


def test_a_member_registers_free_with_the_details_of_the_account(
    client, django_capture_on_commit_callbacks
):
    network = network_fixture()
    account = network["authorityuser"].user
    client.force_login(account)
    event = open_event()

    form = client.get(reverse("events:register", args=[event.slug])).context["form"]
    assert form.initial["first_name"] == "Camille"
    assert form.initial["last_name"] == "Durand"
    assert form.initial["email"] == "membre-caen@example.org"
    assert form.initial["organisation"] == network["authority"].name
    assert form.initial["position_title"] == "Adjointe à l'ESS"

    _register(
        client,
        event,
        django_capture_on_commit_callbacks,
        first_name="Camille",
        last_name="Durand",
        email="membre-caen@example.org",
    )

    registration = Registration.objects.get()
    assert registration.user == account
    assert registration.is_member is True
    assert registration.amount_due == 0
    assert registration.authority == network["authority"]
    assert "gratuit (adhérent)" in mail.outbox[0].body
    again = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "Vous êtes déjà inscrit·e à cet événement" in again
    assert reverse("events:registration", args=[registration.token]) in again


def test_a_non_member_account_pays_the_price(client, make_user, django_capture_on_commit_callbacks):
    visitor = make_user(Role.VISITOR, first_name="Paul", last_name="Riou")
    client.force_login(visitor)
    event = open_event(price=Decimal("25.50"))

    form = client.get(reverse("events:register", args=[event.slug])).context["form"]
    assert (form.initial["first_name"], form.initial["email"]) == ("Paul", visitor.email)
    _register(client, event, django_capture_on_commit_callbacks, email=visitor.email)

    registration = Registration.objects.get()
    assert (registration.user, registration.is_member) == (visitor, False)
    assert registration.amount_due == Decimal("25.50")


def test_a_free_event_says_free(client):
    event = open_event(price=Decimal("0"))
    page = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "<strong>Tarif :</strong> Gratuit." in page


# -- the waiting list ---------------------------------------------------------------------


def test_a_full_event_puts_people_on_the_waiting_list_and_a_cancellation_promotes_them(
    client, django_capture_on_commit_callbacks
):
    event = open_event(capacity=1, allows_live=True)
    _register(client, event, django_capture_on_commit_callbacks, email="premiere@example.org")

    page = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "Il ne reste plus de place sur place." in page
    assert "Sur place (complet : liste d'attente)" in page

    response = _register(
        client, event, django_capture_on_commit_callbacks, email="second@example.org"
    )
    waiting = Registration.objects.get(email="second@example.org")
    assert waiting.status == RegistrationStatus.WAITING
    confirmation = _page(client.get(response["Location"]))
    assert "Vous êtes sur la liste d'attente" in confirmation
    assert "au <strong>rang 1</strong>" in confirmation
    assert mail.outbox[-1].subject.startswith("Liste d'attente")
    assert not mail.outbox[-1].attachments  # no calendar entry without a seat

    first = Registration.objects.get(email="premiere@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:cancel", args=[first.token]))
    assert response.status_code == 302

    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED and waiting.promoted_at
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["premiere@example.org"].subject.startswith("Inscription annulée")
    promoted = by_address["second@example.org"]
    assert promoted.subject.startswith("Une place s'est libérée")
    assert str(_ics_event(promoted)["summary"]) == event.title


def test_live_participants_get_the_connection_link_on_site_ones_do_not(
    client, django_capture_on_commit_callbacks
):
    event = open_event(allows_live=True, online_url="https://visio.example.org/salle-ess")
    _register(client, event, django_capture_on_commit_callbacks, mode=ParticipationMode.LIVE)
    _register(client, event, django_capture_on_commit_callbacks, email="sur-place@example.org")
    live, on_site = mail.outbox
    assert "https://visio.example.org/salle-ess" in live.body
    assert "https://visio.example.org/salle-ess" in str(_ics_event(live)["description"])
    assert "visio.example.org" not in on_site.body


# -- bad input: a clear message, nothing written, what was typed kept -------------------


def _refused(client, event, message: str, **overrides: str) -> str:
    before = Registration.objects.count()
    response = client.post(reverse("events:register", args=[event.slug]), _form(**overrides))
    page = _page(response)
    assert message in page, page
    assert "Morvan" in page  # what was typed is still there
    assert Registration.objects.count() == before
    assert not mail.outbox
    return page


def test_registering_after_the_closing_is_refused(client):
    event = open_event(registration_closes_at=timezone.now() - datetime.timedelta(minutes=5))
    page = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "Les inscriptions sont closes." in page
    assert 'name="email"' not in page
    _refused(client, event, "Les inscriptions sont closes.")


def test_registering_before_the_opening_is_refused(client):
    event = open_event(registration_opens_at=timezone.now() + datetime.timedelta(days=2))
    page = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "Les inscriptions ouvriront le" in page
    _refused(client, event, "Les inscriptions ouvriront le")


def test_registering_to_a_finished_event_is_refused(client):
    now = timezone.now()
    event = open_event(
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now - datetime.timedelta(hours=1),
        registration_closes_at=None,
    )
    _refused(client, event, "Cet événement est terminé.")


def test_registering_twice_with_the_same_address_is_refused(client):
    event = open_event()
    RegistrationFactory(event=event, email="ines.morvan@example.org", last_name="Premier")
    _refused(
        client,
        event,
        "Cette adresse est déjà inscrite à cet événement.",
        email="Ines.Morvan@Example.org",
    )
    assert Registration.objects.filter(event=event).count() == 1


def test_an_invalid_address_is_refused(client):
    event = open_event()
    _refused(client, event, "Cette adresse électronique n'est pas valide", email="ines.morvan@")
    assert not Registration.objects.exists()


def test_the_consent_is_required(client):
    event = open_event()
    _refused(client, event, "Cochez la case d'accord", consent="")
    assert not Registration.objects.exists()


def test_a_filled_honeypot_writes_nothing(client):
    event = open_event()
    _refused(client, event, "doit rester vide", site_internet="https://spam.example.com")
    assert not Registration.objects.exists()


def test_a_mode_the_event_does_not_offer_is_refused(client):
    event = open_event(allows_live=False, allows_replay=False)
    page = _refused(client, event, "Sélectionnez un choix valide", mode=ParticipationMode.REPLAY)
    assert "En replay" not in page
    assert not Registration.objects.exists()


def test_a_members_only_event_asks_visitors_to_log_in(client, make_user):
    event = open_event(audience=Audience.MEMBERS)
    page = _page(client.get(reverse("events:register", args=[event.slug])))
    assert "Cet événement est réservé aux adhérents du réseau." in page
    assert reverse("accounts:login") in page
    assert 'name="email"' not in page
    _refused(client, event, "réservé aux adhérents")

    client.force_login(make_user(Role.VISITOR))
    _refused(client, event, "réservé aux adhérents")
    assert not Registration.objects.exists()


def test_an_unpublished_event_has_no_registration_page(client):
    event = EventFactory(draft=True, registration_enabled=True)
    assert client.get(reverse("events:register", args=[event.slug])).status_code == 404


# -- the registration's own pages ----------------------------------------------------------


def test_a_forged_or_unknown_link_is_a_404_page_in_french(client):
    event = open_event()
    registration = RegistrationFactory(event=event)
    forged = registration.token[:-2] + "xx"
    for url in (
        reverse("events:registration", args=[forged]),
        reverse("events:cancel", args=[forged]),
        reverse("events:evaluate", args=[forged]),
    ):
        page = _page(client.get(url), status=404)
        assert "Lien d'inscription non valide" in page
    response = client.post(reverse("events:cancel", args=[forged]))
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    too_long = reverse("events:registration", args=["a" * 500])
    assert client.get(too_long).status_code == 404


def test_the_manage_page_shows_the_registration_with_a_cancel_button_and_the_calendar(client):
    registration = RegistrationFactory(event=open_event(), first_name="Inès", last_name="Morvan")
    page = _page(client.get(reverse("events:registration", args=[registration.token])))
    assert "Inès Morvan" in page and "Confirmée" in page
    assert f'action="{reverse("events:cancel", args=[registration.token])}"' in page
    assert reverse("events:ical", args=[registration.event.slug]) in page
    assert '<meta name="robots" content="noindex">' in page


def test_cancelling_asks_for_confirmation_and_twice_is_harmless(
    client, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=open_event())
    url = reverse("events:cancel", args=[registration.token])
    page = _page(client.get(url))
    assert "Confirmer l'annulation" in page
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED  # a GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert "déjà annulée" in _page(again)
    assert len(mail.outbox) == 1  # one acknowledgement


def test_a_finished_event_can_no_longer_be_cancelled(client):
    now = timezone.now()
    event = open_event(
        starts_at=now - datetime.timedelta(days=2), ends_at=now - datetime.timedelta(days=1)
    )
    registration = RegistrationFactory(event=event)
    page = _page(client.post(reverse("events:cancel", args=[registration.token])))
    assert "Cet événement est terminé" in page
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_a_mail_server_failure_does_not_undo_the_registration(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "essor.events.tests.test_registration.BrokenBackend"
    event = open_event()
    response = _register(client, event, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Registration.objects.filter(event=event).count() == 1


class BrokenBackend:
    """A mail server that refuses everything."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        raise ConnectionRefusedError("serveur de courriel injoignable")
