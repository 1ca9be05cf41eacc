"""Pages and settings every module shares: the home page, plain editorial pages
(legal notice, accessibility statement, personal data) and the network's identity."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


@register_setting(icon="site")
class NetworkSettings(BaseGenericSetting):
    """Who publishes the site: shown in the header, footer and legal notice.

    One per instance (an instance serves one network): every page reads it, and a site
    setting would cost each page Wagtail's site lookup by hostname."""

    network_name = models.CharField("nom du réseau", max_length=200, default="Essor")
    network_acronym = models.CharField("sigle", max_length=30, blank=True)
    tagline = models.CharField("accroche", max_length=250, blank=True)
    postal_address = models.TextField("adresse postale", blank=True)
    contact_email = models.EmailField("courriel de contact", blank=True)
    publication_director = models.CharField(
        "directeur·rice de la publication", max_length=200, blank=True
    )
    host = models.TextField("hébergeur", blank=True)
    is_demo = models.BooleanField(
        "données de démonstration",
        default=False,
        help_text="Affiche sur chaque page un bandeau signalant des données de démonstration.",
    )

    panels = [
        FieldPanel("network_name"),
        FieldPanel("network_acronym"),
        FieldPanel("tagline"),
        FieldPanel("postal_address"),
        FieldPanel("contact_email"),
        FieldPanel("publication_director"),
        FieldPanel("host"),
        FieldPanel("is_demo"),
    ]

    class Meta:
        verbose_name = "identité du réseau"


class HomePage(Page):
    intro = RichTextField("introduction", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = "page d'accueil"

    def get_context(self, request, *args, **kwargs):
        from essor.core import navigation

        context = super().get_context(request, *args, **kwargs)
        context["home_figures"] = navigation.home_figures()
        context["home_sections"] = navigation.menu_for(request.user)
        return context


class StandardPage(Page):
    """A plain written page: legal notice, accessibility statement, about…"""

    intro = models.TextField("chapeau", blank=True)
    body = RichTextField("contenu", blank=True)
    last_reviewed = models.DateField("dernière mise à jour", null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = "page simple"


class Theme(models.Model):
    """A theme of the network's work (transition énergétique, alimentation durable…): one
    managed list shared by authorities, initiatives, events and publications."""

    name = models.CharField("nom", max_length=120, unique=True)
    slug = models.SlugField("identifiant d'adresse", max_length=120, unique=True)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "thème"
        verbose_name_plural = "thèmes"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
