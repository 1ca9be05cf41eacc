"""The authority profile sheet ("fiche collectivité"): its data read as plain values in a
fixed, small number of queries, and its repeated parts (people, related blocks, territories,
peers) built here as HTML. The sheet is one of the most visited pages and is computed on
each request: a template loop costs far more per row than these few string joins."""

from collections.abc import Callable

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail import hooks

from essor.core.navigation import AUTHORITY_RELATED_HOOK
from essor.core.roles import Role, has_role
from essor.members import selectors
from essor.members.models import Authority, AuthorityKind, PositionKind

_MARK = "slug-mark"
_POSITION_KINDS = dict(PositionKind.choices)
_AUTHORITY_KINDS = dict(AuthorityKind.choices)


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
    return {
        "authority": authority,
        "territory": authority.territory,
        "joined_on": authority.joined_on,
        "membership_note": authority.membership_note,
        "theme_names": ", ".join(themes.values()),
        **parts,
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
    """A cheap reverse() for one slug route: the slug put between the fixed parts."""
    head, _mark, tail = reverse(name, args=[_MARK]).partition(_MARK)
    return lambda slug: f"{head}{escape(slug)}{tail}"


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
    months = {number: str(name) for number, name in MONTHS.items()}
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
            meta = f' <span class="meta">{escape(item["meta"])}</span>' if item.get("meta") else ""
            items.append(
                f'<li><a href="{escape(item["url"])}">{escape(item["label"])}</a>{meta}</li>'
            )
        sections.append(
            f'<section class="section" aria-labelledby="lie-{number}">\n'
            f'  <h2 id="lie-{number}">{escape(block["title"])}</h2>\n'
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
        items.append(f"<li>{escape(parent.territory.level_label)} : {name} — {member}</li>")
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
        population = f"{intcomma(comparable.population)} hab. · " if comparable.population else ""
        reasons = ", ".join(escape(reason) for reason in comparable.reasons)
        cards.append(
            '<li class="card">\n'
            f'  <h3 class="card__title"><a href="{url(comparable.authority.slug)}">'
            f"{escape(comparable.authority.name)}</a></h3>\n"
            f'  <p class="meta">{population}{reasons}</p>\n</li>'
        )
    return mark_safe("\n".join(cards))
