import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Sert Essor avec gunicorn (fichiers statiques par WhiteNoise). En production, lancez "
        "d'abord `essor collectstatic` ; en développement, les fichiers sont servis directement."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("ESSOR_BIND", "127.0.0.1:8000"),
            help="adresse:port d'écoute (défaut 127.0.0.1:8000, ou $ESSOR_BIND)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="nombre de processus (défaut 2, ou $WEB_CONCURRENCY)",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="lance aussi un exécuteur des tâches de fond (`essor db_worker`) à côté du "
            "serveur : pour une seule machine (démonstration) ; en production, lancez-le à part",
        )

    def handle(self, *args, bind: str, workers: int, with_worker: bool, **options):
        self.stdout.write(f"Essor ({settings.ESSOR_ENV}) sur http://{bind}/ — Ctrl+C pour arrêter.")
        sys.stdout.flush()
        if with_worker:
            # Same process group as the server: Ctrl+C in the terminal stops both.
            subprocess.Popen([sys.executable, "-m", "essor", "db_worker"])
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "essor.config.wsgi",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        os.execvp(argv[0], argv)  # noqa: S606 - replaces this process with the server
