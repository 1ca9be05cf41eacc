"""Admin screens of the news (menu "Actualités"): the rubrics (a managed list), the articles and
the agenda's external events (snippets with drafts, revisions, locking, preview and the
members' proposals workflow, which moderation_hooks assigns), and the module's places in the
layout (public_hooks)."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TitleFieldPanel,
)
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from essor.core.admin_views import RecordSnippetEditView
from essor.news import public_hooks  # noqa: F401 - registers its own hooks
from essor.news.models import AgendaEntry, Article, Rubric

IMAGE_ALT_REQUIRED = (
    "Décrivez l'image pour qui ne la voit pas : le texte alternatif est obligatoire dès "
    "qu'une image est choisie (pages et lettres)."
)


class ArticleForm(WagtailAdminModelForm):
    """The article's admin form: an image never goes out without its text alternative
    (RGAA 1.1; the letters reuse it)."""

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", IMAGE_ALT_REQUIRED)
        return cleaned


class RubricViewSet(ModelViewSet):
    model = Rubric
    icon = "folder-open-inverse"
    menu_label = "Rubriques"
    url_prefix = "actualites/rubriques"
    url_namespace = "rubric"
    list_display = ["name", "sort_order", "for_authorities"]
    list_filter = ["for_authorities"]
    search_fields = ["name"]
    inspect_view_enabled = True
    form_fields = ["name", "slug", "description", "sort_order", "for_authorities"]


class ArticleViewSet(SnippetViewSet):
    edit_view_class = RecordSnippetEditView
    model = Article
    icon = "doc-full"
    menu_label = "Articles"
    admin_url_namespace = "article"
    base_url_path = "actualites/article"
    list_display = ["title", "rubric", "date", "audience", "live", "updated_at"]
    list_filter = ["live", "rubric", "audience", "themes"]
    list_per_page = 50
    inspect_view_enabled = True
    # Workflows stay on (Wagtail's default): members' proposals go through moderation.
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    TitleFieldPanel("title"),
                    FieldPanel("slug"),
                    FieldRowPanel([FieldPanel("rubric"), FieldPanel("date")]),
                    FieldPanel("audience"),
                ],
                heading="L'article",
            ),
            FieldPanel("summary"),
            FieldPanel("body"),
            MultiFieldPanel(
                [FieldPanel("image"), FieldPanel("image_alt")],
                heading="Image",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("authorities"),
                    FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                ],
                heading="Collectivités et thèmes",
            ),
            MultiFieldPanel(
                [FieldPanel("signature"), FieldPanel("source_url"), FieldPanel("deadline")],
                heading="Signature, source et date limite",
            ),
        ],
        base_form_class=ArticleForm,
    )


class AgendaEntryViewSet(SnippetViewSet):
    edit_view_class = RecordSnippetEditView
    model = AgendaEntry
    icon = "date"
    menu_label = "Agenda des adhérents et partenaires"
    admin_url_namespace = "agendaentry"
    base_url_path = "actualites/agenda"
    list_display = ["title", "origin", "organiser", "starts_on", "live", "updated_at"]
    list_filter = ["live", "origin", "audience", "themes"]
    list_per_page = 50
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [
                TitleFieldPanel("title"),
                FieldPanel("slug"),
                FieldRowPanel([FieldPanel("origin"), FieldPanel("audience")]),
                FieldPanel("organiser"),
                FieldPanel("authority"),
                FieldPanel("summary"),
            ],
            heading="L'événement",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("starts_on"), FieldPanel("ends_on"), FieldPanel("start_time")]
                ),
                FieldPanel("online"),
                FieldPanel("venue"),
                FieldPanel("commune"),
                FieldPanel("url"),
            ],
            heading="Date et lieu",
        ),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
    ]


class NewsViewSetGroup(SnippetViewSetGroup):
    items = (ArticleViewSet, AgendaEntryViewSet, RubricViewSet)
    menu_icon = "doc-full"
    menu_label = "Actualités"
    menu_name = "news"
    menu_order = 230


register_snippet(NewsViewSetGroup)
