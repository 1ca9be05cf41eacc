"""`essor ingest`: files and folders, one JSON object per document, a clear message per bad
file while the others go on, nothing half-written, and a second reading that adds nothing."""

import contextlib
import io
import json

import pytest
from django.core.management import call_command
from pypdf import PdfWriter

from essor.ingest.models import Candidate, IngestedDocument

PROGRAMME = (
    "Rencontre régionale du 5 octobre 2021 à Lille\n\n"
    "10h – 11h / Table ronde\nLes achats publics responsables\n"
    "Animation : Martine Colas, déléguée générale, Réseau Beta\n"
    "• Olivier Perrin, vice-président, conseil départemental du Nord\n"
)


def _pdf(path, *, password: str | None = None) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    with path.open("wb") as handle:
        writer.write(handle)


def _run(*args: str) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("ingest", *args, stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    return lines, err.getvalue()


@pytest.fixture
def batch(tmp_path, settings):
    settings.ESSOR_LIBRARY_MAX_BYTES = 2000
    folder = tmp_path / "lot"
    (folder / "sous-dossier").mkdir(parents=True)
    (folder / "programme.txt").write_text(PROGRAMME, encoding="utf-8")
    (folder / "sous-dossier" / "ancien.txt").write_bytes(
        "Intervention de la Région Bretagne.".encode("cp1252")
    )
    (folder / "vide.txt").write_bytes(b"")
    (folder / "faux.pdf").write_bytes(bytes(range(256)) * 4)
    (folder / "abime.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    (folder / "trop-gros.txt").write_text("a" * 3000, encoding="utf-8")
    _pdf(folder / "scan.pdf")
    _pdf(folder / "protege.pdf", password="secret")
    (folder / ".cache.txt").write_text("caché", encoding="utf-8")
    return folder


@pytest.mark.django_db
def test_json_gives_one_object_per_document_with_the_documented_keys(batch):
    documents, _errors = _run(str(batch), "--json")
    by_name = {document["path"].rsplit("/", 1)[-1]: document for document in documents}
    assert set(by_name) == {"programme.txt", "ancien.txt", "scan.pdf"}
    programme = by_name["programme.txt"]
    for key in (
        "path",
        "title",
        "kind",
        "dates",
        "people",
        "places",
        "organisations",
        "events",
        "links",
    ):
        assert key in programme
    [session] = programme["events"][0]["sessions"]
    assert session["start"] == "10:00" and session["moderators"] == ["Martine Colas"]
    assert session["speakers"] == ["Olivier Perrin"]
    assert {person["name"] for person in programme["people"]} == {"Martine Colas", "Olivier Perrin"}
    assert programme["people"][0]["source"]["line"] >= 1
    # Read from Windows-1252 without a character lost.
    assert by_name["ancien.txt"]["places"][0]["code"] == "53"
    assert by_name["scan.pdf"]["needs_ocr"] is True
    assert IngestedDocument.objects.count() == 0  # without --review nothing is stored


@pytest.mark.django_db
def test_each_bad_file_gets_its_own_message_and_the_batch_goes_on(batch):
    _documents, errors = _run(str(batch), "--review")
    assert "« vide.txt » est vide" in errors
    assert "« faux.pdf » porte l'extension .pdf" in errors or "« faux.pdf » n'est ni" in errors
    assert "« abime.pdf » est un PDF endommagé" in errors
    assert "« trop-gros.txt » fait" in errors and "la limite est de" in errors
    assert "« protege.pdf » est un PDF protégé par un mot de passe" in errors
    assert "3 document(s) lu(s), 5 refusé(s)." in errors
    # Only the readable files were stored, nothing of the refused ones.
    assert sorted(IngestedDocument.objects.values_list("file_name", flat=True)) == [
        "ancien.txt",
        "programme.txt",
        "scan.pdf",
    ]


@pytest.mark.django_db
def test_review_stores_candidates_and_a_second_reading_adds_nothing(batch, tmp_path):
    _run(str(batch / "programme.txt"), "--review")
    document = IngestedDocument.objects.get()
    kinds = set(document.candidates.values_list("kind", flat=True))
    assert {"person", "place", "event", "publication"} <= kinds
    person = document.candidates.get(kind="person", label="Olivier Perrin")
    assert person.page == 1 and "Olivier Perrin" in person.passage
    person.status = "rejected"
    person.save()
    count = Candidate.objects.count()
    copy = tmp_path / "copie-renommee.txt"
    copy.write_bytes((batch / "programme.txt").read_bytes())
    _run(str(batch / "programme.txt"), str(copy), "--review")
    assert IngestedDocument.objects.count() == 1
    assert Candidate.objects.count() == count
    person.refresh_from_db()
    assert person.status == "rejected"  # the editor's decision is kept


@pytest.mark.django_db
def test_a_missing_path_is_reported():
    _documents, errors = _run("/nulle/part.pdf")
    assert "« /nulle/part.pdf » n'existe pas" in errors


@pytest.mark.django_db
def test_a_failure_while_storing_leaves_neither_rows_nor_file(tmp_path, settings, monkeypatch):
    from essor.ingest import services

    def broken(*args, **kwargs):
        raise RuntimeError("panne au milieu de l'écriture")

    monkeypatch.setattr(services, "candidates_from_facts", broken)
    with pytest.raises(RuntimeError):
        services.document_store("note.txt", b"Une note.", {"title": "Note"})
    assert IngestedDocument.objects.count() == 0
    media = tmp_path / "media" / "ingest"
    assert not media.exists() or not any(media.iterdir())
