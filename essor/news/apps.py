from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "essor.news"
    label = "news"
    verbose_name = "Actualités et agenda"

    def ready(self) -> None:
        from essor.core.caching import stale_on_writes
        from essor.news.models import AgendaEntry, Article

        # Any write of the module makes the cached pages (lists, agenda, feeds) stale.
        stale_on_writes(
            self.get_models(),
            [Article.themes, Article.authorities, AgendaEntry.themes],
        )
        # The proposals' e-mails and panels, also outside web requests (shell, commands).
        from essor.news import moderation_hooks  # noqa: F401
