"""Routes of subscribing, confirming, unsubscribing and a subscriber's data (included by
urls.py, in the "letters" namespace)."""

from django.urls import path

from essor.letters import subscription_views

urlpatterns: list = [
    # GET: a page with one button; POST (the button, or a mail client's RFC 8058 one-click
    # request "List-Unsubscribe=One-Click"): unsubscribed.
    path(
        "desinscription/<str:token>/",
        subscription_views.unsubscribe,
        name="unsubscribe",
    ),
    path(
        "desinscription/<str:token>/<int:issue>/",
        subscription_views.unsubscribe,
        name="unsubscribe_from_issue",
    ),
]
