"""The events module's source of the merged agenda (essor/core/agenda.py): published events
taking place in the window asked, as the events' own agenda lists them."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from wagtail import hooks

from essor.core.agenda import AGENDA_SOURCES_HOOK, AgendaOrigin, agenda_items
from essor.events.models import Audience, EventKind
from essor.events.public_hooks import network_events_agenda
from essor.events.tests.factories import EventFactory, _in_days

pytestmark = pytest.mark.django_db


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_upcoming_published_events_become_network_items():
    event = EventFactory(
        title="Formation commande publique",
        kind=EventKind.TRAINING_DAY,
        starts_at=_in_days(3),
        audience=Audience.MEMBERS,
    )
    EventFactory(title="Brouillon", starts_at=_in_days(4), draft=True)
    EventFactory(title="Passé", starts_at=_in_days(-30))
    two_days = EventFactory(
        title="Rencontres nationales",
        starts_at=_in_days(10),
        ends_at=_in_days(11, hour=17),
    )

    items = network_events_agenda(timezone.localdate(), None, AnonymousUser())

    assert [item.title for item in items] == [
        "Formation commande publique",
        "Rencontres nationales",
    ]
    first, second = items
    assert first.origin == AgendaOrigin.NETWORK
    assert first.kind_label == dict(EventKind.choices)[EventKind.TRAINING_DAY]
    # Listed for everyone, as in the events' agenda, and marked.
    assert first.members_only
    assert first.url == event.get_absolute_url()
    assert first.place.startswith("Salle des fêtes")
    assert (second.starts_on, second.ends_on) == (_day(10), _day(11))
    assert second.key == f"event:{two_days.pk}"


def test_the_window_keeps_events_taking_place_in_it():
    EventFactory(title="Dans trois jours", starts_at=_in_days(3))
    EventFactory(title="Dans dix jours", starts_at=_in_days(10))

    items = network_events_agenda(_day(2), _day(5), AnonymousUser())

    assert [item.title for item in items] == ["Dans trois jours"]


def test_the_source_is_registered_for_the_merged_agenda():
    EventFactory(title="Rencontre régionale", starts_at=_in_days(2))

    assert network_events_agenda in hooks.get_hooks(AGENDA_SOURCES_HOOK)
    titles = [item.title for item in agenda_items(timezone.localdate(), None, AnonymousUser())]
    assert "Rencontre régionale" in titles
