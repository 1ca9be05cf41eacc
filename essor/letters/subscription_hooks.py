"""Where subscriptions plug into the site: the "Mes lettres" panel of the member space (and
of the account page for other accounts), the subscriptions in a user's personal data export,
and their deletion with the account.

Imported by wagtail_hooks.py; importing it again is harmless (hooks are registered once per
import of the module, and the signal receiver has a dispatch_uid).
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete
from django.http import HttpRequest
from wagtail import hooks

from essor.accounts.selectors import PERSONAL_DATA_HOOK
from essor.core.navigation import ACCOUNT_PANELS_HOOK, MEMBER_SPACE_PANELS_HOOK
from essor.core.roles import Role, has_role
from essor.letters import subscriptions
from essor.letters.models import LetterKind, SubscriptionStatus

PANEL_TITLE = "Mes lettres d'information"


def _panel(request: HttpRequest) -> dict | None:
    user = request.user
    if not getattr(user, "is_authenticated", False) or not user.email:
        return None
    member = subscriptions.is_member_user(user)
    # Opening the space is when a new member first sees their Flash hebdo: this account's
    # subscription is brought up to date, nobody else's (that is the sending's job).
    subscriptions.flash_member_sync(user, member=member)
    email = subscriptions.normalize_email(user.email)
    rows = {row.kind: row for row in subscriptions.subscriptions_of_address(email)}
    kinds = [LetterKind.LETTER, LetterKind.FLASH] if member else [LetterKind.LETTER]
    lists = []
    for kind in kinds:
        row = rows.get(kind)
        lists.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "subscription": row,
                "receiving": row is not None and row.status == SubscriptionStatus.CONFIRMED,
                "can_subscribe": True,
                "consent_text": subscriptions.MEMBERSHIP_CONSENT_TEXT
                if kind == LetterKind.FLASH
                else subscriptions.MEMBER_SPACE_CONSENT_TEXT,
            }
        )
    return {
        "title": PANEL_TITLE,
        "template": "letters/subscription_panel.html",
        "context": {"lists": lists, "email": email},
    }


@hooks.register(MEMBER_SPACE_PANELS_HOOK)
def my_letters_member_panel(request: HttpRequest) -> dict | None:
    return _panel(request)


@hooks.register(ACCOUNT_PANELS_HOOK)
def my_letters_account_panel(request: HttpRequest) -> dict | None:
    # Member users find it in their member space; other accounts on their account page.
    if has_role(request.user, Role.MEMBER):
        return None
    return _panel(request)


@hooks.register(PERSONAL_DATA_HOOK)
def my_subscriptions_data(user: object) -> dict:
    """The subscriptions of the account's address, with their consent proof."""
    rows = []
    for row in subscriptions.subscriptions_of_user(user):
        rows.append(
            {
                "lettre": row.get_kind_display(),
                "adresse_electronique": row.email,
                "etat": row.get_status_display(),
                "origine_du_consentement": row.get_consent_source_display(),
                "texte_presente": row.consent_text,
                "consentement_le": row.consent_at.isoformat() if row.consent_at else None,
                "confirme_le": row.confirmed_at.isoformat() if row.confirmed_at else None,
                "desabonne_le": row.unsubscribed_at.isoformat() if row.unsubscribed_at else None,
                "lettres_recues": subscriptions.deliveries_received(row.email),
            }
        )
    return {"abonnements_aux_lettres": rows}


def _account_deleted(sender: object, instance: object, **kwargs: object) -> None:
    # Before the user row goes (its subscriptions would only lose their link): the
    # subscriptions of the account and of its address are deleted, deliveries anonymised.
    subscriptions.user_subscriptions_delete(instance)


pre_delete.connect(
    _account_deleted,
    sender=get_user_model(),
    dispatch_uid="essor.letters.subscriptions.account_deleted",
)
