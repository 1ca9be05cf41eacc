"""One recipient's mail: what mail clients and providers read in it (RFC 8058 one-click
unsubscribe, a Message-ID stable across a resend, bulk headers, text and HTML versions)."""

import datetime
import email
from email import policy

import pytest

from essor.letters import mail
from essor.letters.models import Issue, LetterKind
from essor.letters.rendering import UNSUBSCRIBE_URL_MARK, RenderedIssue

UNSUBSCRIBE = "https://lettres.example.org/lettres/desinscription/jeton/12/"
RENDERED = RenderedIssue(
    subject="Lettre électronique n° 12 — Les territoires solidaires",
    html=f'<html><body><p>Bonjour</p><a href="{UNSUBSCRIBE_URL_MARK}">Se désinscrire</a></body></html>',
    text=f"Bonjour\n\nSe désinscrire : {UNSUBSCRIBE_URL_MARK}\n",
)


@pytest.fixture
def issue(settings):
    settings.SITE_URL = "https://lettres.example.org"
    settings.ESSOR_LETTERS_FROM_EMAIL = "Réseau <lettre@example.org>"
    return Issue(pk=12, kind=LetterKind.LETTER, number=12, title="T", date=datetime.date.today())


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def test_one_click_unsubscribe_headers_and_link_in_both_versions(issue):
    message = mail.recipient_message(
        issue, RENDERED, "lecteur@example.org", UNSUBSCRIBE, mail.delivery_message_id(12, 345)
    )
    raw = parsed(message)
    assert raw["To"] == "lecteur@example.org"
    assert raw["From"] == "Réseau <lettre@example.org>"
    assert raw["Subject"].strip() == RENDERED.subject  # folded encoded-words
    # Long headers are folded before the value: unfolded, a space remains (RFC 5322).
    assert raw["List-Unsubscribe"].strip() == f"<{UNSUBSCRIBE}>"
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert raw["Precedence"] == "bulk"
    assert raw["Auto-Submitted"] == "auto-generated"
    assert raw["List-Id"] == "<lettre.lettres.example.org>"
    assert raw.get_content_type() == "multipart/alternative"
    text = raw.get_body(preferencelist=("plain",)).get_content()
    html = raw.get_body(preferencelist=("html",)).get_content()
    assert UNSUBSCRIBE in text and UNSUBSCRIBE in html
    assert UNSUBSCRIBE_URL_MARK not in text + html


def test_message_id_is_the_deliverys_own_and_stable(issue):
    first = mail.recipient_message(
        issue, RENDERED, "a@example.org", UNSUBSCRIBE, mail.delivery_message_id(12, 345)
    )
    again = mail.recipient_message(
        issue, RENDERED, "a@example.org", UNSUBSCRIBE, mail.delivery_message_id(12, 345)
    )
    other = mail.recipient_message(
        issue, RENDERED, "b@example.org", UNSUBSCRIBE, mail.delivery_message_id(12, 346)
    )
    assert parsed(first)["Message-ID"] == parsed(again)["Message-ID"]
    assert parsed(first)["Message-ID"] == "<lettre.12.345@lettres.example.org>"
    assert parsed(other)["Message-ID"] != parsed(first)["Message-ID"]


def test_trial_message_is_marked_and_has_its_own_id(issue):
    harmless = "https://lettres.example.org/lettres/desinscription/essai/"
    first = parsed(mail.trial_message(issue, RENDERED, "equipe@example.org", harmless))
    second = parsed(mail.trial_message(issue, RENDERED, "equipe@example.org", harmless))
    assert first["Subject"].strip() == "[TEST] " + RENDERED.subject
    assert first["List-Unsubscribe"].strip() == f"<{harmless}>"
    assert first["Message-ID"] != second["Message-ID"]


def _comparable(data: bytes) -> tuple:
    raw = email.message_from_bytes(data, policy=policy.default)
    headers = tuple(
        (name, value.strip()) for name, value in raw.items() if name not in {"Content-Type", "Date"}
    )
    bodies = tuple(part.get_content() for part in raw.iter_parts())
    return headers, bodies, raw.get_content_type()


def test_issue_messages_bytes_are_what_django_would_send(issue):
    messages = mail.IssueMessages(issue, RENDERED)
    assert messages.template is not None  # the fast path is taken
    fast = messages.message_bytes("lecteur@example.org", UNSUBSCRIBE, "<lettre.12.7@x.org>")
    full = (
        mail.recipient_message(
            issue, RENDERED, "lecteur@example.org", UNSUBSCRIBE, "<lettre.12.7@x.org>"
        )
        .message()
        .as_bytes(linesep="\r\n")
    )
    assert _comparable(fast) == _comparable(full)
    assert email.message_from_bytes(fast)["Date"]  # a date of its own, not the stand-in's
    assert b"1970" not in fast


def test_issue_messages_fall_back_when_a_value_is_not_plain_ascii(issue):
    messages = mail.IssueMessages(issue, RENDERED)
    data = messages.message_bytes("léa@exemple.fr", UNSUBSCRIBE, "<lettre.12.8@x.org>")
    raw = email.message_from_bytes(data, policy=policy.default)
    assert "exemple.fr" in raw["To"]
    assert b"adresse.invalid" not in data


def test_issue_messages_fall_back_when_a_body_line_is_too_long(issue, caplog):
    long_line = RenderedIssue(
        subject=RENDERED.subject,
        html="<p>" + "x" * 1200 + f'</p><a href="{UNSUBSCRIBE_URL_MARK}">Se désinscrire</a>',
        text=RENDERED.text,
    )
    messages = mail.IssueMessages(issue, long_line)
    data = messages.message_bytes("lecteur@example.org", UNSUBSCRIBE, "<lettre.12.9@x.org>")
    html = email.message_from_bytes(data, policy=policy.default).get_body(("html",)).get_content()
    assert UNSUBSCRIBE in html
    # The HTML part went quoted-printable, which cuts the stand-ins: built in full, and said.
    assert messages.template is None
    assert "construit en entier" in caplog.text
