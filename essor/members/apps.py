from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class MembersConfig(AppConfig):
    name = "essor.members"
    label = "members"
    verbose_name = "Réseau et membres"

    def ready(self) -> None:
        from essor.core.caching import public_content_changed
        from essor.core.models import Theme
        from essor.members.models import Authority

        # Any write on the network's records makes the cached public pages stale.
        for model in [*self.get_models(), Theme]:
            post_save.connect(public_content_changed, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(
                public_content_changed, sender=model, dispatch_uid=f"uncache-{model}"
            )
        m2m_changed.connect(
            public_content_changed, sender=Authority.themes.through, dispatch_uid="cache-themes"
        )
