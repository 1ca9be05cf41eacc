"""Admin screens of an event's registrations (editors: the registration model's permissions):
the list by status with the places left, attendance marking, the CSV export for badges and
sign-in sheets, and the promotion of the waiting list after the capacity was raised.

Reached from the "Inscriptions (N)" button of the event's edit page (registration_hooks.py).
Every change is a POST with its CSRF token; permissions are checked before anything is looked
up.
"""

import csv
import io
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import View
from wagtail.permission_policies import ModelPermissionPolicy

from essor.events import services
from essor.events.admin_views import EventAdminMixin, EventScreenView
from essor.events.models import (
    Event,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)

VIEW_PERMISSION = "events.view_registration"
CHANGE_PERMISSION = "events.change_registration"
_policy = ModelPermissionPolicy(Registration)

CSV_COLUMNS = [
    "nom",
    "prénom",
    "structure",
    "fonction",
    "courriel",
    "mode",
    "statut",
    "adhérent",
    "montant dû",
    "besoins",
    "présent",
]
# A cell a spreadsheet would run as a formula: typed by whoever registered, so neutralised.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Counts:
    confirmed: int
    on_site: int
    live: int
    replay: int
    waiting: int
    cancelled: int
    present: int


def registration_counts(event: Event) -> Counts:
    """The figures of the list's header, in one query."""
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    figures = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=confirmed),
        on_site=Count("pk", filter=confirmed & Q(mode=ParticipationMode.ON_SITE)),
        live=Count("pk", filter=confirmed & Q(mode=ParticipationMode.LIVE)),
        replay=Count("pk", filter=confirmed & Q(mode=ParticipationMode.REPLAY)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
        present=Count("pk", filter=confirmed & Q(attended=True)),
    )
    return Counts(**figures)


def _ordered(event: Event) -> QuerySet:
    return Registration.objects.filter(event=event).order_by("created_at", "pk")


class EventRegistrationsMixin(EventAdminMixin):
    permission_policy = _policy
    permission_required = "view"

    def back_to_list(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("event_registrations:index", args=[self.event().pk]))


class RegistrationListView(EventRegistrationsMixin, EventScreenView):
    template_name = "events/admin/registrations.html"
    header_icon = "group"
    screen_label = "Inscriptions"

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        event = self.event()
        registrations = list(_ordered(event))
        counts = registration_counts(event)
        seats_left = services.seats_left(event)
        waiting = [r for r in registrations if r.status == RegistrationStatus.WAITING]
        context.update(
            event=event,
            counts=counts,
            seats_left=seats_left,
            confirmed=[r for r in registrations if r.status == RegistrationStatus.CONFIRMED],
            waiting=waiting,
            cancelled=[r for r in registrations if r.status == RegistrationStatus.CANCELLED],
            can_change=_policy.user_has_permission(self.request.user, "change"),
            # Promotion helps only when seats are free and someone waits.
            can_promote=bool(waiting)
            and (seats_left is None or seats_left > 0)
            and not event.is_cancelled,
            attendance_url=reverse("event_registrations:attendance", args=[event.pk]),
            export_url=reverse("event_registrations:export", args=[event.pk]),
            promote_url=reverse("event_registrations:promote", args=[event.pk]),
            edit_url=reverse("event:edit", args=[event.pk]),
            cancellation_url=reverse("event_cancellation:index", args=[event.pk]),
        )
        return context


class AttendanceView(EventRegistrationsMixin, View):
    """Save who came: ticked confirmed registrations present, the others absent."""

    permission_required = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        present = {int(value) for value in request.POST.getlist("present") if value.isdigit()}
        count = services.attendance_mark(self.event(), present)
        messages.success(
            request,
            f"Présences enregistrées : {count} personne{'s' if count > 1 else ''} "
            f"présente{'s' if count > 1 else ''}.",
        )
        return self.back_to_list()


class PromoteView(EventRegistrationsMixin, View):
    """Give the seats freed by a higher capacity to the waiting list (with their e-mails)."""

    permission_required = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self.event()
        if event.is_cancelled:
            messages.warning(
                request, "L'événement est annulé : la liste d'attente n'est plus promue."
            )
            return self.back_to_list()
        promoted = services.waiting_list_promote(event)
        if promoted:
            names = ", ".join(registration.full_name for registration in promoted)
            many = len(promoted) > 1
            messages.success(
                request,
                f"{len(promoted)} personne{'s' if many else ''} sorti{'es' if many else 'e'} "
                f"de la liste d'attente ({names}) : un courriel de confirmation leur est envoyé.",
            )
        else:
            messages.warning(
                request,
                "Personne n'a été sorti de la liste d'attente : aucune place n'est libre. "
                "Augmentez d'abord le nombre de places de l'événement, puis recommencez.",
            )
        return self.back_to_list()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _yes_no(value: bool | None) -> str:
    return {True: "oui", False: "non", None: ""}[value]


def registrations_csv(event: Event) -> bytes:
    """The active registrations (confirmed, then waiting), by name: UTF-8 with a BOM and ';'
    as French spreadsheets open them."""
    rows = (
        Registration.objects.filter(event=event).active().order_by("last_name", "first_name", "pk")
    )
    ordered = sorted(rows, key=lambda r: r.status != RegistrationStatus.CONFIRMED)  # stable
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for registration in ordered:
        writer.writerow(
            _cell(value)
            for value in (
                registration.last_name,
                registration.first_name,
                registration.organisation,
                registration.position_title,
                registration.email,
                registration.get_mode_display(),
                registration.get_status_display(),
                _yes_no(registration.is_member),
                f"{registration.amount_due:.2f}".replace(".", ","),
                registration.needs,
                _yes_no(registration.attended),
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class ExportView(EventRegistrationsMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self.event()
        response = HttpResponse(registrations_csv(event), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="inscriptions-{event.slug}.csv"'
        return response


def admin_urls() -> list:
    """Under /admin/ (register_admin_urls), namespace "event_registrations"."""
    from django.urls import include

    patterns = [
        path("", RegistrationListView.as_view(), name="index"),
        path("presences/", AttendanceView.as_view(), name="attendance"),
        path("export.csv", ExportView.as_view(), name="export"),
        path("liste-d-attente/", PromoteView.as_view(), name="promote"),
    ]
    return [
        path(
            "evenements/evenement/<int:pk>/inscriptions/",
            include((patterns, "event_registrations"), namespace="event_registrations"),
        )
    ]
