import json

import pytest
from django.core import mail
from django.urls import reverse

from essor.accounts.models import User
from essor.core.roles import Role, user_role
from essor.core.testing import assert_page_ok

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-solide-42"


def login(client, email, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_login_with_email_in_any_case_then_account_page(client, make_user):
    user = make_user(Role.MEMBER, email="elue@example.org")
    response = login(client, "  Elue@Example.ORG ")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    html = assert_page_ok(client.get(reverse("accounts:account")))
    assert user.email in html and "Membre du réseau" in html


def test_wrong_password_gives_a_clear_french_error(client, make_user):
    make_user(Role.MEMBER, email="elue@example.org")
    html = assert_page_ok(login(client, "elue@example.org", "mauvais"))
    assert "Adresse électronique ou mot de passe incorrect" in html
    assert "_auth_user_id" not in client.session


def test_login_attempts_are_throttled(client, make_user, settings):
    make_user(Role.MEMBER, email="elue@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "elue@example.org", "mauvais")
    # Even the right password is refused while the account is locked for this address.
    response = login(client, "elue@example.org")
    assert response.status_code == 429
    assert "temporairement suspendue" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(client, make_user):
    client.force_login(make_user(Role.MEMBER))
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_end_to_end(client, make_user):
    make_user(Role.EDITOR, email="equipe@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "equipe@example.org"})
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/compte/reinitialiser/" in line
    )
    path = link.split("testserver", 1)[1].strip()
    form_page = client.get(path, follow=True)
    new = "un-nouveau-mot-de-passe-77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert User.objects.get(email="equipe@example.org").check_password(new)


def test_password_reset_for_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_update(client, make_user):
    user = make_user(Role.MEMBER)
    client.force_login(user)
    client.post(reverse("accounts:account"), {"first_name": "Jeanne", "last_name": "Barseghian"})
    user.refresh_from_db()
    assert user.get_full_name() == "Jeanne Barseghian"


def test_personal_data_export_is_a_json_download(client, make_user):
    user = make_user(Role.MEMBER, first_name="Anne")
    client.force_login(user)
    response = client.get(reverse("accounts:personal_data"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["compte"]["adresse_electronique"] == user.email
    assert data["compte"]["prenom"] == "Anne"


def test_account_deletion_needs_the_password_and_removes_the_account(client, make_user):
    user = make_user(Role.MEMBER)
    client.force_login(user)
    html = assert_page_ok(client.post(reverse("accounts:delete"), {"password": "faux"}))
    assert "Mot de passe incorrect" in html
    assert User.objects.filter(pk=user.pk).exists()
    client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert not User.objects.filter(pk=user.pk).exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", [Role.VISITOR, Role.MEMBER, Role.EDITOR, Role.ADMINISTRATOR])
def test_each_role_is_a_group(make_user, role):
    assert user_role(make_user(role)) == role


def test_editors_reach_the_admin_and_members_do_not(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    assert client.get("/admin/").status_code == 200
    client.force_login(make_user(Role.MEMBER))
    assert client.get("/admin/").status_code == 302
