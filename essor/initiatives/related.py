"""The module's places in other pages, through the layout's hooks (see
essor/core/navigation.py): an authority's initiatives on its profile sheet, and the number of
initiatives among the home page's figures. Imported by wagtail_hooks.py, which registers them."""

from django.db import connection
from django.utils.http import urlencode
from wagtail import hooks

from essor.core.caching import remember
from essor.core.navigation import AUTHORITY_RELATED_HOOK, HOME_FIGURES_HOOK
from essor.core.paths import path_of, slug_path
from essor.initiatives import selectors
from essor.initiatives.models import Initiative, Involvement
from essor.members.models import Authority

AUTHORITY_SHOWN = 10


@hooks.register(AUTHORITY_RELATED_HOOK)
def authority_initiatives(authority: Authority) -> dict | None:
    """The published initiatives an authority is involved in (the first ones by name, and a
    link to all of them in the list when there are more)."""
    # The initiatives of selectors.initiatives_of_authority() (published: live), by name,
    # with their total from a window count rather than a second query. Written out: building
    # it with the ORM cost several times running it on this page computed on each request.
    sql = (
        f"SELECT i.name, i.slug, i.year_started, COUNT(*) OVER () FROM {Initiative._meta.db_table} i "  # noqa: S608
        f"WHERE i.live AND i.id IN (SELECT initiative_id FROM {Involvement._meta.db_table} "
        "WHERE authority_id = %s) ORDER BY i.name LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [authority.pk, AUTHORITY_SHOWN + 1])
        rows = [
            {"name": name, "slug": slug, "year_started": year, "total": total}
            for name, slug, year, total in cursor.fetchall()
        ]
    if not rows:
        return None
    initiative_url = slug_path("initiatives:detail")
    items = [
        {
            "label": row["name"],
            "url": initiative_url(row["slug"]),
            "meta": f"lancée en {row['year_started']}" if row["year_started"] else "",
        }
        for row in rows[:AUTHORITY_SHOWN]
    ]
    if len(rows) > AUTHORITY_SHOWN:
        total = rows[0]["total"]
        items.append(
            {
                "label": f"Voir les {total} initiatives",
                "url": f"{path_of('initiatives:list')}?{urlencode({'collectivite': authority.slug})}",
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
