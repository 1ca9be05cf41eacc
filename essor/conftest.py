"""Shared test harness: the referential is imported once per test database (and again after
a transactional test emptied it); fixtures for accounts of every role."""

import pytest

from essor.accounts.services import account_create
from essor.core.roles import Role

# The tests of this folder share one load of the demo (essor/demo/tests/conftest.py).
DEMO_TESTS = "essor/demo/tests/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With `-n`, xdist's default distribution, test by test, except that the demo tests go
    to one worker, together, and first: split over two workers, each would load the demo.
    (xdist's own `xdist_group` mark does nothing under pytest 9: it renames `item._nodeid`,
    which pytest 9 no longer reads.)"""
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist choice is kept
    from xdist.scheduler import LoadScopeScheduling

    class DemoTestsTogether(LoadScopeScheduling):
        # Units are sent largest first (--loadscope-reorder): the demo's unit starts at once.
        def _split_scope(self, nodeid: str) -> str:
            return DEMO_TESTS if nodeid.startswith(DEMO_TESTS) else nodeid

    return DemoTestsTogether(config, log)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from essor.territories.services import referential_import

    with django_db_blocker.unblock():
        referential_import()


# A transactional test (django_db(transaction=True)) empties every table when it ends, the
# referential included; the next test that is not transactional gets it back.
_flushed = {"referential": False}


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    by_marker = marker is not None and bool(
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    )
    return by_marker or "transactional_db" in names or "live_server" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    try:
        return (yield)
    finally:
        if _transactional(item):
            _flushed["referential"] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before this test's fixtures (and outside its transaction, which would undo it)."""
    if not _flushed["referential"] or _transactional(item):
        return
    _flushed["referential"] = False
    from pytest_django.plugin import blocking_manager_key

    from essor.territories.models import Territory
    from essor.territories.services import referential_import

    with item.config.stash[blocking_manager_key].unblock():
        if not Territory.objects.exists():
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
