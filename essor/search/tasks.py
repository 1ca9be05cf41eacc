"""The index updates too big for a request: a record whose documents are many passages (a
publication of a hundred pages) is indexed by the task worker (`essor db_worker`), not by the
request that saved it (see `updates.py`)."""

import logging

from django_tasks import task

from essor.core.search_sources import SearchSource, search_sources

logger = logging.getLogger(__name__)


@task()
def reindex_owner(kind: str, owner: str) -> int:
    """Read the record `owner` of the source `kind` again and replace its entries; how many
    were indexed. The record is read when the task runs: edited again since, its latest
    state is indexed; unpublished or deleted since, its entries are removed."""
    from essor.search.updates import replace_entries

    source = next((source for source in search_sources() if source.kind == kind), None)
    instance = _owner_record(source, owner) if source else None
    if instance is None:
        logger.error("index de recherche : %s (source %s) introuvable", owner, kind)
        return 0
    found_owner, documents = source.documents_of(instance)
    replace_entries(found_owner, documents)
    return len(documents)


def _owner_record(source: SearchSource, owner: str) -> object | None:
    """The record an owner key names: by the convention of `owner_key`, the primary key of
    the source's first model ("publication:5" is the publication 5). An instance with that
    key only: the source reads the database itself."""
    model = source.models[0]
    _kind, _, pk = owner.partition(":")
    try:
        instance = model(pk=model._meta.pk.to_python(pk))
    except Exception:  # a key that is not this model's
        return None
    return instance if source.owner_of(instance) == owner else None
