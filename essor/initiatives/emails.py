"""E-mails to the author of a proposal: published, changes requested, refused. French,
plain text with an HTML alternative, links to the public site (never to the admin).

Every kind of proposal (initiatives, news articles, agenda entries) sends them through here,
with its own templates (`kind.email_templates`) and "my proposals" page, so that the wording
fits what was proposed while the sending stays one."""

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

if TYPE_CHECKING:
    from essor.initiatives.moderation import ProposalKind

logger = logging.getLogger(__name__)


def proposal_published(
    user: object, kind: "ProposalKind", title: str, public_path: str, comment: str = ""
) -> None:
    _send(
        kind,
        "proposal_published",
        user,
        {"title": title, "public_url": settings.SITE_URL + public_path, "comment": comment},
    )


def proposal_changes_requested(
    user: object, kind: "ProposalKind", title: str, comment: str, rework_url: str
) -> None:
    _send(
        kind,
        "proposal_changes_requested",
        user,
        {"title": title, "comment": comment, "rework_url": rework_url},
    )


def proposal_refused(
    user: object, kind: "ProposalKind", title: str, message: str, rework_url: str
) -> None:
    _send(
        kind,
        "proposal_refused",
        user,
        {"title": title, "comment": message, "rework_url": rework_url},
    )


def _send(kind: "ProposalKind", template: str, user: object, context: dict) -> None:
    if not getattr(user, "email", ""):
        return
    context = {
        **context,
        "noun": kind.noun,
        "first_name": user.first_name,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "my_proposals_url": settings.SITE_URL + reverse(kind.my_proposals_url_name),
    }
    folder = kind.email_templates
    subject = render_to_string(f"{folder}{template}_subject.txt", context)
    try:
        send_mail(
            " ".join(subject.split()),
            render_to_string(f"{folder}{template}.txt", context),
            None,
            [user.email],
            html_message=render_to_string(f"{folder}{template}.html", context),
        )
    except OSError:
        # The moderation decision stands even when the mail server is down.
        logger.exception("Courriel « %s » non envoyé à %s", template, user.email)
