"""The public pages of the subscriptions, as a visitor, a mail client and a member use them."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from essor.accounts.services import account_create
from essor.core.roles import Role
from essor.letters import admin_subscriptions, subscription_hooks, subscriptions  # noqa: F401
from essor.letters.models import (
    ConsentSource,
    Issue,
    LetterKind,
    Subscription,
    SubscriptionStatus,
)
from essor.letters.tests.factories import subscription_make
from essor.members.services import member_user_attach
from essor.members.tests.factories import authority_for, network_fixture

pytestmark = pytest.mark.django_db
SUBSCRIBE = "/lettres/inscription/"


def _post_form(client: Client, email: str, **extra: str):
    data = {"email": email, "consent": "on", "site_internet": "", **extra}
    return client.post(SUBSCRIBE, data)


def _confirmed(email: str = "elue@commune.fr") -> Subscription:
    subscriptions.subscription_request(email)
    row = Subscription.objects.get(email=email)
    subscriptions.subscription_confirm(row)
    mail.outbox.clear()
    return row


def test_the_form_shows_the_consent_text_and_the_privacy_sentence(client):
    page = client.get(SUBSCRIBE).content.decode()
    assert reverse("letters:subscribe") == SUBSCRIBE
    assert subscriptions.FORM_CONSENT_TEXT.replace("'", "&#x27;") in page
    assert "jamais transmise" in page


def test_subscribing_stores_the_consent_text_and_answers_with_the_neutral_page(client):
    response = _post_form(client, "Elue@Commune.fr")
    assert response.status_code == 302
    assert response["Location"] == reverse("letters:subscribe_sent")
    row = Subscription.objects.get()
    assert row.consent_text == subscriptions.FORM_CONSENT_TEXT
    assert row.status == SubscriptionStatus.PENDING
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "pas-une-adresse", "consent": "on"},
            "adresse électronique n&#x27;est pas valide",
        ),
        ({"email": "moi@yopmail.com", "consent": "on"}, "adresses jetables"),
        ({"email": "elue@commune.fr"}, "Cochez la case"),
        (
            {"email": "elue@commune.fr", "consent": "on", "site_internet": "spam"},
            "doit rester vide",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(client, data, message):
    response = client.post(SUBSCRIBE, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Ce que vous avez saisi est conservé" in page
    assert data["email"] in page  # nothing lost
    assert not Subscription.objects.exists()
    assert not mail.outbox


def test_a_repeated_subscription_never_reveals_whether_the_address_is_subscribed(client):
    _confirmed()
    known = _post_form(client, "elue@commune.fr")
    unknown = _post_form(client, "nouvelle@commune.fr")
    assert known["Location"] == unknown["Location"]
    # Only the mailbox learns it.
    assert [m.to for m in mail.outbox] == [["elue@commune.fr"], ["nouvelle@commune.fr"]]
    assert "déjà abonné" in mail.outbox[0].subject


def test_the_confirmation_link_asks_before_confirming_then_confirms_once(client):
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    url = reverse("letters:confirm", args=[row.token])
    page = client.get(url)
    assert "Confirmer mon abonnement" in page.content.decode()
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.PENDING  # a mail scanner's GET confirms nothing
    assert "est confirmé" in client.post(url).content.decode()
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.CONFIRMED and row.confirmed_at
    again = client.post(url).content.decode()
    assert "déjà confirmé" in again


def test_a_forged_confirmation_link_is_a_clear_404(client):
    response = client.get(reverse("letters:confirm", args=["inventé"]))
    assert response.status_code == 404
    assert "ne correspond à aucun abonnement" in response.content.decode()


def test_an_old_confirmation_link_after_unsubscribing_does_not_resubscribe(client):
    row = _confirmed()
    subscriptions.subscription_unsubscribe(row)
    page = client.post(reverse("letters:confirm", args=[row.token])).content.decode()
    assert "ne le rétablit pas" in page
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.UNSUBSCRIBED


def test_unsubscribe_get_asks_and_post_unsubscribes_and_is_idempotent(client):
    row = _confirmed()
    issue = Issue.objects.create(
        kind=LetterKind.LETTER, number=4, title="Avril", date=datetime.date(2024, 4, 1)
    )
    url = subscriptions.unsubscribe_url(row, issue)
    assert "Me désabonner" in client.get(url).content.decode()
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.CONFIRMED
    assert "C'est fait" in client.post(url).content.decode()
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.UNSUBSCRIBED and row.unsubscribed_from == issue
    assert client.post(url).status_code == 200
    assert "déjà désabonnée" in client.get(url).content.decode()


def test_the_unsubscribe_address_of_the_sending_loop_unsubscribes_from_that_issue(client):
    row = _confirmed()
    issue = Issue.objects.create(
        kind=LetterKind.LETTER, number=5, title="Mai", date=datetime.date(2024, 5, 1)
    )
    url = subscriptions.issue_unsubscribe_url(issue)(row.token)
    client.post(url)
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.UNSUBSCRIBED and row.unsubscribed_from == issue


def test_the_rfc_8058_one_click_post_works_without_session_or_csrf_token():
    row = _confirmed()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("letters:unsubscribe", args=[row.token]),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.UNSUBSCRIBED
    assert row.unsubscribed_at is not None


def test_a_tampered_unsubscribe_link_changes_nothing(client):
    row = _confirmed()
    response = client.post(reverse("letters:unsubscribe", args=[row.token[:-1] + "x"]))
    assert response.status_code == 404
    assert "rien n'a été modifié" in response.content.decode()
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.CONFIRMED


def test_a_subscriber_sees_their_consent_proof_and_deletes_their_data(client):
    row = _confirmed()
    page = client.get(reverse("letters:manage", args=[row.token])).content.decode()
    assert "elue@commune.fr" in page
    assert "Formulaire d&#x27;inscription du site" in page
    assert "Lettres reçues à cette adresse" in page
    delete_url = reverse("letters:delete_data", args=[row.token])
    assert "Supprimer définitivement" in client.get(delete_url).content.decode()
    assert Subscription.objects.exists()
    done = client.post(delete_url)
    assert "a été effacée" in done.content.decode()
    assert not Subscription.objects.exists()
    assert client.get(reverse("letters:manage", args=[row.token])).status_code == 404


def test_a_member_sees_both_letters_in_their_space_and_subscribes_in_one_click(client):
    member = network_fixture()["authorityuser"].user
    client.force_login(member)
    page = client.get(reverse("members:member_space")).content.decode()
    assert "Mes lettres d&#x27;information" in page
    assert "Flash hebdo" in page and "au titre de votre adhésion" in page
    response = client.post(
        reverse("letters:member_subscription"), {"kind": "lettre", "subscribe": "1"}
    )
    assert response["Location"] == reverse("members:member_space")
    row = Subscription.objects.get(kind=LetterKind.LETTER)
    assert row.status == SubscriptionStatus.CONFIRMED and row.email == member.email
    assert row.consent_text == subscriptions.MEMBER_SPACE_CONSENT_TEXT
    client.post(reverse("letters:member_subscription"), {"kind": "flash", "subscribe": "0"})
    assert not subscriptions.recipients(LetterKind.FLASH).exists()


def test_opening_the_space_subscribes_the_new_member_to_the_flash_and_no_one_else(client):
    caen = network_fixture()["authorityuser"].user
    other = account_create("membre-bayeux@example.org", role=Role.MEMBER, password="x-long-pass-1")
    member_user_attach(other, authority_for("14047", joined_on=datetime.date(2015, 1, 1)))
    # A membership row whose account left: the sending's full sync deals with it, not a
    # member's visit.
    former = subscription_make(
        "ancienne@example.org", LetterKind.FLASH, consent_source=ConsentSource.MEMBERSHIP
    )
    client.force_login(caen)
    assert client.get(reverse("members:member_space")).status_code == 200

    row = Subscription.objects.get(kind=LetterKind.FLASH, email=caen.email)
    assert row.status == SubscriptionStatus.CONFIRMED and row.user == caen
    assert row.consent_source == ConsentSource.MEMBERSHIP and row.consent_at is not None
    assert not Subscription.objects.filter(email=other.email).exists()
    assert Subscription.objects.filter(pk=former.pk, status=SubscriptionStatus.CONFIRMED).exists()

    # Unsubscribed since: the next visits never subscribe the address again.
    subscriptions.subscription_unsubscribe(row)
    client.get(reverse("members:member_space"))
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.UNSUBSCRIBED
    assert Subscription.objects.filter(kind=LetterKind.FLASH).count() == 2


def test_the_member_buttons_refuse_bad_input_and_visitors(client, make_user):
    assert client.post(reverse("letters:member_subscription")).status_code == 302
    assert "/connexion/" in client.post(reverse("letters:member_subscription"))["Location"]
    client.force_login(make_user())
    response = client.post(
        reverse("letters:member_subscription"), {"kind": "inconnu", "subscribe": "1"}
    )
    assert response.status_code == 302
    assert not Subscription.objects.exists()
    client.post(reverse("letters:member_subscription"), {"kind": "flash", "subscribe": "1"})
    assert not Subscription.objects.exists()
