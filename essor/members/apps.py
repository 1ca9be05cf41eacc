from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "essor.members"
    label = "members"
    verbose_name = "Réseau et membres"
