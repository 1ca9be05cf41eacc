"""The resolver over HTTP, for the review screens and for scripts: GET ?q=TEXT[&kind=K]."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from essor.territories import selectors
from essor.territories.models import TerritoryKind

MAX_QUERY_LENGTH = 300
MAX_LIMIT = 20
DEFAULT_LIMIT = 5


class _BadRequest(ValueError):
    """A parameter the user can fix; its message is shown as is."""


@require_safe
def resolve(request: HttpRequest) -> JsonResponse:
    """Ranked official territories for a name: a JSON list of objects with kind, code, name,
    population and score. Parameters are read one by one and checked against fixed values,
    never passed to the database as they come."""
    try:
        text = _text(request.GET.get("q"))
        kinds = _kinds(request.GET.getlist("kind"))
        limit = _limit(request.GET.get("limit"))
    except _BadRequest as error:
        return JsonResponse({"error": str(error)}, status=400)
    candidates = selectors.resolve(text, limit=limit, kinds=kinds)
    return JsonResponse(
        [candidate.as_dict() for candidate in candidates],
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


def _text(value: str | None) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise _BadRequest("Indiquez le nom à rechercher dans le paramètre « q ».")
    if len(text) > MAX_QUERY_LENGTH:
        raise _BadRequest(
            f"Le nom à rechercher est trop long ({len(text)} caractères, "
            f"{MAX_QUERY_LENGTH} au plus)."
        )
    return text


def _kinds(values: list[str]) -> set[str] | None:
    """`kind` may be repeated or comma-separated; each value must be a known level."""
    kinds = {part.strip() for value in values for part in value.split(",") if part.strip()}
    unknown = kinds - set(TerritoryKind.values)
    if unknown:
        raise _BadRequest(
            f"Niveau inconnu : {', '.join(sorted(unknown))[:100]}. "
            f"Niveaux possibles : {', '.join(TerritoryKind.values)}."
        )
    return kinds or None


def _limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise _BadRequest(f"Le paramètre « limit » doit être un nombre entre 1 et {MAX_LIMIT}.")
    return int(value)
