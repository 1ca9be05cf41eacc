"""The referential in the admin: searchable, read by editors, changed only by imports."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from essor.core.choosers import NameSearchChooserViewSet
from essor.territories.models import Territory


class TerritoryViewSet(ModelViewSet):
    model = Territory
    icon = "globe"
    menu_label = "Référentiel territorial"
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["name", "kind", "code", "population"]
    list_filter = ["kind", "nature", "zone", "is_current"]
    search_fields = ["name", "code", "siren"]
    form_fields = ["name", "population", "postal_codes", "is_current"]
    inspect_view_enabled = True
    list_per_page = 50


@hooks.register("register_admin_viewset")
def register_territory_viewset():
    return TerritoryViewSet("referentiel")


class TerritoryChooserViewSet(NameSearchChooserViewSet):
    """Every admin form field pointing at a territory gets this chooser (register_widget)."""

    model = Territory
    icon = "globe"
    choose_one_text = "Choisir un territoire"
    choose_another_text = "Choisir un autre territoire"
    search_lookups = ("name__icontains", "code__startswith")

    def get_object_list(self):
        return Territory.objects.filter(is_current=True).order_by("-population", "name")


@hooks.register("register_admin_viewset")
def register_territory_chooser():
    return TerritoryChooserViewSet("territory_chooser")
