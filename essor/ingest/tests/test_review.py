"""An editor's decisions on ingested candidates: accepting creates or links a record (never a
duplicate), correcting keeps the extraction, rejecting sets aside; a record keeps its source
passages. Facts are made by hand: these tests never run the reading pipeline."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from essor.core.roles import Role
from essor.events.models import Event, EventKind, SessionFormat
from essor.ingest.models import Candidate, CandidateKind, CandidateStatus, IngestedDocument
from essor.ingest.review import (
    candidate_accept,
    candidate_correct,
    candidate_reject,
    candidates_accept_pending,
)
from essor.ingest.selectors import record_sources
from essor.ingest.services import document_store
from essor.initiatives.models import Initiative
from essor.library.models import Publication, PublicationKind, TextStatus
from essor.members.models import Authority, Organisation, Person, Position, PositionKind
from essor.members.selectors import person_match
from essor.members.services import (
    authority_upsert_for_territory,
    organisation_upsert,
    person_get_or_create,
    position_record,
)
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db

TEXT = "Actes de la rencontre\fDeuxième page\fTroisième page du texte.".encode()


def source(page: int = 3, line: int = 12, passage: str = "Un passage du document.") -> dict:
    return {"page": page, "line": line, "passage": passage}


def person_fact(name: str, first_name: str, last_name: str, **fields: object) -> dict:
    return {
        "name": name,
        "first_name": first_name,
        "last_name": last_name,
        "role": "",
        "organisation": "",
        "email": "",
        "phone": "",
        "source": source(),
        **fields,
    }


def facts_of(**lists: object) -> dict:
    """A facts dict as `essor ingest --json` prints it, with only what a test needs."""
    facts = {
        "path": "actes.txt",
        "title": "Actes de la rencontre 2014",
        "kind": "proceedings",
        "library_kind": PublicationKind.PROCEEDINGS,
        "dates": ["2014-11-25"],
        "page_count": 3,
        "needs_ocr": False,
        "message": "",
        "word_count": 12,
        "people": [],
        "places": [],
        "organisations": [],
        "events": [],
        "initiatives": [],
        "figures": [],
        "links": [],
        "emails": [],
    }
    facts.update(lists)
    return facts


def store(facts: dict, data: bytes = TEXT, name: str = "actes.txt") -> IngestedDocument:
    return document_store(name, data, facts)[0]


def candidate(document: IngestedDocument, kind: str) -> Candidate:
    return document.candidates.get(kind=kind)


@pytest.fixture
def editor(make_user):
    return make_user(Role.EDITOR)


# ------------------------------------------------------------------ people


def test_a_person_written_two_ways_in_two_documents_is_one_person(editor):
    first = store(facts_of(people=[person_fact("Hélène Dupont-Martin", "Hélène", "Dupont-Martin")]))
    second = store(
        facts_of(people=[person_fact("Helene Dupont Martin", "Helene", "Dupont Martin")]),
        data=b"Un autre document.",
    )

    one = candidate_accept(candidate(first, CandidateKind.PERSON), editor)
    two = candidate_accept(candidate(second, CandidateKind.PERSON), editor)

    assert Person.objects.count() == 1
    assert one == two
    assert one.full_name == "Hélène Dupont-Martin"  # the first spelling is kept
    assert set(record_sources(one).values_list("document", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("helene", "DUPONT-MARTIN"),
        ("  Hélène ", "Dupont   Martin"),
        ("Hélène Dupont", "Martin"),  # the same words, cut elsewhere
    ],
)
def test_person_match_ignores_accents_hyphens_case_and_spaces(first_name, last_name):
    known = person_get_or_create("Hélène", "Dupont-Martin")
    person_get_or_create("Hélène", "Dupont")
    assert person_match(first_name, last_name) == known


def test_person_match_finds_nobody_for_another_name():
    person_get_or_create("Hélène", "Dupont-Martin")
    assert person_match("Hélène", "Dupond-Martin") is None
    assert person_match("", "") is None


def test_accepting_a_person_records_the_position_at_the_authority_with_its_source(editor):
    region = Territory.objects.get(kind="region", code="75")
    authority = authority_upsert_for_territory(region)
    document = store(
        facts_of(
            people=[
                person_fact(
                    "Hélène Dupont-Martin",
                    "Hélène",
                    "Dupont-Martin",
                    role="Vice-présidente déléguée à l’ESS",
                    organisation="Conseil régional d’Aquitaine",
                )
            ]
        )
    )

    person = candidate_accept(candidate(document, CandidateKind.PERSON), editor)

    position = Position.objects.get(person=person)
    assert position.authority == authority
    assert position.organisation is None
    assert position.title == "Vice-présidente déléguée à l’ESS"
    assert position.kind == PositionKind.ELECTED
    assert position.source == "Actes de la rencontre 2014, p. 3"
    assert Authority.objects.filter(territory=region).count() == 1


def test_a_role_at_an_organisation_known_by_its_acronym_links_it(editor):
    network = organisation_upsert("rtes", name="Réseau des collectivités", acronym="RTES")
    document = store(
        facts_of(
            people=[
                person_fact(
                    "Camille Durand",
                    "Camille",
                    "Durand",
                    role="chargée de mission",
                    organisation="RTES",
                )
            ]
        )
    )
    person = candidate_accept(candidate(document, CandidateKind.PERSON), editor)
    position = Position.objects.get(person=person)
    assert position.organisation == network
    assert position.kind == PositionKind.STAFF
    assert Organisation.objects.count() == 1


def test_a_position_already_recorded_with_other_dates_or_case_is_not_doubled(editor):
    network = organisation_upsert("rtes", name="Réseau des collectivités", acronym="RTES")
    person = person_get_or_create("Camille", "Durand")
    recorded = position_record(
        person,
        title="Déléguée générale",
        organisation=network,
        start_date=datetime.date(2017, 1, 1),
        source="Rapport 2017",
    )
    document = store(
        facts_of(
            people=[
                person_fact(
                    "Camille Durand",
                    "Camille",
                    "Durand",
                    role="déléguée générale",
                    organisation="RTES",
                )
            ]
        )
    )
    candidate_accept(candidate(document, CandidateKind.PERSON), editor)
    assert list(Position.objects.filter(person=person)) == [recorded]
    recorded.refresh_from_db()
    assert recorded.source == "Rapport 2017"  # the first source stays


def test_a_role_at_an_unknown_body_creates_the_organisation_once(editor):
    people = [
        person_fact("Camille Durand", "Camille", "Durand", role="Présidente", organisation="Atelier Zébulon"),
        person_fact("Jean Morel", "Jean", "Morel", role="Trésorier", organisation="ATELIER ZEBULON"),
    ]  # fmt: skip
    document = store(facts_of(people=people))
    accepted, errors = candidates_accept_pending(document.candidates.all(), editor)
    assert (accepted, errors) == (2, [])
    organisation = Organisation.objects.get()
    assert organisation.name == "Atelier Zébulon"
    assert organisation.positions.count() == 2


def test_contacts_fill_empty_fields_only(editor):
    known = person_get_or_create("Camille", "Durand")
    known.email = "camille@ville.fr"
    known.save()
    fact = person_fact(
        "Camille Durand", "Camille", "Durand", email="autre@exemple.org", phone="01 23 45 67 89"
    )
    document = store(facts_of(people=[fact]))
    person = candidate_accept(candidate(document, CandidateKind.PERSON), editor)
    person.refresh_from_db()
    assert person == known
    assert person.email == "camille@ville.fr"
    assert person.phone == "01 23 45 67 89"


# ------------------------------------------------------------------ places, organisations


def test_a_place_under_its_former_name_links_the_existing_authority(editor):
    authority = authority_upsert_for_territory(Territory.objects.get(kind="region", code="75"))
    place = {
        "text": "Région Aquitaine",
        "kind": "region",
        "code": "75",
        "name": "Nouvelle-Aquitaine",
        "score": 0.999,
        "source": source(1, 4, "La Région Aquitaine soutient…"),
    }
    document = store(facts_of(places=[place]))

    record = candidate_accept(candidate(document, CandidateKind.PLACE), editor)

    assert record == authority
    assert Authority.objects.filter(territory__code="75", territory__kind="region").count() == 1
    authority.refresh_from_db()
    assert authority.name == "Nouvelle-Aquitaine"  # the former name does not rename it


def test_a_place_creates_the_authority_of_its_territory(editor):
    place = {
        "text": "Ville de Caen",
        "kind": "commune",
        "code": "14118",
        "name": "Caen",
        "score": 0.99,
    }
    document = store(facts_of(places=[place]))
    record = candidate_accept(candidate(document, CandidateKind.PLACE), editor)
    assert isinstance(record, Authority)
    assert record.territory.code == "14118"


def test_an_organisation_is_linked_by_folded_name_or_acronym(editor):
    known = organisation_upsert("rtes", name="Réseau des collectivités territoriales", acronym="")
    facts = facts_of(
        organisations=[
            {
                "name": "RESEAU DES COLLECTIVITES TERRITORIALES",
                "acronym": "RTES",
                "source": source(),
            },
            {"name": "Chambre régionale de l’ESS", "acronym": "CRESS", "source": source()},
        ]
    )
    document = store(facts)
    records = [candidate_accept(c, editor) for c in document.candidates.filter(kind="organisation")]
    known.refresh_from_db()
    assert known in records
    assert known.acronym == "RTES"  # an empty field is filled
    assert Organisation.objects.count() == 2
    assert Organisation.objects.get(acronym="CRESS").name == "Chambre régionale de l’ESS"


# ------------------------------------------------------------------ initiatives, publications


def test_an_initiative_is_linked_by_name_or_created_as_a_draft(editor):
    document = store(
        facts_of(initiatives=[{"name": "La Bou’Sol", "source": source()}, {"name": "Répar’Café", "source": source()}])
    )  # fmt: skip
    existing = Initiative(name="LA BOU SOL", slug="bou-sol", summary="Une boulangerie solidaire.")
    existing.save()
    records = {
        c.label: candidate_accept(c, editor) for c in document.candidates.filter(kind="initiative")
    }
    assert records["La Bou’Sol"] == existing
    draft = records["Répar’Café"]
    assert not draft.live
    assert draft.latest_revision is not None
    assert "Actes de la rencontre 2014, p. 3" in draft.summary
    assert Initiative.objects.count() == 2


def test_accepting_the_publication_makes_a_draft_with_the_file(editor):
    document = store(facts_of())
    publication_candidate = candidate(document, CandidateKind.PUBLICATION)

    publication = candidate_accept(publication_candidate, editor)

    assert isinstance(publication, Publication)
    assert not publication.live
    assert publication.title == "Actes de la rencontre 2014"
    assert publication.kind == PublicationKind.PROCEEDINGS
    assert str(publication.date) == "2014-11-25"
    assert publication.text_status == TextStatus.EXTRACTED
    with publication.document.file.open("rb") as stored:
        assert stored.read() == TEXT
    # Accepted twice, still one publication.
    assert candidate_accept(publication_candidate, editor) == publication
    assert Publication.objects.count() == 1


def test_a_publication_of_an_unknown_kind_is_filed_as_other(editor):
    document = store(facts_of(library_kind="brochure"))
    publication = candidate_accept(candidate(document, CandidateKind.PUBLICATION), editor)
    assert publication.kind == PublicationKind.OTHER


def test_a_file_already_in_the_library_is_not_deposited_again(editor):
    first = candidate_accept(candidate(store(facts_of()), CandidateKind.PUBLICATION), editor)
    rejected = candidate(IngestedDocument.objects.get(), CandidateKind.PUBLICATION)
    candidate_reject(rejected, editor)
    # Accepted again after a rejection: the file's publication is found again.
    assert candidate_accept(rejected, editor) == first
    assert Publication.objects.count() == 1


# ------------------------------------------------------------------ events, reject, twice


def _event_fact(**fields: object) -> dict:
    session = {"title": "Table ronde des élus", "start": "10:15", "end": "11:30", "format": "round_table", "moderators": ["Alice Martin"], "speakers": ["Bruno Petit", "Chloé Robert"], "source": source()}  # fmt: skip
    opening = {"title": "Ouverture", "start": "09:30", "end": "10:00", "format": "plenary", "moderators": [], "speakers": ["Chloé Robert"], "source": source()}  # fmt: skip
    fact = {"title": "Rencontres territoriales de l'ESS", "dates": ["2013-09-12"], "places": ["Rennes", "Grenoble"], "organisers": ["Réseau de test"], "sessions": [session, opening], "source": source()}  # fmt: skip
    fact.update(fields)
    return fact


def test_accepting_an_event_makes_a_draft_with_its_sites_and_timed_programme(editor):
    known = person_get_or_create("Alice", "Martin")
    document = store(facts_of(events=[_event_fact()]))
    found = candidate(document, CandidateKind.EVENT)

    event = candidate_accept(found, editor)

    assert not event.live  # an editor completes and publishes it
    assert event.kind == EventKind.TERRITORIAL_MEETING
    assert timezone.localtime(event.starts_at).date() == datetime.date(2013, 9, 12)
    assert timezone.localtime(event.starts_at).time() == datetime.time(9, 30)
    assert [site.name for site in event.sites.all()] == ["Rennes", "Grenoble"]
    assert event.sites.get(name="Rennes").commune.code == "35238"
    assert event.organisers.get().name == "Réseau de test"
    sessions = {s.title: s for s in event.sessions.all()}
    table = sessions["Table ronde des élus"]
    assert (table.start_time, table.end_time) == (datetime.time(10, 15), datetime.time(11, 30))
    assert table.format == SessionFormat.ROUND_TABLE
    roles = {(c.person.last_name, c.role) for c in table.contributions.all()}
    assert roles == {("Martin", "animateur"), ("Petit", "intervenant"), ("Robert", "intervenant")}
    assert table.contributions.get(role="animateur").person == known  # linked, not doubled
    assert Person.objects.filter(last_name="Robert").count() == 1
    found.refresh_from_db()
    assert (found.status, found.record) == (CandidateStatus.ACCEPTED, event)
    assert list(record_sources(event)) == [found]
    assert candidate_accept(found, editor) == event


def test_the_same_event_read_in_two_documents_is_one_event(editor):
    first = candidate(store(facts_of(events=[_event_fact()])), CandidateKind.EVENT)
    second = candidate(
        store(facts_of(events=[_event_fact(sessions=[])]), data=b"Autre texte", name="b.txt"),
        CandidateKind.EVENT,
    )
    assert candidate_accept(first, editor) == candidate_accept(second, editor)
    assert Event.objects.count() == 1


def test_an_event_without_a_date_is_accepted_once_an_editor_gives_it(editor):
    found = candidate(store(facts_of(events=[_event_fact(dates=[])])), CandidateKind.EVENT)

    with pytest.raises(ValidationError, match="date"):
        candidate_accept(found, editor)
    assert not Event.objects.exists()
    found.refresh_from_db()
    assert found.status == CandidateStatus.PENDING

    with pytest.raises(ValidationError, match="précède"):
        candidate_correct(found, editor, {"date": "2014-10-07", "end_date": "2014-10-06"})
    event = candidate_accept(
        found,
        editor,
        {
            "title": "Journée de formation loi ESS",
            "kind": "journee-formation",
            "date": "2014-10-07",
        },
    )
    assert event.kind == EventKind.TRAINING_DAY
    assert timezone.localtime(event.starts_at).date() == datetime.date(2014, 10, 7)


def test_rejecting_an_event_sets_it_aside(editor):
    found = candidate(store(facts_of(events=[_event_fact()])), CandidateKind.EVENT)
    candidate_reject(found, editor)
    found.refresh_from_db()
    assert found.status == CandidateStatus.REJECTED
    assert found.reviewed_by == editor
    assert not Event.objects.exists()


def test_rejecting_an_accepted_candidate_unlinks_its_record(editor):
    document = store(facts_of(people=[person_fact("Camille Durand", "Camille", "Durand")]))
    found = candidate(document, CandidateKind.PERSON)
    person = candidate_accept(found, editor)
    candidate_reject(found, editor)
    found.refresh_from_db()
    assert found.status == CandidateStatus.REJECTED
    assert found.record is None
    assert Person.objects.filter(pk=person.pk).exists()  # the record stays
    assert not record_sources(person).exists()


def test_an_accepted_candidate_is_not_accepted_twice(editor):
    document = store(facts_of(people=[person_fact("Camille Durand", "Camille", "Durand", role="Maire", organisation="Ville de Caen")]))  # fmt: skip
    found = candidate(document, CandidateKind.PERSON)
    person = candidate_accept(found, editor)
    reviewed_at = Candidate.objects.get(pk=found.pk).reviewed_at

    assert candidate_accept(found, editor) == person
    assert Candidate.objects.get(pk=found.pk).reviewed_at == reviewed_at
    assert Position.objects.count() == 1
    assert Position.objects.get().authority.territory.code == "14118"


# ------------------------------------------------------------------ corrections


def test_a_correction_keeps_the_extraction(editor):
    document = store(facts_of(people=[person_fact("Helene Dupon", "Helene", "Dupon", role="élue")]))
    found = candidate(document, CandidateKind.PERSON)

    candidate_correct(found, editor, {"first_name": "Hélène", "last_name": "Dupont"})
    candidate_correct(found, editor, {"role": "Adjointe au maire"})

    found.refresh_from_db()
    assert found.label == "Hélène Dupont"
    assert found.data["name"] == "Hélène Dupont"
    assert found.data["role"] == "Adjointe au maire"
    assert found.data["extracted"]["name"] == "Helene Dupon"  # the first extraction, kept
    assert found.data["extracted"]["role"] == "élue"
    assert found.status == CandidateStatus.PENDING
    assert candidate_accept(found, editor).full_name == "Hélène Dupont"


def test_a_place_is_corrected_only_to_a_territory_of_the_referential(editor):
    place = {"text": "Caen", "kind": "commune", "code": "14118", "name": "Caen", "score": 0.8}
    document = store(facts_of(places=[place]))
    found = candidate(document, CandidateKind.PLACE)

    with pytest.raises(ValidationError) as refused:
        candidate_correct(found, editor, {"kind": "commune", "code": "99999"})
    assert "référentiel" in str(refused.value)
    found.refresh_from_db()
    assert "extracted" not in found.data

    candidate_correct(found, editor, {"kind": "departement", "code": "14"})
    found.refresh_from_db()
    assert (found.data["kind"], found.data["code"], found.label) == (
        "departement",
        "14",
        "Calvados",
    )
    assert found.data["extracted"]["code"] == "14118"


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (CandidateKind.ORGANISATION, {"name": ""}, "obligatoire"),
        (CandidateKind.INITIATIVE, {"name": "x" * 201}, "200"),
        (CandidateKind.PUBLICATION, {"kind": "roman"}, "type"),
        (CandidateKind.PUBLICATION, {"date": "2014-13-45"}, "date"),
        (CandidateKind.PERSON, {"email": "x@y.fr"}, "inconnus"),
    ],
)
def test_corrections_are_checked_per_kind(editor, kind, fields, message):
    document = store(
        facts_of(
            people=[person_fact("Camille Durand", "Camille", "Durand")],
            organisations=[{"name": "CRESS", "acronym": "", "source": source()}],
            initiatives=[{"name": "Bou’Sol", "source": source()}],
        )
    )
    with pytest.raises(ValidationError, match=message):
        candidate_correct(candidate(document, kind), editor, fields)


def test_a_corrected_publication_and_an_accepted_candidate_not_corrected_again(editor):
    document = store(facts_of())
    found = candidate(document, CandidateKind.PUBLICATION)
    publication = candidate_accept(
        found,
        editor,
        {"title": "Actes des rencontres de Bordeaux", "kind": PublicationKind.MEETING_REPORT, "date": "2014-11-26"},
    )  # fmt: skip
    assert publication.title == "Actes des rencontres de Bordeaux"
    assert publication.kind == PublicationKind.MEETING_REPORT
    assert str(publication.date) == "2014-11-26"
    found.refresh_from_db()
    assert found.data["extracted"]["title"] == "Actes de la rencontre 2014"
    with pytest.raises(ValidationError, match="déjà accepté"):
        candidate_correct(found, editor, {"title": "Autre titre"})


def test_a_refused_correction_on_accept_writes_nothing(editor):
    document = store(facts_of(people=[person_fact("Camille Durand", "Camille", "Durand")]))
    found = candidate(document, CandidateKind.PERSON)
    with pytest.raises(ValidationError):
        candidate_accept(found, editor, {"last_name": ""})
    found.refresh_from_db()
    assert found.status == CandidateStatus.PENDING
    assert "extracted" not in found.data
    assert not Person.objects.exists()


# ------------------------------------------------------------------ storing again


def test_storing_the_same_facts_again_adds_nothing_and_keeps_decisions(editor):
    facts = facts_of(
        people=[
            person_fact("Camille Durand", "Camille", "Durand"),
            person_fact("Jean Morel", "Jean", "Morel"),
        ]
    )
    document = store(facts)
    camille = document.candidates.get(label="Camille Durand")
    jean = document.candidates.get(label="Jean Morel")
    person = candidate_accept(camille, editor)
    candidate_reject(jean, editor)
    candidate_correct(
        candidate(document, CandidateKind.PUBLICATION), editor, {"title": "Titre corrigé"}
    )
    count = Candidate.objects.count()

    again, new = document_store("actes-copie.txt", TEXT, facts)

    assert again == document
    assert new == 0
    assert Candidate.objects.count() == count
    camille.refresh_from_db()
    jean.refresh_from_db()
    assert (camille.status, camille.record) == (CandidateStatus.ACCEPTED, person)
    assert jean.status == CandidateStatus.REJECTED
    assert candidate(document, CandidateKind.PUBLICATION).label == "Titre corrigé"


def test_record_sources_lists_only_accepted_passages_of_that_record(editor):
    document = store(
        facts_of(
            people=[
                person_fact("Camille Durand", "Camille", "Durand", source=source(2, 5, "Camille Durand, maire")),
                person_fact("Jean Morel", "Jean", "Morel"),
            ]
        )
    )  # fmt: skip
    camille = candidate_accept(document.candidates.get(label="Camille Durand"), editor)
    candidate_accept(document.candidates.get(label="Jean Morel"), editor)
    sources = list(record_sources(camille))
    assert [(s.page, s.line, s.passage) for s in sources] == [(2, 5, "Camille Durand, maire")]
