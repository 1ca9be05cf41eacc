"""Members' proposals of news: propose an article or an agenda entry, follow one's proposals
and rework them. The team moderates them in the admin (see moderation.py)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from wagtail.images import get_image_model

from essor.core.permissions import login_required, member_required
from essor.members.selectors import authority_of_user
from essor.news import moderation
from essor.news.forms import AgendaEntryProposalForm, ArticleProposalForm

SENT = (
    "Votre proposition a été transmise à l'équipe du réseau. Elle sera publiée après "
    "relecture ; vous recevrez un courriel à chaque étape."
)
CONFLICT = (
    "Votre proposition n'a pas été envoyée : elle n'est plus à reprendre (l'équipe l'a "
    "peut-être déjà traitée). Votre texte est conservé ci-dessous ; consultez vos "
    "propositions avant de le renvoyer."
)


@member_required
@require_http_methods(["GET", "POST"])
def propose_article(request: HttpRequest) -> HttpResponse:
    return _new(request, "article")


@member_required
@require_http_methods(["GET", "POST"])
def propose_agenda_entry(request: HttpRequest) -> HttpResponse:
    return _new(request, "agenda")


@login_required
def my_proposals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "news/proposal_list.html",
        {
            "proposals": moderation.proposals_of_user(request.user),
            "kind_labels": moderation.KIND_LABELS,
            "may_propose": moderation.may_propose(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rework(request, "article", moderation.article_proposal_of_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def agenda_proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rework(request, "agenda", moderation.agenda_proposal_of_user(request.user, pk))


def _new(request: HttpRequest, what: str) -> HttpResponse:
    if not moderation.may_propose(request.user):
        if request.method == "POST":
            raise PermissionDenied
        return render(request, _TEMPLATES[what], {"unattached": True, "mode": "new"})
    return _proposal_form(request, what, proposal=None)


def _rework(request: HttpRequest, what: str, proposal: moderation.Proposal | None) -> HttpResponse:
    if proposal is None:
        raise Http404("Proposition introuvable")
    if not proposal.can_rework:
        messages.info(
            request,
            f"Votre proposition « {proposal.title} » est {proposal.status.label.lower()} : "
            "elle ne peut pas être reprise maintenant.",
        )
        return redirect("news:my_proposals")
    return _proposal_form(request, what, proposal=proposal)


_TEMPLATES = {"article": "news/proposal_article.html", "agenda": "news/proposal_agenda.html"}


def _proposal_form(
    request: HttpRequest, what: str, proposal: moderation.Proposal | None
) -> HttpResponse:
    """The form of a new proposal or of the rework of one's own, prefilled from the author's
    latest revision. On error it comes back with what was typed."""
    data = request.POST if request.method == "POST" else None
    files = request.FILES if data is not None else None
    draft = moderation.proposal_draft(proposal, request.user) if proposal else None
    authority = authority_of_user(request.user)
    if what == "article":
        form = ArticleProposalForm(
            data,
            files,
            initial=ArticleProposalForm.initial_from(draft) if draft else None,
            authority=authority,
            current_image=_current_image(draft),
        )
    else:
        form = AgendaEntryProposalForm(
            data, initial=AgendaEntryProposalForm.initial_from(draft) if draft else None
        )
    if data is not None and form.is_valid():
        try:
            _submit(request, what, form.cleaned_data, proposal)
        except moderation.ProposalConflict:
            form.add_error(None, CONFLICT)
        else:
            messages.success(request, SENT)
            return redirect("news:my_proposals")
    return render(
        request,
        _TEMPLATES[what],
        {
            "mode": "rework" if proposal else "new",
            "form": form,
            "authority": authority,
            "proposal": proposal,
            # A browser never keeps a chosen file when a form comes back.
            "file_again": data is not None and bool(request.FILES),
        },
    )


def _current_image(draft: object | None) -> object | None:
    # A revision may point at an image the team deleted since.
    if draft is None or not draft.image_id:
        return None
    return get_image_model().objects.filter(pk=draft.image_id).first()


def _submit(
    request: HttpRequest, what: str, cleaned: dict, proposal: moderation.Proposal | None
) -> None:
    if what == "article":
        content = moderation.ArticleContent.from_form(cleaned)
        submit: Callable = (
            moderation.article_proposal_resubmit if proposal else moderation.article_propose
        )
    else:
        content = moderation.AgendaEntryContent.from_form(cleaned)
        submit = (
            moderation.agenda_entry_proposal_resubmit
            if proposal
            else moderation.agenda_entry_propose
        )
    if proposal:
        submit(request.user, proposal, content)
    else:
        submit(request.user, content)
