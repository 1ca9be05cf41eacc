"""Routes of subscribing, confirming, unsubscribing and a subscriber's data (included by
urls.py, in the "letters" namespace)."""

from django.urls import path

from essor.letters import subscription_views

urlpatterns: list = [
    path("inscription/", subscription_views.subscribe, name="subscribe"),
    path("inscription/demande-envoyee/", subscription_views.subscribe_sent, name="subscribe_sent"),
    # GET: a page with one button (mail scanners follow links); POST: confirmed.
    path("confirmation/<str:token>/", subscription_views.confirm, name="confirm"),
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
    # A subscriber's data: seen, and deleted (GET asks, POST deletes).
    path("abonnement/<str:token>/", subscription_views.manage, name="manage"),
    path(
        "abonnement/<str:token>/supprimer/",
        subscription_views.delete_data,
        name="delete_data",
    ),
    # The member space's and account page's buttons (POST only).
    path("mes-abonnements/", subscription_views.member_subscription, name="member_subscription"),
]
