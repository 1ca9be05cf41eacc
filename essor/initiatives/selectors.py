"""Reads on initiatives for views, hooks and other modules: an initiative's page, its similar
initiatives, an authority's initiatives, counts for the home page and the map."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.db import connection
from django.db.models import QuerySet
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from essor.core.paths import path_of, slug_path
from essor.core.roles import Role, has_role
from essor.core.text import group_thousands
from essor.initiatives.levers import LEVER_LABELS, LEVER_OF_TOOL, LEVERS, TOOL_LABELS
from essor.initiatives.models import (
    Initiative,
    Involvement,
    SourceKind,
)
from essor.members.models import Authority
from essor.territories.models import Territory

_LEVER_ORDER = {lever.code: index for index, lever in enumerate(LEVERS)}
_TOOL_ORDER = {
    tool.code: index for index, tool in enumerate(t for lever in LEVERS for t in lever.tools)
}


# What the page shows of the initiative's own row, and the name of the carrier from the
# directory. A raw query still gives a model instance (converted fields, the legal form's
# label) at a quarter of the cost of building the query.
_PUBLISHED_INITIATIVE = (
    "SELECT initiative.id, initiative.name, initiative.slug, initiative.summary,"
    " initiative.description, initiative.carrier_name, initiative.legal_form,"
    " initiative.year_started, initiative.website, initiative.updated_at,"
    " carrier.name AS carrier_label FROM initiatives_initiative initiative"
    " LEFT JOIN members_organisation carrier ON carrier.id = initiative.carrier_id"
    " WHERE initiative.slug = %s AND initiative.live"
)


def published_initiative(slug: str) -> Initiative | None:
    """A published initiative's own fields, no line read (one query): what its page shows
    around the lines, and all it needs when the article comes from the cache. Its
    `carrier_label` is the carrier's name as typed, or else from the directory."""
    for initiative in Initiative.objects.raw(_PUBLISHED_INITIATIVE, [slug]):
        initiative.carrier_label = initiative.carrier_name or initiative.carrier_label or ""
        return initiative
    return None


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


@dataclass
class Lines:
    """The lines of an initiative its page shows, as plain values: read from the database in
    one query per kind for the page, or from the (maybe unsaved) instance for the preview."""

    themes: list[tuple[int, str, str]]  # pk, slug, name
    territory_types: list[tuple[str, str]]  # code, name
    # territory pk, kind, région pk, name, nature, slug of its authority
    places: list[tuple[int, str, int | None, str, str, str]]
    involvements: list[tuple[int, str, str, str, str]]  # authority pk, name, slug, kind, role
    uses: list[tuple[int | None, str, str]]  # authority pk, tool, lever
    figures: list[tuple[str, Decimal, str, int | None]]  # label, value, unit, year
    financings: list[tuple[str, Decimal | None, int | None, str]]  # source, amount, year, note
    contacts: list[tuple[str, str, str, str, str]]  # name, role, organisation, email, phone
    has_contacts: bool
    sources: list[tuple[str, str, str, object]]  # kind, title, url, date
    sheets: list[tuple[int, str, str]]  # number, title, slug


# One short query per kind of line, each on an index starting with the initiative; the tables
# are the models' (default names). Contacts only say whether there are some unless shown.
_LINE_QUERIES = {
    "themes": "SELECT theme.id, theme.slug, theme.name FROM core_theme theme"
    " INNER JOIN initiatives_initiative_themes line ON line.theme_id = theme.id"
    " WHERE line.initiative_id = %s ORDER BY theme.name",
    "territory_types": "SELECT kind.code, kind.name FROM initiatives_territorytype kind"
    " INNER JOIN initiatives_initiative_territory_types line"
    " ON line.territorytype_id = kind.id"
    " WHERE line.initiative_id = %s ORDER BY kind.position, kind.name",
    "places": "SELECT territory.id, territory.kind, territory.region_id, territory.name,"
    " territory.nature, COALESCE(authority.slug, '') FROM initiatives_initiativeplace line"
    " INNER JOIN territories_territory territory ON territory.id = line.territory_id"
    " LEFT JOIN members_authority authority ON authority.territory_id = territory.id"
    " WHERE line.initiative_id = %s ORDER BY line.sort_order, line.id",
    "involvements": "SELECT authority.id, authority.name, authority.slug, authority.kind,"
    " line.role FROM initiatives_involvement line"
    " INNER JOIN members_authority authority ON authority.id = line.authority_id"
    " WHERE line.initiative_id = %s ORDER BY line.sort_order, line.id",
    "uses": "SELECT authority_id, tool, lever FROM initiatives_leveruse"
    " WHERE initiative_id = %s ORDER BY sort_order, id",
    "figures": "SELECT label, value, unit, year FROM initiatives_keyfigure"
    " WHERE initiative_id = %s ORDER BY sort_order, id",
    "financings": "SELECT source, amount, year, note FROM initiatives_financing"
    " WHERE initiative_id = %s ORDER BY sort_order, id",
    "contacts": "SELECT name, role, organisation, email, phone FROM initiatives_contact"
    " WHERE initiative_id = %s ORDER BY sort_order, id",
    "any_contact": "SELECT 1 FROM initiatives_contact WHERE initiative_id = %s LIMIT 1",
    "sources": "SELECT kind, title, url, date FROM initiatives_source"
    " WHERE initiative_id = %s ORDER BY sort_order, id",
    "sheets": "SELECT sheet.number, sheet.title, sheet.slug FROM initiatives_practicesheet sheet"
    " INNER JOIN initiatives_sheetinitiative line ON line.sheet_id = sheet.id"
    " WHERE line.initiative_id = %s AND sheet.live ORDER BY sheet.number DESC",
}


def page_lines(initiative_pk: int, *, with_contacts: bool) -> Lines:
    """The lines of a published initiative, in plain SQL: no model instance and no query
    building, which were most of the cost of this page. Contacts (personal data) are only
    read when they are shown."""
    skipped = "any_contact" if with_contacts else "contacts"
    rows = {}
    with connection.cursor() as cursor:
        for name, sql in _LINE_QUERIES.items():
            if name != skipped:
                cursor.execute(sql, [initiative_pk])
                rows[name] = cursor.fetchall()
    contacts = rows.get("contacts", [])
    return Lines(
        themes=rows["themes"],
        territory_types=rows["territory_types"],
        places=rows["places"],
        involvements=rows["involvements"],
        uses=rows["uses"],
        figures=[(label, _decimal(v), unit, year) for label, v, unit, year in rows["figures"]],
        financings=[(s, _decimal(v), year, note) for s, v, year, note in rows["financings"]],
        contacts=contacts,
        has_contacts=bool(contacts or rows.get("any_contact")),
        sources=[(kind, title, url, _date(d)) for kind, title, url, d in rows["sources"]],
        sheets=rows["sheets"],
    )


def _decimal(value: object) -> Decimal | None:
    # SQLite gives numbers back as int or float, PostgreSQL as Decimal.
    return None if value is None else Decimal(str(value))


def _date(value: object) -> datetime.date | None:
    # SQLite gives dates back as ISO text, PostgreSQL as dates.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def instance_lines(initiative: Initiative, *, with_sheets: bool) -> Lines:
    """The same lines read from an instance: its prefetched or in-memory (preview) lines."""
    places = []
    for place in initiative.places.all():
        territory = place.territory
        try:
            slug = territory.authority.slug
        except Authority.DoesNotExist:
            slug = ""
        places.append(
            (
                territory.pk,
                territory.kind,
                territory.region_id,
                territory.name,
                territory.nature,
                slug,
            )
        )
    contacts = [
        (c.name, c.role, c.organisation, c.email, c.phone) for c in initiative.contacts.all()
    ]
    return Lines(
        themes=[(theme.pk, theme.slug, theme.name) for theme in initiative.themes.all()],
        territory_types=[(kind.code, kind.name) for kind in initiative.territory_types.all()],
        places=places,
        involvements=[
            (
                line.authority_id,
                line.authority.name,
                line.authority.slug,
                line.authority.kind,
                line.role,
            )
            for line in initiative.involvements.all()
        ],
        uses=[(use.authority_id, use.tool, use.lever) for use in initiative.lever_uses.all()],
        figures=[(f.label, f.value, f.unit, f.year) for f in initiative.key_figures.all()],
        financings=[(f.source, f.amount, f.year, f.note) for f in initiative.financings.all()],
        contacts=contacts,
        has_contacts=bool(contacts),
        sources=[(s.kind, s.title, s.url, s.date) for s in initiative.sources.all()],
        sheets=[
            (link.sheet.number, link.sheet.title, link.sheet.slug)
            for link in (initiative.sheet_links.all() if with_sheets else [])
            if link.sheet.live
        ],
    )


_TERRITORY_KINDS = dict(Territory._meta.get_field("kind").flatchoices)
_TERRITORY_NATURES = dict(Territory._meta.get_field("nature").flatchoices)
_AUTHORITY_KINDS = dict(Authority._meta.get_field("kind").flatchoices)
_SOURCE_KINDS = dict(SourceKind.choices)


def _lever_groups(uses: list[tuple[str, str]]) -> list[LeverGroup]:
    """Tools (tool, stored lever) grouped by lever, in the order of the study (the lever is
    derived from the tool, so unsaved lines of a preview group the same way)."""
    groups: dict[str, LeverGroup] = {}
    for tool, lever in sorted(uses, key=lambda use: _TOOL_ORDER.get(use[0], len(_TOOL_ORDER))):
        code = LEVER_OF_TOOL.get(tool) or lever
        group = groups.setdefault(code, LeverGroup(code, LEVER_LABELS.get(code, code)))
        label = TOOL_LABELS.get(tool, tool)
        if label not in group.tools:
            group.tools.append(label)
    return sorted(groups.values(), key=lambda g: _LEVER_ORDER.get(g.code, len(_LEVER_ORDER)))


def _address_of_slug(name: str) -> Callable[[str], str]:
    """`reverse()` once for many slugs of a page (it costs as much as building a whole line):
    a slug needs no quoting, so the address of one gives the others."""
    address = slug_path(name)
    return lambda slug: address(slug) if slug else ""


def _involvement_rows(lines: Lines) -> tuple[list[dict], list[LeverGroup]]:
    """Each authority involved with its role and the levers it uses; the levers used by no
    authority listed (or one not involved) come apart."""
    rows, involved = [], set()
    authority_url = _address_of_slug("members:authority")
    for authority_pk, name, slug, kind, role in lines.involvements:
        involved.add(authority_pk)
        rows.append(
            {
                "name": name,
                "url": authority_url(slug),
                "level": _AUTHORITY_KINDS.get(kind, kind),
                "role": role,
                "levers": _lever_groups(
                    [(tool, lever) for who, tool, lever in lines.uses if who == authority_pk]
                ),
            }
        )
    others = _lever_groups(
        [(tool, lever) for who, tool, lever in lines.uses if who not in involved]
    )
    return rows, others


def initiative_display(initiative: Initiative, user: object, *, preview: bool = False) -> dict:
    """What the page of an initiative shows beyond its own fields, from the instance and its
    lines: for the admin preview (where the initiative and its lines may not be saved yet)."""
    saved = initiative.pk is not None and not preview
    carrier = initiative.carrier_name or (initiative.carrier.name if initiative.carrier else "")
    lines = instance_lines(initiative, with_sheets=saved)
    # Personal data: members and the team only; editors see them in the preview.
    return lines_display(lines, carrier, show_contacts=preview or has_role(user, Role.MEMBER))


def lines_display(lines: Lines, carrier: str, *, show_contacts: bool) -> dict:
    """What the page of an initiative shows beyond its own fields, ready for the template."""
    involvements, other_levers = _involvement_rows(lines)
    authority_url = _address_of_slug("members:authority")
    display = {
        "carrier": carrier,
        "themes": [{"slug": slug, "name": name} for _pk, slug, name in lines.themes],
        "territory_types": [{"code": code, "name": name} for code, name in lines.territory_types],
        "places": [
            {
                "name": name,
                "level": _TERRITORY_NATURES.get(nature, nature)
                if nature
                else _TERRITORY_KINDS.get(kind, kind),
                "url": authority_url(slug),
            }
            for _pk, kind, _region, name, nature, slug in lines.places
        ],
        "involvements": involvements,
        "other_levers": other_levers,
        "levers": _lever_groups([(tool, lever) for _who, tool, lever in lines.uses]),
        "figures": [
            {"label": label, "value": french_number(value), "unit": unit, "year": year or ""}
            for label, value, unit, year in lines.figures
        ],
        "financing_figures": any(amount or year for _s, amount, year, _n in lines.financings),
        "financings": [
            {
                "source": source,
                "amount": f"{french_number(amount)} €" if amount else "",
                "year": year or "",
                "note": note,
            }
            for source, amount, year, note in lines.financings
        ],
        "has_contacts": lines.has_contacts,
        "show_contacts": show_contacts,
        "contacts": [
            {"name": name, "role": role, "organisation": org, "email": email, "phone": phone}
            for name, role, org, email, phone in (lines.contacts if show_contacts else [])
        ],
        "sources": [
            {"kind": _SOURCE_KINDS.get(kind, kind), "title": title, "url": url, "date": date}
            for kind, title, url, date in lines.sources
        ],
        "sheets": [
            {
                "number": number,
                "title": title,
                "url": reverse("initiatives:sheet", args=[number, slug]),
            }
            for number, title, slug in lines.sheets
        ],
    }
    display.update(_html_parts(display))
    return display


# --- the repeated lines of the page, in HTML ------------------------------------------------
# Built here rather than by template loops: one variable lookup of the template language
# costs as much as a whole line built in Python, and the lines repeat.


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)


def _levers_html(levers: list[LeverGroup]) -> str:
    items = "".join(
        f"<li><strong>{escape(lever.label)}</strong> : {escape(', '.join(lever.tools))}</li>"
        for lever in levers
    )
    return f'<ul class="initiative-levers">{items}</ul>' if levers else ""


def _involvement_html(involved: dict) -> str:
    level = escape(involved["level"].lower())
    html = (
        f'<h3>{_link(involved["url"], involved["name"])} <span class="meta">({level})</span></h3>'
    )
    if involved["role"]:
        html += linebreaks(involved["role"], autoescape=True)
    if involved["levers"]:
        html += '<p class="meta">Leviers mobilisés :</p>' + _levers_html(involved["levers"])
    return html


def _html_parts(display: dict) -> dict[str, SafeString]:
    """The lines of the page as HTML, each value escaped: the template places them."""
    browse = path_of("initiatives:list")
    parts = {
        "places_html": "".join(
            f"<li>{_link(place['url'], place['name'])}"
            f' <span class="meta">({escape(place["level"].lower())})</span></li>'
            for place in display["places"]
        ),
        "territory_types_html": ", ".join(
            _link(f"{browse}?territoire={quote(kind['code'])}", kind["name"])
            for kind in display["territory_types"]
        ),
        "themes_html": ", ".join(
            _link(f"{browse}?theme={quote(theme['slug'])}", theme["name"])
            for theme in display["themes"]
        ),
        "involvements_html": "".join(map(_involvement_html, display["involvements"])),
        "other_levers_html": _levers_html(display["other_levers"]),
        "figures_html": "".join(
            f'<li class="figure"><span class="figure__value">{escape(figure["value"])}'
            + (f" {escape(figure['unit'])}" if figure["unit"] else "")
            + f'</span> <span class="figure__label">{escape(figure["label"])}'
            + (f" ({figure['year']})" if figure["year"] else "")
            + "</span></li>"
            for figure in display["figures"]
        ),
        "financings_html": "".join(
            f'<tr><th scope="row">{escape(line["source"])}</th>'
            f'<td class="number">{escape(line["amount"])}</td>'
            f'<td class="number">{line["year"]}</td><td>{escape(line["note"])}</td></tr>'
            if display["financing_figures"]
            else f"<li>{escape(line['source'])}"
            + (f' <span class="meta">({escape(line["note"])})</span>' if line["note"] else "")
            + "</li>"
            for line in display["financings"]
        ),
        "contacts_html": "".join(
            f"<li><strong>{escape(contact['name'])}</strong>"
            + (f", {escape(contact['role'])}" if contact["role"] else "")
            + (f" ({escape(contact['organisation'])})" if contact["organisation"] else "")
            + (
                f' — <a href="mailto:{escape(contact["email"])}">{escape(contact["email"])}</a>'
                if contact["email"]
                else ""
            )
            + (f" — {escape(contact['phone'])}" if contact["phone"] else "")
            + "</li>"
            for contact in display["contacts"]
        ),
        "sources_html": "".join(
            f"<li>{escape(source['kind'])} : {_link(source['url'], source['title'])}"
            + (f" ({escape(date_format(source['date'], 'j F Y'))})" if source["date"] else "")
            + "</li>"
            for source in display["sources"]
        ),
        "sheets_html": "".join(
            f'<li><a href="{escape(sheet["url"])}">'
            f"Fiche n° {sheet['number']} — {escape(sheet['title'])}</a></li>"
            for sheet in display["sheets"]
        ),
    }
    return {name: mark_safe(html) for name, html in parts.items()}  # every value escaped


# --- similar initiatives ---------------------------------------------------------------------


@dataclass
class Similar:
    name: str
    url: str
    summary: str
    score: int
    reasons: list[str] = field(default_factory=list)


_THEME_WEIGHT, _LEVER_WEIGHT, _FORM_WEIGHT, _REGION_WEIGHT = 3, 2, 1, 1
# How many candidates are ranked at most, shared out between the themes of the initiative
# (its levers when it has no theme), the latest of each first. A bounded pool keeps the
# page's cost the same with two hundred initiatives or two hundred thousand; a network's
# base rarely holds more initiatives per theme, and then the ranking covers them all.
POOL_SIZE = 80


@dataclass(frozen=True)
class Likeness:
    """What similar initiatives are compared on: themes (id → name), levers, legal form and
    the régions acted in (territory ids)."""

    pk: int
    themes: dict[int, str]
    levers: frozenset[str]
    legal_form: str
    regions: frozenset[int]


def likeness(initiative: Initiative, lines: Lines) -> Likeness:
    """What `initiative` is compared on, from its lines."""
    regions = {pk if kind == "region" else region for pk, kind, region, *_rest in lines.places}
    return Likeness(
        pk=initiative.pk,
        themes={pk: name for pk, _slug, name in lines.themes},
        levers=frozenset(LEVER_OF_TOOL.get(tool) or lever for _who, tool, lever in lines.uses),
        legal_form=initiative.legal_form,
        regions=frozenset(regions - {None}),
    )


def similar_initiatives(initiative: Initiative, limit: int = 4) -> list[Similar]:
    """The published initiatives most like this one (its themes, lever uses and places read)."""
    return similar_to(likeness(initiative, instance_lines(initiative, with_sheets=False)), limit)


def similar_to(likeness: Likeness, limit: int = 4) -> list[Similar]:
    """Shared themes weigh most, then shared levers, the same legal form and the same région;
    ties go by name. Candidates share a theme (a lever when there is none), the latest few
    per theme: one query whatever the size of the base, scored here."""
    # Each theme and lever compared is a bit: one number per candidate says which it shares.
    theme_bits = {pk: 1 << index for index, pk in enumerate(sorted(likeness.themes))}
    lever_bits = {code: 1 << index for index, code in enumerate(sorted(likeness.levers))}
    if not theme_bits and not lever_bits:
        return []
    sql, params = _similar_sql(likeness, theme_bits, lever_bits)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [_Candidate(*row[:4], row[4] or 0, *row[5:]) for row in cursor.fetchall()]
    rows.sort(key=lambda row: (-row.score, row.name, row.pk))
    address = _address_of_slug("initiatives:detail")
    return [
        row.similar(likeness.themes, theme_bits, lever_bits, address(row.slug))
        for row in rows[:limit]
    ]


def _similar_sql(likeness: Likeness, theme_bits: dict, lever_bits: dict) -> tuple[str, list]:
    """Per candidate of the pool: id, name, slug, summary, the bits of the themes and of the
    levers it shares, 1 when it has the same legal form, 1 when it acts in one of the
    régions. Each part probes an index starting with the initiative."""
    themes = "0"
    if theme_bits:
        cases = " ".join(f"WHEN %s THEN {bit:d}" for bit in theme_bits.values())
        themes = (
            f"(SELECT SUM(CASE line.theme_id {cases} ELSE 0 END)"  # noqa: S608 (no input)
            " FROM initiatives_initiative_themes line WHERE line.initiative_id = candidate.id)"
        )
    levers = "0"
    if lever_bits:
        # Each lever is its own bit: the sum of the distinct bits is their union. One walk
        # of the candidate's levers rather than a probe per lever compared.
        cases = " ".join(f"WHEN %s THEN {bit:d}" for bit in lever_bits.values())
        levers = (
            f"(SELECT COALESCE(SUM(DISTINCT CASE line.lever {cases} ELSE 0 END), 0)"  # noqa: S608
            " FROM initiatives_leveruse line WHERE line.initiative_id = candidate.id)"
        )
    regions = sorted(likeness.regions) or [None]  # NULL: no région matches
    within = ", ".join(["%s"] * len(regions))
    pool, pool_params = _pool_sql(likeness, list(theme_bits) or list(lever_bits))
    sql = (
        "SELECT candidate.id, candidate.name, candidate.slug, candidate.summary,"  # noqa: S608
        f" {themes}, {levers},"
        " CASE WHEN candidate.legal_form = %s THEN 1 ELSE 0 END,"
        " CASE WHEN EXISTS (SELECT 1 FROM initiatives_initiativeplace place"
        " INNER JOIN territories_territory territory ON territory.id = place.territory_id"
        f" WHERE place.initiative_id = candidate.id AND (place.territory_id IN ({within})"
        f" OR territory.region_id IN ({within}))) THEN 1 ELSE 0 END"
        " FROM initiatives_initiative candidate"
        f" WHERE candidate.live AND candidate.id IN ({pool})"
    )
    params = [*theme_bits, *lever_bits, likeness.legal_form or None, *regions, *regions]
    return sql, [*params, *pool_params]


def _pool_sql(likeness: Likeness, keys: list) -> tuple[str, list]:
    """The ids of the latest published initiatives sharing each theme (each lever when there
    is no theme): a union of short index walks, never a scan of the base."""
    if likeness.themes:
        table, column, order = "initiatives_initiative_themes", "theme_id", "line.id"
    else:
        # The (lever, initiative) index gives the latest initiatives without sorting.
        table, column, order = "initiatives_leveruse", "lever", "line.initiative_id"
    size = -(-POOL_SIZE // len(keys))
    part = (
        f"SELECT line.initiative_id FROM {table} line"  # noqa: S608 (names from this module)
        " INNER JOIN initiatives_initiative other ON other.id = line.initiative_id"
        f" WHERE line.{column} = %s AND other.live AND other.id <> %s"
        f" ORDER BY {order} DESC LIMIT {size:d}"
    )
    # A sliced query cannot be a member of a UNION on SQLite: each one is wrapped.
    sql = " UNION ".join(
        f"SELECT * FROM ({part}) pool{index}"  # noqa: S608
        for index in range(len(keys))
    )
    return sql, [value for key in keys for value in (key, likeness.pk)]


@dataclass
class _Candidate:
    pk: int
    name: str
    slug: str
    summary: str
    theme_mask: int
    lever_mask: int
    same_form: int
    same_region: int

    @property
    def score(self) -> int:
        return (
            self.theme_mask.bit_count() * _THEME_WEIGHT
            + self.lever_mask.bit_count() * _LEVER_WEIGHT
            + self.same_form * _FORM_WEIGHT
            + self.same_region * _REGION_WEIGHT
        )

    def similar(
        self, themes: dict[int, str], theme_bits: dict, lever_bits: dict, url: str
    ) -> Similar:
        """The candidate kept, with the reasons shown, named from the bits it shares."""
        shared = sorted(themes[pk] for pk, bit in theme_bits.items() if self.theme_mask & bit)
        levers = [code for code, bit in lever_bits.items() if self.lever_mask & bit]
        reasons = []
        if shared:
            reasons.append("thèmes communs : " + ", ".join(shared))
        if levers:
            levers.sort(key=_LEVER_ORDER.get)
            reasons.append("mêmes leviers : " + ", ".join(LEVER_LABELS[c].lower() for c in levers))
        if self.same_form:
            reasons.append("même forme juridique")
        if self.same_region:
            reasons.append("même région")
        return Similar(
            name=self.name,
            url=url,
            summary=self.summary,
            score=self.score,
            reasons=reasons,
        )


# --- for other pages -------------------------------------------------------------------------


def initiatives_of_authority(authority: Authority) -> QuerySet[Initiative]:
    """The published initiatives an authority is involved in, by name."""
    involved = Involvement.objects.filter(authority=authority).values("initiative_id")
    return Initiative.objects.published().filter(pk__in=involved).order_by("name")


def published_count() -> int:
    return Initiative.objects.published().count()
