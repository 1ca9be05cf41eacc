"""A member user proposes an article or an agenda entry; the network's team publishes, asks
for changes or refuses it with a message that reaches the author by e-mail; nothing is public
before an editor publishes it, and nothing the author wrote is lost."""

import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Workflow, WorkflowContentType, WorkflowState

from essor.core.roles import Role
from essor.core.testing import assert_page_ok
from essor.initiatives import moderation as initiatives_moderation
from essor.initiatives.workflow import ProposalRefusal
from essor.members.tests.factories import network_fixture
from essor.news import moderation
from essor.news.models import AgendaEntry, Article
from essor.news.tests.factories import rubric_make

pytestmark = pytest.mark.django_db
PROPOSE = reverse("news:propose_article")
PROPOSE_ENTRY = reverse("news:propose_agenda_entry")
MINE = reverse("news:my_proposals")
SENT = "Votre proposition a été transmise à l&#x27;équipe du réseau"


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
def rubric():
    return rubric_make("Territoires solidaires")


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


@pytest.fixture
def editors(editor):
    client = Client()
    client.force_login(editor)
    return client


def article_data(rubric, **fields) -> dict:
    data = {
        "title": "Caen ouvre une ressourcerie",
        "rubric": str(rubric.pk),
        "summary": "La ville soutient une ressourcerie portée par une association.",
        "body": "Le lieu a ouvert en mars.\n\nIl emploie six personnes en insertion.",
        "audience": "public",
        "source_url": "https://caen.example.org/ressourcerie",
    }
    data.update(fields)
    return data


def entry_data(**fields) -> dict:
    data = {
        "title": "Forum régional de l'ESS",
        "origin": "partenaire",
        "organiser": "Chambre régionale de l'ESS de Normandie",
        "starts_on": "2031-05-12",
        "ends_on": "2031-05-13",
        "start_time": "09:30",
        "venue": "Halle aux grains",
        "commune": "Caen",
        "url": "https://cress.example.org/forum",
        "summary": "Deux jours de rencontres entre collectivités et structures de l'ESS.",
        "audience": "public",
    }
    data.update(fields)
    return data


def _state(item) -> WorkflowState:
    return WorkflowState.objects.for_instance(item).order_by("-pk").first()


def _act(client, item, action: str, comment: str = ""):
    """An editor's decision through the admin's workflow action URL."""
    namespace = "article" if isinstance(item, Article) else "agendaentry"
    task_state = _state(item).current_task_state
    url = reverse(f"{namespace}:workflow_action", args=[item.pk, action, task_state.pk])
    return client.post(url, {"comment": comment})


def _mails_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (20, 10), "green").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "atelier.png"
    return buffer


# -- the whole way -------------------------------------------------------------------------


def test_a_proposed_article_waits_unseen_until_an_editor_publishes_it(
    member_client, member, editor, editors, network, rubric
):
    caen = network["authority"]
    form = assert_page_ok(member_client.get(PROPOSE))
    assert f'<option value="{caen.pk}" selected>Caen</option>' in form  # their own, by default
    response = member_client.post(PROPOSE, article_data(rubric, authority=str(caen.pk)))
    assert response.status_code == 302 and response["Location"] == MINE
    assert SENT in member_client.get(MINE).content.decode()

    article = Article.objects.get(title="Caen ouvre une ressourcerie")
    assert not article.live and article.workflow_in_progress
    assert article.proposed_by == member and article.latest_revision.user == member
    assert _state(article).requested_by == member
    assert list(article.authorities.all()) == [caen]
    assert article.body == (
        "<p>Le lieu a ouvert en mars.</p><p>Il emploie six personnes en insertion.</p>"
    )
    # Editors are told by Wagtail's own notification; the author gets nothing yet.
    assert _mails_to(editor) and not _mails_to(member)
    anonymous = Client()
    assert anonymous.get(article.get_absolute_url()).status_code == 404
    assert "Caen ouvre une ressourcerie" not in anonymous.get(reverse("news:list")).content.decode()
    assert "Caen ouvre une ressourcerie" in editors.get("/admin/").content.decode()

    mail.outbox.clear()
    assert _act(editors, article, "approve").status_code == 302
    article.refresh_from_db()
    assert article.live and not article.workflow_in_progress
    page = anonymous.get(article.get_absolute_url()).content.decode()
    assert "Caen ouvre une ressourcerie" in page and "six personnes en insertion" in page
    [message] = _mails_to(member)  # ours only: Wagtail's "approved" e-mail is switched off
    assert message.subject.startswith("Votre article « Caen ouvre une ressourcerie » a été publié")
    assert article.get_absolute_url() in message.body
    assert article.get_absolute_url() in message.alternatives[0][0]
    assert reverse("news:my_proposals") in message.body
    mine = member_client.get(MINE).content.decode()
    assert "Publiée" in mine and article.get_absolute_url() in mine


def test_changes_requested_reach_the_author_who_reworks_a_prefilled_form(
    member_client, member, editor, editors, rubric
):
    member_client.post(PROPOSE, article_data(rubric, deadline="2031-06-30"))
    article = Article.objects.get()
    _act(editors, article, "reject", "Ajoutez le nom de l'association, s'il vous plaît.")

    assert _state(article).status == WorkflowState.STATUS_NEEDS_CHANGES
    [message] = _mails_to(member)
    rework = reverse("news:article_proposal_edit", args=[article.pk])
    assert "modifications demandées" in message.subject
    assert "Ajoutez le nom de l'association" in message.body and rework in message.body
    mine = member_client.get(MINE).content.decode()
    assert "Modifications demandées" in mine and rework in mine

    form = assert_page_ok(member_client.get(rework))
    assert "Caen ouvre une ressourcerie" in form and "Il emploie six personnes" in form
    assert "https://caen.example.org/ressourcerie" in form and 'value="2031-06-30"' in form
    assert "Ajoutez le nom de l" in form  # the team's message, above the form

    mail.outbox.clear()
    response = member_client.post(
        rework, article_data(rubric, summary="Portée par l'association Récup'.")
    )
    assert response.status_code == 302
    state = _state(article)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert (
        state.current_task_state.revision.as_object().summary == "Portée par l'association Récup'."
    )
    assert _mails_to(editor), "editors are told of the new version"
    article.refresh_from_db()
    assert not article.live
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_a_refused_article_stays_private_and_its_author_is_told(
    member_client, member, editors, rubric
):
    member_client.post(PROPOSE, article_data(rubric, body="<p>Un texte <b>précieux</b>.</p>"))
    article = Article.objects.get()
    _act(editors, article, "refuse", "Ce sujet sort du champ du réseau.")

    state = _state(article)
    assert state.status == WorkflowState.STATUS_CANCELLED
    assert ProposalRefusal.objects.get(workflow_state=state).message.startswith("Ce sujet")
    [message] = _mails_to(member)
    assert "n'a pas été retenu" in message.subject and "sort du champ" in message.body
    assert Client().get(article.get_absolute_url()).status_code == 404
    mine = member_client.get(MINE).content.decode()
    assert "Refusée" in mine and "sort du champ du réseau" in mine

    rework = reverse("news:article_proposal_edit", args=[article.pk])
    assert "Un texte &lt;b&gt;précieux&lt;/b&gt;." in assert_page_ok(member_client.get(rework))
    member_client.post(rework, article_data(rubric, body="Un texte revu."))
    assert _state(article).status == WorkflowState.STATUS_IN_PROGRESS


def test_an_agenda_entry_goes_through_the_same_moderation(member_client, member, editors, network):
    response = member_client.post(PROPOSE_ENTRY, entry_data(origin="membre"))
    assert response.status_code == 302 and response["Location"] == MINE
    entry = AgendaEntry.objects.get()
    assert not entry.live and entry.workflow_in_progress
    assert entry.commune.code == "14118" and entry.authority == network["authority"]
    assert entry.start_time.strftime("%H:%M") == "09:30"
    assert Client().get(entry.get_absolute_url()).status_code == 404

    _act(editors, entry, "reject", "Précisez l'adresse.")
    [message] = _mails_to(member)
    rework = reverse("news:agenda_proposal_edit", args=[entry.pk])
    assert "Votre événement « Forum régional de l'ESS »" in message.subject
    assert rework in message.body
    form = assert_page_ok(member_client.get(rework))
    assert "Halle aux grains" in form and "Caen (14118)" in form and 'value="2031-05-12"' in form
    member_client.post(rework, entry_data(venue="Halle aux grains, 2 rue du Port"))

    mail.outbox.clear()
    _act(editors, entry, "approve")
    entry.refresh_from_db()
    assert entry.live and entry.venue == "Halle aux grains, 2 rue du Port"
    assert "Forum régional" in Client().get(entry.get_absolute_url()).content.decode()
    [message] = _mails_to(member)
    assert "a été publié" in message.subject and entry.get_absolute_url() in message.body


def test_an_editor_who_publishes_from_the_edit_view_informs_the_author(
    member_client, member, editor, rubric
):
    member_client.post(PROPOSE, article_data(rubric))
    article = Article.objects.get()
    article.get_latest_revision().publish(user=editor)  # what "Publier" in the editor does
    [message] = _mails_to(member)
    assert "a été publié" in message.subject
    assert "Publiée" in member_client.get(MINE).content.decode()


def test_an_image_is_stored_with_its_alternative_text(member_client, rubric):
    member_client.post(
        PROPOSE, article_data(rubric, image=_png(), image_alt="Des bénévoles trient des livres")
    )
    image = get_image_model().objects.get()
    assert image.collection.name == "Propositions des membres" and image.width == 20
    assert "atelier" not in image.file.name  # a name nobody can guess
    draft = Article.objects.get().latest_revision.as_object()
    assert draft.image == image and draft.image_alt == "Des bénévoles trient des livres"


def test_nothing_is_half_saved_when_the_proposal_fails(
    member_client, rubric, monkeypatch, tmp_path
):
    def conflict(*args, **kwargs):
        raise initiatives_moderation.ProposalConflict

    monkeypatch.setattr(initiatives_moderation, "proposal_start", conflict)
    html = assert_page_ok(
        member_client.post(PROPOSE, article_data(rubric, image=_png(), image_alt="Un atelier"))
    )
    assert "n&#x27;a pas été envoyée" in html and "Caen ouvre une ressourcerie" in html
    assert not Article.objects.exists() and not get_image_model().objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


# -- who may do what -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, rubric):
    for url in (
        PROPOSE,
        PROPOSE_ENTRY,
        MINE,
        reverse("news:article_proposal_edit", args=[1]),
        reverse("news:agenda_proposal_edit", args=[1]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert client.post(PROPOSE, article_data(rubric)).status_code == 302
    assert not Article.objects.exists()


def test_only_the_author_reworks_a_proposal(member_client, make_user, editor, rubric):
    member_client.post(PROPOSE, article_data(rubric))
    member_client.post(PROPOSE_ENTRY, entry_data())
    urls = [
        reverse("news:article_proposal_edit", args=[Article.objects.get().pk]),
        reverse("news:agenda_proposal_edit", args=[AgendaEntry.objects.get().pk]),
    ]
    for someone in (make_user(Role.MEMBER), editor, make_user(Role.ADMINISTRATOR)):
        other = Client()
        other.force_login(someone)
        for url in urls:
            assert other.get(url).status_code == 404
            assert other.post(url, article_data(rubric, title="Piraté")).status_code == 404
    # An article's number is not an agenda entry's: each route looks in its own kind.
    article_pk = Article.objects.get().pk
    unknown = reverse("news:agenda_proposal_edit", args=[article_pk + 1000])
    assert member_client.get(unknown).status_code == 404
    # While the team reads it, the author is told to wait.
    response = member_client.get(urls[0])
    assert response.status_code == 302 and response["Location"] == MINE
    assert Article.objects.get().title == "Caen ouvre une ressourcerie"


def test_accounts_without_an_authority_cannot_propose(client, make_user, rubric):
    client.force_login(make_user(Role.VISITOR))
    assert client.get(PROPOSE).status_code == 403
    client.force_login(make_user(Role.MEMBER))
    for url in (PROPOSE, PROPOSE_ENTRY):
        assert "rattaché à aucune collectivité" in assert_page_ok(client.get(url))
    assert client.post(PROPOSE, article_data(rubric)).status_code == 403
    assert client.post(PROPOSE_ENTRY, entry_data()).status_code == 403
    assert not Article.objects.exists() and not AgendaEntry.objects.exists()


def test_posting_without_the_csrf_token_is_refused(member, rubric):
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(member)
    assert guarded.post(PROPOSE, article_data(rubric)).status_code == 403
    assert not Article.objects.exists()


# -- around the workflow -------------------------------------------------------------------


def test_articles_and_agenda_entries_use_the_members_proposals_workflow():
    workflow = Workflow.objects.get(name=initiatives_moderation.WORKFLOW_NAME)
    for model in (Article, AgendaEntry):
        assigned = WorkflowContentType.objects.get(
            content_type=ContentType.objects.get_for_model(model)
        )
        assert assigned.workflow == workflow and model.get_default_workflow() == workflow


def test_the_member_space_lists_the_proposals(member_client, rubric):
    member_client.post(PROPOSE, article_data(rubric))
    member_client.post(PROPOSE_ENTRY, entry_data())
    html = assert_page_ok(member_client.get(reverse("members:member_space")))
    assert "Mes propositions d&#x27;actualités et d&#x27;événements" in html
    assert "Caen ouvre une ressourcerie" in html and "Forum régional de l&#x27;ESS" in html
    assert "en attente de modération" in html
    assert PROPOSE in html and PROPOSE_ENTRY in html


def test_my_proposals_say_which_are_articles_and_which_are_events(member_client, rubric):
    member_client.post(PROPOSE, article_data(rubric))
    member_client.post(PROPOSE_ENTRY, entry_data())

    html = assert_page_ok(member_client.get(MINE))

    assert "2 propositions, la plus récente d'abord" in html
    assert '<th scope="col">Type</th>' in html
    article_row = html.index("Caen ouvre une ressourcerie")
    entry_row = html.index("Forum régional de l&#x27;ESS")
    assert entry_row < article_row  # the latest first
    assert "<td>Événement de l&#x27;agenda</td>" in html[entry_row:article_row]
    assert "<td>Article</td>" in html[article_row:]


def test_the_authors_data_export_lists_their_proposals(member_client, editors, rubric):
    member_client.post(PROPOSE, article_data(rubric))
    _act(editors, Article.objects.get(), "refuse", "Hors du champ du réseau.")
    data = json.loads(member_client.get(reverse("accounts:personal_data")).content)
    [proposal] = data["propositions_d_actualites"]
    assert proposal["titre"] == "Caen ouvre une ressourcerie" and proposal["type"] == "Article"
    assert proposal["statut"] == "Refusée" and proposal["message_de_l_equipe"].startswith("Hors")


def test_a_rework_keeps_the_image_unless_the_author_removes_it(member_client, editors, rubric):
    member_client.post(PROPOSE, article_data(rubric, image=_png(), image_alt="Un atelier"))
    article = Article.objects.get()
    _act(editors, article, "reject", "Un titre plus court ?")
    rework = reverse("news:article_proposal_edit", args=[article.pk])
    form = assert_page_ok(member_client.get(rework))
    assert "Image actuelle" in form and 'name="remove_image"' in form
    assert 'value="Un atelier"' in form

    member_client.post(
        rework, article_data(rubric, title="Ressourcerie à Caen", image_alt="Un atelier")
    )
    kept = _state(article).current_task_state.revision.as_object()
    assert kept.title == "Ressourcerie à Caen" and kept.image == get_image_model().objects.get()

    _act(editors, article, "reject", "Sans image, finalement.")
    member_client.post(rework, article_data(rubric, remove_image="on"))
    removed = _state(article).current_task_state.revision.as_object()
    assert removed.image is None and removed.image_alt == ""
