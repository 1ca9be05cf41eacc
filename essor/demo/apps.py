from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "essor.demo"
    label = "demo"
    verbose_name = "Données de démonstration"
