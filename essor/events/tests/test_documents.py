"""The participant kit and the proceedings: what the PDFs say, their generation outside the
request (admin screen, task), the public routes and who may open them."""

import datetime
import io
import re
import urllib.request

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from essor.core import pdf
from essor.core.roles import Role
from essor.events import documents, tasks_documents
from essor.events.models import (
    Audience,
    ContributionRole,
    DocumentKind,
    EventKind,
    EventOrganiser,
    GeneratedDocument,
    OrganiserRole,
    OutputKind,
    SessionFormat,
)
from essor.events.tasks_documents import generate_document
from essor.events.tests.factories import (
    EvaluationFactory,
    EventFactory,
    EventSessionFactory,
    SessionContributionFactory,
    SessionOutputFactory,
)
from essor.initiatives.tests.factories import sheet_make
from essor.members import services as member_services
from essor.members.models import EssBudget, EssFigure, PolicyAxis
from essor.members.tests.factories import authority_for, person

pytestmark = pytest.mark.django_db

KIT, PROCEEDINGS = DocumentKind.KIT, DocumentKind.PROCEEDINGS
DAY = datetime.date(2014, 10, 16)
SPEAKERS = [
    # (first name, last name, title given on the programme or None: from their position)
    ("Michel", "Abherve", "Professeur associé, Université Paris-Est"),
    ("Isabelle", "Roux", None),
    ("Yann", "Paulmier", "Chargé de développement économique, CRESS Picardie"),
    ("Sylvie", "Badoux", None),
]


def text_of(content: bytes) -> tuple[str, PdfReader]:
    """The whole text of a PDF, whitespace collapsed (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split()), reader


def document_text(document: GeneratedDocument) -> tuple[str, PdfReader]:
    with document.file.open("rb") as stream:
        return text_of(stream.read())


def outline_titles(reader: PdfReader) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader.outline))


def _at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(hour, minute)))


@pytest.fixture
def training_day():
    """A training day with a timed programme (3 sessions, 4 speakers and a moderator), two
    authorities that speak and one practice sheet."""
    event = EventFactory(
        title="Journée de formation : la loi ESS et les collectivités",
        slug="loi-ess-collectivites",
        kind=EventKind.TRAINING_DAY,
        starts_at=_at(9),
        ends_at=_at(17),
        venue="Centre de formation",
        address="10 rue de la République",
        price=40,
    )
    EventOrganiser.objects.create(event=event, role=OrganiserRole.ORGANISER, name="CNFPT")
    EventOrganiser.objects.create(event=event, role=OrganiserRole.PARTNER, name="Labo de l'ESS")
    rennes = authority_for("35238", joined_on=datetime.date(2010, 1, 1))
    rennes.ess_context = "La ville soutient l'ESS depuis 2008 avec un budget dédié."
    rennes.address = "Hôtel de ville\n35000 Rennes"
    rennes.save()
    EssFigure.objects.create(authority=rennes, label="emplois dans l'ESS", value=12500, year=2013)
    PolicyAxis.objects.create(authority=rennes, title="Soutenir la création d'activités")
    EssBudget.objects.create(authority=rennes, year=2013, amount=850000)
    caen = authority_for("14118")
    people = {}
    for first, last, _ in SPEAKERS:
        people[last] = person(first, last)
    member_services.position_record(
        people["Roux"],
        title="Chargée de mission ESS",
        authority=rennes,
        kind="staff",
        start_date=datetime.date(2012, 1, 1),
    )
    member_services.position_record(
        people["Badoux"],
        title="Vice-présidente déléguée à l'emploi",
        authority=caen,
        start_date=datetime.date(2008, 3, 1),
    )
    moderator = person("Anne-Laure", "Federici")
    sessions = [
        EventSessionFactory(
            event=event,
            title="Présentation générale de la loi",
            format=SessionFormat.CONFERENCE,
            start_time=datetime.time(9, 30),
            end_time=datetime.time(10, 15),
            questions="Que change la loi pour les collectivités ?",
        ),
        EventSessionFactory(
            event=event,
            title="Du diagnostic partagé à la stratégie territoriale",
            start_time=datetime.time(10, 15),
            end_time=datetime.time(11, 30),
        ),
        EventSessionFactory(
            event=event,
            title="Mutualiser et coopérer sur les territoires",
            format=SessionFormat.WORLD_CAFE,
            start_time=datetime.time(14, 30),
            end_time=datetime.time(15, 45),
        ),
    ]
    placements = [(0, "Abherve"), (1, "Roux"), (1, "Paulmier"), (2, "Badoux")]
    titles = {last: title for _, last, title in SPEAKERS}
    for index, last in placements:
        SessionContributionFactory(
            session=sessions[index], person=people[last], position_title=titles[last] or ""
        )
    for session in sessions[1:]:
        SessionContributionFactory(
            session=session,
            person=moderator,
            role=ContributionRole.MODERATOR,
            position_title="Déléguée générale, RTES",
        )
    event.authorities.set([rennes, caen])
    sheet = sheet_make("Une monnaie locale soutenue par l'agglomération", number=7)
    event.practice_sheets.set([sheet])
    event.save()  # the relations of a cluster are written when it is saved
    return {"event": event, "sessions": sessions, "authorities": [rennes, caen], "sheet": sheet}


def member_client(client, make_user, role=Role.MEMBER):
    client.force_login(make_user(role))
    return client


# --- the participant kit --------------------------------------------------------------------


def test_the_kit_has_the_programme_speakers_authorities_and_sheets(training_day):
    event = training_day["event"]
    document = documents.document_generate(event, KIT)
    assert document.status == GeneratedDocument.Status.READY and document.generated_at
    assert document.error == ""
    text, reader = document_text(document)
    assert len(reader.pages) > 1
    assert "Journée de formation : la loi ESS et les collectivités" in text
    assert "Dossier du participant" in text
    assert "jeudi 16 octobre 2014" in text.lower()
    assert "Centre de formation, 10 rue de la République" in text
    assert "CNFPT" in text and "Labo de l'ESS" in text
    for times in ("9 h 30 – 10 h 15", "10 h 15 – 11 h 30", "14 h 30 – 15 h 45"):
        assert times in text
    assert "world café" in text.lower()  # small capitals
    assert "Que change la loi pour les collectivités ?" in text
    assert "Animation : Anne-Laure Federici, Déléguée générale, RTES" in text
    for expected in (
        "Michel Abherve, Professeur associé, Université Paris-Est",
        "Yann Paulmier, Chargé de développement économique, CRESS Picardie",
        # Titles not given on the programme come from the positions held that day.
        "Isabelle Roux, Chargée de mission ESS, Rennes",
        "Sylvie Badoux, Vice-présidente déléguée à l'emploi, Caen",
    ):
        assert expected in text
    for authority in training_day["authorities"]:
        assert authority.name in text
    assert "La ville soutient l'ESS depuis 2008" in text
    assert "Soutenir la création d'activités" in text
    assert "Une monnaie locale soutenue par l'agglomération" in text
    # The contacts of a practice sheet are personal data: never in the kit.
    assert "camille.martin@example.org" not in text


def test_the_kit_lists_the_speakers_alphabetically_with_a_contents_and_an_outline(training_day):
    text, reader = document_text(documents.document_generate(training_day["event"], KIT))
    speakers_part = text[text.index("Les intervenant·es Par ordre alphabétique") :]
    names = ["Abherve", "Badoux", "Federici", "Paulmier", "Roux"]
    positions = [speakers_part.index(name) for name in names]
    assert positions == sorted(positions)
    # The table of contents gives each part's page, as laid out.
    contents = text[text.index("Sommaire") : text.index("Informations pratiques Date")]
    pages = [page.extract_text().strip() for page in reader.pages]
    for title in ("Programme", "Rennes"):
        number = next(n for n, page in enumerate(pages, start=1) if page.startswith(title))
        assert re.search(rf"{title} [. ]+{number}\b", contents), (title, number, contents)
    titles = outline_titles(reader)
    for title in ("Programme", "Les intervenant·es", "Fiches d'identité des collectivités"):
        assert title in titles
    assert "Rennes" in titles and "Caen" in titles
    assert reader.metadata.title.startswith("Dossier du participant")


def test_kit_html_is_french_and_keeps_short_sessions_whole(training_day):
    html = documents.kit_html(training_day["event"])
    assert '<html lang="fr">' in html
    assert html.count('<article class="session') == 3
    assert "target-counter" not in html  # page numbers come from the stylesheet
    assert 'href="#programme"' in html and 'id="programme"' in html


# --- the proceedings ------------------------------------------------------------------------


@pytest.fixture
def held_meeting():
    """A past territorial meeting with a World Café, a round table and a closing speech."""
    start = timezone.make_aware(datetime.datetime(2013, 9, 12, 9, 30))
    event = EventFactory(
        title="Rencontre Grand Ouest : coopérer pour changer d'échelle",
        kind=EventKind.TERRITORIAL_MEETING,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        participant_count=120,
        participant_count_is_estimate=True,
        summary="Une journée d'ateliers et de tables rondes sur la coopération.",
    )
    cafe = EventSessionFactory(
        event=event,
        title="Atelier World Café",
        format=SessionFormat.WORLD_CAFE,
        start_time=datetime.time(10, 0),
        end_time=datetime.time(12, 0),
        summary="Des groupes de six, trois tours de vingt minutes.",
    )
    round_table = EventSessionFactory(
        event=event,
        title="Table ronde : les circuits courts financiers",
        start_time=datetime.time(14, 0),
        end_time=datetime.time(15, 30),
    )
    lunch = EventSessionFactory(
        event=event,
        title="Déjeuner",
        format=SessionFormat.BREAK,
        start_time=datetime.time(12, 0),
        end_time=datetime.time(14, 0),
    )
    closing = EventSessionFactory(
        event=event,
        title="Conclusion de la journée",
        format=SessionFormat.CLOSING,
        start_time=datetime.time(16, 0),
        end_time=datetime.time(16, 30),
    )
    for text in ("Mutualiser les fonctions support", "Associer les habitants dès le départ"):
        SessionOutputFactory(session=cafe, kind=OutputKind.KEY_IDEA, text=text)
    SessionOutputFactory(
        session=cafe, kind=OutputKind.DIVERGENT_IDEA, text="La coopération ne se décrète pas"
    )
    SessionOutputFactory(
        session=closing,
        kind=OutputKind.QUOTE,
        text="L'ESS n'est pas un choix, c'est une obligation.",
        attributed_to="Un président de conseil départemental",
    )
    for first, last, session in (
        ("Zoé", "Zola", cafe),
        ("Jean", "Dupont", round_table),
        ("Émile", "Aubert", round_table),
        ("Hélène", "Écuyer", closing),
    ):
        SessionContributionFactory(
            session=session, person=person(first, last), position_title=f"Élue de {last}ville"
        )
    evaluation = EvaluationFactory(
        registration__event=event,
        satisfaction=5,
        usefulness=4,
        comment="Des échanges concrets entre élus.",
        quote_allowed=True,
        featured=True,
    )
    EvaluationFactory(
        registration__event=event, comment="Trop long.", quote_allowed=True, featured=False
    )
    return {"event": event, "sessions": [cafe, round_table, closing], "lunch": lunch,
            "evaluation": evaluation}  # fmt: skip


def test_the_proceedings_follow_the_sessions_and_thank_the_speakers(held_meeting):
    document = documents.document_generate(held_meeting["event"], PROCEEDINGS)
    assert document.status == GeneratedDocument.Status.READY
    text, reader = document_text(document)
    assert "Actes" in text and "Rencontre Grand Ouest" in text
    assert "environ 120 participants" in text.lower()
    assert "Une journée d'ateliers et de tables rondes" in text
    body = text[text.index("Les séances Atelier World Café") :]
    order = [body.index(s.title) for s in held_meeting["sessions"]]
    assert order == sorted(order)
    assert "Déjeuner" not in body  # breaks are in the kit's programme, not in the proceedings
    assert "Des groupes de six, trois tours de vingt minutes." in body
    key = body.index("Idées clés")
    divergent = body.index("Idées divergentes")
    assert key < body.index("Mutualiser les fonctions support") < divergent
    assert divergent < body.index("La coopération ne se décrète pas")
    assert "L'ESS n'est pas un choix, c'est une obligation." in body
    assert "Un président de conseil départemental" in body
    thanks = text[text.index("Aux intervenant·es (par ordre alphabétique)") :]
    # Alphabetical by last name, accents folded: Écuyer between Dupont and Zola.
    names = ["Émile Aubert", "Jean Dupont", "Hélène Écuyer", "Zoé Zola"]
    positions = [thanks.index(name) for name in names]
    assert positions == sorted(positions)
    assert "Élue de Dupontville" in thanks
    # The questionnaire: figures, and the quotes the team chose with the author's consent.
    assert "2 réponses au questionnaire" in thanks
    assert "Des échanges concrets entre élus." in thanks
    assert "Trop long." not in thanks
    assert "Merci" in outline_titles(reader)


# --- generation -----------------------------------------------------------------------------


def test_a_new_generation_replaces_the_file_once_it_is_ready(training_day):
    event = training_day["event"]
    first = documents.document_generate(event, KIT)
    old_name = first.file.name
    storage = first.file.storage
    second = documents.document_generate(event, KIT)
    assert second.pk == first.pk and second.file.name != old_name
    assert storage.exists(second.file.name) and not storage.exists(old_name)
    assert GeneratedDocument.objects.filter(event=event).count() == 1


def test_a_failed_generation_keeps_the_previous_file_and_shows_the_error(
    training_day, client, make_user, monkeypatch
):
    event = training_day["event"]
    ready = documents.document_generate(event, KIT)
    kept, generated_at = ready.file.name, ready.generated_at

    def broken(*args, **kwargs):
        raise ValueError("Police de caractères introuvable")

    monkeypatch.setattr(documents, "document_pdf", broken)
    failed = documents.document_generate(event, KIT)
    failed.refresh_from_db()
    assert failed.status == GeneratedDocument.Status.FAILED
    assert failed.error == "Police de caractères introuvable"
    assert failed.file.name == kept and failed.file.storage.exists(kept)
    assert failed.generated_at == generated_at
    # The public route still serves the last good file…
    response = client.get(reverse("events:kit_pdf", args=[event.slug]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # …and the admin screen tells the editor what went wrong.
    member_client(client, make_user, Role.EDITOR)
    page = client.get(reverse("event_documents:index", args=[event.pk])).content.decode()
    assert "Échec" in page and "Police de caractères introuvable" in page
    assert reverse("event_documents:file", args=[event.pk, KIT.value]) in page


def test_the_task_generates_outside_the_request(training_day):
    event = training_day["event"]
    # The test settings run tasks at once (immediate backend); a worker does the same.
    result = generate_document.enqueue(event.pk, PROCEEDINGS.value)
    assert result.return_value == GeneratedDocument.Status.READY
    assert GeneratedDocument.objects.get(event=event, kind=PROCEEDINGS).file
    assert generate_document.call(0, KIT.value) == "absent"


def test_rendering_never_reaches_the_network(training_day, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access during PDF rendering")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    fetched = []
    fetch = pdf.StaticFilesFetcher.fetch

    def spy(self, url, *args, **kwargs):
        fetched.append(url)
        return fetch(self, url, *args, **kwargs)

    monkeypatch.setattr(pdf.StaticFilesFetcher, "fetch", spy)
    event = training_day["event"]
    event.description = '<p>Plan : <img src="https://example.org/plan.png" alt=""></p>'
    event.save()
    document = documents.document_generate(event, KIT)
    assert document.status == GeneratedDocument.Status.READY
    assert "https://example.org/plan.png" in fetched  # asked for, and refused
    assert any(url.endswith("/static/events/pdf/documents.css") for url in fetched)
    css = pdf.StaticFilesFetcher("http://testserver/").fetch(
        "http://testserver/static/events/pdf/documents.css"
    )
    assert b"target-counter" in css.read()


@pytest.mark.parametrize(
    ("starts", "ends", "label"),
    [
        ((2013, 9, 12, 9), (2013, 9, 12, 17), "jeudi 12 septembre 2013"),
        ((2017, 7, 1, 9), (2017, 7, 1, 12), "samedi 1er juillet 2017"),
        ((2017, 10, 3, 9), (2017, 10, 4, 17), "du 3 au 4 octobre 2017"),
        ((2017, 9, 30, 9), (2017, 10, 1, 17), "du 30 septembre au 1er octobre 2017"),
        ((2017, 12, 31, 9), (2018, 1, 2, 17), "du 31 décembre 2017 au 2 janvier 2018"),
    ],
)
def test_dates_are_written_in_french(starts, ends, label):
    event = EventFactory.build(
        starts_at=timezone.make_aware(datetime.datetime(*starts)),
        ends_at=timezone.make_aware(datetime.datetime(*ends)),
    )
    assert documents.dates_label(event) == label


# --- the public routes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "route"), [(KIT, "events:kit_pdf"), (PROCEEDINGS, "events:proceedings_pdf")]
)
def test_public_routes_serve_the_last_ready_file(training_day, client, kind, route):
    event = training_day["event"]
    url = reverse(route, args=[event.slug])
    assert client.get(url).status_code == 404  # never generated
    # Asked for but not yet done: still nothing to serve, and nothing rendered here.
    GeneratedDocument.objects.create(event=event, kind=kind)
    assert client.get(url).status_code == 404
    documents.document_generate(event, kind)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    stem = "dossier-du-participant" if kind == KIT else "actes"
    assert response["Content-Disposition"] == f'inline; filename="{stem}-{event.slug}.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_unpublished_events_documents_are_404(training_day, client):
    event = training_day["event"]
    documents.document_generate(event, KIT)
    type(event).objects.filter(pk=event.pk).update(live=False)
    assert client.get(reverse("events:kit_pdf", args=[event.slug])).status_code == 404
    assert client.get(reverse("events:kit_pdf", args=["inconnu"])).status_code == 404


def test_a_members_only_events_documents_are_for_members(training_day, client, make_user):
    event = training_day["event"]
    event.audience = Audience.MEMBERS
    event.save()
    for kind in DocumentKind:
        documents.document_generate(event, kind)
    urls = [
        reverse("events:kit_pdf", args=[event.slug]),
        reverse("events:proceedings_pdf", args=[event.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    member_client(client, make_user, Role.VISITOR)
    for url in urls:
        assert client.get(url).status_code == 403
    member_client(client, make_user, Role.MEMBER)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and "private" in response["Cache-Control"]
        b"".join(response.streaming_content)  # read to the end: the file is closed


# --- the admin screen -----------------------------------------------------------------------


def test_the_edit_page_offers_both_documents_to_editors(training_day, client, make_user):
    event = training_day["event"]
    member_client(client, make_user, Role.EDITOR)
    page = client.get(reverse("event:edit", args=[event.pk])).content.decode()
    assert "Dossier du participant (PDF)" in page and "Actes (PDF)" in page
    assert reverse("event_documents:index", args=[event.pk]) in page


def test_an_editor_generates_a_document_from_the_admin(training_day, client, make_user):
    event = training_day["event"]
    member_client(client, make_user, Role.EDITOR)
    url = reverse("event_documents:index", args=[event.pk])
    page = client.get(url).content.decode()
    assert page.count("Jamais généré") == 2 and 'http-equiv="refresh"' not in page
    response = client.post(url, {"kind": KIT.value})
    assert response.status_code == 302 and response["Location"].startswith(url)
    document = GeneratedDocument.objects.get(event=event, kind=KIT)
    assert document.status == GeneratedDocument.Status.READY  # immediate task backend
    page = client.get(url).content.decode()
    assert "Prêt" in page and "Jamais généré" in page  # the proceedings were not asked for
    assert "\u00a0Kio" in page  # the file's size
    download = client.get(reverse("event_documents:file", args=[event.pk, KIT.value]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.post(url, {"kind": "autre"}).status_code == 302
    assert GeneratedDocument.objects.filter(event=event).count() == 1


def test_a_pending_document_shows_progress_and_is_not_queued_twice(
    training_day, client, make_user, monkeypatch
):
    event = training_day["event"]
    queued = []

    class Queue:  # a worker that never comes
        @staticmethod
        def enqueue(*args):
            queued.append(args)

    monkeypatch.setattr(tasks_documents, "generate_document", Queue)
    member_client(client, make_user, Role.EDITOR)
    url = reverse("event_documents:index", args=[event.pk])
    client.post(url, {"kind": PROCEEDINGS.value})
    client.post(url, {"kind": PROCEEDINGS.value})
    assert queued == [(event.pk, PROCEEDINGS.value)]
    document = GeneratedDocument.objects.get(event=event, kind=PROCEEDINGS)
    assert document.status == GeneratedDocument.Status.PENDING
    page = client.get(url).content.decode()
    assert "En cours" in page and 'http-equiv="refresh"' in page
    # A generation lost with its worker may be asked again.
    GeneratedDocument.objects.filter(pk=document.pk).update(
        requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert "Interrompu" in client.get(url).content.decode()
    client.post(url, {"kind": PROCEEDINGS.value})
    assert len(queued) == 2


@pytest.mark.parametrize(("role", "expected"), [(Role.VISITOR, 302), (Role.MEMBER, 302)])
def test_the_admin_screen_is_for_editors(training_day, client, make_user, role, expected):
    event = training_day["event"]
    documents.document_generate(event, KIT)
    member_client(client, make_user, role)
    for url in (
        reverse("event_documents:index", args=[event.pk]),
        reverse("event_documents:file", args=[event.pk, KIT.value]),
    ):
        assert client.get(url).status_code == expected
    assert client.post(reverse("event_documents:index", args=[event.pk]), {"kind": "actes"})
    assert not GeneratedDocument.objects.filter(event=event, kind=PROCEEDINGS).exists()
    page = client.get(reverse("event:edit", args=[event.pk]))
    assert b"Actes (PDF)" not in page.content
