"""E-mails to the author of a proposal: published, changes requested, refused. French,
plain text with an HTML alternative, links to the public site (never to the admin)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from essor.initiatives.models import Initiative

logger = logging.getLogger(__name__)
_TEMPLATES = "initiatives/emails/"


def proposal_published(user: object, initiative: Initiative, comment: str = "") -> None:
    _send(
        "proposal_published",
        user,
        {
            "title": initiative.name,
            "public_url": settings.SITE_URL + initiative.get_absolute_url(),
            "comment": comment,
        },
    )


def proposal_changes_requested(user: object, title: str, comment: str, rework_url: str) -> None:
    _send(
        "proposal_changes_requested",
        user,
        {"title": title, "comment": comment, "rework_url": rework_url},
    )


def proposal_refused(user: object, title: str, message: str, rework_url: str) -> None:
    _send(
        "proposal_refused",
        user,
        {"title": title, "comment": message, "rework_url": rework_url},
    )


def _send(template: str, user: object, context: dict) -> None:
    if not getattr(user, "email", ""):
        return
    context = {
        **context,
        "first_name": user.first_name,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "my_proposals_url": settings.SITE_URL + reverse("initiatives:my_proposals"),
    }
    subject = render_to_string(f"{_TEMPLATES}{template}_subject.txt", context)
    try:
        send_mail(
            " ".join(subject.split()),
            render_to_string(f"{_TEMPLATES}{template}.txt", context),
            None,
            [user.email],
            html_message=render_to_string(f"{_TEMPLATES}{template}.html", context),
        )
    except OSError:
        # The moderation decision stands even when the mail server is down.
        logger.exception("Courriel « %s » non envoyé à %s", template, user.email)
