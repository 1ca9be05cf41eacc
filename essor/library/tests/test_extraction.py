"""Text extraction from uploaded files: real PDFs with and without a text layer, and every kind
of bad input refused with a French message (empty, corrupt, encrypted, binary, too big)."""

import base64
import io

import pytest
import weasyprint
from PIL import Image
from pypdf import PdfReader, PdfWriter

from essor.library.extraction import (
    NEEDS_OCR_MESSAGE,
    ExtractionError,
    extract,
    text_pages,
)
from essor.library.models import TextStatus

TWO_PAGES_HTML = """<!doctype html><html lang="fr"><body>
<p>Coopérer pour changer d'échelle : rencontre du Grand Ouest.</p>
<p style="break-before: page">Économie sociale et solidaire, deuxième page.</p>
</body></html>"""


def pdf_with_text() -> bytes:
    return weasyprint.HTML(string=TWO_PAGES_HTML).write_pdf()


def pdf_image_only() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="PNG")
    source = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return weasyprint.HTML(string=f'<img src="{source}" alt="">').write_pdf()


def pdf_encrypted(password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text())))
    writer.encrypt(user_password=password, owner_password="owner")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_a_pdf_text_layer_is_read_page_by_page():
    result = extract("actes.pdf", pdf_with_text())
    assert result.status == TextStatus.EXTRACTED
    assert len(result.pages) == 2
    assert "rencontre du Grand Ouest" in result.pages[0]
    assert "deuxième page" in result.pages[1]
    assert "deuxième page" not in result.pages[0]
    assert result.message == "Texte extrait : 2 pages."


def test_the_pdf_is_told_by_its_content_not_its_name():
    result = extract("actes.txt", pdf_with_text())
    assert result.is_pdf and len(result.pages) == 2


def test_a_pdf_without_text_layer_is_accepted_and_flagged_for_ocr():
    result = extract("scan.pdf", pdf_image_only())
    assert result.status == TextStatus.NEEDS_OCR
    assert result.message == NEEDS_OCR_MESSAGE
    assert result.pages == [""]


def test_an_encrypted_pdf_is_refused_clearly():
    with pytest.raises(ExtractionError, match="protégé par un mot de passe"):
        extract("protege.pdf", pdf_encrypted("secret"))


def test_a_pdf_encrypted_with_an_empty_password_is_read():
    result = extract("restreint.pdf", pdf_encrypted(password=""))
    assert "deuxième page" in result.pages[1]


def test_a_truncated_pdf_is_refused_as_damaged():
    data = pdf_with_text()
    with pytest.raises(ExtractionError, match="PDF endommagé ou incomplet"):
        extract("coupe.pdf", data[: len(data) // 3])


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, b"PK\x03\x04" + b"\x00\x01\x02" * 500],
    ids=["png", "zip"],
)
def test_a_binary_renamed_pdf_is_refused(data):
    with pytest.raises(ExtractionError, match="n'est ni un PDF ni un fichier texte"):
        extract("rapport.pdf", data)


def test_other_binary_files_are_refused():
    with pytest.raises(ExtractionError, match="n'est ni un PDF ni un fichier texte"):
        extract("rapport.docx", b"PK\x03\x04" + b"\x00\x01\x02" * 500)


def test_text_named_pdf_is_refused_rather_than_stored_as_a_false_pdf():
    with pytest.raises(ExtractionError, match=r"porte l'extension \.pdf"):
        extract("faux.pdf", b"Du texte, pas un PDF.")


def test_an_empty_file_is_refused():
    with pytest.raises(ExtractionError, match="est vide"):
        extract("vide.pdf", b"")
    with pytest.raises(ExtractionError, match="aucun texte"):
        extract("blanc.txt", b"  \n\n ")


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.ESSOR_LIBRARY_MAX_BYTES = 1024 * 1024
    with pytest.raises(ExtractionError, match="la limite est de 1 Mo"):
        extract("gros.txt", b"a" * (1024 * 1024 + 1))
    assert extract("juste.txt", b"a" * (1024 * 1024)).pages


def test_windows_1252_text_is_read_with_its_accents_and_quotes():
    data = "L’économie « solidaire » : 5 € et œuvres.\n".encode("cp1252")
    result = extract("note.txt", data)
    assert result.pages == ["L’économie « solidaire » : 5 € et œuvres.\n"]
    assert "Windows-1252" in result.message


def test_latin_1_bytes_outside_windows_1252_never_crash():
    result = extract("vieux.txt", "Élu à Nîmes".encode("latin-1") + b"\x81")
    assert result.pages[0].startswith("Élu à Nîmes")


def test_utf8_with_bom_loses_its_bom_and_nul_characters():
    data = "\ufeffPremière ligne\x00.\r\nSeconde.".encode()
    result = extract("bom.md", data)
    assert result.pages == ["Première ligne.\nSeconde."]
    assert "Encodage" not in result.message


def test_decomposed_accents_are_normalised_to_nfc():
    result = extract("nfd.txt", "Re\u0301gion".encode())
    assert result.pages == ["Région"]


def test_form_feeds_make_the_pages():
    result = extract("pdftotext.txt", b"Page un\n\fPage deux\n\fPage trois\n\f")
    assert result.pages == ["Page un\n", "Page deux\n", "Page trois\n"]


def test_long_text_is_cut_into_pages_at_line_breaks():
    lines = [f"Ligne {number:03d} " + "x" * 90 + "\n" for number in range(100)]
    pages = text_pages("".join(lines), size=3000)
    assert len(pages) == 4
    assert all(len(page) <= 3000 and page.endswith("\n") for page in pages)
    assert "".join(pages) == "".join(lines)


def test_a_line_longer_than_a_page_is_cut_at_a_space():
    pages = text_pages("mot " * 2000, size=3000)
    assert "".join(pages) == "mot " * 2000
    assert all(len(page) <= 3000 and page.endswith(" ") for page in pages)
