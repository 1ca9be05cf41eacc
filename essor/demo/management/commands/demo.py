from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from essor.core.roles import ROLE_LABELS, Role
from essor.demo.events import events_demo_load
from essor.demo.ingest import IngestReport, ingest_demo_load
from essor.demo.initiatives import initiatives_demo_load
from essor.demo.letters import letters_demo_load
from essor.demo.library import library_demo_load
from essor.demo.news import news_demo_load
from essor.demo.services import DemoDataError, demo_load, fillers_draft
from essor.search import updates as search_updates
from essor.search.services import index_rebuild


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (réseau, collectivités et adhésions, personnes et "
        "fonctions, fiches collectivités, thèmes, assemblée générale, cotisations, fiches "
        "« Déniché pour vous », initiatives des territoires, rencontres, formations et "
        "conférences en ligne), tirées des documents publics du réseau et complétées "
        "d'adhérents fictifs et d'un événement à venir fictif signalés comme tels, et crée un "
        "compte de démonstration par rôle. Relancer la commande ne crée aucun doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="autorise le chargement quand ESSOR_ENV=production"
        )
        parser.add_argument(
            "--no-ingest",
            action="store_true",
            help="ne pas passer les documents sources par l'ingestion (plus rapide)",
        )
        parser.add_argument(
            "--fillers-draft",
            action="store_true",
            help=(
                "n'écrit rien : affiche un nouveau brouillon de essor/demo/data/fillers.toml "
                "(adhérents fictifs) calculé à partir du référentiel chargé"
            ),
        )

    def handle(
        self,
        *args,
        force: bool = False,
        fillers_draft: bool = False,
        no_ingest: bool = False,
        **options,
    ):
        if fillers_draft:
            self.stdout.write(_draft(), ending="")
            return
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusé en production : les comptes de démonstration ont un mot de "
                "passe public. Ajoutez --force si c'est vraiment voulu."
            )
        try:
            with search_updates.paused():  # one rebuild at the end instead of one per record
                loaded = self._load(no_ingest)
        except DemoDataError as error:
            raise CommandError(f"Données de démonstration invalides : {error}") from error
        indexed = index_rebuild()
        self._report(*loaded, indexed)

    def _load(self, no_ingest: bool) -> tuple:
        report = demo_load()
        # Initiatives refer to the authorities, organisations and themes loaded above.
        initiatives = initiatives_demo_load()
        library = library_demo_load()  # the seeds' text, when ../shared/seeds is there
        # Events link initiatives and practice sheets; the ingestion below then finds them
        # already recorded instead of proposing them again.
        events = events_demo_load()
        # News after events (the letters' agenda mixes both); letters after news: their
        # issues are composed from the articles, the agenda and the events.
        news = news_demo_load()
        letters = letters_demo_load()
        # The same seeds through the ingestion pipeline, after the library: the review queue
        # links each document to its publication.
        ingested = IngestReport() if no_ingest else ingest_demo_load()
        return report, initiatives, library, events, news, letters, ingested

    def _report(
        self, report, initiatives, library, events, news, letters, ingested, indexed: int
    ) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration chargée : {report.organisations} organisations, {report.authorities} "
                f"collectivités citées et {report.fillers} adhérents fictifs, {report.people} "
                f"personnes, {report.positions} fonctions."
            )
        )
        self.stdout.write(
            f"  {report.memberships} périodes d'adhésion ({report.members_end_2017} adhérents au "
            f"31/12/2017), {report.dues} cotisations fictives, {report.profiles} fiches ou "
            f"thématiques de collectivités, {report.themes} thèmes, "
            f"{report.general_assemblies} assemblée(s) générale(s)."
        )
        self.stdout.write(
            f"  {initiatives.sheets} fiches « Déniché pour vous » et {initiatives.initiatives} "
            f"initiatives publiées ({initiatives.written} créées ou mises à jour)."
        )
        self.stdout.write(
            f"  {library.published} publications de la bibliothèque ({library.written} créées "
            "ou mises à jour)."
        )
        for line in library.skipped:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            f"  {events.events} événements ({events.upcoming} à venir, {events.sessions} "
            f"séances au programme ; {events.written} créés ou mis à jour)."
        )
        self.stdout.write(
            f"  {news.articles} articles dans {news.rubrics} rubriques ({news.members_only} "
            f"réservés aux adhérents), {news.agenda_entries} événements d'adhérents et de "
            f"partenaires à l'agenda ({news.written} créés ou mis à jour)."
        )
        self.stdout.write(
            f"  {letters.issues} numéros de lettres ({letters.items} éléments), "
            f"{letters.subscribers} abonnés fictifs à la lettre électronique "
            f"({letters.confirmed} confirmés, {letters.pending} en attente), "
            f"{letters.deliveries} envois enregistrés sans courriel, {letters.flash_members} "
            f"abonnement(s) au Flash hebdo par l'adhésion ({letters.written} écrits)."
        )
        self.stdout.write(
            f"  {ingested.documents} documents ingérés ({ingested.read_now} lus maintenant), "
            f"{ingested.candidates} candidats dans la file de relecture (Administration › "
            "Ingestion)."
        )
        for line in ingested.skipped:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"  Index de recherche reconstruit : {indexed} entrées.")
        self.stdout.write("Comptes de démonstration (mot de passe commun) :")
        for role, email, password in report.accounts:
            self.stdout.write(f"  {ROLE_LABELS[Role(role)]:<20} {email:<34} {password}")


def _draft() -> str:
    try:
        return fillers_draft()
    except DemoDataError as error:
        raise CommandError(f"Données de démonstration invalides : {error}") from error
