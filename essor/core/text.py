"""French text helpers every module shares."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, single spaces: "Île-de-France" and
    "ile de france" compare equal, on SQLite as on PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join(_NON_WORD.sub(" ", bare).split())


# Django's French format groups thousands with a no-break space.
_THOUSANDS_SEPARATOR = "\u00a0"


def group_thousands(number: int | None) -> str:
    """3232352 → "3 232 352" (no-break spaces), as `intcomma` writes it in French, without
    the locale machinery: list pages call it for every line."""
    if number is None:
        return ""
    return f"{number:,}".replace(",", _THOUSANDS_SEPARATOR)
