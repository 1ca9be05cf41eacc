"""Public routes of the letters: subscribing, confirming, unsubscribing, one's data
(subscription_urls.py) and the web archive of the issues (archive_urls.py)."""

from essor.letters.archive_urls import urlpatterns as archive_patterns
from essor.letters.subscription_urls import urlpatterns as subscription_patterns

app_name = "letters"

# Subscription routes first: the archive's "<kind>/<number>/" would take their words.
urlpatterns: list = [*subscription_patterns, *archive_patterns]
