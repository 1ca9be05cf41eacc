"""`essor facet_index_rebuild`: recompute the facet index of the initiatives' list and map
from the database. Writes keep it up to date; run it after writes that send no signal (a
bulk import, a re-import of the territorial referential)."""

from django.core.management.base import BaseCommand

from essor.initiatives import facet_index


class Command(BaseCommand):
    help = (
        "Recalcule l'index des facettes de la liste et de la carte des initiatives depuis la "
        "base (après un import en masse ou une mise à jour du référentiel territorial)."
    )

    def handle(self, *args: object, **options: object) -> None:
        published = facet_index.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Index des facettes reconstruit : {published} initiatives publiées."
            )
        )
