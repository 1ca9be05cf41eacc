"""Text extraction from an uploaded publication file: a PDF (read with pypdf, page by page) or
a plain text file. Everything here reads bytes and returns text; nothing is written.

The format is told by the content, never by the name: a PDF starts with `%PDF-`, a text file
decodes to characters that are not control codes. Whatever comes in, the answer is either an
`Extraction` or an `ExtractionError` whose message, in French, tells the editor what to do.
"""

import codecs
import io
import logging
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from essor.library.models import TextStatus

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# A text file without form feeds is cut into pages of about this many characters.
TEXT_PAGE_CHARS = 3000
# The PDF specification lets the header start anywhere in the first kilobyte.
_PDF_HEADER_WINDOW = 1024
# More control characters than this share of a sample: the file is binary, not text.
_BINARY_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\x0b"}

NEEDS_OCR_MESSAGE = (
    "Ce PDF n'a pas de couche texte : il faudra le passer à la reconnaissance de caractères "
    "(OCR) pour en lire le texte."
)


class ExtractionError(ValueError):
    """The file is refused; the message (in French) says why and what to do."""


@dataclass
class Extraction:
    pages: list[str]
    status: TextStatus
    message: str  # in French, for the editor
    is_pdf: bool = False


def max_bytes() -> int:
    return int(getattr(settings, "ESSOR_LIBRARY_MAX_BYTES", DEFAULT_MAX_BYTES))


def extract(file_name: str, data: bytes) -> Extraction:
    """The text of a PDF or text file, page by page, or ExtractionError with a French
    message: empty file, file over ESSOR_LIBRARY_MAX_BYTES, encrypted or corrupt PDF, binary
    file. A PDF without any text layer is accepted with the status NEEDS_OCR."""
    if not data:
        raise ExtractionError(f"« {file_name} » est vide : envoyez le fichier complet.")
    size_check(file_name, len(data))
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return _pdf_extract(file_name, data)
    return _text_extract(file_name, data)


def size_check(file_name: str, size: int) -> None:
    """Refuse a file over ESSOR_LIBRARY_MAX_BYTES (callers may check before reading it)."""
    limit = max_bytes()
    if size > limit:
        raise ExtractionError(
            f"« {file_name} » fait {_megabytes(size)} Mo : la limite est de {_megabytes(limit)} Mo."
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")


def normalise(text: str) -> str:
    """NFC (a PDF often gives "e" + combining accent), no NUL, Unix line ends."""
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


# -------------------------------------------------------------------------- PDF


def _pdf_extract(file_name: str, data: bytes) -> Extraction:
    # pypdf reports oddities of real-world PDFs as warnings and log lines; the refusal or the
    # text is what matters here, and tests run with warnings as errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pypdf_log = logging.getLogger("pypdf")
        level = pypdf_log.level
        pypdf_log.setLevel(logging.ERROR)
        try:
            reader = _pdf_open(file_name, data)
            pages = [normalise(page.extract_text() or "") for page in reader.pages]
        except ExtractionError:
            raise
        except Exception as error:
            # A damaged file can fail anywhere inside pypdf, with any exception class.
            raise ExtractionError(
                f"« {file_name} » est un PDF endommagé ou incomplet : il ne peut pas être lu. "
                "Exportez-le à nouveau depuis le logiciel qui l'a produit."
            ) from error
        finally:
            pypdf_log.setLevel(level)
    if not pages:
        raise ExtractionError(f"« {file_name} » est un PDF sans aucune page.")
    if not any(page.strip() for page in pages):
        return Extraction(pages, TextStatus.NEEDS_OCR, NEEDS_OCR_MESSAGE, is_pdf=True)
    return Extraction(pages, TextStatus.EXTRACTED, _pages_message(pages), is_pdf=True)


def _pdf_open(file_name: str, data: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(data))
    if not reader.is_encrypted:
        return reader
    refusal = ExtractionError(
        f"« {file_name} » est un PDF protégé par un mot de passe : son texte ne peut pas être "
        "lu. Enregistrez-en une copie sans protection, puis déposez-la."
    )
    # Many PDFs are encrypted only to restrict printing or copying, with an empty password.
    try:
        if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise refusal
    except (DependencyError, FileNotDecryptedError, NotImplementedError) as error:
        raise refusal from error
    return reader


def _pages_message(pages: list[str]) -> str:
    count = len(pages)
    blank = sum(1 for page in pages if not page.strip())
    message = f"Texte extrait : {count} page{'s' if count > 1 else ''}."
    if blank:
        message += f" {blank} page{'s' if blank > 1 else ''} sans texte (images ou pages blanches)."
    return message


# ------------------------------------------------------------------------- text


def _text_extract(file_name: str, data: bytes) -> Extraction:
    text, encoding_note = _decode(file_name, data)
    if _looks_binary(text):
        raise _not_text(file_name)
    if file_name.lower().endswith(".pdf"):
        raise ExtractionError(
            f"« {file_name} » porte l'extension .pdf mais son contenu n'est pas un PDF : "
            "vérifiez le fichier, ou renommez-le en .txt si c'est du texte."
        )
    text = normalise(text)
    if not text.strip():
        raise ExtractionError(f"« {file_name} » ne contient aucun texte.")
    pages = text_pages(text)
    message = _pages_message(pages)
    if encoding_note:
        message += f" {encoding_note}"
    return Extraction(pages, TextStatus.EXTRACTED, message)


def _not_text(file_name: str) -> ExtractionError:
    return ExtractionError(
        f"« {file_name} » n'est ni un PDF ni un fichier texte : déposez un PDF ou un fichier "
        "texte (.txt)."
    )


def _decode(file_name: str, data: bytes) -> tuple[str, str]:
    """The text and, when it was not UTF-8, a note saying which encoding was read.

    UTF-8 (with or without BOM) first; UTF-16 when a BOM says so; otherwise Windows-1252,
    which French Windows software writes and which is Latin-1 plus the curly quotes, "œ"
    and "€" in 0x80-0x9F; Latin-1 last, which decodes any byte."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError as error:
            raise _not_text(file_name) from error
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(
            "cp1252"
        ), "Encodage lu : Windows-1252 (le fichier n'était pas en UTF-8)."
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Encodage lu : Latin-1 (le fichier n'était pas en UTF-8)."


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(
        1 for char in sample if unicodedata.category(char) == "Cc" and char not in _TEXT_CONTROLS
    )
    # A stray control character or two does not make a short note binary.
    return controls > max(2, _BINARY_CONTROL_SHARE * len(sample))


def text_pages(text: str, size: int = TEXT_PAGE_CHARS) -> list[str]:
    """Pages of a text file: the form feeds (\\f) when it has some, as `pdftotext` writes one
    per page; otherwise pieces of about `size` characters cut at a line break, so that a
    passage can still be cited by page. A line longer than a page is cut at a space."""
    if "\f" in text:
        pages = text.split("\f")
        if len(pages) > 1 and not pages[-1].strip():
            pages.pop()  # the form feed that ends the last page
        return pages
    pages: list[str] = []
    current = ""
    for line in _lines_at_most(text, size):
        if current and len(current) + len(line) > size:
            pages.append(current)
            current = ""
        current += line
    if current or not pages:
        pages.append(current)
    return pages


def _lines_at_most(text: str, size: int) -> list[str]:
    lines = []
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            cut = line.rfind(" ", 0, size) + 1 or size
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines
