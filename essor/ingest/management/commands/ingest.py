"""`essor ingest PATH… [--json] [--review]`: read legacy documents and extract their facts."""

import json
import sys

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from essor.ingest.reading import files_of
from essor.ingest.services import IngestResult, ingest_bytes
from essor.library.extraction import ExtractionError, size_check


class Command(BaseCommand):
    help = (
        "Lit des PDF et des fichiers texte (dossiers compris) et en extrait personnes, "
        "territoires, organisations, événements et programme, avec le passage source."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="fichiers ou dossiers")
        parser.add_argument(
            "--json", action="store_true", help="un objet JSON par document sur la sortie"
        )
        parser.add_argument(
            "--review",
            action="store_true",
            help="mettre les candidats dans la file de relecture de l'administration",
        )

    def handle(self, *paths: str, **options: object) -> None:
        files, missing = files_of(list(options["paths"]))
        for message in missing:
            self.stderr.write(message)
        refused = len(missing)
        progress = tqdm(files, unit="doc", file=sys.stderr, disable=None, desc="Ingestion")
        for path in progress:
            progress.set_postfix_str(path.name[:40])
            result = self._ingest(path, bool(options["review"]))
            if not result.ok:
                refused += 1
                with tqdm.external_write_mode(file=sys.stderr):
                    self.stderr.write(f"Refusé : {result.error}")
                continue
            self._report(result, bool(options["json"]))
        done = len(files) - (refused - len(missing))
        self.stderr.write(f"{done} document(s) lu(s), {refused} refusé(s).")
        if refused and not done:
            sys.exit(1)

    def _ingest(self, path: object, review: bool) -> IngestResult:
        try:
            size_check(path.name, path.stat().st_size)  # before reading a huge file
            data = path.read_bytes()
        except ExtractionError as error:
            return IngestResult(path=str(path), error=str(error))
        except OSError as error:
            return IngestResult(path=str(path), error=f"« {path} » illisible : {error.strerror}.")
        return ingest_bytes(str(path), data, store=review)

    def _report(self, result: IngestResult, as_json: bool) -> None:
        facts = result.facts
        if as_json:
            self.stdout.write(json.dumps(facts, ensure_ascii=False))
            return
        self.stdout.write(
            f"{result.path} — {facts['title']} ({facts['kind']}) : "
            f"{len(facts['people'])} personnes, {len(facts['places'])} territoires, "
            f"{len(facts['organisations'])} organisations, {len(facts['events'])} événement(s)"
            + (
                f", {result.new_candidates} nouveau(x) candidat(s) à relire"
                if result.document
                else ""
            )
        )
        if facts.get("needs_ocr"):
            self.stdout.write(f"  {facts['message']}")
