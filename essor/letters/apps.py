from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "essor.letters"
    label = "letters"
    verbose_name = "Lettres d'information"
