"""The whole demo (`essor demo`, seeds read through spaCy included), loaded once for the
tests of this folder that ask for it.

Loading it takes most of a minute; loading it again in each test cost minutes per database.
The `demo` fixture loads it inside a transaction left open while this folder's tests run:
each test runs in a savepoint of it (pytest-django's `db`) and the transaction is rolled back
after the folder's last test, so no test elsewhere ever sees demo data. A test of this folder
that does not ask for `demo` runs before those that do (see the hook below), so it never sees
the demo either."""

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

DEMO_FIXTURE = "demo"


@dataclass(frozen=True)
class LoadedDemo:
    """What `essor demo` printed, and where it wrote its files and its search index (a
    test that reads them points MEDIA_ROOT or ESSOR_SEARCH_DIR there)."""

    output: str
    media_root: Path
    search_dir: Path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """This folder's tests that load the demo run last in the folder: the folder-wide
    transaction stays open from the first of them until the folder's end. (With xdist, the
    folder goes to one worker as a whole: see essor/conftest.py.)"""
    here = Path(__file__).parent
    inside = [i for i, item in enumerate(items) if here in item.path.parents]
    mine = [items[i] for i in inside]
    users = [item for item in mine if DEMO_FIXTURE in getattr(item, "fixturenames", ())]
    ordered = [item for item in mine if item not in users] + users
    for position, item in zip(inside, ordered, strict=True):
        items[position] = item


@pytest.fixture(scope="package")
def demo(
    django_db_setup: None, django_db_blocker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedDemo]:
    root = tmp_path_factory.mktemp("demo")
    media_root, search_dir = root / "media", root / "search"
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked like the transaction of Django's TestCase: a durable block inside is allowed.
        outer._from_testcase = True
        outer.__enter__()
        try:
            output = _load(media_root, search_dir)
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield LoadedDemo(output, media_root, search_dir)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        _forget_process_state()


def _load(media_root: Path, search_dir: Path) -> str:
    """`essor demo` with the per-test settings of essor/conftest.py, which are not in place
    yet when a package fixture runs: files and index in a temporary folder, never var/."""
    from essor.search import index

    out = StringIO()
    with override_settings(
        MEDIA_ROOT=media_root,
        ESSOR_SEARCH_DIR=search_dir,
        ESSOR_SEARCH_AUTO_INDEX=False,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        index.forget_opened()
        try:
            call_command("demo", stdout=out)
        finally:
            index.forget_opened()
    _forget_process_state()
    return out.getvalue()


def _forget_process_state() -> None:
    """Nothing cached in this process may outlive the rows it was read from."""
    from django.core.cache import cache

    cache.clear()
