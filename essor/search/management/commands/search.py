"""`essor search "QUERY" [--json] [--limit N] [--members]`: the search of the site, from the
command line (same code as the search page)."""

import json

from django.core.management.base import BaseCommand, CommandParser

from essor.search.engine import search


class Command(BaseCommand):
    help = "Cherche dans tout le contenu public (comme la page de recherche)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="la recherche, telle qu'on la tape")
        parser.add_argument("--json", action="store_true", help="une liste JSON de résultats")
        parser.add_argument("--limit", type=int, default=10, help="nombre de résultats (10)")
        parser.add_argument(
            "--members", action="store_true", help="inclure le contenu réservé aux membres"
        )

    def handle(self, *args: object, **options: object) -> None:
        limit = max(1, min(int(options["limit"]), 100))
        results = search(str(options["query"]), member=bool(options["members"]), per_page=limit)
        if options["json"]:
            rows = [
                {"title": hit.title, "url": hit.url, "kind": hit.kind, "excerpt": str(hit.excerpt)}
                for hit in results.hits
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if results.message:
            self.stdout.write(results.message)
        if results.suggestion:
            self.stdout.write(f"Essayez avec cette orthographe : {results.suggestion}")
        self.stdout.write(f"{results.total} résultat(s).")
        for hit in results.hits:
            self.stdout.write(f"- [{hit.kind_label}] {hit.title} — {hit.url}")
