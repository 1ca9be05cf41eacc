"""`essor letters_dispatch`: the safety net of the letters' sending, for cron (every five
minutes, see essor/letters/README.md). Starts the scheduled issues that are due, queues again
the deliveries of a worker that died (claims older than ESSOR_LETTERS_CLAIM_LEASE_SECONDS),
enqueues the sending of issues left without a worker, and marks finished issues "envoyé".
Running it again, or while workers send, sends nothing twice."""

from django.core.management.base import BaseCommand

from essor.letters import sending


class Command(BaseCommand):
    help = (
        "Lance les numéros de lettres programmés arrivés à échéance, reprend les envois "
        "abandonnés par un worker arrêté et clôt les numéros entièrement envoyés."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(
            "--lease",
            type=int,
            default=None,
            help=(
                "Secondes sans signe de vie après lesquelles un envoi en cours est repris "
                "(par défaut ESSOR_LETTERS_CLAIM_LEASE_SECONDS). 0 : tout envoi en cours est "
                "repris, à n'utiliser que lorsqu'aucun worker ne tourne."
            ),
        )

    def handle(self, *args: object, lease: int | None = None, **options: object) -> None:
        if lease is not None and lease < 0:
            self.stderr.write("--lease doit être positif ou nul.")
            return
        report = sending.dispatch(lease)
        self.stdout.write(
            f"Numéros lancés : {report['started']}\n"
            f"Numéros programmés refusés (remis en brouillon) : {report['refused']}\n"
            f"Envois repris après l'arrêt d'un worker : {report['recovered']}\n"
            f"Envois relancés : {report['enqueued']}\n"
            f"Numéros terminés : {report['finished']}"
        )
