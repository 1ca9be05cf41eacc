from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class LibraryConfig(AppConfig):
    name = "essor.library"
    label = "library"
    verbose_name = "Bibliothèque"

    def ready(self) -> None:
        from essor.core.caching import public_content_changed
        from essor.library.models import Publication

        # Any write on publications (publishing included) makes cached pages stale.
        for model in self.get_models():
            post_save.connect(public_content_changed, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(
                public_content_changed, sender=model, dispatch_uid=f"uncache-{model}"
            )
        m2m_changed.connect(
            public_content_changed,
            sender=Publication.themes.through,
            dispatch_uid="cache-publication-themes",
        )
