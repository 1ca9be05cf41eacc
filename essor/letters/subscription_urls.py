"""Routes of subscribing, confirming, unsubscribing and a subscriber's data (included by
urls.py, in the "letters" namespace)."""

urlpatterns: list = []
