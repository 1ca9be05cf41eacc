"""The review queue in the admin: the list of documents read, a document's candidates with
their passages and the decisions on them, the upload, the sources of a record. Only editors
and administrators get in; every decision is a POST. The reading pipeline is replaced by a
function returning hand-made facts."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from essor.core.roles import Role
from essor.ingest import admin_views, services
from essor.ingest.models import Candidate, CandidateKind, CandidateStatus, IngestedDocument
from essor.ingest.review import candidate_accept
from essor.ingest.tests.test_review import TEXT, facts_of, person_fact, source, store
from essor.library.extraction import ExtractionError
from essor.members.models import Authority, Person, Position
from essor.members.services import authority_upsert_for_territory
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db

EVENT = {"title": "Rencontre nationale", "dates": ["2014-11-25"], "places": ["Bordeaux"], "organisers": ["RTES"], "sessions": [{"title": "Plénière"}], "source": source(1, 2, "Rencontre nationale du RTES")}  # fmt: skip
PLACE = {"text": "Région Aquitaine", "kind": "region", "code": "75", "name": "Nouvelle-Aquitaine", "score": 0.999, "source": source(2, 7, "la Région Aquitaine et ses partenaires")}  # fmt: skip


def full_facts() -> dict:
    return facts_of(
        people=[
            person_fact(
                "Hélène Dupont-Martin",
                "Hélène",
                "Dupont-Martin",
                role="Vice-présidente",
                organisation="Conseil régional d’Aquitaine",
                source=source(3, 12, "Hélène Dupont-Martin, vice-présidente du conseil régional"),
            )
        ],
        places=[PLACE],
        events=[EVENT],
    )


@pytest.fixture
def editor(make_user):
    return make_user(Role.EDITOR)


@pytest.fixture
def document() -> IngestedDocument:
    return store(full_facts())


def of(document: IngestedDocument, kind: str) -> Candidate:
    return document.candidates.get(kind=kind)


def admin_urls(document: IngestedDocument) -> list[tuple[str, str]]:
    """Every admin view of ingestion, with the method it is used with."""
    person = of(document, CandidateKind.PERSON)
    return [
        ("get", reverse("ingest:queue")),
        ("get", reverse("ingest:upload")),
        ("post", reverse("ingest:upload")),
        ("get", reverse("ingest:document", args=[document.pk])),
        ("get", reverse("ingest:file", args=[document.pk])),
        ("post", reverse("ingest:accept", args=[person.pk])),
        ("post", reverse("ingest:reject", args=[person.pk])),
        ("post", reverse("ingest:correct", args=[person.pk])),
        ("post", reverse("ingest:accept_bulk", args=[document.pk])),
        ("get", reverse("ingest:sources", args=["ingest", "ingesteddocument", document.pk])),
    ]


# ------------------------------------------------------------------ who gets in


def test_editors_hold_the_ingest_permissions(editor):
    assert editor.has_perm("ingest.change_candidate")
    assert editor.has_perm("ingest.add_ingesteddocument")


@pytest.mark.parametrize("role", [Role.VISITOR, Role.MEMBER])
def test_visitors_and_members_are_refused_everywhere(client, make_user, document, role):
    if role != Role.VISITOR:
        client.force_login(make_user(role))
    for method, url in admin_urls(document):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 403), (method, url, response.status_code)
        if response.status_code == 302:
            assert "login" in response["Location"], (method, url)
    person = of(document, CandidateKind.PERSON)
    assert person.status == CandidateStatus.PENDING
    assert not Person.objects.exists()
    assert IngestedDocument.objects.count() == 1


def test_an_editor_without_the_ingest_permission_is_refused(client, editor, document):
    editor.groups.first().permissions.remove(
        *Permission.objects.filter(content_type__app_label="ingest")
    )
    client.force_login(editor)
    for method, url in admin_urls(document):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"] == reverse("wagtailadmin_home"), (method, url)
    assert of(document, CandidateKind.PERSON).status == CandidateStatus.PENDING


def test_the_menu_shows_ingestion_to_editors(client, editor):
    client.force_login(editor)
    assert reverse("ingest:queue") in client.get(reverse("wagtailadmin_home")).content.decode()


def test_decisions_are_post_only_and_need_the_csrf_token(editor, document):
    person = of(document, CandidateKind.PERSON)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    for name in ("accept", "reject", "correct"):
        assert client.get(reverse(f"ingest:{name}", args=[person.pk])).status_code == 405
        assert client.post(reverse(f"ingest:{name}", args=[person.pk])).status_code == 403
    assert client.post(reverse("ingest:accept_bulk", args=[document.pk])).status_code == 403
    person.refresh_from_db()
    assert person.status == CandidateStatus.PENDING


def test_the_forms_of_the_page_carry_their_csrf_token(editor, document):
    """As a browser does: the token is read from the candidate's own form."""
    place = of(document, CandidateKind.PLACE)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    page = client.get(reverse("ingest:document", args=[document.pk])).content.decode()
    article = page[page.index(f'id="candidate-{place.pk}"') :]
    form = article[article.index(reverse("ingest:accept", args=[place.pk])) :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = client.post(
        reverse("ingest:accept", args=[place.pk]), {"csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == CandidateStatus.ACCEPTED


def test_unknown_ids_are_not_found(client, editor, document):
    client.force_login(editor)
    absent = 999999
    assert client.get(reverse("ingest:document", args=[absent])).status_code == 404
    assert client.get(reverse("ingest:file", args=[absent])).status_code == 404
    for name in ("accept", "reject", "correct"):
        assert client.post(reverse(f"ingest:{name}", args=[absent])).status_code == 404
    assert client.post(reverse("ingest:accept_bulk", args=[absent])).status_code == 404
    for args in (["members", "person", absent], ["members", "nomodel", 1], ["nope", "person", 1]):
        assert client.get(reverse("ingest:sources", args=args)).status_code == 404


# ------------------------------------------------------------------ the queue


def test_the_queue_lists_documents_with_their_counts(client, editor, document, monkeypatch):
    candidate_accept(of(document, CandidateKind.PLACE), editor)
    store(facts_of(title="Lettre de 2013"), data=b"Une lettre.")
    client.force_login(editor)

    page = client.get(reverse("ingest:queue")).content.decode()

    assert "Actes de la rencontre 2014" in page
    assert "Lettre de 2013" in page
    assert "actes.txt" in page
    assert document.pk and reverse("ingest:document", args=[document.pk]) in page
    rows = client.get(reverse("ingest:queue")).context["page_obj"].object_list
    counts = {d.title: (d.pending_count, d.accepted_count, d.rejected_count) for d in rows}
    # publication, person, event pending; the place accepted
    assert counts["Actes de la rencontre 2014"] == (3, 1, 0)
    assert counts["Lettre de 2013"] == (1, 0, 0)

    monkeypatch.setattr(admin_views, "QUEUE_PAGE_SIZE", 1)
    first = client.get(reverse("ingest:queue"))
    assert len(first.context["page_obj"].object_list) == 1
    assert "Page 1 sur 2" in first.content.decode()
    second = client.get(reverse("ingest:queue") + "?p=2")
    assert second.context["page_obj"].number == 2
    assert client.get(reverse("ingest:queue") + "?p=abc").status_code == 200


def test_the_queue_can_show_only_documents_with_pending_candidates(client, editor, document):
    other = store(facts_of(title="Déjà examiné"), data=b"Autre.")
    candidate_accept(of(other, CandidateKind.PUBLICATION), editor)
    client.force_login(editor)
    page = client.get(reverse("ingest:queue") + "?a_examiner=1").content.decode()
    assert "Actes de la rencontre 2014" in page
    assert "Déjà examiné" not in page


# ------------------------------------------------------------------ one document


def test_the_document_page_shows_candidates_by_kind_with_their_passages(client, editor, document):
    client.force_login(editor)
    page = client.get(reverse("ingest:document", args=[document.pk])).content.decode()
    person = of(document, CandidateKind.PERSON)
    event = of(document, CandidateKind.EVENT)

    for heading in ("Personne (1)", "Territoire (1)", "Événement (1)", "Publication (1)"):
        assert heading in page
    assert "Hélène Dupont-Martin" in page
    assert "Vice-présidente" in page and "Conseil régional d’Aquitaine" in page
    assert "p. 3, l. 12" in page
    assert "vice-présidente du conseil régional" in page
    assert "Région Aquitaine" in page and "Région" in page and "100 %" in page
    assert reverse("ingest:accept", args=[person.pk]) in page
    assert reverse("ingest:correct", args=[person.pk]) in page
    # An event is accepted, corrected (its date, its type) or rejected like the others.
    assert reverse("ingest:accept", args=[event.pk]) in page
    assert reverse("ingest:correct", args=[event.pk]) in page
    assert reverse("ingest:reject", args=[event.pk]) in page
    assert "Bordeaux" in page


def test_accepting_from_the_page_links_the_record(client, editor, document):
    authority = authority_upsert_for_territory(Territory.objects.get(kind="region", code="75"))
    place = of(document, CandidateKind.PLACE)
    client.force_login(editor)

    response = client.post(reverse("ingest:accept", args=[place.pk]))

    url = reverse("ingest:document", args=[document.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{url}#candidate-{place.pk}"
    place.refresh_from_db()
    assert place.status == CandidateStatus.ACCEPTED
    assert place.record == authority
    assert place.reviewed_by == editor
    page = client.get(url).content.decode()
    assert reverse("authority:edit", args=[authority.pk]) in page
    assert reverse("ingest:sources", args=["members", "authority", authority.pk]) in page
    assert Authority.objects.count() == 1


def test_accepting_a_person_creates_the_position_with_its_source(client, editor, document):
    client.force_login(editor)
    person_candidate = of(document, CandidateKind.PERSON)
    client.post(reverse("ingest:accept", args=[person_candidate.pk]))
    position = Position.objects.get()
    assert position.person.full_name == "Hélène Dupont-Martin"
    assert position.authority.territory.code == "75"
    assert position.source == "Actes de la rencontre 2014, p. 3"


def test_accepting_an_event_from_the_page_makes_a_draft_event(client, editor, document):
    candidate = of(document, CandidateKind.EVENT)
    client.force_login(editor)
    client.post(reverse("ingest:accept", args=[candidate.pk]))
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ACCEPTED
    event = candidate.record
    assert (event.title, event.live, event.venue) == ("Rencontre nationale", False, "Bordeaux")
    assert event.organisers.get().name == "RTES"


def test_an_event_whose_date_is_wrong_is_corrected_then_accepted(client, editor, document):
    candidate = of(document, CandidateKind.EVENT)
    prefix = f"candidate-{candidate.pk}"
    client.force_login(editor)
    fields = {f"{prefix}-title": "Rencontre nationale", f"{prefix}-kind": "rencontre-nationale"}
    bad = client.post(
        reverse("ingest:correct", args=[candidate.pk]),
        {**fields, f"{prefix}-date": "2014-13-45", "accept": "1"},
        follow=True,
    )
    assert "date" in bad.content.decode().lower()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PENDING

    client.post(
        reverse("ingest:correct", args=[candidate.pk]),
        {**fields, f"{prefix}-date": "2014-11-26", "accept": "1"},
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ACCEPTED
    assert candidate.record.starts_at.date().isoformat() == "2014-11-26"


def test_rejecting_from_the_page(client, editor, document):
    event = of(document, CandidateKind.EVENT)
    client.force_login(editor)
    client.post(reverse("ingest:reject", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == CandidateStatus.REJECTED
    assert event.reviewed_by == editor


def test_correcting_from_the_page_keeps_the_extraction(client, editor, document):
    person = of(document, CandidateKind.PERSON)
    prefix = f"candidate-{person.pk}"
    client.force_login(editor)
    fields = {
        f"{prefix}-first_name": "Hélène",
        f"{prefix}-last_name": "Dupont-Martinez",
        f"{prefix}-role": "Vice-présidente déléguée à l’ESS",
        f"{prefix}-organisation": "Conseil régional d’Aquitaine",
    }

    client.post(reverse("ingest:correct", args=[person.pk]), fields)

    person.refresh_from_db()
    assert person.label == "Hélène Dupont-Martinez"
    assert person.status == CandidateStatus.PENDING
    assert person.data["extracted"]["name"] == "Hélène Dupont-Martin"
    assert person.data["role"] == "Vice-présidente déléguée à l’ESS"

    client.post(reverse("ingest:correct", args=[person.pk]), {**fields, "accept": "1"})
    person.refresh_from_db()
    assert person.status == CandidateStatus.ACCEPTED
    assert person.record.full_name == "Hélène Dupont-Martinez"


def test_a_refused_correction_shows_its_message_and_changes_nothing(client, editor, document):
    place = of(document, CandidateKind.PLACE)
    prefix = f"candidate-{place.pk}"
    client.force_login(editor)
    response = client.post(
        reverse("ingest:correct", args=[place.pk]),
        {f"{prefix}-kind": "commune", f"{prefix}-code": "99999"},
        follow=True,
    )
    assert "référentiel" in response.content.decode()
    place.refresh_from_db()
    assert place.data["code"] == "75"
    assert "extracted" not in place.data

    response = client.post(reverse("ingest:correct", args=[place.pk]), {}, follow=True)
    assert "Code officiel : " in response.content.decode()  # the field named in the message


def test_accepting_all_pending_people_and_places(client, editor, document):
    client.force_login(editor)
    response = client.post(reverse("ingest:accept_bulk", args=[document.pk]))
    assert response.status_code == 302
    statuses = dict(document.candidates.values_list("kind", "status"))
    assert statuses[CandidateKind.PERSON] == CandidateStatus.ACCEPTED
    assert statuses[CandidateKind.PLACE] == CandidateStatus.ACCEPTED
    assert statuses[CandidateKind.EVENT] == CandidateStatus.PENDING
    assert statuses[CandidateKind.PUBLICATION] == CandidateStatus.PENDING
    # The person's authority and the place's are the same one.
    assert Authority.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("actes.txt", TEXT, "text/plain; charset=utf-8"),
        ("page.html", b"<script>alert(1)</script>", "text/plain; charset=utf-8"),
        ("actes.pdf", b"%PDF-1.4 contenu", "application/pdf"),
    ],
)
def test_the_file_read_is_served_to_editors_as_pdf_or_plain_text(
    client, editor, name, data, content_type
):
    document = store(facts_of(), data=data, name=name)
    client.force_login(editor)
    response = client.get(reverse("ingest:file", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == content_type
    assert response["Content-Security-Policy"] == "sandbox"
    assert (
        reverse("ingest:file", args=[document.pk])
        in client.get(reverse("ingest:document", args=[document.pk])).content.decode()
    )


# ------------------------------------------------------------------ sources of a record


def test_the_sources_of_a_record_list_its_passages(client, editor, document):
    person = candidate_accept(of(document, CandidateKind.PERSON), editor)
    client.force_login(editor)
    page = client.get(reverse("ingest:sources", args=["members", "person", person.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Actes de la rencontre 2014" in content
    assert "vice-présidente du conseil régional" in content
    assert reverse("person:edit", args=[person.pk]) in content


def test_the_record_edit_page_leads_to_its_sources(client, editor, document):
    sources = reverse("ingest:sources", args=["members", "person", 0])
    person = candidate_accept(of(document, CandidateKind.PERSON), editor)
    client.force_login(editor)
    page = client.get(reverse("person:edit", args=[person.pk])).content.decode()
    assert sources.replace("/0/", f"/{person.pk}/") in page
    assert "Sources (1)" in page
    other = Person.objects.create(first_name="Sans", last_name="Source", slug="sans-source")
    assert "Sources (" not in client.get(reverse("person:edit", args=[other.pk])).content.decode()


# ------------------------------------------------------------------ upload


@pytest.fixture
def analysed(monkeypatch) -> list[str]:
    """The pipeline replaced by hand-made facts; the names of the files it was given."""
    seen = []

    def analyse(file_name: str, data: bytes) -> dict:
        seen.append(file_name)
        return full_facts()

    monkeypatch.setattr(services, "analyse", analyse)
    return seen


def upload(client, data: bytes, name: str = "actes.txt"):
    return client.post(reverse("ingest:upload"), {"file": SimpleUploadedFile(name, data)})


def test_an_editor_uploads_a_file_and_lands_on_its_review(client, editor, analysed):
    client.force_login(editor)
    assert client.get(reverse("ingest:upload")).status_code == 200

    response = upload(client, TEXT)

    document = IngestedDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ingest:document", args=[document.pk])
    assert analysed == ["actes.txt"]
    assert document.ingested_by == editor
    assert document.candidates.count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "4 nouveaux candidats à examiner" in page

    upload(client, TEXT, name="copie.txt")
    assert IngestedDocument.objects.count() == 1
    assert document.candidates.count() == 4


def test_an_empty_file_is_refused_and_nothing_is_written(client, editor, analysed):
    client.force_login(editor)
    response = upload(client, b"", name="vide.txt")
    assert response.status_code == 200
    assert "Le fichier envoyé est vide" in response.content.decode()
    assert not IngestedDocument.objects.exists()
    assert not Candidate.objects.exists()


def test_a_file_the_reader_refuses_shows_its_message(client, editor, monkeypatch):
    def refuse(file_name: str, data: bytes) -> dict:
        raise ExtractionError(f"« {file_name} » est protégé par un mot de passe.")

    monkeypatch.setattr(services, "analyse", refuse)
    client.force_login(editor)
    response = upload(client, b"%PDF-1.7 chiffre", name="secret.pdf")
    content = response.content.decode()
    assert response.status_code == 200
    assert "« secret.pdf » est protégé par un mot de passe." in content
    assert "Rien n’a été enregistré." in content
    assert not IngestedDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_reading(client, editor, analysed, settings):
    settings.ESSOR_LIBRARY_MAX_BYTES = 10
    client.force_login(editor)
    response = upload(client, b"x" * 11, name="gros.txt")
    assert response.status_code == 200
    assert "Rien n’a été enregistré." in response.content.decode()
    assert analysed == []
    assert not IngestedDocument.objects.exists()
