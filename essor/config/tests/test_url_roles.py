"""Every route × every role, with the expected answer.

Wagtail's and Decidim's security bugs were nearly all a permission check missing on a
secondary view (history, compare, copy, export, API). So: every route of Essor, and every
admin route of Essor's own view sets, must appear in ROUTE_TABLE, or this test fails.
"""

import re
from urllib.parse import urlparse

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.documents import get_document_model

from essor.core.roles import Role
from essor.events.tests.factories import events_fixture
from essor.ingest.services import document_store
from essor.initiatives.tests.factories import initiatives_fixture
from essor.letters import subscriptions
from essor.letters.models import Subscription
from essor.letters.tests.factories import letters_fixture
from essor.library.tests.factories import publication_make
from essor.members.tests.factories import network_fixture
from essor.news.tests.factories import news_fixture
from essor.search.models import GlossaryTerm

pytestmark = pytest.mark.django_db

ROLES = [Role.VISITOR, Role.MEMBER, Role.EDITOR, Role.ADMINISTRATOR]
OK, LOGIN, DENIED, REDIRECT, NOT_FOUND, NOT_ALLOWED, BAD = (
    "ok",
    "login",
    "denied",
    "redirect",
    "404",
    "405",
    "400",
)
# Expected answer for (visitor, member, editor, administrator).
PUBLIC = (OK, OK, OK, OK)
LOGGED_IN = (LOGIN, OK, OK, OK)
EDITORS = (LOGIN, DENIED, OK, OK)
ADMINISTRATORS = (LOGIN, DENIED, DENIED, OK)

# The admin routes a ModelViewSet adds, and who may use them.
_VIEWSET_ROUTES = [
    "index",
    "index_results",
    "add",
    "edit",
    "delete",
    "history",
    "history_results",
    "usage",
    "inspect",
    "copy",
]
_NETWORK_VIEWSETS = [
    "authority",
    "organisation",
    "person",
    "position",
    "authorityuser",
    "membership",
    "generalassembly",
    "themes",
    "glossary",
]
# The routes of a snippet view set with drafts, revisions, locking and workflows.
_SNIPPET_ROUTES = [
    "list",
    "list_results",
    "add",
    "edit",
    "delete",
    "usage",
    "history",
    "history_results",
    "copy",
    "inspect",
    "preview_on_add",
    "preview_on_edit",
    "revisions_view",
    "revisions_compare",
    "revisions_revert",
    "revisions_unschedule",
    "unpublish",
    "workflow_history",
    "confirm_workflow_cancellation",
]
# Workflow routes named after a task or task state that does not exist here.
_SNIPPET_WORKFLOW_ROUTES = [
    "workflow_action",
    "collect_workflow_action_data",
    "workflow_history_detail",
    "workflow_preview",
]
_CONTENT_SNIPPETS = ["initiative", "practicesheet", "article", "agendaentry"]
# Publications have drafts and revisions, but neither locking nor workflows.
_PUBLICATION_ROUTES = [
    route
    for route in _SNIPPET_ROUTES
    if route not in ("workflow_history", "confirm_workflow_cancellation")
]
_CHOOSERS = [
    "territory_chooser",
    "authority_chooser",
    "person_chooser",
    "wagtailsnippetchoosers_initiatives_initiative",
    "wagtailsnippetchoosers_initiatives_practicesheet",
    "wagtailsnippetchoosers_library_publication",
    "wagtailsnippetchoosers_events_event",
    "wagtailsnippetchoosers_news_article",
    "wagtailsnippetchoosers_news_agendaentry",
]
# Events have drafts, revisions and locking, no moderation workflow.
_EVENT_ROUTES = [
    route
    for route in _SNIPPET_ROUTES
    if route not in ("workflow_history", "confirm_workflow_cancellation")
]
_PARTICIPANT_VIEWSETS = ["registration", "evaluation"]
_CHOOSER_ROUTES = ["choose", "choose_results", "chosen", "chosen_multiple", "create"]
ESSOR_ADMIN_NAMESPACES = {
    *_NETWORK_VIEWSETS,
    "dues",
    "referentiel",
    *_CONTENT_SNIPPETS,
    "publication",
    "ingest",
    "event",
    "event_registrations",
    "event_documents",
    "event_cancellation",
    *_PARTICIPANT_VIEWSETS,
    *_CHOOSERS,
    "rubric",
    "letter_issue",
    "subscription",
}

ROUTE_TABLE: dict[str, tuple] = {
    "accounts:login": (OK, REDIRECT, REDIRECT, REDIRECT),
    "accounts:logout": (NOT_ALLOWED,) * 4,  # POST only: a link cannot log anyone out
    "accounts:account": LOGGED_IN,
    "accounts:personal_data": LOGGED_IN,
    "accounts:delete": LOGGED_IN,
    "accounts:password_change": LOGGED_IN,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,  # a bad token shows "link no longer valid"
    "accounts:password_reset_complete": PUBLIC,
    "territories:resolve": PUBLIC,
    "members:network": PUBLIC,
    "members:authority": PUBLIC,
    "members:person": PUBLIC,
    "members:directory": PUBLIC,
    "members:directory_export": PUBLIC,
    "members:map": PUBLIC,
    "members:board": PUBLIC,
    "members:member_space": LOGGED_IN,
    # Accounts of the table are not attached to an authority: sent to their member space.
    "members:profile_edit": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "sitemap": PUBLIC,
    "wagtail_serve": PUBLIC,
    "wagtailcore_login": PUBLIC,
    "wagtailcore_authenticate_with_password": (NOT_FOUND,) * 4,
    "wagtaildocs_serve": (NOT_FOUND,) * 4,
    "wagtaildocs_authenticate_with_password": (NOT_FOUND,) * 4,
    **{f"{ns}:{route}": EDITORS for ns in _NETWORK_VIEWSETS for route in _VIEWSET_ROUTES},
    "members_import": EDITORS,
    "members_import_template": EDITORS,
    # Editors see the dues; only administrators change them.
    "dues:index": EDITORS,
    "dues:index_results": EDITORS,
    "dues:inspect": EDITORS,
    **{
        f"dues:{route}": ADMINISTRATORS
        for route in ("add", "edit", "delete", "copy", "history", "history_results", "usage")
    },
    # Editors read the referential; only administrators may change it by hand.
    "referentiel:index": EDITORS,
    "referentiel:index_results": EDITORS,
    "referentiel:inspect": EDITORS,
    "referentiel:history": ADMINISTRATORS,  # Wagtail ties history to the change permission
    "referentiel:history_results": ADMINISTRATORS,
    "referentiel:usage": ADMINISTRATORS,
    "referentiel:add": ADMINISTRATORS,
    "referentiel:edit": ADMINISTRATORS,
    "referentiel:delete": ADMINISTRATORS,
    "referentiel:copy": ADMINISTRATORS,
    # Initiatives and practice sheets: snippets editors manage, with drafts and workflows.
    **{f"{ns}:{route}": EDITORS for ns in _CONTENT_SNIPPETS for route in _SNIPPET_ROUTES},
    **{
        f"{ns}:{route}": (LOGIN, DENIED, NOT_FOUND, NOT_FOUND)
        for ns in _CONTENT_SNIPPETS
        for route in _SNIPPET_WORKFLOW_ROUTES
    },
    **{
        f"{ns}:{route}": (LOGIN, DENIED, NOT_ALLOWED, NOT_ALLOWED)  # POST only
        for ns in _CONTENT_SNIPPETS
        for route in ("lock", "unlock")
    },
    **{f"{ns}:{route}": EDITORS for ns in _CHOOSERS for route in _CHOOSER_ROUTES},
    # Creating a territory from the chooser is an administrator's correction, as elsewhere.
    "territory_chooser:create": ADMINISTRATORS,
    "initiatives:list": PUBLIC,
    "initiatives:map": PUBLIC,
    "initiatives:detail": PUBLIC,
    "initiatives:sheets": PUBLIC,
    "initiatives:sheet": PUBLIC,
    "initiatives:sheet_pdf": PUBLIC,
    "initiatives:propose": LOGGED_IN,
    "initiatives:my_proposals": LOGGED_IN,
    # Someone else's proposal: not found, whoever asks (editors use the admin).
    "initiatives:proposal_edit": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # Only users of an authority involved in the initiative, and the network's team.
    "initiatives:propose_change": (LOGIN, DENIED, OK, OK),
    # The library: publications are snippets editors manage; depositing a file is theirs too.
    **{f"publication:{route}": EDITORS for route in _PUBLICATION_ROUTES},
    "library_upload": EDITORS,
    "library:list": PUBLIC,
    "search:search": PUBLIC,  # members-only passages are left out for others (search tests)
    "library:detail": PUBLIC,  # members-only: metadata and summary are public, not the text
    "library:file": LOGGED_IN,  # the fixture's publication is members-only, with its file
    # Events: a snippet editors manage; registrations and evaluations are plain view sets.
    **{f"event:{route}": EDITORS for route in _EVENT_ROUTES},
    **{
        f"event:{route}": (LOGIN, DENIED, NOT_ALLOWED, NOT_ALLOWED)  # POST only
        for route in ("lock", "unlock")
    },
    **{f"{ns}:{route}": EDITORS for ns in _PARTICIPANT_VIEWSETS for route in _VIEWSET_ROUTES},
    "events:agenda": PUBLIC,
    "events:past": PUBLIC,
    "events:agenda_ical": PUBLIC,
    "events:detail": PUBLIC,
    "events:ical": PUBLIC,
    "events:register": PUBLIC,
    # By its secret token (an unknown token is a 404 for everyone).
    "events:registration": PUBLIC,
    "events:cancel": PUBLIC,  # GET asks for confirmation, POST cancels
    "events:evaluate": PUBLIC,  # before the end of the event: "le questionnaire ouvrira…"
    # The fixture's event is public and its documents generated: public PDFs.
    "events:kit_pdf": PUBLIC,
    "events:proceedings_pdf": PUBLIC,
    "event_documents:index": EDITORS,
    "event_documents:file": EDITORS,
    "event_registrations:index": EDITORS,
    "event_cancellation:index": EDITORS,  # GET asks for confirmation, POST cancels
    "event_registrations:export": EDITORS,
    **{
        f"event_registrations:{route}": (LOGIN, DENIED, NOT_ALLOWED, NOT_ALLOWED)  # POST only
        for route in ("attendance", "promote")
    },
    # News: articles and agenda entries are snippets with the members' proposals workflow.
    **{f"rubric:{route}": EDITORS for route in _VIEWSET_ROUTES},
    "news:list": PUBLIC,
    "news:feed_rss": PUBLIC,
    "news:feed_atom": PUBLIC,
    "news:rubric": PUBLIC,
    "news:rubric_feed_rss": PUBLIC,
    "news:rubric_feed_atom": PUBLIC,
    "news:article": PUBLIC,
    "news:agenda": PUBLIC,
    "news:agenda_ical": PUBLIC,
    "news:agenda_entry": PUBLIC,
    "news:propose_article": LOGGED_IN,
    "news:propose_agenda_entry": LOGGED_IN,
    "news:my_proposals": LOGGED_IN,
    # Someone else's proposal: not found, whoever asks (editors use the admin).
    "news:article_proposal_edit": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "news:agenda_proposal_edit": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # Letters: the archive (the fixture's issue is a sent e-letter), the subscriber's pages by
    # their secret token (GET only asks; the button posts), the issues and subscribers admin.
    "letters:archive": PUBLIC,
    "letters:archive_kind": PUBLIC,
    "letters:issue": PUBLIC,
    "letters:subscribe": PUBLIC,
    "letters:subscribe_sent": PUBLIC,
    "letters:confirm": PUBLIC,
    "letters:unsubscribe": PUBLIC,
    "letters:unsubscribe_from_issue": PUBLIC,
    "letters:manage": PUBLIC,
    "letters:delete_data": PUBLIC,
    "letters:member_subscription": (LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),  # POST only
    **{
        f"letter_issue:{route}": EDITORS
        for route in (
            "index",
            "index_results",
            "add",
            "history",
            "history_results",
            "usage",
            "inspect",
            "compose",
            "preview",
            "send_now",
            "progress",
        )
    },
    # The fixture's issue was sent: its edit and delete pages send editors to its progress.
    "letter_issue:edit": (LOGIN, DENIED, REDIRECT, REDIRECT),
    "letter_issue:delete": (LOGIN, DENIED, REDIRECT, REDIRECT),
    **{
        f"letter_issue:{route}": (LOGIN, DENIED, NOT_ALLOWED, NOT_ALLOWED)  # POST only
        for route in ("test_send", "schedule", "unschedule")
    },
    "subscription_import": EDITORS,
    **{
        f"subscription:{route}": EDITORS
        for route in (
            "index",
            "index_results",
            "usage",
            "edit",
            "delete",
            "inspect",
            "history",
            "history_results",
        )
    },
    # Nobody adds a subscriber by hand: consent comes from the form, an import or membership.
    "subscription:add": (LOGIN, DENIED, DENIED, DENIED),
    # Ingestion: the review queue, a document's candidates, the upload, a record's sources.
    "ingest:queue": EDITORS,
    "ingest:upload": EDITORS,
    "ingest:document": EDITORS,
    "ingest:file": EDITORS,
    "ingest:sources": EDITORS,
    **{
        f"ingest:{route}": (LOGIN, DENIED, NOT_ALLOWED, NOT_ALLOWED)  # decisions: POST only
        for route in ("accept", "reject", "correct", "accept_bulk")
    },
}


def _walk(patterns, namespace="", prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            module = getattr(pattern.callback, "__module__", "")
            yield prefix + str(pattern.pattern), namespace + pattern.name, module


def essor_routes() -> set[str]:
    """Every named route except those of Wagtail's own admin (Wagtail tests those), but
    including the admin screens of Essor's view sets and Essor's own admin views."""
    routes = set()
    for path, name, module in _walk(get_resolver().url_patterns):
        namespace = name.split(":")[0] if ":" in name else ""
        ours = namespace in ESSOR_ADMIN_NAMESPACES or module.startswith("essor.")
        if path.startswith("admin/") and not ours:
            continue
        routes.add(name)
    return routes


def test_every_route_is_in_the_table():
    missing = essor_routes() - set(ROUTE_TABLE)
    assert not missing, (
        f"routes absent de ROUTE_TABLE (ajoutez-les avec la réponse attendue) : {sorted(missing)}"
    )


_PATTERNS = {name: path for path, name, _module in _walk(get_resolver().url_patterns)}
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")
# Ids of workflow tasks and states that do not exist: those views must answer 404, not leak.
_ABSENT = 999999


def _parameters(name: str, objects: dict) -> dict:
    """Values for the parameters of an admin route of one of Essor's view sets."""
    namespace = name.partition(":")[0]
    item = objects.get(namespace)
    values = {
        "pk": getattr(item, "pk", None),
        "revision_id": getattr(item, "latest_revision_id", None),
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "action_name": "approve",
        "task_state_id": _ABSENT,
        "task_id": _ABSENT,
        "workflow_state_id": _ABSENT,
        "kind": "dossier",  # an event's generated document (participant kit)
        # A record's sources (ingestion): those of the namespace's own object.
        "app_label": getattr(getattr(item, "_meta", None), "app_label", None),
        "model": getattr(getattr(item, "_meta", None), "model_name", None),
    }
    found = _PARAMETER.findall(_PATTERNS[name])
    return {key: values[key] for pair in found for key in pair if key}


def _url_for(name: str, objects: dict) -> str:
    kwargs = {
        "accounts:password_reset_confirm": {"uidb64": "AA", "token": "set-password"},
        "members:authority": {"slug": objects["authority"].slug},
        "members:person": {"slug": objects["person"].slug},
        "initiatives:detail": {"slug": objects["initiative"].slug},
        "events:detail": {"slug": objects["event"].slug},
        "events:ical": {"slug": objects["event"].slug},
        "events:register": {"slug": objects["event"].slug},
        "events:kit_pdf": {"slug": objects["event"].slug},
        "events:proceedings_pdf": {"slug": objects["event"].slug},
        "events:registration": {"token": objects["registration"].token},
        "events:cancel": {"token": objects["registration"].token},
        "events:evaluate": {"token": objects["registration"].token},
        "library:detail": {"slug": objects["publication"].slug},
        "news:rubric": {"slug": objects["rubric"].slug},
        "news:rubric_feed_rss": {"slug": objects["rubric"].slug},
        "news:rubric_feed_atom": {"slug": objects["rubric"].slug},
        "news:article": {"slug": objects["article"].slug},
        "news:agenda_entry": {"slug": objects["agendaentry"].slug},
        "news:article_proposal_edit": {"pk": objects["article"].pk},
        "news:agenda_proposal_edit": {"pk": objects["agendaentry"].pk},
        "letters:archive_kind": {"kind": "lettre"},
        "letters:issue": {"kind": "lettre", "number": objects["letter_issue"].number},
        "letters:confirm": {"token": objects["pending_subscription"].token},
        "letters:unsubscribe": {"token": objects["pending_subscription"].token},
        "letters:manage": {"token": objects["pending_subscription"].token},
        "letters:delete_data": {"token": objects["pending_subscription"].token},
        "letters:unsubscribe_from_issue": {
            "token": objects["pending_subscription"].token,
            "issue": objects["letter_issue"].pk,
        },
        "library:file": {"slug": objects["publication"].slug},
        "initiatives:propose_change": {"slug": objects["initiative"].slug},
        "initiatives:proposal_edit": {"pk": objects["initiative"].pk},
        "initiatives:sheet": {
            "number": objects["practicesheet"].number,
            "slug": objects["practicesheet"].slug,
        },
        "initiatives:sheet_pdf": {
            "number": objects["practicesheet"].number,
            "slug": objects["practicesheet"].slug,
        },
        "wagtailcore_authenticate_with_password": {
            "page_view_restriction_id": 999999,
            "page_id": 999999,
        },
        "wagtaildocs_authenticate_with_password": {"restriction_id": 999999},
    }.get(name)
    if name == "wagtail_serve":
        return "/"
    if name == "wagtaildocs_serve":
        return reverse(name, args=[999999, "absent.pdf"])
    if name == "territories:resolve":
        return reverse(name) + "?q=Caen"
    if name.partition(":")[0] in ESSOR_ADMIN_NAMESPACES:
        kwargs = _parameters(name, objects)
    return reverse(name, kwargs=kwargs)


def _answer(response) -> str:
    location = response.get("Location", "")
    if response.status_code == 200:
        return OK
    if response.status_code == 403:
        return DENIED
    if response.status_code in (301, 302):
        if "login" in location or "connexion" in location:
            return LOGIN
        if urlparse(location).path == "/admin/":
            return DENIED  # Wagtail's "permission denied": back to the dashboard with a message
        return REDIRECT
    return str(response.status_code)


@pytest.fixture
def objects():
    network, initiatives = network_fixture(), initiatives_fixture()
    events = events_fixture()
    publication = publication_make("Actes réservés", members_only=True)
    document = get_document_model()(
        title="Actes", file=ContentFile(b"%PDF-1.4\n", name="actes.pdf")
    )
    document.save()
    publication.document = document
    publication.save(update_fields=["document"])
    news, letters = news_fixture(), letters_fixture()
    subscriptions.subscription_request("abonne@example.org")
    ingested, _ = document_store("actes.txt", b"Actes de la rencontre.", {"title": "Actes"})
    return {
        **network,
        **initiatives,
        "territory_chooser": network["authority"].territory,
        "authority_chooser": network["authority"],
        "wagtailsnippetchoosers_initiatives_initiative": initiatives["initiative"],
        "wagtailsnippetchoosers_initiatives_practicesheet": initiatives["practicesheet"],
        "publication": publication,
        "wagtailsnippetchoosers_library_publication": publication,
        "ingest": ingested,
        "glossary": GlossaryTerm.objects.first(),
        **events,
        "person_chooser": network["person"],
        "wagtailsnippetchoosers_events_event": events["event"],
        "event_registrations": events["event"],
        "event_documents": events["event"],
        "event_cancellation": events["event"],
        **news,
        "wagtailsnippetchoosers_news_article": news["article"],
        "wagtailsnippetchoosers_news_agendaentry": news["agendaentry"],
        **letters,
        "pending_subscription": Subscription.objects.get(email="abonne@example.org"),
    }


@pytest.mark.parametrize("name", sorted(ROUTE_TABLE))
def test_route_answers_each_role_as_expected(name, objects, client, make_user):
    assert name in essor_routes(), f"{name} is in the table but no longer a route"
    url = _url_for(name, objects)
    for role, expected in zip(ROLES, ROUTE_TABLE[name], strict=True):
        client.logout()
        if role != Role.VISITOR:
            client.force_login(make_user(role))
        response = client.get(url)
        answer = _answer(response)
        if response.streaming:
            # Read to the end: the test client then closes the file without closing the
            # database connection (response.close() alone would, on PostgreSQL).
            b"".join(response.streaming_content)
        if expected == DENIED and answer == LOGIN:
            answer = DENIED  # Wagtail sends logged-in users without admin access back to its login
        assert answer == expected, (
            f"{name} as {role}: {answer} (expected {expected}) at {urlparse(url).path}"
        )
