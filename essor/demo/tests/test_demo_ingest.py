"""The demo reads the seeds through the ingestion pipeline: each document in the review queue
with its candidates, linked to the library's publication of the same file; a second load reads
nothing again and adds nothing."""

import pytest

from essor.demo.ingest import ingest_demo_load
from essor.ingest.models import Candidate, CandidateKind, CandidateStatus, IngestedDocument
from essor.ingest.reading import corpus_files
from essor.library.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo) -> int:
    """How many seeds the demo published in the library (the shared demo, loaded once)."""
    count = Publication.objects.count()
    if not count:
        pytest.skip("documents sources absents (../shared/seeds)")
    return count


def test_the_seeds_go_through_the_pipeline_into_the_review_queue(demo, published):
    # `demo` loaded an empty database: every seed was read by this first load.
    assert len(corpus_files()) == published
    assert f"{published} documents ingérés ({published} lus maintenant)" in demo.output
    assert IngestedDocument.objects.count() == published
    # People and territories wait for an editor; the document is linked to its publication.
    assert Candidate.objects.filter(kind=CandidateKind.PERSON, status="pending").count() > 50
    assert Candidate.objects.filter(kind=CandidateKind.PLACE, status="pending").count() > 40
    links = Candidate.objects.filter(kind=CandidateKind.PUBLICATION)
    assert links.count() == published
    assert {candidate.record for candidate in links} == set(Publication.objects.all())
    assert all(candidate.status == CandidateStatus.ACCEPTED for candidate in links)


def test_a_second_load_reads_nothing_and_adds_nothing(published):
    counts = (IngestedDocument.objects.count(), Candidate.objects.count())
    again = ingest_demo_load()
    assert again.read_now == 0
    assert (IngestedDocument.objects.count(), Candidate.objects.count()) == counts
    assert Publication.objects.count() == published


def test_without_seeds_the_queue_stays_empty_with_a_line_that_says_so(settings, tmp_path):
    settings.ESSOR_CORPUS_DIR = str(tmp_path / "absent")
    report = ingest_demo_load()
    assert report.documents == 0
    assert "aucun document source" in report.skipped[0]
