"""The moderation task of members' proposals, and the record of a definitive refusal.

Wagtail's group approval task knows two outcomes besides approval: "request changes" (its
"reject": the workflow waits for the submitter) and nothing else. The network also refuses a
proposal outright, with a message; a refusal ends the workflow (so the initiative is free for
another proposal) and is recorded as a `ProposalRefusal`, which is how the member's list tells
"refused" from a workflow an editor merely cancelled. See moderation.py for the services.
"""

from django import forms
from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from wagtail.forms import TaskStateCommentForm
from wagtail.log_actions import log
from wagtail.models import AbstractGroupApprovalTask, TaskState, WorkflowState

APPROVE = "approve"
REQUEST_CHANGES = "reject"  # Wagtail's name for "request changes"
REFUSE = "refuse"
REFUSE_LOG_ACTION = "initiatives.proposal_refuse"

# Sent once a refusal is recorded: `refusal` (ProposalRefusal), `user` (the editor).
proposal_refused = Signal()


class ProposalMessageForm(TaskStateCommentForm):
    """The message to the submitter, required when changes are asked or the proposal refused:
    it is what the e-mail tells them."""

    comment = forms.CharField(
        label="Message à la personne qui a fait la proposition",
        help_text="Il lui est envoyé par courriel, avec le lien pour reprendre sa proposition.",
        widget=forms.Textarea({"rows": 4}),
        error_messages={"required": "Écrivez un message : il explique votre décision."},
    )


class ProposalReviewTask(AbstractGroupApprovalTask):
    """A group approval whose reviewers publish, ask for changes, or refuse outright."""

    def get_actions(self, obj: object, user: object) -> list[tuple[str, str, bool]]:
        if not (user.is_superuser or self._user_in_groups(user)):
            return []
        return [
            (APPROVE, "Publier", False),
            (APPROVE, "Publier avec un message", True),
            (REQUEST_CHANGES, "Demander des modifications", True),
            (REFUSE, "Refuser", True),
        ]

    def get_form_for_action(self, action: str) -> type[forms.Form]:
        if action in (REQUEST_CHANGES, REFUSE):
            return ProposalMessageForm
        return super().get_form_for_action(action)

    @transaction.atomic
    def on_action(
        self, task_state: TaskState, user: object, action_name: str, **kwargs: object
    ) -> None:
        if action_name == REFUSE:
            self.refuse(task_state, user, comment=str(kwargs.get("comment", "")))
        else:
            super().on_action(task_state, user, action_name, **kwargs)

    @transaction.atomic
    def refuse(self, task_state: TaskState, user: object, comment: str) -> "ProposalRefusal":
        """End the workflow with a refusal: the task state is closed as rejected with the
        message (Wagtail's history shows it), the workflow cancelled, the refusal recorded."""
        task_state.reject(user=user, update=False, comment=comment)
        workflow_state = task_state.workflow_state
        workflow_state.cancel(user=user)
        refusal = ProposalRefusal.objects.create(
            workflow_state=workflow_state, message=comment, refused_by=user
        )
        log(
            instance=task_state.revision.as_object(),
            action=REFUSE_LOG_ACTION,
            user=user,
            revision=task_state.revision,
            data={"comment": comment},
        )
        proposal_refused.send(sender=ProposalRefusal, refusal=refusal, user=user)
        return refusal

    @classmethod
    def get_description(cls) -> str:
        return (
            "Les membres des groupes choisis publient la proposition, demandent des "
            "modifications ou la refusent, avec un message envoyé à son auteur."
        )

    class Meta:
        verbose_name = "relecture des propositions des membres"
        verbose_name_plural = "relectures des propositions des membres"


class ProposalRefusal(models.Model):
    """A proposal the network refused, with the message sent to its author."""

    workflow_state = models.OneToOneField(
        WorkflowState,
        verbose_name="modération",
        on_delete=models.CASCADE,
        related_name="proposal_refusal",
    )
    message = models.TextField("message")
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="refusée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refused_at = models.DateTimeField("refusée le", auto_now_add=True)

    class Meta:
        verbose_name = "refus d'une proposition"
        verbose_name_plural = "refus de propositions"

    def __str__(self) -> str:
        return f"Refus du {self.refused_at:%d/%m/%Y}"
