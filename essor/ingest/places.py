"""Places a document names, resolved to official territories through `territories`.

Two kinds of mention are looked for: an authority named by its institution ("conseil général
du Pas de Calais", "communauté d'agglomération du Boulonnais", "Ville de Caen", "Région
Bretagne", "Brest Métropole Océane"), which the resolver accepts from its confidence threshold;
and a place the model tags as a location ("à Rennes", "en Corrèze"), accepted only with a
higher score, since a bare capitalised word is more often something else. One place per
territory and document, with the first passage naming it."""

import re
from dataclasses import dataclass

from essor.ingest.cleaning import Line
from essor.territories.selectors import CONFIDENT, resolve_best

# Accepting a bare location needs more than an institution mention does.
BARE_LOCATION_SCORE = 0.9

_UPPER = "A-ZÀÂÄÉÈÊËÎÏÔÖÛÜÙÇŒ"
_PLACE_WORD = rf"[{_UPPER}][\wàâäéèêëîïôöûüùç'’]*(?:-[\w'’]+)*"
_LINK = r"(?:\s(?:de|du|des|d['’]|sur|sous|en|la|le|les|l['’]|et|aux?|lès|lez)\s?)"
_PLACE_NAME = rf"{_PLACE_WORD}(?:(?:{_LINK}|\s|-){_PLACE_WORD}){{0,4}}"
_INSTITUTION = re.compile(
    r"(?P<mention>\b(?i:conseil\s(?:régional|général|départemental)|conseil\smunicipal|région|"
    r"département|communauté\s(?:d['’]agglomération|urbaine|de\scommunes)|"
    r"agglomération|métropole|ville|mairie|commune|collectivité|pays|CA|CU|CC)"
    rf"\s(?:(?i:de\sla|de\sl['’]|des|du|de|d['’]|en)\s?)?{_PLACE_NAME}"
    rf"|{_PLACE_NAME}\s(?:Métropole|Agglomération|Agglo)(?:\s{_PLACE_WORD})?)"
)
# "33077 BORDEAUX Cedex": the town of a postal address, its département from the code.
_POSTAL_TOWN = re.compile(
    r"(?<!\d)(?P<postcode>\d{2}\s?\d{3})\s+(?P<town>[A-ZÀ-Ü][\w'’-]*(?:[ -][\w'’-]+){0,4}?)"
    r"(?=\s*(?:(?i:cedex)\b|$|,|\s-\s|\s–\s))"
)
# "NOUVION SUR MEUSE (08)", "à BOULOGNE-SUR-MER": a town written in capitals.
_CAPITAL_TOWN = re.compile(
    r"(?P<town>\b[A-ZÀ-Ü]{2,}(?:['’ -][A-ZÀ-Ü]{2,}){0,4})(?:\s\((?P<department>\d[\dAB])\))?"
)
_CAPITAL_BEFORE = re.compile(r"(?:\bà|\ben|\bde|\bsur|\d{5})\s$")
# A word that follows a place in a mention without being part of its name.
_TRAILING = re.compile(r"(?:\s(?:et|de|du|des|en|la|le|les|d['’]|l['’]|aux?))+$", re.IGNORECASE)


@dataclass
class Place:
    text: str
    kind: str
    code: str
    name: str
    score: float
    source: dict

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class PlaceCollector:
    def __init__(self) -> None:
        self.places: dict[tuple[str, str], Place] = {}
        self._resolved: dict[tuple[str, float], object] = {}

    def add(self, mention: str, line: Line, threshold: float = CONFIDENT) -> Place | None:
        mention = _TRAILING.sub("", mention.strip(' ,.;:«»"“”'))
        if mention.count("(") != mention.count(")"):
            mention = mention.strip("()")
        if len(mention) < 3:
            return None
        found = self._resolve(mention, threshold)
        if found is None:
            return None
        key = (found.kind, found.code)
        if key not in self.places:
            self.places[key] = Place(
                mention,
                found.kind,
                found.code,
                found.name,
                round(found.score, 3),
                line.source(),
            )
        return self.places[key]

    def _resolve(self, mention: str, threshold: float) -> object:
        # The same mention recurs throughout a document: resolve it once.
        cache_key = (mention, threshold)
        if cache_key not in self._resolved:
            found = resolve_best(mention)
            self._resolved[cache_key] = found if found and found.score >= threshold else None
        return self._resolved[cache_key]


def institution_places(lines: list[Line], collector: PlaceCollector) -> None:
    for line in lines:
        for match in _INSTITUTION.finditer(line.text):
            mention = match.group("mention")
            if mention.split()[0].isupper() and mention.split()[0] not in {"CA", "CU", "CC"}:
                continue
            collector.add(mention, line)


def address_places(lines: list[Line], collector: PlaceCollector) -> None:
    """Towns of postal addresses and towns written in capitals after "à" or with their
    département: an info sheet's address names its authority's seat."""
    for line in lines:
        for match in _POSTAL_TOWN.finditer(line.text):
            town = match.group("town")
            collector.add(f"{town} ({match.group('postcode')[:2]})", line)
        for match in _CAPITAL_TOWN.finditer(line.text):
            department = match.group("department")
            if department:
                collector.add(f"{match.group('town')} ({department})", line)
            elif (
                _CAPITAL_BEFORE.search(line.text[: match.start()]) and len(match.group("town")) > 3
            ):
                collector.add(match.group("town"), line, BARE_LOCATION_SCORE)


def location_places(entities: list[tuple[str, Line]], collector: PlaceCollector) -> None:
    """Locations the model tags, unless a compass word ("le Sud") or the start of a longer
    name the model cut ("Sud Aquitain", "Clermont Auvergne Métropole")."""
    for text, line in entities:
        if not text[:1].isupper() or text.strip() in _COMPASS:
            continue
        after = line.text[line.text.find(text) + len(text) :]
        if re.match(r"\s[A-ZÀ-Ü]", after):
            continue
        collector.add(text, line, BARE_LOCATION_SCORE)


_COMPASS = frozenset(["Nord", "Sud", "Est", "Ouest", "Centre", "Midi", "Outre-mer", "Ouest"])
