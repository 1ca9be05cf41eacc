"""Admin screens of the library: publications (a snippet with drafts and revisions) and the
"Déposer une publication" screen, grouped under "Bibliothèque"."""

from django.contrib import messages
from django.http import HttpRequest
from django.urls import path, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    TitleFieldPanel,
)
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from essor.core.admin_views import RecordSnippetEditView
from essor.core.search_sources import SEARCH_SOURCES_HOOK, SearchSource
from essor.library import hooks as public_side  # noqa: F401 - menu entry, members-only documents
from essor.library import search_documents
from essor.library.admin_views import UPLOAD_PERMISSION, PublicationUploadView
from essor.library.extraction import ExtractionError
from essor.library.models import Publication, TextStatus
from essor.library.services import publication_text_refresh

LIBRARY_MENU_HOOK = "register_library_menu_item"


class PublicationViewSet(SnippetViewSet):
    edit_view_class = RecordSnippetEditView
    model = Publication
    icon = "doc-full"
    menu_label = "Publications"
    admin_url_namespace = "publication"
    base_url_path = "bibliotheque/publication"
    list_display = ["title", "kind", "date", "live", "members_only", "text_status"]
    list_filter = ["kind", "live", "members_only", "text_status"]
    list_per_page = 50
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [
                TitleFieldPanel("title"),
                FieldPanel("slug"),
                FieldRowPanel([FieldPanel("kind"), FieldPanel("number"), FieldPanel("date")]),
            ],
            heading="La publication",
        ),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("themes"),
                FieldPanel("authors"),
                FieldPanel("partners"),
                FieldPanel("licence"),
            ],
            heading="Thèmes, auteurs et licence",
        ),
        MultiFieldPanel(
            [
                FieldPanel("document"),
                FieldPanel("members_only"),
                FieldRowPanel(
                    [
                        FieldPanel("text_status", read_only=True),
                        FieldPanel("page_count", read_only=True),
                    ]
                ),
            ],
            heading="Fichier et texte",
            help_text=(
                "Le texte est extrait du fichier au dépôt (menu Bibliothèque › Déposer une "
                "publication)."
            ),
        ),
    ]


class LibraryViewSetGroup(SnippetViewSetGroup):
    items = (PublicationViewSet,)
    menu_icon = "doc-full"
    menu_label = "Bibliothèque"
    menu_name = "bibliotheque"
    menu_order = 220
    submenu_hook = LIBRARY_MENU_HOOK


register_snippet(LibraryViewSetGroup)


class UploadMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(UPLOAD_PERMISSION)


@hooks.register(LIBRARY_MENU_HOOK)
def library_upload_menu_item() -> MenuItem:
    return UploadMenuItem(
        "Déposer une publication",
        reverse_lazy("library_upload"),
        name="library-upload",
        icon_name="upload",
        order=2,
    )


@hooks.register("register_admin_urls")
def library_admin_urls() -> list:
    return [
        path("bibliotheque/deposer/", PublicationUploadView.as_view(), name="library_upload"),
    ]


@hooks.register("after_create_snippet")
def publication_text_on_create(request: HttpRequest, instance: object) -> None:
    """A publication made with the plain "add" form and a chosen document gets its text as
    one deposited would."""
    if not isinstance(instance, Publication) or instance.document_id is None:
        return
    if instance.text_status != TextStatus.NO_FILE:
        return
    try:
        extraction = publication_text_refresh(instance)
    except ExtractionError as error:
        messages.warning(request, f"Le texte du fichier n'a pas pu être extrait : {error}")
        return
    if extraction.status == TextStatus.NEEDS_OCR:
        messages.warning(request, extraction.message)


@hooks.register(SEARCH_SOURCES_HOOK)
def publications_search_source() -> SearchSource:
    return search_documents.publication_source()
