"""Where members' proposals plug into the site and Wagtail: the member space panel, the
admin history label of a refusal, the e-mails to authors and the workflow's set-up after
each migration. The receivers serve every registered kind of proposal (initiatives, news
articles, agenda entries: see moderation.ProposalKind); the panel and data export here are
the initiatives' own. Imported by wagtail_hooks.py (and apps.py) — importing it twice is
harmless: signal receivers carry a dispatch_uid."""

from django.apps import apps
from django.db.models.signals import post_migrate
from django.http import HttpRequest
from django.urls import reverse
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.models import WorkflowState
from wagtail.signals import workflow_approved, workflow_cancelled, workflow_rejected

from essor.core.navigation import MEMBER_SPACE_PANELS_HOOK
from essor.initiatives import moderation
from essor.initiatives.workflow import REFUSE_LOG_ACTION, ProposalRefusal, proposal_refused

PANEL_SIZE = 5


@hooks.register(MEMBER_SPACE_PANELS_HOOK)
def proposals_panel(request: HttpRequest) -> dict | None:
    """The user's latest proposals in their member space, with a way to propose one."""
    proposals = moderation.proposals_of_user(request.user, limit=PANEL_SIZE + 1)
    return {
        "title": "Mes propositions d'initiatives",
        "template": "initiatives/includes/proposal_panel.html",
        "context": {
            "proposals": proposals[:PANEL_SIZE],
            "more": len(proposals) > PANEL_SIZE,
            "may_propose": moderation.may_propose(request.user),
            "propose_url": reverse("initiatives:propose"),
            "my_proposals_url": reverse("initiatives:my_proposals"),
        },
    }


@hooks.register("register_log_actions")
def proposal_log_actions(actions: object) -> None:
    @actions.register_action(REFUSE_LOG_ACTION)
    class ProposalRefusalFormatter(LogFormatter):
        label = "Proposition refusée"

        def format_message(self, log_entry: object) -> str:
            return "Proposition refusée, message envoyé à son auteur"

        def format_comment(self, log_entry: object) -> str:
            return log_entry.data.get("comment", "")


def connect_receivers() -> None:
    """The authors' e-mails and the workflow set-up after `migrate`."""
    workflow_approved.connect(
        moderation.notify_published, sender=WorkflowState, dispatch_uid="essor-proposal-published"
    )
    workflow_cancelled.connect(
        moderation.notify_published_directly,
        sender=WorkflowState,
        dispatch_uid="essor-proposal-published-directly",
    )
    workflow_rejected.connect(
        moderation.notify_changes_requested,
        sender=WorkflowState,
        dispatch_uid="essor-proposal-changes-requested",
    )
    proposal_refused.connect(
        moderation.notify_refused, sender=ProposalRefusal, dispatch_uid="essor-proposal-refused"
    )
    post_migrate.connect(
        moderation.moderation_workflow_ensure_after_migrate,
        sender=apps.get_app_config("initiatives"),
        dispatch_uid="essor-proposal-workflow",
    )


connect_receivers()


@hooks.register("essor_personal_data")
def my_proposals_data(user: object) -> dict:
    """The user's proposals in their data export: what they proposed, when, and its fate."""
    return {
        "propositions_d_initiatives": [
            {
                "initiative": proposal.title,
                "modification_d_une_initiative_publiee": proposal.is_change,
                "transmise_le": proposal.submitted_at.isoformat(),
                "statut": proposal.status.label,
                "message_de_l_equipe": proposal.message,
            }
            for proposal in moderation.proposals_of_user(user)
        ]
    }
