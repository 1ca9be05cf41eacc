from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class EventsConfig(AppConfig):
    name = "essor.events"
    label = "events"
    verbose_name = "Événements et formations"

    def ready(self) -> None:
        from essor.core.caching import public_content_changed
        from essor.events.models import Event

        # Any write (a registration changes the places left) makes cached pages stale.
        for model in self.get_models():
            post_save.connect(public_content_changed, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(
                public_content_changed, sender=model, dispatch_uid=f"uncache-{model}"
            )
        for relation in (Event.themes, Event.initiatives, Event.authorities):
            m2m_changed.connect(
                public_content_changed,
                sender=relation.through,
                dispatch_uid=f"cache-{relation.through}",
            )
        # The e-mails listener, panels and admin routes, also outside web requests (shell,
        # demo, commands): the services then still send their mails.
        from essor.events import registration_hooks  # noqa: F401
