"""Writes of the search: the whole index rebuilt from every source."""

from collections.abc import Iterator

from essor.core.search_sources import SearchDocument, search_sources
from essor.search import index


def all_documents() -> Iterator[SearchDocument]:
    for source in search_sources():
        yield from source.documents()


def index_rebuild() -> int:
    """Empty the index and fill it with every source's documents; how many were indexed."""
    return index.rebuild(all_documents())
