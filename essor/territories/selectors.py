"""Reads of the referential for views and other modules."""

from essor.territories import resolver
from essor.territories.models import Territory
from essor.territories.resolver import CONFIDENT, Candidate

__all__ = ["CONFIDENT", "Candidate", "resolve", "resolve_best", "territory_by_code"]


def territory_by_code(kind: str, code: str) -> Territory | None:
    """The current territory of this kind with this official code (INSEE code or SIREN)."""
    return Territory.objects.filter(kind=kind, code=code).first()


def resolve(text: str, limit: int = 5, kinds: set[str] | None = None) -> list[Candidate]:
    """Ranked official territories a name found in a text may designate, best first, each
    with a score in 0–1; a score of at least CONFIDENT can be accepted without review.
    `kinds` keeps only some levels (region, departement, epci, ept, commune)."""
    return resolver.resolve(text, limit=limit, kinds=kinds)


def resolve_best(text: str, kinds: set[str] | None = None) -> Candidate | None:
    """The one territory a name surely designates, or None when no candidate is confident
    (ingestion then leaves the mention to an editor)."""
    found = resolver.resolve(text, limit=1, kinds=kinds)
    return found[0] if found and found[0].score >= CONFIDENT else None
