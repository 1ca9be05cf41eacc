"""One search over every kind of content: the query a person types becomes terms (French
analysis, typos corrected towards the indexed vocabulary, acronyms met through the index's
expansions), filters (kind, theme, région, level, year) and the members-only rule; the answer
is a page of hits with their highlighted passage, facet counts and a "did you mean"."""

import html
import re
from dataclasses import dataclass, field

import tantivy
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from essor.core.search_sources import search_sources
from essor.search import index
from essor.search.analysis import acronyms, expansions, repaired, terms, words

MAX_QUERY_CHARS = 300
PER_PAGE = 10
MAX_PAGE = 50
TYPO_MIN_LENGTH = 5
EXCERPT_CHARS = 260
FACETS = ("kind", "themes", "region", "level", "year")
# Where a term counts most: the title, then the text, then what the text says in other words.
FIELD_BOOSTS = (("title", 3.0), ("body", 1.0), ("extra", 0.8))
RELATED_WEIGHT = 0.5
PHRASE_WEIGHT = 2.0
ALL_TERMS_WEIGHT = 3.0
PHRASE_SLOP = 2
# The best matches by their words that are ranked again by phrase and all-words (_ranked).
RERANK_WINDOW = 100


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    theme: str = ""
    region: str = ""
    level: str = ""
    year: int | None = None


@dataclass
class Hit:
    title: str
    url: str
    kind: str
    kind_label: str
    excerpt: SafeString
    year: int | None
    members_only: bool


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str = ""  # the query with its unknown words corrected, when some were
    message: str = ""  # why nothing could be searched, in French

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, -(-self.total // self.per_page)) if self.total else 0


def kind_labels() -> dict[str, str]:
    return {source.kind: source.label for source in search_sources()}


def search(
    text: str,
    *,
    member: bool,
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Results:
    """The page `page` of the results of `text` for a member or not. Never raises on what a
    person types: an empty query or one made of stop words gives a message."""
    filters = filters or Filters()
    query_text = _clean(text)
    results = Results(query=query_text, page=max(1, min(page, MAX_PAGE)), per_page=per_page)
    if not query_text:
        results.message = "Tapez un ou plusieurs mots."
        return results
    corrected = _corrected(query_text)
    if corrected != query_text:
        results.suggestion = corrected
    query_terms = list(dict.fromkeys(terms(repaired(f"{query_text} {corrected}"))))
    related_terms = [term for term in terms(expansions(query_text)) if term not in query_terms]
    if not query_terms:
        results.message = "Ces mots sont trop courants pour être cherchés : précisez."
        return results
    # The words asked, as corrected: what "every word" and "in this order" are about.
    asked = list(dict.fromkeys(terms(repaired(corrected))))
    _answer(results, (query_terms, list(dict.fromkeys(related_terms)), asked), filters, member)
    return results


def _answer(
    results: Results,
    terms_: tuple[list[str], list[str], list[str]],
    filters: Filters,
    member: bool,
) -> None:
    """Facet counts, total, and the hits of the page asked (the last one past the end), for
    the query's terms, the related ones (acronyms and expansions) and the words asked."""
    query_terms, related_terms, asked = terms_
    searchable = index.index()
    searcher, schema = searchable.searcher(), searchable.schema
    unfiltered = _matching(schema, query_terms, related_terms, Filters(), member)
    results.facets = _facets(searcher, unfiltered)
    filtered = filters != Filters()
    matching = unfiltered
    if filtered:
        matching = _matching(schema, query_terms, related_terms, filters, member)
    else:  # every entry has one kind: the kinds' counts add up to the matches
        results.total = sum(results.facets["kind"].values())
    if results.total and results.page > results.pages:
        results.page = results.pages
    wanted = results.page * results.per_page
    ranking = _ranked(searcher, schema, matching, asked, wanted, count=filtered)
    if filtered:
        results.total = ranking.count
        if results.total and results.page > results.pages:
            results.page = results.pages
    offset = (results.page - 1) * results.per_page
    snippets = tantivy.SnippetGenerator.create(searcher, matching, schema, "body")
    snippets.set_max_num_chars(EXCERPT_CHARS)
    labels = kind_labels()
    results.hits = [
        _hit(ranking.document(searcher, address), snippets, labels)
        for address in ranking.addresses[offset : offset + results.per_page]
    ]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text or "").split())[:MAX_QUERY_CHARS]


# ------------------------------------------------------------------ typos


def _known(word: str, vocabulary: dict[str, int]) -> bool:
    return word in vocabulary or word.upper() in acronyms() or len(word) < TYPO_MIN_LENGTH


def _corrected(text: str) -> str:
    """The query with each unknown word of five letters or more replaced by the most frequent
    indexed word one edit away ("monaie" → "monnaie"); known words are left as typed."""
    vocabulary = index.vocabulary()
    if not vocabulary:
        return text
    by_length = index.vocabulary_by_length()
    out = []
    for word in words(text):
        if _known(word, vocabulary):
            out.append(word)
            continue
        candidates = [w for size in (-1, 0, 1) for w in by_length.get(len(word) + size, ())]
        near = process.extract(
            word, candidates, scorer=Levenshtein.distance, score_cutoff=1, limit=None
        )
        # A word the person stopped typing ("cooperativ") is the start of the right one.
        out.append(
            max(near, key=lambda match: (match[0].startswith(word), vocabulary[match[0]]))[0]
            if near
            else word
        )
    corrected = " ".join(out)
    return text if corrected == " ".join(words(text)) else corrected


# ------------------------------------------------------------------ the query


def _matching(
    schema: tantivy.Schema,
    query_terms: list[str],
    related_terms: list[str],
    filters: Filters,
    member: bool,
):
    """What matches: any of the terms, in the title (most), the text or its expansions; the
    words of an acronym's expansion (or the acronym of an expansion) count less."""
    Occur = tantivy.Occur
    should = [
        (Occur.Should, _boosted(tantivy.Query.term_query(schema, name, term), boost * weight))
        for terms_, weight in ((query_terms, 1.0), (related_terms, RELATED_WEIGHT))
        for term in terms_
        for name, boost in FIELD_BOOSTS
    ]
    clauses = [(Occur.Must, tantivy.Query.boolean_query(should))]
    for name, value in (
        ("kind", filters.kind),
        ("themes", filters.theme),
        ("region", filters.region),
        ("level", filters.level),
    ):
        if value:
            clauses.append((Occur.Must, tantivy.Query.term_query(schema, name, value)))
    if filters.year:
        clauses.append((Occur.Must, tantivy.Query.term_query(schema, "year", filters.year)))
    if not member:
        clauses.append((Occur.MustNot, tantivy.Query.term_query(schema, "members_only", 1)))
    return tantivy.Query.boolean_query(clauses)


@dataclass
class _Ranking:
    addresses: list  # of tantivy.DocAddress, best first
    documents: dict  # the entries already read, by address
    count: int

    def document(self, searcher: tantivy.Searcher, address) -> tantivy.Document:
        found = self.documents.get(_place(address))
        return found if found is not None else searcher.doc(address)


def _ranked(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    matching,
    asked: list[str],
    wanted: int,
    *,
    count: bool,
) -> _Ranking:
    """The matches best first. Their words rank them (BM25, a query Tantivy answers fast
    however many entries match); then the best RERANK_WINDOW are ranked again with what only
    a few deserve to be checked for: every word present, the words in the order typed. Checked
    over all the matches, these two cost most of the time of a query of common words
    ("économie sociale" matches nine entries in ten at 100 000 passages)."""
    found = searcher.search(matching, limit=max(RERANK_WINDOW, wanted), count=count)
    hits, documents = found.hits, {}
    if len(asked) > 1 and len(hits) > 1:
        window = hits[:RERANK_WINDOW]
        documents = {_place(address): searcher.doc(address) for _, address in window}
        keys = [document.get_first("key") for document in documents.values()]
        bonuses = {
            _place(address): score
            for score, address in searcher.search(
                _bonus(schema, asked, keys), limit=len(window), count=False
            ).hits
        }
        window = sorted(window, key=lambda hit: -(hit[0] + bonuses.get(_place(hit[1]), 0.0)))
        hits = window + hits[RERANK_WINDOW:]
    return _Ranking([address for _, address in hits], documents, found.count or 0)


def _bonus(schema: tantivy.Schema, asked: list[str], keys: list[str]):
    """Among the entries `keys`, scored by what they add to their words' score: every word
    somewhere (title, text or expansions) — what was asked, not one word of it — and the words
    in the order typed, close together, in the title or the text."""
    Occur, Query = tantivy.Occur, tantivy.Query
    every = [
        (
            Occur.Must,
            Query.boolean_query(
                [(Occur.Should, Query.term_query(schema, name, term)) for name, _ in FIELD_BOOSTS]
            ),
        )
        for term in asked
    ]
    clauses = [
        (Occur.Must, Query.const_score_query(Query.term_set_query(schema, "key", keys), 0.0)),
        (Occur.Should, _boosted(Query.boolean_query(every), ALL_TERMS_WEIGHT)),
    ]
    for name, boost in FIELD_BOOSTS[:2]:
        phrase = Query.phrase_query(schema, name, asked, slop=PHRASE_SLOP)
        clauses.append((Occur.Should, _boosted(phrase, boost * PHRASE_WEIGHT)))
    return Query.boolean_query(clauses)


def _place(address) -> tuple[int, int]:
    return address.segment_ord, address.doc


def _boosted(query, boost: float):
    return tantivy.Query.boost_query(query, boost)


def _hit(document: tantivy.Document, snippets: tantivy.SnippetGenerator, labels: dict) -> Hit:
    fields = document.to_dict()
    kind = _first(fields, "kind")
    excerpt = snippets.snippet_from_doc(document).to_html()
    if not excerpt:  # the match is in the title only: the start of the text
        excerpt = html.escape(_first(fields, "body")[:EXCERPT_CHARS])
    year = _first(fields, "year") or None
    return Hit(
        title=_first(fields, "title"),
        url=_first(fields, "url"),
        kind=kind,
        kind_label=labels.get(kind, kind),
        # Tantivy escapes the text and adds only <b> around the matched words.
        excerpt=mark_safe(excerpt.replace("<b>", "<mark>").replace("</b>", "</mark>")),
        year=year,
        members_only=bool(_first(fields, "members_only")),
    )


def _first(fields: dict, name: str) -> object:
    values = fields.get(name) or [""]
    return values[0]


def _facets(searcher: tantivy.Searcher, query) -> dict[str, dict[str, int]]:
    """Counts per value of each facet among all the matches (filters left aside, so that each
    count says what choosing that value gives)."""
    spec = {name: {"terms": {"field": name, "size": 30}} for name in FACETS}
    answer = searcher.aggregate(query, spec)
    return {
        name: {
            str(bucket["key"]): bucket["doc_count"]
            for bucket in answer.get(name, {}).get("buckets", [])
            if bucket["key"] not in ("", 0)
        }
        for name in FACETS
    }
