"""`{% load glossary %}`: the acronyms of the managed glossary explained where pages use them.

- `{{ text|glossary_abbr }}` — plain text: escaped, and the first use of each acronym of the
  glossary wrapped in `<abbr title="Économie sociale et solidaire">ESS</abbr>`.
- `{{ html|glossary_abbr_html }}` — HTML already safe (rich text, `linebreaks`, excerpts): only
  its text is touched, never a tag or an attribute, nor the text of a link, of code, or of an
  `<abbr>` already there; a web address written in the text is left whole.

An acronym is matched as the glossary spells it (upper case: "ESS", not the "ess" of "essai"),
or in a variant that only differs in case or dots ("E.S.S.", "Scic"). What the filters compare
is worked out once per version of the glossary: an edit in the admin counts at once.

The glossary itself belongs to the search module; it lends its terms through the hook
``essor_glossary``: ``() -> tuple of terms`` (each with ``acronym``, ``expansion`` and
``variants``), the same tuple until the glossary changes. Without the hook, text is only
escaped.
"""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from wagtail import hooks

from essor.core.text import fold

GLOSSARY_HOOK = "essor_glossary"

register = template.Library()

# Elements whose text is left alone: a link (the abbr would be a second target inside it),
# an explanation already there, code, and what is not text.
_UNTOUCHED = frozenset({"a", "abbr", "acronym", "code", "kbd", "pre", "samp", "script", "style"})
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w:-]*)")
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+")
_ACRONYM_LIKE = re.compile(r"[A-Za-zÀ-ÿ0-9.&+]+")


class GlossaryTerm(Protocol):
    acronym: str
    expansion: str
    variants: Sequence[str]


def glossary() -> tuple[GlossaryTerm, ...]:
    for provide in hooks.get_hooks(GLOSSARY_HOOK):
        return provide()
    return ()


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern | None
    titles: dict[str, tuple[str, str]]  # spelling → (acronym, expansion shown as its title)


_memo: dict[str, object] = {}


def _matcher() -> _Matcher:
    terms = glossary()
    if _memo.get("terms") is not terms:
        _memo.update(terms=terms, matcher=_built(terms))
    return _memo["matcher"]


def _built(terms: tuple[GlossaryTerm, ...]) -> _Matcher:
    titles: dict[str, tuple[str, str]] = {}
    for term in terms:
        if not _ACRONYM_LIKE.fullmatch(term.acronym) or not term.expansion.strip():
            continue  # a name ("France Active"), not an acronym
        title = term.expansion.strip()
        title = title[:1].upper() + title[1:]
        for spelling in (term.acronym, *term.variants):
            if _ACRONYM_LIKE.fullmatch(spelling) and _letters(spelling) == _letters(term.acronym):
                titles.setdefault(spelling, (term.acronym, title))
    if not titles:
        return _Matcher(None, {})
    spellings = "|".join(re.escape(s) for s in sorted(titles, key=lambda s: (-len(s), s)))
    # Not part of a longer word, a compound name ("ESS-France"), an address or an entity.
    pattern = re.compile(rf"(?<![\w&#@/.+-])({spellings})(?![\w@]|[-/.+][\w])")
    return _Matcher(pattern, titles)


def _letters(spelling: str) -> str:
    return fold(spelling).replace(" ", "")


def _explained(text: str, matcher: _Matcher, seen: set[str]) -> str:
    """`text` (escaped HTML text) with the first use of each acronym in an <abbr>."""
    if not matcher.pattern.search(text):  # most pieces hold none: spare the address split
        return text

    def wrap(match: re.Match) -> str:
        acronym, title = matcher.titles[match.group(1)]
        if acronym in seen:
            return match.group(0)
        seen.add(acronym)
        return f'<abbr title="{html.escape(title)}">{match.group(0)}</abbr>'

    parts = _ADDRESS.split(text)
    addresses = _ADDRESS.findall(text)
    out = [matcher.pattern.sub(wrap, parts[0])]
    for address, part in zip(addresses, parts[1:], strict=True):
        out += [address, matcher.pattern.sub(wrap, part)]
    return "".join(out)


@register.filter(is_safe=True)
def glossary_abbr(text: object) -> SafeString:
    """Plain text, escaped, its acronyms explained (HTML already safe goes to
    `glossary_abbr_html`: never escaped twice)."""
    if isinstance(text, SafeData):
        return glossary_abbr_html(text)
    escaped = escape(text if text is not None else "")
    matcher = _matcher()
    if matcher.pattern is None:
        return escaped
    return mark_safe(_explained(escaped, matcher, set()))  # escaped, then <abbr> added


@register.filter(is_safe=True)
def glossary_abbr_html(markup: object) -> SafeString:
    """Safe HTML with the acronyms of its text explained; its tags left as they are (text
    not marked safe is escaped first)."""
    markup = conditional_escape(markup if markup is not None else "")
    matcher = _matcher()
    # Most markup holds no acronym at all: one scan then spares the walk through its tags.
    if matcher.pattern is None or not matcher.pattern.search(markup):
        return markup
    seen: set[str] = set()
    untouched = 0  # how deep inside elements whose text is left alone
    out = []
    for number, piece in enumerate(_TAG.split(markup)):
        if number % 2:  # a tag or a comment
            tag = _TAG_NAME.match(piece)
            if tag and tag.group(2).lower() in _UNTOUCHED and not piece.endswith("/>"):
                untouched = max(0, untouched + (-1 if tag.group(1) else 1))
            out.append(piece)
        else:
            out.append(piece if untouched else _explained(piece, matcher, seen))
    return mark_safe("".join(out))  # the safe HTML given, with <abbr> added
