"""The library's Wagtail hooks: its entry in the main menu, and the guard that keeps the file
of a members-only publication from non-members when it is asked through Wagtail's own document
address (/documents/<id>/<name>), not only through the library's page.

Imported by the module's wagtail_hooks.py (Wagtail loads only that module by name).
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from wagtail import hooks

from essor.core.navigation import MAIN_MENU_HOOK, NavEntry
from essor.core.roles import Role, has_role
from essor.library.models import Publication


def is_members_only_document(document: object) -> bool:
    """True when a members-only publication holds this document, published or draft (an
    editor may attach the file before publishing)."""
    return Publication.objects.filter(document=document, members_only=True).exists()


@hooks.register("before_serve_document")
def refuse_members_only_document(document: object, request: HttpRequest) -> HttpResponse | None:
    """Anonymous visitors are asked to log in, logged-in non-members are refused (403)."""
    if has_role(request.user, Role.MEMBER) or not is_members_only_document(document):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("Document réservé aux membres du réseau")


@hooks.register(MAIN_MENU_HOOK)
def library_menu_entry() -> NavEntry:
    return NavEntry(
        "Bibliothèque",
        "library:list",
        order=40,
        description="Les publications du réseau : guides, études, lettres, actes, rapports.",
    )
