"""Demo initiatives and "Déniché pour vous" practice sheets (data/initiatives.toml and
data/practice_sheets.toml): facts from the network's documents in our own words, published
through the initiatives module's service.

Every load is an upsert keyed by slug (initiatives) or number (sheets). An item is written,
with a new revision and history entry, only when the file says something the published item
does not: loading twice changes nothing."""

import datetime
import html
import tomllib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from essor.core.editorial import content_publish, unique_slug
from essor.core.models import Theme
from essor.demo.services import DATA_DIR, DemoDataError, source_label
from essor.initiatives.levers import LEVER_OF_TOOL
from essor.initiatives.models import (
    Financing,
    Initiative,
    InitiativePlace,
    Involvement,
    KeyFigure,
    LegalForm,
    LeverUse,
    Licence,
    PracticeSheet,
    SheetAuthority,
    Source,
    SourceKind,
    TerritoryType,
)
from essor.members import services as members
from essor.members.models import Authority, Organisation
from essor.territories.models import Territory
from essor.territories.selectors import territory_by_code

# The day each source document speaks from (see data/README.md).
SOURCE_DATES = {
    "000": datetime.date(2013, 9, 12),
    "001": datetime.date(2013, 9, 12),
    "002": datetime.date(2014, 11, 25),
    "003": datetime.date(2017, 12, 31),
}
SHEETS_REPORT = "003"


@dataclass
class InitiativesReport:
    sheets: int = 0
    initiatives: int = 0
    written: int = 0  # items created or updated by this load


def _read(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def initiatives_demo_load() -> InitiativesReport:
    """Publish the demo practice sheets and initiatives, after the network (authorities,
    organisations, themes) is loaded. Raises DemoDataError on a dangling reference,
    writing nothing."""
    report = InitiativesReport()
    for row in _read("practice_sheets.toml")["sheet"]:
        report.written += _upsert_sheet(row)
        report.sheets += 1
    for row in _read("initiatives.toml")["initiative"]:
        report.written += _upsert_initiative(row)
        report.initiatives += 1
    return report


# ------------------------------------------------------------------ references


def _territory(place: dict, where: str) -> Territory:
    territory = territory_by_code(place["kind"], place["code"])
    if territory is None:
        raise DemoDataError(f"{where} : territoire {place['kind']} {place['code']} inconnu")
    return territory


def _authority(place: dict, where: str) -> Authority:
    """The authority of an official territory; one the demo network does not cite yet is
    created from the referential."""
    territory = _territory(place, where)
    return Authority.objects.filter(
        territory=territory
    ).first() or members.authority_upsert_for_territory(territory)


def _theme(name: str, where: str) -> Theme:
    theme = Theme.objects.filter(name=name).first()
    if theme is None:
        raise DemoDataError(f"{where} : thème {name!r} absent de themes.toml")
    return theme


def _organisation(key: str | None, where: str) -> Organisation | None:
    if not key:
        return None
    organisation = Organisation.objects.filter(slug=key).first()
    if organisation is None:
        raise DemoDataError(f"{where} : organisation {key!r} absente de organisations.toml")
    return organisation


def _publish(item: Initiative | PracticeSheet, where: str) -> None:
    try:
        item.full_clean()
    except ValidationError as error:
        raise DemoDataError(f"{where} : {' '.join(error.messages)}") from error
    content_publish(item)


# ---------------------------------------------------------------- practice sheets


def _sheet_date(row: dict) -> tuple[datetime.date, str]:
    """The report gives a year at most: the sheet is dated the last day of the year it
    attests, and says so."""
    if "year" in row:
        year = row["year"]
        return datetime.date(year, 12, 31), (
            f"Fiche réalisée en {year} selon le rapport, qui n'en donne pas le jour : "
            f"la date du 31 décembre {year} est retenue pour le classement."
        )
    year = row["before"] - 1
    return datetime.date(year, 12, 31), (
        f"Fiche antérieure à {row['before']} selon le rapport, qui n'en donne pas la date : "
        f"la date du 31 décembre {year} est retenue pour le classement."
    )


def _sheet_origin(row: dict, dating: str) -> str:
    tags = f" (mots-clés du rapport : {row['tags']})" if row.get("tags") else ""
    paragraphs = [
        f"Le rapport d'activité 2017 du réseau cite cette fiche par son numéro, son titre"
        f"{'' if row.get('theme_attributed') else ' et son thème'}{tags} ; le texte de ses "
        "cinq rubriques n'est pas repris ici.",
        dating,
        row.get("note", ""),
        f"Source : {source_label(SHEETS_REPORT)}.",
    ]
    texts = [html.escape(text, quote=False) for text in paragraphs if text]
    texts[0] = f"<strong>Contenu de démonstration.</strong> {texts[0]}"
    return "".join(f"<p>{text}</p>" for text in texts)


def _sheet_wanted(row: dict, where: str) -> tuple[dict, list[Authority]]:
    published_on, dating = _sheet_date(row)
    fields = {
        "title": row["title"],
        "theme_id": _theme(row["theme"], where).pk,
        "published_on": published_on,
        "origin": _sheet_origin(row, dating),
        # The report does not give these sections: they stay empty rather than invented.
        "financing": "",
        "authorities_role": "",
        "key_figures": "",
        "contacts": "",
        "licence": Licence.CC_BY_NC_ND,
        "origin_event": row.get("origin_event", ""),
        "origin_event_url": "",
    }
    authorities = [_authority(place, where) for place in row.get("authorities", [])]
    return fields, authorities


def _sheet_is(sheet: PracticeSheet, fields: dict, authorities: list[Authority]) -> bool:
    return (
        sheet.live
        and not sheet.has_unpublished_changes
        and all(getattr(sheet, name) == value for name, value in fields.items())
        and list(sheet.authority_links.values_list("authority_id", flat=True))
        == [authority.pk for authority in authorities]
    )


def _upsert_sheet(row: dict) -> int:
    where = f"practice_sheets.toml, fiche n° {row['number']}"
    fields, authorities = _sheet_wanted(row, where)
    sheet = PracticeSheet.objects.filter(number=row["number"]).first()
    if sheet is not None and _sheet_is(sheet, fields, authorities):
        return 0
    sheet = sheet or PracticeSheet(number=row["number"])
    for name, value in fields.items():
        setattr(sheet, name, value)
    sheet.slug = sheet.slug or unique_slug(PracticeSheet, row["title"])
    sheet.authority_links = [SheetAuthority(authority=authority) for authority in authorities]
    _publish(sheet, where)
    return 1


# ------------------------------------------------------------------- initiatives


def _description(row: dict) -> str:
    paragraphs = [text.strip() for text in row["description"].split("\n\n") if text.strip()]
    titles = " ; ".join(source_label(seed) for seed in row["seeds"])
    paragraphs.append(
        f"Données de démonstration tirées de : {titles}. Faits repris du document, "
        "texte rédigé pour Essor."
    )
    return "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs)


def _check_codes(row: dict, where: str) -> None:
    if row.get("legal_form", "") not in {"", *LegalForm.values}:
        raise DemoDataError(f"{where} : forme juridique {row['legal_form']!r} inconnue")
    for involvement in row.get("involvement", []):
        unknown = [tool for tool in involvement["tools"] if tool not in LEVER_OF_TOOL]
        if unknown:
            raise DemoDataError(f"{where} : outil(s) de levier inconnu(s) {unknown}")


def _initiative_wanted(row: dict, where: str) -> tuple[dict, dict]:
    """The initiative's own fields and its lines, as comparable values."""
    _check_codes(row, where)
    carrier = _organisation(row.get("carrier"), where)
    fields = {
        "name": row["name"],
        "summary": row["summary"].strip(),
        "description": _description(row),
        "carrier_id": carrier.pk if carrier else None,
        "carrier_name": row.get("carrier_name", ""),
        "legal_form": row.get("legal_form", ""),
        "year_started": row.get("year_started"),
        "website": row.get("website", ""),
    }
    types = TerritoryType.objects.filter(code__in=row.get("territory_types", []))
    if types.count() != len(row.get("territory_types", [])):
        raise DemoDataError(f"{where} : type de territoire inconnu {row['territory_types']}")
    involvements = [(_authority(i, where).pk, i["role"], i["tools"]) for i in row["involvement"]]
    lines = {
        "places": [_territory(place, where).pk for place in row.get("places", [])],
        "involvements": [(authority, role) for authority, role, _ in involvements],
        "lever_uses": [(authority, tool) for authority, _, tools in involvements for tool in tools],
        "key_figures": [
            (f["label"], Decimal(str(f["value"])), f.get("unit", ""), f.get("year"))
            for f in row.get("figure", [])
        ],
        "financings": [
            (
                f["source"],
                Decimal(str(f["amount"])) if "amount" in f else None,
                f.get("year"),
                f.get("note", ""),
            )
            for f in row.get("financing", [])
        ],
        "sources": [
            (SourceKind.PUBLICATION, source_label(seed), "", SOURCE_DATES[seed])
            for seed in row["seeds"]
        ],
        "contacts": [],  # the documents name people; their details are not republished
        "themes": sorted(_theme(name, where).pk for name in row.get("themes", [])),
        "territory_types": sorted(types.values_list("pk", flat=True)),
    }
    return fields, lines


def _initiative_lines(initiative: Initiative) -> dict:
    return {
        "places": list(initiative.places.values_list("territory_id", flat=True)),
        "involvements": list(initiative.involvements.values_list("authority_id", "role")),
        "lever_uses": list(initiative.lever_uses.values_list("authority_id", "tool")),
        "key_figures": list(initiative.key_figures.values_list("label", "value", "unit", "year")),
        "financings": list(initiative.financings.values_list("source", "amount", "year", "note")),
        "sources": list(initiative.sources.values_list("kind", "title", "url", "date")),
        "contacts": list(initiative.contacts.values_list("name")),
        "themes": sorted(initiative.themes.values_list("pk", flat=True)),
        "territory_types": sorted(initiative.territory_types.values_list("pk", flat=True)),
    }


def _initiative_is(initiative: Initiative, fields: dict, lines: dict) -> bool:
    return (
        initiative.live
        and not initiative.has_unpublished_changes
        and all(getattr(initiative, name) == value for name, value in fields.items())
        and _initiative_lines(initiative) == lines
    )


def _set_lines(initiative: Initiative, lines: dict) -> None:
    initiative.places = [InitiativePlace(territory_id=pk) for pk in lines["places"]]
    initiative.involvements = [
        Involvement(authority_id=authority, role=role) for authority, role in lines["involvements"]
    ]
    initiative.lever_uses = [
        LeverUse(authority_id=authority, tool=tool, lever=LEVER_OF_TOOL[tool])
        for authority, tool in lines["lever_uses"]
    ]
    initiative.key_figures = [
        KeyFigure(label=label, value=value, unit=unit, year=year)
        for label, value, unit, year in lines["key_figures"]
    ]
    initiative.financings = [
        Financing(source=source, amount=amount, year=year, note=note)
        for source, amount, year, note in lines["financings"]
    ]
    initiative.sources = [
        Source(kind=kind, title=title, url=url, date=date)
        for kind, title, url, date in lines["sources"]
    ]
    initiative.contacts = []
    initiative.themes = list(Theme.objects.filter(pk__in=lines["themes"]))
    initiative.territory_types = list(TerritoryType.objects.filter(pk__in=lines["territory_types"]))


def _upsert_initiative(row: dict) -> int:
    where = f"initiatives.toml, {row['slug']}"
    fields, lines = _initiative_wanted(row, where)
    initiative = Initiative.objects.filter(slug=row["slug"]).first()
    if initiative is not None and _initiative_is(initiative, fields, lines):
        return 0
    initiative = initiative or Initiative(slug=row["slug"])
    for name, value in fields.items():
        setattr(initiative, name, value)
    _set_lines(initiative, lines)
    _publish(initiative, where)
    return 1
