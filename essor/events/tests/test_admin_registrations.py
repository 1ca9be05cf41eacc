"""Editors' screens of an event's registrations: the button on the event's edit page, the list
with its figures, attendance marking, the CSV export for badges and sign-in sheets, the
promotion of the waiting list; and where a user finds their registrations (member space,
account page, personal data export, account deletion)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from essor.accounts.services import account_delete
from essor.core.roles import Role
from essor.events import registration_hooks  # noqa: F401 - the e-mails listener
from essor.events.admin_registrations import CSV_COLUMNS
from essor.events.models import ParticipationMode, Registration, RegistrationStatus
from essor.events.tests.factories import EvaluationFactory, RegistrationFactory, open_event
from essor.members.tests.factories import network_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_with_registrations():
    event = open_event(capacity=2, allows_live=True, slug="journee-loi-ess")
    confirmed = [
        RegistrationFactory(
            event=event,
            last_name="Morvan",
            first_name="Inès",
            organisation='=HYPERLINK("https://example.com")',
            position_title="Chargée de mission",
            email="ines@example.org",
            needs="Fauteuil roulant",
            amount_due=Decimal("40"),
        ),
        RegistrationFactory(
            event=event,
            last_name="Albert",
            first_name="Luc",
            email="luc@example.org",
            is_member=True,
            mode=ParticipationMode.ON_SITE,
        ),
    ]
    waiting = RegistrationFactory(
        event=event, last_name="Zola", email="zola@example.org", status=RegistrationStatus.WAITING
    )
    cancelled = RegistrationFactory(
        event=event, last_name="Annulé", status=RegistrationStatus.CANCELLED
    )
    return event, confirmed, waiting, cancelled


def _urls(event) -> dict[str, str]:
    return {
        name: reverse(f"event_registrations:{name}", args=[event.pk])
        for name in ("index", "attendance", "export", "promote")
    }


def test_the_event_edit_page_has_a_registrations_button(
    client, make_user, event_with_registrations
):
    event, *_ = event_with_registrations
    client.force_login(make_user(Role.EDITOR))
    page = client.get(reverse("event:edit", args=[event.pk])).content.decode()
    assert "Inscriptions (3)" in page  # confirmed and waiting
    assert _urls(event)["index"] in page


def test_the_list_shows_figures_and_each_group(client, make_user, event_with_registrations):
    event, _confirmed, _waiting, _cancelled = event_with_registrations
    client.force_login(make_user(Role.EDITOR))
    response = client.get(_urls(event)["index"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Inscriptions confirmées (2)" in page
    assert "Liste d&#x27;attente (1)" in page or "Liste d'attente (1)" in page
    assert "Annulées (1)" in page
    assert "Zola" in page and "Morvan" in page and "Annulé" in page
    assert 'name="present"' in page


def test_the_csv_export_is_ready_for_a_french_spreadsheet(
    client, make_user, event_with_registrations
):
    event, *_ = event_with_registrations
    client.force_login(make_user(Role.EDITOR))
    response = client.get(_urls(event)["export"])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="inscriptions-journee-loi-ess.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == ["Albert", "Morvan", "Zola"]  # confirmed, then waiting
    morvan = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert morvan == {
        "nom": "Morvan",
        "prénom": "Inès",
        "structure": '\'=HYPERLINK("https://example.com")',  # never run as a formula
        "fonction": "Chargée de mission",
        "courriel": "ines@example.org",
        "mode": "Sur place",
        "statut": "Confirmée",
        "adhérent": "non",
        "montant dû": "40,00",
        "besoins": "Fauteuil roulant",
        "présent": "",
    }
    assert dict(zip(CSV_COLUMNS, rows[1], strict=True))["adhérent"] == "oui"
    assert rows[3][6] == "Sur liste d'attente"


@pytest.mark.parametrize("role", [Role.VISITOR, Role.MEMBER])
def test_visitors_and_members_cannot_see_nor_change_registrations(
    client, make_user, event_with_registrations, role
):
    event, confirmed, waiting, _ = event_with_registrations
    if role != Role.VISITOR:
        client.force_login(make_user(role))
    urls = _urls(event)
    for name in ("index", "export"):
        response = client.get(urls[name])
        assert response.status_code in (302, 403), name
        assert "Morvan" not in response.content.decode()
        if role == Role.VISITOR:
            assert "login" in response["Location"]
    for name in ("attendance", "promote"):
        response = client.post(urls[name], {"present": [confirmed[0].pk]})
        assert response.status_code in (302, 403), name
    confirmed[0].refresh_from_db()
    waiting.refresh_from_db()
    assert confirmed[0].attended is None
    assert waiting.status == RegistrationStatus.WAITING


def test_editors_mark_attendance(client, make_user, event_with_registrations):
    event, (morvan, albert), waiting, _ = event_with_registrations
    client.force_login(make_user(Role.EDITOR))
    response = client.post(_urls(event)["attendance"], {"present": [str(morvan.pk), "x"]})
    assert response.status_code == 302
    morvan.refresh_from_db()
    albert.refresh_from_db()
    waiting.refresh_from_db()
    assert (morvan.attended, albert.attended, waiting.attended) == (True, False, None)
    assert client.get(_urls(event)["attendance"]).status_code == 405  # POST only


def test_promoting_the_waiting_list_after_raising_the_capacity(
    client, make_user, event_with_registrations, django_capture_on_commit_callbacks
):
    event, _, waiting, _ = event_with_registrations
    client.force_login(make_user(Role.EDITOR))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_urls(event)["promote"])
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITING  # no seat free yet
    assert not mail.outbox

    event.capacity = 3
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_urls(event)["promote"])
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    [message] = mail.outbox
    assert message.to == ["zola@example.org"]
    assert message.subject.startswith("Une place s'est libérée")


# -- the user's side ----------------------------------------------------------------------


def test_a_member_finds_their_registrations_in_the_member_space(client):
    network = network_fixture()
    account = network["authorityuser"].user
    event = open_event(title="Rencontre des élus")
    mine = RegistrationFactory(event=event, user=account, email=account.email)
    other = RegistrationFactory(event=event, email="autre@example.org")
    client.force_login(account)
    page = client.get(reverse("members:member_space")).content.decode()
    assert "Mes inscriptions aux événements" in page
    assert "Rencontre des élus" in page
    assert reverse("events:registration", args=[mine.token]) in page
    assert other.token not in page


def test_an_account_without_membership_finds_them_on_the_account_page(client, make_user):
    visitor = make_user(Role.VISITOR)
    # Registered before logging in, with the account's address.
    registration = RegistrationFactory(event=open_event(), email=visitor.email.upper())
    client.force_login(visitor)
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("events:registration", args=[registration.token]) in page


def test_registrations_and_answers_are_in_the_personal_data_export(client, make_user):
    user = make_user(Role.VISITOR)
    registration = RegistrationFactory(event=open_event(title="Formation ESS"), user=user)
    EvaluationFactory(registration=registration, comment="Très utile")
    client.force_login(user)
    data = json.loads(client.get(reverse("accounts:personal_data")).content)
    [row] = data["inscriptions_aux_evenements"]
    assert row["evenement"] == "Formation ESS"
    assert row["adresse_electronique"] == registration.email
    assert row["evaluation"]["commentaire"] == "Très utile"


def test_deleting_the_account_keeps_the_registration_without_the_user(make_user):
    user = make_user(Role.VISITOR)
    registration = RegistrationFactory(event=open_event(), user=user)
    account_delete(user)
    registration.refresh_from_db()
    assert registration.user is None
    assert Registration.objects.filter(event=registration.event).active().count() == 1
