"""Shared test harness: the referential is imported once per test database; fixtures for
accounts of every role."""

import pytest

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


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded and stored files go to a folder of the test, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _search_index(settings, tmp_path):
    """Each test has its own search index folder, and saving content does not update it
    (thousands of saves would each write the index); search tests turn updates on."""
    from essor.search import index

    settings.ESSOR_SEARCH_DIR = tmp_path / "search"
    settings.ESSOR_SEARCH_AUTO_INDEX = False
    index.forget_opened()
    yield
    index.forget_opened()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a page cached by another test's data would
    hide what this one checks."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_user(db):
    counter = iter(range(10_000))

    def make(role: Role = Role.VISITOR, **kwargs):
        email = kwargs.pop("email", f"{role.value}{next(counter)}@example.org")
        return account_create(email, role=role, password="mot-de-passe-solide-42", **kwargs)

    return make
