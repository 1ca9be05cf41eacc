"""E-mails about a subscription, outside the letters themselves: the confirmation request of
the double opt-in and the notice "vous êtes déjà abonné·e" sent when a confirmed address is
entered again in the form (the page never says it: only the mailbox's owner learns it).

French, plain text with an HTML alternative, from settings.ESSOR_LETTERS_FROM_EMAIL; every one
carries the link to the page where the subscriber sees and deletes their data.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from essor.core.models import NetworkSettings
from essor.letters import subscriptions
from essor.letters.models import Subscription

logger = logging.getLogger(__name__)
_TEMPLATES = "letters/emails/"


def confirmation_request(subscription: Subscription) -> bool:
    return _send("subscription_confirm", subscription)


def already_subscribed(subscription: Subscription) -> bool:
    return _send("subscription_already", subscription)


def _context(subscription: Subscription) -> dict:
    network = NetworkSettings.load()
    return {
        "subscription": subscription,
        "letter": subscription.get_kind_display(),
        "confirm_url": subscriptions.confirm_url(subscription),
        "manage_url": subscriptions.manage_url(subscription),
        "unsubscribe_url": subscriptions.unsubscribe_url(subscription),
        "pending_days": settings.ESSOR_LETTERS_PENDING_DAYS,
        "site_name": network.network_name if network else settings.WAGTAIL_SITE_NAME,
        "contact_email": network.contact_email if network else "",
    }


def _send(template: str, subscription: Subscription) -> bool:
    """Send one of the e-mails; False (and a log line) when the mail server refused it: the
    subscription stands, and the person may ask again."""
    context = _context(subscription)
    with translation.override("fr"):
        subject = render_to_string(f"{_TEMPLATES}{template}_subject.txt", context)
        text = render_to_string(f"{_TEMPLATES}{template}.txt", context)
        html = render_to_string(f"{_TEMPLATES}{template}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        from_email=settings.ESSOR_LETTERS_FROM_EMAIL,
        to=[subscription.email],
        reply_to=[context["contact_email"]] if context["contact_email"] else None,
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError:
        logger.exception("Courriel « %s » non envoyé à %s", template, subscription.email)
        return False
    return True
