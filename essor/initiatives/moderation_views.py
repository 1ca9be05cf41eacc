"""Members' proposals: propose an initiative or a change to one, follow and rework one's
proposals. The team moderates them in the admin (see moderation.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from essor.core.permissions import login_required, member_required
from essor.initiatives import moderation
from essor.initiatives.forms import ProposalForm, key_figure_lines
from essor.initiatives.models import Initiative
from essor.members.selectors import authority_of_user

SENT = (
    "Votre proposition a été transmise à l'équipe du réseau. Elle sera publiée après "
    "relecture ; vous recevrez un courriel à chaque étape."
)
CONFLICT = (
    "Une autre proposition sur cette initiative est en cours de relecture par l'équipe du "
    "réseau : la vôtre n'a pas été envoyée. Votre texte est conservé ci-dessous ; "
    "renvoyez-le quand l'équipe aura traité la proposition en cours."
)


@member_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    if not moderation.may_propose(request.user):
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "initiatives/propose.html", {"unattached": True, "mode": "new"})
    return _proposal_form(request, mode="new", initial=None)


@login_required
@require_http_methods(["GET", "POST"])
def propose_change(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = Initiative.objects.published().filter(slug=slug).first()
    if initiative is None:
        raise Http404("Initiative introuvable")
    if not moderation.may_propose_change(request.user, initiative):
        raise PermissionDenied
    return _proposal_form(request, mode="change", initiative=initiative)


@login_required
def my_proposals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "initiatives/my_proposals.html",
        {
            "proposals": moderation.proposals_of_user(request.user),
            "may_propose": moderation.may_propose(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = moderation.proposal_of_user(request.user, pk)
    if proposal is None:
        raise Http404("Proposition introuvable")
    if not proposal.can_rework:
        messages.info(
            request,
            f"Votre proposition « {proposal.title} » est {proposal.status.label.lower()} : "
            "elle ne peut pas être reprise maintenant.",
        )
        return redirect("initiatives:my_proposals")
    return _proposal_form(request, mode="rework", proposal=proposal)


def _proposal_form(
    request: HttpRequest,
    *,
    mode: str,
    initial: Initiative | None = None,
    initiative: Initiative | None = None,
    proposal: moderation.Proposal | None = None,
) -> HttpResponse:
    """The form of the three kinds of proposal: a new initiative, a change to a published
    one, the rework of one's own proposal. On error it comes back with what was typed."""
    authority = authority_of_user(request.user)
    if mode == "change":
        initial = initiative.get_latest_revision_as_object()
    elif mode == "rework":
        initial = moderation.proposal_draft(proposal, request.user)
    data = request.POST if request.method == "POST" else None
    form = ProposalForm(
        data,
        request.FILES if data is not None else None,
        initial=ProposalForm.initial_from(initial, authority) if initial else None,
        with_authority=authority is not None,
    )
    figures = key_figure_lines(data, initial)
    if data is not None and form.is_valid() and figures.is_valid():
        content = moderation.ProposalContent.from_forms(form.cleaned_data, figures.rows())
        try:
            _submit(request, mode, content, initiative=initiative, proposal=proposal)
        except moderation.ProposalConflict:
            form.add_error(None, CONFLICT)
        else:
            messages.success(request, SENT)
            return redirect("initiatives:my_proposals")
    return render(
        request,
        "initiatives/propose.html",
        {
            "mode": mode,
            "form": form,
            "figures": figures,
            "authority": authority,
            "initiative": initiative,
            "proposal": proposal,
            "busy": mode == "change" and moderation.change_in_progress(initiative),
            "figures_have_errors": data is not None and figures.total_error_count() > 0,
            # A browser never keeps a chosen file when a form comes back.
            "file_again": data is not None and bool(request.FILES),
        },
    )


def _submit(
    request: HttpRequest,
    mode: str,
    content: moderation.ProposalContent,
    *,
    initiative: Initiative | None,
    proposal: moderation.Proposal | None,
) -> None:
    if mode == "new":
        moderation.initiative_propose(request.user, content)
    elif mode == "change":
        moderation.initiative_propose_change(initiative, request.user, content)
    else:
        moderation.proposal_resubmit(proposal, request.user, content)
