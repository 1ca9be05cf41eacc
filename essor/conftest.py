"""Shared test harness: the referential is imported once per test database, and every
page test can check that no template variable was left undefined."""

import pytest
from django.conf import settings

from essor.accounts.services import account_create
from essor.core.roles import Role


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from essor.territories.services import referential_import

    with django_db_blocker.unblock():
        referential_import()


@pytest.fixture(autouse=True)
def _email_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def assert_page_ok(response, status: int = 200) -> str:
    """The page answered `status` and rendered no undefined variable."""
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    marker = settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"].replace("%s", "")
    assert marker not in html, f"undefined template variable in page: {html[html.index(marker):][:120]}"
    return html


@pytest.fixture
def make_user(db):
    counter = iter(range(10_000))

    def make(role: Role = Role.VISITOR, **kwargs):
        email = kwargs.pop("email", f"{role.value}{next(counter)}@example.org")
        return account_create(email, role=role, password="mot-de-passe-solide-42", **kwargs)

    return make
