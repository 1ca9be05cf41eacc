"""Admin of the letters: the menu "Lettres" with the issues (view set "letter_issue": list with
the sending figures, the form with its items, and the issue's own screens in admin_views.py)
and the subscribers (admin_subscriptions.py registers itself)."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from essor.letters import (  # noqa: F401 - the subscribers' admin and hooks register themselves
    admin_subscriptions,
    admin_views,
    subscription_hooks,
)
from essor.letters.models import Issue, IssueItem

IssueItem.panels = [
    FieldPanel("article"),
    FieldPanel("event"),
    FieldPanel("agenda_entry"),
]


class IssueViewSet(ModelViewSet):
    model = Issue
    icon = "mail"
    menu_label = "Numéros"
    url_prefix = "lettres/numeros"
    url_namespace = "letter_issue"
    index_view_class = admin_views.IssueIndexView
    add_view_class = admin_views.IssueCreateView
    edit_view_class = admin_views.IssueEditView
    delete_view_class = admin_views.IssueDeleteView
    copy_view_enabled = False  # a copy would take the original's number
    inspect_view_enabled = True
    list_display = [
        "__str__",
        "title",
        "date",
        "status",
        Column("sent_count", label="Envoyés"),
        Column("failed_count", label="Échecs"),
        Column("unsubscribed_count", label="Désabonnements"),
    ]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("number"), FieldPanel("date")]),
                    FieldPanel("title"),
                ],
                heading="Le numéro",
            ),
            FieldPanel("editorial"),
            admin_views.IssueItemsPanel(
                "items",
                heading="Éléments (regroupés par rubrique dans la lettre, puis l'agenda)",
                label="élément",
                help_text="Un article, un événement du réseau ou un événement de l'agenda par "
                "ligne. « Ajouter les articles du mois » (menu du titre) les ajoute d'un coup.",
            ),
        ],
        base_form_class=admin_views.IssueForm,
    )

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/composer/", admin_views.ComposeView.as_view(), name="compose"),
            path("<int:pk>/apercu/", admin_views.PreviewView.as_view(), name="preview"),
            path("<int:pk>/test/", admin_views.TestSendView.as_view(), name="test_send"),
            path("<int:pk>/programmer/", admin_views.ScheduleView.as_view(), name="schedule"),
            path(
                "<int:pk>/deprogrammer/",
                admin_views.UnscheduleView.as_view(),
                name="unschedule",
            ),
            path("<int:pk>/envoyer/", admin_views.SendNowView.as_view(), name="send_now"),
            path("<int:pk>/avancement/", admin_views.ProgressView.as_view(), name="progress"),
        ]


class LettersViewSetGroup(ViewSetGroup):
    items = (IssueViewSet,)
    menu_icon = "mail"
    menu_label = "Lettres"
    menu_name = "letters"
    menu_order = 240


@hooks.register("register_admin_viewset")
def register_letters_viewsets() -> ViewSetGroup:
    return LettersViewSetGroup()
