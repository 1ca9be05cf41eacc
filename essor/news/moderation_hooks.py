"""The members' proposals of news in the layout: the member-space panel and the personal
data export. Their workflow, its e-mails and its set-up after `migrate` are the initiatives'
(essor.initiatives.moderation_hooks), which serve every registered kind of proposal: importing
news.moderation registers articles and agenda entries. Imported by apps.py."""

from django.http import HttpRequest
from django.urls import reverse
from wagtail import hooks

from essor.core.navigation import MEMBER_SPACE_PANELS_HOOK
from essor.news import moderation

PANEL_SIZE = 5


def _what(proposal: moderation.Proposal) -> str:
    return moderation.KIND_LABELS[proposal.kind.noun]


@hooks.register(MEMBER_SPACE_PANELS_HOOK)
def news_proposals_panel(request: HttpRequest) -> dict | None:
    """The user's latest proposed articles and events in their member space, with the ways
    to propose one."""
    proposals = moderation.proposals_of_user(request.user, limit=PANEL_SIZE + 1)
    may_propose = moderation.may_propose(request.user)
    if not proposals and not may_propose:
        return None
    return {
        "title": "Mes propositions d'actualités et d'événements",
        "template": "news/proposal_panel.html",
        "context": {
            "proposals": [(_what(p), p) for p in proposals[:PANEL_SIZE]],
            "more": len(proposals) > PANEL_SIZE,
            "may_propose": may_propose,
            "propose_article_url": reverse("news:propose_article"),
            "propose_agenda_entry_url": reverse("news:propose_agenda_entry"),
            "my_proposals_url": reverse("news:my_proposals"),
        },
    }


@hooks.register("essor_personal_data")
def news_proposals_data(user: object) -> dict:
    """The user's proposed articles and events in their data export, with their fate."""
    return {
        "propositions_d_actualites": [
            {
                "type": _what(proposal),
                "titre": proposal.title,
                "transmise_le": proposal.submitted_at.isoformat(),
                "statut": proposal.status.label,
                "message_de_l_equipe": proposal.message,
            }
            for proposal in moderation.proposals_of_user(user)
        ]
    }
