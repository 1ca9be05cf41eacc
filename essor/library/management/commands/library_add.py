"""`essor library_add FILE... --kind KIND [--members-only] [--publish]`: add files (folders
too) to the library, one publication per file. A refused file is reported and the others are
still added; the exit code is 1 when any file was refused."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from essor.library.extraction import ExtractionError, size_check
from essor.library.forms import title_from_file_name
from essor.library.models import PublicationKind, TextStatus
from essor.library.services import publication_create, publication_publish


class Command(BaseCommand):
    help = (
        "Ajoute des fichiers PDF ou texte à la bibliothèque (un dossier ajoute les fichiers "
        "qu'il contient) : une publication par fichier, en brouillon sauf avec --publish, le "
        "titre tiré du nom du fichier. Un fichier refusé est signalé et les autres sont "
        "ajoutés ; le code de sortie vaut 1 si un fichier a été refusé."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FICHIER", help="fichiers ou dossiers")
        parser.add_argument(
            "--kind",
            required=True,
            choices=PublicationKind.values,
            help="type des publications : " + ", ".join(PublicationKind.values),
        )
        parser.add_argument(
            "--members-only", action="store_true", help="publications réservées aux membres"
        )
        parser.add_argument("--publish", action="store_true", help="publie aussitôt")

    def handle(self, *args, paths, kind, members_only=False, publish=False, **options):
        files, missing = _files(paths)
        failed = len(missing)
        for path in missing:
            self.stderr.write(f"refusé  {path} : fichier ou dossier introuvable")
        for path in files:
            failed += not self._add(path, kind, members_only, publish)
        added = len(files) + len(missing) - failed
        self.stdout.write(f"{added} ajouté(s), {failed} refusé(s).")
        if failed:
            raise CommandError(f"{failed} fichier(s) refusé(s).", returncode=1)

    def _add(self, path: Path, kind: str, members_only: bool, publish: bool) -> bool:
        try:
            size_check(path.name, path.stat().st_size)  # before reading it into memory
            publication = publication_create(
                file_name=path.name,
                data=path.read_bytes(),
                kind=kind,
                title=title_from_file_name(path.name) or path.name,
                members_only=members_only,
            )
            if publish:
                publication_publish(publication)
        except (ExtractionError, ValidationError, OSError) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else error
            self.stderr.write(f"refusé  {path} : {reason}")
            return False
        note = (
            " (OCR requis : pas de couche texte)"
            if publication.text_status == TextStatus.NEEDS_OCR
            else ""
        )
        state = "publiée" if publish else "brouillon"
        self.stdout.write(
            f"ok      {path} : « {publication.title} », {publication.page_count} page(s), "
            f"{state}{note}"
        )
        return True


def _files(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The files named and those of the folders named (sorted, hidden files left out)."""
    files, missing = [], []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(
                sorted(
                    child
                    for child in path.rglob("*")
                    if child.is_file()
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(name)
    return files, missing
