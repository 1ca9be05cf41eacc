"""What a module gives the search: its content as `SearchDocument`s, through the Wagtail hook
``essor_search_sources`` (a callable returning a `SearchSource`). The search module indexes
them and keeps the index up to date when one of the source's models is saved or deleted;
modules never import the search module."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Model
from wagtail import hooks

SEARCH_SOURCES_HOOK = "essor_search_sources"


@dataclass
class SearchDocument:
    """One thing a search can answer with: a record, or a passage of a long one."""

    key: str  # unique: "initiative:12", "publication:5:p3"
    owner: str  # the record it belongs to: "publication:5" for all its passages
    kind: str  # the source's kind
    title: str
    url: str  # site-relative
    text: str
    date: datetime.date | None = None
    themes: list[str] = field(default_factory=list)
    region: str = ""  # INSEE code of the région concerned, when there is one
    level: str = ""  # level of the authority concerned (region, departement, epci, commune…)
    members_only: bool = False


@dataclass
class SearchSource:
    kind: str
    label: str  # French, plural: "Initiatives"
    models: tuple[type[Model], ...]
    # Every document of the source (the rebuild); the documents of the record a saved or
    # deleted instance of one of `models` belongs to, read again from the database, with the
    # owner key they replace (none when the record is unpublished or deleted).
    documents: Callable[[], Iterable[SearchDocument]]
    documents_of: Callable[[Model], tuple[str, list[SearchDocument]]]
    # The owner key of the record an instance belongs to, without reading the database (many
    # saves in one transaction, such as the pages of a publication, reindex it once).
    owner_of: Callable[[Model], str]


def search_sources() -> list[SearchSource]:
    return [hook() for hook in hooks.get_hooks(SEARCH_SOURCES_HOOK)]


def owner_key(kind: str, pk: object) -> str:
    return f"{kind}:{pk}"
