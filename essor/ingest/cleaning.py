"""From raw pages to the lines the extractors read: systematic OCR noise repaired, lines a
layout broke joined again, each line keeping where it starts (page and line, from 1).

Only repairs that cannot damage clean text are made: `I'` before a lower-case letter is always
an OCR `l'` in French; a line-end hyphen is dropped only when the joined word is a known word;
a bullet glyph is recognised only at the start of a line and followed by a space."""

import re
from collections.abc import Callable
from dataclasses import dataclass

# OCR reads the "l" of "l'" as a capital I ("I'économie", "I'Etat"); French has no
# word "I'" before a vowel or an h.
_OCR_ELISION = re.compile(r"(?<![\w])I(['’])(?=[a-zàâäéèêëîïôöûüùçAEIOUYÉÈÊÀÂÎÔÛH])")
# Bullets as a PDF or an OCR engine writes them: •, -, +, *, @, ®, «, o, ¢, the replacement
# character, possibly doubled; the line then starts with its text.
_BULLET = re.compile(r"^\s*(?:[•●◦▪■□►>\-–+*@®¢�]|\uf0b7|o(?=\s))[\s�\uf0b7•]*(?=\S)")
# A line cut after one of these is not finished: the next line continues it.
_OPEN_END = re.compile(
    r"(?:\b(?:de|du|des|d['’]|à|au|aux|et|en|la|le|les|l['’]|pour|par|sur|avec|chargée?|"
    r"déléguée?)|,)\s*$",
    re.IGNORECASE,
)
_HYPHEN_END = re.compile(r"(\w+)-\s*$")
# A person's name cut by the line end: a capitalised first name, then a surname in capitals
# followed by a comma on the next line.
_NAME_CUT_BEFORE = re.compile(r"\s[A-ZÀ-Ü][a-zà-ÿ]+(?:-[A-ZÀ-Ü][a-zà-ÿ]+)?$")
_NAME_CUT_AFTER = re.compile(r"[A-ZÀ-Ü]{3,}(?:-[A-ZÀ-Ü]{2,})*,")
# A web address or an e-mail address is a line of its own, though it starts in lower case.
_STANDALONE = re.compile(r"(?:www\.|https?://|[\w.+-]+@[\w-]+\.)")
# Short words that end a line without being half of a cut word.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "à",
        "au",
        "aux",
        "ce",
        "ces",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "il",
        "je",
        "l",
        "la",
        "le",
        "les",
        "lui",
        "ma",
        "me",
        "mes",
        "ne",
        "on",
        "ou",
        "par",
        "sa",
        "se",
        "ses",
        "sur",
        "ta",
        "te",
        "tu",
        "un",
        "une",
        "y",
    ]
)
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")


PASSAGE_CHARS = 300


@dataclass(frozen=True)
class Line:
    text: str
    page: int
    line: int
    bullet: bool = False

    def source(self) -> dict:
        """Where a fact read on this line comes from, as `essor ingest --json` gives it."""
        return {"page": self.page, "line": self.line, "passage": self.text[:PASSAGE_CHARS]}


def clean_text(text: str) -> str:
    """Within-line repairs: OCR elisions, runs of spaces, typographic apostrophes kept."""
    text = _OCR_ELISION.sub(r"l\1", text)
    return _SPACES.sub(" ", text)


def page_lines(pages: list[str], is_word: Callable[[str], bool]) -> list[Line]:
    """The logical lines of a document. A physical line is joined to the one before when that
    one was left open (ending on "de", "et", a comma…) or the next starts in lower case, or
    when a word was cut by a hyphen (the hyphen dropped when `is_word` knows the joined word).
    One blank line inside an open sentence is skipped, as PDF columns often insert one. A line
    as wide as the page's text that ends without punctuation was wrapped by the layout: the
    next line continues it, even in capitals ("… et Clermont" / "Auvergne Métropole …")."""
    lines: list[Line] = []
    for page_number, page in enumerate(pages, start=1):
        pending: Line | None = None
        blank_run = 0
        raw_lines = page.split("\n")
        full_width = _full_width(raw_lines)
        previous_width = 0
        for number, raw in enumerate(raw_lines, start=1):
            text = clean_text(raw).strip()
            if not text:
                blank_run += 1
                continue
            wrapped = blank_run == 0 and previous_width >= full_width
            previous_width = len(text)
            bullet = bool(_BULLET.match(text))
            if bullet:
                text = _BULLET.sub("", text).strip()
            if (
                pending
                and not bullet
                and blank_run <= 1
                and (_continues(pending.text, text) or (wrapped and _wraps(pending.text, text)))
            ):
                joined = _join(pending.text, text, is_word)
                pending = Line(joined, pending.page, pending.line, pending.bullet)
            else:
                if pending:
                    lines.append(pending)
                pending = Line(text, page_number, number, bullet)
            blank_run = 0
        if pending:
            lines.append(pending)
    return lines


# Labels that introduce a person in programmes and info sheets ("Animation :", "Élue :").
LABEL = re.compile(
    r"^(?:animation|animée?s? par|anim(?:ateur|atrice)|modérat(?:eur|rice|ion)|"
    r"intervenante?s?|avec|grand témoin|témoin|rapporteur|rapporteuse|présidée? par|"
    r"élue?s?|technicien(?:ne)?s?|contacts?|référente?s?|chargée? de mission|"
    r"introduction|conclusion|ouverture|clôture|accueil)\s*(?:par)?\s*[:–-]?\s*",
    re.IGNORECASE,
)
# "Julien Marchal, maire de…": a list item naming a person starts a line of its own.
PERSON_ITEM = re.compile(r"[A-ZÀ-Ü][a-zà-ÿ]+(?:-[A-ZÀ-Ü][a-zà-ÿ]+)?(?:\s[A-ZÀ-Ü][\w'’-]+){1,3},")


MIN_WRAPPED_WIDTH = 50


def _full_width(raw_lines: list[str]) -> float:
    """The width from which a line fills the page's text column (three quarters of the widest
    lines, the tenth longest); a page of a few lines has none."""
    widths = sorted((len(line.strip()) for line in raw_lines if line.strip()), reverse=True)
    if len(widths) < 8:
        return float("inf")
    # A heading or an address line is short whatever the page: never a wrapped line.
    return max(0.75 * widths[len(widths) // 10], MIN_WRAPPED_WIDTH)


def _wraps(previous: str, text: str) -> bool:
    """A full line ending without punctuation goes on in the next, unless that one opens a
    time slot, an address or a list of its own."""
    if previous.endswith((".", ":", "!", "?", "»", "”", ";")) or _STANDALONE.match(text):
        return False
    return not (
        re.match(r"\d{1,2}\s?h|\d{5}\b|[•\-–]", text)
        or PERSON_ITEM.match(text)
        or LABEL.match(text)
    )


def _is_open(text: str) -> bool:
    return bool(_OPEN_END.search(text) or _HYPHEN_END.search(text))


def _continues(previous: str, text: str) -> bool:
    if _is_open(previous):
        return True
    if _STANDALONE.match(text):
        return False
    if _NAME_CUT_BEFORE.search(previous) and _NAME_CUT_AFTER.match(text):
        return True  # "… précise Christine" / "RATZEL-TOGO, représentante…"
    first = text[0]
    # A lower-case start continues a sentence, unless the line before ended one.
    return first.islower() and not previous.endswith((".", ":", "!", "?", "»", "”"))


def _join(previous: str, text: str, is_word: Callable[[str], bool]) -> str:
    cut = _HYPHEN_END.search(previous)
    tail = re.match(r"\w+", text)
    if cut:
        head = cut.group(1)
        # "vice-/président" is a compound the vocabulary knows with its hyphen; "dévelop-/pement"
        # a word cut at the line end.
        compound = tail and is_word(f"{head}-{tail.group(0)}".lower())
        if tail and not compound and is_word((head + tail.group(0)).lower()):
            return previous[: cut.start(1)] + head + text
        return previous.rstrip() + text
    # A word cut without a hyphen ("Éc" / "onomie"): joined when neither half is a word.
    last = re.search(r"(\w+)$", previous)
    if last and tail and is_word((last.group(1) + tail.group(0)).lower()):
        head, rest = last.group(1).lower(), tail.group(0).lower()
        if head not in _FUNCTION_WORDS and not (is_word(head) and is_word(rest) and len(head) > 2):
            return previous + text
    return f"{previous} {text}"
