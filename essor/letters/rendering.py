"""An issue as a mail: its subject, HTML and plain-text versions, rendered once per issue.

The per-recipient parts (the unsubscribe address) are left as `UNSUBSCRIBE_URL_MARK` and
replaced by the sender for each recipient: rendering 100 000 times would cost more than the
sending itself. (Interface fixed for the sending code; the composition work fills the layout.)
"""

from dataclasses import dataclass

from essor.letters.models import Issue

# Unlikely in any text, kept intact by HTML escaping and by line wrapping.
UNSUBSCRIBE_URL_MARK = "ESSOR-UNSUBSCRIBE-URL"


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    html: str  # contains UNSUBSCRIBE_URL_MARK
    text: str  # contains UNSUBSCRIBE_URL_MARK


def issue_render(issue: Issue) -> RenderedIssue:
    """The issue's mail, the same for every recipient but the unsubscribe address."""
    subject = f"{issue.get_kind_display()} n° {issue.number} — {issue.title}"
    html = (
        f"<html><body><h1>{issue.title}</h1>"
        f'<p><a href="{UNSUBSCRIBE_URL_MARK}">Se désinscrire</a></p></body></html>'
    )
    text = f"{issue.title}\n\nSe désinscrire : {UNSUBSCRIBE_URL_MARK}\n"
    return RenderedIssue(subject=subject, html=html, text=text)
