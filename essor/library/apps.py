from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "essor.library"
    label = "library"
    verbose_name = "Bibliothèque"

    def ready(self) -> None:
        from essor.core.caching import stale_on_writes
        from essor.library.models import Publication

        # Any write on publications (publishing included) makes cached pages stale.
        stale_on_writes(self.get_models(), [Publication.themes])
