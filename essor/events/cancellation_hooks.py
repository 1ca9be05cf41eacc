"""Cancelling an event from the admin: "Annuler l'événement" in the header menu of an event's
edit page leads to a confirmation screen (GET: who will be told, the message to them; POST:
the cancellation, services.event_cancel). Editors with the change permission on events
only; an event already cancelled shows when it was, and nothing to redo.

Imported by wagtail_hooks.py, which registers the hooks below.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Model, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy

from essor.core.admin_views import RECORD_HEADER_BUTTONS_HOOK
from essor.events import services
from essor.events.admin_views import EventScreenView
from essor.events.models import Event, Registration, RegistrationStatus

CHANGE_PERMISSION = "events.change_event"
_policy = ModelPermissionPolicy(Event)


def cancellation_url(event: Event) -> str:
    return reverse("event_cancellation:index", args=[event.pk])


def _is_over(event: Event) -> bool:
    return bool(event.ends_at and timezone.now() >= event.ends_at)


@hooks.register(RECORD_HEADER_BUTTONS_HOOK)
def cancellation_button(instance: Model, user: object) -> list[Button]:
    """ "Annuler l'événement" in the "…" menu of an event's edit page; "Événement annulé"
    once it is (the screen then says when); nothing for an event that is over."""
    if not isinstance(instance, Event) or instance.pk is None:
        return []
    if not user.has_perm(CHANGE_PERMISSION):
        return []
    if instance.is_cancelled:
        label = "Événement annulé"
    elif _is_over(instance):
        return []
    else:
        label = "Annuler l'événement"
    return [Button(label, url=cancellation_url(instance), icon_name="cross", priority=70)]


class CancellationForm(forms.Form):
    note = forms.CharField(
        label="Message aux inscrit·es",
        required=False,
        max_length=services.CANCELLATION_NOTE_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "La raison de l'annulation et, s'il y en a un, le report prévu. Envoyé par courriel "
            "à chaque personne inscrite ou sur liste d'attente, et affiché sur la page de "
            "l'événement."
        ),
        error_messages={
            "max_length": (
                f"Le message est trop long : {services.CANCELLATION_NOTE_MAX} caractères au plus "
                "(actuellement %(show_value)d)."
            )
        },
    )


class EventCancellationView(EventScreenView):
    permission_policy = _policy
    permission_required = "change"
    template_name = "events/admin/cancel.html"
    header_icon = "cross"
    http_method_names = ["get", "post"]
    screen_label = "Annuler l'événement"

    def get_context_data(self, form: CancellationForm | None = None, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        event = self.event()
        figures = Registration.objects.filter(event=event).aggregate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        )
        context.update(
            event=event,
            form=form or CancellationForm(),
            confirmed=figures["confirmed"],
            waiting=figures["waiting"],
            to_notify=figures["confirmed"] + figures["waiting"],
            is_over=_is_over(event),
            edit_url=reverse("event:edit", args=[event.pk]),
            registrations_url=reverse("event_registrations:index", args=[event.pk]),
            action_url=cancellation_url(event),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self.event()
        if event.is_cancelled:
            messages.info(
                request, "Cet événement est déjà annulé : personne n'est prévenu deux fois."
            )
            return HttpResponseRedirect(cancellation_url(event))
        form = CancellationForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            result = services.event_cancel(event, form.cleaned_data["note"], user=request.user)
        except services.EventCancelError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        if result.done:
            messages.success(request, _done_message(result))
        else:  # cancelled by someone else meanwhile
            messages.info(
                request, "Cet événement est déjà annulé : personne n'est prévenu deux fois."
            )
        return HttpResponseRedirect(cancellation_url(event))


def _done_message(result: services.EventCancellation) -> str:
    title = result.event.title
    count = result.to_notify
    if not count:
        return f"L'événement « {title} » est annulé. Personne n'était inscrit : aucun courriel."
    many = count > 1
    return (
        f"L'événement « {title} » est annulé. {count} personne{'s' if many else ''} "
        f"inscrite{'s' if many else ''} ou sur liste d'attente "
        f"{'vont' if many else 'va'} recevoir un courriel."
    )


@hooks.register("register_admin_urls")
def register_admin_urls() -> list:
    """Under /admin/, namespace "event_cancellation"."""
    patterns = [path("", EventCancellationView.as_view(), name="index")]
    return [
        path(
            "evenements/evenement/<int:pk>/annulation/",
            include((patterns, "event_cancellation"), namespace="event_cancellation"),
        )
    ]


@hooks.register("register_log_actions")
def cancellation_log_actions(actions: object) -> None:
    @actions.register_action(services.EVENT_CANCEL_ACTION)
    class EventCancelFormatter(LogFormatter):
        label = "Annulation de l'événement"

        def format_message(self, log_entry: object) -> str:
            count = log_entry.data.get("to_notify", 0)
            return (
                f"Événement annulé ; {count} personne{'s' if count > 1 else ''} "
                f"à prévenir par courriel"
            )
