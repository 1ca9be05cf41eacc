from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "essor.members"
    label = "members"
    verbose_name = "Réseau et membres"

    def ready(self) -> None:
        from essor.core.caching import stale_on_writes
        from essor.core.models import Theme
        from essor.members.models import Authority

        # Any write on the network's records makes the cached public pages stale.
        stale_on_writes([*self.get_models(), Theme], [Authority.themes])
