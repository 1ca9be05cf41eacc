from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from essor.core.roles import ROLE_LABELS, Role
from essor.demo.services import DemoDataError, demo_load


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (réseau, collectivités, personnes et fonctions "
        "tirées des documents publics du réseau) et crée un compte de démonstration par rôle. "
        "Relancer la commande ne crée aucun doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="autorise le chargement quand ESSOR_ENV=production"
        )

    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusé en production : les comptes de démonstration ont un mot de "
                "passe public. Ajoutez --force si c'est vraiment voulu."
            )
        try:
            report = demo_load()
        except DemoDataError as error:
            raise CommandError(f"Données de démonstration invalides : {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration chargée : {report.organisations} organisations, {report.authorities} "
                f"collectivités, {report.people} personnes, {report.positions} fonctions."
            )
        )
        self.stdout.write("Comptes de démonstration (mot de passe commun) :")
        for role, email, password in report.accounts:
            self.stdout.write(f"  {ROLE_LABELS[Role(role)]:<20} {email:<34} {password}")
