"""How the events' pages read and print their data (issue 7: uncached pages as fast as a
minimal page): the stored local year of the start, a fixed number of queries whatever the
data, the rows read for the event's page equal to what the model instances give, and the
HTML written in Python escaped."""

import datetime
import io
import re
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.template import RequestContext, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from essor.core.services import theme_get_or_create
from essor.events import page_reads, programme, rendering, selectors, services, views, year_counts
from essor.events.models import (
    ContributionRole,
    Evaluation,
    Event,
    EventKind,
    EventOrganiser,
    EventSite,
    EventYear,
    GeneratedDocument,
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
    rows = selectors.relations_read(selectors.published_event(full_event.slug))
    instances = selectors.relations_of(_reloaded(full_event))

    assert rows.organisers == instances.organisers and rows.partners == instances.partners
    assert rows.themes == instances.themes and rows.linked == instances.linked
    assert [p.line for p in rows.places] == [p.line for p in instances.places]
    assert [p.name for p in rows.places] == ["Lille", "Caen"]
    assert [item["label"] for item in rows.linked["initiatives"]] == ["Épicerie", "Zèbre solidaire"]
    assert rows.evaluation == instances.evaluation and rows.documents == instances.documents


def test_the_event_read_in_sql_is_the_orm_s_instance(full_event):
    lille = Territory.objects.get(kind="commune", code="59350")
    Event.objects.filter(pk=full_event.pk).update(
        commune=lille, capacity=30, price="12.50", registration_enabled=True
    )
    RegistrationFactory.create_batch(2, event=full_event)
    read = selectors.published_event(full_event.slug)
    orm = Event.objects.get(pk=full_event.pk)

    fields = [field.attname for field in Event._meta.concrete_fields]
    assert {name: getattr(read, name) for name in fields} == {
        name: getattr(orm, name) for name in fields
    }
    assert (read.commune_name, read.commune_codes) == (lille.name, lille.postal_codes)
    assert read.seats_taken == 2 == services.seats_taken(orm)
    assert selectors.published_event("nope") is None


def test_the_evaluation_and_documents_read_in_sql_are_the_orm_s(full_event):
    for satisfaction, comment in ((5, "Très bien"), (3, ""), (4, "Utile")):
        registration = RegistrationFactory(event=full_event)
        Evaluation.objects.create(
            registration=registration,
            satisfaction=satisfaction,
            usefulness=2,
            comment=comment,
            quote_allowed=True,
            featured=bool(comment),
        )
    GeneratedDocument.objects.create(
        event=full_event, kind="actes", file="events/documents/a.pdf", generated_at=timezone.now()
    )
    GeneratedDocument.objects.create(event=full_event, kind="dossier", file="")
    read = selectors.relations_read(selectors.published_event(full_event.slug))

    assert read.evaluation == selectors.evaluation_results(full_event)
    assert read.evaluation["satisfied_share"] == 67 and read.evaluation["quotes"]
    assert (
        read.documents
        == selectors.ready_documents(full_event)
        == {"proceedings": f"/evenements/{full_event.slug}/actes.pdf"}
    )


# --- the lists read in SQL -------------------------------------------------------------------


@pytest.fixture
def listed():
    """Upcoming and past events of two types, one with a theme, sites, places taken."""
    theme = theme_get_or_create("Alimentation")
    made = []
    for number in range(-6, 6):
        start = timezone.now() + datetime.timedelta(days=30 * number, hours=1)
        event = EventFactory(
            kind=EventKind.SEMINAR if number % 2 else EventKind.TRAINING_DAY,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            capacity=10 if number % 3 else None,
            registration_enabled=True,
            participant_count=number + 20,
        )
        made.append(event)
    made[0].themes.add(theme)
    made[-1].themes.add(theme)
    EventSite.objects.create(event=made[1], name="Lille")
    RegistrationFactory.create_batch(2, event=made[-2])
    EventFactory(live=False)
    return made


FILTERS = [
    selectors.EventFilters(),
    selectors.EventFilters(kind=EventKind.SEMINAR),
    selectors.EventFilters(theme="alimentation"),
    selectors.EventFilters(audience="public"),
    selectors.EventFilters(year=timezone.now().year),
]


@pytest.mark.parametrize("filters", FILTERS)
def test_the_lists_read_in_sql_are_the_orm_s(listed, filters):
    now = timezone.now()
    for rows, found in (
        (selectors.upcoming_rows(filters, now), selectors.upcoming_events(filters, now)),
        (selectors.past_rows(filters, now), selectors.past_events(filters, now)),
    ):
        orm = list(selectors.card_values(found)[1:5])
        read = rows[1:5]
        # The ORM's subquery gives no count (None) for an event without registrations.
        expected = [{**row, "seats_taken": row["seats_taken"] or 0} for row in orm]
        assert expected == read
        assert rows[3:3] == []
    assert selectors.upcoming_kind_counts(filters, now) == selectors.kind_counts(
        selectors.upcoming_events(filters, now)
    )
    ended = filters.apply(Event.objects.filter(live=True, ends_at__lt=now))
    orm_years = (
        ended.order_by()
        .values_list("start_year")
        .annotate(events=Count("pk"), participants=Sum("participant_count"))
        .order_by("-start_year")
    )
    assert [(y.year, y.events, y.participants) for y in selectors.past_years(filters, now)] == [
        (year, events, participants or 0) for year, events, participants in orm_years
    ]


def test_the_event_page_s_queries_do_not_grow_with_its_relations(
    client, uncached, full_event, django_assert_max_num_queries
):
    with django_assert_max_num_queries(13):
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


def test_the_lists_of_the_event_s_page_are_escaped():
    items = rendering.link_items_html(
        [("/a?b=1&c=<2>", "Régie <b>", "co-organisateur <i>"), ("", "Nom & co", "")]
    )
    assert items == (
        '<li><a href="/a?b=1&amp;c=&lt;2&gt;">Régie &lt;b&gt;</a>'
        ' <span class="meta">(co-organisateur &lt;i&gt;)</span></li><li>Nom &amp; co</li>'
    )
    themes = rendering.theme_links_html(
        [{"name": "A <b>", "slug": "a b"}, {"name": "C", "slug": "c"}], "/evenements/"
    )
    assert themes == (
        '<a href="/evenements/?theme=a%20b">A &lt;b&gt;</a>, <a href="/evenements/?theme=c">C</a>'
    )
    sites = rendering.site_items_html(
        [
            selectors.Place("Lille <x>", "Salle & co", "", None, 1),
            selectors.Place("Caen", "", "", None, None),
        ]
    )
    assert sites == (
        '<li><strong>Lille &lt;x&gt;</strong> : Salle &amp; co <span class="meta">'
        "(1 participant)</span></li><li><strong>Caen</strong></li>"
    )


def test_the_programme_s_days_and_sites_are_escaped():
    days = [
        {
            "label": "jeudi 4 décembre <2014>",
            "sites": [
                {"name": "", "html": "<li>tous</li>"},
                {"name": "Lille & <Caen>", "html": "<li>un</li>"},
            ],
        },
        {"label": "", "sites": [{"name": "", "html": "<li>seul</li>"}]},
    ]
    html = rendering.programme_html(days)
    assert '<h3 id="jour-1">Jeudi 4 décembre &lt;2014&gt;</h3>' in html
    assert '<h4 id="jour-1-site-1">Tous les sites</h4>' in html
    assert '<h4 id="jour-1-site-2">Site : Lille &amp; &lt;Caen&gt;</h4>' in html
    assert '<h3 id="jour-2"></h3>\n    <ol class="programme-sessions"><li>seul</li></ol>' in html


def test_the_lists_navigation_is_escaped_and_links_as_querystring(rf):
    kinds = rendering.kind_links_html(
        [
            {"label": "A <b>", "count": 3, "url": "/e/?type=a&theme=<x>", "current": True},
            {"label": "B", "count": 1, "url": "/e/?type=b", "current": False},
        ]
    )
    assert kinds == (
        '<li><a href="/e/?type=a&amp;theme=&lt;x&gt;" aria-current="true">A &lt;b&gt; '
        '<span class="event-kinds__count">(3)</span></a></li><li><a href="/e/?type=b">B '
        '<span class="event-kinds__count">(1)</span></a></li>'
    )
    template = Template("{% querystring annee=year page=None %}")
    for query in ("", "page=2", "type=a&annee=2013&page=3&theme=b%20c", "theme=<x>&x=1&x=2"):
        request = rf.get(f"/evenements/passes/?{query}")
        link = views._year_links(request.GET)
        expected = template.render(RequestContext(request, {"year": 2015}))
        assert escape(link(2015)) == expected, query
    years = [
        selectors.YearSummary(2014, 3, 1200, "1\u00a0200"),
        selectors.YearSummary(2013, 1, 0, "0"),
    ]
    rows = rendering.year_rows_html(years, lambda year: f"?a=<{year}>&b")
    assert rows == (
        '<tr><th scope="row"><a href="?a=&lt;2014&gt;&amp;b">2014</a></th>'
        '<td class="number">3</td><td class="number">1\u00a0200</td></tr>'
        '<tr><th scope="row"><a href="?a=&lt;2013&gt;&amp;b">2013</a></th>'
        '<td class="number">1</td><td class="number">—</td></tr>'
    )


def test_the_speakers_sort_key_folds_as_character_by_character():
    def by_character(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return "".join(char for char in decomposed if not unicodedata.combining(char))

    for name in ("Élodie", "Lemoine", "Ørsted", "Straße", "Œuvre", "José-María", "李", ""):
        assert programme._fold(name) == by_character(name), name


def test_the_speakers_sort_key_orders_as_the_folded_names_pair():
    names = [("Lé", "Zoé"), ("Le", "Ana"), ("Lemoine", "Claire"), ("Lemoine", "Élodie"), ("", "X")]
    names += [("Léa", ""), ("Ørsted", "Hans"), ("Orsted", "Anne"), ("Straße", "Eva")]
    speakers = [
        programme.Speaker(i, first, last, "", "", "") for i, (last, first) in enumerate(names)
    ]

    def pair(speaker: programme.Speaker) -> tuple[str, str]:
        return (programme._fold(speaker.last_name), programme._fold(speaker.first_name))

    by_key = sorted(speakers, key=lambda speaker: speaker.sort_key)
    assert [pair(s) for s in by_key] == sorted(pair(s) for s in speakers)


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


# --- the totals per year ---------------------------------------------------------------------


def _year_totals() -> list[tuple]:
    return list(EventYear.objects.order_by("year").values_list("year", "events", "participants"))


def _rebuilt() -> list[tuple]:
    year_counts.rebuild()
    return _year_totals()


def test_the_totals_per_year_follow_every_write_as_a_rebuild():
    kept = EventFactory(starts_at=paris(2014, 3, 1, 9), ends_at=paris(2014, 3, 1, 12))
    moved = EventFactory(
        revision=True,
        starts_at=paris(2015, 3, 1, 9),
        ends_at=paris(2015, 3, 1, 12),
        participant_count=40,
    )
    EventFactory(draft=True, starts_at=paris(2015, 5, 1, 9), ends_at=paris(2015, 5, 1, 12))
    gone = EventFactory(
        starts_at=paris(2016, 3, 1, 9), ends_at=paris(2016, 3, 1, 12), participant_count=7
    )
    checks = []

    def check(label: str) -> None:
        checks.append((label, _year_totals()))
        assert _year_totals() == _rebuilt(), label

    check("created")
    kept.participant_count = 25
    kept.save(update_fields=["participant_count"])
    check("a field saved")
    moved.starts_at, moved.ends_at = paris(2014, 6, 1, 9), paris(2014, 6, 1, 12)
    moved.save_revision().publish()
    check("published in another year")
    moved.refresh_from_db()
    moved.unpublish()
    check("unpublished")
    gone.delete()
    check("deleted")
    Event.objects.filter(pk=kept.pk).delete()
    check("deleted from a query")
    assert checks[0][1] == [(2014, 1, 0), (2015, 1, 40), (2016, 1, 7)]
    assert checks[2][1] == [(2014, 2, 65), (2016, 1, 7)]
    assert _year_totals() == []

    bulk = EventFactory.build(starts_at=paris(2017, 3, 1, 9), ends_at=paris(2017, 3, 1, 12))
    bulk.start_year = 2017
    Event.objects.bulk_create([bulk])  # skips Event.save(): the command catches up
    call_command("event_years_rebuild", stdout=io.StringIO())
    assert _year_totals() == [(2017, 1, 0)]


def test_the_past_years_from_the_totals_are_the_count_over_the_events():
    for year, end in ((2013, paris(2013, 6, 1, 12)), (2014, paris(2014, 6, 1, 12))):
        EventFactory(starts_at=paris(year, 6, 1, 9), ends_at=end, participant_count=year - 2000)
    start = timezone.now() - datetime.timedelta(hours=1)  # under way: not past yet
    EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    EventFactory(starts_at=start - datetime.timedelta(days=1), ends_at=start)

    now = timezone.now()
    totals = page_reads.all_year_counts(now)
    assert totals == page_reads.year_counts(now, page_reads.filters_sql())
    assert (2013, 1, 13) in totals and (2014, 1, 14) in totals
    assert [row[1] for row in totals if row[0] == now.year] == [1]
