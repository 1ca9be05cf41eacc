from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "essor.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from essor.accounts.services import roles_ensure_after_migrate

        post_migrate.connect(roles_ensure_after_migrate, sender=self)
