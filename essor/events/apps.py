from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "essor.events"
    label = "events"
    verbose_name = "Événements et formations"

    def ready(self) -> None:
        from essor.core.caching import stale_on_writes
        from essor.events.models import Event

        # Any write (a registration changes the places left) makes cached pages stale.
        stale_on_writes(self.get_models(), [Event.themes, Event.initiatives, Event.authorities])
        # The e-mails listener, panels and admin routes, also outside web requests (shell,
        # demo, commands): the services then still send their mails.
        from essor.events import registration_hooks  # noqa: F401
