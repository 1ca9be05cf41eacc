"""Where registrations plug into the site and Wagtail: the e-mails sent after each write of
the services (and the notices of an event's cancellation, queued as a task), the
"Inscriptions (N)" button of an event's edit page and its admin screens, the "Mes
inscriptions" panel of the account page and of the member space, and the user's
registrations in their personal data export.

Imported by wagtail_hooks.py; importing it again (apps.ready, tests) is harmless: the
services keep one copy of each listener.
"""

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from essor.core.admin_views import RECORD_HEADER_BUTTONS_HOOK
from essor.core.navigation import ACCOUNT_PANELS_HOOK, MEMBER_SPACE_PANELS_HOOK
from essor.core.roles import Role, has_role
from essor.events import admin_registrations, emails, services, tasks
from essor.events.models import Event, Registration

PANEL_SIZE = 10

services.registration_listen(emails.registration_notify)
services.event_cancel_listen(tasks.cancellation_notices_enqueue)


@hooks.register("register_admin_urls")
def registration_admin_urls() -> list:
    return admin_registrations.admin_urls()


@hooks.register(RECORD_HEADER_BUTTONS_HOOK)
def registrations_button(instance: Model, user: object) -> list[Button]:
    """ "Inscriptions (N)" on an event's edit page: N confirmed or waiting."""
    if not isinstance(instance, Event) or instance.pk is None:
        return []
    if not user.has_perm(admin_registrations.VIEW_PERMISSION):
        return []
    count = Registration.objects.filter(event=instance).active().count()
    url = reverse("event_registrations:index", args=[instance.pk])
    return [Button(f"Inscriptions ({count})", url=url, icon_name="group", priority=50)]


def registrations_of_user(user: object) -> QuerySet:
    """The registrations a user made logged in, and those made with their account's address
    before they logged in; the latest event first."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return (
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .select_related("event")
        .order_by("-event__starts_at", "-pk")
    )


def _panel(request: HttpRequest) -> dict | None:
    registrations = list(registrations_of_user(request.user)[: PANEL_SIZE + 1])
    return {
        "title": "Mes inscriptions aux événements",
        "template": "events/registration_panel.html",
        "context": {
            "registrations": registrations[:PANEL_SIZE],
            "more": len(registrations) > PANEL_SIZE,
            "agenda_url": reverse("events:agenda"),
        },
    }


@hooks.register(ACCOUNT_PANELS_HOOK)
def my_registrations_account_panel(request: HttpRequest) -> dict | None:
    # Member users find it in their member space; other accounts on their account page.
    if has_role(request.user, Role.MEMBER):
        return None
    return _panel(request)


@hooks.register(MEMBER_SPACE_PANELS_HOOK)
def my_registrations_member_panel(request: HttpRequest) -> dict | None:
    return _panel(request)


@hooks.register("essor_personal_data")
def my_registrations_data(user: object) -> dict:
    """The user's registrations and evaluation answers in their data export."""
    rows = []
    for registration in registrations_of_user(user).select_related("evaluation"):
        evaluation = getattr(registration, "evaluation", None)
        rows.append(
            {
                "evenement": registration.event.title,
                "debut": registration.event.starts_at.isoformat(),
                "prenom": registration.first_name,
                "nom": registration.last_name,
                "adresse_electronique": registration.email,
                "structure": registration.organisation,
                "fonction": registration.position_title,
                "participation": registration.get_mode_display(),
                "statut": registration.get_status_display(),
                "adherent": registration.is_member,
                "montant_du": str(registration.amount_due),
                "besoins_particuliers": registration.needs,
                "present": registration.attended,
                "inscrit_le": registration.created_at.isoformat(),
                "annulee_le": registration.cancelled_at.isoformat()
                if registration.cancelled_at
                else None,
                "evaluation": None
                if evaluation is None
                else {
                    "satisfaction": evaluation.satisfaction,
                    "utilite": evaluation.usefulness,
                    "commentaire": evaluation.comment,
                    "citation_anonyme_autorisee": evaluation.quote_allowed,
                    "repondu_le": evaluation.created_at.isoformat(),
                },
            }
        )
    return {"inscriptions_aux_evenements": rows}
