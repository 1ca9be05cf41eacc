"""Resolving a name found in a text ("Conseil général d'Ille-et-Vilaine", "CUB", "Ville de
Fresnes") to ranked official territories, each with a confidence score between 0 and 1.

The referential and its aliases are normalised once per process into an in-memory index:
exact keys first (most mentions are the official name or a known alias once accents,
elisions, articles and institutional prefixes are set aside), then keys folded for common OCR
confusions, then fuzzy matching with rapidfuzz for what remains. The index is rebuilt when the
referential or the aliases change (one cheap query, at most once a second).
"""

from __future__ import annotations

import math
import re
import sys
import threading
import time
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models.signals import post_delete, post_save
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from essor.territories.models import ReferentialImport, Territory, TerritoryAlias

# A candidate at or above this score is one a reader would accept without checking.
CONFIDENT = 0.75

KINDS = ("region", "departement", "epci", "ept", "commune")
GROUP_KINDS = frozenset({"epci", "ept"})
# How far down the administrative ladder a kind is: on a perfect tie (same name, same
# population: Paris the commune and the département, Mayotte the région and the
# département) the most local authority is the one people mean.
_LOCALITY = {"region": 0, "departement": 1, "epci": 2, "ept": 2, "commune": 3}
# Intercommunalities move up over time (a CC becomes a CA, a CU a métropole, a CA an EPT),
# never down: an older document naming a lower status still points at today's group.
_NATURE_RANK = {"CC": 1, "CA": 2, "CU": 3, "EPT": 3, "METRO": 4, "MET69": 4}

_STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "a", "au"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'"})
# l' d' qu' are elisions; "I'" and "1'" are how OCR reads a capital L' ("I'lsére").
_ELISION = re.compile(r"\b(?:l|d|qu|lorsqu|puisqu|i|1)'")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_NOT_LETTER = re.compile(r"[^\w']+")
_ARTICLES = frozenset({"le", "la", "les", "l'"})
# "Sceaux (92)", "Ville de Paris 75": a département number in brackets or at the end.
_DEP_CODE = re.compile(r"\(\s*(\d{2,3}|2[ab])\s*\)|\s(\d{2}|97\d|2[ab])\s*$", re.IGNORECASE)
# "62200 BOULOGNE-SUR-MER": a postal code, as in an address.
_POSTCODE = re.compile(r"\b(\d{5})\b")
_PARENTHESES = re.compile(r"\(([^)]*)\)")
# Shapes OCR confuses in these scans: rn/m, l/I/1, 0/O.
_OCR_FOLDS = (("rn", "m"), ("l", "i"), ("1", "i"), ("0", "o"))

# Words before the name that say which authority is meant: (words, kind, EPCI nature).
_PREFIXES = (
    ("conseil regional", "region", None),
    ("region", "region", None),
    ("conseil general", "departement", None),
    ("conseil departemental", "departement", None),
    ("departement", "departement", None),
    ("ville", "commune", None),
    ("mairie", "commune", None),
    ("commune", "commune", None),
    ("municipalite", "commune", None),
    ("communaute communes", "epci", "CC"),
    ("cc", "epci", "CC"),
    ("communaute agglomeration", "epci", "CA"),
    ("agglomeration", "epci", "CA"),
    ("agglo", "epci", "CA"),
    ("ca", "epci", "CA"),
    ("communaute urbaine", "epci", "CU"),
    ("cu", "epci", "CU"),
    ("eurometropole", "epci", "METRO"),
    ("metropole", "epci", "METRO"),
    ("etablissement public territorial", "ept", "EPT"),
    ("ept", "ept", "EPT"),
)
# Words anywhere in a name that mark an intercommunality ("Roannais Agglomération").
_GROUP_WORDS = (
    ("communaute communes", "CC"),
    ("communaute agglomeration", "CA"),
    ("communaute urbaine", "CU"),
    ("communaute", None),
    ("agglomeration", "CA"),
    ("agglo", "CA"),
    ("eurometropole", "METRO"),
    ("metropole", "METRO"),
)


def normalise(text: str) -> str:
    """Lower case, no accents, no elided article, one space between words, St → Saint:
    the spellings a name takes in print and in OCR collapse onto one form."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    text = _NON_WORD.sub(" ", _ELISION.sub(" ", text))
    return " ".join(_ABBREVIATIONS.get(word, word) for word in text.split())


def written(text: str) -> str:
    """A name as written, accents and articles kept, case and punctuation ignored: what
    tells "Les Fosses" from "Fosses" and "Chepy" from "Chépy" once keys have merged them."""
    return " ".join(_NOT_LETTER.sub(" ", text.translate(_APOSTROPHES).casefold()).split())


def key_words(text: str) -> list[str]:
    """The words of a name that identify it: articles and "de/et/en" are dropped because
    documents add or omit them freely ("Pays de Loire", "Vingeanne et Montsaugeonnais")."""
    return [word for word in normalise(text).split() if word not in _STOPWORDS]


def ocr_key(key: str) -> str:
    """Fold letters OCR confuses so that "Tamos" meets "Tarnos" and "llle" meets "Ille"."""
    for shape, folded in _OCR_FOLDS:
        key = key.replace(shape, folded)
    return key


def _phrases(table: Iterable[tuple]) -> list[tuple[list[str], tuple]]:
    """Pre-split phrase tables, longest first so "communauté urbaine" wins over "communauté"."""
    rows = [(phrase.split(), rest) for phrase, *rest in table]
    return sorted(rows, key=lambda row: -len(row[0]))


_PREFIX_WORDS = _phrases(_PREFIXES)
_GROUP_PHRASES = _phrases(_GROUP_WORDS)
_GROUP_LEADS = [words for words, (kind, _nature) in _PREFIX_WORDS if kind in GROUP_KINDS]


def _strip_group_words(words: list[str]) -> tuple[list[str], set[str], bool]:
    """Remove the words that name an intercommunal status wherever they are; return what is
    left, the natures those words imply and whether any was found."""
    kept, natures, found, i = [], set(), False, 0
    while i < len(words):
        for phrase, (nature,) in _GROUP_PHRASES:
            if words[i : i + len(phrase)] == phrase:
                found, i = True, i + len(phrase)
                natures.update({nature} if nature else set())
                break
        else:
            kept.append(words[i])
            i += 1
    return kept, natures, found


def _strip_lead(words: list[str], leads: list[list[str]]) -> list[str]:
    """Remove one leading phrase among `leads` ("CA", "communauté de communes")."""
    for lead in leads:
        if words[: len(lead)] == lead and len(words) > len(lead):
            return words[len(lead) :]
    return words


@dataclass(frozen=True)
class Mention:
    """What a mention says: the hints its wording gives and the keys to look up."""

    kind_hint: str | None
    nature_hint: str | None
    group_signal: bool
    keys: tuple[str, ...]
    fuzzy_keys: tuple[str, ...]
    dep_code: str | None
    postcode: str | None
    truncated: bool = False
    written: str = ""


def _location_hints(text: str) -> tuple[str | None, str | None, str]:
    """A département number and a postal code written with the name, and the text without
    the postal code."""
    dep_match = _DEP_CODE.search(text)
    dep_code = (dep_match.group(1) or dep_match.group(2)).upper() if dep_match else None
    postcode_match = _POSTCODE.search(text)
    postcode = postcode_match.group(1) if postcode_match else None
    return dep_code, postcode, _POSTCODE.sub(" ", text)


def parse_mention(text: str) -> Mention:
    """Split a mention into its institutional prefix (a kind hint), the status words of an
    intercommunality and the name itself."""
    dep_code, postcode, text = _location_hints(text)
    normalised = normalise(text).split()
    # A few official names end with a number ("CC Bresse Revermont 71"): kept as a key.
    as_written = [word for word in normalised if word not in _STOPWORDS]
    words = key_words(_DEP_CODE.sub(" ", text)) if dep_code else as_written
    kind_hint, nature_hint, rest = _prefix(text, words)
    core, natures, has_group_words = _strip_group_words(rest)
    if has_group_words and kind_hint is None:
        kind_hint = "epci"
    if nature_hint is None and natures:
        nature_hint = max(natures, key=_NATURE_RANK.__getitem__)
    keys = _unique([" ".join(as_written), " ".join(words), " ".join(rest), " ".join(core)])
    # OCR leaves stray one- or two-letter fragments where an accent or an elided article
    # was ("Cdtes of " Armor"); fuzzy matching also tries the name without them.
    sturdy = [word for word in core if len(word) > 2]
    without_fragments = " ".join(sturdy) if len(sturdy) >= 2 else ""
    return Mention(
        kind_hint=kind_hint,
        nature_hint=nature_hint,
        group_signal=kind_hint in GROUP_KINDS,
        keys=keys,
        fuzzy_keys=_unique([" ".join(rest), " ".join(core), without_fragments]),
        dep_code=dep_code,
        postcode=postcode,
        truncated=_is_truncated(text, normalised),
        written=written(_DEP_CODE.sub(" ", text)),
    )


def _is_truncated(text: str, normalised: list[str]) -> bool:
    """A mention ending on "de", "du", "l'"… was cut, typically at a line break in a PDF
    ("Ville de" / "Caen"): whatever it matches is not a sure answer."""
    if text.rstrip().endswith(("'", "’")):
        return True
    return bool(normalised) and normalised[-1] in _STOPWORDS


def _prefix(text: str, words: list[str]) -> tuple[str | None, str | None, list[str]]:
    """The kind and nature announced by the first words, and the words after them. A
    one-word prefix joined by a hyphen is part of a compound name ("Ville-d'Avray",
    "Mairie-conseils"), not a prefix."""
    compound_head = bool(re.match(r"\s*[^\s-]+-", text))
    for phrase, (kind, nature) in _PREFIX_WORDS:
        if len(phrase) == 1 and compound_head:
            continue
        if words[: len(phrase)] == phrase and len(words) > len(phrase):
            return kind, nature, words[len(phrase) :]
    return None, None, words


def _unique(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(key for key in keys if key))


@dataclass(frozen=True)
class Candidate:
    """One official territory a mention may name, with how sure the resolver is."""

    kind: str
    code: str
    name: str
    population: int | None
    score: float
    territory_id: int
    matched: str = field(default="", compare=False)

    def as_dict(self) -> dict:
        """The public shape (command --json, HTTP view): five keys, score to 3 decimals."""
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "population": self.population,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True, slots=True)
class _Place:
    """A territory as the index keeps it: plain values, no ORM object per row."""

    pk: int
    kind: str
    code: str
    name: str
    population: int | None
    natures: frozenset[str]
    departement: str
    region: str
    epci: int | None
    ept: int | None
    is_current: bool
    prior: float
    postal_codes: tuple[str, ...]
    name_key: str
    written: str


@dataclass(frozen=True, slots=True)
class _Entry:
    """One way to reach a place from a key. `direct` is False when the key is a name with
    its intercommunal status words removed ("CA du Sicoval" → "sicoval")."""

    place: int
    label: str
    direct: bool
    natures: frozenset[str]


Hits = list[tuple[_Entry, float]]


@dataclass
class _Index:
    version: tuple
    places: list[_Place]
    exact: dict[str, list[_Entry]]
    ocr: dict[str, list[_Entry]]
    fuzzy_choices: dict[str, list[str]]
    seats: frozenset[int]
    merged_choices: dict[frozenset[str], tuple[list[str], list[int]]] = field(default_factory=dict)


def _name_keys(name: str, is_group: bool) -> list[tuple[str, bool, frozenset[str]]]:
    """The keys a name is found under: the whole name and the name without what is in
    brackets. For an intercommunality, the bracketed acronym ("COGA") is a key of its own,
    and so is the name without its status words (indirect: "CA du Sicoval" → "sicoval");
    for a commune the bracket is a qualifier ("Château-Chinon (Ville)"), never a key alone."""
    words = key_words(_PARENTHESES.sub(" ", name))
    core, natures, _found = _strip_group_words(words)
    natures = frozenset(natures)
    keys = [(" ".join(words), True), (" ".join(key_words(name)), True)]
    if is_group:
        keys += [(" ".join(key_words(part)), True) for part in _PARENTHESES.findall(name)]
        keys += [(" ".join(_strip_lead(words, _GROUP_LEADS)), False), (" ".join(core), False)]
    return [(key, direct, natures) for key, direct in dict.fromkeys(keys) if key]


_SHARED_NATURES: dict[frozenset[str], frozenset[str]] = {}


def _shared(natures: Iterable[str]) -> frozenset[str]:
    """One frozenset object per distinct set of natures: tens of thousands of entries
    share a handful of values."""
    value = frozenset(natures)
    return _SHARED_NATURES.setdefault(value, value)


def _population_prior(population: int | None) -> float:
    """0 for an empty place, 1 for ten million inhabitants: a tie-breaker between homonyms."""
    return min(math.log10((population or 0) + 1) / 7, 1.0)


_PLACE_FIELDS = (
    "pk", "kind", "code", "name", "population", "nature", "departement_id", "region_id",
    "epci_id", "ept_id", "is_current", "postal_codes",
)  # fmt: skip


def _load_places() -> tuple[list[_Place], dict[int, int], frozenset[int]]:
    """Every territory as a _Place, its position by primary key, and the seats."""
    rows = list(Territory.objects.values(*_PLACE_FIELDS))
    position = {row["pk"]: i for i, row in enumerate(rows)}
    codes = {row["pk"]: row["code"] for row in rows}
    totals, seats = _commune_totals(rows)
    places = [_place(row, position, codes, totals) for row in rows]
    return places, position, frozenset(position[pk] for pk in seats)


def _commune_totals(rows: list[dict]) -> tuple[dict[int, int], set[int]]:
    """Région and département populations, which the referential does not give, summed from
    their communes; and each intercommunality's most populous commune (its seat in
    practice, which "agglomération de Roanne" refers to)."""
    totals: dict[int, int] = defaultdict(int)
    seat_of: dict[int, tuple[int, int]] = {}
    for row in rows:
        if row["kind"] != "commune":
            continue
        population = row["population"] or 0
        for parent in (row["departement_id"], row["region_id"]):
            totals[parent] += population
        for group in (row["epci_id"], row["ept_id"]):
            if group and population >= seat_of.get(group, (0, -1))[1]:
                seat_of[group] = (row["pk"], population)
    return totals, {pk for pk, _population in seat_of.values()}


def _place(row: dict, position: dict[int, int], codes: dict[int, str], totals: dict) -> _Place:
    population = row["population"]
    if population is None:
        population = totals.get(row["pk"]) or None
    words = key_words(_PARENTHESES.sub(" ", row["name"]))
    _core, natures, _found = _strip_group_words(words)
    kind, code = row["kind"], row["code"]
    return _Place(
        pk=row["pk"],
        kind=kind,
        code=code,
        name=row["name"],
        population=population,
        natures=_shared(natures | {row["nature"]} - {""}),
        departement=code if kind == "departement" else codes.get(row["departement_id"], ""),
        region=code if kind == "region" else codes.get(row["region_id"], ""),
        epci=position.get(row["epci_id"]),
        ept=position.get(row["ept_id"]),
        is_current=row["is_current"],
        prior=_population_prior(population),
        postal_codes=tuple(row["postal_codes"] or ()),
        name_key=sys.intern(" ".join(words)),
        written=written(row["name"]),
    )


def build_index(version: tuple = ()) -> _Index:
    """Normalise every official name and alias once; later look-ups are dictionary hits."""
    places, position, seats = _load_places()
    exact: dict[str, list[_Entry]] = defaultdict(list)
    for index, place in enumerate(places):
        for key, direct, natures in _name_keys(place.name, place.kind in GROUP_KINDS):
            exact[key].append(_Entry(index, place.name, direct, _shared(place.natures | natures)))
    for territory_id, alias in TerritoryAlias.objects.values_list("territory_id", "name"):
        index = position.get(territory_id)
        if index is None:
            continue
        place = places[index]
        for key, direct, natures in _name_keys(alias, place.kind in GROUP_KINDS):
            exact[key].append(_Entry(index, alias, direct, _shared(place.natures | natures)))
    exact = {key: _dedupe(entries) for key, entries in exact.items()}
    ocr: dict[str, list[_Entry]] = defaultdict(list)
    for key, entries in exact.items():
        ocr[ocr_key(key)].extend(entries)
    return _Index(version, places, exact, dict(ocr), _fuzzy_choices(exact, places), seats)


def _dedupe(entries: list[_Entry]) -> list[_Entry]:
    """One entry per place and key, the direct one when there are both."""
    best: dict[int, _Entry] = {}
    for entry in entries:
        if entry.place not in best or (entry.direct and not best[entry.place].direct):
            best[entry.place] = entry
    return list(best.values())


def _fuzzy_choices(exact: dict[str, list[_Entry]], places: list[_Place]) -> dict[str, list[str]]:
    """Keys per kind, so that a kind hint narrows the fuzzy search (and speeds it up)."""
    choices: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for key, entries in exact.items():
        for kind in {places[entry.place].kind for entry in entries}:
            choices[kind].append(key)
    return choices


# -- the index, once per process ---------------------------------------------------------

_lock = threading.Lock()
_index: _Index | None = None
_checked_at = 0.0
# Another process (an import, an editor) may change the referential: its version is read
# again at most this often, so that a batch of names costs one query, not one per name.
RECHECK_SECONDS = 1.0


def _version() -> tuple:
    """What the index depends on, in one query: the latest import and the aliases."""
    imports = connection.ops.quote_name(ReferentialImport._meta.db_table)
    aliases = connection.ops.quote_name(TerritoryAlias._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {imports}), COUNT(*), MAX(id) FROM {aliases}"  # noqa: S608
        )
        return tuple(cursor.fetchone())


def get_index() -> _Index:
    """The current index, rebuilt when the referential or the aliases have changed."""
    global _index, _checked_at
    index, now = _index, time.monotonic()
    if index is not None and now - _checked_at < RECHECK_SECONDS:
        return index
    version = _version()
    with _lock:
        if _index is None or _index.version != version:
            _index = build_index(version)
        _checked_at = time.monotonic()
        return _index


def invalidate(**_kwargs) -> None:
    """Forget the index (an editor changed a territory or an alias in this process)."""
    global _index
    _index = None


for _model in (Territory, TerritoryAlias):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"resolver-{_model.__name__}")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"resolver-d-{_model.__name__}")


# -- scoring ------------------------------------------------------------------------------


def _kind_factor(hint: str | None, kind: str) -> float:
    if hint is None or hint == kind:
        return 1.0
    if {hint, kind} == GROUP_KINDS:
        return 0.95  # a former communauté d'agglomération that became an EPT in 2016
    return 0.6


def _nature_factor(hint: str | None, natures: frozenset[str]) -> float:
    if hint is None or not natures or hint in natures:
        return 1.0
    if max(_NATURE_RANK.get(n, 0) for n in natures) > _NATURE_RANK[hint]:
        return 0.97  # the group has gone up a status since the document was written
    return 0.85


def _place_factor(mention: Mention, place: _Place) -> float:
    """Agreement with a département number or a postal code given next to the name."""
    factor = 1.0
    if mention.dep_code and place.departement and place.departement != mention.dep_code:
        factor *= 0.7
    if mention.postcode:
        if place.kind != "commune":
            factor *= 0.95  # an address names a commune
        elif mention.postcode not in place.postal_codes:
            factor *= 0.7
    return factor


def _score(index: _Index, entry: _Entry, similarity: float, mention: Mention) -> float:
    """Similarity of the key, weighed by agreement with the mention's hints, plus a small
    population prior that orders homonyms (Fresnes 94 before Fresnes 21)."""
    place = index.places[entry.place]
    factor = _kind_factor(mention.kind_hint, place.kind)
    if place.kind in GROUP_KINDS:
        factor *= _nature_factor(mention.nature_hint, entry.natures)
        if not entry.direct and not mention.group_signal:
            factor *= 0.93  # "Lyon" means the city before the Métropole de Lyon
    factor *= _place_factor(mention, place)
    factor *= 1.0 if place.is_current else 0.9
    factor *= 0.7 if mention.truncated else 1.0
    return 0.96 * similarity * factor + 0.04 * place.prior


# -- resolution ---------------------------------------------------------------------------

_FUZZY_CUTOFF = 0.75
_OCR_SIMILARITY = 0.92
_AMBIGUITY_MARGIN = 0.04


def resolve(text: str, limit: int = 5, kinds: set[str] | None = None) -> list[Candidate]:
    """Ranked candidates for a name found in a text, best first; an empty list when the
    text names nothing the referential knows. `kinds` keeps only those levels."""
    index = get_index()
    mention = parse_mention(text or "")
    allowed = frozenset(kinds) & frozenset(KINDS) if kinds else frozenset(KINDS)
    scores: dict[int, tuple[float, str]] = {}
    for stage in (_exact_hits, _ocr_hits, _fuzzy_hits):
        for entry, similarity in stage(index, mention, allowed):
            if index.places[entry.place].kind in allowed:
                score = _score(index, entry, similarity, mention)
                _keep(scores, entry.place, score, entry.label)
        if scores and max(score for score, _label in scores.values()) >= CONFIDENT:
            break
    _weigh_homonyms(index, scores, mention)
    return _ranked(index, scores, limit)


def _keep(scores: dict[int, tuple[float, str]], place: int, score: float, label: str) -> None:
    if place not in scores or score > scores[place][0]:
        scores[place] = (score, label)


def _exact_hits(index: _Index, mention: Mention, allowed: frozenset[str]) -> Hits:
    hits = [(entry, 1.0) for key in mention.keys for entry in index.exact.get(key, ())]
    return hits + _seat_hits(index, mention, hits)


def _ocr_hits(index: _Index, mention: Mention, allowed: frozenset[str]) -> Hits:
    keys = {ocr_key(key) for key in mention.keys}
    hits = [(entry, _OCR_SIMILARITY) for key in keys for entry in index.ocr.get(key, ())]
    return hits + _seat_hits(index, mention, hits)


def _fuzzy_hits(index: _Index, mention: Mention, allowed: frozenset[str]) -> Hits:
    """Edit-distance matching: a substitution (the usual OCR error) costs one edit, while
    extra words ("CRESS", "Université de") cost one per letter, which keeps organisations
    that merely contain a place name well below CONFIDENT."""
    kinds = _fuzzy_kinds(mention, allowed)
    hits: Hits = []
    for key in mention.fuzzy_keys:
        found = process.extract(
            key,
            _choices_for(index, kinds, key),
            scorer=Levenshtein.normalized_similarity,
            processor=None,  # keys and choices are normalised already
            score_cutoff=_FUZZY_CUTOFF,
            limit=10,
        )
        ambiguous = len(found) > 1 and found[1][1] >= found[0][1] - _AMBIGUITY_MARGIN
        for rank, (choice, similarity, _position) in enumerate(found):
            doubt = _fuzzy_doubt(key, choice, ambiguous) * (1.0 if rank == 0 else 0.92)
            weighed = (1 - 1.5 * (1 - similarity)) * doubt
            hits += [(entry, weighed) for entry in index.exact[choice]]
    return hits + _seat_hits(index, mention, hits)


def _fuzzy_doubt(key: str, choice: str, ambiguous: bool) -> float:
    """Lower a fuzzy match when another name is about as close ("Avise": Avize and Avoise;
    the runner-up is lowered further), or when a whole word has no counterpart ("Grand
    Ouest" is not "Grand Est")."""
    factor = 0.92 if ambiguous else 1.0
    if not (_words_covered(key, choice) and _words_covered(choice, key)):
        factor *= 0.9
    return factor


def _words_covered(key: str, other: str) -> bool:
    """Every word of three letters or more in `key` looks like some word of `other`."""
    targets = other.split()
    return all(
        max(Levenshtein.normalized_similarity(word, target) for target in targets) >= 0.7
        for word in key.split()
        if len(word) >= 3
    )


def _fuzzy_kinds(mention: Mention, allowed: frozenset[str]) -> frozenset[str]:
    """A kind hint narrows the fuzzy search; an intercommunal one keeps communes too, for
    "agglomération de <seat>"."""
    if mention.kind_hint in GROUP_KINDS:
        hinted = GROUP_KINDS | {"commune"}
    elif mention.kind_hint:
        hinted = frozenset({mention.kind_hint})
    else:
        hinted = frozenset(KINDS)
    return hinted & allowed or allowed


def _choices_for(index: _Index, kinds: frozenset[str], key: str) -> list[str]:
    """The keys of these kinds long enough and short enough to reach the cutoff: the
    list is sorted by length once per index, so each search only scans a slice."""
    if kinds not in index.merged_choices:
        merged = {key for kind in KINDS if kind in kinds for key in index.fuzzy_choices[kind]}
        ordered = sorted(merged, key=len)
        index.merged_choices[kinds] = (ordered, [len(choice) for choice in ordered])
    ordered, lengths = index.merged_choices[kinds]
    # normalised similarity ≥ cutoff needs |len(a) - len(b)| ≤ (1 - cutoff) · max(len)
    shortest = math.ceil(len(key) * _FUZZY_CUTOFF)
    longest = math.floor(len(key) / _FUZZY_CUTOFF)
    return ordered[bisect_left(lengths, shortest) : bisect_right(lengths, longest)]


def _seat_hits(index: _Index, mention: Mention, hits: Hits) -> Hits:
    """An intercommunal prefix before a commune's name ("Communauté urbaine de Lyon",
    "agglomération de Roanne") points at the group whose seat that commune is."""
    if not mention.group_signal:
        return []
    found = []
    for entry, similarity in hits:
        place = index.places[entry.place]
        if place.kind != "commune":
            continue
        for group in (place.epci, place.ept):
            if group is None:
                continue
            weight = 0.95 if entry.place in index.seats else 0.7
            natures = index.places[group].natures
            found.append((_Entry(group, entry.label, True, natures), similarity * weight))
    return found


def _weigh_homonyms(index: _Index, scores: dict[int, tuple[float, str]], mention: Mention) -> None:
    """Places with one name (Saint-Denis 93 and 974, Fresnes 94 and 41, Vienne the
    département and the commune) matched the same words: which one is meant is a matter of
    odds, taken as proportional to population, or settled by a département number or a
    postal code given with the name. A score is scaled by the square root of the place's
    share, so a lone plausible place stays sure while comparable namesakes fall below
    CONFIDENT. A commune and a département of one name and one population (Paris; Mayotte
    the région and the département) are one territory, not rivals: they share one unit."""
    groups: dict[str, dict[object, list[int]]] = defaultdict(lambda: defaultdict(list))
    for position in scores:
        place = index.places[position]
        groups[place.name_key][place.population or -position - 1].append(position)
    for units in groups.values():
        if len(units) < 2:
            continue
        weights = {unit: _homonym_weight(mention, index.places[m[0]]) for unit, m in units.items()}
        total = sum(weights.values())
        for unit, members in units.items():
            share = math.sqrt(weights[unit] / total)
            for position in members:
                score, label = scores[position]
                scores[position] = (score * share, label)


def _homonym_weight(mention: Mention, place: _Place) -> float:
    """Population, much raised when the name is written exactly as this one (article and
    accents included), all but cancelled when a département number or postal code
    disagrees."""
    weight = (place.population or 0) + 1.0
    if _written_as(mention.written, place.written):
        weight *= 50
    if mention.dep_code and place.departement and place.departement != mention.dep_code:
        weight *= 1e-6
    if mention.postcode and place.kind == "commune" and mention.postcode not in place.postal_codes:
        weight *= 1e-6
    return weight


def _written_as(mention: str, name: str) -> bool:
    """The mention is the name, or ends with it after a prefix ("ville de La Valette"),
    but not with the name stripped of its own article ("… la Valette" is not "Valette")."""
    if mention == name:
        return True
    if not mention.endswith(" " + name):
        return False
    before = mention[: -len(name) - 1].split()
    return not before or before[-1] not in _ARTICLES


def _ranked(index: _Index, scores: dict[int, tuple[float, str]], limit: int) -> list[Candidate]:
    """Best first; on an exact tie the more local authority first, then by code, so that
    the order never depends on the database's row order."""
    ordered = sorted(
        scores.items(),
        key=lambda item: (
            -round(item[1][0], 9),
            -_LOCALITY[index.places[item[0]].kind],
            index.places[item[0]].code,
        ),
    )[: max(limit, 0)]
    return [_candidate(index.places[place], score, label) for place, (score, label) in ordered]


def _candidate(place: _Place, score: float, label: str) -> Candidate:
    return Candidate(
        kind=place.kind,
        code=place.code,
        name=place.name,
        population=place.population,
        score=max(0.0, min(score, 1.0)),
        territory_id=place.pk,
        matched=label,
    )
