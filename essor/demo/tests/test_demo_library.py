"""The demo library: the four seeds published once with their text page by page and metadata
written for Essor; no seeds, no publication and a line that says so."""

import re
from pathlib import Path

import pytest
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import ModelLogEntry, Revision

from essor.core.models import Theme
from essor.demo.library import DEMO_NOTE, SEED_PUBLICATIONS, corpus_dir, library_demo_load
from essor.library.models import Publication, PublicationKind, PublicationPage, TextStatus

pytestmark = pytest.mark.django_db

SEEDS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(
    not SEEDS_DIR.is_dir(), reason="documents sources absents (../shared/seeds)"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def themes():
    # What the demo's themes.toml loads before the library (the whole demo takes seconds).
    names = {name for item in SEED_PUBLICATIONS for name in item.themes}
    for name in names:
        Theme.objects.get_or_create(name=name, defaults={"slug": slugify(name)})


def _counts() -> tuple[int, ...]:
    return (
        Publication.objects.count(),
        PublicationPage.objects.count(),
        get_document_model().objects.count(),
        Revision.objects.count(),
        ModelLogEntry.objects.count(),
    )


def test_the_demo_finds_the_seeds_beside_the_checkout(settings, monkeypatch):
    monkeypatch.delenv("ESSOR_CORPUS_DIR", raising=False)
    assert corpus_dir() == SEEDS_DIR
    settings.ESSOR_CORPUS_DIR = "/ailleurs/corpus"
    assert corpus_dir() == Path("/ailleurs/corpus")


@needs_seeds
def test_the_four_seeds_are_published_once_with_their_text(themes):
    report = library_demo_load(SEEDS_DIR)
    assert (report.published, report.written, report.skipped) == (4, 4, [])
    first = _counts()

    again = library_demo_load(SEEDS_DIR)

    assert (again.published, again.written) == (4, 0)
    assert _counts() == first, "loading twice must create nothing"
    by_slug = {publication.slug: publication for publication in Publication.objects.published()}
    assert set(by_slug) == {item.slug for item in SEED_PUBLICATIONS}
    rennes = by_slug["actes-rencontre-grand-ouest-rennes-2013"]
    assert rennes.kind == PublicationKind.PROCEEDINGS
    assert str(rennes.date) == "2013-09-12"
    assert rennes.text_status == TextStatus.EXTRACTED and rennes.page_count >= 10
    assert "Rennes" in rennes.pages.get(number=1).text + rennes.pages.get(number=2).text
    assert by_slug["dossier-participant-journee-cnfpt-rtes-loi-ess-2014"].kind == (
        PublicationKind.PARTICIPANT_KIT
    )
    report_2017 = by_slug["rapport-activite-rtes-2017"]
    assert report_2017.kind == PublicationKind.ACTIVITY_REPORT and report_2017.date.year == 2017
    for publication in by_slug.values():
        assert publication.summary.startswith(DEMO_NOTE)
        assert not publication.members_only
        assert publication.themes.exists()


@needs_seeds
def test_an_edited_summary_is_put_back_by_the_next_load(themes):
    library_demo_load(SEEDS_DIR)
    publication = Publication.objects.get(slug="rapport-activite-rtes-2017")
    Publication.objects.filter(pk=publication.pk).update(summary="Modifié à la main.")
    assert library_demo_load(SEEDS_DIR).written == 1
    publication.refresh_from_db()
    assert publication.summary.startswith(DEMO_NOTE) and publication.live


def test_without_seeds_the_library_is_skipped_with_a_line(tmp_path):
    report = library_demo_load(tmp_path / "absent")
    assert report.published == 0
    assert "dossier des documents sources absent" in report.skipped[0]
    assert not Publication.objects.exists()


@needs_seeds
def test_summaries_are_our_own_words():
    """No run of 8 words of the seeds in the summaries written for the demo."""
    shingles: set[tuple[str, ...]] = set()
    for path in SEEDS_DIR.glob("00*.txt"):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        shingles.update(tuple(words[i : i + 8]) for i in range(len(words) - 7))
    for item in SEED_PUBLICATIONS:
        words = re.findall(r"\w+", item.summary.lower())
        copied = [
            words[i : i + 8] for i in range(len(words) - 7) if tuple(words[i : i + 8]) in shingles
        ]
        assert not copied, f"{item.slug} reprend une phrase d'un document source : {copied[0]}"
