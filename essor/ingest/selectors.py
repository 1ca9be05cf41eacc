"""Reads of ingestion: the review queue, the candidates of a document, the source passages of
a record, and the look-ups that tell whether a candidate names something already known."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet

from essor.core.text import fold
from essor.ingest.models import Candidate, CandidateKind, CandidateStatus, IngestedDocument
from essor.initiatives.models import Initiative
from essor.members.models import Organisation

# The order in which a document's candidates are shown to the editor.
KIND_ORDER = [
    CandidateKind.PUBLICATION,
    CandidateKind.PERSON,
    CandidateKind.PLACE,
    CandidateKind.ORGANISATION,
    CandidateKind.INITIATIVE,
    CandidateKind.EVENT,
]


def documents_with_counts(pending_only: bool = False) -> QuerySet[IngestedDocument]:
    """The documents read, newest first, each with its pending/accepted/rejected counts."""
    documents = IngestedDocument.objects.annotate(
        **{
            f"{status.value}_count": Count("candidates", filter=Q(candidates__status=status))
            for status in CandidateStatus
        }
    )
    if pending_only:
        documents = documents.filter(pending_count__gt=0)
    # Meta.ordering does not apply to an aggregating query: said again.
    return documents.select_related("ingested_by").order_by("-ingested_at", "-pk")


def document_candidates(document: IngestedDocument) -> list[tuple[str, list[Candidate]]]:
    """The candidates of a document grouped by kind, as (kind label, candidates), in the
    order an editor reviews them; their linked records are loaded in one query per kind."""
    candidates = list(document.candidates.prefetch_related("record", "reviewed_by"))
    groups = []
    for kind in KIND_ORDER:
        of_kind = [candidate for candidate in candidates if candidate.kind == kind]
        if of_kind:
            groups.append((kind, of_kind))
    return groups


def record_sources(record: models.Model) -> QuerySet[Candidate]:
    """The accepted candidates linked to a record: the passages it was taken from."""
    return (
        Candidate.objects.filter(
            record_type=ContentType.objects.get_for_model(record),
            record_id=record.pk,
            status=CandidateStatus.ACCEPTED,
        )
        .select_related("document", "reviewed_by")
        .order_by("document__ingested_at", "page", "line", "pk")
    )


def organisation_match(name: str, acronym: str = "") -> Organisation | None:
    """The organisation known under this name or acronym, with or without accents, case or
    punctuation ("RTES" matches the acronym RTES, and so does the name written out). The
    directory of organisations is short and folding is not portable in SQL: compared here."""
    wanted = {folded for folded in (fold(name), fold(acronym)) if folded}
    if not wanted:
        return None
    rows = Organisation.objects.order_by("pk").values_list("pk", "name", "acronym")
    for pk, known_name, known_acronym in rows.iterator():
        if wanted & {fold(known_name), fold(known_acronym)} - {""}:
            return Organisation.objects.get(pk=pk)
    return None


def initiative_match(name: str) -> Initiative | None:
    """The initiative (published or draft) whose name folds to the same words."""
    wanted = fold(name)
    if not wanted:
        return None
    rows = Initiative.objects.order_by("pk").values_list("pk", "name")
    for pk, known in rows.iterator():
        if fold(known) == wanted:
            return Initiative.objects.get(pk=pk)
    return None
