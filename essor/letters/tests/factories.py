"""Issues, items and subscriptions for tests; other modules' tests may import these.

`issue_make()` is a draft issue of the e-letter dated today with the next number;
`letters_fixture()` gives one object of each kind the letters' screens show (the URL × role
table of essor/config/tests uses it).
"""

import datetime

from django.utils import timezone

from essor.letters.composition import issue_number_next
from essor.letters.models import (
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueItem,
    IssueStatus,
    LetterKind,
    Subscription,
    SubscriptionStatus,
)
from essor.news.tests.factories import article_make, rubric_make


def issue_make(
    kind: str = LetterKind.LETTER,
    *,
    items: tuple = (),
    status: str = IssueStatus.DRAFT,
    **fields: object,
) -> Issue:
    """An issue with `items` (articles, events or agenda entries) in that order."""
    fields.setdefault("number", issue_number_next(kind))
    fields.setdefault("title", f"Les nouvelles du réseau n° {fields['number']}")
    fields.setdefault("date", timezone.localdate())
    if status == IssueStatus.SENT:
        fields.setdefault("sending_started_at", timezone.now() - datetime.timedelta(hours=1))
        fields.setdefault("sent_at", timezone.now())
    issue = Issue.objects.create(kind=kind, status=status, **fields)
    for order, target in enumerate(items, start=1):
        field = {"Article": "article", "Event": "event", "AgendaEntry": "agenda_entry"}[
            type(target).__name__
        ]
        IssueItem.objects.create(issue=issue, sort_order=order, **{field: target})
    return issue


def subscription_make(
    email: str = "lectrice@example.org",
    kind: str = LetterKind.LETTER,
    status: str = SubscriptionStatus.CONFIRMED,
    **fields: object,
) -> Subscription:
    now = timezone.now()
    defaults = {
        "consent_source": ConsentSource.FORM,
        "consent_text": "J'accepte de recevoir la lettre électronique du réseau.",
        "consent_at": now,
        "confirmed_at": now if status == SubscriptionStatus.CONFIRMED else None,
    }
    return Subscription.objects.create(
        email=email, kind=kind, status=status, **{**defaults, **fields}
    )


def letters_fixture() -> dict:
    """A sent issue of the e-letter with one article (and its delivery to a confirmed
    subscriber), keyed by the admin view set namespaces."""
    rubric = rubric_make("Actualités du réseau (lettres)", slug="actualites-lettres")
    article = article_make(
        "Article de la lettre du fixture", rubric=rubric, slug="article-lettre-fixture"
    )
    issue = issue_make(
        LetterKind.LETTER,
        items=(article,),
        status=IssueStatus.SENT,
        title="La lettre du fixture",
    )
    subscription = subscription_make("abonnee-fixture@example.org")
    Delivery.objects.create(
        issue=issue,
        subscription=subscription,
        email=subscription.email,
        status=DeliveryStatus.SENT,
        attempts=1,
        sent_at=timezone.now(),
    )
    return {"letter_issue": issue, "subscription": subscription}
