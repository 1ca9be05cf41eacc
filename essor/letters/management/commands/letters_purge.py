"""Delete the subscriptions never confirmed within ESSOR_LETTERS_PENDING_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand

from essor.letters.subscriptions import pending_purge


class Command(BaseCommand):
    help = (
        "Supprime les abonnements en attente de confirmation depuis plus de "
        "ESSOR_LETTERS_PENDING_DAYS jours (depuis la dernière demande de confirmation, ou la "
        "création quand aucune n'a été envoyée). À lancer chaque jour."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compte ce qui serait supprimé, sans rien supprimer.",
        )

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        count = pending_purge(dry_run=dry_run)
        days = settings.ESSOR_LETTERS_PENDING_DAYS
        if dry_run:
            self.stdout.write(
                f"{count} abonnement(s) non confirmé(s) depuis plus de {days} jours "
                "seraient supprimés (essai : rien n'a été supprimé)."
            )
        else:
            self.stdout.write(
                f"{count} abonnement(s) non confirmé(s) depuis plus de {days} jours supprimé(s)."
            )
