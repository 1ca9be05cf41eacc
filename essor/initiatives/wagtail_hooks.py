"""Admin screens for initiatives and practice sheets (snippets with drafts, revisions,
moderation workflow and preview) and the module's places in the layout."""

from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    MultipleChooserPanel,
    TitleFieldPanel,
)
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from essor.core.admin_views import RecordSnippetEditView
from essor.core.navigation import MAIN_MENU_HOOK, NavEntry
from essor.core.search_sources import SEARCH_SOURCES_HOOK, SearchSource
from essor.initiatives import (
    moderation_hooks,  # noqa: F401 - members' proposals: member space panel, e-mails, workflow
    related,  # noqa: F401 - an authority's initiatives on its sheet, home figures
    search_documents,
)
from essor.initiatives.models import Initiative, PracticeSheet


class InitiativeViewSet(SnippetViewSet):
    edit_view_class = RecordSnippetEditView
    model = Initiative
    icon = "site"
    menu_label = "Initiatives"
    admin_url_namespace = "initiative"
    base_url_path = "initiatives/initiative"
    list_display = ["name", "legal_form", "year_started", "live", "updated_at"]
    list_filter = ["live", "legal_form", "themes", "territory_types"]
    list_per_page = 50
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [TitleFieldPanel("name"), FieldPanel("slug"), FieldPanel("summary")],
            heading="L'initiative",
        ),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("carrier_name"),
                FieldPanel("carrier"),
                FieldRowPanel([FieldPanel("legal_form"), FieldPanel("year_started")]),
                FieldPanel("website"),
            ],
            heading="Structure porteuse",
        ),
        MultiFieldPanel(
            [FieldPanel("themes"), FieldPanel("territory_types")],
            heading="Thèmes et types de territoire",
        ),
        MultipleChooserPanel(
            "places",
            chooser_field_name="territory",
            heading="Territoires d'action",
            label="Territoire",
        ),
        InlinePanel("involvements", heading="Collectivités impliquées", label="Collectivité"),
        InlinePanel("lever_uses", heading="Leviers mobilisés", label="Levier"),
        InlinePanel("key_figures", heading="Chiffres clés", label="Chiffre"),
        InlinePanel("financings", heading="Financements", label="Financement"),
        InlinePanel("contacts", heading="Contacts (réservés aux membres)", label="Contact"),
        InlinePanel("sources", heading="Sources", label="Source"),
    ]


class PracticeSheetViewSet(SnippetViewSet):
    model = PracticeSheet
    icon = "doc-full"
    menu_label = "Fiches « Déniché pour vous »"
    admin_url_namespace = "practicesheet"
    base_url_path = "initiatives/fiche"
    list_display = ["number", "title", "theme", "published_on", "live"]
    list_filter = ["live", "theme", "licence"]
    list_per_page = 50
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("number"), FieldPanel("published_on")]),
                TitleFieldPanel("title"),
                FieldPanel("slug"),
                FieldRowPanel([FieldPanel("theme"), FieldPanel("licence")]),
            ],
            heading="La fiche",
        ),
        FieldPanel("origin"),
        FieldPanel("financing"),
        FieldPanel("authorities_role"),
        FieldPanel("key_figures"),
        FieldPanel("contacts"),
        MultiFieldPanel(
            [
                FieldPanel("origin_event"),
                FieldPanel("origin_event_url"),
            ],
            heading="Journée d'origine",
        ),
        MultipleChooserPanel(
            "initiative_links",
            chooser_field_name="initiative",
            heading="Initiatives présentées",
            label="Initiative",
        ),
        MultipleChooserPanel(
            "authority_links",
            chooser_field_name="authority",
            heading="Collectivités citées",
            label="Collectivité",
        ),
    ]


class InitiativesViewSetGroup(SnippetViewSetGroup):
    items = (InitiativeViewSet, PracticeSheetViewSet)
    menu_icon = "site"
    menu_label = "Initiatives"
    menu_name = "initiatives"
    menu_order = 210


register_snippet(InitiativesViewSetGroup)


@hooks.register(MAIN_MENU_HOOK)
def initiatives_menu_entry() -> NavEntry:
    return NavEntry(
        "Initiatives",
        "initiatives:list",
        order=20,
        description="Les initiatives des territoires et les fiches « Déniché pour vous ».",
    )


@hooks.register(SEARCH_SOURCES_HOOK)
def initiatives_search_source() -> SearchSource:
    return search_documents.initiative_source()


@hooks.register(SEARCH_SOURCES_HOOK)
def sheets_search_source() -> SearchSource:
    return search_documents.sheet_source()
