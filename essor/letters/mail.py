"""One recipient's mail of an issue: the issue rendered once (rendering.py), the unsubscribe
address put in, and the headers mail systems rely on for bulk mail.

- `List-Unsubscribe: <https://…/lettres/desinscription/<token>/<issue>/>` and
  `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): mail clients show an
  "unsubscribe" button that POSTs to the address without login; large providers require both
  headers from bulk senders.
- A Message-ID fixed by the delivery (`<lettre.<issue>.<delivery>@<site host>>`): a message
  sent again after a crash (see sending.py) carries the same identifier, so mail systems that
  deduplicate on it drop the copy.
- `Precedence: bulk` and `Auto-Submitted: auto-generated`: vacation responders stay quiet.
- `List-Id`: lets subscribers filter one letter from the other.

Long headers are folded by Python's mail generator (a line break and a space before the
value): valid RFC 5322, unfolded by every mail system.

Building is kept cheap: Django's MIME classes cost more per message than the SMTP exchange,
so the sender (`IssueMessages`) builds and serialises one message per issue with stand-ins for
the recipient's address, unsubscribe address, Message-ID and date, and replaces them in the
bytes for each recipient — the same bytes Django would produce (but the MIME boundary, which
is arbitrary anyway).
"""

import logging
from email.utils import formatdate
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid, sanitize_address

from essor.letters.models import Issue
from essor.letters.rendering import UNSUBSCRIBE_URL_MARK, RenderedIssue

logger = logging.getLogger(__name__)

TEST_SUBJECT_PREFIX = "[TEST] "


@cache
def _site_host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "essor.localhost"


def site_host() -> str:
    """The host of the site's address: the right-hand side of Message-IDs and List-Ids."""
    return _site_host(settings.SITE_URL)


def delivery_message_id(issue_id: int, delivery_id: int) -> str:
    """The same for every attempt of one delivery (stable across a crash and a resend)."""
    return f"<lettre.{issue_id}.{delivery_id}@{site_host()}>"


def list_id(issue: Issue) -> str:
    # No display name: an accented one would be encoded with the identifier inside it.
    return f"<{issue.kind}.{site_host()}>"


def recipient_message(
    issue: Issue,
    rendered: RenderedIssue,
    email: str,
    unsubscribe: str,
    message_id: str,
    *,
    subject_prefix: str = "",
    connection: object | None = None,
    date: str | None = None,
) -> EmailMultiAlternatives:
    """The mail of `issue` to `email`: plain text with an HTML alternative, the unsubscribe
    address `unsubscribe` (absolute) in both bodies and in the List-Unsubscribe headers."""
    message = EmailMultiAlternatives(
        subject=subject_prefix + rendered.subject,
        body=rendered.text.replace(UNSUBSCRIBE_URL_MARK, unsubscribe),
        from_email=settings.ESSOR_LETTERS_FROM_EMAIL,
        to=[email],
        connection=connection,
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": list_id(issue),
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        },
    )
    if date is not None:
        message.extra_headers["Date"] = date
    message.attach_alternative(
        rendered.html.replace(UNSUBSCRIBE_URL_MARK, unsubscribe), "text/html"
    )
    return message


def trial_message(
    issue: Issue, rendered: RenderedIssue, email: str, harmless_url: str
) -> EmailMultiAlternatives:
    """A test send: subject marked "[TEST]", an unsubscribe link that touches no
    subscription, a Message-ID of its own (each test send is a new message)."""
    return recipient_message(
        issue,
        rendered,
        email,
        harmless_url,
        make_msgid(domain=site_host()),
        subject_prefix=TEST_SUBJECT_PREFIX,
    )


# Stand-ins for the per-recipient parts: plain ASCII, which the MIME encoders keep verbatim as
# long as no body line is over 998 bytes (then the part is quoted-printable and the stand-in may
# be cut: the check below sees it). The date's has the length of formatdate()'s.
_ADDRESS = "destinataire-essor-00000000@adresse.invalid"
_URL = "https://desinscription.invalid/essor-lien-de-desinscription-00000000000000000000/"
_ID = "<essor-identifiant-de-message-0000000000000@identifiant.invalid>"
_DATE = "Thu, 01 Jan 1970 00:00:00 -0000"


class IssueMessages:
    """Each recipient's mail of one issue as the bytes to send, from one message built by
    Django and serialised once. Builds each message in full instead when a stand-in did not
    come out verbatim, or for a value that is not plain one-line ASCII (an internationalised
    address: Django encodes it; a line break: Django refuses it)."""

    def __init__(self, issue: Issue, rendered: RenderedIssue):
        self.issue, self.rendered = issue, rendered
        message = recipient_message(issue, rendered, _ADDRESS, _URL, _ID, date=_DATE)
        self.encoding = message.encoding or settings.DEFAULT_CHARSET
        self.from_address = sanitize_address(message.from_email, self.encoding)
        template = message.message().as_bytes(linesep="\r\n")
        links = (
            1
            + rendered.text.count(UNSUBSCRIBE_URL_MARK)
            + rendered.html.count(UNSUBSCRIBE_URL_MARK)
        )
        expected = {_ADDRESS: 1, _ID: 1, _DATE: 1, _URL: links}
        verbatim = all(template.count(mark.encode()) == n for mark, n in expected.items())
        self.template = template if verbatim else None
        if not verbatim:
            logger.warning(
                "lettres : %s construit en entier pour chaque destinataire (un texte de "
                "remplacement n'est pas sorti tel quel, ligne de plus de 998 octets ?) : "
                "envoi plus lent",
                issue,
            )

    @staticmethod
    def _plain(*values: str) -> bool:
        return all(v.isascii() and "\r" not in v and "\n" not in v for v in values)

    def envelope_recipient(self, email: str) -> str:
        return email if self._plain(email) else sanitize_address(email, self.encoding)

    def message_bytes(self, email: str, unsubscribe: str, message_id: str) -> bytes:
        if self.template is not None and self._plain(email, unsubscribe, message_id):
            return (
                self.template.replace(_ADDRESS.encode(), email.encode())
                .replace(_URL.encode(), unsubscribe.encode())
                .replace(_ID.encode(), message_id.encode())
                .replace(
                    _DATE.encode(), formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode()
                )
            )
        message = recipient_message(self.issue, self.rendered, email, unsubscribe, message_id)
        return message.message().as_bytes(linesep="\r\n")
