"""French analysis shared by indexing and querying: words folded (case, accents), elisions and
stop words dropped, French stemming ("coopératives" and "coopérative" meet), systematic OCR
noise corrected before anything else, and the acronyms of the field expanded both ways."""

import re
import tomllib
import uuid
from dataclasses import dataclass
from functools import cache
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
    """The folded words of a text, stop words included (for typo correction)."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class GlossaryTerm:
    acronym: str
    expansion: str
    definition: str
    variants: tuple[str, ...] = ()


_GLOSSARY_VERSION = "essor:search:glossary-version"
_glossary_memo: dict[str, object] = {}


def glossary() -> tuple[GlossaryTerm, ...]:
    """The acronyms of the managed list, read again in every process after an edit."""
    version = shared_cache.get(_GLOSSARY_VERSION, 0)
    if _glossary_memo.get("version") != version or "terms" not in _glossary_memo:
        from essor.search.models import GlossaryTerm as Row

        terms_ = tuple(
            GlossaryTerm(row.acronym, row.expansion, row.definition, row.variant_list)
            for row in Row.objects.all()
        )
        _glossary_memo.update(version=version, terms=terms_)
    return _glossary_memo["terms"]


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
    text = _OCR_ELISION.sub(r"l\1", text)
    corrections = ocr_corrections()
    return _WORD.sub(lambda match: corrections.get(fold(match.group(0)), match.group(0)), text)


def expansions(text: str) -> str:
    """What a text says in other words: the expansion of each acronym it uses ("PTCE" → "pôle
    territorial de coopération économique") and the acronym of each expansion it spells out,
    so that a search for either finds both."""
    folded = f" {' '.join(words(text))} "
    found = []
    for term in glossary():
        spellings = (term.acronym, *term.variants)
        if any(f" {fold(spelling)} " in folded for spelling in spellings):
            found.append(term.expansion)
        if f" {' '.join(words(term.expansion))} " in folded:
            found.append(term.acronym)
    return " ".join(found)
