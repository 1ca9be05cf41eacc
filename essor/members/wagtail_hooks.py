"""Admin screens (Wagtail view sets) and the module's places in the layout."""

from django.http import HttpRequest
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from essor.core.navigation import ACCOUNT_PANELS_HOOK, HOME_FIGURES_HOOK, MAIN_MENU_HOOK, NavEntry
from essor.members import selectors
from essor.members.models import Authority, AuthorityUser, Organisation, Person, Position


class AuthorityViewSet(ModelViewSet):
    model = Authority
    icon = "home"
    menu_label = "Collectivités"
    list_display = ["name", "kind", "is_member", "member_since"]
    list_filter = ["kind", "is_member"]
    search_fields = ["name", "siren"]
    form_fields = [
        "name",
        "slug",
        "kind",
        "territory",
        "siren",
        "website",
        "is_member",
        "member_since",
    ]
    inspect_view_enabled = True


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    inspect_view_enabled = True
    list_display = ["name", "acronym", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]
    form_fields = ["name", "acronym", "slug", "kind", "website", "description", "founded", "seat"]


class PersonViewSet(ModelViewSet):
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
