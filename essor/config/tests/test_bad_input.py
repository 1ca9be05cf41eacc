"""Every form of the site, fed bad input the way a crawler does, never breaks the server.

For each page a visitor or a member user can open (the URL × role table), the fields of its
forms are read from the HTML, then each form is sent again with hostile values in every field:
a NUL byte (PostgreSQL refuses it in text), markup, an overlong number, a negative number,
repeated keys, bytes that are not UTF-8. The answer may be a page with an error message, a
redirection or a 4xx, never a 500: a server error loses what the person typed.
"""

import re
from html import unescape
from urllib.parse import urlencode, urljoin, urlparse

import pytest

from essor.config.tests.test_url_roles import (
    OK,
    ROLES,
    ROUTE_TABLE,
    _url_for,
    essor_routes,
    objects,  # noqa: F401 - the fixture, shared with the URL × role table
)
from essor.core.roles import Role

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = {
    "nul": "a\x00b",
    "balisage": "<script>alert(1)</script>'\"",
    "nombre démesuré": "9" * 400,
    "nombre négatif": "-1",
    "texte long": "é" * 5000,
}
# Bytes that are not UTF-8 and a key given twice, written straight into the query string.
RAW_QUERY = "{name}=%ff%fe&{name}=%C3%A9&page=%00"

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
_ATTRIBUTE = re.compile(r"""\b(method|action)=["']([^"']*)["']""", re.I)
# Forms that end a session or a subscription whatever their content: sent once elsewhere.
_SKIPPED_ACTIONS = ("/compte/deconnexion/",)


def _forms(html: str, page_url: str) -> list[tuple[str, str, list[str]]]:
    """(method, action URL, field names) of each form of the page."""
    found = []
    for attributes, body in _FORM.findall(html):
        values = {key.lower(): unescape(value) for key, value in _ATTRIBUTE.findall(attributes)}
        action = urljoin(page_url, values.get("action") or page_url)
        names = sorted(set(_FIELD.findall(body)) - {"csrfmiddlewaretoken"})
        if urlparse(action).path.startswith(_SKIPPED_ACTIONS) or not names:
            continue
        found.append((values.get("method", "get").lower(), action, names))
    return found


def _public_pages(role: Role) -> list[str]:
    index = ROLES.index(role)
    return sorted(
        name
        for name, answers in ROUTE_TABLE.items()
        if answers[index] == OK and name in essor_routes()
    )


def _check(response, what: str) -> None:
    if response.streaming:
        # Read to the end: the test client then closes the file (see test_url_roles).
        b"".join(response.streaming_content)
    assert response.status_code < 500, f"{what} : erreur serveur {response.status_code}"


@pytest.mark.parametrize("role", [Role.VISITOR, Role.MEMBER])
def test_every_form_survives_hostile_values(role, objects, client, make_user):  # noqa: F811
    if role != Role.VISITOR:
        client.force_login(make_user(role))
    checked = 0
    for name in _public_pages(role):
        url = _url_for(name, objects)
        if urlparse(url).path.startswith("/admin/"):
            continue
        page = client.get(url)
        _check(page, f"{name} ({role}) GET {url}")
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for method, action, fields in _forms(page.content.decode(), url):
            path = urlparse(action).path
            for label, value in HOSTILE_VALUES.items():
                data = dict.fromkeys(fields, value)
                if method == "post":
                    response = client.post(path, data)
                else:
                    response = client.get(f"{path}?{urlencode(data)}")
                _check(response, f"{name} ({role}) {method.upper()} {path} [{label}]")
            if method == "get":
                raw = RAW_QUERY.format(name=fields[0])
                _check(client.get(path, QUERY_STRING=raw), f"{name} ({role}) GET {path}?{raw}")
            checked += 1
    assert checked > 10  # the pages do have forms: a change that hid them all would show here
