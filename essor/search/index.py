"""The search index: a Tantivy index on disk (ESSOR_SEARCH_DIR), one entry per record or
passage, written by one process at a time, read by all.

Tantivy is an embedded full-text engine (the Rust library behind several search servers, with
official Python bindings): French stemming, BM25 ranking, fuzzy terms, highlighted snippets and
aggregations, in a few milliseconds at 100 000 passages on the embedded default, without a
server. Past one machine, the same `SearchDocument`s go to OpenSearch through Wagtail's
backends (README)."""

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import tantivy
from django.conf import settings

from essor.core.search_sources import SearchDocument
from essor.search.analysis import ANALYZER, analyzer, expansions_of, prepared

logger = logging.getLogger(__name__)

WRITER_HEAP = 50_000_000
WRITER_RETRIES = 20  # another process holds the writer: wait up to about two seconds
VOCABULARY_FILE = "vocabulary.json"


def index_dir() -> Path:
    return Path(settings.ESSOR_SEARCH_DIR)


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("key", "owner", "kind", "region", "level", "url"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=name != "url")
    builder.add_text_field("themes", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("body", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("extra", stored=False, tokenizer_name=ANALYZER)
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    builder.add_integer_field("members_only", stored=True, indexed=True, fast=True)
    return builder.build()


@cache
def _opened(path: str) -> tantivy.Index:
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema(), path=str(directory), reuse=True)
    index.register_tokenizer(ANALYZER, analyzer())
    return index


def index() -> tantivy.Index:
    return _opened(str(index_dir()))


def forget_opened() -> None:
    """Drop the open index (tests point ESSOR_SEARCH_DIR elsewhere)."""
    _opened.cache_clear()


def _entry(document: SearchDocument) -> tuple[tantivy.Document, list[str]]:
    """The index entry of a document, and its folded words (for the vocabulary)."""
    text, text_words = prepared(document.text)
    title, title_words = prepared(document.title)
    folded = title_words + text_words
    entry = tantivy.Document(
        key=document.key,
        owner=document.owner,
        kind=document.kind,
        region=document.region,
        level=document.level,
        url=document.url,
        themes=document.themes or [""],
        title=title,
        body=text,
        extra=expansions_of(folded),
        year=document.date.year if document.date else 0,
        members_only=int(document.members_only),
    )
    return entry, folded


def _writer() -> tantivy.IndexWriter:
    for attempt in range(WRITER_RETRIES):
        try:
            return index().writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError:  # the lock of another writer
            time.sleep(0.1 * (attempt + 1) / 2)
    return index().writer(heap_size=WRITER_HEAP, num_threads=1)


def replace(owner: str, documents: Iterable[SearchDocument]) -> int:
    """Replace what the index holds for a record (all its passages) by `documents`."""
    entries = [_entry(document) for document in documents]
    writer = _writer()
    try:
        writer.delete_documents_by_term("owner", owner)
        for entry, _words in entries:
            writer.add_document(entry)
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    index().reload()
    _vocabulary_add([folded for _entry, folded in entries])
    return len(entries)


def rebuild(documents: Iterable[SearchDocument]) -> int:
    """Empty the index and fill it again; the vocabulary too."""
    writer = _writer()
    vocabulary: Counter[str] = Counter()
    count = 0
    try:
        writer.delete_all_documents()
        for document in documents:
            entry, folded = _entry(document)
            writer.add_document(entry)
            vocabulary.update(folded)
            count += 1
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    index().reload()
    _vocabulary_write(vocabulary)
    return count


# ------------------------------------------------------------------ the vocabulary
# Folded words of the indexed text with their frequency: what a typo is corrected towards.


def _vocabulary_path() -> Path:
    return index_dir() / VOCABULARY_FILE


def vocabulary() -> dict[str, int]:
    path = _vocabulary_path()
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    return _vocabulary_read(str(path), stamp)


def vocabulary_by_length() -> dict[int, list[str]]:
    """The vocabulary's words grouped by length (a word one edit away from a typed word is
    one letter shorter, as long or one letter longer)."""
    path = _vocabulary_path()
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    return _vocabulary_grouped(str(path), stamp)


# One version kept (the latest): each update of the index writes a new one.
@lru_cache(maxsize=1)
def _vocabulary_read(path: str, stamp: int) -> dict[str, int]:
    if not stamp:
        return {}
    return json.loads(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _vocabulary_grouped(path: str, stamp: int) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for word in _vocabulary_read(path, stamp):
        grouped.setdefault(len(word), []).append(word)
    return grouped


def _vocabulary_write(vocabulary: Counter[str]) -> None:
    path = _vocabulary_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(dict(vocabulary), ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def _vocabulary_add(folded_words: list[list[str]]) -> None:
    if not folded_words:
        return
    known = Counter(vocabulary())
    for folded in folded_words:
        known.update(folded)
    _vocabulary_write(known)
