"""Registration, its management and cancellation by its secret link, the evaluation.

The pages of a registration are reached by the secret token of the e-mails, without an
account: an unknown token is a 404 page that says so, never an error. They are never cached
and never indexed.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from essor.events import emails, registration_hooks, services  # noqa: F401 - listener
from essor.events.forms import (
    EvaluationForm,
    RegistrationForm,
    allowed_modes,
    price_rule,
    registration_initial,
)
from essor.events.models import (
    Evaluation,
    Event,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)

_JUST_REGISTERED = "events:just-registered"
_TOKEN_MAX = 64


def _event_or_404(slug: str) -> Event:
    event = Event.objects.published().select_related("commune").filter(slug=slug).first()
    if event is None:
        raise Http404("Événement introuvable")
    return event


def _registration(token: str) -> Registration | None:
    if not token or len(token) > _TOKEN_MAX:
        return None
    return (
        Registration.objects.select_related("event", "event__commune").filter(token=token).first()
    )


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "events/registration_invalid.html", status=404)


def _existing_registration(event: Event, user: object) -> Registration | None:
    """A logged-in user's active registration to the event, made logged in or with the
    account's address."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.active()
        .filter(event=event)
        .filter(Q(user=user) | Q(email__iexact=user.email))
        .first()
    )


def _members_only_refusal(event: Event, user: object) -> str:
    if event.members_only and not services.is_member_user(user):
        return "Cet événement est réservé aux adhérents du réseau."
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(slug)
    refusal = services.registration_refusal(event)
    members_refusal = _members_only_refusal(event, request.user)
    seats_left = services.seats_left(event)
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(
        data,
        event=event,
        seats_left=seats_left,
        initial=registration_initial(request.user),
    )
    if data is not None:
        if form.is_valid():
            try:
                registration = services.registration_create(
                    event, form.registration_request(), user=request.user
                )
            except services.RegistrationError as error:
                form.add_error(None, str(error))
            else:
                request.session[_JUST_REGISTERED] = registration.token
                return redirect("events:registration", registration.token)
        elif refusal or members_refusal:
            # Say first why nobody can register, whatever else is wrong with the form.
            form.add_error(None, refusal or members_refusal)
    return render(
        request,
        "events/register.html",
        {
            "event": event,
            "form": form,
            "refusal": refusal,
            "members_refusal": members_refusal,
            "seats_left": seats_left,
            "existing": _existing_registration(event, request.user),
            "on_site_full": seats_left == 0 and event.allows_on_site,
            "other_modes": [
                label for value, label in allowed_modes(event) if value != ParticipationMode.ON_SITE
            ],
            "price_rule": price_rule(event),
            "when": emails.event_when(event),
            "where": emails.event_where(event),
            "login_url": f"{reverse('accounts:login')}?next={request.path}",
        },
    )


def _evaluation_state(registration: Registration, now: object = None) -> str:
    """Whether this registration may answer the questionnaire now: "open", or why not."""
    event = registration.event
    now = now or timezone.now()
    if not event.evaluation_enabled or event.is_cancelled:
        return "disabled"
    if registration.status != RegistrationStatus.CONFIRMED:
        return "not-participant"
    if now < event.ends_at:
        return "not-yet"
    if Evaluation.objects.filter(registration=registration).exists():
        return "answered"
    return "open"


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    if registration is None:
        return _invalid_link(request)
    event = registration.event
    just_registered = request.session.pop(_JUST_REGISTERED, None) == registration.token
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    finished = timezone.now() >= event.ends_at
    return render(
        request,
        "events/registration.html",
        {
            "registration": registration,
            "event": event,
            "just_registered": just_registered,
            "rank": emails.waiting_rank(registration),
            "when": emails.event_when(event),
            "where": emails.event_where(event),
            "amount": emails.amount_text(registration),
            "finished": finished,
            "can_cancel": registration.status != RegistrationStatus.CANCELLED
            and not finished
            and not event.is_cancelled,
            "online_url": event.online_url
            if confirmed
            and registration.mode == ParticipationMode.LIVE
            and not finished
            and not event.is_cancelled
            else "",
            "replay_url": event.replay_url
            if confirmed and registration.mode == ParticipationMode.REPLAY
            else "",
            "evaluation_open": _evaluation_state(registration) == "open",
            "event_url": event.get_absolute_url() if event.live else "",
            "ical_url": reverse("events:ical", args=[event.slug])
            if event.live and not event.is_cancelled
            else "",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    if registration is None:
        return _invalid_link(request)
    already = registration.status == RegistrationStatus.CANCELLED
    error = ""
    if request.method == "POST" and not already:
        try:
            services.registration_cancel(registration.token)
        except services.RegistrationError as refusal:
            error = str(refusal)
        else:
            messages.success(
                request,
                "Votre inscription est annulée. Un courriel vous le confirme ; merci d'avoir "
                "libéré votre place.",
            )
            return redirect("events:registration", registration.token)
    finished = timezone.now() >= registration.event.ends_at
    return render(
        request,
        "events/cancel.html",
        {
            "registration": registration,
            "event": registration.event,
            "already": already,
            "event_cancelled": registration.event.is_cancelled and not already,
            "finished": finished and not already,
            "error": error,
            "when": emails.event_when(registration.event),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    if registration is None:
        return _invalid_link(request)
    state = _evaluation_state(registration)
    form = None
    if state == "open":
        form = EvaluationForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            state = "thanks" if form.save_for(registration) else "answered"
            form = None
    return render(
        request,
        "events/evaluate.html",
        {
            "registration": registration,
            "event": registration.event,
            "state": state,
            "form": form,
            "when": emails.event_when(registration.event),
        },
    )
