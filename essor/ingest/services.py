"""Writes of ingestion: a file read by the pipeline becomes a document with its candidates,
once per content. Reading the same file again adds what a better extraction finds and never
duplicates a candidate nor forgets an editor's decision."""

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from essor.core.text import fold
from essor.ingest.models import Candidate, CandidateKind, IngestedDocument
from essor.ingest.pipeline import analyse
from essor.library.extraction import ExtractionError


@dataclass
class IngestResult:
    """What became of one file: its facts, or the French message saying why it was refused."""

    path: str
    facts: dict = field(default_factory=dict)
    error: str = ""
    document: IngestedDocument | None = None
    new_candidates: int = 0

    @property
    def ok(self) -> bool:
        return not self.error


def ingest_bytes(
    path: str, data: bytes, *, store: bool, user: object | None = None
) -> IngestResult:
    """Analyse one file; with `store`, keep it with its candidates for review. A refused file
    (empty, corrupt, encrypted, too big, binary) gives a result with its message and writes
    nothing."""
    try:
        facts = analyse(PurePath(path).name, data)
    except ExtractionError as error:
        return IngestResult(path=path, error=str(error))
    facts["path"] = path
    result = IngestResult(path=path, facts=facts)
    if store:
        result.document, result.new_candidates = document_store(path, data, facts, user)
    return result


def document_store(
    path: str, data: bytes, facts: dict, user: object | None = None
) -> tuple[IngestedDocument, int]:
    """The document of this content (created on first reading) and how many candidates were
    new. Editors' decisions on existing candidates are kept. On any failure nothing stays:
    the database rolls back and a file stored for a new document is removed."""
    sha256 = hashlib.sha256(data).hexdigest()
    stored = None
    try:
        with transaction.atomic():
            document = IngestedDocument.objects.filter(sha256=sha256).first()
            if document is None:
                document = IngestedDocument(sha256=sha256, file_name=PurePath(path).name[:255])
                document.ingested_by = user if getattr(user, "pk", None) else None
                document.file.save(_stored_name(path, sha256), ContentFile(data), save=False)
                stored = document.file
            return document, _facts_write(document, facts)
    except BaseException:
        if stored is not None:
            stored.storage.delete(stored.name)
        raise


def _facts_write(document: IngestedDocument, facts: dict) -> int:
    document.title = facts.get("title", "")[:300]
    document.kind = facts.get("kind", "")[:40]
    document.dates = facts.get("dates", [])
    document.page_count = facts.get("page_count", 0)
    document.needs_ocr = bool(facts.get("needs_ocr"))
    document.message = facts.get("message", "")[:300]
    document.facts = facts
    document.save()
    known = set(document.candidates.values_list("kind", "key"))
    fresh = [
        candidate
        for candidate in candidates_from_facts(document, facts)
        if (candidate.kind, candidate.key) not in known
    ]
    Candidate.objects.bulk_create(fresh)
    return len(fresh)


def _stored_name(path: str, sha256: str) -> str:
    name = PurePath(path)
    return f"{slugify(name.stem)[:60] or 'document'}-{sha256[:8]}{name.suffix.lower()[:6]}"


def candidates_from_facts(document: IngestedDocument, facts: dict) -> list[Candidate]:
    """One candidate per person, place, organisation, event and initiative, plus the document
    itself as a publication for the library; the key makes each one unique in the document."""
    candidates = [
        _candidate(
            document,
            CandidateKind.PUBLICATION,
            "document",
            facts.get("title", ""),
            {
                "title": facts.get("title", ""),
                "kind": facts.get("library_kind", ""),
                "date": (facts.get("dates") or [None])[0],
            },
            facts.get("title_source"),
        ),
    ]
    for person in facts.get("people", []):
        candidates.append(
            _candidate(
                document,
                CandidateKind.PERSON,
                person["name"],
                person["name"],
                person,
                person.get("source"),
            )
        )
    for place in facts.get("places", []):
        candidates.append(
            _candidate(
                document,
                CandidateKind.PLACE,
                f"{place['kind']}:{place['code']}",
                place.get("name") or place["text"],
                place,
                place.get("source"),
            )
        )
    for organisation in facts.get("organisations", []):
        candidates.append(
            _candidate(
                document,
                CandidateKind.ORGANISATION,
                organisation["name"],
                organisation["name"],
                organisation,
                organisation.get("source"),
            )
        )
    for event in facts.get("events", []):
        key = f"{event['title']} {' '.join(event.get('dates', []))}"
        candidates.append(
            _candidate(
                document, CandidateKind.EVENT, key, event["title"], event, event.get("source")
            )
        )
    for initiative in facts.get("initiatives", []):
        candidates.append(
            _candidate(
                document,
                CandidateKind.INITIATIVE,
                initiative["name"],
                initiative["name"],
                initiative,
                initiative.get("source"),
            )
        )
    return candidates


def _candidate(
    document: IngestedDocument, kind: str, key: str, label: str, data: dict, source: dict | None
) -> Candidate:
    source = source or {}
    return Candidate(
        document=document,
        kind=kind,
        key=fold(key)[:250],
        label=(label or "—")[:300],
        data=data,
        page=source.get("page"),
        line=source.get("line"),
        passage=source.get("passage", ""),
    )
