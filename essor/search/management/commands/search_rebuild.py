"""`essor search_rebuild`: the search index emptied and filled again from the database."""

import time

from django.core.management.base import BaseCommand

from essor.search.services import index_rebuild


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche à partir de la base."

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        count = index_rebuild()
        self.stdout.write(
            f"Index de recherche reconstruit : {count} entrées en "
            f"{time.monotonic() - started:.1f} s."
        )
