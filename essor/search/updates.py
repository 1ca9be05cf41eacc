"""The index kept up to date: when a record of a search source is saved or deleted, what the
index holds for it is replaced (its passages included), after the transaction commits so that
a rolled-back change never reaches the index. A big record (more than BACKGROUND_PASSAGES
passages or BACKGROUND_CHARS characters: a publication of many pages) is indexed by a task
(`tasks.reindex_owner`, run by `essor db_worker`), so that the request that saved it does not
wait for it; the others at once, after the commit."""

import copy
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from essor.core.search_sources import SearchDocument, SearchSource, search_sources
from essor.search import index

logger = logging.getLogger(__name__)

# Beyond these, indexing takes longer than a request should wait (each passage is analysed,
# then the index and its vocabulary are written): a task does it.
BACKGROUND_PASSAGES = 20
BACKGROUND_CHARS = 100_000


def connect() -> None:
    for source in search_sources():
        for model in source.models:
            uid = f"search-{source.kind}-{model._meta.label}"
            post_save.connect(_saved(source), sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(
                _deleted(source), sender=model, weak=False, dispatch_uid=f"{uid}-delete"
            )


def _saved(source: SearchSource):
    def handler(sender: type, instance: Model, raw: bool = False, **kwargs: object) -> None:
        if not raw:
            _schedule(source, instance)

    return handler


def _deleted(source: SearchSource):
    # The source reads the record again: a deleted one gives no document.
    def handler(sender: type, instance: Model, **kwargs: object) -> None:
        _schedule(source, instance)

    return handler


_paused = threading.local()


@contextmanager
def paused() -> Iterator[None]:
    """No index update for the saves inside (a bulk load that rebuilds the index after)."""
    _paused.on = True
    try:
        yield
    finally:
        _paused.on = False


def _schedule(source: SearchSource, instance: Model) -> None:
    if not settings.ESSOR_SEARCH_AUTO_INDEX or getattr(_paused, "on", False):
        return
    owner = source.owner_of(instance)
    # Once per owner and transaction (the pages of a publication are many rows); a rolled-back
    # transaction empties this list, so nothing is skipped afterwards.
    pending = transaction.get_connection().run_on_commit
    if any(
        getattr(entry[1], "essor_owner", None) == owner and not entry[1].essor_done
        for entry in pending
    ):
        return

    # A copy keeps the key a deletion clears on the instance before the commit.
    snapshot = copy.copy(instance)

    def run() -> None:
        run.essor_done = True
        record_reindex(source, snapshot)

    run.essor_owner, run.essor_done = owner, False
    transaction.on_commit(run)


def record_reindex(source: SearchSource, instance: Model) -> None:
    owner, documents = source.documents_of(instance)
    if is_big(documents):
        _enqueue(source, owner, documents)
    else:
        replace_entries(owner, documents)


def is_big(documents: list[SearchDocument]) -> bool:
    return (
        len(documents) > BACKGROUND_PASSAGES
        or sum(len(document.text) for document in documents) > BACKGROUND_CHARS
    )


def _enqueue(source: SearchSource, owner: str, documents: list[SearchDocument]) -> None:
    from essor.search.tasks import reindex_owner

    try:
        reindex_owner.enqueue(source.kind, owner)
    except Exception:  # no task queue at hand: at once rather than never
        logger.exception("tâche d'indexation non créée pour %s : indexé tout de suite", owner)
        replace_entries(owner, documents)


def replace_entries(owner: str, documents: list[SearchDocument]) -> None:
    try:
        index.replace(owner, documents)
    except Exception:  # the content is saved; `essor search_rebuild` repairs the index
        logger.exception("index de recherche non mis à jour pour %s", owner)
