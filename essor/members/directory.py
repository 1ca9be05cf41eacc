"""The directory of member authorities: its filters, as a typed value built from a form, and
the queries that apply them (never the request's dict expanded into the ORM or the SQL)."""

# ruff: noqa: S608 - the SQL written out here names the models' tables and fixed
# expressions; values always go as parameters.

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TypedDict

from django import forms
from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from essor.core.caching import kept
from essor.core.forms import QuickSelect
from essor.core.paths import slug_path
from essor.core.text import fold, group_thousands
from essor.members.models import Authority, AuthorityKind, Membership
from essor.members.selectors import (
    running_membership_params,
    running_membership_sql,
    sql_date,
    sql_rows,
)
from essor.territories.models import Territory, TerritoryKind

# What the directory calls a level, and the referential kinds behind each.
LEVELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "region": ("Régions", ("region",)),
    "departement": ("Départements", ("departement",)),
    "intercommunalite": ("Métropoles et intercommunalités", ("epci", "ept")),
    "commune": ("Communes", ("commune",)),
    "autre": ("Autres collectivités et groupements", ("other",)),
}

# Population bands, in inhabitants (lower bound included, upper excluded).
POPULATION_BANDS: dict[str, tuple[str, int, int | None]] = {
    "moins-de-10000": ("Moins de 10 000 habitant·es", 0, 10_000),
    "10000-50000": ("10 000 à 50 000", 10_000, 50_000),
    "50000-200000": ("50 000 à 200 000", 50_000, 200_000),
    "200000-1000000": ("200 000 à 1 million", 200_000, 1_000_000),
    "plus-de-1000000": ("Plus d'un million", 1_000_000, None),
}

SORTS: dict[str, tuple[str, tuple]] = {
    "nom": ("Nom (A → Z)", ("search_name",)),
    "population": (
        "Population (décroissante)",
        (F("territory__population").desc(nulls_last=True), "search_name"),
    ),
    "adhesion": ("Adhésion (la plus récente d'abord)", ("-first_joined", "search_name")),
    "anciennete": ("Adhésion (la plus ancienne d'abord)", ("first_joined", "search_name")),
}

PAGE_SIZE = 50


def territory_choices(kind: str) -> list[tuple[str, str]]:
    """Current régions or départements as (code, name)."""
    return territory_lists()[kind]


def territory_lists() -> dict[str, list[tuple[str, str]]]:
    """Current régions and départements as (code, name), kept an hour: the referential
    changes only through a yearly import."""
    return kept("members:directory:territory-choices", _territory_lists, 3600)


_TERRITORY_LISTS_SQL = (
    f"SELECT kind, code, name FROM {Territory._meta.db_table} "
    "WHERE kind IN (%s, %s) AND is_current = %s ORDER BY code"
)


def _territory_lists() -> dict[str, list[tuple[str, str]]]:
    """Both lists in one query (plain SQL: every filter form reads it): a filter form shows
    both."""
    rows = sql_rows(_TERRITORY_LISTS_SQL, [TerritoryKind.REGION, TerritoryKind.DEPARTEMENT, True])
    choices: dict[str, list[tuple[str, str]]] = {"region": [], "departement": []}
    for kind, code, name in rows:
        choices[kind].append((code, f"{name} ({code})" if kind == "departement" else name))
    choices["region"].sort(key=lambda choice: fold(choice[1]))
    return choices


def joined_year_choices() -> list[tuple[int, str]]:
    first, last = 1990, timezone.localdate().year
    return [(year, str(year)) for year in range(last, first - 1, -1)]


def _blank(label: str, choices: list) -> list:
    return [("", label), *choices]


# Choices as callables: read when the form is shown or checked, not copied into every form.
def _level_choices() -> list:
    return _blank("Tous les niveaux", [(k, label) for k, (label, _) in LEVELS.items()])


def _population_choices() -> list:
    return _blank("Toutes les tailles", [(k, v[0]) for k, v in POPULATION_BANDS.items()])


def _joined_year_choices() -> list:
    return _blank("Toutes les années", joined_year_choices())


def _sort_choices() -> list:
    return [(k, label) for k, (label, _) in SORTS.items()]


def area_choices() -> tuple[list, list]:
    """The région and département choices of the filter form (one read for both lists)."""
    territories = territory_lists()
    return (
        _blank("Toutes les régions", territories["region"]),
        _blank("Tous les départements", territories["departement"]),
    )


def filter_choices() -> dict[str, list]:
    """Each select of the filter form, by field name: its choices."""
    regions, departements = area_choices()
    return {
        "niveau": _level_choices(),
        "region": regions,
        "departement": departements,
        "population": _population_choices(),
        "adhesion": _joined_year_choices(),
        "tri": _sort_choices(),
    }


def _select(label: str, choices: object) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=choices, widget=QuickSelect)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Nom",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    niveau = _select("Niveau", _level_choices)
    region = _select("Région", ())  # the referential's, set by __init__
    departement = _select("Département", ())
    population = _select("Population", _population_choices)
    adhesion = forms.TypedChoiceField(
        label="Année d'adhésion",
        required=False,
        choices=_joined_year_choices,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    tri = _select("Trier par", _sort_choices)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices, self.fields["departement"].choices = area_choices()

    def filters(self) -> "DirectoryFilters":
        """The valid filters; an invalid one is dropped (the form shows why)."""
        data = self.cleaned_data if self.is_bound else {}
        return filters_from(
            {name: value for name, value in data.items() if name not in self.errors}
        )


def filters_from(cleaned: dict) -> "DirectoryFilters":
    """The filters of the form's cleaned values (by field name; any may be missing)."""
    return DirectoryFilters(
        text=(cleaned.get("q") or "").strip(),
        level=cleaned.get("niveau") or "",
        region=cleaned.get("region") or "",
        departement=cleaned.get("departement") or "",
        population=cleaned.get("population") or "",
        joined_year=cleaned.get("adhesion"),
        sort=cleaned.get("tri") or "nom",
    )


@dataclass(frozen=True)
class DirectoryFilters:
    text: str = ""
    level: str = ""
    region: str = ""
    departement: str = ""
    population: str = ""
    joined_year: int | None = None
    sort: str = "nom"
    on: datetime.date | None = None

    @property
    def is_filtered(self) -> bool:
        return any(
            (
                self.text,
                self.level,
                self.region,
                self.departement,
                self.population,
                self.joined_year,
            )
        )


def _where_within(kind: str, code: str) -> Q:
    """Authorities of the territory itself or located within it.

    The région's or département's ids are read first, and both conditions bear on the
    territory itself: the database then starts from the territories within it through two
    indexes, where comparing codes through a further join made it scan the whole referential."""
    ids = list(Territory.objects.filter(kind=kind, code=code).values_list("id", flat=True))
    return Q(territory__kind=kind, territory__code=code) | Q(**{f"territory__{kind}_id__in": ids})


def directory(filters: DirectoryFilters) -> QuerySet[Authority]:
    """The member authorities matching `filters`, sorted, with what a directory line shows."""
    found = (
        Authority.objects.members(on=filters.on)
        .select_related("territory", "territory__region", "territory__departement")
        # A subquery rather than Min() over a join: no GROUP BY over every member.
        .annotate(
            first_joined=Subquery(
                Membership.objects.filter(authority=OuterRef("pk"))
                .order_by("joined_on")
                .values("joined_on")[:1]
            )
        )
    )
    if filters.text:
        for word in fold(filters.text).split():
            found = found.filter(search_name__contains=word)
    if filters.level in LEVELS:
        found = found.filter(kind__in=LEVELS[filters.level][1])
    if filters.region:
        found = found.filter(_where_within("region", filters.region))
    if filters.departement:
        found = found.filter(_where_within("departement", filters.departement))
    if filters.population in POPULATION_BANDS:
        _, low, high = POPULATION_BANDS[filters.population]
        found = found.filter(territory__population__gte=low)
        if high is not None:
            found = found.filter(territory__population__lt=high)
    if filters.joined_year:
        first_joins = Membership.objects.values("authority").annotate(first=Min("joined_on"))
        found = found.filter(
            pk__in=first_joins.filter(first__year=filters.joined_year).values("authority")
        )
    return found.order_by(*SORTS.get(filters.sort, SORTS["nom"])[1])


class DirectoryLine(TypedDict):
    """What a line of the directory shows, ready to print (a dict: templates read it fastest)."""

    name: str
    url: str
    level: str
    place: str
    population: str
    joined_year: str


# --- The directory as the page reads it, in plain SQL ----------------------------------------
# The page is computed on every request: compiling the ORM's count and page queries cost
# more than running them, and SQLite computed every member's first membership and places
# before sorting. The SQL below is standard, fixed per kind of filter, and takes the values
# as parameters. It reads the copies kept on the authority (membership columns, population,
# région and département codes) rather than a subquery or a join per authority.
# test_directory.py compares it with directory(), the ORM version (also the CSV export's).

# ORDER BY keys of each sort, as (SQL expression, direction); the id settles ties.
_SORT_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "nom": (("a.search_name", "ASC"),),
    "population": (("a.peer_population", "DESC NULLS LAST"), ("a.search_name", "ASC")),
    "adhesion": (("a.first_joined_on", "DESC"), ("a.search_name", "ASC")),
    "anciennete": (("a.first_joined_on", "ASC"), ("a.search_name", "ASC")),
}

_MEMBERS_SQL = f"FROM {Authority._meta.db_table} a WHERE {running_membership_sql('a')}"


def _like_word(word: str) -> str:
    """A LIKE pattern for a word anywhere, its wildcards taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where_sql(filters: DirectoryFilters) -> tuple[str, list]:
    """The FROM and WHERE of the members matching `filters`, with their parameters (the
    same conditions as directory())."""
    sql = [_MEMBERS_SQL]
    params = running_membership_params(filters.on or timezone.localdate())
    for word in fold(filters.text).split():
        sql.append("AND a.search_name LIKE %s ESCAPE '\\'")
        params.append(_like_word(word))
    if filters.level in LEVELS:
        kinds = LEVELS[filters.level][1]
        sql.append(f"AND a.kind IN ({', '.join(['%s'] * len(kinds))})")
        params += kinds
    # The région or département itself or an authority within it: the code the authority
    # copies from its territory is its own for a région or a département, else its area's.
    if filters.region:
        sql.append("AND a.peer_region = %s")
        params.append(filters.region)
    if filters.departement:
        sql.append("AND a.peer_departement = %s")
        params.append(filters.departement)
    if filters.population in POPULATION_BANDS:
        _, low, high = POPULATION_BANDS[filters.population]
        sql.append("AND a.peer_population >= %s")
        params.append(low)
        if high is not None:
            sql.append("AND a.peer_population < %s")
            params.append(high)
    if filters.joined_year:
        year = filters.joined_year
        sql.append("AND a.first_joined_on BETWEEN %s AND %s")
        params += [datetime.date(year, 1, 1), datetime.date(year, 12, 31)]
    return " ".join(sql), params


class DirectoryRows:
    """The members matching `filters` as a Paginator reads them: count(), then the lines of
    one page by slicing; each is one SQL query."""

    def __init__(self, filters: DirectoryFilters) -> None:
        self.filters = filters
        self._where, self._params = _where_sql(filters)

    def count(self) -> int:
        return sql_rows(f"SELECT COUNT(*) {self._where}", self._params)[0][0]

    def __getitem__(self, window: slice) -> list[DirectoryLine]:
        start = window.start or 0
        if window.stop <= start:  # no member matches: the paginator asks for no line
            return []
        keys = _SORT_KEYS.get(self.filters.sort, _SORT_KEYS["nom"])
        # The page's ids are chosen first, sorting only the keys; the places are then read
        # for those fifty lines alone.
        inner_keys = ", ".join(f"{expression} AS k{n}" for n, (expression, _) in enumerate(keys))
        inner_order = ", ".join(f"{expression} {way}" for expression, way in keys)
        outer_order = ", ".join(f"p.k{n} {way}" for n, (_, way) in enumerate(keys))
        sql = (
            "SELECT a.name, a.slug, a.kind, a.first_joined_on, t.kind, t.population, "
            "d.name, r.name "
            f"FROM (SELECT a.id, {inner_keys} {self._where} "
            f"ORDER BY {inner_order}, a.id LIMIT %s OFFSET %s) p "
            f"JOIN {Authority._meta.db_table} a ON a.id = p.id "
            f"LEFT JOIN {Territory._meta.db_table} t ON t.id = a.territory_id "
            f"LEFT JOIN {Territory._meta.db_table} d ON d.id = t.departement_id "
            f"LEFT JOIN {Territory._meta.db_table} r ON r.id = t.region_id "
            f"ORDER BY {outer_order}, p.id"
        )
        rows = sql_rows(sql, [*self._params, window.stop - start, start])
        authority_path = slug_path("members:authority")
        return [_line(authority_path, *row) for row in rows]


def _line(
    authority_path: Callable[[str], str],
    name: str,
    slug: str,
    kind: str,
    first_joined: object,
    territory_kind: str | None,
    population: int | None,
    departement: str | None,
    region: str | None,
) -> DirectoryLine:
    """A line from a row of DirectoryRows' query."""
    return DirectoryLine(
        name=name,
        url=authority_path(slug),
        level=_LEVEL_LABELS.get(kind, ""),
        place=_place(territory_kind, departement, region),
        population=group_thousands(population),
        joined_year=str(sql_date(first_joined).year) if first_joined else "",
    )


_LEVEL_LABELS = {kind: str(label) for kind, label in AuthorityKind.choices}


def _place(kind: str | None, departement: str | None, region: str | None) -> str:
    """ "Gironde, Nouvelle-Aquitaine" for a commune; the région alone for a département."""
    if kind is None:
        return ""
    if kind == "region":
        return "—"
    if kind == "departement":
        departement = None
    return ", ".join(name for name in (departement, region) if name)


def directory_rows(lines: list[DirectoryLine]) -> SafeString:
    """The table rows of `lines`, every value escaped. Written in Python rather than a
    template loop: fifty rows of six cells cost the template engine more than the page's
    queries."""
    return mark_safe(  # every value is escaped
        "\n".join(
            f'<tr><th scope="row"><a href="{escape(line["url"])}">{escape(line["name"])}</a></th>'
            f"<td>{escape(line['level'])}</td><td>{escape(line['place'])}</td>"
            f'<td class="number">{escape(line["population"])}</td>'
            f'<td class="number">{escape(line["joined_year"])}</td></tr>'
            for line in lines
        )
    )
