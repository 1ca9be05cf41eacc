"""Assertions shared by every module's tests."""


def assert_page_ok(response, status: int = 200) -> str:
    """The page answered `status` with a complete HTML document."""
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    assert html.lstrip().startswith("<!DOCTYPE html>") and "</html>" in html
    return html


def count_queries(client, url: str) -> int:
    """Database queries one GET of `url` makes, the cache emptied first (so that the page is
    built, not served from the cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essor.core.caching import public_content_changed

    client.get(url)  # warm what is cached on purpose (the referential's choices…)
    public_content_changed()  # but not the page itself
    with CaptureQueriesContext(connection) as context:
        assert_page_ok(client.get(url))
    return len(context.captured_queries)
