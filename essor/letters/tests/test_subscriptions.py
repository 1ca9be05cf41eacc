"""The subscription services: double opt-in, repeated requests, confirmation, unsubscription,
a subscriber's data, the Flash hebdo of member users, the purge, and the account's data."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from essor.accounts.selectors import personal_data_export
from essor.accounts.services import account_create, account_delete
from essor.core.roles import Role
from essor.letters import subscription_hooks, subscriptions  # noqa: F401 - hooks
from essor.letters.models import (
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    LetterKind,
    Subscription,
    SubscriptionStatus,
)
from essor.letters.subscriptions import ConfirmResult, Outcome
from essor.members import services as member_services
from essor.members.tests.factories import authority_for, network_fixture

pytestmark = pytest.mark.django_db


def _issue(kind: str = LetterKind.LETTER, number: int = 1) -> Issue:
    return Issue.objects.create(
        kind=kind, number=number, title=f"Numéro {number}", date=datetime.date(2024, 3, 1)
    )


def _age(subscription: Subscription, **delta: int) -> None:
    Subscription.objects.filter(pk=subscription.pk).update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(**delta)
    )


def test_a_new_address_is_pending_with_its_consent_and_gets_one_confirmation_mail():
    outcome = subscriptions.subscription_request(" Elue@Commune.FR ")
    row = Subscription.objects.get()
    assert outcome == Outcome.CREATED
    assert row.email == "elue@commune.fr"
    assert row.status == SubscriptionStatus.PENDING
    assert row.consent_source == ConsentSource.FORM
    assert row.consent_text == subscriptions.FORM_CONSENT_TEXT
    assert row.consent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["elue@commune.fr"]
    assert f"/lettres/confirmation/{row.token}/" in mail.outbox[0].body
    assert f"/lettres/abonnement/{row.token}/" in mail.outbox[0].body
    # Pending is not receiving.
    assert not subscriptions.recipients(LetterKind.LETTER).exists()


def test_a_repeated_request_while_pending_resends_at_most_every_ten_minutes():
    subscriptions.subscription_request("elue@commune.fr")
    assert subscriptions.subscription_request("elue@commune.fr") == Outcome.THROTTLED
    assert len(mail.outbox) == 1
    row = Subscription.objects.get()
    _age(row, minutes=11)
    assert subscriptions.subscription_request("ELUE@commune.fr") == Outcome.RESENT
    assert len(mail.outbox) == 2
    assert Subscription.objects.count() == 1


def test_a_confirmed_address_gets_an_already_subscribed_mail_not_twice_in_a_row():
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    subscriptions.subscription_confirm(row)
    mail.outbox.clear()
    assert subscriptions.subscription_request("elue@commune.fr") == Outcome.ALREADY
    assert "déjà abonné" in mail.outbox[0].subject
    assert subscriptions.subscription_request("elue@commune.fr") == Outcome.ALREADY_QUIET
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.CONFIRMED


def test_confirmation_starts_the_subscription_once():
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    assert subscriptions.subscription_confirm(row) == ConfirmResult.CONFIRMED
    assert row.status == SubscriptionStatus.CONFIRMED and row.confirmed_at is not None
    first = row.confirmed_at
    assert subscriptions.subscription_confirm(row) == ConfirmResult.ALREADY
    row.refresh_from_db()
    assert row.confirmed_at == first
    assert list(subscriptions.recipients(LetterKind.LETTER)) == [row]


def test_after_unsubscribing_the_old_confirmation_link_does_not_resubscribe():
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    subscriptions.subscription_confirm(row)
    subscriptions.subscription_unsubscribe(row)
    assert subscriptions.subscription_confirm(row) == ConfirmResult.INACTIVE
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.UNSUBSCRIBED


def test_subscribing_again_after_unsubscribing_records_a_new_consent_and_a_new_token():
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    subscriptions.subscription_confirm(row)
    subscriptions.subscription_unsubscribe(row)
    old_token = row.token
    Subscription.objects.filter(pk=row.pk).update(
        consent_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert subscriptions.subscription_request("elue@commune.fr") == Outcome.RENEWED
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.PENDING
    assert row.token != old_token
    assert row.consent_at > timezone.now() - datetime.timedelta(minutes=1)
    assert row.confirmed_at is None
    # The old token is dead: its links find nothing.
    assert subscriptions.subscription_by_token(old_token) is None


def test_unsubscribing_is_idempotent_and_records_the_issue_of_the_same_letter():
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    subscriptions.subscription_confirm(row)
    issue = _issue()
    flash_issue = _issue(LetterKind.FLASH, 7)
    assert subscriptions.subscription_unsubscribe(row, issue.pk) is True
    first = row.unsubscribed_at
    assert row.status == SubscriptionStatus.UNSUBSCRIBED and row.unsubscribed_from == issue
    assert subscriptions.subscription_unsubscribe(row, flash_issue.pk) is False
    row.refresh_from_db()
    assert row.unsubscribed_at == first and row.unsubscribed_from == issue


def test_an_issue_of_another_letter_is_not_recorded_but_the_unsubscription_is():
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    subscriptions.subscription_unsubscribe(row, _issue(LetterKind.FLASH, 3).pk)
    assert row.status == SubscriptionStatus.UNSUBSCRIBED and row.unsubscribed_from is None


@pytest.mark.parametrize(
    ("email", "disposable"),
    [
        ("quelquun@yopmail.com", True),
        ("x@mailinator.com", True),
        ("x@sub.mailinator.com", True),
        ("elue@caen.fr", False),
        ("contact@rtes.fr", False),
    ],
)
def test_disposable_domains_are_recognised(email, disposable):
    assert subscriptions.is_disposable(email) is disposable


def test_deleting_ones_data_removes_every_list_and_anonymises_deliveries():
    subscriptions.subscription_request("elue@commune.fr")
    row = Subscription.objects.get()
    subscriptions.subscription_confirm(row)
    Subscription.objects.create(
        kind=LetterKind.FLASH,
        email="elue@commune.fr",
        status=SubscriptionStatus.CONFIRMED,
        consent_source=ConsentSource.MEMBERSHIP,
        consent_at=timezone.now(),
    )
    first, second = _issue(number=1), _issue(number=2)
    for issue in (first, second):
        Delivery.objects.create(
            issue=issue, subscription=row, email=row.email, status=DeliveryStatus.SENT
        )
    assert subscriptions.deliveries_received("Elue@commune.fr") == 2
    assert subscriptions.subscriber_data_delete("elue@commune.fr") == 2
    assert not Subscription.objects.exists()
    emails = sorted(Delivery.objects.values_list("email", flat=True))
    assert len(emails) == 2 and len(set(emails)) == 2
    assert all(e.startswith("supprime-") and e.endswith("@invalid") for e in emails)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_nobody_is_confirmed_without_a_consent_proof():
    subscriptions.subscription_request("a@commune.fr")
    subscriptions.subscription_confirm(Subscription.objects.get())
    fixture = network_fixture()
    subscriptions.flash_members_sync()
    member_email = fixture["authorityuser"].user.email
    assert Subscription.objects.filter(email=member_email).exists()
    for row in Subscription.objects.filter(status=SubscriptionStatus.CONFIRMED):
        assert row.consent_at is not None and row.consent_text and row.consent_source


# -- the Flash hebdo of member users ------------------------------------------------------


def test_member_users_receive_the_flash_and_former_members_stop(make_user):
    fixture = network_fixture()
    member = fixture["authorityuser"].user
    not_attached = make_user(Role.MEMBER)
    result = subscriptions.flash_members_sync()
    assert result.created == 1
    row = Subscription.objects.get(kind=LetterKind.FLASH)
    assert row.email == member.email and row.user == member
    assert row.consent_source == ConsentSource.MEMBERSHIP
    assert row.consent_text == subscriptions.MEMBERSHIP_CONSENT_TEXT
    recipients = list(subscriptions.recipients(LetterKind.FLASH))
    assert recipients == [row]
    assert not_attached.email not in [r.email for r in recipients]
    # Idempotent.
    assert subscriptions.flash_members_sync().created == 0
    # The account is detached from its authority: it stops receiving.
    fixture["authorityuser"].delete()
    assert not subscriptions.recipients(LetterKind.FLASH).exists()
    assert not Subscription.objects.filter(kind=LetterKind.FLASH).exists()


def test_the_flash_follows_the_authoritys_membership():
    fixture = network_fixture()
    membership = fixture["membership"]
    subscriptions.flash_members_sync()
    assert subscriptions.recipients(LetterKind.FLASH).count() == 1
    membership.left_on = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    assert subscriptions.recipients(LetterKind.FLASH).count() == 0


def test_a_member_who_unsubscribed_or_bounced_is_never_resubscribed_by_the_sync():
    fixture = network_fixture()
    member = fixture["authorityuser"].user
    subscriptions.flash_members_sync()
    row = Subscription.objects.get(kind=LetterKind.FLASH)
    subscriptions.subscription_unsubscribe(row)
    subscriptions.flash_members_sync()
    assert not subscriptions.recipients(LetterKind.FLASH).exists()
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.UNSUBSCRIBED
    # Another member whose address bounced.
    other = authority_for("14047", joined_on=datetime.date(2015, 1, 1))
    account = account_create("autre@example.org", role=Role.MEMBER, password="x-long-pass-1")
    member_services.member_user_attach(account, other)
    subscriptions.flash_members_sync()
    assert subscriptions.address_bounced("AUTRE@example.org") == 1
    subscriptions.flash_members_sync()
    assert not subscriptions.recipients(LetterKind.FLASH).exists()
    assert member.email != account.email


def test_the_one_account_sync_follows_the_same_rules_and_touches_no_other_row():
    fixture = network_fixture()
    member = fixture["authorityuser"].user
    other = account_create("autre@example.org", role=Role.MEMBER, password="x-long-pass-1")
    member_services.member_user_attach(
        other, authority_for("14047", joined_on=datetime.date(2015, 1, 1))
    )
    # Imported without consent date and still pending: the membership confirms it.
    Subscription.objects.create(kind=LetterKind.FLASH, email=member.email)
    result = subscriptions.flash_member_sync(member)
    assert (result.created, result.confirmed) == (0, 1)
    row = Subscription.objects.get(email=member.email)
    assert row.status == SubscriptionStatus.CONFIRMED
    assert row.consent_text == subscriptions.MEMBERSHIP_CONSENT_TEXT
    assert not Subscription.objects.filter(email=other.email).exists()
    # Bounced: stays so.
    subscriptions.address_bounced(member.email)
    assert subscriptions.flash_member_sync(member) == subscriptions.SyncResult()
    # The account leaves its authority: its membership subscription goes, the other's stays.
    subscriptions.flash_member_sync(other)
    Subscription.objects.filter(email=member.email).delete()
    subscriptions.flash_member_sync(member)
    fixture["authorityuser"].delete()
    assert subscriptions.flash_member_sync(member).removed == 1
    assert list(Subscription.objects.values_list("email", flat=True)) == [other.email]


def test_a_member_subscribes_and_unsubscribes_in_one_click():
    fixture = network_fixture()
    member = fixture["authorityuser"].user
    row = subscriptions.member_subscription_set(member, LetterKind.LETTER, True)
    assert row.status == SubscriptionStatus.CONFIRMED
    assert row.consent_text == subscriptions.MEMBER_SPACE_CONSENT_TEXT
    assert row.user == member and row.consent_at is not None
    subscriptions.member_subscription_set(member, LetterKind.FLASH, False)
    subscriptions.flash_members_sync()
    flash = Subscription.objects.get(kind=LetterKind.FLASH)
    assert flash.status == SubscriptionStatus.UNSUBSCRIBED
    subscriptions.member_subscription_set(member, LetterKind.FLASH, True)
    flash.refresh_from_db()
    assert flash.status == SubscriptionStatus.CONFIRMED and flash.unsubscribed_at is None


def test_a_non_member_cannot_take_the_flash(make_user):
    visitor_account = make_user(Role.VISITOR)
    assert subscriptions.member_subscription_set(visitor_account, LetterKind.FLASH, True) is None
    assert not Subscription.objects.exists()


# -- purge --------------------------------------------------------------------------------


def test_purge_deletes_only_stale_pending_subscriptions(settings):
    settings.ESSOR_LETTERS_PENDING_DAYS = 30
    for address in ("vieux@a.fr", "recent@a.fr", "confirme@a.fr", "importe@a.fr"):
        subscriptions.subscription_request(address)
    rows = {row.email: row for row in Subscription.objects.all()}
    _age(rows["vieux@a.fr"], days=31)
    _age(rows["confirme@a.fr"], days=31)
    subscriptions.subscription_confirm(rows["confirme@a.fr"])
    # An imported pending row never asked: its creation date counts.
    Subscription.objects.filter(pk=rows["importe@a.fr"].pk).update(
        confirmation_sent_at=None, created_at=timezone.now() - datetime.timedelta(days=40)
    )
    out = StringIO()
    call_command("letters_purge", "--dry-run", stdout=out)
    assert "2 abonnement(s)" in out.getvalue()
    assert Subscription.objects.count() == 4
    call_command("letters_purge", stdout=StringIO())
    assert sorted(Subscription.objects.values_list("email", flat=True)) == [
        "confirme@a.fr",
        "recent@a.fr",
    ]


# -- the account's data -------------------------------------------------------------------


def test_personal_data_export_lists_the_subscriptions_and_their_consent(make_user):
    user = make_user(Role.VISITOR, email="lectrice@example.org")
    subscriptions.subscription_request("Lectrice@example.org")
    data = personal_data_export(user)["abonnements_aux_lettres"]
    assert len(data) == 1
    assert data[0]["lettre"] == "Lettre électronique"
    assert data[0]["texte_presente"] == subscriptions.FORM_CONSENT_TEXT
    assert data[0]["consentement_le"]


def test_deleting_the_account_deletes_its_subscriptions(make_user):
    user = make_user(Role.VISITOR, email="lectrice@example.org")
    subscriptions.subscription_request("lectrice@example.org")
    row = Subscription.objects.get()
    Delivery.objects.create(issue=_issue(), subscription=row, email=row.email)
    account_delete(user)
    assert not Subscription.objects.exists()
    assert Delivery.objects.get().email.endswith("@invalid")
