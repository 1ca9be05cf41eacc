"""Reads of the referential for views and other modules."""

from essor.territories.models import Territory


def territory_by_code(kind: str, code: str) -> Territory | None:
    """The current territory of this kind with this official code (INSEE code or SIREN)."""
    return Territory.objects.filter(kind=kind, code=code).first()
