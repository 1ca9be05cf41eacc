"""The authority profile sheet ("fiche collectivité"): its data read as plain values in a
fixed, small number of queries, and its repeated parts (people, related blocks, territories,
peers) built here as HTML. The sheet is one of the most visited pages and is computed on
each request: a template loop costs far more per row than these few string joins."""

import datetime
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal
from html import escape
from urllib.parse import quote

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from wagtail import hooks

from essor.core.navigation import AUTHORITY_RELATED_HOOK
from essor.core.paths import path_of, slug_path
from essor.core.roles import Role, has_role
from essor.core.text import group_thousands
from essor.members import selectors
from essor.members.models import Authority, AuthorityKind, PositionKind
from essor.territories.models import Territory

_POSITION_KINDS = dict(PositionKind.choices)
_AUTHORITY_KINDS = dict(AuthorityKind.choices)
# Territory.level_label() reads the same labels through get_FOO_display(), which builds its
# dictionary of choices on every call: the sheet asks for four or five of them.
_TERRITORY_NATURES = dict(Territory._meta.get_field("nature").flatchoices)
_TERRITORY_KINDS = dict(Territory._meta.get_field("kind").flatchoices)


def level_label(territory: Territory) -> str:
    """territory.level_label: its legal nature if known, else its level."""
    if territory.nature:
        return str(_TERRITORY_NATURES.get(territory.nature, territory.nature))
    return str(_TERRITORY_KINDS.get(territory.kind, territory.kind))


def sheet_context(request: HttpRequest, authority: Authority) -> dict:
    """Everything the template members/authority_detail.html shows of `authority` (as
    read by selectors.authority_sheet)."""
    parts = selectors.sheet_parts(authority)
    themes = dict(parts["themes"])
    positions = selectors.sheet_positions(authority)
    current = selectors.current_of(positions)
    show_contacts = has_role(request.user, Role.MEMBER)
    rows = position_rows(positions, show_contacts)
    acting_for = selectors.authority_of_user(request.user)
    related = [block for fn in hooks.get_hooks(AUTHORITY_RELATED_HOOK) if (block := fn(authority))]
    parents = selectors.sheet_parents(authority)
    within = selectors.member_authorities_within_rows(authority)
    comparables = selectors.comparable_authorities(authority, themes=themes)
    territory, joined_on, updated_at = (
        authority.territory,
        authority.joined_on,
        authority.profile_updated_at,
    )
    return {
        "authority": authority,
        "territory": territory,
        "level_label": (
            level_label(territory)
            if territory
            else str(_AUTHORITY_KINDS.get(authority.kind, authority.kind))
        ),
        "population": group_thousands(territory.population) if territory else "",
        "joined_on": joined_on,
        "joined_year": f"{joined_on.year:04d}" if joined_on else "",
        "joined_on_text": long_date(joined_on) if joined_on else "",
        "updated_on_text": long_date(timezone.localtime(updated_at)) if updated_at else "",
        "membership_note": authority.membership_note,
        "theme_names": ", ".join(themes.values()),
        **parts,
        "figures_html": figures_html(parts["figures"]),
        "axes_html": axes_html(parts["axes"]),
        "budgets_html": budgets_html(parts["budgets"]),
        "urls": {
            "network": path_of("members:network"),
            "directory": path_of("members:directory"),
            "profile_edit": path_of("members:profile_edit"),
        },
        "login_url": f"{path_of('accounts:login')}?next={quote(request.path, safe='/')}",
        "current_positions_html": positions_table([rows[id(p)] for p in current], show_contacts),
        "past_positions_html": (
            positions_table([rows[id(p)] for p in positions], show_contacts)
            if len(positions) > len(current)
            else ""
        ),
        "show_contacts": show_contacts,
        "can_edit": acting_for is not None and acting_for.pk == authority.pk,
        "related_html": related_html(related),
        "parents_html": parents_html(parents),
        "members_within_count": len(within),
        "members_within_html": members_within_html(within),
        "comparables_html": comparables_html(comparables),
    }


def _url_maker(name: str) -> Callable[[str], str]:
    """A cheap reverse() for one slug route, escaped for HTML."""
    path = slug_path(name)
    return lambda slug: escape(path(slug))


# The month names (the `F` of the date filter) of each language, read once per process.
_month_names: dict[str, dict[int, str]] = {}


def _months() -> dict[int, str]:
    language = get_language()
    names = _month_names.get(language)
    if names is None:
        names = _month_names[language] = {number: str(name) for number, name in MONTHS.items()}
    return names


def long_date(day: datetime.date) -> str:
    """The `date:"j F Y"` filter of the former template: "28 janvier 2024"."""
    return f"{day.day} {_months()[day.month]} {day.year:04d}"


# Django's French format: no-break spaces between thousands, a comma before decimals.
_FRENCH_NUMBER = str.maketrans({",": "\u00a0", ".": ","})


def french_number(value: Decimal, places: int) -> str:
    """The `floatformat:"-<places>g"` filter of the former template, in French: a whole number
    as it is, any other rounded half up to `places` decimals, thousands grouped. Written out:
    the filter's locale machinery cost more than the rest of a row."""
    if value == value.to_integral_value():
        text = f"{int(value):,}"
    else:
        # A precision wide enough for any amount, as the filter sets it.
        rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, Context(prec=60))
        text = f"{rounded if rounded else abs(rounded):,.{places}f}"  # never "-0,00"
    return text.translate(_FRENCH_NUMBER)


def figures_html(figures: list[dict]) -> SafeString:
    """The items of the figures' list, every value escaped."""
    return mark_safe("".join(_figure_item(figure) for figure in figures))  # all escaped


def _figure_item(figure: dict) -> str:
    unit = f" {escape(figure['unit'])}" if figure["unit"] else ""
    year = f" ({figure['year']})" if figure["year"] else ""
    return (
        '\n    <li class="figure"><span class="figure__value">'
        f"{french_number(figure['value'], 2)}{unit}</span> "
        f'<span class="figure__label">{escape(figure["label"])}{year}</span></li>\n    '
    )


def axes_html(axes: list[dict]) -> SafeString:
    """The items of the programme's axes, every value escaped."""
    return mark_safe(  # every value is escaped
        "".join(
            f"<li><strong>{escape(axis['title'])}</strong>"
            f"{'<br>' + escape(axis['description']) if axis['description'] else ''}</li>"
            for axis in axes
        )
    )


def budgets_html(budgets: list[dict]) -> SafeString:
    """The rows of the budgets' table, every value escaped."""
    return mark_safe(  # every value is escaped
        "".join(
            f'<tr><th scope="row">{budget["year"]}</th>'
            f'<td class="number">{french_number(budget["amount"], 0)} €</td>'
            f"<td>{escape(budget['note'])}</td></tr>"
            for budget in budgets
        )
    )


def _period(position: selectors.SheetPosition, months: dict[int, str]) -> str:
    """The `date:"F Y"` filter of the former template, on both ends."""
    start, end = position.start_date, position.end_date
    period = f"{months[start.month]} {start.year:04d}" if start else ""
    if end:
        period += f" – {months[end.month]} {end.year:04d}"
    return period


def positions_table(rows: list[str], show_contacts: bool) -> SafeString:
    """The table of members/includes/positions_table.html with the person column."""
    if not rows:
        return mark_safe("<p>Aucune fonction enregistrée.</p>")
    contact_head = '<th scope="col">Contact</th>' if show_contacts else ""
    return mark_safe(
        '<table>\n<thead><tr><th scope="col">Personne</th><th scope="col">Fonction</th>'
        f'<th scope="col">Période</th>{contact_head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def position_rows(positions: list[selectors.SheetPosition], show_contacts: bool) -> dict:
    """Each position's table row, by id() of the position (shared by both tables)."""
    person_url = _url_maker("members:person")
    months = _months()
    rows = {}
    for position in positions:
        kind = _POSITION_KINDS.get(position.kind, position.kind)
        row = (
            f'<tr><td><a href="{person_url(position.person_slug)}">'
            f"{escape(position.full_name)}</a></td>"
            f'<td>{escape(position.title)} <span class="meta">({escape(kind)})</span></td>'
            f"<td>{escape(_period(position, months))}</td>"
        )
        if show_contacts:
            email = escape(position.email)
            contact = f'<a href="mailto:{email}">{email}</a>' if email else ""
            if position.phone:
                contact += " " + escape(position.phone)
            row += f"<td>{contact}</td>"
        rows[id(position)] = row + "</tr>"
    return rows


def related_html(blocks: list[dict]) -> SafeString:
    """The blocks other modules add through AUTHORITY_RELATED_HOOK, one section each."""
    sections = []
    for number, block in enumerate(blocks, start=1):
        items = []
        for item in block["items"]:
            # Other modules' values: str() for a lazy translation or a number.
            meta = (
                f' <span class="meta">{escape(str(item["meta"]))}</span>'
                if item.get("meta")
                else ""
            )
            items.append(
                f'<li><a href="{escape(str(item["url"]))}">{escape(str(item["label"]))}</a>{meta}</li>'
            )
        sections.append(
            f'<section class="section" aria-labelledby="lie-{number}">\n'
            f'  <h2 id="lie-{number}">{escape(str(block["title"]))}</h2>\n'
            f"  <ul>{''.join(items)}</ul>\n</section>"
        )
    return mark_safe("\n".join(sections))


def parents_html(parents: list[selectors.SheetParent]) -> SafeString:
    items = []
    for parent in parents:
        name = escape(parent.territory.name)
        if parent.url:
            name = f'<a href="{escape(parent.url)}">{name}</a>'
        member = "<strong>adhérente</strong>" if parent.is_member else "non adhérente"
        items.append(f"<li>{escape(level_label(parent.territory))} : {name} — {member}</li>")
    return mark_safe("\n".join(items))


def members_within_html(rows: list[tuple[str, str, str]]) -> SafeString:
    url = _url_maker("members:authority")
    return mark_safe(
        "".join(
            f'<li><a href="{url(slug)}">{escape(name)}</a> '
            f'<span class="meta">({escape(str(_AUTHORITY_KINDS.get(kind, kind)).lower())})</span></li>'
            for name, slug, kind in rows
        )
    )


def comparables_html(comparables: list[selectors.Comparable]) -> SafeString:
    url = _url_maker("members:authority")
    cards = []
    for comparable in comparables:
        population = (
            f"{group_thousands(comparable.population)} hab. · " if comparable.population else ""
        )
        reasons = ", ".join(escape(reason) for reason in comparable.reasons)
        cards.append(
            '<li class="card">\n'
            f'  <h3 class="card__title"><a href="{url(comparable.slug)}">'
            f"{escape(comparable.name)}</a></h3>\n"
            f'  <p class="meta">{population}{reasons}</p>\n</li>'
        )
    return mark_safe("\n".join(cards))
