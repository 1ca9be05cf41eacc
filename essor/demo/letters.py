"""Demo letters (data/letters.toml): the e-letter of November 2026, sent, with one delivery per
recipient recorded as it would have been (no mail leaves), a draft Flash hebdo composed from
the members' and authorities' articles, ~40 fictitious e-letter subscribers at example.org (a
few pending, one unsubscribed from the sent issue, one bounced during its sending) and the demo
member account on the Flash hebdo by its membership.

Issues are composed with the letters module's "add the month's items" (composition.py) and
the file's extra items. Every load is an upsert: an issue is keyed by kind and number, a
subscription by kind and address, a delivery by issue and address; a sent issue's items are
never touched again. Every reference is resolved before anything is written: a dangling one
raises DemoDataError and the load writes nothing."""

import datetime
import html
import tomllib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from essor.accounts.models import User
from essor.core.roles import Role
from essor.demo.services import DATA_DIR, DEMO_ACCOUNTS, DemoDataError
from essor.events.models import Event
from essor.letters.composition import issue_add_month_items
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
from essor.letters.subscriptions import flash_members_sync
from essor.news.models import AgendaEntry, Article

PARIS = ZoneInfo("Europe/Paris")
# Seconds between two recorded deliveries of the sent issue: its sending spans a few minutes.
DELIVERY_STEP_SECONDS = 5
_TARGETS = {"article": ("article_id", Article), "event": ("event_id", Event)}
_TARGETS["agenda"] = ("agenda_entry_id", AgendaEntry)


@dataclass
class LettersReport:
    issues: int = 0
    items: int = 0
    subscribers: int = 0  # e-letter subscriptions of the file
    confirmed: int = 0
    pending: int = 0
    deliveries: int = 0
    flash_members: int = 0
    written: int = 0  # issues, subscriptions and deliveries created or updated


def _read() -> dict:
    with open(DATA_DIR / "letters.toml", "rb") as handle:
        return tomllib.load(handle)


def _aware(value: object, where: str) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        raise DemoDataError(f"letters.toml, {where} : {value!r} n'est pas une date et heure")
    return value if timezone.is_aware(value) else timezone.make_aware(value, PARIS)


@transaction.atomic
def letters_demo_load() -> LettersReport:
    """Load the demo issues, subscribers and deliveries, after the news and the events.
    Raises DemoDataError on a dangling reference, writing nothing."""
    data = _read()
    report = LettersReport()
    plans = [_issue_plan(row) for row in data["issue"]]
    editor = User.objects.filter(email=_account_email(Role.EDITOR)).first()
    issues = [_issue_upsert(plan, editor, report) for plan in plans]
    sent = [issue for issue in issues if issue.status == IssueStatus.SENT]
    subscriptions = _subscribers_upsert(data["subscribers"], sent, report)
    for issue in sent:
        _deliveries_upsert(issue, data["subscribers"], subscriptions, report)
    report.flash_members = _flash_members()
    report.issues = len(issues)
    report.items = IssueItem.objects.filter(issue__in=issues).count()
    return report


def _account_email(role: Role) -> str:
    return next(email for account_role, email, *_names in DEMO_ACCOUNTS if account_role == role)


# ----------------------------------------------------------------------- issues


@dataclass
class _IssuePlan:
    where: str
    kind: str
    number: int
    fields: dict
    compose: bool
    items: list[dict]  # IssueItem fields, e.g. {"article_id": 3}


def _target(reference: str, where: str) -> dict:
    source, _colon, slug = reference.partition(":")
    if source not in _TARGETS or not slug:
        raise DemoDataError(f"{where} : élément {reference!r} (article:, event: ou agenda:)")
    name, model = _TARGETS[source]
    pk = model.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise DemoDataError(f"{where} : {reference!r} introuvable (chargez d'abord son module)")
    return {name: pk}


def _editorial(text: str) -> str:
    paragraphs = [" ".join(part.split()) for part in text.split("\n\n")]
    return "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in paragraphs if part)


def _issue_plan(row: dict) -> _IssuePlan:
    where = f"letters.toml, numéro {row.get('kind')} {row.get('number')}"
    if row.get("kind") not in LetterKind.values or not isinstance(row.get("number"), int):
        raise DemoDataError(f"{where} : lettre (lettre ou flash) et numéro attendus")
    if row.get("status") not in (IssueStatus.DRAFT, IssueStatus.SENT):
        # A scheduled demo issue would be sent by the task worker to the demo addresses.
        raise DemoDataError(f"{where} : état « brouillon » ou « envoye » seulement")
    sent = row["status"] == IssueStatus.SENT
    fields = {
        "title": row["title"],
        "date": row["date"],
        "editorial": _editorial(row.get("editorial", "")),
        "status": row["status"],
        "scheduled_at": None,
        "sending_started_at": _aware(row.get("sending_started_at"), where) if sent else None,
        "sent_at": _aware(row.get("sent_at"), where) if sent else None,
    }
    if sent and not (fields["sending_started_at"] and fields["sent_at"]):
        raise DemoDataError(f"{where} : un numéro envoyé a besoin de ses dates d'envoi")
    items = [_target(reference, where) for reference in row.get("items", [])]
    return _IssuePlan(where, row["kind"], row["number"], fields, row.get("compose", False), items)


def _issue_upsert(plan: _IssuePlan, editor: User | None, report: LettersReport) -> Issue:
    """The issue as the file says, composed while it is a draft; a sent issue keeps the
    items it was sent with."""
    issue = Issue.objects.filter(kind=plan.kind, number=plan.number).first()
    if issue is not None and issue.status == IssueStatus.SENT:
        if any(getattr(issue, name) != value for name, value in plan.fields.items()):
            Issue.objects.filter(pk=issue.pk).update(**plan.fields)
            issue.refresh_from_db()
            report.written += 1
        return issue
    if issue is None:
        issue = Issue(kind=plan.kind, number=plan.number, created_by=editor)
    changed = issue.pk is None or any(
        getattr(issue, name) != value for name, value in plan.fields.items()
    )
    final_status = plan.fields["status"]
    if changed:
        for name, value in plan.fields.items():
            setattr(issue, name, value)
        # Composed as a draft: composition refuses an issue whose sending started.
        issue.status = IssueStatus.DRAFT
        issue.save()
    added = issue_add_month_items(issue, editor) if plan.compose else 0
    added += _items_append(issue, plan.items)
    if issue.status != final_status:
        Issue.objects.filter(pk=issue.pk).update(status=final_status)
        issue.status = final_status
    report.written += bool(changed or added)
    if not issue.items.exists():
        raise DemoDataError(f"{plan.where} : numéro sans aucun élément")
    return issue


def _items_append(issue: Issue, items: list[dict]) -> int:
    """The file's items the issue does not hold yet, after its items."""
    held = {
        (name, value)
        for name in ("article_id", "event_id", "agenda_entry_id")
        for value in issue.items.exclude(**{name: None}).values_list(name, flat=True)
    }
    order = issue.items.aggregate(last=Max("sort_order"))["last"] or 0
    rows = []
    for fields in items:
        ((name, value),) = fields.items()
        if (name, value) not in held:
            order += 1
            held.add((name, value))
            rows.append(IssueItem(issue=issue, sort_order=order, **fields))
    IssueItem.objects.bulk_create(rows)
    return len(rows)


# ------------------------------------------------------------------ subscribers


def _subscriber_rows(spec: dict, sent: list[Issue]) -> dict[str, dict]:
    """Each address of the file with the fields its subscription must have."""
    where = "letters.toml, [subscribers]"
    count = spec["count"]
    numbers = {name: set(spec.get(name, [])) for name in ("pending", "unsubscribed", "bounced")}
    for name, chosen in numbers.items():
        if not chosen <= set(range(1, count + 1)):
            raise DemoDataError(f"{where} : {name} hors de 1…{count}")
    imported_at = _aware(spec["imported_at"], where)
    last_sent = max(sent, key=lambda issue: issue.sent_at, default=None)
    if (numbers["unsubscribed"] or numbers["bounced"]) and last_sent is None:
        raise DemoDataError(f"{where} : désabonnement ou erreur sans numéro envoyé")
    rows = {}
    for number in range(1, count + 1):
        email = spec["address"].format(number=number).lower()
        if not email.endswith("@example.org"):
            raise DemoDataError(f"{where} : {email} n'est pas une adresse @example.org")
        row = {
            "status": SubscriptionStatus.CONFIRMED,
            "consent_source": ConsentSource.IMPORT,
            "consent_text": " ".join(spec["consent_text"].split()),
            "consent_at": imported_at,
            "confirmation_sent_at": None,
            "confirmed_at": imported_at,
            "unsubscribed_at": None,
            "unsubscribed_from_id": None,
            "bounced_at": None,
        }
        if number in numbers["pending"]:
            requested = _aware(spec["pending_requested_at"], where) + datetime.timedelta(
                hours=number
            )
            row |= {
                "status": SubscriptionStatus.PENDING,
                "consent_source": ConsentSource.FORM,
                "consent_text": " ".join(spec["form_consent_text"].split()),
                "consent_at": requested,
                "confirmation_sent_at": requested,
                "confirmed_at": None,
            }
        elif number in numbers["unsubscribed"]:
            row |= {
                "status": SubscriptionStatus.UNSUBSCRIBED,
                "unsubscribed_at": _aware(spec["unsubscribed_at"], where),
                "unsubscribed_from_id": last_sent.pk,
            }
        elif number in numbers["bounced"]:
            row |= {"status": SubscriptionStatus.BOUNCED, "bounced_at": last_sent.sent_at}
        rows[email] = row
    return rows


def _subscribers_upsert(
    spec: dict, sent: list[Issue], report: LettersReport
) -> dict[str, Subscription]:
    kind = spec.get("kind", LetterKind.LETTER)
    rows = _subscriber_rows(spec, sent)
    found = {
        subscription.email: subscription
        for subscription in Subscription.objects.filter(kind=kind, email__in=rows)
    }
    for email, wanted in rows.items():
        subscription = found.get(email) or Subscription(kind=kind, email=email)
        if subscription.pk is None or any(
            getattr(subscription, name) != value for name, value in wanted.items()
        ):
            for name, value in wanted.items():
                setattr(subscription, name, value)
            subscription.save()
            report.written += 1
        found[email] = subscription
        report.confirmed += wanted["status"] == SubscriptionStatus.CONFIRMED
        report.pending += wanted["status"] == SubscriptionStatus.PENDING
    report.subscribers = len(rows)
    return found


# ------------------------------------------------------------------- deliveries


def _deliveries_upsert(
    issue: Issue, spec: dict, subscriptions: dict[str, Subscription], report: LettersReport
) -> None:
    """One delivery per address that received the sent issue: those subscribed then (the
    confirmed ones, the one who unsubscribed from it afterwards, the one whose address
    bounced during its sending). Recorded, never sent."""
    received = [
        subscription
        for email, subscription in sorted(subscriptions.items())
        if subscription.kind == issue.kind
        and subscription.status != SubscriptionStatus.PENDING
        and (
            subscription.status != SubscriptionStatus.UNSUBSCRIBED
            or subscription.unsubscribed_from_id == issue.pk
        )
    ]
    existing = {delivery.email: delivery for delivery in Delivery.objects.filter(issue=issue)}
    for position, subscription in enumerate(received):
        at = issue.sending_started_at + datetime.timedelta(seconds=DELIVERY_STEP_SECONDS * position)
        bounced = subscription.status == SubscriptionStatus.BOUNCED
        wanted = {
            "subscription_id": subscription.pk,
            "status": DeliveryStatus.FAILED if bounced else DeliveryStatus.SENT,
            "attempts": 1,
            "next_attempt_at": None,
            "claimed_by": "",
            "claimed_at": None,
            "sent_at": None if bounced else min(at, issue.sent_at),
            "last_error": spec["bounce_error"] if bounced else "",
        }
        delivery = existing.get(subscription.email) or Delivery(
            issue=issue, email=subscription.email
        )
        if delivery.pk is None or any(
            getattr(delivery, name) != value for name, value in wanted.items()
        ):
            for name, value in wanted.items():
                setattr(delivery, name, value)
            delivery.save()
            report.written += 1
        report.deliveries += 1


def _flash_members() -> int:
    """The member accounts' Flash hebdo subscriptions, by their membership (the letters
    module's own rule)."""
    flash_members_sync()
    return Subscription.objects.filter(
        kind=LetterKind.FLASH, consent_source=ConsentSource.MEMBERSHIP
    ).count()
