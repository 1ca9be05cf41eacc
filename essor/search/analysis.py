"""French analysis shared by indexing and querying: words folded (case, accents), elisions and
stop words dropped, French stemming ("coopératives" and "coopérative" meet), systematic OCR
noise corrected before anything else, and the acronyms of the field expanded both ways."""

import re
import tomllib
import unicodedata
import uuid
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import tantivy
from django.core.cache import cache as shared_cache

from essor.core.text import fold

DATA = Path(__file__).parent / "data"
ANALYZER = "fr_essor"
_WORD = re.compile(r"\w+")
# OCR reads the "l" of "l'" as a capital I; French has no word "I'" before a vowel.
_OCR_ELISION = re.compile(r"(?<![\w])I(['’])(?=[a-zàâäéèêëîïôöûüùçAEIOUYÉÈÊÀÂÎÔÛH])")


def analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"\w+"))
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("french"))
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )


@cache
def _shared_analyzer() -> tantivy.TextAnalyzer:
    return analyzer()


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (stop words dropped, stems)."""
    return _shared_analyzer().analyze(text)


def words(text: str) -> list[str]:
    """The folded words of a text, stop words included (for typo correction): what
    `essor.core.text.fold` gives, character by character through a table (folding is the
    costliest step of indexing a passage, and a rebuild indexes a hundred thousand)."""
    missing = set(text).difference(_FOLDED_CHARS)
    if missing:
        _FOLDED_CHARS.update({char: _folded_char(char) for char in missing})
        _FOLD_TABLE.update({ord(char): _FOLDED_CHARS[char] for char in missing})
    return text.translate(_FOLD_TABLE).split()


_FOLDED_CHARS: dict[str, str] = {}
_FOLD_TABLE: dict[int, str] = {}


def _folded_char(char: str) -> str:
    # Its folded letters ("é" → "e", "œ" → "oe"), nothing for an accent written apart, or a
    # space: what separates words.
    if unicodedata.combining(char):
        return ""
    return fold(char) or " "


@dataclass(frozen=True)
class GlossaryTerm:
    acronym: str
    expansion: str
    definition: str
    variants: tuple[str, ...] = ()


_GLOSSARY_VERSION = "essor:search:glossary-version"
_glossary_memo: dict[str, object] = {}


def glossary() -> tuple[GlossaryTerm, ...]:
    """The acronyms of the managed list, read again in every process after an edit (the
    same tuple until then: what is worked out from it can be kept beside it)."""
    version = shared_cache.get(_GLOSSARY_VERSION, 0)
    if _glossary_memo.get("version") != version or "terms" not in _glossary_memo:
        from essor.search.models import GlossaryTerm as Row

        terms_ = tuple(
            GlossaryTerm(row.acronym, row.expansion, row.definition, row.variant_list)
            for row in Row.objects.all()
        )
        _glossary_memo.update(version=version, terms=terms_)
    return _glossary_memo["terms"]


@dataclass(frozen=True)
class _Glossed:
    """The glossary as `expansions` reads it: each folded spelling (of an acronym, or of an
    expansion) filed under its first word, with what it adds and where (glossary order)."""

    by_first_word: dict[str, list[tuple[tuple[int, int], str, str]]]


_glossed_memo: dict[str, object] = {}


def _glossed() -> _Glossed:
    terms_ = glossary()
    if _glossed_memo.get("terms") is not terms_:
        by_first_word: dict[str, list] = {}
        for number, term in enumerate(terms_):
            spelled = [((number, 0), spelling, term.expansion) for spelling in term.variants]
            spelled[:0] = [((number, 0), term.acronym, term.expansion)]
            spelled.append(((number, 1), term.expansion, term.acronym))
            for place, spelling, adds in spelled:
                folded = words(spelling)
                if folded:
                    entry = (place, f" {' '.join(folded)} ", adds)
                    by_first_word.setdefault(folded[0], []).append(entry)
        _glossed_memo.update(terms=terms_, glossed=_Glossed(by_first_word))
    return _glossed_memo["glossed"]


def acronyms() -> frozenset[str]:
    """The acronyms of the glossary, upper case."""
    terms_ = glossary()
    if _glossed_memo.get("acronyms_of") is not terms_:
        _glossed_memo.update(
            acronyms_of=terms_, acronyms=frozenset(t.acronym.upper() for t in terms_)
        )
    return _glossed_memo["acronyms"]


def glossary_changed(**kwargs: object) -> None:
    shared_cache.set(_GLOSSARY_VERSION, uuid.uuid4().hex, None)


@cache
def ocr_corrections() -> dict[str, str]:
    """Words OCR systematically misreads, folded, and their right reading ("pdle" → "pôle")."""
    path = DATA / "ocr_corrections.toml"
    with path.open("rb") as handle:
        return {fold(wrong): right for wrong, right in tomllib.load(handle)["corrections"].items()}


def repaired(text: str) -> str:
    """The text with its systematic OCR misreadings corrected, word by word."""
    return prepared(text)[0]


def prepared(text: str) -> tuple[str, list[str]]:
    """The text repaired (`repaired`) and its folded words (`words`), each worked out once."""
    text = _OCR_ELISION.sub(r"l\1", text)
    folded = words(text)
    corrections = ocr_corrections()
    if corrections.keys().isdisjoint(folded):  # most texts: nothing to rewrite
        return text, folded
    text = _WORD.sub(lambda match: corrections.get(_folded(match.group(0)), match.group(0)), text)
    return text, words(text)


@lru_cache(maxsize=100_000)
def _folded(word: str) -> str:
    return fold(word)


def expansions(text: str) -> str:
    """What a text says in other words: the expansion of each acronym it uses ("PTCE" → "pôle
    territorial de coopération économique") and the acronym of each expansion it spells out,
    so that a search for either finds both."""
    return expansions_of(words(text))


def expansions_of(folded: list[str]) -> str:
    """`expansions` of a text given by its folded words."""
    glossed = _glossed()
    first_words = glossed.by_first_word.keys() & set(folded)
    if not first_words:
        return ""
    padded = f" {' '.join(folded)} "
    found = {
        place: adds
        for first in first_words
        for place, spelling, adds in glossed.by_first_word[first]
        if spelling in padded
    }
    return " ".join(found[place] for place in sorted(found))
