"""Demo library: the four public documents of the network in `seeds/` (beside the checkout, or
the folder named by ESSOR_CORPUS_DIR), published with metadata written for Essor.

The repository holds only the metadata below (titles, dates and summaries in our own words);
the text is read from the seeds at load time and kept in the database, page by page. Without
the seeds folder the library is left empty and the load says so.

Each publication is keyed by its slug: loading again changes nothing when the published
publication already says what is below (no new row, revision or history entry)."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from essor.core.models import Theme
from essor.demo.services import DemoDataError
from essor.ingest.reading import corpus_dir
from essor.library.extraction import ExtractionError
from essor.library.models import Publication, PublicationKind
from essor.library.services import publication_create, publication_publish

# The seeds live beside the checkout (../shared/seeds), never inside it.
DEMO_NOTE = "Document public du réseau chargé pour la démonstration."
AUTHORS = "RTES (Réseau des collectivités Territoriales pour une Économie Solidaire)"


@dataclass(frozen=True)
class SeedPublication:
    seed: str  # the prefix of the seed's file name
    slug: str
    kind: str
    title: str
    date: datetime.date
    summary: str  # our own words, after DEMO_NOTE
    partners: str = ""
    themes: tuple[str, ...] = ()


SEED_PUBLICATIONS = (
    SeedPublication(
        seed="000",
        slug="actes-rencontre-grand-ouest-rennes-2013",
        kind=PublicationKind.PROCEEDINGS,
        title="Actes de la rencontre « Territoires & ESS » du Grand Ouest — Rennes, 12 septembre 2013",
        date=datetime.date(2013, 9, 12),
        summary=(
            "Compte rendu de la journée tenue à Rennes le 12 septembre 2013, l'une des quatre "
            "rencontres territoriales organisées le même jour par le RTES sur le thème de la "
            "coopération entre territoires. On y trouve les discours d'ouverture des élus, un "
            "atelier en World Café sur le travail en commun des collectivités, trois tables "
            "rondes (financement de proximité, pépinières et pôles d'acteurs, outils "
            "numériques) et le duplex vidéo qui reliait les quatre villes."
        ),
        partners="Collectivités adhérentes du Grand Ouest co-organisatrices",
        themes=("PTCE et coopération économique", "Finances solidaires", "Numérique"),
    ),
    SeedPublication(
        seed="001",
        slug="actes-rencontres-territoriales-2013",
        kind=PublicationKind.PROCEEDINGS,
        title="Actes des rencontres territoriales « Territoires & ESS » 2013 — Rennes, Bordeaux, Nancy, Grenoble",
        date=datetime.date(2013, 9, 12),
        summary=(
            "Recueil complet des quatre rencontres régionales du 12 septembre 2013 (Grand "
            "Ouest, Sud Ouest, Grand Est, Sud Est) : interventions d'ouverture, ateliers "
            "entre collectivités, tables rondes sur la coopération et les PTCE, échanges de la "
            "visioconférence commune. Le texte provient d'une numérisation : il comporte des "
            "erreurs de reconnaissance de caractères."
        ),
        partners="Collectivités adhérentes co-organisatrices des quatre rencontres",
        themes=("PTCE et coopération économique", "Co-construction des politiques publiques"),
    ),
    SeedPublication(
        seed="002",
        slug="dossier-participant-journee-cnfpt-rtes-loi-ess-2014",
        kind=PublicationKind.PARTICIPANT_KIT,
        title="Dossier du participant — journée d'actualité CNFPT–RTES sur la loi ESS de 2014",
        date=datetime.date(2014, 11, 25),
        summary=(
            "Support remis aux participants d'une journée de formation du CNFPT et du RTES "
            "consacrée à la loi ESS adoptée par le Parlement en juillet 2014 : "
            "déroulé de la journée et questions mises en débat (stratégie territoriale, "
            "mutualisation, PTCE, achats responsables), animateurs et intervenants, puis une "
            "fiche par collectivité ou projet présenté (contexte, chiffres, axes d'action, "
            "budget consacré à l'ESS). La date retenue est celle de la journée de formation."
        ),
        partners="CNFPT",
        themes=("Co-construction des politiques publiques", "Commande publique responsable"),
    ),
    SeedPublication(
        seed="003",
        slug="rapport-activite-rtes-2017",
        kind=PublicationKind.ACTIVITY_REPORT,
        title="Rapport d'activité 2017 du RTES",
        date=datetime.date(2017, 12, 31),
        summary=(
            "Bilan de l'année 2017 du réseau, qui comptait 118 collectivités adhérentes : "
            "journées d'échanges et rencontre nationale au Palais d'Iéna, lettres électroniques "
            "et Flash hebdo, lettres papier, fiches « Déniché pour vous », guides Points de "
            "RepèrESS et études, formations et conférences en ligne, plaidoyer, vie "
            "associative. Daté du dernier jour de l'année qu'il couvre."
        ),
        themes=("Développement local",),
    ),
)


@dataclass
class LibraryReport:
    published: int = 0
    written: int = 0  # created or updated by this load
    skipped: list[str] = field(default_factory=list)  # lines to show, in French


def library_demo_load(folder: Path | None = None) -> LibraryReport:
    """Publish the seeds as demo publications (after the themes are loaded). A missing seeds
    folder or file is skipped with a line in the report; raises DemoDataError on an unknown
    theme or an unreadable seed."""
    folder = folder or corpus_dir()
    report = LibraryReport()
    if not folder.is_dir():
        report.skipped.append(
            f"Bibliothèque : dossier des documents sources absent ({folder}), aucune publication "
            "chargée (ESSOR_CORPUS_DIR permet d'en donner un autre)."
        )
        return report
    for item in SEED_PUBLICATIONS:
        path = next(iter(sorted(folder.glob(f"{item.seed}_*.txt"))), None)
        if path is None:
            report.skipped.append(
                f"Bibliothèque : document source {item.seed}_… absent de {folder}."
            )
            continue
        report.written += _upsert(item, path)
        report.published += 1
    return report


def _themes(item: SeedPublication) -> list[Theme]:
    themes = list(Theme.objects.filter(name__in=item.themes))
    if len(themes) != len(item.themes):
        missing = set(item.themes) - {theme.name for theme in themes}
        raise DemoDataError(f"publication {item.slug} : thème(s) absent(s) {sorted(missing)}")
    return themes


def _wanted(item: SeedPublication) -> dict:
    return {
        "kind": item.kind,
        "title": item.title,
        "date": item.date,
        "summary": f"{DEMO_NOTE} {item.summary}",
        "authors": AUTHORS,
        "partners": item.partners,
        "members_only": False,
    }


@transaction.atomic
def _upsert(item: SeedPublication, path: Path) -> bool:
    """True when the publication was created or changed."""
    wanted, themes = _wanted(item), _themes(item)
    publication = Publication.objects.filter(slug=item.slug).first()
    if publication is None:
        try:
            publication = publication_create(
                file_name=f"{item.slug}.txt",
                data=path.read_bytes(),
                slug=item.slug,
                themes=themes,
                **wanted,
            )
        except ExtractionError as error:
            raise DemoDataError(f"document source {path.name} illisible : {error}") from error
    elif _is(publication, wanted, themes):
        return False
    else:
        for name, value in wanted.items():
            setattr(publication, name, value)
        publication.themes.set(themes)
        publication.save_revision(log_action=True)
    publication_publish(publication)
    return True


def _is(publication: Publication, wanted: dict, themes: list[Theme]) -> bool:
    return (
        publication.live
        and not publication.has_unpublished_changes
        and all(getattr(publication, name) == value for name, value in wanted.items())
        and {theme.pk for theme in publication.themes.all()} == {theme.pk for theme in themes}
    )
