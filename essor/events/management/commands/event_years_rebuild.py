"""`essor event_years_rebuild`: recompute the published events per year (the past events'
table) from the events. Saves and deletions keep them up to date; run it after writes that
skip Event.save() (a bulk import)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from essor.events import year_counts


class Command(BaseCommand):
    help = (
        "Recalcule le nombre d'événements publiés et de participants par année depuis la base "
        "(après un import en masse)."
    )

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            years = year_counts.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Événements par année recalculés : {years} années."))
