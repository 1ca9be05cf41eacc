"""Members' proposals of news articles and agenda entries, moderated like initiatives.

The workflow, its task, the list of a user's proposals, the rework after "changes requested"
or a refusal and the authors' e-mails are the initiatives' (essor.initiatives.moderation):
this module registers the two kinds and says only how a member's content becomes an
article or an agenda entry. A proposal is a revision by its author of an item created not
live; nothing is public until an editor publishes it from the workflow's task.

A member proposes new items only: a change to a published article or event goes through
the team (they write to it), unlike initiatives whose authorities keep them up to date.
"""

import dataclasses
import datetime

from django.db import transaction
from wagtail.images import get_image_model

from essor.core.editorial import Audience, unique_slug
from essor.initiatives import moderation as proposals
from essor.initiatives.forms import Attachment
from essor.initiatives.moderation import Proposal, ProposalConflict, ProposalKind
from essor.members.models import Authority
from essor.members.selectors import authority_of_user
from essor.news.models import AgendaEntry, Article, EntryOrigin, Rubric
from essor.territories.models import Territory

__all__ = ["Proposal", "ProposalConflict"]

ARTICLE_PROPOSALS = proposals.proposal_kind_register(
    ProposalKind(
        model=Article,
        noun="article",
        rework_url_name="news:article_proposal_edit",
        my_proposals_url_name="news:my_proposals",
        email_templates="news/emails/",
    )
)
AGENDA_PROPOSALS = proposals.proposal_kind_register(
    ProposalKind(
        model=AgendaEntry,
        noun="événement",
        rework_url_name="news:agenda_proposal_edit",
        my_proposals_url_name="news:my_proposals",
        email_templates="news/emails/",
    )
)
PROPOSED_MODELS = (Article, AgendaEntry)
# What a proposal is, in words, by its kind's noun: "Mes propositions", the member space
# panel and the personal data export.
KIND_LABELS = {ARTICLE_PROPOSALS.noun: "Article", AGENDA_PROPOSALS.noun: "Événement de l'agenda"}

may_propose = proposals.may_propose


def moderation_workflow_ensure() -> None:
    """The members' proposals workflow assigned to articles and agenda entries."""
    proposals.moderation_workflow_ensure(*PROPOSED_MODELS)


# -- articles ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ArticleContent:
    """What a member tells in an article (cleaned by forms.ArticleProposalForm)."""

    title: str
    rubric: Rubric
    summary: str
    body: str = ""
    themes: tuple = ()
    authority: Authority | None = None
    audience: str = Audience.PUBLIC
    source_url: str = ""
    deadline: datetime.date | None = None
    image: Attachment | None = None
    image_alt: str = ""
    remove_image: bool = False

    @classmethod
    def from_form(cls, cleaned: dict) -> "ArticleContent":
        return cls(
            **{field.name: cleaned[field.name] for field in dataclasses.fields(cls)}
            | {"themes": tuple(cleaned["themes"])}
        )


def article_propose(user: object, content: ArticleContent) -> Article:
    """A new article proposed by `user`: saved not live with a revision by them and submitted
    to moderation. Nothing is saved, the image included, if anything fails."""
    article = Article(slug=unique_slug(Article, content.title), proposed_by=user)
    stored = proposals.stored_attachment(content.image, user, content.title)
    with stored as image, transaction.atomic():
        _apply_article(article, content, image)
        proposals.proposal_create(article, user)
    return article


def article_proposal_resubmit(user: object, proposal: Proposal, content: ArticleContent) -> Article:
    """The author's reworked article (after changes were requested or a refusal).
    ProposalConflict when it is no longer theirs to rework."""
    with proposals.stored_attachment(content.image, user, content.title) as image:
        return proposals.proposal_rework(
            proposal, user, lambda draft: _apply_article(draft, content, image)
        )


def _apply_article(article: Article, content: ArticleContent, image: object | None) -> None:
    """Write the member's content on `article` (in memory: saving is the caller's)."""
    article.title = content.title
    article.rubric = content.rubric
    article.summary = content.summary
    article.body = content.body
    article.audience = content.audience
    article.source_url = content.source_url
    article.deadline = content.deadline
    article.themes = list(content.themes)
    article.authorities = [content.authority] if content.authority else []
    if image is not None:
        article.image = image
    elif content.remove_image or (article.image_id and not _image_exists(article.image_id)):
        # A revision may point at an image the team deleted since.
        article.image = None
    article.image_alt = content.image_alt if article.image_id else ""


def _image_exists(pk: int) -> bool:
    return get_image_model().objects.filter(pk=pk).exists()


# -- agenda entries ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgendaEntryContent:
    """An external event as a member tells it (cleaned by forms.AgendaEntryProposalForm)."""

    title: str
    origin: str
    organiser: str
    starts_on: datetime.date
    summary: str
    ends_on: datetime.date | None = None
    start_time: datetime.time | None = None
    online: bool = False
    venue: str = ""
    commune: Territory | None = None
    url: str = ""
    themes: tuple = ()
    audience: str = Audience.PUBLIC

    @classmethod
    def from_form(cls, cleaned: dict) -> "AgendaEntryContent":
        return cls(
            **{field.name: cleaned[field.name] for field in dataclasses.fields(cls)}
            | {"themes": tuple(cleaned["themes"])}
        )


def agenda_entry_propose(user: object, content: AgendaEntryContent) -> AgendaEntry:
    """A new agenda entry proposed by `user`, under moderation (nothing saved on failure)."""
    entry = AgendaEntry(slug=unique_slug(AgendaEntry, content.title), proposed_by=user)
    authority = authority_of_user(user)
    with transaction.atomic():
        _apply_entry(entry, content, authority)
        proposals.proposal_create(entry, user)
    return entry


def agenda_entry_proposal_resubmit(
    user: object, proposal: Proposal, content: AgendaEntryContent
) -> AgendaEntry:
    """The author's reworked agenda entry. ProposalConflict when it is no longer theirs to
    rework."""
    authority = authority_of_user(user)
    return proposals.proposal_rework(
        proposal, user, lambda draft: _apply_entry(draft, content, authority)
    )


def _apply_entry(
    entry: AgendaEntry, content: AgendaEntryContent, authority: Authority | None
) -> None:
    for field in dataclasses.fields(AgendaEntryContent):
        if field.name != "themes":
            setattr(entry, field.name, getattr(content, field.name))
    entry.themes = list(content.themes)
    # The organising authority is the member's own when their authority organises it.
    entry.authority = authority if content.origin == EntryOrigin.MEMBER else None


# -- a user's proposals --------------------------------------------------------------------


def proposals_of_user(user: object, limit: int | None = None) -> list[Proposal]:
    """The user's proposals of articles and agenda entries, latest first."""
    return proposals.proposals_of(user, PROPOSED_MODELS, limit)


def article_proposal_of_user(user: object, pk: int) -> Proposal | None:
    return proposals.proposal_of(user, Article, pk)


def agenda_proposal_of_user(user: object, pk: int) -> Proposal | None:
    return proposals.proposal_of(user, AgendaEntry, pk)


def proposal_draft(proposal: Proposal, user: object) -> Article | AgendaEntry:
    """The item as its author last wrote it: what the rework form shows."""
    return proposals.proposal_draft(proposal, user)
