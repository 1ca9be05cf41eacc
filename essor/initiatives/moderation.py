"""Members' proposals and their moderation: initiatives here, and every other kind of content
members propose (news articles, agenda entries), which registers a `ProposalKind` and calls
the generic services of this module (one workflow, one way to list, rework and announce).

A proposal is a revision of an initiative under the workflow "Modération des propositions des
membres" (a `ProposalReviewTask` for the editors and administrators groups, see workflow.py):

- a new initiative is created not live, with a revision saved by its author, and the
  workflow started on it: nothing is public until an editor publishes it;
- a change to a published initiative is a new revision built from the latest one: the row,
  which holds the published version, is untouched until an editor publishes the revision;
- after "changes requested" the author reworks their latest revision and the workflow
  resumes; after a refusal it starts again. Nothing the author wrote is lost: the form is
  always prefilled from their own latest revision.

Attachments (an image or a PDF, checked by content in forms.py) are stored in the
collection "Propositions des membres" (a wagtailimages Image or a wagtaildocs Document)
under a random file name, and listed in the proposal as a Source line pointing at the file.
Until an editor publishes the proposal only the team sees that address; publishing the
proposal publishes the attachment with it, unless the editor deletes that Source line.

E-mails: the author receives ours (emails.py: published, changes requested, refused),
with public links; Wagtail's own "approved"/"rejected" notifications, which link to the
admin, are switched off in the profile of member users when they propose. Editors receive
Wagtail's "submitted for moderation" notification, which works for snippets.
"""

import contextlib
import dataclasses
import datetime
import logging
import secrets
from collections.abc import Callable, Iterator

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.create import CreateAction
from wagtail.actions.edit import EditAction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    Revision,
    Workflow,
    WorkflowContentType,
    WorkflowState,
    WorkflowTask,
)
from wagtail.users.models import UserProfile

from essor.core.editorial import unique_slug
from essor.core.links import absolute_url
from essor.core.roles import GROUP_NAMES, Role, has_role
from essor.initiatives import emails
from essor.initiatives.forms import Attachment
from essor.initiatives.levers import LEVER_OF_TOOL
from essor.initiatives.models import (
    Initiative,
    InitiativePlace,
    Involvement,
    KeyFigure,
    LeverUse,
    Source,
    SourceKind,
)
from essor.initiatives.workflow import ProposalRefusal, ProposalReviewTask
from essor.members.models import Authority
from essor.members.selectors import authority_of_user

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "Modération des propositions des membres"
TASK_NAME = "Relecture par l'équipe du réseau"
COLLECTION_NAME = "Propositions des membres"
_REVIEWER_ROLES = (Role.EDITOR, Role.ADMINISTRATOR)
_PLAIN_FIELDS = (
    "name",
    "summary",
    "description",
    "carrier_name",
    "legal_form",
    "year_started",
    "website",
)


class ProposalConflict(Exception):
    """Another proposal on this item is already with the team."""


# -- kinds of proposals --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProposalKind:
    """A kind of content members propose: its model (a snippet with Wagtail's workflow
    mixins), the noun its authors' e-mails use, its rework and "my proposals" routes and the
    folder of its e-mail templates (`proposal_published`, `proposal_changes_requested`,
    `proposal_refused`, each as `.txt`, `.html` and `_subject.txt`)."""

    model: type[models.Model]
    noun: str
    rework_url_name: str
    my_proposals_url_name: str
    email_templates: str


_KINDS: dict[type[models.Model], ProposalKind] = {}


def proposal_kind_register(kind: ProposalKind) -> ProposalKind:
    """Make a model's proposals known to the workflow set-up and to the authors' e-mails
    (called when the proposing module is imported)."""
    _KINDS[kind.model] = kind
    return kind


def _kind_of_state(state: WorkflowState) -> ProposalKind | None:
    for model, kind in _KINDS.items():
        if state.base_content_type_id == ContentType.objects.get_for_model(model).pk:
            return kind
    return None


INITIATIVE_PROPOSALS = proposal_kind_register(
    ProposalKind(
        model=Initiative,
        noun="initiative",
        rework_url_name="initiatives:proposal_edit",
        my_proposals_url_name="initiatives:my_proposals",
        email_templates="initiatives/emails/",
    )
)


# -- the workflow --------------------------------------------------------------------------


@transaction.atomic
def moderation_workflow_ensure(*proposed_models: type[models.Model]) -> Workflow:
    """The members' proposals workflow, its task for editors and administrators, assigned
    to the given models (every registered kind by default) unless the team assigned another
    workflow. Idempotent; a proposal always needs a moderation workflow, so ours is
    reactivated when none is assigned."""
    groups = [Group.objects.get_or_create(name=GROUP_NAMES[role])[0] for role in _REVIEWER_ROLES]
    task = ProposalReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = ProposalReviewTask.objects.create(name=TASK_NAME)
    task.groups.add(*groups)
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for model in proposed_models or tuple(_KINDS):
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        assigned = WorkflowContentType.objects.filter(content_type=content_type).first()
        if assigned is None or not assigned.workflow.active:
            workflow.active = True
            workflow.save(update_fields=["active"])
            WorkflowContentType.objects.update_or_create(
                content_type=content_type, defaults={"workflow": workflow}
            )
    return workflow


def moderation_workflow_ensure_after_migrate(sender: object, **kwargs: object) -> None:
    # A migration back before this module's tables exist must not fail here.
    if ProposalReviewTask._meta.db_table in connection.introspection.table_names():
        moderation_workflow_ensure()


# -- generic proposing ---------------------------------------------------------------------


def proposal_create(item: models.Model, user: object) -> None:
    """Save a new item (not live, its content applied) with a revision by its author and
    submit it to moderation. Call it inside the caller's transaction: nothing is saved if
    the workflow cannot start."""
    item.live = False
    CreateAction(item, user=user).execute(skip_permission_checks=True)
    proposal_start(item, user)


@transaction.atomic
def proposal_rework(
    proposal: "Proposal", user: object, apply: Callable[[models.Model], None]
) -> models.Model:
    """The author's reworked proposal after changes were requested (the workflow resumes)
    or after a refusal (it starts again): `apply` writes the new content on their latest
    revision. ProposalConflict when someone else's proposal on the same item is with the
    team meanwhile, or when this one is no longer the author's to rework."""
    model = type(proposal.item)
    locked = model.objects.select_for_update().get(pk=proposal.item.pk)
    state = WorkflowState.objects.get(pk=proposal.state.pk)
    active = WorkflowState.objects.active().for_instance(locked).exclude(pk=state.pk)
    if active.exists() or not proposal.can_rework:
        raise ProposalConflict
    draft = latest_revision_of(locked, user).as_object()
    apply(draft)
    EditAction(draft, user=user).execute(skip_permission_checks=True)
    if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        quiet_admin_notifications(user)
        state.resume(user=user)
    else:
        proposal_start(draft, user)
    return draft


def proposal_start(item: models.Model, user: object) -> WorkflowState:
    """Submit the item's latest revision to moderation, in the author's name."""
    quiet_admin_notifications(user)
    workflow = type(item).get_default_workflow() or moderation_workflow_ensure(type(item))
    try:
        return workflow.start(item, user)
    except (ValidationError, IntegrityError):
        # Another proposal started between our check and now (one active workflow at most).
        raise ProposalConflict from None


def quiet_admin_notifications(user: object) -> None:
    """Wagtail's "approved"/"rejected" e-mails link to the admin, which member users cannot
    open: they get ours instead (editors keep Wagtail's, which they use elsewhere)."""
    if has_role(user, Role.EDITOR):
        return
    profile = UserProfile.get_for_user(user)
    if profile.approved_notifications or profile.rejected_notifications:
        profile.approved_notifications = profile.rejected_notifications = False
        profile.save(update_fields=["approved_notifications", "rejected_notifications"])


@contextlib.contextmanager
def stored_attachment(
    attachment: Attachment | None, user: object, proposal_name: str
) -> Iterator[models.Model | None]:
    """The checked attachment stored in the proposals collection (an Image or a Document),
    deleted again, file included, if the proposal is not saved."""
    if attachment is None:
        yield None
        return
    stored = _store(attachment, user, proposal_name)
    try:
        yield stored
    except BaseException:
        stored.file.delete(save=False)
        stored.delete()
        raise


# -- proposing -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProposalContent:
    """What a member tells of an initiative (cleaned by forms.ProposalForm)."""

    name: str
    summary: str
    description: str = ""
    carrier_name: str = ""
    legal_form: str = ""
    year_started: int | None = None
    website: str = ""
    themes: tuple = ()
    territory_types: tuple = ()
    places: tuple = ()
    role: str = ""
    tools: tuple[str, ...] = ()
    key_figures: tuple[dict, ...] = ()
    attachment: Attachment | None = None

    @classmethod
    def from_forms(cls, cleaned: dict, key_figures: list[dict]) -> "ProposalContent":
        return cls(
            **{name: cleaned[name] for name in _PLAIN_FIELDS},
            themes=tuple(cleaned["themes"]),
            territory_types=tuple(cleaned["territory_types"]),
            places=tuple(cleaned["places"]),
            role=cleaned.get("role", ""),
            tools=tuple(cleaned.get("tools", ())),
            key_figures=tuple(key_figures),
            attachment=cleaned.get("attachment"),
        )


def initiative_propose(user: object, content: ProposalContent) -> Initiative:
    """A new initiative proposed by `user`: saved not live with a revision by them, and
    submitted to moderation. Nothing is saved if anything fails."""
    authority = authority_of_user(user)
    initiative = Initiative(slug=unique_slug(Initiative, content.name))
    with _stored_attachment(content, user) as source, transaction.atomic():
        _apply(initiative, content, authority, source)
        proposal_create(initiative, user)
    return initiative


def initiative_propose_change(
    initiative: Initiative, user: object, content: ProposalContent
) -> Initiative:
    """A change to a published initiative: a new revision built from the latest one, under
    moderation; the published version stays as it is until an editor publishes it.
    ProposalConflict when another proposal on it is with the team."""
    with _stored_attachment(content, user) as source, transaction.atomic():
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if WorkflowState.objects.active().for_instance(locked).exists():
            raise ProposalConflict
        draft = locked.get_latest_revision_as_object()
        _apply(draft, content, authority_of_user(user), source)
        EditAction(draft, user=user).execute(skip_permission_checks=True)
        proposal_start(draft, user)
    return draft


def proposal_resubmit(proposal: "Proposal", user: object, content: ProposalContent) -> Initiative:
    """The author's reworked proposal after changes were requested (the workflow resumes)
    or after a refusal (it starts again). ProposalConflict when someone else's proposal on
    the same initiative is with the team meanwhile."""
    with _stored_attachment(content, user) as source:
        return proposal_rework(
            proposal, user, lambda draft: _apply(draft, content, authority_of_user(user), source)
        )


def _apply(
    initiative: Initiative,
    content: ProposalContent,
    authority: Authority | None,
    source: Source | None,
) -> None:
    """Write the proposal's content on `initiative` (in memory: saving is the caller's)."""
    for name in _PLAIN_FIELDS:
        setattr(initiative, name, getattr(content, name) or _blank(name))
    initiative.themes = list(content.themes)
    initiative.territory_types = list(content.territory_types)
    kept = {place.territory_id: place for place in initiative.places.all()}
    places = [kept.get(t.pk) or InitiativePlace(territory=t) for t in content.places]
    initiative.places = _ordered(places)
    if authority is not None:
        _apply_authority(initiative, content, authority)
    initiative.key_figures = _ordered([KeyFigure(**row) for row in content.key_figures])
    if source is not None:
        initiative.sources = _ordered([*initiative.sources.all(), source])


def _apply_authority(
    initiative: Initiative, content: ProposalContent, authority: Authority
) -> None:
    involvements = list(initiative.involvements.all())
    mine = next((i for i in involvements if i.authority_id == authority.pk), None)
    if mine is None:
        mine = Involvement(authority=authority)
        involvements.append(mine)
    mine.role = content.role
    initiative.involvements = _ordered(involvements)
    others = [use for use in initiative.lever_uses.all() if use.authority_id != authority.pk]
    ours = [LeverUse(authority=authority, tool=t, lever=LEVER_OF_TOOL[t]) for t in content.tools]
    initiative.lever_uses = _ordered(others + ours)


def _blank(name: str) -> object:
    return None if name == "year_started" else ""


def _ordered(items: list) -> list:
    for position, item in enumerate(items):
        item.sort_order = position
    return items


@contextlib.contextmanager
def _stored_attachment(content: ProposalContent, user: object) -> Iterator[Source | None]:
    """The Source line pointing at the stored attachment (see stored_attachment)."""
    with stored_attachment(content.attachment, user, content.name) as stored:
        if stored is None:
            yield None
            return
        attachment = content.attachment
        yield Source(
            kind=SourceKind.PUBLICATION if attachment.kind == "pdf" else SourceKind.WEB,
            title=f"Pièce jointe de la proposition : {attachment.original_name}"[:300],
            url=absolute_url(stored.url if attachment.kind == "pdf" else stored.file.url),
            date=timezone.localdate(),
        )


def _store(attachment: Attachment, user: object, proposal_name: str) -> models.Model:
    """The file as an Image or a Document of the proposals collection, under a name nobody
    can guess (the address is shown to the team only until the proposal is published)."""
    model = get_document_model() if attachment.kind == "pdf" else get_image_model()
    item = model(
        title=f"{attachment.original_name} — proposition « {proposal_name} »"[:255],
        collection=proposals_collection(),
        uploaded_by_user=user,
    )
    filename = f"proposition-{secrets.token_urlsafe(16)}.{attachment.extension}"
    item.file.save(filename, attachment.file, save=False)
    item.save()
    return item


def proposals_collection() -> Collection:
    """The collection "Propositions des membres", created when first needed."""
    root = Collection.get_first_root_node()
    found = root.get_children().filter(name=COLLECTION_NAME).first()
    return found or root.add_child(name=COLLECTION_NAME)


# -- who may do what -----------------------------------------------------------------------


def may_propose(user: object) -> bool:
    """Member users attached to an authority, and the network's team."""
    return has_role(user, Role.EDITOR) or (
        has_role(user, Role.MEMBER) and authority_of_user(user) is not None
    )


def may_propose_change(user: object, initiative: Initiative) -> bool:
    """The team, and users of an authority involved in the published initiative."""
    if has_role(user, Role.EDITOR):
        return True
    authority = authority_of_user(user) if has_role(user, Role.MEMBER) else None
    return authority is not None and initiative.involvements.filter(authority=authority).exists()


def change_in_progress(initiative: Initiative) -> bool:
    return WorkflowState.objects.active().for_instance(initiative).exists()


# -- a user's proposals --------------------------------------------------------------------


class ProposalStatus(models.TextChoices):
    PENDING = "en-attente", "En attente de modération"
    CHANGES_REQUESTED = "modifications-demandees", "Modifications demandées"
    REFUSED = "refusee", "Refusée"
    PUBLISHED = "publiee", "Publiée"
    WITHDRAWN = "retiree", "Retirée par l'équipe"


@dataclasses.dataclass
class Proposal:
    """One user's latest proposal on one item (an initiative, an article…), as they see it."""

    item: models.Model
    kind: ProposalKind
    state: WorkflowState
    title: str
    status: ProposalStatus
    message: str
    is_change: bool

    @property
    def submitted_at(self) -> datetime.datetime:
        return self.state.created_at

    @property
    def can_rework(self) -> bool:
        return self.status in (ProposalStatus.CHANGES_REQUESTED, ProposalStatus.REFUSED)

    @property
    def rework_url(self) -> str:
        return reverse(self.kind.rework_url_name, args=[self.item.pk])

    @property
    def public_url(self) -> str:
        return self.item.get_absolute_url() if self.item.live else ""


def proposals_of(
    user: object, proposed_models: tuple[type[models.Model], ...], limit: int | None = None
) -> list[Proposal]:
    """The user's proposals of these kinds, latest first: for each item, their latest one."""
    if not getattr(user, "is_authenticated", False):
        return []
    types = {ContentType.objects.get_for_model(model).pk: model for model in proposed_models}
    latest: dict[tuple[int, str], WorkflowState] = {}
    for state in _states(user, list(types)):
        latest.setdefault((state.base_content_type_id, state.object_id), state)
    chosen = list(latest.values())[:limit] if limit else list(latest.values())
    items: dict[tuple[int, int], models.Model] = {}
    for type_id, model in types.items():
        pks = [int(s.object_id) for s in chosen if s.base_content_type_id == type_id]
        items.update({(type_id, pk): item for pk, item in model.objects.in_bulk(pks).items()})
    return [
        _proposal(state, item)
        for state in chosen
        if (item := items.get((state.base_content_type_id, int(state.object_id))))
    ]


def proposal_of(user: object, model: type[models.Model], pk: int) -> Proposal | None:
    """The user's latest proposal on this item, None when they made none (someone else's
    item is, for them, an item that does not exist)."""
    content_type = ContentType.objects.get_for_model(model)
    state = _states(user, [content_type.pk]).filter(object_id=str(pk)).first()
    item = model.objects.filter(pk=pk).first()
    return _proposal(state, item) if state and item else None


def proposals_of_user(user: object, limit: int | None = None) -> list[Proposal]:
    """The user's proposals of initiatives, latest first."""
    return proposals_of(user, (Initiative,), limit)


def proposal_of_user(user: object, initiative_pk: int) -> Proposal | None:
    """The user's latest proposal on this initiative, None when they made none."""
    return proposal_of(user, Initiative, initiative_pk)


def proposal_draft(proposal: Proposal, user: object) -> models.Model:
    """The item as the author last wrote it (their latest revision): what the rework form
    shows, so that nothing they wrote is lost."""
    return latest_revision_of(proposal.item, user).as_object()


def latest_revision_of(item: models.Model, user: object) -> Revision:
    """The user's latest revision of the item (the item's latest if they wrote none)."""
    revisions = Revision.objects.for_instance(item)
    return revisions.filter(user=user).order_by("-created_at", "-pk").first() or (
        item.latest_revision
    )


def _states(user: object, content_type_ids: list[int]) -> models.QuerySet:
    return (
        WorkflowState.objects.filter(requested_by=user, base_content_type_id__in=content_type_ids)
        .select_related("current_task_state__revision", "proposal_refusal")
        .defer("current_task_state__revision__content")
        .order_by("-created_at", "-pk")
    )


def _proposal(state: WorkflowState, item: models.Model) -> Proposal:
    task_state = state.current_task_state
    status, message = _status(state, item)
    first_published = item.first_published_at
    return Proposal(
        item=item,
        kind=_KINDS[type(item)],
        state=state,
        title=task_state.revision.object_str if task_state else str(item),
        status=status,
        message=message,
        is_change=first_published is not None and first_published < state.created_at,
    )


def _status(state: WorkflowState, item: models.Model) -> tuple[ProposalStatus, str]:
    comment = state.current_task_state.comment if state.current_task_state else ""
    if state.status == WorkflowState.STATUS_IN_PROGRESS:
        return ProposalStatus.PENDING, ""
    if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return ProposalStatus.CHANGES_REQUESTED, comment
    if state.status == WorkflowState.STATUS_APPROVED:
        return ProposalStatus.PUBLISHED, comment
    try:
        return ProposalStatus.REFUSED, state.proposal_refusal.message
    except ObjectDoesNotExist:
        pass
    # An editor who publishes a proposal directly from the admin cancels its workflow.
    published = item.last_published_at
    if item.live and published and published >= state.created_at:
        return ProposalStatus.PUBLISHED, ""
    return ProposalStatus.WITHDRAWN, ""


# -- notifications (signal receivers, connected in moderation_hooks.py) ---------------------
# One set of receivers for every registered kind: the e-mails use the kind's templates.


def _proposed(state: WorkflowState) -> tuple[ProposalKind, models.Model] | tuple[None, None]:
    kind = _kind_of_state(state)
    item = kind.model.objects.filter(pk=state.object_id).first() if kind else None
    return (kind, item) if item is not None else (None, None)


def notify_published(
    sender: object, instance: WorkflowState, user: object = None, **kwargs: object
) -> None:
    kind, item = _proposed(instance)
    author = instance.requested_by
    if item is None or author is None or author == user:
        return
    comment = instance.current_task_state.comment if instance.current_task_state else ""
    emails.proposal_published(author, kind, str(item), item.get_absolute_url(), comment)


def notify_published_directly(
    sender: object, instance: WorkflowState, user: object = None, **kwargs: object
) -> None:
    """An editor may publish from the edit view instead of approving: Wagtail then cancels
    the workflow, and the author must hear of the publication all the same."""
    kind, item = _proposed(instance)
    author = instance.requested_by
    if item is None or author is None or author == user or not item.live:
        return
    published = item.last_published_at
    if published and published >= instance.created_at:
        emails.proposal_published(author, kind, str(item), item.get_absolute_url())


def notify_changes_requested(
    sender: object, instance: WorkflowState, user: object = None, **kwargs: object
) -> None:
    kind, item = _proposed(instance)
    author = instance.requested_by
    if item is None or author is None or author == user:
        return
    task_state = instance.current_task_state
    emails.proposal_changes_requested(
        author, kind, task_state.revision.object_str, task_state.comment, _rework_url(kind, item)
    )


def notify_refused(
    sender: object, refusal: ProposalRefusal, user: object = None, **kwargs: object
) -> None:
    state = refusal.workflow_state
    kind, item = _proposed(state)
    author = state.requested_by
    if item is None or author is None or author == user:
        return
    title = state.current_task_state.revision.object_str
    emails.proposal_refused(author, kind, title, refusal.message, _rework_url(kind, item))


def _rework_url(kind: ProposalKind, item: models.Model) -> str:
    return absolute_url(reverse(kind.rework_url_name, args=[item.pk]))
