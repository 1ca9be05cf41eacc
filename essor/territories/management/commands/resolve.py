import json

from django.core.management.base import BaseCommand, CommandError

from essor.territories import selectors
from essor.territories.models import TerritoryKind
from essor.territories.resolver import CONFIDENT, Candidate

MAX_LIMIT = 50
_KIND_LABELS = dict(TerritoryKind.choices)


class Command(BaseCommand):
    """`essor resolve "TEXT"`: the resolver from a terminal, to check a name or a new alias."""

    help = (
        "Cherche les territoires officiels (région, département, EPCI, EPT, commune) que "
        "désigne un nom trouvé dans un texte, anciens noms et sigles compris, et les affiche "
        "classés avec leur score de confiance (0 à 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", help="le nom à résoudre, par exemple « Région Bretagne »")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="sortie JSON (kind, code, name, population, score)",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=5,
            help=f"nombre de candidats (1 à {MAX_LIMIT}, 5 par défaut)",
        )
        parser.add_argument(
            "--kind",
            action="append",
            choices=TerritoryKind.values,
            help="ne garder que ce niveau (option répétable)",
        )

    def handle(self, *args, text: str, as_json: bool, limit: int, kind: list | None, **options):
        text = " ".join(text.split())
        if not text:
            raise CommandError("Le nom à résoudre est vide.")
        if not 1 <= limit <= MAX_LIMIT:
            raise CommandError(f"--limit doit être compris entre 1 et {MAX_LIMIT}.")
        candidates = selectors.resolve(text, limit=limit, kinds=set(kind) if kind else None)
        if as_json:
            self._write_json(candidates)
        else:
            self._write_table(text, candidates)

    def _write_json(self, candidates: list[Candidate]) -> None:
        payload = [candidate.as_dict() for candidate in candidates]
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))

    def _write_table(self, text: str, candidates: list[Candidate]) -> None:
        if not candidates:
            self.stdout.write(f"Aucun territoire trouvé pour « {text} ».")
            return
        self.stdout.write(f"Candidats pour « {text} » :")
        header = f"  {'#':>2}  {'niveau':<32} {'code':<10} {'nom officiel':<40} {'population':>11}  score"
        self.stdout.write(header)
        for rank, candidate in enumerate(candidates, start=1):
            self.stdout.write(_row(rank, candidate))
        self.stdout.write(
            f"✓ : score d'au moins {_decimal(CONFIDENT, 2)}, correspondance sûre ; "
            "les autres sont à vérifier."
        )


def _row(rank: int, candidate: Candidate) -> str:
    population = _thousands(candidate.population) if candidate.population is not None else "—"
    sure = " ✓" if candidate.score >= CONFIDENT else ""
    return (
        f"  {rank:>2}  {_KIND_LABELS[candidate.kind]:<32} {candidate.code:<10} "
        f"{candidate.name[:40]:<40} {population:>11}  {_decimal(candidate.score, 3)}{sure}"
    )


def _thousands(number: int) -> str:
    """French grouping: 3 453 023 (narrow no-break spaces)."""
    return f"{number:,}".replace(",", "\u202f")


def _decimal(number: float, places: int) -> str:
    return f"{number:.{places}f}".replace(".", ",")
