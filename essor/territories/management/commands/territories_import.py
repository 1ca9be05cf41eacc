from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essor.territories import snapshot
from essor.territories.services import referential_import


class Command(BaseCommand):
    help = (
        "Importe le référentiel territorial officiel (régions, départements, EPCI, EPT, communes) "
        "depuis l'instantané livré avec Essor, ou le rafraîchit depuis une copie plus récente "
        "du paquet npm @etalab/decoupage-administratif (--from)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="package_dir",
            type=Path,
            help="dossier d'une version dépaquetée de @etalab/decoupage-administratif : "
            "réécrit l'instantané livré puis l'importe",
        )
        parser.add_argument(
            "--force", action="store_true", help="réimporte même si rien n'a changé"
        )

    def handle(self, *args, package_dir: Path | None = None, force: bool = False, **options):
        if package_dir is not None:
            if not package_dir.is_dir():
                raise CommandError(f"Dossier introuvable : {package_dir}")
            try:
                snapshot.write(snapshot.build_from_package(package_dir))
            except (OSError, KeyError, ValueError) as error:
                raise CommandError(f"Copie du référentiel illisible : {error}") from error
            self.stdout.write(f"Instantané réécrit : {snapshot.SNAPSHOT_PATH}")
        result = referential_import(force=force)
        counts = ", ".join(
            f"{result[k]} {k}" for k in ("region", "departement", "epci", "ept", "commune")
        )
        state = "importé" if result["changed"] else "déjà à jour"
        self.stdout.write(
            self.style.SUCCESS(f"Référentiel {result['version']} {state} : {counts}.")
        )
