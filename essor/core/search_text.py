"""Plain text for the search index from what editors write."""

import html

from django.utils.html import strip_tags


def plain(*parts: object) -> str:
    """The visible text of rich-text or plain fields, joined by blank lines (empty ones left)."""
    texts = [html.unescape(strip_tags(str(part))).strip() for part in parts if part]
    return "\n\n".join(text for text in texts if text)
