from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "essor.news"
    label = "news"
    verbose_name = "Actualités et agenda"
