"""Reads the search page needs besides the index."""

from essor.territories.models import Territory


def region_choices() -> list[tuple[str, str]]:
    return list(
        Territory.objects.filter(kind="region", is_current=True)
        .order_by("name")
        .values_list("code", "name")
    )
