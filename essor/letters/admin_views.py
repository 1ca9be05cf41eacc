"""Admin screens of an issue, beside its edit form (view set "letter_issue", wagtail_hooks.py):
"add the month's articles", the preview with the test send and the scheduling, the
confirmation of sending now, and the progress of the sending.

Every change is a POST with its CSRF token; the permission is checked before the issue is
looked up. The sending itself (sending.py) says why an issue cannot go (`IssueNotReady`): the
screen shows its message beside the form, which keeps what was typed.
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import InlinePanel
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from essor.core.admin_views import RecordHeaderButtonsMixin
from essor.letters import composition, selectors, sending
from essor.letters.models import Issue, IssueStatus, LetterKind
from essor.letters.rendering import UNSUBSCRIBE_URL_MARK, issue_render

MAX_TEST_ADDRESSES = 5
# What the preview puts where each recipient's own unsubscribe address will be.
PREVIEW_UNSUBSCRIBE_URL = "https://exemple.invalid/lettres/desinscription/apercu/"
_policy = ModelPermissionPolicy(Issue)
_SEPARATORS = re.compile(r"[\s,;]+")


class IssueItemsPanel(InlinePanel):
    """The issue's items, whose lines are checked by IssueItemForm (InlinePanel has no option
    for its lines' form class)."""

    def get_form_options(self) -> dict:
        options = super().get_form_options()
        options["form"] = IssueItemForm
        return options


# -- forms ------------------------------------------------------------------------------------


class IssueItemForm(WagtailAdminModelForm):
    """One line of the issue: exactly one article, network event or agenda entry."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A line added and left empty is a mistake to point out, not a line to skip.
        self.empty_permitted = False

    def clean(self) -> dict:
        data = super().clean()
        chosen = [name for name in ("article", "event", "agenda_entry") if data.get(name)]
        if len(chosen) != 1 and not data.get("DELETE"):
            raise ValidationError(
                "Choisissez un seul élément par ligne : un article, un événement du réseau "
                "ou un événement de l'agenda."
                if chosen
                else "Choisissez un article, un événement du réseau ou un événement de "
                "l'agenda, ou supprimez la ligne."
            )
        return data

    def _post_clean(self) -> None:
        # The model's "exactly one" constraint would only repeat the message above.
        if not self._errors:
            super()._post_clean()


class IssueForm(WagtailAdminModelForm):
    """The issue: refused once sending started; the public e-letter carries nothing that is
    for members only."""

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk and not self.instance.editable:
            raise ValidationError(
                "L'envoi de ce numéro a commencé : il ne peut plus être modifié, pour que "
                "personne ne reçoive deux versions différentes."
            )
        return data

    def is_valid(self) -> bool:
        # The items are cleaned after the issue's own fields: checked once both are.
        valid = super().is_valid()
        if valid and self.cleaned_data.get("kind") == LetterKind.LETTER:
            valid = self._members_only_refused() == 0
        return valid

    def _members_only_refused(self) -> int:
        refused = 0
        formset = self.formsets.get("items")
        if formset is None:
            return refused
        for form in formset.forms:
            item = getattr(form, "cleaned_data", None) or {}
            if item.get("DELETE"):
                continue
            for name in ("article", "event", "agenda_entry"):
                target = item.get(name)
                if target is not None and target.members_only:
                    refused += 1
                    form.add_error(
                        name,
                        f"« {target} » est réservé aux adhérents : la lettre électronique est "
                        "publique. Choisissez le Flash hebdo ou un autre élément.",
                    )
        return refused


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label="Adresses de test",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Jusqu'à {MAX_TEST_ADDRESSES} adresses, séparées par des virgules ou des "
        "retours à la ligne. Le courriel de test porte « [TEST] » dans son objet.",
    )

    def clean_addresses(self) -> list[str]:
        addresses = []
        for address in _SEPARATORS.split(self.cleaned_data["addresses"].strip()):
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError as error:
                raise ValidationError(
                    f"« {address} » n'est pas une adresse électronique valide."
                ) from error
            if address.lower() not in addresses:
                addresses.append(address.lower())
        if not addresses:
            raise ValidationError("Indiquez au moins une adresse.")
        if len(addresses) > MAX_TEST_ADDRESSES:
            raise ValidationError(
                f"{len(addresses)} adresses : un envoi de test va à {MAX_TEST_ADDRESSES} "
                "adresses au plus."
            )
        return addresses


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label="Date et heure d'envoi",
        widget=AdminDateTimeInput,
        help_text="Heure de Paris. L'envoi commence à cette heure, dans la minute qui suit.",
    )

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise ValidationError("Choisissez une date et une heure à venir.")
        return when


# -- the view set's own views -------------------------------------------------------------------


def _issue_buttons(issue: Issue) -> list[Button]:
    buttons = [
        Button(
            "Aperçu, test et envoi",
            url=reverse("letter_issue:preview", args=[issue.pk]),
            icon_name="view",
            priority=30,
        ),
        Button(
            "Avancement de l'envoi",
            url=reverse("letter_issue:progress", args=[issue.pk]),
            icon_name="mail",
            priority=32,
        ),
    ]
    if issue.editable:
        buttons.insert(
            0,
            Button(
                "Ajouter les articles du mois",
                url=reverse("letter_issue:compose", args=[issue.pk]),
                icon_name="plus",
                priority=28,
            ),
        )
    return buttons


class IssueIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.issues_with_figures(super().get_base_queryset())


class IssueCreateView(CreateView):
    def get_initial_form_instance(self) -> Issue:
        """A new issue of the kind asked (?kind=flash), with the next number of that kind."""
        kind = self.request.GET.get("kind")
        kind = kind if kind in LetterKind.values else LetterKind.LETTER
        return Issue(
            kind=kind,
            number=composition.issue_number_next(kind),
            date=timezone.localdate(),
            created_by=self.request.user,
        )


class IssueEditView(RecordHeaderButtonsMixin, EditView):
    """Refused once sending started: the screen sends the editor to its progress instead."""

    def _refusal(self) -> HttpResponse | None:
        issue = self.get_object()
        if issue.editable:
            return None
        messages.warning(
            self.request,
            f"L'envoi de « {issue} » a commencé : il ne peut plus être modifié.",
        )
        return HttpResponseRedirect(reverse("letter_issue:progress", args=[issue.pk]))

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return self._refusal() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return self._refusal() or super().post(request, *args, **kwargs)

    @cached_property
    def header_more_buttons(self) -> list:
        return [*_issue_buttons(self.object), *super().header_more_buttons]


class IssueDeleteView(DeleteView):
    """An issue whose sending started stays: its deliveries are the record of who got it."""

    def _refusal(self) -> HttpResponse | None:
        issue = self.get_object()
        if issue.editable:
            return None
        messages.warning(
            self.request, f"« {issue} » a été envoyé (ou est en cours d'envoi) : il reste."
        )
        return HttpResponseRedirect(reverse("letter_issue:progress", args=[issue.pk]))

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return self._refusal() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return self._refusal() or super().post(request, *args, **kwargs)


class IssueScreenView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """An admin screen about one issue, titled `screen_label`, under the issue's edit page.
    The permission is checked in dispatch, before the issue is looked up."""

    permission_policy = _policy
    permission_required = "change"
    screen_label = ""
    header_icon = "mail"

    @cached_property
    def issue(self) -> Issue:
        return get_object_or_404(Issue, pk=self.kwargs["pk"])

    def get_page_title(self) -> str:
        return self.screen_label

    def get_page_subtitle(self) -> str:
        return str(self.issue)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("letter_issue:index"), "label": "Numéros"},
            {"url": reverse("letter_issue:edit", args=[self.issue.pk]), "label": str(self.issue)},
            {"url": "", "label": self.screen_label},
        ]

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        issue = self.issue
        context.update(
            issue=issue,
            edit_url=reverse("letter_issue:edit", args=[issue.pk]),
            preview_url=reverse("letter_issue:preview", args=[issue.pk]),
            progress_url=reverse("letter_issue:progress", args=[issue.pk]),
            compose_url=reverse("letter_issue:compose", args=[issue.pk]),
        )
        return context

    def to_preview(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("letter_issue:preview", args=[self.issue.pk]))


class ComposeView(IssueScreenView):
    """GET: what "add the month's articles" would add; POST: adds it after the issue's items."""

    template_name = "letters/admin/compose.html"
    screen_label = "Ajouter les articles du mois"

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        candidates = composition.issue_candidates(self.issue, self.request.user)
        start, end = composition.composition_window(self.issue)
        context.update(candidates=candidates, window_start=start, window_end=end)
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            added = composition.issue_add_month_items(self.issue, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("letter_issue:progress", args=[pk]))
        if added:
            messages.success(
                request,
                f"{added} élément{'s' if added > 1 else ''} ajouté{'s' if added > 1 else ''} "
                "à la fin du numéro : réordonnez-les ou retirez-en avant l'envoi.",
            )
        else:
            messages.warning(request, "Rien à ajouter : le numéro contient déjà tout.")
        return HttpResponseRedirect(reverse("letter_issue:edit", args=[pk]))


class PreviewView(IssueScreenView):
    """The mail as subscribers will read it (HTML in a sandboxed frame, and its text version),
    with the test send and the scheduling. The forms' POST views re-render this screen with
    their errors, so nothing typed is lost."""

    template_name = "letters/admin/preview.html"
    screen_label = "Aperçu, test et envoi"
    test_form: TestSendForm | None = None
    schedule_form: ScheduleForm | None = None
    sending_error: str = ""

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        issue = self.issue
        rendered = issue_render(issue)
        scheduled = timezone.localtime(issue.scheduled_at) if issue.scheduled_at else None
        context.update(
            subject=rendered.subject,
            html=rendered.html.replace(UNSUBSCRIBE_URL_MARK, PREVIEW_UNSUBSCRIBE_URL),
            text=rendered.text.replace(UNSUBSCRIBE_URL_MARK, PREVIEW_UNSUBSCRIBE_URL),
            item_count=issue.items.count(),
            test_form=self.test_form
            or TestSendForm(initial={"addresses": self.request.user.email}),
            schedule_form=self.schedule_form
            or ScheduleForm(initial={"when": scheduled} if scheduled else None),
            sending_error=self.sending_error,
            can_schedule=issue.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED),
            is_scheduled=issue.status == IssueStatus.SCHEDULED,
            test_send_url=reverse("letter_issue:test_send", args=[issue.pk]),
            schedule_url=reverse("letter_issue:schedule", args=[issue.pk]),
            unschedule_url=reverse("letter_issue:unschedule", args=[issue.pk]),
            send_now_url=reverse("letter_issue:send_now", args=[issue.pk]),
            preview_unsubscribe_url=PREVIEW_UNSUBSCRIBE_URL,
        )
        return context


class TestSendView(PreviewView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.test_form = TestSendForm(request.POST)
        if self.test_form.is_valid():
            addresses = self.test_form.cleaned_data["addresses"]
            try:
                count = sending.issue_test_send(self.issue, addresses)
            except ValidationError as error:
                self.sending_error = " ".join(error.messages)
            else:
                messages.success(
                    request,
                    f"Envoi de test : {count} courriel{'s' if count > 1 else ''} envoyé"
                    f"{'s' if count > 1 else ''} à {', '.join(addresses)}.",
                )
                return self.to_preview()
        return self.render_to_response(self.get_context_data(), status=200)


class ScheduleView(PreviewView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.schedule_form = ScheduleForm(request.POST)
        if self.schedule_form.is_valid():
            when = self.schedule_form.cleaned_data["when"]
            try:
                sending.issue_schedule(self.issue, when, request.user)
            except ValidationError as error:
                self.sending_error = " ".join(error.messages)
            else:
                messages.success(
                    request,
                    f"« {self.issue} » partira le {timezone.localtime(when):%d/%m/%Y à %H:%M}.",
                )
                return self.to_preview()
        return self.render_to_response(self.get_context_data(), status=200)


class UnscheduleView(PreviewView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            sending.issue_unschedule(self.issue, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"L'envoi programmé de « {self.issue} » est annulé.")
        return self.to_preview()


class SendNowView(IssueScreenView):
    """GET: the confirmation (how many recipients, no way back); POST: sending starts."""

    template_name = "letters/admin/send_now.html"
    screen_label = "Envoyer maintenant"
    sending_error = ""

    def get_context_data(self, **kwargs: object) -> dict:
        from essor.letters.models import Subscription

        context = super().get_context_data(**kwargs)
        context.update(
            item_count=self.issue.items.count(),
            # An estimate: the sending counts again when it starts (and adds the members).
            recipient_count=Subscription.objects.receiving(self.issue.kind).count(),
            sending_error=self.sending_error,
            can_send=self.issue.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED),
            send_now_url=reverse("letter_issue:send_now", args=[self.issue.pk]),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            sending.issue_send_now(self.issue, request.user)
        except ValidationError as error:
            self.sending_error = " ".join(error.messages)
            return self.render_to_response(self.get_context_data())
        messages.success(request, f"L'envoi de « {self.issue} » a commencé.")
        return HttpResponseRedirect(reverse("letter_issue:progress", args=[pk]))


class ProgressView(IssueScreenView):
    """Deliveries by state, the figures and the failed addresses; while the issue is being
    sent (or about to be), the page reloads itself (a meta refresh: no script needed)."""

    template_name = "letters/admin/progress.html"
    screen_label = "Avancement de l'envoi"
    permission_required = "view"
    REFRESH_SECONDS = 10

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        issue = self.issue
        figures = selectors.issue_figures(issue)
        context.update(
            figures=figures,
            failed=selectors.issue_failed_deliveries(issue),
            failed_limit=selectors.FAILED_LIST_SIZE,
            refresh_seconds=self.REFRESH_SECONDS if issue.status == IssueStatus.SENDING else 0,
            is_sent=issue.status == IssueStatus.SENT,
        )
        return context
