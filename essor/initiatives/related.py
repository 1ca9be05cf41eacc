"""The module's places in other pages, through the layout's hooks (see
essor/core/navigation.py): an authority's initiatives on its profile sheet, and the number of
initiatives among the home page's figures. Imported by wagtail_hooks.py, which registers them."""

from django.urls import reverse
from django.utils.http import urlencode
from wagtail import hooks

from essor.core.caching import remember
from essor.core.navigation import AUTHORITY_RELATED_HOOK, HOME_FIGURES_HOOK
from essor.initiatives import selectors
from essor.members.models import Authority

AUTHORITY_SHOWN = 10


@hooks.register(AUTHORITY_RELATED_HOOK)
def authority_initiatives(authority: Authority) -> dict | None:
    """The published initiatives an authority is involved in (the first ones by name, and a
    link to all of them in the list when there are more)."""
    found = selectors.initiatives_of_authority(authority)
    rows = list(found.values("name", "slug", "year_started", "legal_form")[: AUTHORITY_SHOWN + 1])
    if not rows:
        return None
    items = [
        {
            "label": row["name"],
            "url": reverse("initiatives:detail", args=[row["slug"]]),
            "meta": f"lancée en {row['year_started']}" if row["year_started"] else "",
        }
        for row in rows[:AUTHORITY_SHOWN]
    ]
    if len(rows) > AUTHORITY_SHOWN:
        total = found.count()
        items.append(
            {
                "label": f"Voir les {total} initiatives",
                "url": f"{reverse('initiatives:list')}?{urlencode({'collectivite': authority.slug})}",
                "meta": "",
            }
        )
    return {"title": "Initiatives soutenues", "items": items}


@hooks.register(HOME_FIGURES_HOOK)
def initiative_figures() -> list[dict]:
    count = remember("initiatives:published-count", selectors.published_count)
    if not count:
        return []
    return [{"value": count, "label": "initiatives des territoires"}]
