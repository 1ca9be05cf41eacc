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


def form_defaults(html: str) -> dict[str, str | list[str]]:
    """What a browser would post for the first form of `html` left as it is: the value of each
    input (checked boxes only), selected options and text areas — so that a test of an admin
    form changes only the fields it cares about."""
    from html.parser import HTMLParser

    class _Form(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.data: dict[str, str | list[str]] = {}
            self._select: str | None = None
            self._textarea: str | None = None

        def _put(self, name: str, value: str, multiple: bool = False) -> None:
            if multiple:
                self.data.setdefault(name, [])
                self.data[name].append(value)  # type: ignore[union-attr]
            else:
                self.data[name] = value

        def handle_starttag(self, tag: str, attrs: list) -> None:
            attributes = dict(attrs)
            name = attributes.get("name")
            if tag == "input" and name and attributes.get("type") not in {"submit", "button"}:
                if attributes.get("type") in {"checkbox", "radio"}:
                    if "checked" in attributes:
                        self._put(name, attributes.get("value", "on"), multiple=True)
                else:
                    self._put(name, attributes.get("value") or "")
            elif tag == "select" and name:
                self._select = name
            elif tag == "option" and self._select and "selected" in attributes:
                self._put(self._select, attributes.get("value", ""), multiple=True)
            elif tag == "textarea" and name:
                self._textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "select":
                self._select = None
            elif tag == "textarea":
                self._textarea = None

        def handle_data(self, data: str) -> None:
            if self._textarea:
                self.data[self._textarea] = str(self.data[self._textarea]) + data

    parser = _Form()
    parser.feed(html)
    return {key: value for key, value in parser.data.items() if "__prefix__" not in key}
