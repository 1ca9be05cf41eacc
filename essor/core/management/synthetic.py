"""What the synthetic-data commands (`essor synthetic_members`, `synthetic_initiatives`,
`synthetic_events`) share: a seed for reproducible draws, and a refusal in production unless
forced — their data only serve the benchmarks."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class SyntheticDataCommand(BaseCommand):
    """Adds `--seed` and `--force`; a subclass calls `refuse_in_production(force)` first."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="graine du tirage (défaut 1)")
        parser.add_argument(
            "--force", action="store_true", help="autorise l'écriture quand ESSOR_ENV=production"
        )

    def refuse_in_production(self, force: bool) -> None:
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusé en production : ces données synthétiques ne servent qu'aux bancs "
                "d'essai. Ajoutez --force si c'est vraiment voulu."
            )
