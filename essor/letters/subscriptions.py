"""Subscriptions to the letters: subscribing with double opt-in, confirming, unsubscribing,
a subscriber's data, the Flash hebdo of member users, importing a list, purging unconfirmed
addresses, and who receives an issue.

Every write of a subscription lives here (views, admin screens, hooks and commands call these
functions). Two rules hold everywhere:

- nobody is subscribed without their consent: a row only becomes "confirmed" with its proof
  (date, source, text) recorded, by the person's click on the confirmation link, a consent
  date given by an import, or a member's membership;
- an answer to the public never tells whether an address is on a list: the caller gets an
  `Outcome` for its tests and logs, the visitor the same page whatever it is.
"""

import codecs
import csv
import datetime
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote

from disposable_email_domains import blocklist as _DISPOSABLE_DOMAINS
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from essor.core.links import absolute_url
from essor.core.roles import GROUP_NAMES, Role
from essor.core.text import fold
from essor.letters.models import (
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    LetterKind,
    Subscription,
    SubscriptionStatus,
    new_token,
)
from essor.members.models import Authority

logger = logging.getLogger(__name__)

# A confirmation request is sent again at most this often for one address (a form submitted
# twice, or by someone else, does not flood the mailbox).
RESEND_DELAY = datetime.timedelta(minutes=10)

# The texts people agree to; stored word for word as the consent proof of their subscription.
FORM_CONSENT_TEXT = (
    "J'accepte de recevoir la Lettre électronique du réseau (environ une par mois) à cette "
    "adresse. Je peux me désabonner à tout moment par le lien présent dans chaque lettre."
)
MEMBER_SPACE_CONSENT_TEXT = (
    "Abonnement demandé depuis l'espace membre, avec l'adresse du compte : j'accepte de "
    "recevoir la Lettre électronique du réseau (environ une par mois). Je peux me désabonner "
    "à tout moment par le lien présent dans chaque lettre."
)
# Shown on the confirmation page of an address that was imported without a consent date: the
# click on its button is the consent, recorded with this text.
CONFIRM_PAGE_CONSENT_TEXT = (
    "En confirmant, j'accepte de recevoir la {letter} du réseau à cette adresse. Je peux me "
    "désabonner à tout moment par le lien présent dans chaque envoi."
)
MEMBERSHIP_CONSENT_TEXT = (
    "Le Flash hebdo est envoyé aux comptes membres rattachés à une collectivité adhérente, au "
    "titre de l'adhésion au réseau. Il s'arrête quand le compte n'est plus membre et peut être "
    "résilié à tout moment par le lien présent dans chaque numéro ou depuis l'espace membre."
)


def normalize_email(email: str) -> str:
    """Addresses are stored trimmed and lower-cased: one row per mailbox and list."""
    return email.strip().lower()


def is_disposable(email: str) -> bool:
    """A throwaway mailbox (the maintained list of the `disposable-email-domains` package),
    its subdomains included."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    parts = domain.split(".")
    return any(".".join(parts[i:]) in _DISPOSABLE_DOMAINS for i in range(len(parts) - 1))


def subscription_by_token(token: str) -> Subscription | None:
    """The subscription of a secret link, or None for an unknown or malformed token."""
    if not token or len(token) > Subscription._meta.get_field("token").max_length:
        return None
    return Subscription.objects.filter(token=token).first()


# -- who receives an issue ----------------------------------------------------------------


def recipients(kind: str) -> QuerySet[Subscription]:
    """The subscriptions an issue of `kind` goes to, as of now. For the Flash hebdo, the
    membership subscriptions are brought up to date first (new members in, former out)."""
    if kind == LetterKind.FLASH:
        flash_members_sync()
    return Subscription.objects.receiving(kind)


def address_bounced(email: str) -> int:
    """A hard bounce: the address stops receiving every letter. Returns the rows changed.
    An unsubscribed row keeps its unsubscription (the person's choice is the record)."""
    return (
        Subscription.objects.filter(email=normalize_email(email))
        .exclude(status=SubscriptionStatus.UNSUBSCRIBED)
        .update(status=SubscriptionStatus.BOUNCED, bounced_at=timezone.now())
    )


def unsubscribe_url(subscription: Subscription, issue: Issue | None = None) -> str:
    """The one-click unsubscribe address of a subscription (in the mail's link and in its
    List-Unsubscribe header), telling which issue it came from when there is one."""
    if issue is None:
        return absolute_url(reverse("letters:unsubscribe", args=[subscription.token]))
    return issue_unsubscribe_url(issue)(subscription.token)


def issue_unsubscribe_url(issue: Issue) -> Callable[[str], str]:
    """`unsubscribe_url` for the many subscriptions of one issue, by token: the address is
    reversed once, each recipient's token put in its place (one reverse per message cost
    more than a tenth of the sending loop)."""
    mark = "TOKEN-MARK"
    template = absolute_url(reverse("letters:unsubscribe_from_issue", args=[mark, issue.pk]))
    before, after = template.split(mark)
    return lambda token: f"{before}{quote(token, safe='')}{after}"


def manage_url(subscription: Subscription) -> str:
    """The page where a subscriber sees and deletes their data."""
    return absolute_url(reverse("letters:manage", args=[subscription.token]))


def confirm_url(subscription: Subscription) -> str:
    return absolute_url(reverse("letters:confirm", args=[subscription.token]))


# -- subscribing and confirming -----------------------------------------------------------


class Outcome(StrEnum):
    """What a subscription request did (never shown to the visitor)."""

    CREATED = "created"  # a new pending subscription, confirmation request sent
    RESENT = "resent"  # still pending: the confirmation request sent again
    THROTTLED = "throttled"  # still pending, request sent less than RESEND_DELAY ago
    ALREADY = "already"  # confirmed: a mail "vous êtes déjà abonné·e"
    ALREADY_QUIET = "already-quiet"  # confirmed, that mail sent less than RESEND_DELAY ago
    RENEWED = "renewed"  # was unsubscribed or bounced: pending again with a new consent


def _mailer(name: str) -> Callable[[Subscription], bool]:
    # The e-mails module renders templates and sends; imported late: it imports this module.
    from essor.letters import subscription_emails

    return getattr(subscription_emails, name)


def _record_consent(
    subscription: Subscription, *, source: str, text: str, now: datetime.datetime
) -> None:
    subscription.consent_source = source
    subscription.consent_text = text
    subscription.consent_at = now


def subscription_request(
    email: str,
    kind: str = LetterKind.LETTER,
    *,
    consent_text: str = FORM_CONSENT_TEXT,
    source: str = ConsentSource.FORM,
    user: object = None,
) -> Outcome:
    """Someone asked, with their consent, for `email` to receive `kind`: double opt-in.

    A new address gets a pending subscription and the confirmation request; a pending one
    gets the request again (not more than once per RESEND_DELAY); a confirmed one a mail
    saying so; an unsubscribed or bounced one a new pending subscription, with the new
    consent recorded and a new token, so that no link of the former subscription confirms it.
    """
    email = normalize_email(email)
    now = timezone.now()
    account = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(kind=kind, email=email).first()
        )
        if subscription is None:
            subscription = Subscription(kind=kind, email=email, user=account)
            _record_consent(subscription, source=source, text=consent_text, now=now)
            subscription.confirmation_sent_at = now
            try:
                with transaction.atomic():
                    subscription.save()
            except IntegrityError:
                # The same address sent twice at once: the other request created it.
                return Outcome.THROTTLED
            outcome = Outcome.CREATED
        elif subscription.status == SubscriptionStatus.PENDING:
            sent = subscription.confirmation_sent_at
            if sent is not None and now - sent < RESEND_DELAY:
                return Outcome.THROTTLED
            _record_consent(subscription, source=source, text=consent_text, now=now)
            subscription.confirmation_sent_at = now
            subscription.save(
                update_fields=[
                    "consent_source",
                    "consent_text",
                    "consent_at",
                    "confirmation_sent_at",
                ]
            )
            outcome = Outcome.RESENT
        elif subscription.status == SubscriptionStatus.CONFIRMED:
            # The cache key holds the token: nothing else can clear or collide with it.
            if not cache.add(f"letters:already:{subscription.token}", 1, RESEND_DELAY.seconds):
                return Outcome.ALREADY_QUIET
            outcome = Outcome.ALREADY
        else:
            subscription.status = SubscriptionStatus.PENDING
            subscription.token = new_token()
            _record_consent(subscription, source=source, text=consent_text, now=now)
            subscription.confirmation_sent_at = now
            subscription.confirmed_at = None
            subscription.user = subscription.user or account
            subscription.save()
            outcome = Outcome.RENEWED
    mail = "already_subscribed" if outcome == Outcome.ALREADY else "confirmation_request"
    _mailer(mail)(subscription)
    return outcome


class ConfirmResult(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"  # the link was used before
    INACTIVE = "inactive"  # unsubscribed or bounced since: the old link restores nothing


def confirm_page_consent_text(subscription: Subscription) -> str:
    return CONFIRM_PAGE_CONSENT_TEXT.format(letter=subscription.get_kind_display())


def subscription_confirm(subscription: Subscription) -> ConfirmResult:
    """The person clicked the button of their confirmation link: the subscription starts.
    Only a pending subscription is confirmed. One that was imported without a consent date
    has none recorded yet: the click is the consent, recorded with the page's text."""
    with transaction.atomic():
        current = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if current.status == SubscriptionStatus.CONFIRMED:
            return ConfirmResult.ALREADY
        if current.status != SubscriptionStatus.PENDING:
            return ConfirmResult.INACTIVE
        now = timezone.now()
        if current.consent_at is None:
            current.consent_text = confirm_page_consent_text(current)
            current.consent_at = now
        current.status = SubscriptionStatus.CONFIRMED
        current.confirmed_at = now
        current.save(update_fields=["status", "confirmed_at", "consent_text", "consent_at"])
    subscription.refresh_from_db()
    return ConfirmResult.CONFIRMED


def confirm_state(subscription: Subscription) -> str:
    """What the confirmation page shows before the click: "pending", "already", "inactive"."""
    if subscription.status == SubscriptionStatus.PENDING:
        return "pending"
    if subscription.status == SubscriptionStatus.CONFIRMED:
        return "already"
    return "inactive"


# -- unsubscribing and one's data ---------------------------------------------------------


def subscription_unsubscribe(subscription: Subscription, issue_id: int | None = None) -> bool:
    """Stop this subscription (one click, no login). Idempotent: the first unsubscription's
    date and issue stay the record. `issue_id` comes from the mail's link: an unknown issue or
    one of another letter is ignored, the unsubscription is not. False when nothing changed."""
    issue = None
    if issue_id is not None:
        issue = Issue.objects.filter(pk=issue_id, kind=subscription.kind).first()
    changed = (
        Subscription.objects.filter(pk=subscription.pk)
        .exclude(status=SubscriptionStatus.UNSUBSCRIBED)
        .update(
            status=SubscriptionStatus.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
            unsubscribed_from=issue,
        )
    )
    subscription.refresh_from_db()
    return bool(changed)


def subscriptions_of_address(email: str) -> QuerySet[Subscription]:
    return Subscription.objects.filter(email=normalize_email(email)).order_by("kind")


def deliveries_received(email: str) -> int:
    return Delivery.objects.filter(email=normalize_email(email), status=DeliveryStatus.SENT).count()


@transaction.atomic
def subscriber_data_delete(email: str) -> int:
    """The right to erasure: every subscription of the address is deleted; the deliveries
    stay (the issues' figures count them) but lose the address, replaced by a placeholder
    unique per row. Returns the subscriptions deleted."""
    email = normalize_email(email)
    Delivery.objects.filter(email=email).update(
        email=Concat(Value("supprime-"), Cast("pk", output_field=CharField()), Value("@invalid")),
        subscription=None,
    )
    deleted, _ = Subscription.objects.filter(email=email).delete()
    return deleted


def user_subscriptions_delete(user: object) -> int:
    """An account is deleted: the subscriptions it holds and those of its address go too."""
    emails = set(Subscription.objects.filter(user=user).values_list("email", flat=True).distinct())
    if getattr(user, "email", ""):
        emails.add(normalize_email(user.email))
    return sum(subscriber_data_delete(email) for email in emails)


def subscriptions_of_user(user: object) -> QuerySet[Subscription]:
    """The subscriptions of an account: made with it, or of its address."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    return Subscription.objects.filter(
        Q(user=user) | Q(email=normalize_email(user.email))
    ).order_by("kind")


# -- the Flash hebdo of member users ------------------------------------------------------


def member_users() -> QuerySet:
    """Active member accounts attached to an authority that is a member of the network today."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=GROUP_NAMES[Role.MEMBER],
            authority_link__authority__in=Authority.objects.members(),
        )
        .exclude(email="")
        .distinct()
    )


def is_member_user(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        member_users().filter(pk=user.pk).exists()
    )


@dataclass
class SyncResult:
    created: int = 0
    confirmed: int = 0  # pending rows of members confirmed by the membership
    removed: int = 0  # membership subscriptions of former members


def _membership_consent(now: datetime.datetime) -> dict:
    """The fields of a Flash subscription that the membership confirms."""
    return {
        "status": SubscriptionStatus.CONFIRMED,
        "consent_source": ConsentSource.MEMBERSHIP,
        "consent_text": MEMBERSHIP_CONSENT_TEXT,
        "consent_at": now,
        "confirmed_at": now,
    }


def flash_members_sync() -> SyncResult:
    """Member users receive the Flash hebdo by their membership.

    Creates a confirmed subscription (source: membership) for each member user without one;
    never re-creates one the person unsubscribed from or whose address bounced (those rows
    stay and say so); deletes the membership subscriptions of accounts that are no longer
    members, so that they stop receiving (the deliveries keep their address and counts).
    """
    now = timezone.now()
    result = SyncResult()
    members = {
        normalize_email(email): pk for pk, email in member_users().values_list("pk", "email")
    }
    flash = Subscription.objects.filter(kind=LetterKind.FLASH)
    with transaction.atomic():
        existing = dict(flash.filter(email__in=members).values_list("email", "status"))
        pending = [
            email for email, status in existing.items() if status == SubscriptionStatus.PENDING
        ]
        if pending:
            result.confirmed = flash.filter(
                email__in=pending, status=SubscriptionStatus.PENDING
            ).update(**_membership_consent(now))
        new = [
            Subscription(
                kind=LetterKind.FLASH, email=email, user_id=user_id, **_membership_consent(now)
            )
            for email, user_id in members.items()
            if email not in existing
        ]
        # Another sync running at once may create some of them: the unique constraint keeps
        # one row per address.
        result.created = len(Subscription.objects.bulk_create(new, ignore_conflicts=True))
        former = flash.filter(
            consent_source=ConsentSource.MEMBERSHIP, status=SubscriptionStatus.CONFIRMED
        ).exclude(email__in=members)
        result.removed, _ = former.delete()
    return result


def flash_member_sync(user: object, *, member: bool | None = None) -> SyncResult:
    """`flash_members_sync` for one account, with the same rules, touching no other row: a
    member user without a Flash subscription gets one (source: membership), a pending one is
    confirmed, an unsubscribed or bounced one stays so; an account that is no longer a
    member loses its membership subscription, unless another member account has the same
    address. At most one read when nothing changes (the member space calls it on each
    visit). `member`: whether the account is a member user, when the caller knows it."""
    result = SyncResult()
    if not getattr(user, "is_authenticated", False) or not getattr(user, "email", ""):
        return result
    email = normalize_email(user.email)
    if member is None:
        member = is_member_user(user)
    flash = Subscription.objects.filter(kind=LetterKind.FLASH, email=email)
    if not member:
        former = flash.filter(
            consent_source=ConsentSource.MEMBERSHIP, status=SubscriptionStatus.CONFIRMED
        )
        if former.exists() and not member_users().filter(email__iexact=email).exists():
            result.removed, _ = former.delete()
        return result
    status = flash.values_list("status", flat=True).first()
    now = timezone.now()
    if status is None:
        # A request of the same member in another tab may create it first: one row stays.
        created = Subscription.objects.bulk_create(
            [
                Subscription(
                    kind=LetterKind.FLASH, email=email, user=user, **_membership_consent(now)
                )
            ],
            ignore_conflicts=True,
        )
        result.created = len(created)
    elif status == SubscriptionStatus.PENDING:
        result.confirmed = flash.filter(status=SubscriptionStatus.PENDING).update(
            **_membership_consent(now)
        )
    return result


def member_subscription_set(user: object, kind: str, subscribed: bool) -> Subscription | None:
    """A logged-in user subscribes or unsubscribes in one click from their space, with their
    account's address. The e-letter: consent recorded with the text shown next to the button
    (the address is the account's: no confirmation mail). The Flash hebdo: member users
    only, by their membership."""
    email = normalize_email(user.email)
    now = timezone.now()
    if kind == LetterKind.FLASH:
        if not is_member_user(user):
            return None
        source, text = ConsentSource.MEMBERSHIP, MEMBERSHIP_CONSENT_TEXT
    else:
        source, text = ConsentSource.FORM, MEMBER_SPACE_CONSENT_TEXT
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(kind=kind, email=email).first()
        )
        if not subscribed:
            if subscription is None and kind == LetterKind.FLASH:
                # No row yet (the sync had not run): record the refusal, so that the
                # membership never subscribes this address behind the person's back.
                subscription = Subscription.objects.create(
                    kind=kind,
                    email=email,
                    user=user,
                    status=SubscriptionStatus.UNSUBSCRIBED,
                    consent_source=source,
                    unsubscribed_at=now,
                )
            elif subscription is not None:
                subscription_unsubscribe(subscription)
            return subscription
        if subscription is None:
            subscription = Subscription(kind=kind, email=email)
        elif subscription.status == SubscriptionStatus.CONFIRMED:
            return subscription
        subscription.user = user
        subscription.status = SubscriptionStatus.CONFIRMED
        _record_consent(subscription, source=source, text=text, now=now)
        subscription.confirmed_at = now
        subscription.unsubscribed_at = None
        subscription.unsubscribed_from = None
        subscription.bounced_at = None
        subscription.save()
    return subscription


# -- purge --------------------------------------------------------------------------------


def stale_pending(now: datetime.datetime | None = None) -> QuerySet[Subscription]:
    """Pending subscriptions never confirmed within ESSOR_LETTERS_PENDING_DAYS of their last
    confirmation request (or of their creation, when none was sent)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ESSOR_LETTERS_PENDING_DAYS)
    return Subscription.objects.filter(status=SubscriptionStatus.PENDING).filter(
        Q(confirmation_sent_at__lt=cutoff)
        | Q(confirmation_sent_at__isnull=True, created_at__lt=cutoff)
    )


def pending_purge(*, dry_run: bool = False) -> int:
    """Delete the stale pending subscriptions (an unconfirmed address is kept no longer than
    needed). Returns how many were (or, with dry_run, would be) deleted."""
    stale = stale_pending()
    if dry_run:
        return stale.count()
    deleted, _ = stale.delete()
    return deleted


# -- import of an existing list -----------------------------------------------------------

MAX_IMPORT_ROWS = 100_000
_EMAIL_HEADERS = {
    "email",
    "e-mail",
    "mail",
    "courriel",
    "adresse",
    "adresse electronique",
    "adresse e-mail",
    "adresse mail",
    "adresse courriel",
}
_DATE_HEADERS = {
    "date",
    "consentement",
    "date de consentement",
    "date du consentement",
    "consent date",
    "consent_date",
    "date d'inscription",
    "inscription",
    "inscrit le",
    "abonne le",
    "date d'abonnement",
}
_SOURCE_HEADERS = {"source", "origine", "provenance"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y")
_SPACES = re.compile(r"\s+")


class ImportFileError(Exception):
    """The file cannot be read as a list of addresses; the message says why, in French."""


@dataclass(frozen=True)
class ImportLine:
    line: int
    email: str
    consent_date: datetime.date | None
    source: str


@dataclass
class SubscriptionImportReport:
    filename: str
    kind: str
    lines: list[ImportLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duplicates: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class SubscriptionImportResult:
    created_confirmed: int = 0
    created_pending: int = 0
    upgraded: int = 0  # pending addresses confirmed by a consent date of the file
    kept_confirmed: int = 0
    kept_pending: int = 0
    kept_stopped: int = 0  # unsubscribed or bounced: left as they are
    duplicates: int = 0
    requests_queued: int = 0  # confirmation requests left to the task worker

    @property
    def summary(self) -> list[str]:
        """What the import did, in French, one sentence per figure that is not zero."""
        sentences = [
            (self.created_confirmed, "nouvelle(s) adresse(s) abonnée(s) (consentement daté)"),
            (self.created_pending, "nouvelle(s) adresse(s) en attente de confirmation"),
            (self.upgraded, "adresse(s) en attente désormais abonnée(s) (consentement daté)"),
            (self.kept_confirmed, "adresse(s) déjà abonnée(s), inchangée(s)"),
            (self.kept_pending, "adresse(s) déjà en attente, inchangée(s)"),
            (
                self.kept_stopped,
                "adresse(s) désabonnée(s) ou en erreur : laissée(s) telle(s) quelle(s), "
                "l'import ne réabonne personne",
            ),
            (self.duplicates, "doublon(s) dans le fichier, ignoré(s)"),
            (
                self.requests_queued,
                "demande de confirmation part en arrière-plan"
                if self.requests_queued == 1
                else "demandes de confirmation partent en arrière-plan",
            ),
        ]
        return [f"{count} {text}." for count, text in sentences if count]


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 (French Excel's "CSV (séparateur : point-virgule)") decodes almost
        # anything, so it is tried last.
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le au format CSV "
            "UTF-8 depuis votre tableur."
        ) from error


def _header_field(text: str) -> str | None:
    key = _SPACES.sub(" ", fold(re.sub(r"\(.*?\)", " ", text)).replace("*", " ")).strip()
    for name, headers in (
        ("email", _EMAIL_HEADERS),
        ("date", _DATE_HEADERS),
        ("source", _SOURCE_HEADERS),
    ):
        if key in {fold(header) for header in headers}:
            return name
    return None


def _parse_date(text: str) -> datetime.date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def subscription_import_check(
    data: bytes, filename: str, kind: str = LetterKind.LETTER
) -> SubscriptionImportReport:
    """Read and check a CSV list (UTF-8 or Windows-1252, separator `;` or `,`): columns
    e-mail (required), consent date and source (optional). Every bad line is reported with
    its number as the spreadsheet shows it (the header is line 1); nothing is written."""
    report = SubscriptionImportReport(filename=filename, kind=kind)
    if not data.strip():
        report.errors.append("Le fichier est vide.")
        return report
    try:
        text = _decode(data)
    except ImportFileError as error:
        report.errors.append(str(error))
        return report
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    delimiter = ";" if unquoted.count(";") >= unquoted.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        report.errors.append(
            f"Le fichier CSV est mal formé vers la ligne {reader.line_num} ({error}). "
            "Vérifiez les guillemets et le séparateur."
        )
        return report
    header_index = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if header_index is None:
        report.errors.append("Le fichier est vide.")
        return report
    columns = {}
    for position, cell in enumerate(rows[header_index]):
        name = _header_field(cell)
        if name and name not in columns:
            columns[name] = position
    if "email" not in columns:
        report.errors.append(
            "La colonne des adresses est introuvable : la première ligne doit porter les noms "
            "des colonnes, dont « email » (ou « courriel », « adresse électronique »)."
        )
        return report
    if len(rows) - header_index - 1 > MAX_IMPORT_ROWS:
        report.errors.append(
            f"Le fichier compte plus de {MAX_IMPORT_ROWS} lignes : découpez-le en plusieurs "
            "fichiers."
        )
        return report
    today = timezone.localdate()
    seen: dict[str, int] = {}

    def cell(row: list[str], name: str) -> str:
        position = columns.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(value.strip() for value in row):
            continue
        line_errors = []
        raw_email = cell(row, "email")
        email = normalize_email(raw_email)
        if not email:
            line_errors.append("l'adresse est vide")
        else:
            try:
                validate_email(email)
            except ValidationError:
                line_errors.append(f"« {raw_email} » n'est pas une adresse électronique valide")
        raw_date = cell(row, "date")
        consent_date = None
        if raw_date:
            consent_date = _parse_date(raw_date)
            if consent_date is None:
                line_errors.append(
                    f"la date de consentement « {raw_date} » n'est pas lue : écrivez-la "
                    "JJ/MM/AAAA ou AAAA-MM-JJ"
                )
            elif consent_date > today:
                line_errors.append(f"la date de consentement « {raw_date} » est dans le futur")
        source = cell(row, "source")[:200]
        if line_errors:
            report.errors.append(f"Ligne {offset} : " + " ; ".join(line_errors) + ".")
            continue
        if email in seen:
            report.duplicates += 1
            continue
        seen[email] = offset
        report.lines.append(
            ImportLine(line=offset, email=email, consent_date=consent_date, source=source)
        )
    if not report.lines and not report.errors:
        report.errors.append("Le fichier ne contient aucune adresse.")
    return report


def _import_consent_text(line: ImportLine, filename: str) -> str:
    origin = line.source or filename
    return f"Importé de {origin} : consentement du {line.consent_date:%d/%m/%Y}"


def subscription_import_apply(
    report: SubscriptionImportReport, *, send_confirmation: bool = False
) -> SubscriptionImportResult:
    """Write a checked report in one transaction. An address with a consent date is
    subscribed (source: import, its text says where from and when); one without is pending,
    and gets the confirmation request only when `send_confirmation`. Existing addresses are
    never downgraded and never resubscribed: a confirmed one stays confirmed, an unsubscribed
    or bounced one stays so; a pending one is confirmed when the file dates its consent.
    The confirmation requests are sent by the task worker (`confirmation_requests_enqueue`):
    the result counts them as queued."""
    if not report.ok:
        raise ValueError("Un fichier avec des erreurs n'est jamais importé.")
    result = SubscriptionImportResult(duplicates=report.duplicates)
    now = timezone.now()
    with transaction.atomic():
        emails = [line.email for line in report.lines]
        existing = {
            subscription.email: subscription
            for subscription in Subscription.objects.select_for_update().filter(
                kind=report.kind, email__in=emails
            )
        }
        new = []
        for line in report.lines:
            current = existing.get(line.email)
            consent_at = (
                timezone.make_aware(datetime.datetime.combine(line.consent_date, datetime.time()))
                if line.consent_date
                else None
            )
            if current is None:
                subscription = Subscription(
                    kind=report.kind,
                    email=line.email,
                    consent_source=ConsentSource.IMPORT,
                )
                if consent_at:
                    subscription.status = SubscriptionStatus.CONFIRMED
                    subscription.consent_text = _import_consent_text(line, report.filename)
                    subscription.consent_at = consent_at
                    subscription.confirmed_at = now
                    result.created_confirmed += 1
                else:
                    # No proof of consent: pending, until the person confirms it.
                    subscription.consent_text = (
                        f"Importé de {line.source or report.filename} sans date de "
                        "consentement : en attente de la confirmation de la personne."
                    )
                    result.created_pending += 1
                new.append(subscription)
            elif current.status == SubscriptionStatus.CONFIRMED:
                result.kept_confirmed += 1
            elif current.status == SubscriptionStatus.PENDING:
                if consent_at:
                    current.status = SubscriptionStatus.CONFIRMED
                    current.consent_source = ConsentSource.IMPORT
                    current.consent_text = _import_consent_text(line, report.filename)
                    current.consent_at = consent_at
                    current.confirmed_at = now
                    current.save()
                    result.upgraded += 1
                else:
                    result.kept_pending += 1
            else:
                result.kept_stopped += 1
        Subscription.objects.bulk_create(new, batch_size=1000)
        if send_confirmation:
            pending = [s.email for s in new if s.status == SubscriptionStatus.PENDING]
            to_request = list(
                Subscription.objects.filter(kind=report.kind, email__in=pending)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            # Enqueued once the rows are committed: the worker must find them.
            result.requests_queued = confirmation_requests_enqueue(to_request, asked_before=now)
    return result


# -- confirmation requests sent by the task worker ------------------------------------------

# Subscriptions per task: a list of thousands would outlast a web request, and smaller tasks
# let several workers share it.
CONFIRMATION_BATCH = 500


def confirmation_requests_enqueue(
    subscription_ids: list[int], *, asked_before: datetime.datetime
) -> int:
    """Queue the confirmation requests of these pending subscriptions for the task worker
    (`tasks.confirmation_requests_send`, by batches), once the current transaction commits.
    `asked_before`: when they were decided; a row asked again since is not asked twice.
    Returns how many requests were queued."""
    from essor.letters import tasks  # tasks imports sending, which imports this module

    ids = [int(pk) for pk in subscription_ids]
    stamp = asked_before.isoformat()

    def enqueue() -> None:
        for start in range(0, len(ids), CONFIRMATION_BATCH):
            tasks.confirmation_requests_send.enqueue(ids[start : start + CONFIRMATION_BATCH], stamp)

    if ids:
        transaction.on_commit(enqueue)
    return len(ids)


def confirmation_requests_send(subscription_ids: list[int], asked_before: datetime.datetime) -> int:
    """Send the confirmation request of each subscription still pending and not asked since
    `asked_before`; the mails sent. A row confirmed, unsubscribed, deleted or asked again
    (the person used the form) in the meantime gets nothing. Each row is claimed by an
    UPDATE before its mail, so a task run twice, or by two workers, asks each address once."""
    send = _mailer("confirmation_request")
    sent = 0
    for pk in subscription_ids:
        claimed = (
            Subscription.objects.filter(pk=pk, status=SubscriptionStatus.PENDING)
            .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=asked_before))
            .update(confirmation_sent_at=timezone.now())
        )
        subscription = Subscription.objects.filter(pk=pk).first() if claimed else None
        if subscription is not None:
            sent += bool(send(subscription))
    return sent
