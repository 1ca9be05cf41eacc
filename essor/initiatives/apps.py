from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class InitiativesConfig(AppConfig):
    name = "essor.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives et fiches pratiques"

    def ready(self) -> None:
        from essor.core.caching import public_content_changed
        from essor.initiatives.models import Initiative

        # Any write on initiatives or sheets (publishing included) makes cached pages stale.
        for model in self.get_models():
            post_save.connect(public_content_changed, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(
                public_content_changed, sender=model, dispatch_uid=f"uncache-{model}"
            )
        for relation in (Initiative.themes, Initiative.territory_types):
            m2m_changed.connect(
                public_content_changed,
                sender=relation.through,
                dispatch_uid=f"cache-{relation.through}",
            )
        # The workflow set-up after migrate and the authors' e-mails, whatever the hooks order.
        from essor.initiatives import moderation_hooks  # noqa: F401
