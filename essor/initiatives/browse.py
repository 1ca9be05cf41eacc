"""Browsing the knowledge base: the facets of the list of initiatives, their typed filters
(built from a form, never the request's dict expanded into the ORM) and the grouped queries
that count each facet's options given the other facets (classic faceted search).

Facets combine: values of one facet OR together, facets AND together. Each facet's counts
apply every other selected facet and the text search, so an option's count is the number of
initiatives a click on it would show (for an option already selected, the number it keeps).

The page counts with the facet index (facet_index.py: a bitmap of initiatives per option,
kept up to date on write): one query reads every option's bitmap, and ANDs and popcounts
give the counts. The grouped SQL queries (`facet_counts`, `matching`) stay the reference the
tests compare the index with, and list the rows of a large selection the bitmaps cannot.
Facets and lines are built as HTML here: a template include per option or line cost more
than all the counting.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from html import escape
from typing import TypedDict
from urllib.parse import quote_plus

import numpy as np
from django import forms
from django.db import connection
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from essor.core.caching import remember
from essor.core.models import Theme
from essor.core.paths import path_of, slug_path
from essor.core.text import fold
from essor.initiatives import facet_index
from essor.initiatives.levers import LEVER_CHOICES
from essor.initiatives.models import (
    FIRST_YEAR,
    Initiative,
    InitiativePlace,
    Involvement,
    LegalForm,
    LeverUse,
    TerritoryType,
)
from essor.members.directory import LEVELS, territory_choices
from essor.members.models import Authority
from essor.territories.models import Territory

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 100
PLACES_SHOWN = 3
PLACE_PATTERN = r"^(region|departement|epci|ept|commune):[0-9AB]{2,9}$"

SORTS: dict[str, tuple[str, tuple]] = {
    "nom": ("Nom (A → Z)", ("name", "pk")),
    "recent": (
        "Lancement le plus récent",
        (F("year_started").desc(nulls_last=True), "name", "pk"),
    ),
    "maj": ("Mise à jour la plus récente", ("-updated_at", "pk")),
}
DEFAULT_SORT = "nom"


# --- choices (callables: read when a form is checked, not copied into every form) ----------


def theme_choices() -> list[tuple[str, str]]:
    def read() -> list[tuple[str, str]]:
        # Sorted folded: SQLite would put « Économie » after « Utilité ».
        return sorted(Theme.objects.values_list("slug", "name"), key=lambda c: fold(c[1]))

    return remember("initiatives:theme-choices", read)


def territory_type_choices() -> list[tuple[str, str]]:
    return remember(
        "initiatives:territory-type-choices",
        lambda: list(TerritoryType.objects.values_list("code", "name")),
    )


def level_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _kinds) in LEVELS.items()]


def decade_choices() -> list[tuple[str, str]]:
    """ "2010-2019" → "2010 à 2019", from the first allowed year's decade to this one's."""
    last = timezone.localdate().year // 10 * 10
    return [
        (f"{start}-{start + 9}", f"{start} à {start + 9}")
        for start in range(last, FIRST_YEAR - 1, -10)
    ]


def region_choices() -> list[tuple[str, str]]:
    return territory_choices("region")


def departement_choices() -> list[tuple[str, str]]:
    return territory_choices("departement")


def _sort_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _order) in SORTS.items()]


# --- the facets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    """A facet: its URL parameter, heading, options and, for long lists, whether it folds."""

    key: str
    label: str
    choices: Callable[[], list[tuple[str, str]]]
    help: str = ""
    folded: bool = False  # shown in a <details> unless one of its options is selected


FACETS: tuple[Facet, ...] = (
    Facet("theme", "Thème", theme_choices),
    Facet("territoire", "Type de territoire", territory_type_choices),
    Facet(
        "niveau",
        "Collectivités impliquées",
        level_choices,
        help="Le niveau des collectivités qui soutiennent l'initiative.",
    ),
    Facet(
        "soutien",
        "Soutenue par le département",
        departement_choices,
        help="Les départements qui soutiennent l'initiative.",
        folded=True,
    ),
    Facet("levier", "Levier mobilisé", lambda: list(LEVER_CHOICES)),
    Facet("forme", "Forme juridique", lambda: list(LegalForm.choices)),
    Facet(
        "region",
        "Région",
        region_choices,
        help="Où l'initiative agit.",
        folded=True,
    ),
    Facet("annee", "Année de lancement", decade_choices),
)
FACETS_BY_KEY = {facet.key: facet for facet in FACETS}
INDEXED_FACETS = (facet_index.ALL[:-1], *FACETS_BY_KEY)  # the rows the list reads


@dataclass(frozen=True)
class FacetChoices:
    """Every facet's options, read once for a page (three queries), and the value each
    option has in the facet index where it differs (a theme's or territory type's pk)."""

    lists: dict[str, list[tuple[str, str]]]
    index_values: dict[str, dict[str, str]]

    def index_key(self, key: str, value: str) -> str:
        return f"{key}:{self.index_values.get(key, {}).get(value, value)}"

    def labels(self, key: str) -> dict[str, str]:
        return dict(self.lists[key])

    @cached_property
    def index_keys(self) -> dict[str, list[tuple[str, str]]]:
        """Per facet, each option's value and key in the index, in the options' order."""
        return {
            key: [(str(value), self.index_key(key, str(value))) for value, _label in options]
            for key, options in self.lists.items()
        }


_CHOICES_SQL = """
SELECT 'theme', {theme}.slug, {theme}.name, {theme}.id, 0 FROM {theme}
UNION ALL
SELECT 'territoire', {type}.code, {type}.name, {type}.id, {type}.position FROM {type}
UNION ALL
SELECT {territory}.kind, {territory}.code, {territory}.name, 0, 0 FROM {territory}
WHERE {territory}.kind IN ('region', 'departement') AND {territory}.is_current
"""


def _choice_rows() -> list[tuple[str, str, str, int, int]]:
    """Themes, territory types, régions and départements: one query on the cursor (three
    querysets cost more than the rest of the counting)."""
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (("theme", Theme), ("type", TerritoryType), ("territory", Territory))
    }
    with connection.cursor() as cursor:
        cursor.execute(_CHOICES_SQL.format(**tables))
        return cursor.fetchall()


def _read_facet_choices() -> FacetChoices:
    themes, types, regions, departements = [], [], [], []
    for kind, code, name, pk, position in _choice_rows():
        if kind == "theme":
            themes.append((code, name, pk))
        elif kind == "territoire":
            types.append((position, name, code, pk))
        elif kind == "region":
            regions.append((code, name))
        else:
            departements.append((code, f"{name} ({code})"))
    # The orders of theme_choices(), TerritoryType's Meta and the directory's choices.
    themes.sort(key=lambda c: c[1])
    themes.sort(key=lambda c: fold(c[1]))
    types.sort()
    regions.sort()
    regions.sort(key=lambda choice: fold(choice[1]))
    departements.sort()
    lists = {
        "theme": [(slug, name) for slug, name, _pk in themes],
        "territoire": [(code, name) for _position, name, code, _pk in types],
        "niveau": level_choices(),
        "soutien": departements,
        "levier": [(str(value), str(label)) for value, label in LEVER_CHOICES],
        "forme": [(str(value), str(label)) for value, label in LegalForm.choices],
        "region": regions,
        "annee": decade_choices(),
    }
    index_values = {
        "theme": {slug: str(pk) for slug, _name, pk in themes},
        "territoire": {code: str(pk) for _position, _name, code, pk in types},
    }
    return FacetChoices(lists, index_values)


def facet_choices() -> FacetChoices:
    return remember("initiatives:facet-choices", _read_facet_choices)


# --- the form --------------------------------------------------------------------------------


class FacetField(forms.MultipleChoiceField):
    """Checkbox values of one facet: the known ones are kept, unknown ones are dropped and
    remembered in `rejected` (the page says which were ignored, the others still apply)."""

    widget = forms.MultipleHiddenInput

    def clean(self, value: object) -> list[str]:
        self.rejected = []
        if not value:
            return []  # without reading the choices (a cache read each)
        values = [str(item) for item in self.to_python(value)]
        known = {str(key) for key, _label in self.choices}
        self.rejected = [item for item in values if item not in known]
        return list(dict.fromkeys(item for item in values if item in known))


class BrowseForm(forms.Form):
    q = forms.CharField(
        label="Mots du nom ou du résumé",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    collectivite = forms.SlugField(label="Collectivité", required=False, max_length=120)
    lieu = forms.RegexField(
        label="Lieu",
        required=False,
        regex=PLACE_PATTERN,
        error_messages={"invalid": "Lieu attendu sous la forme departement:33 ou commune:33063."},
    )
    tri = forms.ChoiceField(label="Trier par", required=False, choices=_sort_choices)

    def __init__(
        self, *args: object, choices: FacetChoices | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        for facet in FACETS:
            # Callables: Django normalises a list of choices at once, a callable's only
            # when read (to check a value given); a few hundred options each request.
            self.fields[facet.key] = FacetField(
                label=facet.label,
                required=False,
                choices=(lambda known=choices.lists[facet.key]: known)
                if choices
                else facet.choices,
            )

    def clean_collectivite(self) -> tuple[str, str] | None:
        slug = self.cleaned_data.get("collectivite")
        if not slug:
            return None
        name = Authority.objects.filter(slug=slug).values_list("name", flat=True).first()
        if name is None:
            raise forms.ValidationError("Aucune collectivité ne porte cet identifiant.")
        return slug, name

    def clean_lieu(self) -> tuple[str, str] | None:
        value = self.cleaned_data.get("lieu")
        if not value:
            return None
        kind, code = value.split(":")
        name = Territory.objects.filter(kind=kind, code=code).values_list("name", flat=True).first()
        if name is None:
            raise forms.ValidationError("Ce territoire n'existe pas dans le référentiel.")
        return value, name

    def problems(self) -> list[str]:
        """What was not understood in the address, in French, each ignored."""
        if not self.is_bound:
            return []
        self.is_valid()
        found = []
        for name, field_errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            found += [f"{label} : {error}" for error in field_errors]
        for facet in FACETS:
            rejected = getattr(self.fields[facet.key], "rejected", [])
            if rejected:
                shown = ", ".join(f"« {value[:40]} »" for value in rejected[:5])
                found.append(f"{facet.label} : valeur inconnue {shown}, ignorée.")
        return found

    def filters(self) -> "BrowseFilters":
        """The valid filters; an invalid one is dropped (problems() says why)."""
        if not self.is_bound:
            return BrowseFilters()
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        authority = data.get("collectivite")
        place = data.get("lieu")
        return BrowseFilters(
            text=" ".join((data.get("q") or "").split()),
            authority=authority[0] if authority else "",
            authority_name=authority[1] if authority else "",
            place=place[0] if place else "",
            place_name=place[1] if place else "",
            sort=data.get("tri") or DEFAULT_SORT,
            **{facet.key: tuple(data.get(facet.key) or ()) for facet in FACETS},
        )


# --- the typed filters -----------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseFilters:
    theme: tuple[str, ...] = ()
    territoire: tuple[str, ...] = ()
    niveau: tuple[str, ...] = ()
    soutien: tuple[str, ...] = ()
    levier: tuple[str, ...] = ()
    forme: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    annee: tuple[str, ...] = ()
    text: str = ""
    authority: str = ""  # an authority's slug: the initiatives it is involved in
    authority_name: str = field(default="", compare=False)
    place: str = ""  # "departement:33": the initiatives acting there (or within it)
    place_name: str = field(default="", compare=False)
    sort: str = DEFAULT_SORT

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.text or self.authority or self.place or any(self.values(f.key) for f in FACETS)
        )

    def values(self, key: str) -> tuple[str, ...]:
        return getattr(self, key)

    def query_pairs(self, *, sort: bool = True) -> list[tuple[str, str]]:
        """The filters as URL parameters, in a fixed order (one address per selection)."""
        pairs = [("q", self.text)] if self.text else []
        if self.authority:
            pairs.append(("collectivite", self.authority))
        if self.place:
            pairs.append(("lieu", self.place))
        for facet in FACETS:
            pairs += [(facet.key, value) for value in self.values(facet.key)]
        if sort and self.sort != DEFAULT_SORT:
            pairs.append(("tri", self.sort))
        return pairs

    def url(self, base: str | None = None) -> str:
        base = base or path_of("initiatives:list")
        pairs = self.query_pairs()
        return f"{base}?{'&'.join(_pair(name, value) for name, value in pairs)}" if pairs else base

    def toggled(self, key: str, value: str) -> "BrowseFilters":
        current = self.values(key)
        if value in current:
            return replace(self, **{key: tuple(v for v in current if v != value)})
        return replace(self, **{key: (*current, value)})

    def cache_key(self) -> str:
        """A short, safe key for the cache, the same for the same selection."""
        canonical = repr(
            [(f.name, sorted(v) if isinstance(v, tuple) else v) for f, v in self._items()]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def _items(self) -> Iterable[tuple[object, object]]:
        for item in fields(self):
            if item.compare:
                yield item, getattr(self, item.name)


# --- conditions and queries ------------------------------------------------------------------


def _decade_bounds(value: str) -> tuple[int, int]:
    start, end = value.split("-")
    return int(start), int(end)


def _in_regions(codes: Iterable[str]) -> Q:
    """Places that are one of the régions or lie within one (a place's région FK)."""
    codes = list(codes)
    return Q(territory__kind="region", territory__code__in=codes) | Q(
        territory__region__code__in=codes
    )


def _at_place(kind: str, code: str) -> Q:
    """Places that are this territory or, for a région or a département, lie within it."""
    exact = Q(territory__kind=kind, territory__code=code)
    if kind in ("region", "departement"):
        return exact | Q(**{f"territory__{kind}__code": code})
    return exact


def _level_kinds(keys: Iterable[str]) -> list[str]:
    return [kind for key in keys for kind in LEVELS[key][1]]


def _departements_supporting(codes: Iterable[str]) -> Q:
    # The kind matters: région 75 (Nouvelle-Aquitaine) is not département 75 (Paris).
    return Q(authority__territory__kind="departement", authority__territory__code__in=list(codes))


def facet_condition(key: str, values: tuple[str, ...]) -> Q:
    """The initiatives having one of `values` for the facet `key` (values already checked)."""
    themes = Initiative.themes.through.objects
    types = Initiative.territory_types.through.objects
    if key == "theme":
        return Q(pk__in=themes.filter(theme__slug__in=values).values("initiative_id"))
    if key == "territoire":
        return Q(pk__in=types.filter(territorytype__code__in=values).values("initiative_id"))
    if key == "niveau":
        kinds = _level_kinds(values)
        return Q(
            pk__in=Involvement.objects.filter(authority__kind__in=kinds).values("initiative_id")
        )
    if key == "soutien":
        supporting = Involvement.objects.filter(_departements_supporting(values))
        return Q(pk__in=supporting.values("initiative_id"))
    if key == "levier":
        return Q(pk__in=LeverUse.objects.filter(lever__in=values).values("initiative_id"))
    if key == "forme":
        return Q(legal_form__in=values)
    if key == "region":
        places = InitiativePlace.objects.filter(_in_regions(values))
        return Q(pk__in=places.values("initiative_id"))
    if key == "annee":
        condition = Q()
        for value in values:
            start, end = _decade_bounds(value)
            condition |= Q(year_started__gte=start, year_started__lte=end)
        return condition
    raise ValueError(f"unknown facet: {key}")


def _text_condition(text: str) -> Q:
    """Every word in the name or the summary. Case-insensitive for unaccented letters only on
    SQLite (LIKE); a folded search column would make it accent-insensitive everywhere."""
    condition = Q()
    for word in text.split()[:10]:
        condition &= Q(name__icontains=word) | Q(summary__icontains=word)
    return condition


def _published() -> QuerySet[Initiative]:
    # `live IN (true)` rather than `live`: SQLite uses the (live, name) index only for a
    # comparison, and a bare boolean column made every sorted page scan and sort the table.
    return Initiative.objects.filter(live__in=[True])


def _other_filters(found: QuerySet[Initiative], filters: BrowseFilters) -> QuerySet[Initiative]:
    """The filters that are not facets: words, an authority, a place."""
    if filters.text:
        found = found.filter(_text_condition(filters.text))
    if filters.authority:
        involved = Involvement.objects.filter(authority__slug=filters.authority)
        found = found.filter(pk__in=involved.values("initiative_id"))
    if filters.place:
        kind, code = filters.place.split(":")
        places = InitiativePlace.objects.filter(_at_place(kind, code))
        found = found.filter(pk__in=places.values("initiative_id"))
    return found


def matching(filters: BrowseFilters, *, except_facet: str | None = None) -> QuerySet[Initiative]:
    """The published initiatives matching `filters`, one facet left out if asked (to count
    that facet's options)."""
    found = _other_filters(_published(), filters)
    for facet in FACETS:
        values = filters.values(facet.key)
        if values and facet.key != except_facet:
            found = found.filter(facet_condition(facet.key, values))
    return found


def sorted_matching(filters: BrowseFilters) -> QuerySet[Initiative]:
    return matching(filters).order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1])


def _level_of_kind() -> Case:
    return Case(
        *[
            When(authority__kind__in=kinds, then=Value(key))
            for key, (_label, kinds) in LEVELS.items()
        ],
        default=Value(""),
        output_field=CharField(),
    )


def _region_of_place() -> Case:
    return Case(
        When(territory__kind="region", then=F("territory__code")),
        default=F("territory__region__code"),
        output_field=CharField(),
    )


def _as_counts(rows: Iterable[tuple[object, int]]) -> dict[str, int]:
    return {str(value): total for value, total in rows if value not in (None, "")}


def facet_counts(key: str, among: QuerySet[Initiative]) -> dict[str, int]:
    """How many of `among` have each option of the facet `key`: one grouped query."""
    ids = among.values("pk")
    if key == "theme":
        rows = (
            Initiative.themes.through.objects.filter(initiative_id__in=ids)
            .values_list("theme__slug")
            .annotate(total=Count("initiative_id"))
        )
    elif key == "territoire":
        rows = (
            Initiative.territory_types.through.objects.filter(initiative_id__in=ids)
            .values_list("territorytype__code")
            .annotate(total=Count("initiative_id"))
        )
    elif key == "niveau":
        rows = (
            Involvement.objects.filter(initiative_id__in=ids)
            .annotate(level=_level_of_kind())
            .values_list("level")
            .annotate(total=Count("initiative_id", distinct=True))
        )
    elif key == "soutien":
        rows = (
            Involvement.objects.filter(
                initiative_id__in=ids, authority__territory__kind="departement"
            )
            .values_list("authority__territory__code")
            .annotate(total=Count("initiative_id", distinct=True))
        )
    elif key == "levier":
        rows = (
            LeverUse.objects.filter(initiative_id__in=ids)
            .values_list("lever")
            .annotate(total=Count("initiative_id", distinct=True))
        )
    elif key == "forme":
        rows = among.order_by().values_list("legal_form").annotate(total=Count("pk"))
    elif key == "region":
        rows = (
            InitiativePlace.objects.filter(initiative_id__in=ids)
            .annotate(region_code=_region_of_place())
            .values_list("region_code")
            .annotate(total=Count("initiative_id", distinct=True))
        )
    elif key == "annee":
        return _decade_counts(among)
    else:
        raise ValueError(f"unknown facet: {key}")
    return _as_counts(rows.order_by())


def _decade_counts(among: QuerySet[Initiative]) -> dict[str, int]:
    """Per decade: one initiative has one year, so summing the years' counts is exact."""
    counts: dict[str, int] = {}
    rows = among.order_by().values_list("year_started").annotate(total=Count("pk"))
    for year, total in rows:
        if year is None:
            continue
        start = year // 10 * 10
        key = f"{start}-{start + 9}"
        counts[key] = counts.get(key, 0) + total
    return counts


# --- what the page shows ---------------------------------------------------------------------


class FacetOption(TypedDict):
    value: str
    label: str
    count: int
    selected: bool
    url: str  # the list with this option toggled


class FacetBlock(TypedDict):
    key: str
    label: str
    help: str
    folded: bool
    has_selection: bool
    options: list[FacetOption]


class ActiveFilter(TypedDict):
    label: str
    remove_url: str


@dataclass(frozen=True)
class BrowseSummary:
    """What does not depend on the page number: the count and the facets."""

    count: int
    facets: list[FacetBlock]
    active: list[ActiveFilter]
    matched: int = field(default=0, compare=False, repr=False)  # bitmap of the initiatives
    published: int = field(default=0, compare=False, repr=False)  # how many there are in all


def _pair(key: str, value: str) -> str:
    # What urlencode() writes for one pair (slugs and codes need no quoting).
    if value.isascii() and value.replace("-", "").isalnum():
        return f"{key}={value}"
    return f"{quote_plus(key)}={quote_plus(value)}"


class _Toggles:
    """The list's address with one facet option added or removed, built from the selection's
    encoded parts (a hundred options or so: copying the filters and encoding them all again
    for each cost more than the counts). The same addresses as BrowseFilters.toggled().url()."""

    def __init__(self, filters: BrowseFilters, base: str) -> None:
        self.base = base
        self.filters = filters
        pairs = filters.query_pairs()
        self.encoded = [_pair(name, value) for name, value in pairs]
        self.names = [name for name, _value in pairs]

    def around(self, key: str) -> tuple[list[str], list[str], list[str]]:
        """The encoded pairs before the facet's values, its values, and after them."""
        start = next((i for i, name in enumerate(self.names) if name == key), None)
        if start is None:  # no value: the facet's place in FACETS order
            later = {f.key for f in FACETS[[f.key for f in FACETS].index(key) + 1 :]}
            start = next(
                (i for i, name in enumerate(self.names) if name in later or name == "tri"),
                len(self.names),
            )
        stop = start
        while stop < len(self.names) and self.names[stop] == key:
            stop += 1
        return self.encoded[:start], self.encoded[start:stop], self.encoded[stop:]

    def urls(self, key: str, values: Iterable[str]) -> dict[str, str]:
        before, own, after = self.around(key)
        selected = self.filters.values(key)
        # An added value goes between the same two parts: they are joined once.
        head = "&".join(before + own)
        opening = f"{self.base}?{head}&" if head else f"{self.base}?"
        closing = f"&{'&'.join(after)}" if after else ""
        found = {}
        for value in values:
            if value in selected:
                kept = [part for v, part in zip(selected, own, strict=True) if v != value]
                query = "&".join(before + kept + after)
                found[value] = f"{self.base}?{query}" if query else self.base
            else:
                found[value] = f"{opening}{_pair(key, value)}{closing}"
        return found


def _options(
    facet: Facet,
    filters: BrowseFilters,
    counts: dict[str, int],
    choices: list[tuple[str, str]],
    toggles: _Toggles,
) -> list[FacetOption]:
    selected = set(filters.values(facet.key))
    # An option that would show nothing is left out, unless it is selected (to undo it).
    shown = [
        (str(value), label)
        for value, label in choices
        if counts.get(str(value), 0) or str(value) in selected
    ]
    urls = toggles.urls(facet.key, [value for value, _label in shown])
    return [
        FacetOption(
            value=value,
            label=label,
            count=counts.get(value, 0),
            selected=value in selected,
            url=urls[value],
        )
        for value, label in shown
    ]


def active_filters(
    filters: BrowseFilters, base: str, choices: FacetChoices | None = None
) -> list[ActiveFilter]:
    active = []
    if filters.text:
        active.append(
            ActiveFilter(
                label=f"Mots : « {filters.text} »", remove_url=replace(filters, text="").url(base)
            )
        )
    if filters.authority:
        active.append(
            ActiveFilter(
                label=f"Collectivité : {filters.authority_name or filters.authority}",
                remove_url=replace(filters, authority="", authority_name="").url(base),
            )
        )
    if filters.place:
        active.append(
            ActiveFilter(
                label=f"Lieu : {filters.place_name or filters.place}",
                remove_url=replace(filters, place="", place_name="").url(base),
            )
        )
    for facet in FACETS:
        if not filters.values(facet.key):
            continue
        labels = choices.labels(facet.key) if choices else dict(facet.choices())
        for value in filters.values(facet.key):
            active.append(
                ActiveFilter(
                    label=f"{facet.label} : {labels.get(value, value)}",
                    remove_url=filters.toggled(facet.key, value).url(base),
                )
            )
    return active


def _other_filters_bitmap(filters: BrowseFilters) -> int | None:
    """The words, authority and place filters as a bitmap (SQL), None when there are none."""
    if not (filters.text or filters.authority or filters.place):
        return None
    return facet_index.bitmap_of(_other_filters(_published(), filters).values_list("pk", flat=True))


@dataclass(frozen=True)
class IndexSelection:
    """The selection read in the facet index: the options' bitmaps, what the filters other
    than facets allow, and per selected facet the initiatives having one of its values (as
    words of the table)."""

    table: facet_index.BitmapTable
    base: np.ndarray
    selected: dict[str, np.ndarray]

    def among(self, except_facet: str | None = None) -> np.ndarray:
        """The matching initiatives, one facet left out if asked (to count its options)."""
        found = self.base
        for key, bits in self.selected.items():
            if key != except_facet:
                found = found & bits
        return found

    @cached_property
    def _counts_among_all(self) -> list[int]:
        # Every facet without a selected option counts among the same initiatives: its
        # rows are counted with all the others' at once.
        return self.table.counts(self.among()).tolist()

    def counts(self, key: str, numbers: list[int]) -> list[int]:
        """How many initiatives the rows `numbers` of facet `key`'s options would show."""
        if key in self.selected:
            return self.table.counts(self.among(key), numbers).tolist()
        every = self._counts_among_all
        return [every[number] for number in numbers]


def index_facets(filters: BrowseFilters, facets: Iterable[str]) -> tuple[str, ...]:
    """The index rows a page needs: the published set, `facets` and the selected ones."""
    selected = [f.key for f in FACETS if filters.values(f.key)]
    return (facet_index.ALL[:-1], *facets, *selected)


def index_selection(
    filters: BrowseFilters,
    choices: FacetChoices | None,
    table: facet_index.BitmapTable | None = None,
) -> IndexSelection:
    """The selection in the index; `table`: the rows read by the caller (at least
    index_facets()), every option of the list's facets by default."""
    if table is None:
        table = facet_index.BitmapTable(facet_index.rows(INDEXED_FACETS))
    base = table.words(facet_index.ALL)
    others = _other_filters_bitmap(filters)
    if others is not None:
        base = base & table.words_of(others)
    selected = {}
    for facet in FACETS:
        values = filters.values(facet.key)
        if values:
            choices = choices or facet_choices()
            selected[facet.key] = table.any_of(
                choices.index_key(facet.key, value) for value in values
            )
    return IndexSelection(table, base, selected)


def index_counts(selection: IndexSelection, key: str, choices: FacetChoices) -> dict[str, int]:
    """How many initiatives each option of facet `key` would show, given the other facets:
    the same figures as facet_counts() on matching(filters, except_facet=key)."""
    position = selection.table.position
    found = []  # (value, row number) of the options having a row
    for value, index_key in choices.index_keys[key]:
        number = position.get(index_key)
        if number is not None:
            found.append((value, number))
    totals = selection.counts(key, [number for _value, number in found])
    return {value: total for (value, _number), total in zip(found, totals, strict=True) if total}


def browse_summary(filters: BrowseFilters, choices: FacetChoices | None = None) -> BrowseSummary:
    """The number of matching initiatives and every facet with its counts, from the facet
    index: one query (and one for the words, authority or place filters when there are)."""
    choices = choices or facet_choices()
    base = path_of("initiatives:list")
    selection = index_selection(filters, choices)
    toggles = _Toggles(filters, base)
    facets = []
    for facet in FACETS:
        counts = index_counts(selection, facet.key, choices)
        facets.append(
            FacetBlock(
                key=facet.key,
                label=facet.label,
                help=facet.help,
                folded=facet.folded,
                has_selection=bool(filters.values(facet.key)),
                options=_options(facet, filters, counts, choices.lists[facet.key], toggles),
            )
        )
    matched = facet_index.as_int(selection.among())
    return BrowseSummary(
        count=matched.bit_count(),
        facets=facets,
        active=active_filters(filters, base, choices),
        matched=matched,
        published=int(np.bitwise_count(selection.table.words(facet_index.ALL)).sum()),
    )


def facets_html(summary: BrowseSummary) -> SafeString:
    """The facets panel (the same markup the templates made), every value escaped."""
    parts = [
        '<nav class="browse__facets" aria-labelledby="affiner">\n<h2 id="affiner">Affiner</h2>'
    ]
    for facet in summary.facets:
        parts.append(_facet_html(facet))
    parts.append("</nav>")
    return mark_safe("\n".join(parts))  # built from escaped parts


def _facet_html(facet: FacetBlock) -> str:
    key = escape(facet["key"])
    opened = " open" if not facet["folded"] or facet["has_selection"] else ""
    parts = [
        f'<details class="browse-facet"{opened}>\n  <summary><h3 class="browse-facet__title" '
        f'id="facette-{key}">{escape(facet["label"])}</h3></summary>'
    ]
    if facet["help"]:
        parts.append(f'  <p class="browse-facet__help meta">{escape(facet["help"])}</p>')
    if facet["options"]:
        parts.append(f'  <ul class="browse-facet__options" aria-labelledby="facette-{key}">')
        parts += [_option_html(option) for option in facet["options"]]
        parts.append("  </ul>")
    else:
        parts.append('  <p class="meta">Aucune valeur pour cette sélection.</p>')
    parts.append("</details>")
    return "\n".join(parts)


def _option_html(option: FacetOption) -> str:
    count = option["count"]
    plural = "" if count == 1 else "s"
    if option["selected"]:
        return (
            f'<li><a class="browse-option browse-option--selected" href="{escape(option["url"])}"'
            ' aria-current="true" rel="nofollow"><span aria-hidden="true">☑ </span>'
            f'<span class="browse-option__label">{escape(option["label"])}</span> '
            f'<span class="browse-option__count">({count}<span class="visually-hidden"> '
            f'initiative{plural}</span>)</span><span class="visually-hidden"> : filtre '
            "appliqué, activer le lien pour le retirer</span></a></li>"
        )
    return (
        f'<li><a class="browse-option" href="{escape(option["url"])}" rel="nofollow">'
        '<span aria-hidden="true">☐ </span>'
        f'<span class="browse-option__label">{escape(option["label"])}</span> '
        f'<span class="browse-option__count">({count}<span class="visually-hidden"> '
        f"initiative{plural}</span>)</span></a></li>"
    )


def active_html(active: list[ActiveFilter], clear_url: str) -> SafeString:
    """The filters applied, each a link that removes it, and a link clearing them all (the
    list's and the map's), every value escaped; nothing without a filter."""
    if not active:
        return mark_safe("")
    items = "".join(
        f'<li><a href="{escape(item["remove_url"])}" rel="nofollow">{escape(item["label"])}'
        ' <span aria-hidden="true">✕</span><span class="visually-hidden"> (retirer)</span>'
        "</a></li>"
        for item in active
    )
    return mark_safe(  # escaped parts
        '<div class="browse-active-filters">\n  <p class="meta" id="filtres-actifs">Filtres '
        'appliqués (activer un filtre pour le retirer) :</p>\n  <ul class="browse-active" '
        f'aria-labelledby="filtres-actifs">\n    {items}\n  </ul>\n  <p><a href="'
        f'{escape(clear_url)}">Effacer les filtres</a></p>\n</div>'
    )


def problems_html(problems: list[str]) -> SafeString:
    """What was not understood in the address (problems()), escaped; nothing without any."""
    if not problems:
        return mark_safe("")
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return mark_safe(  # escaped parts
        '<div class="form-errors" role="alert">\n  <p><strong>Certains paramètres de '
        "l'adresse n'ont pas été compris et ont été ignorés :</strong></p>\n  "
        f'<ul class="error-list">{items}</ul>\n</div>'
    )


# --- list lines ------------------------------------------------------------------------------


class InitiativeLine(TypedDict):
    """What a line of the list shows, ready to print."""

    name: str
    url: str
    summary: str
    carrier: str
    legal_form: str
    year: str
    facts: list[str]  # carrier, legal form, year: what the line says of them
    themes: str
    places: str


_LINE_FIELDS = ("pk", "name", "slug", "summary", "carrier_name", "legal_form", "year_started")


def initiative_lines(found: QuerySet[Initiative], start: int, stop: int) -> list[InitiativeLine]:
    """Lines `start` to `stop` of a sorted result, read as plain values (three queries)."""
    return _lines(list(found.values(*_LINE_FIELDS)[start:stop]))


def _lines(rows: list[dict]) -> list[InitiativeLine]:
    themes, places = _themes_and_places([row["pk"] for row in rows])
    url_of = slug_path("initiatives:detail")
    forms_ = dict(LegalForm.choices)
    return [
        InitiativeLine(
            name=row["name"],
            url=url_of(row["slug"]),
            summary=row["summary"],
            carrier=row["carrier_name"],
            legal_form=forms_.get(row["legal_form"], ""),
            year=str(row["year_started"] or ""),
            facts=_facts(row, forms_),
            themes=", ".join(themes.get(row["pk"], [])),
            places=_places(places.get(row["pk"], [])),
        )
        for row in rows
    ]


_LINE_DETAILS_SQL = """
SELECT 0, {link}.initiative_id, {theme}.name, 0, 0
FROM {link} INNER JOIN {theme} ON {theme}.id = {link}.theme_id
WHERE {link}.initiative_id IN ({marks})
UNION ALL
SELECT 1, {place}.initiative_id, {territory}.name, {place}.sort_order, {place}.id
FROM {place} INNER JOIN {territory} ON {territory}.id = {place}.territory_id
WHERE {place}.initiative_id IN ({marks})
ORDER BY 1, 4, 5, 3
"""


def _themes_and_places(ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The theme names (alphabetical) and place names (in their order) of initiatives: one
    query on the cursor for both."""
    themes: dict[int, list[str]] = {}
    places: dict[int, list[str]] = {}
    if not ids:
        return themes, places
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (
            ("link", Initiative.themes.through),
            ("theme", Theme),
            ("place", InitiativePlace),
            ("territory", Territory),
        )
    }
    sql = _LINE_DETAILS_SQL.format(marks=", ".join(["%s"] * len(ids)), **tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids])
        for kind, initiative_id, name, _order, _pk in cursor.fetchall():
            (places if kind else themes).setdefault(initiative_id, []).append(name)
    return themes, places


def _facts(row: dict, legal_forms: dict[str, str]) -> list[str]:
    facts = [row["carrier_name"], legal_forms.get(row["legal_form"], "")]
    if row["year_started"]:
        facts.append(f"lancée en {row['year_started']}")
    return [fact for fact in facts if fact]


def _places(names: list[str]) -> str:
    shown = ", ".join(names[:PLACES_SHOWN])
    more = len(names) - PLACES_SHOWN
    return f"{shown} et {more} autre{'s' if more > 1 else ''}" if more > 0 else shown


# Up to this many matching initiatives, the page's lines are read by id from the index's
# bitmap; above, by the filters' SQL conditions (dense selections: the sorted scan finds a
# page's lines at once, and ids would make a long query).
IDS_LISTED = 5000


# The SQL of SORTS for the page's own query (the test compares both).
_ORDER_SQL = {
    "nom": "name ASC, id ASC",
    "recent": "year_started DESC NULLS LAST, name ASC, id ASC",
    "maj": "updated_at DESC, id ASC",
}
# The orders an index starting with `live` gives (initiative_live_name, _live_recent).
_INDEXED_ORDERS = frozenset({"nom", "recent"})
# A selection's page is read walking its order's index when the walk is expected to meet
# fewer published initiatives than this before the page's end: each entry walked costs
# less than reading a selected row by id (a page of the table each, out of SQLite's cache
# on a new connection), but all the selection's rows are read by id.
WALKED_AT_MOST = 3000


def page_lines(
    filters: BrowseFilters, summary: BrowseSummary, start: int, stop: int
) -> list[InitiativeLine]:
    """Lines `start` to `stop` of the sorted matching initiatives."""
    if not summary.count:
        return []
    if filters.is_filtered and summary.count > IDS_LISTED:
        order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1]
        return initiative_lines(matching(filters).order_by(*order), start, stop)
    # On the cursor: the queryset's preparation cost more than the query. `live = true`
    # lets SQLite walk the (live, name) index; the selection's ids are the bitmap's
    # integers, and the live test again makes sure no unpublished initiative shows.
    table = connection.ops.quote_name(Initiative._meta.db_table)
    where, params = "live = %s", [True]
    sort = filters.sort if filters.sort in _ORDER_SQL else DEFAULT_SORT
    if filters.is_filtered:
        ids = ",".join(map(str, facet_index.ids_of(summary.matched)))
        if _walks_the_order(sort, summary, stop):
            # `+id`: no lookup by id, a test of each entry of the order's index, from its
            # start until the page's end (the `live = ` term picks that index).
            where, params = f"live = %s AND +id IN ({ids})", [True]
        else:
            # A bare `live`: SQLite then reads the rows by id, not the whole (live, name) index.
            where, params = f"live AND id IN ({ids})", []
    order = _ORDER_SQL[sort]
    sql = (
        f"SELECT id, name, slug, summary, carrier_name, legal_form, year_started FROM {table} "  # noqa: S608 - integers
        f"WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, stop - start, start])
        rows = [dict(zip(_LINE_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    return _lines(rows)


def _walks_the_order(sort: str, summary: BrowseSummary, stop: int) -> bool:
    """Whether the page ending at line `stop` is read walking its order's index: the walk
    meets about `stop` × published ÷ selected entries."""
    return sort in _INDEXED_ORDERS and stop * summary.published <= WALKED_AT_MOST * summary.count


def lines_html(lines: list[InitiativeLine]) -> SafeString:
    """The list's lines (the markup the line template made), every value escaped."""
    return mark_safe("\n".join(_line_html(line) for line in lines))  # escaped parts


def _line_html(line: InitiativeLine) -> str:
    places, themes = line["places"], line["themes"]
    where = []
    if places:
        where.append(f"Où : {escape(places)}")
    if themes:
        where.append(f"Thèmes : {escape(themes)}")
    more = f'\n  <p class="meta">{" · ".join(where)}</p>' if where else ""
    return (
        f'<li class="browse-result">\n  <h3><a href="{escape(line["url"])}">'
        f"{escape(line['name'])}</a></h3>\n  <p>{escape(line['summary'])}</p>\n"
        f'  <p class="meta">{" · ".join(escape(fact) for fact in line["facts"])}</p>{more}\n'
        "</li>"
    )
