"""Admin screens of the shared lists."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from essor.core.models import Theme


class ThemeViewSet(ModelViewSet):
    model = Theme
    icon = "tag"
    menu_label = "Thèmes"
    menu_order = 800
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = ["name", "slug"]
    search_fields = ["name"]
    form_fields = ["name", "slug", "description"]


@hooks.register("register_admin_viewset")
def register_theme_viewset() -> ThemeViewSet:
    return ThemeViewSet("themes")
