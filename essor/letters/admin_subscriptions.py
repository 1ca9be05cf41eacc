"""Admin screens of the subscribers (editors): the list with its filters, search and CSV
export (filter "Abonné·e" then export: the confirmed addresses), the inspection of a
subscription and its consent proof, a change of state that never fakes a consent, and the
import of an existing list.

Nobody is added by hand here: the "add" permission is withheld by this model's permission
policy, so that every subscriber comes with a consent (the form, an import with its date, the
membership). The consent proof is shown, never edited.

Imported by wagtail_hooks.py; the hooks below register the view set and the import screen.
"""

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from essor.letters import subscriptions
from essor.letters.models import Subscription, SubscriptionStatus
from essor.letters.subscription_forms import SubscriptionImportForm

IMPORT_URL_NAME = "subscription_import"


class SubscriptionPermissionPolicy(ModelPermissionPolicy):
    """The model's permissions, "add" excepted for everyone: see the module's docstring."""

    def user_has_permission(self, user: object, action: str) -> bool:
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user: object, actions: list[str]) -> bool:
        return super().user_has_any_permission(user, [a for a in actions if a != "add"])


_policy = SubscriptionPermissionPolicy(Subscription)
register_permission_policy(Subscription, _policy, exact_class=True)


class SubscriptionStateForm(WagtailAdminModelForm):
    """Only the state changes; a subscription is confirmed only with its consent proof."""

    class Meta:
        model = Subscription
        fields = ["status"]

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if status == SubscriptionStatus.CONFIRMED and self.instance.consent_at is None:
            raise forms.ValidationError(
                "Cette adresse n'a pas donné son consentement (aucune date enregistrée) : elle "
                "ne peut pas être abonnée. Envoyez-lui une demande de confirmation par l'import, "
                "ou invitez la personne à s'abonner avec le formulaire du site."
            )
        return status

    def save(self, commit: bool = True) -> Subscription:
        subscription = self.instance
        if "status" in self.changed_data:
            now = timezone.now()
            if subscription.status == SubscriptionStatus.UNSUBSCRIBED:
                subscription.unsubscribed_at = now
            elif subscription.status == SubscriptionStatus.CONFIRMED:
                subscription.confirmed_at = subscription.confirmed_at or now
            elif subscription.status == SubscriptionStatus.BOUNCED:
                subscription.bounced_at = now
        return super().save(commit)


class SubscriptionIndexView(generic.IndexView):
    @property
    def header_buttons(self) -> list:
        return [
            HeaderButton("Importer une liste", url=reverse(IMPORT_URL_NAME), icon_name="upload")
        ]


class SubscriptionViewSet(ModelViewSet):
    model = Subscription
    icon = "mail"
    menu_label = "Abonnés"
    menu_order = 420
    add_to_admin_menu = True
    url_prefix = "lettres/abonnes"
    url_namespace = "subscription"
    index_view_class = SubscriptionIndexView
    list_display = ["email", "kind", "status", "consent_source", "consent_at", "created_at"]
    list_filter = ["kind", "status", "consent_source"]
    search_fields = ["email"]
    search_backend_name = None  # the database's own filtering: an address is searched exactly
    list_per_page = 100
    list_export = ["email", "kind", "status", "consent_source", "consent_at", "confirmed_at"]
    export_filename = "abonnes"
    inspect_view_enabled = True
    inspect_view_fields = [
        "email",
        "kind",
        "status",
        "user",
        "consent_source",
        "consent_text",
        "consent_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "unsubscribed_from",
        "bounced_at",
        "created_at",
    ]
    copy_view_enabled = False

    def get_form_class(self, for_update: bool = False) -> type:
        return SubscriptionStateForm


subscription_viewset = SubscriptionViewSet("subscription")


class SubscriptionImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    permission_policy = _policy
    permission_required = "change"
    form_class = SubscriptionImportForm
    template_name = "letters/subscription_import.html"
    page_title = "Importer des abonnés"
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("subscription:index"), "label": "Abonnés"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context.setdefault("report", None)
        context.setdefault("result", None)
        context.update(
            action_url=reverse(IMPORT_URL_NAME),
            submit_button_label="Importer",
            submit_button_active_label="Import en cours…",
            subscriptions_url=reverse("subscription:index"),
            pending_days=settings.ESSOR_LETTERS_PENDING_DAYS,
        )
        return context

    def form_valid(self, form: SubscriptionImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        report = subscriptions.subscription_import_check(
            upload.read(), upload.name, form.cleaned_data["kind"]
        )
        result = None
        if report.ok:
            result = subscriptions.subscription_import_apply(
                report, send_confirmation=form.cleaned_data["send_confirmation"]
            )
        return self.render_to_response(
            self.get_context_data(form=form, report=report, result=result)
        )


@hooks.register("register_admin_viewset")
def register_subscription_viewset() -> ModelViewSet:
    return subscription_viewset


@hooks.register("register_admin_urls")
def register_subscription_import_urls() -> list:
    return [
        path(
            "lettres/abonnes/importer/",
            SubscriptionImportView.as_view(),
            name=IMPORT_URL_NAME,
        )
    ]
