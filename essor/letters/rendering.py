"""An issue as a mail: its subject, HTML and plain-text versions, rendered once per issue.

The per-recipient parts (the unsubscribe address) are left as `UNSUBSCRIBE_URL_MARK` and
replaced by the sender for each recipient: rendering 100 000 times would cost more than the
sending itself.

The HTML must survive the major mail clients (Outlook's Word engine, Gmail, Apple Mail, webmail
that strip <head>): a 600 px table layout marked role="presentation", every style inline in
attributes (<style> blocks are dropped by several clients, so none is relied upon), no script,
form, external stylesheet or background image, images with their text and width, and only
absolute links. tests/test_rendering.py checks each of these on the rendered mail.
"""

import html
import re
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from wagtail.rich_text import expand_db_html

from essor.core.links import absolute_url
from essor.core.models import NetworkSettings
from essor.events.selectors import french_date
from essor.letters.composition import issue_contents
from essor.letters.models import Issue, LetterKind

# Unlikely in any text, kept intact by HTML escaping and by line wrapping.
UNSUBSCRIBE_URL_MARK = "ESSOR-UNSUBSCRIBE-URL"

# The inline styles of the editorial's rich text (it arrives as bare tags).
_EDITORIAL_STYLES = {
    "p": "margin:0 0 12px 0;",
    "ul": "margin:0 0 12px 0;padding:0 0 0 24px;",
    "ol": "margin:0 0 12px 0;padding:0 0 0 24px;",
    "li": "margin:0 0 4px 0;",
    "a": "color:#1f5c3f;text-decoration:underline;",
}
_TAG = re.compile(r"<(p|ul|ol|li|a)(\s[^>]*)?>")
_RELATIVE = re.compile(r'\b(href|src)="(/[^"]*)"')
_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)

REASONS = {
    LetterKind.LETTER: (
        "Vous recevez cette lettre parce que votre adresse est inscrite, avec votre accord, "
        "à la lettre électronique de {network}."
    ),
    LetterKind.FLASH: (
        "Vous recevez le Flash hebdo parce que votre collectivité est adhérente de {network} "
        "et que votre adresse y est rattachée, ou que vous vous y êtes abonné·e."
    ),
}


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    html: str  # contains UNSUBSCRIBE_URL_MARK
    text: str  # contains UNSUBSCRIBE_URL_MARK


def _styled(match: re.Match) -> str:
    tag, attributes = match.group(1), match.group(2) or ""
    attributes = re.sub(r'\s(style|class)="[^"]*"', "", attributes)
    return f'<{tag}{attributes} style="{_EDITORIAL_STYLES[tag]}">'


def editorial_html(issue: Issue) -> str:
    """The editorial's rich text with its links made absolute and its styles inline."""
    text = expand_db_html(issue.editorial or "")
    text = _RELATIVE.sub(lambda m: f'{m.group(1)}="{absolute_url(m.group(2))}"', text)
    return _TAG.sub(_styled, text)


def html_to_text(markup: str) -> str:
    """Rich text as plain text: paragraphs on their own lines, a link as "words (address)"."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", markup)
    text = re.sub(r"<li\b[^>]*>", "- ", text)
    text = re.sub(r"</(p|li|ul|ol|h\d)>|<br\s*/?>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def subject_of(issue: Issue) -> str:
    return f"{issue.get_kind_display()} n° {issue.number} — {issue.title}"


def issue_context(issue: Issue) -> dict:
    """What the mail's two versions and the web version show."""
    network = NetworkSettings.load()
    name = network.network_name
    with translation.override("fr"):
        date_label = french_date(issue.date)
    editorial = editorial_html(issue)
    return {
        "issue": issue,
        "subject": subject_of(issue),
        "kind_label": issue.get_kind_display(),
        "date_label": date_label,
        "contents": issue_contents(issue),
        "editorial": editorial,
        "editorial_text": html_to_text(editorial),
        "network": network,
        "network_name": name,
        "postal_address": " ".join(network.postal_address.split()),
        "contact_email": network.contact_email,
        "site_url": absolute_url("/"),
        "web_url": absolute_url(issue.get_absolute_url()),
        "reason": REASONS[issue.kind].format(network=name),
        "members_only": issue.members_only,
        "unsubscribe_url": UNSUBSCRIBE_URL_MARK,
    }


def issue_render(issue: Issue) -> RenderedIssue:
    """The issue's mail, the same for every recipient but the unsubscribe address."""
    context = issue_context(issue)
    with translation.override("fr"):
        html_version = render_to_string("letters/mail/issue.html", context)
        text_version = render_to_string("letters/mail/issue.txt", context)
    text_version = re.sub(r"\n{3,}", "\n\n", text_version).strip() + "\n"
    return RenderedIssue(subject=context["subject"], html=html_version, text=text_version)
