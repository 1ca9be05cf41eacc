"""The "Ingestion" entry of the admin menu and the admin addresses of the review queue."""

from django.db.models import Model
from django.http import HttpRequest
from django.urls import include, path, reverse, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from essor.core.admin_views import RECORD_HEADER_BUTTONS_HOOK
from essor.ingest import urls_admin
from essor.ingest.admin_views import REVIEW_PERMISSION
from essor.ingest.selectors import record_sources


class IngestMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)


@hooks.register("register_admin_menu_item")
def ingest_menu_item() -> MenuItem:
    return IngestMenuItem(
        "Ingestion",
        reverse_lazy("ingest:queue"),
        name="ingestion",
        icon_name="doc-full-inverse",
        order=240,
    )


@hooks.register("register_admin_urls")
def ingest_admin_urls() -> list:
    return [path("ingest/", include(urls_admin, namespace="ingest"))]


@hooks.register(RECORD_HEADER_BUTTONS_HOOK)
def sources_button(instance: Model, user: object) -> list[Button]:
    """ "Sources (N)" on a record accepted from ingested documents: the passages it came from."""
    if instance is None or instance.pk is None or not user.has_perm(REVIEW_PERMISSION):
        return []
    count = record_sources(instance).count()
    if not count:
        return []
    meta = instance._meta
    url = reverse("ingest:sources", args=[meta.app_label, meta.model_name, instance.pk])
    return [Button(f"Sources ({count})", url=url, icon_name="doc-full", priority=60)]
