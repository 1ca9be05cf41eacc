"""`essor events_send [--dry-run]`: the reminders before events, the evaluation invitations
after them, the notices of cancelled events a worker did not send, and the anonymisation of
old registrations. Meant to run periodically (every hour
from cron or a systemd timer: see essor/events/README.md); running it again sends nothing
twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from essor.events import tasks


class Command(BaseCommand):
    help = (
        "Envoie les rappels avant les événements, les questionnaires d'évaluation après et "
        "les avis d'annulation restés en attente, une seule fois par inscription, et anonymise "
        "les inscriptions trop anciennes."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compte ce qui serait envoyé ou anonymisé, sans rien envoyer ni modifier.",
        )

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        now = timezone.now()
        if dry_run:
            self.stdout.write(
                f"Rappels à envoyer : {tasks.reminders_due(now).count()}\n"
                f"Invitations à l'évaluation à envoyer : {tasks.evaluations_due(now).count()}\n"
                "Avis d'annulation à envoyer : "
                f"{tasks.cancellation_notices_due(now).count()}\n"
                f"Inscriptions à anonymiser : {tasks.anonymisation_due(now).count()}"
            )
            return
        reminders = tasks.reminders_send(now)
        evaluations = tasks.evaluations_send(now)
        notices = tasks.cancellation_notices_send(now)
        anonymised = tasks.registrations_anonymise(now)
        self.stdout.write(
            f"Rappels envoyés : {reminders}\n"
            f"Invitations à l'évaluation envoyées : {evaluations}\n"
            f"Avis d'annulation envoyés : {notices}\n"
            f"Inscriptions anonymisées : {anonymised}"
        )
