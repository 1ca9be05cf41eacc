"""Import of an existing list: atomic, line by line errors, consent status kept, nobody
downgraded; and the admin list of subscribers."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from essor.core.roles import Role
from essor.letters import admin_subscriptions, subscriptions, tasks  # noqa: F401 - admin hooks
from essor.letters.models import ConsentSource, LetterKind, Subscription, SubscriptionStatus

pytestmark = pytest.mark.django_db
IMPORT_URL = "/admin/lettres/abonnes/importer/"
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _check(text: str, encoding: str = "utf-8", kind: str = LetterKind.LETTER):
    return subscriptions.subscription_import_check(text.encode(encoding), "ancienne.csv", kind)


def test_a_file_with_bad_lines_imports_nothing_and_names_each_line():
    report = _check(
        "email;date de consentement;source\n"
        "bonne@commune.fr;12/03/2019;Sarbacane\n"
        "pas-une-adresse;12/03/2019;\n"
        "autre@commune.fr;31/02/2019;\n"
        "\n"
        "futur@commune.fr;01/01/2999;\n"
    )
    assert not report.ok
    assert report.errors[0].startswith("Ligne 3 : « pas-une-adresse » n'est pas une adresse")
    assert report.errors[1].startswith("Ligne 4 : la date de consentement « 31/02/2019 »")
    assert report.errors[2].startswith("Ligne 6 : ") and "futur" in report.errors[2]
    with pytest.raises(ValueError):
        subscriptions.subscription_import_apply(report)
    assert not Subscription.objects.exists()


def test_windows_1252_with_commas_and_dated_and_undated_lines():
    report = _check(
        "Adresse électronique,Date de consentement,Origine\n"
        "Elue@Commune.fr,2019-03-12,Liste des élus\n"
        "sans-date@commune.fr,,\n"
        "ELUE@commune.fr,,\n",
        encoding="cp1252",
    )
    assert report.ok, report.errors
    result = subscriptions.subscription_import_apply(report)
    confirmed = Subscription.objects.get(email="elue@commune.fr")
    assert confirmed.status == SubscriptionStatus.CONFIRMED
    assert confirmed.consent_source == ConsentSource.IMPORT
    assert confirmed.consent_text == "Importé de Liste des élus : consentement du 12/03/2019"
    assert timezone.localtime(confirmed.consent_at).date().isoformat() == "2019-03-12"
    pending = Subscription.objects.get(email="sans-date@commune.fr")
    assert pending.status == SubscriptionStatus.PENDING and pending.consent_at is None
    assert (result.created_confirmed, result.created_pending, result.duplicates) == (1, 1, 1)
    assert not mail.outbox  # no request unless asked


def test_existing_addresses_are_never_downgraded_nor_resubscribed():
    for address in ("abonnee@a.fr", "partie@a.fr", "attente@a.fr"):
        subscriptions.subscription_request(address)
    rows = {row.email: row for row in Subscription.objects.all()}
    subscriptions.subscription_confirm(rows["abonnee@a.fr"])
    subscriptions.subscription_confirm(rows["partie@a.fr"])
    subscriptions.subscription_unsubscribe(rows["partie@a.fr"])
    report = _check("email;date\nabonnee@a.fr;\npartie@a.fr;01/01/2020\nattente@a.fr;01/01/2020\n")
    result = subscriptions.subscription_import_apply(report)
    states = dict(Subscription.objects.values_list("email", "status"))
    assert states == {
        "abonnee@a.fr": SubscriptionStatus.CONFIRMED,
        "partie@a.fr": SubscriptionStatus.UNSUBSCRIBED,
        "attente@a.fr": SubscriptionStatus.CONFIRMED,
    }
    assert (result.kept_confirmed, result.kept_stopped, result.upgraded) == (1, 1, 1)
    assert any("ne réabonne personne" in line for line in result.summary)


def test_the_editor_may_ask_for_confirmation_of_undated_lines(django_capture_on_commit_callbacks):
    report = _check("email\nnouvelle@a.fr\n")
    # The test settings' immediate task backend runs the queued task at the commit.
    with django_capture_on_commit_callbacks(execute=True):
        result = subscriptions.subscription_import_apply(report, send_confirmation=True)
    assert result.requests_queued == 1
    row = Subscription.objects.get()
    assert [message.to for message in mail.outbox] == [["nouvelle@a.fr"]]
    assert row.confirmation_sent_at is not None and row.consent_at is None
    # The person's click is the consent, recorded with the page's text.
    subscriptions.subscription_confirm(row)
    assert row.status == SubscriptionStatus.CONFIRMED
    assert row.consent_at is not None and "En confirmant" in row.consent_text


def _queued_requests() -> list:
    return [
        result
        for result in default_task_backend.results
        if result.task.func is tasks.confirmation_requests_send.func
    ]


def test_the_import_queues_the_requests_and_the_worker_sends_each_once(
    client, make_user, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS  # queued, not run: what the web request leaves behind
    client.force_login(make_user(Role.EDITOR))
    lines = "".join(f"nouvelle{n}@a.fr;\n" for n in range(3))
    upload = SimpleUploadedFile("liste.csv", f"email;date\n{lines}datee@a.fr;01/01/2020\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            IMPORT_URL, {"file": upload, "kind": "lettre", "send_confirmation": "on"}
        )
    assert "3 demandes de confirmation partent en arrière-plan." in response.content.decode()
    assert not mail.outbox  # nothing sent by the web request

    [queued] = _queued_requests()
    assert tasks.confirmation_requests_send.call(*queued.args) == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        f"nouvelle{n}@a.fr" for n in range(3)
    ]
    # Run again (a retried task, a second worker): nobody is asked twice.
    assert tasks.confirmation_requests_send.call(*queued.args) == 0
    assert len(mail.outbox) == 3


def test_a_row_confirmed_or_asked_again_meanwhile_gets_nothing_from_the_worker(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    report = _check("email\nconfirmee@a.fr\nformulaire@a.fr\nattente@a.fr\n")
    with django_capture_on_commit_callbacks(execute=True):
        subscriptions.subscription_import_apply(report, send_confirmation=True)
    [queued] = _queued_requests()
    rows = {row.email: row for row in Subscription.objects.all()}
    # Before the worker runs: one person confirms (an older link, or the manager's
    # confirmation), another asks again with the form and gets that request.
    Subscription.objects.filter(pk=rows["confirmee@a.fr"].pk).update(
        status=SubscriptionStatus.CONFIRMED, consent_at=timezone.now()
    )
    assert subscriptions.subscription_request("formulaire@a.fr") == subscriptions.Outcome.RESENT
    assert [message.to for message in mail.outbox] == [["formulaire@a.fr"]]

    assert tasks.confirmation_requests_send.call(*queued.args) == 1
    assert [message.to[0] for message in mail.outbox] == ["formulaire@a.fr", "attente@a.fr"]


def test_a_file_without_address_column_says_so():
    report = _check("nom;prénom\nDupont;Anne\n")
    assert "colonne des adresses est introuvable" in report.errors[0]


def test_the_import_screen_for_editors(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    bad = SimpleUploadedFile("liste.csv", b"email;date\nfaux;\nbon@a.fr;01/01/2020\n")
    response = client.post(IMPORT_URL, {"file": bad, "kind": "lettre"})
    assert "1 erreur : rien n'a été importé" in response.content.decode()
    assert "Ligne 2" in response.content.decode()
    assert not Subscription.objects.exists()
    good = SimpleUploadedFile("liste.csv", b"email;date\nbon@a.fr;01/01/2020\n")
    response = client.post(IMPORT_URL, {"file": good, "kind": "flash"})
    assert "est importé" in response.content.decode()
    assert Subscription.objects.get().kind == LetterKind.FLASH


def test_the_import_screen_and_the_list_are_refused_to_members(client, make_user):
    client.force_login(make_user(Role.MEMBER))
    assert client.get(IMPORT_URL).status_code in (302, 403)
    assert client.get(reverse("subscription:index")).status_code in (302, 403)


def test_editors_list_search_export_and_cannot_add_or_fake_a_consent(client, make_user):
    subscriptions.subscription_request("cherchee@a.fr")
    subscriptions.subscription_request("autre@a.fr")
    row = Subscription.objects.get(email="cherchee@a.fr")
    client.force_login(make_user(Role.EDITOR))
    listing = client.get(reverse("subscription:index"), {"q": "cherchee"}).content.decode()
    assert "cherchee@a.fr" in listing and "autre@a.fr" not in listing
    export = client.get(reverse("subscription:index"), {"export": "csv"})
    assert b"cherchee@a.fr" in b"".join(export.streaming_content)
    assert client.get(reverse("subscription:add")).status_code in (302, 403)
    # Imported without consent date: cannot be made "confirmed" by hand.
    Subscription.objects.filter(pk=row.pk).update(consent_at=None)
    response = client.post(reverse("subscription:edit", args=[row.pk]), {"status": "confirme"})
    assert "consentement" in response.content.decode()
    row.refresh_from_db()
    assert row.status == SubscriptionStatus.PENDING
