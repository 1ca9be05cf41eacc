"""Reads of the letters for the admin screens and the web archive: an issue's sending figures,
its failed deliveries, and which past issues a reader may see."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from essor.core.roles import Role, has_role
from essor.letters.models import (
    MEMBERS_ONLY_KINDS,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    LetterKind,
    Subscription,
)

FAILED_LIST_SIZE = 500


@dataclass(frozen=True)
class Figures:
    """Where an issue's sending stands: deliveries by state, and the unsubscriptions it
    caused."""

    queued: int
    sending: int
    sent: int
    failed: int
    unsubscribed: int

    @property
    def total(self) -> int:
        return self.queued + self.sending + self.sent + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def percent(self) -> int:
        """Share of the deliveries settled (sent or failed for good), rounded down: 100 only
        when every one is."""
        return self.done * 100 // self.total if self.total else 0


def _by_status(prefix: str = "") -> dict:
    status = f"{prefix}status"
    return {
        "queued_count": Count("pk", filter=Q(**{status: DeliveryStatus.QUEUED})),
        "sending_count": Count("pk", filter=Q(**{status: DeliveryStatus.SENDING})),
        "sent_count": Count("pk", filter=Q(**{status: DeliveryStatus.SENT})),
        "failed_count": Count("pk", filter=Q(**{status: DeliveryStatus.FAILED})),
    }


def issue_figures(issue: Issue) -> Figures:
    """The issue's figures, in two queries whatever the number of recipients."""
    counts = Delivery.objects.filter(issue=issue).aggregate(**_by_status())
    return Figures(
        queued=counts["queued_count"],
        sending=counts["sending_count"],
        sent=counts["sent_count"],
        failed=counts["failed_count"],
        unsubscribed=issue.unsubscriptions.count(),
    )


def issues_with_figures(queryset: QuerySet) -> QuerySet:
    """Issues annotated with sent_count, failed_count and unsubscribed_count (the admin list),
    by subqueries so that the counts do not multiply each other."""
    deliveries = Delivery.objects.filter(issue=OuterRef("pk")).order_by().values("issue")
    sent = deliveries.filter(status=DeliveryStatus.SENT).annotate(n=Count("pk")).values("n")
    failed = deliveries.filter(status=DeliveryStatus.FAILED).annotate(n=Count("pk")).values("n")
    unsubscribed = (
        Subscription.objects.filter(unsubscribed_from=OuterRef("pk"))
        .order_by()
        .values("unsubscribed_from")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        sent_count=Coalesce(Subquery(sent, output_field=IntegerField()), 0),
        failed_count=Coalesce(Subquery(failed, output_field=IntegerField()), 0),
        unsubscribed_count=Coalesce(Subquery(unsubscribed, output_field=IntegerField()), 0),
    )


def issue_failed_deliveries(issue: Issue) -> list[Delivery]:
    """The addresses the issue could not reach, with their last error (the first
    FAILED_LIST_SIZE by address)."""
    return list(
        Delivery.objects.filter(issue=issue, status=DeliveryStatus.FAILED)
        .order_by("email")
        .only("email", "attempts", "last_error", "claimed_at")[:FAILED_LIST_SIZE]
    )


# -- the web archive ----------------------------------------------------------------------


def may_read_kind(user: object, kind: str) -> bool:
    """The Flash hebdo and its archive are for members (and the network's team)."""
    return kind not in MEMBERS_ONLY_KINDS or has_role(user, Role.MEMBER)


def archive_kinds(user: object) -> list[tuple[str, str]]:
    """The letters whose archive the user may read, as (kind, label)."""
    return [(kind.value, kind.label) for kind in LetterKind if may_read_kind(user, kind)]


def sent_issues(kind: str) -> QuerySet:
    """The issues of `kind` that were sent, the latest first: the web archive shows nothing
    else (a draft or a scheduled issue is not public)."""
    return Issue.objects.filter(kind=kind, status=IssueStatus.SENT).order_by("-date", "-number")


def sent_issue(kind: str, number: int) -> Issue | None:
    return sent_issues(kind).filter(number=number).first()
