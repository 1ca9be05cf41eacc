"""Admin screens for events (a snippet with drafts, revisions and preview, its programme nested
in it) and the registrations, and the module's places in the layout."""

from django import forms
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    TitleFieldPanel,
)
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from essor.core.admin_views import RecordSnippetEditView
from essor.core.navigation import MAIN_MENU_HOOK, NavEntry
from essor.events import (  # noqa: F401 - each registers its own hooks
    cancellation_hooks,
    document_hooks,
    public_hooks,
    registration_hooks,
)
from essor.events.models import Evaluation, Event, EventSession, Registration

# The nested panels of a session: who speaks, what came out of it.
EventSession.panels = [
    FieldRowPanel([FieldPanel("title"), FieldPanel("format")]),
    FieldRowPanel(
        [FieldPanel("day"), FieldPanel("start_time"), FieldPanel("end_time"), FieldPanel("site")]
    ),
    FieldPanel("questions"),
    InlinePanel("contributions", heading="Intervenant·es et animation", label="intervention"),
    FieldPanel("summary"),
    InlinePanel(
        "outputs",
        heading="Productions (idées clés, idées divergentes, citations)",
        label="production",
    ),
]


class EventViewSet(SnippetViewSet):
    # Header buttons: registrations, documents, cancellation.
    edit_view_class = RecordSnippetEditView
    model = Event
    icon = "date"
    menu_label = "Événements"
    admin_url_namespace = "event"
    base_url_path = "evenements/evenement"
    list_display = ["title", "kind", "starts_at", "live", "cancelled_at", "updated_at"]
    list_filter = ["live", "kind", "audience", "themes"]
    list_per_page = 50
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [
                TitleFieldPanel("title"),
                FieldPanel("slug"),
                FieldRowPanel([FieldPanel("kind"), FieldPanel("audience")]),
                FieldPanel("summary"),
            ],
            heading="L'événement",
        ),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldPanel("online"),
                FieldRowPanel([FieldPanel("venue"), FieldPanel("address")]),
                FieldPanel("commune"),
                FieldPanel("online_url"),
            ],
            heading="Date et lieu",
        ),
        InlinePanel(
            "sites",
            heading="Sites (événement sur plusieurs lieux à la fois)",
            label="site",
        ),
        InlinePanel(
            "organisers", heading="Organisateurs et partenaires", label="organisateur ou partenaire"
        ),
        InlinePanel("sessions", heading="Programme", label="séance"),
        MultiFieldPanel(
            [
                FieldPanel("registration_enabled"),
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("allows_on_site"),
                        FieldPanel("allows_live"),
                        FieldPanel("allows_replay"),
                    ]
                ),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("price")]),
            ],
            heading="Inscriptions",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("participant_count"), FieldPanel("participant_count_is_estimate")]
                ),
                FieldPanel("replay_url"),
                FieldPanel("slides"),
                FieldPanel("evaluation_enabled"),
            ],
            heading="Après l'événement",
        ),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("authorities"),
                FieldPanel("initiatives"),
                FieldPanel("practice_sheets"),
                FieldPanel("publications"),
            ],
            heading="Liens",
        ),
    ]


class RegistrationViewSet(ModelViewSet):
    model = Registration
    icon = "group"
    menu_label = "Inscriptions"
    url_prefix = "evenements/inscriptions"
    url_namespace = "registration"  # name in the group: see ParticipantsViewSetGroup
    list_display = ["last_name", "first_name", "email", "event", "mode", "status", "attended"]
    list_filter = ["status", "mode", "attended", "is_member"]
    search_fields = ["last_name", "first_name", "email", "organisation"]
    list_per_page = 100
    inspect_view_enabled = True
    form_fields = [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "position_title",
        "mode",
        "needs",
        "attended",
    ]


class EvaluationViewSet(ModelViewSet):
    model = Evaluation
    icon = "pick"
    menu_label = "Évaluations"
    url_prefix = "evenements/evaluations"
    url_namespace = "evaluation"
    list_display = ["registration", "satisfaction", "usefulness", "quote_allowed", "featured"]
    list_filter = ["featured", "quote_allowed", "satisfaction"]
    list_per_page = 100
    inspect_view_enabled = True
    form_fields = ["featured"]


class EventsViewSetGroup(SnippetViewSetGroup):
    items = (EventViewSet,)
    menu_icon = "date"
    menu_label = "Événements"
    menu_name = "events"
    menu_order = 220


register_snippet(EventsViewSetGroup)


class ParticipantsViewSetGroup(ViewSetGroup):
    items = (RegistrationViewSet, EvaluationViewSet)
    menu_icon = "group"
    menu_label = "Participants"
    menu_name = "participants"
    menu_order = 221


@hooks.register("register_admin_viewset")
def register_participants_viewsets():
    return ParticipantsViewSetGroup()


@hooks.register(MAIN_MENU_HOOK)
def events_menu_entry() -> NavEntry:
    return NavEntry(
        "Agenda",
        "events:agenda",
        order=30,
        description="Rencontres, journées d'échanges, formations et conférences en ligne.",
    )
