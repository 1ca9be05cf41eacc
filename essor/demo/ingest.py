"""The seeds read by the ingestion pipeline for the demo: each document with its candidates
in the review queue (people, territories, organisations, events…), and its publication
candidate accepted, which links it to the library's publication of the same file. Documents
already read are not read again, so a second `essor demo` costs nothing here."""

import hashlib
from dataclasses import dataclass, field

from essor.ingest.models import CandidateKind, CandidateStatus, IngestedDocument
from essor.ingest.reading import corpus_dir, corpus_files
from essor.ingest.review import candidate_accept
from essor.ingest.services import ingest_bytes


@dataclass
class IngestReport:
    documents: int = 0
    read_now: int = 0
    candidates: int = 0
    skipped: list[str] = field(default_factory=list)


def ingest_demo_load() -> IngestReport:
    report = IngestReport()
    files = corpus_files()
    if not files:
        report.skipped.append(
            f"Ingestion : aucun document source dans {corpus_dir()}, file de relecture vide."
        )
        return report
    for path in files:
        data = path.read_bytes()
        document = IngestedDocument.objects.filter(sha256=hashlib.sha256(data).hexdigest()).first()
        if document is None:
            result = ingest_bytes(path.name, data, store=True)
            if not result.ok:
                report.skipped.append(f"Ingestion : {result.error}")
                continue
            document = result.document
            report.read_now += 1
        _publication_link(document)
        report.documents += 1
        report.candidates += document.candidates.count()
    return report


def _publication_link(document: IngestedDocument) -> None:
    candidate = document.candidates.filter(
        kind=CandidateKind.PUBLICATION, status=CandidateStatus.PENDING
    ).first()
    if candidate is not None:
        candidate_accept(candidate, None)
