"""A member user proposes an initiative (or a change to one); the network's team publishes,
asks for changes or refuses it with a message that reaches the author by e-mail; nothing is
public before an editor approves it, and nothing the author wrote is lost."""

import io
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision, Workflow, WorkflowContentType, WorkflowState

import essor.initiatives.moderation_hooks  # noqa: F401 - hooks and receivers under test
from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.initiatives import moderation
from essor.initiatives.models import Initiative, TerritoryType
from essor.initiatives.tests.factories import initiative_make
from essor.initiatives.workflow import ProposalRefusal, ProposalReviewTask
from essor.members.services import member_user_attach
from essor.members.tests.factories import authority_for, network_fixture

pytestmark = pytest.mark.django_db
PROPOSE = reverse("initiatives:propose")
MINE = reverse("initiatives:my_proposals")
SENT = "Votre proposition a été transmise à l&#x27;équipe du réseau"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _workflow():
    moderation.moderation_workflow_ensure()


@pytest.fixture
def network():
    return network_fixture()


@pytest.fixture
def member(network):
    return network["authorityuser"].user


@pytest.fixture
def editor(make_user):
    return make_user(Role.EDITOR, first_name="Élise")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def _figures(rows: list[dict] = ()) -> dict:
    data = {
        "chiffres-TOTAL_FORMS": str(len(rows)),
        "chiffres-INITIAL_FORMS": "0",
        "chiffres-MIN_NUM_FORMS": "0",
        "chiffres-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        data.update({f"chiffres-{index}-{name}": value for name, value in row.items()})
    return data


def _data(**fields) -> dict:
    data = {
        "name": "Épicerie solidaire du Calvados",
        "summary": "Une épicerie où chacun paie selon ses moyens.",
        "description": "Ouverte en 2015 par des habitants.\n\nElle emploie six salariés.",
        "carrier_name": "Association Bien manger",
        "legal_form": "association",
        "year_started": "2015",
        "website": "https://epicerie.example.org",
        "places": "Caen\n14118",
        "role": "La ville met à disposition un local.",
        "tools": ["locaux", "communication"],
        **_figures([{"label": "salariés", "value": "6", "unit": "", "year": "2016"}]),
    }
    data.update(fields)
    return data


def _propose(client, **fields):
    return client.post(PROPOSE, _data(**fields))


def _state(initiative: Initiative) -> WorkflowState:
    return WorkflowState.objects.for_instance(initiative).order_by("-pk").first()


def _act(client, initiative: Initiative, action: str, comment: str = ""):
    """An editor's decision through the admin's workflow action URL."""
    task_state = _state(initiative).current_task_state
    url = reverse("initiative:workflow_action", args=[initiative.pk, action, task_state.pk])
    return client.post(url, {"comment": comment})


def _mails_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


def _png(size: tuple[int, int] = (20, 10)) -> io.BytesIO:
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, "green").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


def _file(name: str, content: bytes) -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


# -- the whole way -------------------------------------------------------------------------


def test_a_member_proposal_waits_unseen_until_an_editor_publishes_it(
    member_client, member, editor, network
):
    response = _propose(member_client)
    assert response.status_code == 302 and response["Location"] == MINE
    assert SENT in member_client.get(MINE).content.decode()

    initiative = Initiative.objects.get(name="Épicerie solidaire du Calvados")
    assert not initiative.live and initiative.workflow_in_progress
    state = _state(initiative)
    assert state.requested_by == member and initiative.latest_revision.user == member
    assert initiative.places.get().territory.code == "14118"
    assert initiative.involvements.get().authority == network["authority"]
    assert sorted(initiative.lever_uses.values_list("tool", "lever")) == [
        ("communication", "promotion"),
        ("locaux", "apports-en-nature"),
    ]
    assert initiative.key_figures.get().value == Decimal(6)
    # Editors are told by Wagtail's own notification; the author gets nothing yet.
    assert [m.subject for m in _mails_to(editor)] and not _mails_to(member)
    anonymous = Client()
    assert anonymous.get(initiative.get_absolute_url()).status_code == 404
    assert "Épicerie solidaire" not in anonymous.get(reverse("initiatives:list")).content.decode()

    editors = Client()
    editors.force_login(editor)
    assert "Épicerie solidaire du Calvados" in editors.get("/admin/").content.decode()
    mail.outbox.clear()
    assert _act(editors, initiative, "approve").status_code == 302

    initiative.refresh_from_db()
    assert initiative.live and not initiative.workflow_in_progress
    page = assert_page_ok(anonymous.get(initiative.get_absolute_url()))
    assert "Épicerie solidaire du Calvados" in page and "six salariés" in page
    [message] = _mails_to(member)  # ours only: Wagtail's "approved" e-mail is switched off
    assert "publiée" in message.subject
    assert initiative.get_absolute_url() in message.body
    assert initiative.get_absolute_url() in message.alternatives[0][0]
    mine = member_client.get(MINE).content.decode()
    assert "Publiée" in mine and initiative.get_absolute_url() in mine


def test_an_editor_who_publishes_from_the_edit_view_informs_the_author(
    member_client, member, editor
):
    _propose(member_client)
    initiative = Initiative.objects.get()
    initiative.get_latest_revision().publish(user=editor)  # what "Publier" in the editor does
    assert _state(initiative).status == WorkflowState.STATUS_CANCELLED
    [message] = _mails_to(member)
    assert "publiée" in message.subject and initiative.get_absolute_url() in message.body
    assert "Publiée" in member_client.get(MINE).content.decode()


def test_changes_requested_reach_the_author_who_reworks_the_proposal(member_client, member, editor):
    _propose(member_client)
    initiative = Initiative.objects.get()
    editors = Client()
    editors.force_login(editor)
    _act(editors, initiative, "reject", "Précisez le nombre de bénévoles, s'il vous plaît.")

    assert _state(initiative).status == WorkflowState.STATUS_NEEDS_CHANGES
    [message] = _mails_to(member)
    rework = reverse("initiatives:proposal_edit", args=[initiative.pk])
    assert "Précisez le nombre de bénévoles" in message.body and rework in message.body
    assert Client().get(initiative.get_absolute_url()).status_code == 404
    mine = member_client.get(MINE).content.decode()
    assert "Modifications demandées" in mine and "Précisez le nombre de bénévoles" in mine

    form = assert_page_ok(member_client.get(rework))
    assert "Épicerie solidaire du Calvados" in form and "Elle emploie six salariés." in form
    assert "La ville met à disposition un local." in form and "Caen (14118)" in form
    mail.outbox.clear()
    response = member_client.post(rework, _data(summary="Avec vingt bénévoles."))
    assert response.status_code == 302
    state = _state(initiative)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.revision.as_object().summary == "Avec vingt bénévoles."
    assert _mails_to(editor), "editors are told of the new version"
    assert not Initiative.objects.get().live


def test_a_refused_proposal_stays_private_and_its_text_is_kept(member_client, member, editor):
    _propose(member_client, description="<p>Un texte <b>précieux</b>.</p>")
    initiative = Initiative.objects.get()
    editors = Client()
    editors.force_login(editor)
    _act(editors, initiative, "refuse", "Cette initiative sort du champ de l'ESS.")

    state = _state(initiative)
    assert state.status == WorkflowState.STATUS_CANCELLED
    assert ProposalRefusal.objects.get(workflow_state=state).message.startswith("Cette")
    [message] = _mails_to(member)
    assert "pas été retenue" in message.subject and "sort du champ" in message.body
    assert Client().get(initiative.get_absolute_url()).status_code == 404
    mine = member_client.get(MINE).content.decode()
    assert "Refusée" in mine and "sort du champ de l" in mine

    rework = reverse("initiatives:proposal_edit", args=[initiative.pk])
    form = assert_page_ok(member_client.get(rework))
    assert "Un texte &lt;b&gt;précieux&lt;/b&gt;." in form  # the HTML, as they pasted it
    member_client.post(rework, _data(description="Un texte revu."))
    assert _state(initiative).status == WorkflowState.STATUS_IN_PROGRESS
    history = editors.get(reverse("initiative:history", args=[initiative.pk])).content.decode()
    assert "Proposition refusée" in history


def test_asking_for_changes_or_refusing_needs_a_message(member_client, editor):
    _propose(member_client)
    initiative = Initiative.objects.get()
    editors = Client()
    editors.force_login(editor)
    for action in ("reject", "refuse"):
        _act(editors, initiative, action, "")
        assert _state(initiative).status == WorkflowState.STATUS_IN_PROGRESS
    assert not ProposalRefusal.objects.exists()


def test_a_change_to_a_published_initiative_shows_only_once_approved(
    member_client, member, editor, network
):
    initiative = initiative_make(
        "Ressourcerie de Caen", summary="Le texte publié.", authorities=(network["authority"],)
    )
    url = reverse("initiatives:propose_change", args=[initiative.slug])
    form = assert_page_ok(member_client.get(url))
    assert "Le texte publié." in form and "Soutien financier et technique." in form

    response = member_client.post(
        url, _data(name="Ressourcerie de Caen", summary="Le texte proposé.", places="")
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.summary == "Le texte publié." and initiative.workflow_in_progress
    anonymous = Client()
    assert "Le texte publié." in anonymous.get(initiative.get_absolute_url()).content.decode()
    assert "(modification)" in member_client.get(MINE).content.decode()

    editors = Client()
    editors.force_login(editor)
    _act(editors, initiative, "approve")
    initiative.refresh_from_db()
    assert initiative.summary == "Le texte proposé."
    assert "Le texte proposé." in anonymous.get(initiative.get_absolute_url()).content.decode()
    assert initiative.slug == "ressourcerie-de-caen"


def test_a_refused_change_leaves_the_published_text_and_says_so(
    member_client, member, editor, network
):
    initiative = initiative_make("Ressourcerie de Caen", authorities=(network["authority"],))
    url = reverse("initiatives:propose_change", args=[initiative.slug])
    member_client.post(url, _data(name="Ressourcerie de Caen", summary="Refusé.", places=""))
    editors = Client()
    editors.force_login(editor)
    _act(editors, initiative, "refuse", "Hors sujet.")
    [message] = _mails_to(member)
    assert "pas été retenue" in message.subject
    initiative.refresh_from_db()
    assert initiative.summary != "Refusé." and not initiative.workflow_in_progress


def test_a_second_proposal_on_the_same_initiative_waits_and_keeps_its_text(
    member_client, network, make_user
):
    initiative = initiative_make("Ressourcerie de Caen", authorities=(network["authority"],))
    url = reverse("initiatives:propose_change", args=[initiative.slug])
    member_client.post(url, _data(name="Ressourcerie de Caen", places=""))
    revisions = Revision.objects.for_instance(initiative).count()

    colleague = make_user(Role.MEMBER)
    member_user_attach(colleague, network["authority"])
    other = Client()
    other.force_login(colleague)
    assert "déjà en cours de relecture" in other.get(url).content.decode()
    response = other.post(url, _data(name="Ressourcerie de Caen", summary="Mon texte à moi."))
    html = assert_page_ok(response)
    assert "la vôtre n&#x27;a pas été envoyée" in html and "Mon texte à moi." in html
    assert Revision.objects.for_instance(initiative).count() == revisions


# -- who may do what -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, network):
    initiative = initiative_make("Ressourcerie", authorities=(network["authority"],))
    urls = [
        PROPOSE,
        MINE,
        reverse("initiatives:proposal_edit", args=[initiative.pk]),
        reverse("initiatives:propose_change", args=[initiative.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert client.post(PROPOSE, _data()).status_code == 302
    assert not Initiative.objects.exclude(pk=initiative.pk).exists()


def test_only_users_of_an_involved_authority_and_the_team_propose_a_change(
    client, network, make_user
):
    initiative = initiative_make("Ressourcerie", authorities=(network["authority"],))
    url = reverse("initiatives:propose_change", args=[initiative.slug])
    stranger = make_user(Role.MEMBER)
    member_user_attach(stranger, authority_for("35238"))
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    assert client.post(url, _data(name="Piraté")).status_code == 403
    assert not Revision.objects.for_instance(initiative).filter(user=stranger).exists()
    for role in (Role.EDITOR, Role.ADMINISTRATOR):
        client.force_login(make_user(role))
        assert_page_ok(client.get(url))
    draft = initiative_make("Brouillon", live=False, authorities=(network["authority"],))
    Initiative.objects.filter(pk=draft.pk).update(live=False)  # the factory leaves it live
    client.force_login(network["authorityuser"].user)
    assert client.get(reverse("initiatives:propose_change", args=[draft.slug])).status_code == 404


def test_only_the_author_reworks_a_proposal(member_client, client, make_user, editor):
    _propose(member_client)
    initiative = Initiative.objects.get()
    url = reverse("initiatives:proposal_edit", args=[initiative.pk])
    for someone in (make_user(Role.MEMBER), editor, make_user(Role.ADMINISTRATOR)):
        other = Client()
        other.force_login(someone)
        assert other.get(url).status_code == 404
        assert other.post(url, _data(name="Piraté")).status_code == 404
    # While the team reads it, the author is told to wait.
    response = member_client.get(url)
    assert response.status_code == 302 and response["Location"] == MINE
    assert Initiative.objects.get().name == "Épicerie solidaire du Calvados"


def test_accounts_without_an_authority_cannot_propose(client, make_user):
    client.force_login(make_user(Role.VISITOR))
    assert client.get(PROPOSE).status_code == 403
    client.force_login(make_user(Role.MEMBER))
    assert "rattaché à aucune collectivité" in assert_page_ok(client.get(PROPOSE))
    assert client.post(PROPOSE, _data()).status_code == 403
    assert not Initiative.objects.exists()


def test_editors_may_use_the_form_too(client, editor):
    client.force_login(editor)
    html = assert_page_ok(client.get(PROPOSE))
    assert 'name="role"' not in html  # no authority of their own
    assert client.post(PROPOSE, _data(name="Proposée par l'équipe")).status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.workflow_in_progress and not initiative.involvements.exists()


def test_posting_without_the_csrf_token_is_refused(member):
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(member)
    assert guarded.post(PROPOSE, _data()).status_code == 403
    assert not Initiative.objects.exists()


# -- what a member types -------------------------------------------------------------------


def test_rich_text_keeps_the_allowed_features_only(member_client):
    pasted = (
        '<h1 style="color:red">Titre</h1><p onclick="steal()">Un <b>bon</b> texte '
        '<a href="javascript:alert(1)">piège</a> <a href="https://example.org">lien</a>'
        "</p><script>alert('x')</script><iframe src=\"https://evil.example\"></iframe>"
        "<style>p{}</style><ul><li>point</li></ul>"
    )
    _propose(member_client, description=pasted)
    stored = Initiative.objects.get().latest_revision.as_object().description
    for forbidden in ("<script", "alert(", "onclick", "style", "<iframe", "javascript:", "<h1"):
        assert forbidden not in stored, forbidden
    assert "<b>bon</b>" in stored and '<a href="https://example.org">lien</a>' in stored
    assert "<li>point</li>" in stored


def test_plain_text_becomes_paragraphs(member_client):
    _propose(member_client, description="Premier paragraphe.\n\nSecond <3 paragraphe.")
    description = Initiative.objects.get().description
    assert description == "<p>Premier paragraphe.</p><p>Second &lt;3 paragraphe.</p>"


@pytest.mark.parametrize(
    "places, error",
    [
        (
            "Caen, Blablaville",
            "Territoire introuvable dans le référentiel officiel : « Blablaville »",
        ),
        ("Saint-Denis", "Saint-Denis (97411) ou Saint-Denis (93066)"),
        ("75", "Plusieurs territoires portent ce nom : « 75 »"),
    ],
)
def test_unknown_or_ambiguous_places_are_named_and_nothing_is_saved(member_client, places, error):
    html = assert_page_ok(_propose(member_client, places=places))
    assert error in html.replace("&#x27;", "'")
    assert "Épicerie solidaire du Calvados" in html  # what they typed is still there
    assert not Initiative.objects.exists()


def test_places_by_name_code_or_both(member_client):
    _propose(member_client, places="Saint-Denis (93066); Rennes Métropole\n35 , Bretagne (53)")
    codes = Initiative.objects.get().places.values_list("territory__code", flat=True)
    assert list(codes) == ["93066", "243500139", "35", "53"]


@pytest.mark.parametrize(
    "year, error",
    [("1850", "supérieure ou égale à 1900"), ("2999", "inférieure ou égale")],
)
def test_the_year_is_checked(member_client, year, error):
    html = assert_page_ok(_propose(member_client, year_started=year))
    assert error in html and not Initiative.objects.exists()


def test_checkbox_choices_are_saved(member_client):
    rural = TerritoryType.objects.get_or_create(code="rural", defaults={"name": "Rural"})[0]
    _propose(member_client, territory_types=[str(rural.pk)])
    assert list(Initiative.objects.get().territory_types.all()) == [rural]


# -- attachments ---------------------------------------------------------------------------


def test_a_pdf_is_stored_in_the_proposals_collection_and_listed_as_a_source(member_client):
    _propose(member_client, attachment=_file("plaquette.pdf", PDF))
    document = get_document_model().objects.get()
    assert document.collection.name == "Propositions des membres"
    assert "plaquette" not in document.file.name  # a name nobody can guess
    source = Initiative.objects.get().sources.get()
    assert source.title == "Pièce jointe de la proposition : plaquette.pdf"
    assert source.url.endswith(document.url)


def test_an_image_is_stored_as_a_wagtail_image(member_client):
    _propose(member_client, attachment=_png())
    image = get_image_model().objects.get()
    assert image.collection.name == "Propositions des membres" and image.width == 20
    assert Initiative.objects.get().sources.get().url.endswith(image.file.url)


@pytest.mark.parametrize(
    "upload, error",
    [
        (_file("rapport.pdf", b"Ceci n'est pas un PDF."), "ni une image JPEG ou PNG ni un PDF"),
        (_file("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200), "ni une image JPEG ou PNG ni un PDF"),
        (_file("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), "illisible ou abîmée"),
        (
            _file("gros.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"%%EOF"),
            "la limite est de 5 Mo",
        ),
        (_file("coupé.pdf", b"%PDF-1.4\n1 0 obj"), "incomplet"),
    ],
)
def test_uploads_are_checked_by_content_and_size(member_client, upload, error):
    html = assert_page_ok(_propose(member_client, attachment=upload))
    assert error in html and "joignez-le de nouveau" in html
    assert not Initiative.objects.exists()
    assert not get_document_model().objects.exists() and not get_image_model().objects.exists()


def test_nothing_is_half_saved_when_the_proposal_fails(member_client, monkeypatch, tmp_path):
    def conflict(*args, **kwargs):
        raise moderation.ProposalConflict

    monkeypatch.setattr(moderation, "proposal_start", conflict)
    html = assert_page_ok(_propose(member_client, attachment=_file("plaquette.pdf", PDF)))
    assert "n&#x27;a pas été envoyée" in html
    assert not Initiative.objects.exists() and not Revision.objects.exists()
    assert not get_document_model().objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


# -- around the workflow -------------------------------------------------------------------


def test_the_workflow_is_set_up_once_for_editors_and_administrators():
    moderation.moderation_workflow_ensure()
    workflow = Workflow.objects.get(name=moderation.WORKFLOW_NAME)
    initiatives = ContentType.objects.get_for_model(Initiative)
    assert WorkflowContentType.objects.get(content_type=initiatives).workflow == workflow
    task = ProposalReviewTask.objects.get()
    assert sorted(task.groups.values_list("name", flat=True)) == ["Administrateurs", "Éditeurs"]
    assert Initiative.get_default_workflow() == workflow


def test_the_member_space_lists_the_proposals(member_client):
    _propose(member_client)
    html = assert_page_ok(member_client.get(reverse("members:member_space")))
    assert "Mes propositions d&#x27;initiatives" in html
    assert "Épicerie solidaire du Calvados" in html and "en attente de modération" in html
    assert PROPOSE in html


def test_the_authors_data_export_lists_their_proposals(member_client, editor):
    _propose(member_client, name="Recyclerie des Vallées")
    editors = Client()
    editors.force_login(editor)
    _act(editors, Initiative.objects.get(), "refuse", "Hors du champ du réseau.")
    data = json.loads(member_client.get(reverse("accounts:personal_data")).content)
    [proposal] = data["propositions_d_initiatives"]
    assert proposal["initiative"] == "Recyclerie des Vallées"
    assert proposal["statut"] == "Refusée" and proposal["message_de_l_equipe"].startswith("Hors")
