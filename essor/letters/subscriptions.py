"""Subscriptions to the letters: subscribing with double opt-in, confirming, unsubscribing,
a subscriber's data, importing a list, purging unconfirmed addresses, and who receives an
issue. (Interface fixed for the sending code; the subscribers' work fills the rest.)"""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from essor.core.links import absolute_url
from essor.letters.models import Issue, Subscription, SubscriptionStatus


def recipients(kind: str) -> QuerySet[Subscription]:
    """The subscriptions an issue of `kind` goes to, as of now."""
    return Subscription.objects.receiving(kind)


def address_bounced(email: str) -> int:
    """A hard bounce: the address stops receiving every letter. Returns the rows changed."""
    return Subscription.objects.filter(email=email.strip().lower()).update(
        status=SubscriptionStatus.BOUNCED, bounced_at=timezone.now()
    )


def unsubscribe_url(subscription: Subscription, issue: Issue | None = None) -> str:
    """The one-click unsubscribe address of a subscription (in the mail's link and in its
    List-Unsubscribe header), telling which issue it came from when there is one."""
    if issue is None:
        path = reverse("letters:unsubscribe", args=[subscription.token])
    else:
        path = reverse("letters:unsubscribe_from_issue", args=[subscription.token, issue.pk])
    return absolute_url(path)
