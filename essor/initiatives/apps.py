from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "essor.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives et fiches pratiques"

    def ready(self) -> None:
        from essor.core.caching import stale_on_writes
        from essor.initiatives.models import Initiative

        # Any write on initiatives or sheets (publishing included) makes cached pages stale.
        stale_on_writes(self.get_models(), [Initiative.themes, Initiative.territory_types])
        # The facet index follows every write of what the list and the map count.
        from essor.initiatives import facet_index

        facet_index.connect_signals()
        # The workflow set-up after migrate and the authors' e-mails, whatever the hooks order.
        from essor.initiatives import moderation_hooks  # noqa: F401
