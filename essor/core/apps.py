from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "essor.core"
    label = "core"
    verbose_name = "Socle commun"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save
        from wagtail.signals import page_published, page_unpublished

        from essor.core import services
        from essor.core.caching import public_settings_changed
        from essor.core.models import NetworkSettings

        post_migrate.connect(services.site_ensure_after_migrate, sender=self)
        page_published.connect(services.clear_layout_caches)
        page_unpublished.connect(services.clear_layout_caches)
        # The network's name and address are on every cached page and PDF.
        post_save.connect(
            public_settings_changed, sender=NetworkSettings, dispatch_uid="cache-network"
        )
