"""One document in, its facts out: the text read page by page, cleaned, run through spaCy
once, then the extractors. The result is the JSON object `essor ingest --json` prints (the
shape is in this module's README)."""

from dataclasses import dataclass

from essor.ingest import facts as small_facts
from essor.ingest.cleaning import Line, page_lines
from essor.ingest.nlp import french, is_word
from essor.ingest.people import PeopleCollector, entity_people, structured_people
from essor.ingest.places import (
    PlaceCollector,
    address_places,
    institution_places,
    location_places,
)
from essor.ingest.programme import main_event, sessions_in
from essor.library.extraction import extract
from essor.library.models import TextStatus

BATCH_SIZE = 128


@dataclass
class Entities:
    persons: list[tuple[str, Line, str]]
    locations: list[tuple[str, Line]]
    organisations: list[tuple[str, Line]]


def analyse(file_name: str, data: bytes) -> dict:
    """The facts of one file. Raises library.extraction.ExtractionError (a French message)
    for a file that cannot be read; a PDF without text gives no facts and `needs_ocr`."""
    extraction = extract(file_name, data)
    facts = {
        "path": file_name,
        "page_count": len(extraction.pages),
        "message": extraction.message,
        "needs_ocr": extraction.status == TextStatus.NEEDS_OCR,
    }
    if facts["needs_ocr"]:
        return {
            **_empty(),
            **facts,
            "title": file_name,
            "kind": "document",
            "library_kind": "autre",
        }
    return {**facts, **analyse_pages(extraction.pages)}


def _empty() -> dict:
    keys = (
        "dates",
        "people",
        "places",
        "organisations",
        "events",
        "initiatives",
        "figures",
        "links",
        "emails",
    )
    return {key: [] for key in keys} | {"word_count": 0}


def analyse_pages(pages: list[str]) -> dict:
    lines = page_lines(pages, is_word)
    entities = named_entities(lines)
    people = PeopleCollector()
    mentions = structured_people(lines, people)
    entity_people(entities.persons, people)
    places = PlaceCollector()
    institution_places(lines, places)
    address_places(lines, places)
    location_places(entities.locations, places)
    place_rows = [place.as_dict() for place in places.places.values()]
    dates = small_facts.document_dates(lines)
    sessions = sessions_in(lines, mentions)
    kind, library_kind = small_facts.document_kind(lines, has_programme=len(sessions) >= 2)
    event = main_event(lines, sessions, place_rows, dates)
    title, title_source = small_facts.document_title(lines, kind, event["title"] if event else "")
    return {
        "title": title,
        "title_source": title_source,
        "kind": kind,
        "library_kind": library_kind,
        "dates": dates,
        "word_count": sum(len(line.text.split()) for line in lines),
        "people": [person.as_dict() for person in people.people.values()],
        "places": place_rows,
        "organisations": small_facts.organisations_in(lines, entities.organisations, is_word),
        "events": [event] if event else [],
        "initiatives": small_facts.initiatives_in(lines),
        "figures": small_facts.figures_in(lines),
        "links": small_facts.links_in(lines),
        "emails": small_facts.emails_in(lines),
    }


def named_entities(lines: list[Line]) -> Entities:
    """Persons, locations and organisations the model finds, line by line (a logical line
    is a paragraph or a list item: the context the model needs, and the passage to cite)."""
    entities = Entities([], [], [])
    texts = (line.text for line in lines)
    for line, doc in zip(lines, french().pipe(texts, batch_size=BATCH_SIZE), strict=True):
        for entity in doc.ents:
            if entity.label_ == "PER":
                entities.persons.append((entity.text, line, line.text[entity.end_char :]))
            elif entity.label_ == "LOC":
                entities.locations.append((entity.text, line))
            elif entity.label_ == "ORG":
                entities.organisations.append((entity.text, line))
    return entities
