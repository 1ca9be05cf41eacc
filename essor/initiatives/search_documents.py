"""Initiatives and practice sheets as the search sees them (registered in wagtail_hooks)."""

import datetime

from django.db.models import Model

from essor.core.search_sources import SearchDocument, SearchSource, owner_key
from essor.core.search_text import plain
from essor.initiatives.models import Initiative, PracticeSheet

_INITIATIVE_RELATED = ("themes", "places__territory__region", "involvements__authority")


def _initiative_document(initiative: Initiative) -> SearchDocument:
    places = [place.territory for place in initiative.places.all()]
    involvements = list(initiative.involvements.all())
    region = next(
        (t.region.code if t.region else t.code for t in places if t.kind != "commune" or t.region),
        "",
    )
    text = plain(
        initiative.summary,
        initiative.description,
        initiative.carrier_name,
        initiative.get_legal_form_display() if initiative.legal_form else "",
        " ".join(territory.name for territory in places),
        "\n".join(f"{i.authority.name} : {i.role}" for i in involvements),
    )
    return SearchDocument(
        key=owner_key("initiative", initiative.pk),
        owner=owner_key("initiative", initiative.pk),
        kind="initiative",
        title=initiative.name,
        url=initiative.get_absolute_url(),
        text=text,
        date=datetime.date(initiative.year_started, 1, 1) if initiative.year_started else None,
        themes=[theme.slug for theme in initiative.themes.all()],
        region=region,
        level=involvements[0].authority.kind if involvements else "",
    )


def _initiatives() -> list[SearchDocument]:
    rows = Initiative.objects.published().prefetch_related(*_INITIATIVE_RELATED)
    return [_initiative_document(initiative) for initiative in rows]


def _initiative_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    found = Initiative.objects.published().filter(pk=instance.pk)
    found = found.prefetch_related(*_INITIATIVE_RELATED).first()
    return owner_key("initiative", instance.pk), [_initiative_document(found)] if found else []


def _sheet_document(sheet: PracticeSheet) -> SearchDocument:
    # Contacts are shown to members only: they are not indexed.
    text = plain(sheet.origin, sheet.financing, sheet.authorities_role, sheet.key_figures)
    return SearchDocument(
        key=owner_key("sheet", sheet.pk),
        owner=owner_key("sheet", sheet.pk),
        kind="sheet",
        title=f"Fiche n° {sheet.number} — {sheet.title}",
        url=sheet.get_absolute_url(),
        text=text,
        date=sheet.published_on,
        themes=[sheet.theme.slug] if sheet.theme_id else [],
    )


def _sheets() -> list[SearchDocument]:
    return [
        _sheet_document(sheet)
        for sheet in PracticeSheet.objects.published().select_related("theme")
    ]


def _sheet_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    found = PracticeSheet.objects.published().filter(pk=instance.pk).select_related("theme").first()
    return owner_key("sheet", instance.pk), [_sheet_document(found)] if found else []


def initiative_source() -> SearchSource:
    return SearchSource(
        "initiative",
        "Initiatives",
        (Initiative,),
        _initiatives,
        _initiative_of,
        lambda instance: owner_key("initiative", instance.pk),
    )


def sheet_source() -> SearchSource:
    return SearchSource(
        "sheet",
        "Fiches « Déniché pour vous »",
        (PracticeSheet,),
        _sheets,
        _sheet_of,
        lambda instance: owner_key("sheet", instance.pk),
    )
