"""Depositing publications: the admin screen, the `library_add` command and the service under
them. A refused file gets a French message and leaves nothing behind, rows or stored file."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from wagtail.documents import get_document_model

from essor.core.models import Theme
from essor.core.roles import GROUP_NAMES, Role
from essor.library import services
from essor.library.extraction import ExtractionError
from essor.library.models import Publication, PublicationKind, TextStatus
from essor.library.services import (
    MEMBERS_COLLECTION,
    PUBLIC_COLLECTION,
    publication_create,
    publication_publish,
    publication_text_refresh,
)
from essor.library.tests.test_extraction import pdf_encrypted, pdf_image_only, pdf_with_text

pytestmark = pytest.mark.django_db

Document = get_document_model()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


def counts() -> tuple[int, int]:
    return Publication.objects.count(), Document.objects.count()


@pytest.fixture
def editor(make_user):
    # Until essor.accounts.services.EDITOR_APPS lists "library" (asked of the lead; the test
    # below checks it), the editors' group is given the library's permissions here.
    group = Group.objects.get(name=GROUP_NAMES[Role.EDITOR])
    group.permissions.add(*Permission.objects.filter(content_type__app_label="library"))
    return make_user(Role.EDITOR)


def test_editors_hold_the_library_permissions(make_user):
    editor = make_user(Role.EDITOR)
    assert editor.has_perm("library.add_publication")
    assert editor.has_perm("library.publish_publication")


# ------------------------------------------------------------------ the admin screen


def upload(client, data: bytes, name: str = "actes_grand-ouest_2013.pdf", **fields):
    payload = {"kind": PublicationKind.PROCEEDINGS, "title": "", "date": "", **fields}
    payload["file"] = SimpleUploadedFile(name, data)
    return client.post(reverse("library_upload"), payload)


def test_an_editor_deposits_a_pdf_and_lands_on_its_draft(client, editor, media_root):
    theme = Theme.objects.create(name="Coopération", slug="cooperation")
    client.force_login(editor)
    assert client.get(reverse("library_upload")).status_code == 200

    response = upload(client, pdf_with_text(), date="2013-09-12", themes=[theme.pk])

    publication = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("publication:edit", args=[publication.pk])
    assert publication.title == "Actes grand ouest 2013"  # from the file name
    assert str(publication.date) == "2013-09-12"
    assert not publication.live and publication.latest_revision is not None
    assert list(publication.themes.all()) == [theme]
    assert publication.text_status == TextStatus.EXTRACTED
    assert publication.page_count == 2
    assert "deuxième page" in publication.pages.get(number=2).text
    assert publication.document.collection.name == PUBLIC_COLLECTION
    assert publication.document.filename.endswith(".pdf")
    page = client.get(response["Location"])
    assert "texte extrait de 2 pages" in page.content.decode()


def test_a_members_only_file_goes_to_the_members_collection(client, editor):
    client.force_login(editor)
    upload(client, pdf_with_text(), title="Dossier réservé", members_only="on")
    publication = Publication.objects.get()
    assert publication.members_only
    assert publication.document.collection.name == MEMBERS_COLLECTION


def test_a_scanned_pdf_is_saved_with_a_warning_to_run_ocr(client, editor):
    client.force_login(editor)
    response = upload(client, pdf_image_only(), name="scan.pdf")
    publication = Publication.objects.get()
    assert publication.text_status == TextStatus.NEEDS_OCR
    page = client.get(response["Location"]).content.decode()
    assert "reconnaissance de caractères (OCR)" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("protege.pdf", pdf_encrypted("secret"), "protégé par un mot de passe"),
        (
            "image.pdf",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
            "ni un PDF ni un fichier texte",
        ),
        ("vide.txt", b"", "Le fichier envoyé est vide"),
    ],
    ids=["encrypted", "binary", "empty"],
)
def test_a_refused_file_shows_why_and_saves_nothing(
    client, editor, media_root, name, data, message
):
    client.force_login(editor)
    response = upload(client, data, name=name, title="Essai")
    assert response.status_code == 200
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert counts() == (0, 0)
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused_before_reading(client, editor, settings):
    settings.ESSOR_LIBRARY_MAX_BYTES = 100
    client.force_login(editor)
    response = upload(client, b"x" * 101, name="gros.txt")
    assert "la limite est de" in response.content.decode()
    assert counts() == (0, 0)


def test_a_member_may_not_deposit(client, make_user):
    client.force_login(make_user(Role.MEMBER))
    for response in (client.get(reverse("library_upload")), upload(client, pdf_with_text())):
        assert response.status_code in (302, 403)
        assert response.get("Location", "") != reverse("library_upload")
    assert counts() == (0, 0)


def test_an_editor_without_the_permission_is_denied(client, make_user):
    user = make_user(Role.EDITOR)
    user.groups.clear()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = upload(client, pdf_with_text())
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert counts() == (0, 0)


def test_the_snippet_list_shows_the_library(client, editor):
    publication_create(
        file_name="rapport.txt",
        data="Rapport d’activité".encode(),
        kind="rapport-activite",
        title="Rapport d'activité 2017",
    )
    client.force_login(editor)
    page = client.get(reverse("publication:list")).content.decode()
    assert "Rapport d&#x27;activité 2017" in page
    assert "Texte extrait" in page


# -------------------------------------------------------------------------- the service


def test_a_failure_after_the_file_is_stored_leaves_nothing(monkeypatch, media_root):
    def broken(*args, **kwargs):
        raise RuntimeError("panne au milieu de l'écriture")

    monkeypatch.setattr(services, "_pages_write", broken)
    with pytest.raises(RuntimeError):
        publication_create(file_name="actes.pdf", data=pdf_with_text(), kind="actes", title="Actes")
    assert counts() == (0, 0)
    assert stored_files(media_root) == []


def test_slugs_stay_unique_and_publishing_makes_it_live():
    first = publication_create(file_name="a.txt", data=b"Un.", kind="actes", title="Actes 2013")
    second = publication_create(file_name="b.txt", data=b"Deux.", kind="actes", title="Actes 2013")
    assert (first.slug, second.slug) == ("actes-2013", "actes-2013-2")
    publication_publish(second)
    assert list(Publication.objects.published()) == [second]


def test_a_pdf_sent_as_text_is_kept_as_a_pdf():
    publication = publication_create(
        file_name="actes.txt", data=pdf_with_text(), kind="actes", title="Actes"
    )
    assert publication.document.filename.endswith(".pdf")


def test_the_text_is_extracted_again_from_the_file():
    publication = publication_create(
        file_name="note.txt", data=b"Page un\fPage deux", kind="autre", title="Note"
    )
    publication.pages.all().delete()
    extraction = publication_text_refresh(publication)
    assert extraction.pages == ["Page un", "Page deux"]
    assert list(publication.pages.values_list("text", flat=True)) == ["Page un", "Page deux"]


# -------------------------------------------------------------------------- the command


def test_the_command_adds_good_files_and_reports_the_bad_ones(tmp_path, capsys):
    folder = tmp_path / "lot"
    folder.mkdir()
    (folder / "actes.pdf").write_bytes(pdf_with_text())
    (folder / "note-cp1252.txt").write_bytes("Élus à l’œuvre".encode("cp1252"))
    (folder / "protege.pdf").write_bytes(pdf_encrypted("secret"))
    (folder / "vide.txt").write_bytes(b"")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_image_only())

    with pytest.raises(CommandError) as raised:
        call_command(
            "library_add",
            str(folder),
            str(scan),
            str(tmp_path / "absent.pdf"),
            kind="actes",
            publish=True,
        )

    assert raised.value.returncode == 1
    out, err = capsys.readouterr()
    assert "ok      " in out and "3 ajouté(s), 3 refusé(s)." in out
    assert "protégé par un mot de passe" in err
    assert "vide.txt » est vide" in err
    assert "absent.pdf : fichier ou dossier introuvable" in err
    assert "OCR requis" in out
    titles = set(Publication.objects.published().values_list("title", flat=True))
    assert titles == {"Actes", "Note cp1252", "Scan"}
    assert Publication.objects.get(title="Note cp1252").pages.get().text == "Élus à l’œuvre"


def test_the_command_succeeds_when_every_file_is_added(tmp_path, capsys):
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nDu texte.", encoding="utf-8")
    call_command("library_add", str(note), kind="autre", members_only=True)
    publication = Publication.objects.get()
    assert publication.members_only and not publication.live
    assert publication.document.filename.endswith(".txt")  # Wagtail's documents refuse .md
    assert "1 ajouté(s), 0 refusé(s)." in capsys.readouterr().out


def test_an_unreadable_file_is_an_extraction_error_not_a_crash():
    with pytest.raises(ExtractionError):
        publication_create(file_name="x.pdf", data=b"%PDF-1.7 garbage", kind="autre", title="X")
    assert counts() == (0, 0)


def test_a_publication_added_with_a_chosen_document_gets_its_text(client, editor):
    document = Document.objects.create(
        title="Note", file=SimpleUploadedFile("note.txt", b"Page un\fPage deux")
    )
    client.force_login(editor)
    response = client.post(
        reverse("publication:add"),
        {"title": "Note", "slug": "note", "kind": "autre", "document": document.pk},
    )
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.text_status == TextStatus.EXTRACTED
    assert list(publication.pages.values_list("text", flat=True)) == ["Page un", "Page deux"]
