"""Initiatives and practice sheets for tests; other modules' tests may import these."""

import datetime
import itertools

from essor.core.editorial import content_publish, unique_slug
from essor.core.services import theme_get_or_create
from essor.initiatives.models import (
    Contact,
    Initiative,
    InitiativePlace,
    Involvement,
    KeyFigure,
    LeverUse,
    PracticeSheet,
    SheetInitiative,
    TerritoryType,
)
from essor.members.models import Authority
from essor.territories.models import Territory

_numbers = itertools.count(1000)


def initiative_make(
    name: str = "Monnaie locale complémentaire",
    *,
    summary: str = "Une monnaie locale adossée à l'euro pour faire vivre le commerce de proximité.",
    themes: tuple[str, ...] = (),
    places: tuple[Territory, ...] = (),
    territory_types: tuple[str, ...] = (),
    authorities: tuple[Authority, ...] = (),
    tools: tuple[str, ...] = (),
    contacts: tuple[dict, ...] = (),
    figures: tuple[tuple[str, int, str], ...] = (),
    live: bool = True,
    **fields: object,
) -> Initiative:
    """An initiative, published unless `live=False`; `tools` are lever tool codes, used by
    the first authority given (see levers.py)."""
    initiative = Initiative(name=name, summary=summary, **fields)
    initiative.places = [InitiativePlace(territory=territory) for territory in places]
    initiative.involvements = [
        Involvement(authority=authority, role="Soutien financier et technique.")
        for authority in authorities
    ]
    initiative.lever_uses = [
        LeverUse(authority=authorities[0] if authorities else None, tool=tool) for tool in tools
    ]
    initiative.contacts = [Contact(**contact) for contact in contacts]
    initiative.key_figures = [
        KeyFigure(label=label, value=value, unit=unit) for label, value, unit in figures
    ]
    initiative.themes = [theme_get_or_create(theme) for theme in themes]
    initiative.territory_types = list(TerritoryType.objects.filter(code__in=territory_types))
    if live:
        content_publish(initiative)
    else:
        initiative.slug = initiative.slug or unique_slug(Initiative, name)
        initiative.live = False  # a draft: the field's default is Wagtail's True
        initiative.save()
    return initiative


def sheet_make(
    title: str = "Une épicerie solidaire en milieu rural",
    *,
    number: int | None = None,
    theme: str | None = "Alimentation durable",
    live: bool = True,
    **fields: object,
) -> PracticeSheet:
    sheet = PracticeSheet(
        number=number or next(_numbers),
        title=title,
        slug=fields.pop("slug", None) or unique_slug(PracticeSheet, title),
        published_on=fields.pop("published_on", datetime.date(2017, 6, 1)),
        theme=theme_get_or_create(theme) if theme else None,
        origin="<p>Origine et présentation de l'initiative.</p>",
        financing="<p>Budget et financeurs.</p>",
        authorities_role="<p>Ce que font les collectivités.</p>",
        key_figures="<p>12 emplois créés.</p>",
        contacts="<p>Camille Martin, chargée de mission, camille.martin@example.org</p>",
        **fields,
    )
    if live:
        content_publish(sheet)
    else:
        sheet.live = False
        sheet.save()
    return sheet


def initiatives_fixture() -> dict:
    """One of each object the module's admin screens show, keyed by view set namespace (for
    the URL × role table of essor/config/tests)."""
    initiative = initiative_make("Ressourcerie du fixture", themes=("Économie circulaire",))
    sheet = sheet_make("Une fiche du fixture", number=999)
    SheetInitiative.objects.create(sheet=sheet, initiative=initiative)
    return {"initiative": initiative, "practicesheet": sheet}
