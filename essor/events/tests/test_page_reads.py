"""How the events' pages read and print their data (issue 7: uncached pages as fast as a
minimal page): the stored local year of the start, a fixed number of queries whatever the
data, the rows read for the event's page equal to what the model instances give, and the
HTML written in Python escaped."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from essor.core.services import theme_get_or_create
from essor.events import programme, rendering, selectors
from essor.events.models import (
    ContributionRole,
    Event,
    EventKind,
    EventOrganiser,
    EventSite,
    OrganiserRole,
    OutputKind,
    local_year,
)
from essor.events.tests.factories import (
    EventFactory,
    EventSessionFactory,
    RegistrationFactory,
    SessionContributionFactory,
    SessionOutputFactory,
    open_event,
)
from essor.initiatives.tests.factories import initiative_make
from essor.members import services as member_services
from essor.members.tests.factories import authority_for, organisation, person
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncached(settings):
    """Every page computed from the database, as the benchmark measures it."""
    settings.ESSOR_PAGE_CACHE = False
    settings.ESSOR_DATA_CACHE = False


def paris(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


# --- the stored year -------------------------------------------------------------------------


def test_the_start_year_is_the_local_year_kept_on_every_save():
    # 00:30 in Paris on New Year's Day is still the 31st of December in UTC.
    event = EventFactory(starts_at=paris(2014, 1, 1, 0, 30), ends_at=paris(2014, 1, 1, 3))
    assert Event.objects.get(pk=event.pk).start_year == 2014

    event.starts_at, event.ends_at = paris(2016, 5, 2, 9), paris(2016, 5, 2, 12)
    event.save(update_fields=["starts_at", "ends_at"])
    assert Event.objects.get(pk=event.pk).start_year == 2016

    assert local_year(None) is None


def test_publishing_an_older_revision_keeps_the_year_of_its_start():
    event = EventFactory(
        revision=True, starts_at=paris(2013, 9, 12, 9), ends_at=paris(2013, 9, 12, 17)
    )
    old = event.latest_revision
    event.starts_at, event.ends_at = paris(2015, 3, 1, 9), paris(2015, 3, 1, 12)
    event.save_revision().publish()
    assert Event.objects.get(pk=event.pk).start_year == 2015

    old.publish()
    assert Event.objects.get(pk=event.pk).start_year == 2013


def test_past_years_count_by_local_year_with_other_filters(client, uncached):
    EventFactory(
        kind=EventKind.SEMINAR,
        starts_at=paris(2014, 1, 1, 0, 30),
        ends_at=paris(2014, 1, 1, 3),
        participant_count=10,
    )
    EventFactory(
        kind=EventKind.TRAINING_DAY,
        starts_at=paris(2013, 12, 31, 20),
        ends_at=paris(2013, 12, 31, 23),
        participant_count=5,
    )
    EventFactory()  # upcoming: not counted

    every = [(y.year, y.events, y.participants) for y in selectors.all_past_years()]
    assert every == [(2014, 1, 10), (2013, 1, 5)]
    seminars = selectors.past_years(selectors.EventFilters(kind=EventKind.SEMINAR))
    assert [(y.year, y.events) for y in seminars] == [(2014, 1)]

    page = client.get("/evenements/passes/", {"annee": "2013"}).content.decode()
    assert re.search(r'>2013</a></th><td class="number">1</td>', page)
    assert ">2014</a>" not in page


# --- queries ---------------------------------------------------------------------------------


def _events(count: int, **kwargs: object) -> None:
    for number in range(count):
        start = timezone.now() + datetime.timedelta(days=number - count // 2, hours=1)
        EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2), **kwargs)


@pytest.mark.parametrize("url", ["/evenements/", "/evenements/passes/"])
def test_the_lists_cost_the_same_queries_whatever_their_number(
    client, uncached, url, django_assert_num_queries
):
    """Cards with places left and sites: one query for the page's events, one for the sites."""
    _events(4, capacity=30, registration_enabled=True)
    client.get(url)  # the network's settings, read once
    with_sites = Event.objects.order_by("pk").first()
    EventSite.objects.create(event=with_sites, name="Lille")

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _events(30, capacity=30, registration_enabled=True)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_cards_say_places_left_and_sites(client, uncached):
    event = open_event(title="Atelier avec places", capacity=10)
    RegistrationFactory.create_batch(3, event=event)
    sites = EventFactory(title="Rencontres à deux sites", venue="", address="")
    EventSite.objects.create(event=sites, name="Lille", venue="Maison de l'ESS")
    EventSite.objects.create(event=sites, name="Caen", sort_order=1)

    page = client.get("/evenements/").content.decode()

    assert "7 places restantes · inscriptions ouvertes" in page
    assert "Lille : Maison de l&#x27;ESS ; Caen" in page


# --- the event's page ------------------------------------------------------------------------


@pytest.fixture
def full_event():
    caen = authority_for("14118", joined_on=datetime.date(2012, 1, 1))
    event = EventFactory(
        title="Journée complète", starts_at=paris(2014, 12, 4, 9), ends_at=paris(2014, 12, 4, 17)
    )
    lille = Territory.objects.get(kind="commune", code="59350")
    EventSite.objects.create(event=event, name="Lille", venue="Maison", commune=lille)
    EventSite.objects.create(event=event, name="Caen", sort_order=1)
    EventOrganiser.objects.create(event=event, organisation=organisation(), sort_order=0)
    EventOrganiser.objects.create(
        event=event, authority=caen, role=OrganiserRole.HOST, sort_order=1
    )
    EventOrganiser.objects.create(
        event=event, role=OrganiserRole.PARTNER, name="Fondation", sort_order=2
    )
    event.initiatives.add(initiative_make("Zèbre solidaire"), initiative_make("Épicerie"))
    event.initiatives.add(initiative_make("Brouillon", live=False))
    event.authorities.add(caen)
    event.themes.add(theme_get_or_create("Alimentation"))
    event.save()
    speaker = person("Claire", "Lemoine")
    member_services.position_record(
        speaker, title="Élue", authority=caen, start_date=datetime.date(2014, 3, 1)
    )
    morning = EventSessionFactory(event=event, site="Lille", start_time=datetime.time(9))
    plenary = EventSessionFactory(event=event, site="", start_time=datetime.time(14))
    other_day = EventSessionFactory(event=event, day=datetime.date(2014, 12, 5), sort_order=3)
    SessionContributionFactory(session=morning, person=speaker, position_title="")
    SessionContributionFactory(session=plenary, person=speaker, role=ContributionRole.MODERATOR)
    SessionContributionFactory(session=other_day, position_title="Chargé de mission")
    SessionOutputFactory(session=morning, kind=OutputKind.KEY_IDEA, text="Coopérer")
    SessionOutputFactory(session=plenary, kind=OutputKind.QUOTE, text="Dit", attributed_to="Elle")
    return event


def _reloaded(event: Event) -> Event:
    return selectors.event_by_slug(event.slug)


def test_the_programme_read_as_rows_is_the_programme_of_the_instances(full_event):
    rows = programme.programme_read(full_event)
    instances = programme.programme_of(_reloaded(full_event))

    def shape(read: programme.Programme) -> list:
        return [
            (
                day.day,
                [
                    (
                        s.title,
                        s.format_label,
                        s.day,
                        s.start,
                        s.site,
                        s.questions,
                        s.moderators,
                        s.speakers,
                        s.key_ideas,
                        s.divergent_ideas,
                        s.quotes,
                        s.session.pk,
                    )
                    for s in day.sessions
                ],
            )
            for day in read.days
        ]

    assert shape(rows) == shape(instances)
    assert rows.speakers == instances.speakers
    assert "Élue, Caen" in [speaker.title for speaker in rows.speakers]
    assert {
        pk: (person.slug, person.email, person.phone) for pk, person in rows.people.items()
    } == {pk: (p.slug, p.email, p.phone) for pk, p in instances.people.items()}


def test_the_relations_read_as_rows_are_those_of_the_instances(full_event):
    rows = selectors.relations_read(full_event)
    instances = selectors.relations_of(_reloaded(full_event))

    assert rows.organisers == instances.organisers and rows.partners == instances.partners
    assert rows.themes == instances.themes and rows.linked == instances.linked
    assert [p.line for p in rows.places] == [p.line for p in instances.places]
    assert [p.name for p in rows.places] == ["Lille", "Caen"]
    assert [item["label"] for item in rows.linked["initiatives"]] == ["Épicerie", "Zèbre solidaire"]


def test_the_event_page_s_queries_do_not_grow_with_its_relations(
    client, uncached, full_event, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = client.get(full_event.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Site : Lille" in page and "Tous les sites" in page
    assert "Claire Lemoine" in page and "Coopérer" in page


def test_texts_written_in_python_are_escaped(client, uncached):
    event = open_event(title="Atelier <b>gras</b> & co", summary="Résumé <i>x</i>")
    session = EventSessionFactory(event=event, title="Séance <script>", questions="A <b>?")
    SessionContributionFactory(
        session=session, person=person("Jean <em>", "Dupont"), position_title="Chef <u>"
    )
    SessionOutputFactory(session=session, kind=OutputKind.QUOTE, text="<q>", attributed_to="<a>")

    agenda = client.get("/evenements/").content.decode()
    page = client.get(event.get_absolute_url()).content.decode()

    assert "Atelier &lt;b&gt;gras&lt;/b&gt; &amp; co" in agenda and "<b>gras" not in agenda
    assert "Résumé &lt;i&gt;x&lt;/i&gt;" in agenda
    for text in ("Séance &lt;script&gt;", "A &lt;b&gt;?", "Jean &lt;em&gt;", "Chef &lt;u&gt;"):
        assert text in page
    assert "« &lt;q&gt; »" in page and "— &lt;a&gt;" in page
    assert "Séance <script>" not in page and "<q>" not in page


def test_a_card_s_html_matches_its_parts():
    card = selectors.EventCard(
        title="Titre",
        url="/evenements/titre/",
        summary="Résumé",
        kind=EventKind.SEMINAR,
        kind_label="Séminaire",
        day=datetime.date(2027, 3, 1),
        date_label="lundi 1er mars 2027",
        location="",
        online=False,
        members_only=True,
        seats_left=1,
        registration_open=True,
        participants="environ 40 participants",
        year=2027,
        cancelled=False,
    )
    html = rendering.card_html(card, level=4)
    assert '<time datetime="2027-03-01">lundi 1er mars 2027</time>' in html
    assert '<h4 class="event-card__title"><a href="/evenements/titre/">Titre</a></h4>' in html
    assert "Réservé aux adhérents" in html and "Lieu à préciser" in html
    assert "Environ 40 participants" in html
    assert "1 place restante · inscriptions ouvertes" in html
    cancelled = rendering.card_html(
        selectors.EventCard(**{**card.__dict__, "cancelled": True}), level=3
    )
    assert "event-badge--cancelled" in cancelled and "place restante" not in cancelled


def test_french_dates_as_before():
    assert selectors.french_date(datetime.date(2013, 9, 12)) == "jeudi 12 septembre 2013"
    assert selectors.french_date(datetime.date(2027, 3, 1)) == "lundi 1er mars 2027"
    names = selectors.date_names()
    assert selectors.french_date(datetime.date(2014, 12, 4), names) == "jeudi 4 décembre 2014"
