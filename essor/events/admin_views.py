"""What the events' own admin screens share (registrations, documents): the event of the
address, looked up once its permission is checked, and the screen's title and breadcrumbs
under the event."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from essor.events.models import Event


class EventAdminMixin(PermissionCheckedMixin):
    """The permission (`permission_policy`, `permission_required`) is checked in dispatch,
    before the event is looked up: nobody learns which events exist."""

    def event(self) -> Event:
        if not hasattr(self, "_event"):
            self._event = get_object_or_404(Event, pk=self.kwargs["pk"])
        return self._event


class EventScreenView(EventAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """An admin screen about one event, titled `screen_label`, under the event's edit page."""

    screen_label = ""

    def get_page_title(self) -> str:
        return self.screen_label

    def get_page_subtitle(self) -> str:
        return str(self.event())

    def get_breadcrumbs_items(self) -> list[dict]:
        event = self.event()
        return [
            *self.breadcrumbs_items,
            {"url": reverse("event:list"), "label": "Événements"},
            {"url": reverse("event:edit", args=[event.pk]), "label": str(event)},
            {"url": "", "label": self.screen_label},
        ]
