"""The event page's head and body written in Python (page_html): every text from the database
escaped, each section present only when it has something to show."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from essor.core.editorial import Audience
from essor.events import page_html, programme, selectors
from essor.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & co'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"


def _display(event, **changes) -> dict:
    display = selectors.event_display(
        event,
        AnonymousUser(),
        read=programme.programme_read(event),
        with_registration=False,
        relations=selectors.relations_read(selectors.published_event(event.slug)),
    )
    return {**display, **changes}


def test_the_head_escapes_the_event_s_texts():
    event = EventFactory(
        title=HOSTILE,
        summary=HOSTILE,
        venue=HOSTILE,
        audience=Audience.MEMBERS,
        cancelled_at=timezone.now(),
        cancellation_note=f"{HOSTILE}\nreporté",
    )
    head = page_html.event_head_html(event, _display(event, cancelled_label=HOSTILE))

    assert "<script>" not in head
    assert f"<h1>{ESCAPED}</h1>" in head
    assert f'<p class="lead">{ESCAPED}</p>' in head
    assert f"<p>{ESCAPED}<br>reporté</p>" in head
    assert f"(annulation annoncée le {ESCAPED})" in head
    assert "Réservé aux adhérents" in head
    assert "Ajouter à mon agenda" not in head  # cancelled


def test_the_head_of_an_event_without_place_nor_cancellation():
    event = EventFactory(venue="", address="", commune=None)
    head = page_html.event_head_html(event, _display(event))

    assert "<dt>Lieu</dt>\n    <dd>\n      Lieu à préciser\n    </dd>" in head
    assert "event-cancelled" not in head and "Réservé aux adhérents" not in head
    assert 'type="text/calendar" download>Ajouter à mon agenda (.ics)</a>' in head


def test_the_body_escapes_the_quotes_and_addresses():
    event = EventFactory(description="")
    display = _display(
        event,
        evaluation={
            "count": 1,
            "satisfaction": "4,0",
            "usefulness": "3,5",
            "satisfied_share": 100,
            "quotes": [HOSTILE],
        },
        has_members_content=True,
        members_content=True,
        replay_url='https://video.example/?a=1&b="2"',
        slides_url="",
        documents={"proceedings": "/actes?x=<y>"},
    )
    body = page_html.event_body_html(event, display)

    assert "<script>" not in body
    assert f"<p>« {ESCAPED} »</p>" in body
    assert "réponse au questionnaire" in body  # one answer: singular
    assert 'href="https://video.example/?a=1&amp;b=&quot;2&quot;"' in body
    assert 'href="/actes?x=&lt;y&gt;"' in body
    assert "Présentation" not in body and "Télécharger les supports" not in body


def test_the_body_invites_non_members_to_log_in_for_the_replay():
    event = EventFactory(replay_url="https://video.example/replay")
    body = page_html.event_body_html(event, _display(event))

    assert "https://video.example/replay" not in body
    assert f'?next=/evenements/{event.slug}/">Connectez-vous</a>' in body
    assert '<h2 id="presentation">Présentation</h2>' in body


def test_the_further_reading_lists_only_the_kinds_given():
    event = EventFactory()
    linked = {"initiatives": [{}], "sheets": [], "publications": [], "authorities": [{}]}
    html = {kind: mark_safe(f"<li>{kind}</li>") for kind in linked}
    body = page_html.event_body_html(event, _display(event, linked=linked, linked_html=html))

    assert (
        "<h3>Collectivités intervenantes</h3>\n  <ul><li>authorities</li></ul>\n"
        "  <h3>Initiatives présentées</h3>\n  <ul><li>initiatives</li></ul>\n  \n  \n</section>"
    ) in body


def _registration(**changes) -> dict:
    state = {
        "enabled": True,
        "cancelled": False,
        "open": True,
        "refusal": "",
        "needs_login": False,
        "needs_member_account": False,
        "seats_left": 1,
        "full": False,
        "price_lines": ["Gratuit"],
        "member_price": False,
        "modes": ["Sur place", "En direct à distance"],
        "closes_label": "",
        "url": "/evenements/x/inscription/",
    }
    return {**state, **changes}


def test_the_registration_box_escapes_its_texts():
    event = EventFactory(title=HOSTILE)
    box = page_html.registration_box_html(
        event, _registration(price_lines=[HOSTILE], closes_label=HOSTILE, modes=[HOSTILE])
    )

    assert "<script>" not in box
    assert f"<li>{ESCAPED}</li>" in box
    assert f'<span class="visually-hidden"> à « {ESCAPED} »</span>' in box
    assert f"Inscriptions jusqu'au {ESCAPED}." in box
    assert f"<p>Participation : {ESCAPED.lower()}.</p>" in box
    assert "<strong>1 place restante</strong> sur place." in box


def test_the_registration_box_says_why_one_cannot_register():
    event = EventFactory()
    refused = page_html.registration_box_html(event, _registration(open=False, refusal=HOSTILE))
    login = page_html.registration_box_html(event, _registration(open=False, needs_login=True))
    cancelled = page_html.registration_box_html(event, _registration(cancelled=True))

    assert f'<p class="event-registration__state">{ESCAPED}</p>' in refused
    assert f'?next=/evenements/{event.slug}/">connectez-vous</a>' in login
    assert "event-price" not in cancelled and "S'inscrire" not in cancelled
    assert page_html.registration_box_html(event, None) == ""


@pytest.mark.parametrize(
    "summary",
    [
        "",
        "Court <b>",
        "e\u0301" * 150,
        "a" * 200,
        "a" * 201,
        "Ceci est long. " * 30,
        "x" * 199 + "é",
    ],
)
def test_the_meta_description_is_what_truncatechars_gives(summary):
    assert page_html.meta_description(summary) == Truncator(summary).chars(200)
