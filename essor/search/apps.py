from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "essor.search"
    label = "search"
    verbose_name = "Recherche"

    def ready(self) -> None:
        from essor.search import updates

        updates.connect()
