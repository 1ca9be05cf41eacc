from django.http import HttpRequest

from essor.core import navigation
from essor.core.paths import layout_links
from essor.core.roles import ROLE_LABELS, user_role
from essor.core.selectors import footer_links, network_identity


def essor(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = user_role(user)
    return {
        "essor_nav": navigation.menu_for(user),
        "essor_role": role.value,
        "essor_role_label": ROLE_LABELS[role],
        "essor_footer_links": footer_links(),
        "essor_network": network_identity(),
        "essor_links": layout_links(),
    }
