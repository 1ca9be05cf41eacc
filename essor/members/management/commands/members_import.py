"""`essor members_import FILE [--dry-run]`: import the network's member list."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essor.members.imports import MemberImportFailed, apply_member_import, member_import_check


class Command(BaseCommand):
    help = (
        "Importe la liste des collectivités adhérentes (CSV ou XLSX) : collectivités, "
        "périodes d'adhésion et cotisations. Chaque ligne est vérifiée contre le référentiel "
        "officiel ; à la moindre erreur, rien n'est enregistré et les erreurs sont listées par "
        "ligne (statut de sortie 1). Réimporter le même fichier ne change rien."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Fichier CSV (; , ou tabulation) ou XLSX.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifier le fichier et dire ce qui serait fait, sans rien enregistrer.",
        )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        report = member_import_check(path.read_bytes(), path.name)
        if report.ignored_columns:
            ignored = ", ".join(f"« {name} »" for name in report.ignored_columns)
            self.stdout.write(f"Colonnes ignorées : {ignored}.")
        if not report.ok:
            for message in report.messages:
                self.stderr.write(message)
            count = len(report.errors)
            raise CommandError(
                f"{count} erreur{'s' if count > 1 else ''} : rien n'a été importé.", returncode=1
            )
        try:
            result = apply_member_import(report, dry_run=dry_run)
        except MemberImportFailed as failure:
            raise CommandError(str(failure.error), returncode=1) from failure
        for line in result.summary():
            self.stdout.write(line)
