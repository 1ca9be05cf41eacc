"""Big records are indexed by the task worker, not by the request that saved them; small ones at
once, after the commit, as before."""

import pytest
from django_tasks import task_backends

from essor.library.tests.factories import publication_make
from essor.search.engine import search
from essor.search.tasks import reindex_owner
from essor.search.updates import BACKGROUND_PASSAGES

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def auto_index(settings):
    settings.ESSOR_SEARCH_AUTO_INDEX = True
    return settings


def _queued() -> list:
    """Our tasks among those queued (Wagtail queues its own on a publication's save)."""
    results = task_backends["default"].results
    return [result for result in results if result.task.func is reindex_owner.func]


def _pages(count: int) -> tuple[str, ...]:
    return tuple(f"Page {number} : la ressourcerie du quartier." for number in range(1, count + 1))


def test_a_big_publication_is_queued_and_the_task_indexes_it(
    auto_index, django_capture_on_commit_callbacks
):
    auto_index.TASKS = DUMMY_TASKS  # tasks queued, not run: what the request leaves behind
    with django_capture_on_commit_callbacks(execute=True):
        big = publication_make("Actes des rencontres", pages=_pages(BACKGROUND_PASSAGES + 5))
    assert search("ressourcerie", member=False).total == 0  # the request did not index it

    [queued] = _queued()
    assert list(queued.args) == ["publication", f"publication:{big.pk}"]
    assert reindex_owner.call(*queued.args) == BACKGROUND_PASSAGES + 6  # the pages and itself

    results = search("ressourcerie", member=False)
    assert results.total == BACKGROUND_PASSAGES + 5
    assert results.hits[0].url.startswith(f"{big.get_absolute_url()}?page=")


def test_a_small_publication_is_indexed_at_once_without_a_task(
    auto_index, django_capture_on_commit_callbacks
):
    auto_index.TASKS = DUMMY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        publication_make("Note courte", pages=_pages(2))
    assert _queued() == []
    assert search("ressourcerie", member=False).total == 2


def test_with_the_immediate_backend_a_big_publication_is_searchable_after_the_commit(
    auto_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publication_make("Actes des rencontres", pages=_pages(BACKGROUND_PASSAGES + 1))
    assert search("ressourcerie", member=False).total == BACKGROUND_PASSAGES + 1


def test_the_task_removes_what_was_unpublished_since(
    auto_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        big = publication_make("Actes des rencontres", pages=_pages(BACKGROUND_PASSAGES + 1))
    big.unpublish()  # the index is not told (no commit callback run): the task reads it again
    assert reindex_owner.call("publication", f"publication:{big.pk}") == 0
    assert search("ressourcerie", member=False).total == 0


def test_a_task_for_an_unknown_record_does_nothing(auto_index):
    assert reindex_owner.call("publication", "publication:pas-un-nombre") == 0
    assert reindex_owner.call("inconnu", "inconnu:1") == 0
