"""The merged agenda: the network's events and the entries members and partners proposed, in
date order, grouped by month, filtered by origin and theme; members-only entries for members
only; an entry's page; the iCalendar feed of the public items.

The network's events come from the events module's source, which this module may not import
(same layer): a stand-in source gives them here, as the events module's does
(essor/events/tests/test_agenda_source.py checks that one and its registration)."""

import dataclasses
import datetime
import re

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from essor.core.agenda import AGENDA_SOURCES_HOOK, AgendaItem, AgendaOrigin, agenda_items
from essor.core.editorial import Audience
from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.news import agenda as agenda_module
from essor.news.models import EntryOrigin
from essor.news.tests.factories import entry_make

pytestmark = pytest.mark.django_db

AGENDA = "/actualites/agenda/"


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


NETWORK_EVENTS: list[AgendaItem] = []


def network_events(start: datetime.date, end: datetime.date | None, user: object) -> list:
    """Stands for the events module's source (published events, members-only ones listed)."""
    return [
        item
        for item in NETWORK_EVENTS
        if (item.ends_on or item.starts_on) >= start and (end is None or item.starts_on <= end)
    ]


def _event(title: str, days: int, members_only: bool = False) -> AgendaItem:
    day = _day(days)
    return AgendaItem(
        key=f"event:{days}",
        title=title,
        url=f"/evenements/evenement-{days}/",
        starts_on=day,
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30))),
        place="Salle des fêtes",
        origin=AgendaOrigin.NETWORK,
        kind_label="Journée d'échanges",
        members_only=members_only,
    )


@pytest.fixture(autouse=True)
def _network_source():
    NETWORK_EVENTS[:] = [_event("Journée d'échanges du réseau", 5)]
    with hooks.register_temporarily(AGENDA_SOURCES_HOOK, network_events):
        yield
    NETWORK_EVENTS.clear()


@pytest.fixture
def agenda():
    return {
        "partner": entry_make(
            "Forum régional de l'ESS", starts_on=_day(20), themes=("Alimentation durable",)
        ),
        "member": entry_make(
            "Semaine de l'ESS à Caen",
            starts_on=_day(12),
            ends_on=_day(14),
            origin=EntryOrigin.MEMBER,
        ),
        "members_only": entry_make(
            "Réunion des élus adhérents", starts_on=_day(8), audience=Audience.MEMBERS
        ),
        "past": entry_make("Forum de l'an dernier", starts_on=_day(-300)),
        "draft": entry_make("Forum en préparation", starts_on=_day(9), live=False),
    }


TITLES = (
    "Journée d'échanges du réseau",
    "Réunion des élus adhérents",
    "Semaine de l'ESS à Caen",
    "Forum régional de l'ESS",
    "Forum de l'an dernier",
    "Forum en préparation",
)


def _in_order(html: str) -> list[str]:
    found = [title for title in TITLES if title.replace("'", "&#x27;") in html]
    return sorted(found, key=lambda t: html.index(t.replace("'", "&#x27;")))


def test_the_agenda_merges_events_and_entries_in_date_order_for_visitors(client, agenda):
    html = assert_page_ok(client.get(AGENDA))

    assert _in_order(html) == [
        "Journée d'échanges du réseau",
        "Semaine de l'ESS à Caen",
        "Forum régional de l'ESS",
    ]
    assert "3 événements à venir" in html
    assert "Réseau</li>" in html and "Adhérent</li>" in html and "Partenaire</li>" in html
    assert reverse("news:agenda_ical") in html


def test_members_see_members_only_entries(client, make_user, agenda):
    client.force_login(make_user(Role.MEMBER))

    html = assert_page_ok(client.get(AGENDA))

    assert _in_order(html)[:2] == ["Journée d'échanges du réseau", "Réunion des élus adhérents"]
    assert "Réservé aux adhérents" in html


def test_agenda_items_are_the_sources_merged_in_date_order(agenda, make_user):
    items = agenda_items(timezone.localdate(), None, make_user(Role.MEMBER))

    assert [(item.title, item.origin) for item in items] == [
        ("Journée d'échanges du réseau", AgendaOrigin.NETWORK),
        ("Réunion des élus adhérents", AgendaOrigin.PARTNER),
        ("Semaine de l'ESS à Caen", AgendaOrigin.MEMBER),
        ("Forum régional de l'ESS", AgendaOrigin.PARTNER),
    ]
    # A bounded window: only what takes place in it (an entry lasting three days included).
    window = agenda_items(_day(13), _day(13), make_user(Role.MEMBER))
    assert [item.title for item in window] == ["Semaine de l'ESS à Caen"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("origine=reseau", ["Journée d'échanges du réseau"]),
        ("origine=membre", ["Semaine de l'ESS à Caen"]),
        ("origine=partenaire", ["Forum régional de l'ESS"]),
        ("theme=alimentation-durable", ["Forum régional de l'ESS"]),
    ],
)
def test_the_agenda_filters_by_origin_and_theme(client, agenda, query, expected):
    html = assert_page_ok(client.get(f"{AGENDA}?{query}"))

    assert _in_order(html) == expected
    assert "1 événement à venir correspondant à vos critères" in html


def test_a_bad_agenda_filter_is_explained_and_not_applied(client, agenda):
    html = assert_page_ok(client.get(f"{AGENDA}?origine=martiens&theme=inconnu"))

    assert "Certains filtres ne sont pas valides" in html
    assert len(_in_order(html)) == 3


def test_the_agenda_groups_items_by_month(client, agenda):
    html = assert_page_ok(client.get(AGENDA))

    month = _day(5).strftime("%Y-%m")
    assert f'id="mois-{month}"' in html


def test_an_entry_page_and_members_only_entries(client, make_user, agenda):
    html = assert_page_ok(client.get(agenda["member"].get_absolute_url()))
    assert "Semaine de l'ESS à Caen".replace("'", "&#x27;") in html
    assert "Halle aux grains" in html

    url = agenda["members_only"].get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(make_user(Role.MEMBER))
    assert_page_ok(client.get(url))
    assert client.get(agenda["draft"].get_absolute_url()).status_code == 404


def test_the_ical_feed_holds_the_public_upcoming_items(client, make_user, agenda):
    NETWORK_EVENTS.append(_event("Formation réservée", 6, members_only=True))
    client.force_login(make_user(Role.MEMBER))  # the feed is the same for everyone

    response = client.get(reverse("news:agenda_ical"))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "Journée d'échanges du réseau",
        "Semaine de l'ESS à Caen",
        "Forum régional de l'ESS",
    }
    week = events["Semaine de l'ESS à Caen"]
    assert week.decoded("dtstart") == _day(12)
    assert week.decoded("dtend") == _day(15)  # exclusive end of an all-day item
    assert str(week["url"]).endswith(agenda["member"].get_absolute_url())


# --- pages of whole months -------------------------------------------------------------------

CARD_TITLE = re.compile(r'<h4 class="news-card__title"><a href="[^"]*">([^<]*)</a>')


def _titles(html: str) -> list[str]:
    return CARD_TITLE.findall(html)


@pytest.fixture
def hundred_events() -> list[AgendaItem]:
    """A hundred network events, one every other day from tomorrow, in date order."""
    events = [_event(f"Rencontre {n:03d}", 1 + 2 * n) for n in range(100)]
    NETWORK_EVENTS[:] = events
    return events


def _month(title: str, events: list[AgendaItem]) -> tuple[int, int]:
    day = next(event.starts_on for event in events if event.title == title)
    return (day.year, day.month)


def test_the_agenda_shows_about_forty_items_a_page_in_whole_months(client, hundred_events):
    every = [event.title for event in hundred_events]

    first = assert_page_ok(client.get(AGENDA))
    second = assert_page_ok(client.get(f"{AGENDA}?page=2"))

    shown = _titles(first)
    assert 20 <= len(shown) <= agenda_module.PAGE_SIZE
    assert shown == every[: len(shown)]
    assert _titles(second)[:1] == [every[len(shown)]]
    # No month split between the two pages (none of them holds more than a page).
    assert _month(shown[-1], hundred_events) != _month(every[len(shown)], hundred_events)
    # The count is the whole agenda's, on every page.
    assert "100 événements à venir" in first and "100 événements à venir" in second
    assert 'href="?page=2" rel="next">Mois suivants' in first
    assert 'href="?page=1" rel="prev">Mois précédents' in second


def test_every_item_is_on_exactly_one_page(client, hundred_events):
    first = assert_page_ok(client.get(AGENDA))
    pages = int(re.search(r"Page 1 sur (\d+)", first).group(1))

    seen = []
    for number in range(1, pages + 1):
        seen += _titles(assert_page_ok(client.get(f"{AGENDA}?page={number}")))

    assert seen == [event.title for event in hundred_events]


def test_the_pages_keep_the_filters(client, hundred_events, agenda):
    html = assert_page_ok(client.get(f"{AGENDA}?origine=reseau"))

    assert 'href="?origine=reseau&amp;page=2" rel="next">Mois suivants' in html
    assert "100 événements à venir correspondant à vos critères" in html
    second = assert_page_ok(client.get(f"{AGENDA}?origine=reseau&page=2"))
    assert "Semaine de l&#x27;ESS à Caen" not in second  # a member's, filtered out


@pytest.mark.parametrize(("number", "expected"), [("abc", "first"), ("999", "last")])
def test_a_page_number_that_is_not_one_gives_the_first_or_last_page(
    client, hundred_events, number, expected
):
    html = assert_page_ok(client.get(f"{AGENDA}?page={number}"))

    titles = _titles(html)
    if expected == "first":
        assert titles[0] == "Rencontre 000"
        assert "Mois précédents" not in html
    else:
        assert titles[-1] == "Rencontre 099"
        assert "Mois suivants" not in html


def _items_in_months(*sizes: int) -> list[AgendaItem]:
    """`sizes[i]` items on the first days of the i-th month from January 2030."""
    items = []
    for month, size in enumerate(sizes, start=1):
        for day in range(size):
            starts_on = datetime.date(2030, month, 1)
            items.append(
                AgendaItem(key=f"x:{month}-{day}", title="x", url="/", starts_on=starts_on)
            )
    return items


@pytest.mark.parametrize(
    ("sizes", "pages"),
    [
        ((10, 20, 10, 5), [40, 5]),  # whole months while they fit
        ((30, 30, 15), [30, 30, 15]),  # a page of 30 rather than a month cut in two
        ((5, 60), [40, 25]),  # a month larger than a page fills the page it starts on
        ((), []),
    ],
)
def test_months_are_cut_only_when_larger_than_a_page(sizes, pages):
    assert [len(page) for page in agenda_module.month_pages(_items_in_months(*sizes))] == pages


def test_a_month_begun_on_the_previous_page_is_marked_continued(client):
    NETWORK_EVENTS[:] = [_event(f"Rencontre {n:03d}", 1) for n in range(45)]

    html = assert_page_ok(client.get(f"{AGENDA}?page=2"))

    assert "(suite)</h3>" in html
    assert len(_titles(html)) == 5


def test_a_cancelled_item_stays_listed_marked_and_cancelled_in_the_calendar(client, agenda):
    cancelled = dataclasses.replace(_event("Rencontre annulée", 8), key="event:80", cancelled=True)
    NETWORK_EVENTS.append(cancelled)

    html = client.get(reverse("news:agenda")).content.decode()
    cards = html.split('<li class="news-card">')[1:]
    marked = [card for card in cards if 'news-badge--cancelled">Annulé<' in card]
    assert len(marked) == 1 and "Rencontre annulée" in marked[0]  # only that one is marked

    calendar = icalendar.Calendar.from_ical(client.get(reverse("news:agenda_ical")).content)
    status = {str(e["summary"]): str(e.get("status", "")) for e in calendar.walk("VEVENT")}
    assert status["Rencontre annulée"] == "CANCELLED"
    assert status["Journée d'échanges du réseau"] == ""
