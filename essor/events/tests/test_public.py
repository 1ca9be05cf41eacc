"""The public pages of events: the agenda and its filters, past events, an event's page with
its programme, what members only see, the registration box, its schema.org description, the
search document, the sitemap and the authority's sheet."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from essor.core.caching import CACHE_HEADER
from essor.core.roles import Role
from essor.core.services import theme_get_or_create
from essor.core.testing import assert_page_ok
from essor.events import selectors
from essor.events.models import (
    Audience,
    ContributionRole,
    DocumentKind,
    Event,
    EventKind,
    EventOrganiser,
    EventSite,
    GeneratedDocument,
    OrganiserRole,
    OutputKind,
    ParticipationMode,
    RegistrationStatus,
    SessionFormat,
)
from essor.events.public_hooks import authority_events
from essor.events.search_documents import event_document, event_source
from essor.events.sitemaps import EventSitemap
from essor.events.tests.factories import (
    EvaluationFactory,
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
NBSP = "\u00a0"


def paris(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def days_ago(days: int) -> dict:
    start = timezone.now() - datetime.timedelta(days=days)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(hours=3)}


def text_of(response) -> str:
    """The page's text as read: tags left out, entities decoded, spaces (no-break ones
    included) collapsed."""
    text = re.sub(r"<[^>]+>", " ", assert_page_ok(response))
    text = html.unescape(text).replace(NBSP, " ")
    return re.sub(r"\s+", " ", text).replace(" ,", ",").replace("( ", "(").replace(" )", ")")


def html_of(response) -> str:
    return assert_page_ok(response)


def json_ld(response) -> dict:
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert found, "no JSON-LD in the page"
    return json.loads(found.group(1))


@pytest.fixture
def member(make_user):
    return make_user(Role.MEMBER)


# --- the agenda ------------------------------------------------------------------------------


def test_the_agenda_lists_upcoming_published_events_only(client):
    soon = EventFactory(title="Journée de formation ESS", kind=EventKind.TRAINING_DAY)
    later = EventFactory(
        title="Grande rencontre de 2099",
        starts_at=paris(2099, 6, 30, 9, 30),
        ends_at=paris(2099, 6, 30, 17, 0),
    )
    EventFactory(title="Un brouillon jamais publié", draft=True)
    EventFactory(title="Une rencontre passée", **days_ago(30))

    page = text_of(client.get("/evenements/"))

    assert "2 événements à venir" in page
    assert page.index(soon.title) < page.index(later.title)  # the soonest first
    assert "brouillon" not in page
    assert "Une rencontre passée" not in page
    assert "mardi 30 juin 2099" in page  # the date in French
    assert "Journée de formation" in page  # the type's badge


def test_a_card_says_where_members_only_and_places_left(client):
    caen = Territory.objects.get(kind="commune", code="14118")
    event = open_event(
        title="Atelier réservé",
        audience=Audience.MEMBERS,
        venue="Hôtel de ville",
        address="",
        commune=caen,
        capacity=10,
    )
    RegistrationFactory.create_batch(3, event=event)
    EventFactory(title="Conférence en ligne", online=True, venue="", address="")

    page = text_of(client.get("/evenements/"))

    assert "Hôtel de ville, 14000 Caen" in page
    assert "Réservé aux adhérents" in page
    assert "7 places restantes" in page
    assert "En ligne" in page


def test_the_agenda_filters_by_type_theme_and_audience(client):
    food = theme_get_or_create("Alimentation durable")
    EventFactory(title="Formation circuits courts", kind=EventKind.TRAINING_DAY, themes=[food])
    EventFactory(title="La minute du jeudi", kind=EventKind.MINUTE_CONFERENCE)
    EventFactory(title="Séminaire des adhérents", kind=EventKind.SEMINAR, audience=Audience.MEMBERS)

    by_type = text_of(client.get("/evenements/", {"type": EventKind.MINUTE_CONFERENCE}))
    assert "La minute du jeudi" in by_type and "Formation circuits courts" not in by_type
    assert "1 événement à venir correspondant à vos critères" in by_type

    by_theme = text_of(client.get("/evenements/", {"theme": food.slug}))
    assert "Formation circuits courts" in by_theme and "La minute du jeudi" not in by_theme

    members = text_of(client.get("/evenements/", {"public": Audience.MEMBERS}))
    assert "Séminaire des adhérents" in members and "La minute du jeudi" not in members


def test_the_agenda_counts_events_by_type_with_links(client):
    EventFactory.create_batch(2, kind=EventKind.TRAINING_DAY)
    EventFactory(kind=EventKind.ONLINE_CONFERENCE)

    response = client.get("/evenements/")

    assert "Journée de formation (2)" in text_of(response)
    assert "Conférence en ligne (1)" in text_of(response)
    assert 'href="/evenements/?type=journee-formation"' in html_of(response)


def test_bad_filter_values_are_explained_and_ignored(client):
    EventFactory(title="Journée d'échanges régionale")

    response = client.get("/evenements/", {"type": "n'importe-quoi", "theme": "<script>"})

    page = text_of(response)
    assert "Certains filtres ne sont pas valides et n'ont pas été appliqués" in page
    assert "Type d'événement" in page
    assert "Journée d'échanges régionale" in page  # the list is shown unfiltered
    assert "<script>" not in response.content.decode()


def test_the_agenda_is_paginated(client):
    for day in range(selectors.PAGE_SIZE + 1):
        EventFactory(
            title=f"Événement du jour {day:02d}",
            starts_at=paris(2099, 1, 1, 9) + datetime.timedelta(days=day),
            ends_at=paris(2099, 1, 1, 12) + datetime.timedelta(days=day),
        )
    last = f"Événement du jour {selectors.PAGE_SIZE:02d}"

    first_page = text_of(client.get("/evenements/"))
    second_page = text_of(client.get("/evenements/", {"page": 2}))

    assert f"{selectors.PAGE_SIZE + 1} événements à venir" in first_page
    assert last not in first_page and "Page suivante" in first_page
    assert last in second_page


def test_anonymous_visitors_get_the_agenda_from_the_cache_until_an_event_changes(client):
    event = EventFactory(title="Avant")
    assert client.get("/evenements/")[CACHE_HEADER] == "miss"
    assert client.get("/evenements/")[CACHE_HEADER] == "hit"
    event.title = "Après"
    event.save()
    response = client.get("/evenements/")
    assert response[CACHE_HEADER] == "miss" and "Après" in response.content.decode()


# --- past events -----------------------------------------------------------------------------


def test_past_events_by_year_with_participant_counts(client):
    EventFactory(
        title="Rencontres territoriales 2013",
        starts_at=paris(2013, 9, 12, 9, 30),
        ends_at=paris(2013, 9, 12, 17),
        participant_count=400,
        participant_count_is_estimate=True,
    )
    EventFactory(
        title="Rencontre nationale 2017",
        starts_at=paris(2017, 6, 30, 9, 30),
        ends_at=paris(2017, 6, 30, 17),
        participant_count=140,
    )
    EventFactory(
        title="Conférence en ligne 2017",
        starts_at=paris(2017, 3, 2, 14),
        ends_at=paris(2017, 3, 2, 16),
        participant_count=35,
    )
    EventFactory(title="Une journée à venir")

    response = client.get("/evenements/passes/")
    page = text_of(response)

    assert "3 événements passés" in page
    assert "Une journée à venir" not in page
    assert page.index("Rencontre nationale 2017") < page.index("Rencontres territoriales 2013")
    assert "environ 400 participants" in page.lower()
    rows = re.findall(
        r"<tr><th scope=\"row\"><a [^>]*>(\d{4})</a></th><td class=\"number\">(\d+)</td>"
        r"<td class=\"number\">([^<]+)</td></tr>",
        response.content.decode(),
    )
    assert rows == [("2017", "2", "175"), ("2013", "1", "400")]


def test_past_events_of_one_year_and_a_bad_year(client):
    EventFactory(title="En 2013", starts_at=paris(2013, 9, 12, 9), ends_at=paris(2013, 9, 12, 17))
    EventFactory(title="En 2014", starts_at=paris(2014, 12, 4, 9), ends_at=paris(2014, 12, 4, 17))

    one_year = text_of(client.get("/evenements/passes/", {"annee": "2014"}))
    assert "En 2014" in one_year and "En 2013" not in one_year

    bad = text_of(client.get("/evenements/passes/", {"annee": "deux-mille"}))
    assert "Certains filtres ne sont pas valides" in bad
    assert "En 2014" in bad and "En 2013" in bad


# --- an event's page -------------------------------------------------------------------------


@pytest.fixture
def training_day():
    """The 2014 training day: a timed programme written out of order, a moderator, speakers
    with the position they held then, a World Café with both kinds of ideas."""
    caen = authority_for("14118", joined_on=datetime.date(2012, 1, 1))
    event = EventFactory(
        title="Journée de formation sur la loi ESS",
        kind=EventKind.TRAINING_DAY,
        starts_at=paris(2014, 12, 4, 9, 30),
        ends_at=paris(2014, 12, 4, 17, 0),
        participant_count=60,
    )
    afternoon = EventSessionFactory(
        event=event,
        title="World Café : mettre la loi en œuvre",
        format=SessionFormat.WORLD_CAFE,
        start_time=datetime.time(14, 0),
        end_time=datetime.time(16, 0),
        sort_order=0,
    )
    morning = EventSessionFactory(
        event=event,
        title="Ouverture de la journée",
        format=SessionFormat.OPENING,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(10, 45),
        questions="Que change la loi pour les collectivités ?",
        sort_order=1,
    )
    EventSessionFactory(
        event=event,
        title="Déjeuner",
        format=SessionFormat.BREAK,
        start_time=datetime.time(12, 30),
        end_time=datetime.time(14, 0),
        questions="",
        sort_order=2,
    )
    speaker = person("Claire", "Lemoine")
    member_services.position_record(
        speaker, title="Vice-présidente", authority=caen, start_date=datetime.date(2014, 3, 1)
    )
    speaker.email = "claire.lemoine@example.org"
    speaker.save()
    SessionContributionFactory(session=morning, person=speaker, position_title="")
    SessionContributionFactory(
        session=morning,
        person=person("Marc", "Aubert"),
        role=ContributionRole.MODERATOR,
        position_title="Délégué général du réseau",
    )
    SessionOutputFactory(session=afternoon, kind=OutputKind.KEY_IDEA, text="Co-construire")
    SessionOutputFactory(
        session=afternoon, kind=OutputKind.DIVERGENT_IDEA, text="Les marchés publics freinent"
    )
    SessionOutputFactory(
        session=afternoon,
        kind=OutputKind.QUOTE,
        text="L'ESS n'est pas une niche",
        attributed_to="Une élue",
    )
    return event


def test_the_page_shows_the_programme_in_time_order(client, training_day):
    page = text_of(client.get(training_day.get_absolute_url()))

    assert "Journée de formation sur la loi ESS" in page
    assert "Jeudi 4 décembre 2014, 9 h 30 – 17 h" in page
    assert (
        page.index("Ouverture de la journée")
        < page.index("Déjeuner")
        < page.index("World Café : mettre la loi en œuvre")
    )
    assert "9 h 30 – 10 h 45" in page and "14 h – 16 h" in page
    assert "Que change la loi pour les collectivités ?" in page
    assert "60 participants" in page


def test_the_page_names_speakers_with_the_title_they_held_then(client, training_day):
    page = text_of(client.get(training_day.get_absolute_url()))

    assert "Claire Lemoine, Vice-présidente, Caen" in page
    assert "Animation :" in page and "Marc Aubert, Délégué général du réseau" in page


def test_the_page_shows_both_kinds_of_workshop_outputs_labelled(client, training_day):
    response = client.get(training_day.get_absolute_url())
    page = text_of(response)

    key = page.index("Idées clés")
    divergent = page.index("Idées divergentes")
    assert key < page.index("Co-construire") < divergent < page.index("Les marchés publics")
    assert "« L'ESS n'est pas une niche »" in page and "Une élue" in page


def test_several_sites_and_their_sessions(client):
    event = EventFactory(title="Rencontres territoriales", venue="", address="")
    lille = Territory.objects.get(kind="commune", code="59350")
    EventSite.objects.create(event=event, name="Lille", venue="Maison de l'ESS", commune=lille)
    EventSite.objects.create(event=event, name="Caen", venue="Hôtel de ville", sort_order=1)
    EventSessionFactory(event=event, title="Plénière commune en visio", site="")
    EventSessionFactory(event=event, title="Table ronde lilloise", site="Lille")

    page = text_of(client.get(event.get_absolute_url()))

    assert "Lieux" in page
    assert "Maison de l'ESS, 59000 Lille" in page and "Hôtel de ville" in page
    assert "Tous les sites" in page and "Site : Lille" in page
    assert page.index("Plénière commune en visio") < page.index("Table ronde lilloise")


def test_organisers_partners_and_published_links_only(client):
    caen = authority_for("14118")
    event = EventFactory()
    EventOrganiser.objects.create(event=event, organisation=organisation(), sort_order=0)
    EventOrganiser.objects.create(
        event=event, role=OrganiserRole.PARTNER, name="Fondation partenaire", sort_order=1
    )
    shown = initiative_make("Ressourcerie de quartier")
    hidden = initiative_make("Initiative en brouillon", live=False)
    event.initiatives.add(shown, hidden)
    event.authorities.add(caen)
    event.save()  # writes the event's links (modelcluster)

    page = text_of(client.get(event.get_absolute_url()))

    assert "Réseau de test" in page and "(organisateur)" in page
    assert "Partenaires" in page and "Fondation partenaire" in page
    assert "Ressourcerie de quartier" in page
    assert "Initiative en brouillon" not in page
    assert "Collectivités intervenantes" in page and "Caen" in page


def test_a_draft_event_has_no_page(client):
    draft = EventFactory(draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/evenements/inconnu/").status_code == 404


# --- members only ----------------------------------------------------------------------------


@pytest.fixture
def with_replay(training_day):
    training_day.replay_url = "https://video.example.org/replay-loi-ess"
    training_day.online_url = "https://visio.example.org/salle-secrete"
    training_day.save()
    return training_day


def test_replay_and_speakers_contacts_are_hidden_from_visitors(client, with_replay):
    response = client.get(with_replay.get_absolute_url())
    page = text_of(response)

    assert "replay-loi-ess" not in html_of(response)
    assert "Le replay et les supports de présentation sont réservés aux adhérents" in page
    assert "Connectez-vous" in page
    assert "claire.lemoine@example.org" not in html_of(response)
    assert "salle-secrete" not in html_of(response)


def test_a_member_sees_the_replay_and_the_speakers_contacts(client, with_replay, member):
    client.get(with_replay.get_absolute_url())  # an anonymous copy in the cache first
    client.force_login(member)
    response = client.get(with_replay.get_absolute_url())

    assert 'href="https://video.example.org/replay-loi-ess"' in html_of(response)
    assert "claire.lemoine@example.org" in text_of(response)
    assert "réservés aux adhérents" not in text_of(response)
    assert "salle-secrete" not in html_of(response)  # sent in the confirmation e-mail only


def test_a_members_only_event_is_visible_but_registration_asks_for_a_member_account(
    client, make_user, member
):
    event = open_event(title="Conférence minute des adhérents", audience=Audience.MEMBERS)
    register = f'href="/evenements/{event.slug}/inscription/"'

    response = client.get(event.get_absolute_url())
    assert "Conférence minute des adhérents" in text_of(response)
    assert "connectez-vous avec votre compte membre pour vous inscrire" in text_of(response)
    assert register not in html_of(response)

    client.force_login(make_user(Role.VISITOR))
    response = client.get(event.get_absolute_url())
    assert "l'inscription demande un compte membre" in text_of(response)
    assert register not in html_of(response)

    client.force_login(member)
    response = client.get(event.get_absolute_url())
    assert register in html_of(response)
    assert "Vous êtes adhérent·e : votre participation est gratuite." in text_of(response)


# --- the registration box --------------------------------------------------------------------


def test_the_registration_box_gives_the_price_rule_and_places_left(client):
    event = open_event(capacity=30, price=Decimal("40"))
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, mode=ParticipationMode.LIVE)  # no seat taken
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=event, status=RegistrationStatus.WAITING)

    response = client.get(event.get_absolute_url())
    page = text_of(response)

    assert "Gratuit pour les adhérents" in page
    assert "40 € pour les non-adhérents" in page
    assert "28 places restantes sur place" in page
    closes = timezone.localtime(event.registration_closes_at)
    assert f"Inscriptions jusqu'au {closes.day}" in page and "à 12 h." in page
    assert f'href="/evenements/{event.slug}/inscription/"' in html_of(response)
    assert "S'inscrire" in page


def test_a_full_event_offers_the_waiting_list(client):
    event = open_event(capacity=2)
    RegistrationFactory.create_batch(2, event=event)

    response = client.get(event.get_absolute_url())
    page = text_of(response)

    assert "Complet" in page and "S'inscrire sur la liste d'attente" in page
    assert json_ld(response)["offers"]["availability"] == "https://schema.org/SoldOut"


def test_a_closed_registration_says_so_without_a_button(client):
    event = open_event(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))

    response = client.get(event.get_absolute_url())

    assert "Les inscriptions sont closes." in text_of(response)
    assert f'href="/evenements/{event.slug}/inscription/"' not in html_of(response)


def test_a_past_event_has_no_registration_box(client):
    event = EventFactory(registration_enabled=True, **days_ago(3))
    page = text_of(client.get(event.get_absolute_url()))
    assert "Inscription" not in page


def test_the_box_follows_registrations_on_a_cached_page(client):
    event = open_event(capacity=5)
    assert "5 places restantes" in text_of(client.get(event.get_absolute_url()))
    RegistrationFactory(event=event)
    assert "4 places restantes" in text_of(client.get(event.get_absolute_url()))


# --- evaluation, documents -------------------------------------------------------------------


def test_the_evaluation_results_and_the_chosen_quotes(client):
    event = EventFactory(**days_ago(10))
    EvaluationFactory(
        registration__event=event,
        satisfaction=5,
        usefulness=5,
        comment="Très concret",
        quote_allowed=True,
        featured=True,
    )
    EvaluationFactory(
        registration__event=event,
        satisfaction=4,
        usefulness=3,
        comment="Pas autorisée",
        quote_allowed=False,
        featured=True,
    )
    EvaluationFactory(
        registration__event=event,
        satisfaction=2,
        usefulness=4,
        comment="Autorisée mais pas retenue",
        quote_allowed=True,
    )

    page = text_of(client.get(event.get_absolute_url()))

    assert "3 réponses au questionnaire" in page
    assert "3,7/5 satisfaction moyenne" in page
    assert "4,0/5 utilité moyenne" in page
    assert "67 % de participants satisfaits" in page
    assert "« Très concret »" in page
    assert "Pas autorisée" not in page and "pas retenue" not in page


def test_document_links_only_once_a_pdf_was_generated(client):
    event = EventFactory()
    GeneratedDocument.objects.create(event=event, kind=DocumentKind.KIT)  # first one pending
    GeneratedDocument.objects.create(
        event=event, kind=DocumentKind.PROCEEDINGS, status=GeneratedDocument.Status.FAILED
    )
    page = html_of(client.get(event.get_absolute_url()))
    assert "dossier-du-participant.pdf" not in page and "actes.pdf" not in page

    # Once a file exists, it stays linked (and served) while a new one is being made.
    kit = GeneratedDocument.objects.get(event=event, kind=DocumentKind.KIT)
    kit.generated_at, kit.file = timezone.now(), "kit.pdf"
    kit.save()  # as the generation does: the cached page goes stale
    page = html_of(client.get(event.get_absolute_url()))
    assert f"/evenements/{event.slug}/dossier-du-participant.pdf" in page
    assert "actes.pdf" not in page


def test_the_page_links_its_calendar_file(client):
    event = EventFactory()
    response = client.get(event.get_absolute_url())
    assert f'href="/evenements/{event.slug}/evenement.ics"' in html_of(response)
    assert "Ajouter à mon agenda (.ics)" in text_of(response)


# --- schema.org ------------------------------------------------------------------------------


def test_json_ld_describes_the_event(client, training_day):
    caen = Territory.objects.get(kind="commune", code="14118")
    training_day.venue = "Hôtel de ville"
    training_day.address = "Esplanade Jean-Marie Louvel"
    training_day.commune = caen
    training_day.save()
    EventOrganiser.objects.create(event=training_day, organisation=organisation())

    data = json_ld(client.get(training_day.get_absolute_url()))

    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == "Journée de formation sur la loi ESS"
    assert data["startDate"] == "2014-12-04T09:30:00+01:00"
    assert data["endDate"] == "2014-12-04T17:00:00+01:00"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "addressCountry": "FR",
        "streetAddress": "Esplanade Jean-Marie Louvel",
        "addressLocality": "Caen",
        "postalCode": "14000",
    }
    assert data["organizer"] == [{"@type": "Organization", "name": "Réseau de test"}]
    assert {"@type": "Person", "name": "Claire Lemoine", "jobTitle": "Vice-présidente, Caen"} in (
        data["performer"]
    )
    assert data["url"] == f"http://testserver/evenements/{training_day.slug}/"


def test_json_ld_of_an_online_event_with_an_offer(client):
    event = open_event(online=True, venue="", address="", capacity=None, price=Decimal("40"))

    data = json_ld(client.get(event.get_absolute_url()))

    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["offers"]["price"] == "40.00" and data["offers"]["priceCurrency"] == "EUR"
    assert data["offers"]["availability"] == "https://schema.org/InStock"


def test_json_ld_of_an_event_on_site_and_online_is_mixed(client):
    event = EventFactory(online=True)
    data = json_ld(client.get(event.get_absolute_url()))
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]


def test_json_ld_cannot_be_closed_by_an_editor_s_text(client):
    title = 'Atelier </script><script>alert("x")</script> & co'
    event = EventFactory(title=title)

    response = client.get(event.get_absolute_url())

    assert "<script>alert" not in response.content.decode()
    assert json_ld(response)["name"] == title


# --- speed and cache -------------------------------------------------------------------------


def _programme_of(event: Event, sessions: int) -> None:
    for number in range(sessions):
        session = EventSessionFactory(event=event, start_time=datetime.time(8 + number % 10, 0))
        SessionContributionFactory(session=session)
        SessionContributionFactory(session=session, role=ContributionRole.MODERATOR)
        SessionOutputFactory(session=session)
        SessionOutputFactory(session=session, kind=OutputKind.DIVERGENT_IDEA)


def test_the_page_s_queries_do_not_grow_with_the_programme(
    client, member, django_assert_max_num_queries
):
    """The same bound for 20 and 40 sessions, each with a speaker, a moderator (with their
    positions) and two workshop outputs."""
    small, large = open_event(capacity=100), open_event(capacity=100)
    _programme_of(small, 20)
    _programme_of(large, 40)
    client.force_login(member)  # not served from the anonymous page cache
    client.get("/evenements/")  # the session and the user's groups, read once

    for event, sessions in ((small, 20), (large, 40)):
        with django_assert_max_num_queries(14):
            response = client.get(event.get_absolute_url())
        assert response.content.decode().count('class="programme-session"') == sessions


def test_the_anonymous_page_is_cached_and_the_member_s_is_not_mixed_up(client, with_replay, member):
    url = with_replay.get_absolute_url()
    assert client.get(url)[CACHE_HEADER] == "miss"
    assert client.get(url)[CACHE_HEADER] == "hit"
    client.force_login(member)
    response = client.get(url)
    assert CACHE_HEADER not in response
    assert "replay-loi-ess" in response.content.decode()


# --- preview ---------------------------------------------------------------------------------


def test_the_admin_preview_renders_an_unsaved_event(make_user):
    editor = make_user(Role.EDITOR)
    event = Event(
        title="Nouvelle journée",
        slug="",
        kind=EventKind.SEMINAR,
        summary="Un séminaire en préparation.",
        starts_at=paris(2099, 3, 1, 9),
        ends_at=paris(2099, 3, 1, 17),
        registration_enabled=True,
        replay_url="https://video.example.org/apercu",
    )
    request = RequestFactory().get("/")
    request.user = editor

    response = event.serve_preview(request, "")
    response.render()
    page = html.unescape(response.content.decode())

    assert "Nouvelle journée" in page
    assert "https://video.example.org/apercu" in page  # editors see what members will see
    assert "Aperçu : les inscriptions s'ouvriront une fois l'événement publié." in page


def test_the_admin_preview_of_a_saved_event(training_day, make_user):
    request = RequestFactory().get("/")
    request.user = make_user(Role.EDITOR)
    response = training_day.serve_preview(request, "")
    response.render()
    assert "Idées divergentes" in response.content.decode()


# --- search, sitemap, authority sheet, home ---------------------------------------------------


def test_the_search_document_holds_the_programme_and_the_place(training_day):
    training_day.commune = Territory.objects.get(kind="commune", code="14118")
    training_day.save()
    found = selectors.event_by_slug(training_day.slug)

    document = event_document(found)

    assert document.kind == "event" and document.key == f"event:{training_day.pk}"
    assert document.url == training_day.get_absolute_url()
    assert "Claire Lemoine" in document.text and "Marc Aubert" in document.text
    assert "Que change la loi pour les collectivités ?" in document.text
    assert document.date == datetime.date(2014, 12, 4)
    assert document.region == "28"  # Normandie
    assert document.members_only is False


def test_the_search_source_forgets_unpublished_events(training_day):
    source = event_source()
    assert Event in source.models
    owner, documents = source.documents_of(training_day.sessions.first())
    assert owner == f"event:{training_day.pk}" and len(documents) == 1
    EventFactory(draft=True)
    assert [d.title for d in source.documents()] == [training_day.title]
    training_day.live = False
    training_day.save()
    assert source.documents_of(training_day) == (f"event:{training_day.pk}", [])


def test_the_sitemap_lists_published_events():
    shown = EventFactory()
    EventFactory(draft=True)
    assert [event.pk for event in EventSitemap().items()] == [shown.pk]


def test_the_home_page_counts_the_published_events():
    from essor.events.public_hooks import event_figures

    assert event_figures() == []
    EventFactory.create_batch(2)
    EventFactory(draft=True)
    assert event_figures() == [{"value": 2, "label": "rencontres et formations"}]


def test_the_fixture_of_the_url_table_builds():
    from essor.events.tests.factories import events_fixture

    objects = events_fixture()
    assert objects["event"].live and objects["event"].latest_revision_id
    assert objects["evaluation"].registration.event == objects["event"]


def test_an_authority_s_sheet_lists_its_events():
    caen = authority_for("14118")
    spoke = EventFactory(title="Journée où Caen intervient", **days_ago(100))
    spoke.authorities.add(caen)
    spoke.save()
    hosted = EventFactory(title="Rencontre accueillie à Caen")
    EventOrganiser.objects.create(event=hosted, authority=caen, role=OrganiserRole.HOST)
    EventFactory(title="Sans Caen")
    draft = EventFactory(title="Brouillon avec Caen", draft=True)
    draft.authorities.add(caen)
    draft.save()

    related = authority_events(caen)

    assert related["title"] == "Événements du réseau"
    assert [item["label"] for item in related["items"]] == [
        "Rencontre accueillie à Caen",
        "Journée où Caen intervient",
    ]
    assert authority_events(authority_for("59350")) is None
