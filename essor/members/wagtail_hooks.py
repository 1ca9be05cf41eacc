"""Admin screens (Wagtail view sets) and the module's places in the layout."""

from django.http import HttpRequest
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from essor.core.admin_views import RecordEditView
from essor.core.choosers import NameSearchChooserViewSet
from essor.core.navigation import ACCOUNT_PANELS_HOOK, HOME_FIGURES_HOOK, MAIN_MENU_HOOK, NavEntry
from essor.core.roles import Role
from essor.core.search_sources import SEARCH_SOURCES_HOOK, SearchSource
from essor.members import (
    admin_import,  # noqa: F401  (its hooks: the import screen)
    search_documents,
    selectors,
)
from essor.members.models import (
    PROFILE_UPDATE_ACTION,
    Authority,
    AuthorityUser,
    Dues,
    GeneralAssembly,
    Membership,
    Organisation,
    Person,
    Position,
)


class AuthorityViewSet(ModelViewSet):
    edit_view_class = RecordEditView
    model = Authority
    icon = "home"
    menu_label = "Collectivités"
    list_display = ["name", "kind", "profile_updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "siren"]
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("slug"),
                FieldRowPanel([FieldPanel("kind"), FieldPanel("siren")]),
                FieldPanel("territory"),
            ],
            heading="Identité",
        ),
        MultiFieldPanel(
            [FieldPanel("website"), FieldPanel("address"), FieldPanel("themes")],
            heading="Coordonnées et thèmes",
        ),
        MultiFieldPanel(
            [FieldPanel("ess_context"), FieldPanel("ess_programme")],
            heading="Politique ESS",
        ),
        InlinePanel("policy_axes", heading="Axes d'intervention", label="Axe"),
        InlinePanel("ess_figures", heading="L'ESS du territoire en chiffres", label="Chiffre"),
        InlinePanel("ess_budgets", heading="Budget consacré à l'ESS", label="Budget annuel"),
    ]


class MembershipViewSet(ModelViewSet):
    """Memberships and dues are the administrators' business (see DESIGN.md, roles)."""

    model = Membership
    icon = "date"
    menu_label = "Adhésions"
    inspect_view_enabled = True
    list_display = ["authority", "joined_on", "left_on"]
    list_filter = ["joined_on", "left_on"]
    search_fields = ["authority__name"]
    form_fields = ["authority", "joined_on", "left_on", "note"]


class DuesViewSet(ModelViewSet):
    model = Dues
    icon = "pick"
    menu_label = "Cotisations"
    inspect_view_enabled = True
    list_display = ["authority", "year", "amount", "paid_on"]
    list_filter = ["year", "paid_on"]
    search_fields = ["authority__name"]
    form_fields = ["authority", "year", "amount", "paid_on"]


class GeneralAssemblyViewSet(ModelViewSet):
    model = GeneralAssembly
    icon = "group"
    menu_label = "Assemblées générales"
    inspect_view_enabled = True
    list_display = ["held_on", "place", "organisation"]
    form_fields = ["organisation", "held_on", "place", "attendance", "summary"]


class OrganisationViewSet(ModelViewSet):
    edit_view_class = RecordEditView
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    inspect_view_enabled = True
    list_display = ["name", "acronym", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]
    form_fields = ["name", "acronym", "slug", "kind", "website", "description", "founded", "seat"]


class PersonViewSet(ModelViewSet):
    edit_view_class = RecordEditView
    model = Person
    icon = "user"
    menu_label = "Personnes"
    inspect_view_enabled = True
    list_display = ["last_name", "first_name"]
    search_fields = ["first_name", "last_name"]
    form_fields = ["first_name", "last_name", "slug", "email", "phone"]


class PositionViewSet(ModelViewSet):
    model = Position
    icon = "tag"
    menu_label = "Fonctions"
    inspect_view_enabled = True
    list_display = ["person", "title", "authority", "organisation", "start_date", "end_date"]
    list_filter = ["kind", "board_role"]
    search_fields = ["title", "person__last_name", "person__first_name"]
    form_fields = [
        "person",
        "title",
        "kind",
        "authority",
        "organisation",
        "board_role",
        "start_date",
        "end_date",
        "source",
    ]


class AuthorityUserViewSet(ModelViewSet):
    model = AuthorityUser
    icon = "link"
    menu_label = "Comptes des membres"
    inspect_view_enabled = True
    list_display = ["user", "authority", "person"]
    search_fields = ["user__email", "authority__name"]
    form_fields = ["user", "authority", "person"]


class NetworkViewSetGroup(ViewSetGroup):
    menu_label = "Réseau"
    menu_icon = "site"
    menu_order = 200
    items = (
        AuthorityViewSet,
        OrganisationViewSet,
        PersonViewSet,
        PositionViewSet,
        AuthorityUserViewSet,
        MembershipViewSet,
        DuesViewSet,
        GeneralAssemblyViewSet,
    )


@hooks.register("register_admin_viewset")
def register_network_viewsets():
    return NetworkViewSetGroup()


@hooks.register(MAIN_MENU_HOOK)
def network_menu_entry() -> NavEntry:
    return NavEntry(
        "Le réseau",
        "members:network",
        order=10,
        description="Le réseau, son conseil d'administration et ses collectivités adhérentes.",
    )


@hooks.register(HOME_FIGURES_HOOK)
def network_home_figures() -> list[dict]:
    return selectors.network_figures()


@hooks.register(ACCOUNT_PANELS_HOOK)
def my_authority_panel(request: HttpRequest) -> dict | None:
    authority = selectors.authority_of_user(request.user)
    if authority is None:
        return None
    return {
        "title": "Ma collectivité",
        "template": "members/includes/account_authority.html",
        "context": {"authority": authority},
    }


@hooks.register("essor_personal_data")
def my_authority_data(user: object) -> dict:
    authority = selectors.authority_of_user(user)
    return {"collectivite_de_rattachement": authority.name if authority else None}


@hooks.register(MAIN_MENU_HOOK)
def member_space_menu_entry() -> NavEntry:
    return NavEntry(
        "Mon espace membre",
        "members:member_space",
        order=90,
        role=Role.MEMBER,
        description="La fiche de votre collectivité, vos inscriptions et contributions.",
    )


@hooks.register("register_log_actions")
def profile_log_actions(actions: object) -> None:
    @actions.register_action(PROFILE_UPDATE_ACTION)
    class ProfileUpdateFormatter(LogFormatter):
        label = "Mise à jour de la fiche"

        def format_message(self, log_entry: object) -> str:
            changes = log_entry.data.get("changes", [])
            fields = ", ".join(change["field"] for change in changes)
            return f"Fiche mise à jour depuis l'espace membre : {fields}"


class AuthorityChooserViewSet(NameSearchChooserViewSet):
    """Every admin form field pointing at an authority gets this chooser (register_widget)."""

    model = Authority
    icon = "home"
    choose_one_text = "Choisir une collectivité"
    choose_another_text = "Choisir une autre collectivité"
    search_lookups = ("name__icontains", "search_name__contains", "territory__code__startswith")

    def get_object_list(self):
        return Authority.objects.select_related("territory").order_by("name")


@hooks.register("register_admin_viewset")
def register_authority_chooser():
    return AuthorityChooserViewSet("authority_chooser")


class PersonChooserViewSet(NameSearchChooserViewSet):
    """Every admin form field pointing at a person (speakers of events…) gets this chooser."""

    model = Person
    icon = "user"
    choose_one_text = "Choisir une personne"
    choose_another_text = "Choisir une autre personne"
    search_lookups = ("last_name__icontains", "first_name__icontains")

    def get_object_list(self):
        return Person.objects.order_by("last_name", "first_name")


@hooks.register("register_admin_viewset")
def register_person_chooser():
    return PersonChooserViewSet("person_chooser")


@hooks.register(SEARCH_SOURCES_HOOK)
def authorities_search_source() -> SearchSource:
    return search_documents.authority_source()


@hooks.register(SEARCH_SOURCES_HOOK)
def people_search_source() -> SearchSource:
    return search_documents.person_source()
