"""iCalendar files: one event's file and the agenda's feed, read back as a calendar would."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from essor.events import ical
from essor.events.models import Audience, EventKind, EventSite
from essor.events.tests.factories import EventFactory
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db
BASE = "https://reseau.example.org/"


def paris(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def read(content: bytes) -> tuple[icalendar.Calendar, list[icalendar.Event]]:
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.fixture
def caen() -> Territory:
    return Territory.objects.get(kind="commune", code="14118")


def test_one_event_file_has_what_a_calendar_needs(caen):
    event = EventFactory(
        title="Rencontres territoriales",
        kind=EventKind.TERRITORIAL_MEETING,
        summary="Quatre rencontres simultanées reliées par visioconférence.",
        starts_at=paris(2013, 9, 12, 9, 30),
        ends_at=paris(2013, 9, 12, 17, 0),
        venue="Hôtel de ville",
        address="Esplanade Jean-Marie Louvel",
        commune=caen,
    )
    calendar, events = read(ical.event_ics(event, BASE))

    assert str(calendar["prodid"]) == "-//Essor//Événements//FR"
    assert str(calendar["version"]) == "2.0"
    assert len(events) == 1
    vevent = events[0]
    assert str(vevent["uid"]) == ical.event_uid(event)
    assert str(vevent["summary"]) == "Rencontres territoriales"
    description = str(vevent["description"])
    assert "Quatre rencontres simultanées" in description
    assert f"https://reseau.example.org/evenements/{event.slug}/" in description
    assert str(vevent["url"]) == f"https://reseau.example.org/evenements/{event.slug}/"
    assert str(vevent["location"]) == "Hôtel de ville, Esplanade Jean-Marie Louvel, 14000 Caen"
    assert [str(c) for c in vevent["categories"].cats] == ["Rencontres territoriales"]
    assert str(vevent["status"]) == "CONFIRMED"
    assert vevent.decoded("dtstamp").tzinfo is not None


def test_times_are_right_in_summer_and_in_winter():
    """9 h 30 in Paris is 7 h 30 UTC in September (summer time), 8 h 30 in December."""
    summer = EventFactory(starts_at=paris(2013, 9, 12, 9, 30), ends_at=paris(2013, 9, 12, 17, 0))
    winter = EventFactory(starts_at=paris(2014, 12, 4, 9, 30), ends_at=paris(2014, 12, 4, 17, 0))
    _calendar, (summer_event,) = read(ical.event_ics(summer, BASE))
    _calendar, (winter_event,) = read(ical.event_ics(winter, BASE))

    assert summer_event.decoded("dtstart") == summer.starts_at
    assert summer_event.decoded("dtstart").astimezone(datetime.UTC).hour == 7
    assert summer_event.decoded("dtend") == summer.ends_at
    assert winter_event.decoded("dtstart") == winter.starts_at
    assert winter_event.decoded("dtstart").astimezone(datetime.UTC).hour == 8


def test_an_online_event_is_located_online_and_its_link_stays_private():
    event = EventFactory(
        online=True, venue="", address="", online_url="https://visio.example.org/secret-room"
    )
    content = ical.event_ics(event, BASE)
    _calendar, (vevent,) = read(content)

    assert str(vevent["location"]) == "En ligne"
    assert b"secret-room" not in content


def test_the_confirmation_e_mail_may_add_a_note_to_the_description():
    event = EventFactory(online=True, online_url="https://visio.example.org/salle")
    _calendar, (vevent,) = read(
        ical.event_ics(event, BASE, note="Lien de connexion : https://visio.example.org/salle")
    )
    assert "https://visio.example.org/salle" in str(vevent["description"])


def test_several_sites_are_all_in_the_location(caen):
    event = EventFactory(venue="", address="")
    EventSite.objects.create(event=event, name="Caen", venue="Hôtel de ville", commune=caen)
    EventSite.objects.create(event=event, name="Lille", venue="Maison de l'ESS", sort_order=1)
    _calendar, (vevent,) = read(ical.event_ics(event, BASE))

    assert str(vevent["location"]) == (
        "Caen : Hôtel de ville, 14000 Caen ; Lille : Maison de l'ESS"
    )


def test_the_uid_does_not_depend_on_the_address_asked_nor_on_the_slug():
    event = EventFactory()
    _c, (first,) = read(ical.event_ics(event, "http://localhost:8000/"))
    event.slug = "nouvelle-adresse"
    event.save()
    _c, (second,) = read(ical.event_ics(event, BASE))
    assert str(first["uid"]) == str(second["uid"]) == f"event-{event.pk}@127.0.0.1"


def test_the_calendar_holds_every_event_given():
    events = [EventFactory(), EventFactory(), EventFactory()]
    _calendar, vevents = read(ical.event_calendar(events, BASE))
    assert sorted(str(v["uid"]) for v in vevents) == sorted(ical.event_uid(e) for e in events)


# --- the views -------------------------------------------------------------------------------


def test_the_event_file_is_served_as_a_calendar(client):
    event = EventFactory(title="Journée de formation")
    response = client.get(f"/evenements/{event.slug}/evenement.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    _calendar, (vevent,) = read(response.content)
    assert str(vevent["summary"]) == "Journée de formation"
    assert str(vevent["url"]) == f"http://testserver/evenements/{event.slug}/"


def test_a_draft_has_no_calendar_file(client):
    draft = EventFactory(draft=True)
    assert client.get(f"/evenements/{draft.slug}/evenement.ics").status_code == 404


def test_the_feed_holds_upcoming_and_last_year_public_published_events(client):
    now = timezone.now()
    upcoming = EventFactory(title="À venir")
    recent = EventFactory(
        title="Il y a deux mois",
        starts_at=now - datetime.timedelta(days=60),
        ends_at=now - datetime.timedelta(days=60) + datetime.timedelta(hours=3),
    )
    EventFactory(
        title="Il y a deux ans",
        starts_at=now - datetime.timedelta(days=730),
        ends_at=now - datetime.timedelta(days=730) + datetime.timedelta(hours=3),
    )
    EventFactory(title="Brouillon", draft=True)
    EventFactory(title="Réservé", audience=Audience.MEMBERS)

    response = client.get("/evenements/agenda.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar, vevents = read(response.content)
    assert str(calendar["x-wr-calname"]) == "Agenda du réseau"
    assert sorted(str(v["summary"]) for v in vevents) == ["Il y a deux mois", "À venir"]
    assert {str(v["uid"]) for v in vevents} == {ical.event_uid(upcoming), ical.event_uid(recent)}


def test_the_feed_reads_the_events_in_a_few_queries(client, django_assert_max_num_queries):
    for _ in range(15):
        EventFactory()
    with django_assert_max_num_queries(4):
        client.get("/evenements/agenda.ics")
