"""Reads on initiatives for views, hooks and other modules: an initiative's page, its similar
initiatives, an authority's initiatives, counts for the home page and the map."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from essor.core.roles import Role, has_role
from essor.core.text import group_thousands
from essor.initiatives.levers import LEVER_LABELS, LEVER_OF_TOOL, LEVERS, TOOL_LABELS
from essor.initiatives.models import (
    Initiative,
    InitiativePlace,
    Involvement,
    LeverUse,
    SheetInitiative,
)
from essor.members.models import Authority

_LEVER_ORDER = {lever.code: index for index, lever in enumerate(LEVERS)}
_TOOL_ORDER = {
    tool.code: index for index, tool in enumerate(t for lever in LEVERS for t in lever.tools)
}


def initiative_for_page(slug: str) -> Initiative | None:
    """A published initiative with everything its page shows, in a fixed number of queries."""
    return (
        Initiative.objects.published()
        .select_related("carrier")
        .prefetch_related(
            "themes",
            "territory_types",
            Prefetch(
                "places",
                InitiativePlace.objects.select_related(
                    "territory", "territory__region", "territory__authority"
                ),
            ),
            Prefetch(
                "involvements",
                Involvement.objects.select_related("authority", "authority__territory"),
            ),
            Prefetch("lever_uses", LeverUse.objects.select_related("authority")),
            "key_figures",
            "financings",
            "contacts",
            "sources",
            Prefetch(
                "sheet_links",
                SheetInitiative.objects.filter(sheet__live=True)
                .select_related("sheet")
                .order_by("-sheet__number"),
            ),
        )
        .filter(slug=slug)
        .first()
    )


def initiative_heading(slug: str) -> Initiative | None:
    """A published initiative's name, summary and address only (one query): what the page
    needs around its article when the article comes from the cache."""
    row = (
        Initiative.objects.published()
        .filter(slug=slug)
        .values_list("pk", "name", "summary", "slug", "updated_at")
        .first()
    )
    if row is None:
        return None
    pk, name, summary, slug, updated_at = row
    return Initiative(pk=pk, name=name, summary=summary, slug=slug, updated_at=updated_at)


# --- French formatting -----------------------------------------------------------------------


def french_number(value: Decimal | int | None) -> str:
    """Decimal("1234567.50") → "1 234 567,5" (no-break spaces, decimal comma)."""
    if value is None:
        return ""
    text = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    sign = "-" if text.startswith("-") else ""
    whole, _dot, decimals = text.lstrip("-").partition(".")
    grouped = group_thousands(int(whole))
    return f"{sign}{grouped},{decimals}" if decimals else f"{sign}{grouped}"


# --- what an initiative's page shows ---------------------------------------------------------


@dataclass
class LeverGroup:
    code: str
    label: str
    tools: list[str] = field(default_factory=list)


def _lever_groups(uses: list[LeverUse]) -> list[LeverGroup]:
    """Tools grouped by lever, in the order of the study (the lever is derived from the tool,
    so unsaved lines of a preview group the same way)."""
    groups: dict[str, LeverGroup] = {}
    for use in sorted(uses, key=lambda u: _TOOL_ORDER.get(u.tool, len(_TOOL_ORDER))):
        code = LEVER_OF_TOOL.get(use.tool) or use.lever
        group = groups.setdefault(code, LeverGroup(code, LEVER_LABELS.get(code, code)))
        label = TOOL_LABELS.get(use.tool, use.tool)
        if label not in group.tools:
            group.tools.append(label)
    return sorted(groups.values(), key=lambda g: _LEVER_ORDER.get(g.code, len(_LEVER_ORDER)))


def _authority_url(authority: Authority | None) -> str:
    return authority.get_absolute_url() if authority is not None and authority.slug else ""


def _place_row(place: InitiativePlace) -> dict:
    territory = place.territory
    try:
        authority = territory.authority
    except Authority.DoesNotExist:
        authority = None
    return {
        "name": territory.name,
        "level": territory.level_label,
        "url": _authority_url(authority),
    }


def _involvement_rows(initiative: Initiative) -> tuple[list[dict], list[LeverGroup]]:
    """Each authority involved with its role and the levers it uses; the levers used by no
    authority listed (or one not involved) come apart."""
    uses = list(initiative.lever_uses.all())
    rows, involved = [], set()
    for involvement in initiative.involvements.all():
        authority = involvement.authority
        involved.add(involvement.authority_id)
        rows.append(
            {
                "name": authority.name,
                "url": _authority_url(authority),
                "level": authority.get_kind_display(),
                "role": involvement.role,
                "levers": _lever_groups(
                    [u for u in uses if u.authority_id == involvement.authority_id]
                ),
            }
        )
    others = _lever_groups([u for u in uses if u.authority_id not in involved])
    return rows, others


def initiative_display(initiative: Initiative, user: object, *, preview: bool = False) -> dict:
    """What the page of an initiative shows beyond its own fields, for the view and for the
    admin preview (where the initiative and its lines may not be saved yet)."""
    involvements, other_levers = _involvement_rows(initiative)
    saved = initiative.pk is not None and not preview
    return {
        "places": [_place_row(place) for place in initiative.places.all()],
        "involvements": involvements,
        "other_levers": other_levers,
        "levers": _lever_groups(list(initiative.lever_uses.all())),
        "figures": [
            {
                "label": figure.label,
                "value": french_number(figure.value),
                "unit": figure.unit,
                "year": figure.year or "",
            }
            for figure in initiative.key_figures.all()
        ],
        "financing_figures": any(f.amount or f.year for f in initiative.financings.all()),
        "financings": [
            {
                "source": financing.source,
                "amount": f"{french_number(financing.amount)} €" if financing.amount else "",
                "year": financing.year or "",
                "note": financing.note,
            }
            for financing in initiative.financings.all()
        ],
        # Personal data: members and the team only; editors see them in the preview.
        "show_contacts": preview or has_role(user, Role.MEMBER),
        "sheets": [
            {
                "number": link.sheet.number,
                "title": link.sheet.title,
                "url": link.sheet.get_absolute_url(),
            }
            for link in (initiative.sheet_links.all() if saved else [])
            if link.sheet.live
        ],
    }


# --- similar initiatives ---------------------------------------------------------------------


@dataclass
class Similar:
    name: str
    url: str
    summary: str
    score: int
    reasons: list[str] = field(default_factory=list)


_THEME_WEIGHT, _LEVER_WEIGHT, _FORM_WEIGHT, _REGION_WEIGHT = 3, 2, 1, 1


def _region_codes(initiative: Initiative) -> set[str]:
    codes = set()
    for place in initiative.places.all():
        territory = place.territory
        if territory.kind == "region":
            codes.add(territory.code)
        elif territory.region_id:
            codes.add(territory.region.code)
    return codes


def _in_regions(codes: set[str]) -> Q:
    return Q(territory__kind="region", territory__code__in=codes) | Q(
        territory__region__code__in=codes
    )


def similar_initiatives(initiative: Initiative, limit: int = 4) -> list[Similar]:
    """The published initiatives most like this one: shared themes weigh most, then shared
    levers, the same legal form and the same région. Candidates share a theme (a lever when
    the initiative has no theme); scored in the database, whatever their number."""
    theme_ids = [theme.pk for theme in initiative.themes.all()]
    levers = {LEVER_OF_TOOL.get(use.tool) or use.lever for use in initiative.lever_uses.all()}
    regions = _region_codes(initiative)
    themes_through = Initiative.themes.through.objects
    if theme_ids:
        candidates = Q(pk__in=themes_through.filter(theme_id__in=theme_ids).values("initiative_id"))
    elif levers:
        candidates = Q(pk__in=LeverUse.objects.filter(lever__in=levers).values("initiative_id"))
    else:
        return []
    shared_themes = (
        themes_through.filter(initiative_id=OuterRef("pk"), theme_id__in=theme_ids)
        .order_by()
        .values("initiative_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    shared_levers = (
        LeverUse.objects.filter(initiative_id=OuterRef("pk"), lever__in=levers)
        .order_by()
        .values("initiative_id")
        .annotate(total=Count("lever", distinct=True))
        .values("total")
    )
    same_region = InitiativePlace.objects.filter(_in_regions(regions), initiative_id=OuterRef("pk"))
    found = (
        Initiative.objects.published()
        .filter(candidates)
        .exclude(pk=initiative.pk)
        .annotate(
            shared_themes=Coalesce(Subquery(shared_themes, output_field=IntegerField()), 0),
            shared_levers=Coalesce(Subquery(shared_levers, output_field=IntegerField()), 0),
            same_form=_flag(Q(legal_form=initiative.legal_form) if initiative.legal_form else None),
            same_region=_flag(Exists(same_region) if regions else None),
        )
        .annotate(
            score=F("shared_themes") * _THEME_WEIGHT
            + F("shared_levers") * _LEVER_WEIGHT
            + F("same_form") * _FORM_WEIGHT
            + F("same_region") * _REGION_WEIGHT
        )
        .order_by("-score", "name", "pk")
        .values("pk", "name", "slug", "summary", "score", "same_form", "same_region")[:limit]
    )
    rows = list(found)
    return _with_reasons(rows, theme_ids, levers)


def _flag(condition: Q | Exists | None) -> Case | Value:
    if condition is None:
        return Value(0, output_field=IntegerField())
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _with_reasons(rows: list[dict], theme_ids: list[int], levers: set[str]) -> list[Similar]:
    """The shared themes and levers of the few initiatives kept, named (two queries)."""
    ids = [row["pk"] for row in rows]
    themes: dict[int, list[str]] = {}
    for initiative_id, name in (
        Initiative.themes.through.objects.filter(initiative_id__in=ids, theme_id__in=theme_ids)
        .order_by("theme__name")
        .values_list("initiative_id", "theme__name")
    ):
        themes.setdefault(initiative_id, []).append(name)
    shared_levers: dict[int, set[str]] = {}
    for initiative_id, lever in LeverUse.objects.filter(
        initiative_id__in=ids, lever__in=levers
    ).values_list("initiative_id", "lever"):
        shared_levers.setdefault(initiative_id, set()).add(lever)
    similar = []
    for row in rows:
        reasons = []
        if themes.get(row["pk"]):
            reasons.append("thèmes communs : " + ", ".join(themes[row["pk"]]))
        lever_codes = sorted(shared_levers.get(row["pk"], ()), key=lambda c: _LEVER_ORDER[c])
        if lever_codes:
            reasons.append(
                "mêmes leviers : " + ", ".join(LEVER_LABELS[c].lower() for c in lever_codes)
            )
        if row["same_form"]:
            reasons.append("même forme juridique")
        if row["same_region"]:
            reasons.append("même région")
        similar.append(
            Similar(
                name=row["name"],
                url=Initiative(slug=row["slug"]).get_absolute_url(),
                summary=row["summary"],
                score=row["score"],
                reasons=reasons,
            )
        )
    return similar


# --- for other pages -------------------------------------------------------------------------


def initiatives_of_authority(authority: Authority) -> QuerySet[Initiative]:
    """The published initiatives an authority is involved in, by name."""
    involved = Involvement.objects.filter(authority=authority).values("initiative_id")
    return Initiative.objects.published().filter(pk__in=involved).order_by("name")


def published_count() -> int:
    return Initiative.objects.published().count()
