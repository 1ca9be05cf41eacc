"""Routes of the members' proposals of articles and agenda entries (included by urls.py, in
the "news" namespace)."""

urlpatterns: list = []
