"""Public pages of the subscriptions: the form, the confirmation of the double opt-in, the
one-click unsubscription, a subscriber's data, and the buttons of the member space.

The pages of a subscription are reached by its secret token, without an account: an unknown
token is a 404 page that says so and changes nothing. They are never cached nor indexed.
Whatever happened to an address, the form answers with the same page: it never tells whether
an address is subscribed.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from essor.core.permissions import login_required
from essor.core.roles import Role, has_role
from essor.letters import subscriptions
from essor.letters.models import LetterKind, Subscription
from essor.letters.subscription_forms import PRIVACY_SENTENCE, MemberSubscriptionForm, SubscribeForm


def _invalid_link(request: HttpRequest, what: str = "") -> HttpResponse:
    return render(request, "letters/subscription_invalid.html", {"what": what}, status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        subscriptions.subscription_request(
            form.cleaned_data["email"],
            LetterKind.LETTER,
            consent_text=subscriptions.FORM_CONSENT_TEXT,
            user=request.user,
        )
        return redirect("letters:subscribe_sent")
    return render(
        request,
        "letters/subscription_form.html",
        {"form": form, "privacy": PRIVACY_SENTENCE},
    )


@never_cache
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    # The same page for a new, pending, confirmed or former address.
    return render(request, "letters/subscription_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that follow links must not confirm anything.
    subscription = subscriptions.subscription_by_token(token)
    if subscription is None:
        return _invalid_link(request, "confirmation")
    state = subscriptions.confirm_state(subscription)
    if request.method == "POST" and state == "pending":
        result = subscriptions.subscription_confirm(subscription)
        state = "confirmed" if result == subscriptions.ConfirmResult.CONFIRMED else str(result)
    return render(
        request,
        "letters/subscription_confirm.html",
        {
            "subscription": subscription,
            "state": state,
            "consent_text": subscription.consent_text
            if subscription.consent_at
            else subscriptions.confirm_page_consent_text(subscription),
        },
    )


# csrf_exempt is correct here, and needed: mail clients send the RFC 8058 one-click request
# ("List-Unsubscribe=One-Click", from the List-Unsubscribe-Post header) as a bare POST with no
# session and no CSRF token. The secret token in the address is what authorises it; the only
# thing a forged cross-site POST could do is what the link's owner can already do with one
# click: stop receiving a letter. Nothing else is ever done by this view.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str, issue: int | None = None) -> HttpResponse:
    subscription = subscriptions.subscription_by_token(token)
    if subscription is None:
        return _invalid_link(request, "désinscription")
    done = False
    if request.method == "POST":
        subscriptions.subscription_unsubscribe(subscription, issue)
        done = True
    return render(
        request,
        "letters/subscription_unsubscribe.html",
        {
            "subscription": subscription,
            "done": done,
            "already": not done and subscription.status == "desabonne",
        },
    )


def _address_context(subscription: Subscription) -> dict:
    return {
        "subscription": subscription,
        "rows": list(subscriptions.subscriptions_of_address(subscription.email)),
        "received": subscriptions.deliveries_received(subscription.email),
    }


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscriptions.subscription_by_token(token)
    if subscription is None:
        return _invalid_link(request)
    return render(request, "letters/subscription_manage.html", _address_context(subscription))


@never_cache
@require_http_methods(["GET", "POST"])
def delete_data(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscriptions.subscription_by_token(token)
    if subscription is None:
        return _invalid_link(request)
    if request.method == "POST":
        email = subscription.email
        subscriptions.subscriber_data_delete(email)
        return render(request, "letters/subscription_deleted.html", {"email": email})
    return render(request, "letters/subscription_delete.html", _address_context(subscription))


@login_required
@require_POST
def member_subscription(request: HttpRequest) -> HttpResponse:
    """The one-click buttons of the member space and of the account page."""
    form = MemberSubscriptionForm(request.POST)
    target = "members:member_space" if has_role(request.user, Role.MEMBER) else "accounts:account"
    if not form.is_valid():
        messages.error(request, "La demande n'a pas été comprise : rien n'a été changé.")
        return redirect(target)
    kind, subscribe_it = form.cleaned_data["kind"], form.cleaned_data["subscribe"]
    letter = LetterKind(kind).label
    result = subscriptions.member_subscription_set(request.user, kind, subscribe_it)
    if result is None and subscribe_it:
        messages.error(
            request,
            f"Le {letter} est réservé aux comptes rattachés à une collectivité adhérente : "
            "rien n'a été changé.",
        )
    elif subscribe_it:
        messages.success(request, f"Vous êtes abonné·e à la {letter} ({request.user.email}).")
    else:
        messages.success(request, f"Vous ne recevrez plus la {letter}.")
    return redirect(target)
