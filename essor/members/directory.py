"""The directory of member authorities: its filters, as a typed value built from a form, and
the one query that applies them (never the request's dict expanded into the ORM)."""

import datetime
from dataclasses import dataclass
from typing import TypedDict

from django import forms
from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from essor.core.caching import kept
from essor.core.forms import QuickSelect
from essor.core.text import fold, group_thousands
from essor.members.models import Authority, AuthorityKind, Membership
from essor.territories.models import Territory

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


def _territory_lists() -> dict[str, list[tuple[str, str]]]:
    """Both lists in one query: a filter form shows both."""
    rows = (
        Territory.objects.filter(kind__in=("region", "departement"), is_current=True)
        .order_by("code")
        .values_list("kind", "code", "name")
    )
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
        territories = territory_lists()  # one read for both lists
        self.fields["region"].choices = _blank("Toutes les régions", territories["region"])
        self.fields["departement"].choices = _blank(
            "Tous les départements", territories["departement"]
        )

    def filters(self) -> "DirectoryFilters":
        """The valid filters; an invalid one is dropped (the form shows why)."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return DirectoryFilters(
            text=(valid.get("q") or "").strip(),
            level=valid.get("niveau") or "",
            region=valid.get("region") or "",
            departement=valid.get("departement") or "",
            population=valid.get("population") or "",
            joined_year=valid.get("adhesion"),
            sort=valid.get("tri") or "nom",
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


_LINE_FIELDS = (
    "name",
    "slug",
    "kind",
    "first_joined",
    "territory__kind",
    "territory__population",
    "territory__departement__name",
    "territory__region__name",
)


def directory_lines(found: QuerySet[Authority]) -> list[DirectoryLine]:
    """The lines of a page of the directory, read as plain values: a list page shows fifty of
    them, and building model instances and reversing fifty URLs cost more than the query."""
    url_pattern = reverse("members:authority", args=["-slug-"])
    levels = dict(AuthorityKind.choices)
    return [
        DirectoryLine(
            name=row["name"],
            url=url_pattern.replace("-slug-", row["slug"]),
            level=levels.get(row["kind"], ""),
            place=_place(row),
            population=group_thousands(row["territory__population"]),
            joined_year=str(row["first_joined"].year) if row["first_joined"] else "",
        )
        for row in found.values(*_LINE_FIELDS)
    ]


# One row of the directory's table. Written in Python rather than a template loop: fifty
# rows of six cells cost the template engine more than the page's queries.
_ROW = (
    '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td>'
    '<td class="number">{}</td><td class="number">{}</td></tr>'
)
_ROW_FIELDS = ("url", "name", "level", "place", "population", "joined_year")


def directory_rows(lines: list[DirectoryLine]) -> SafeString:
    """The table rows of `lines`, every value escaped."""
    return format_html_join("\n", _ROW, ([line[field] for field in _ROW_FIELDS] for line in lines))


def _place(row: dict) -> str:
    """ "Gironde, Nouvelle-Aquitaine" for a commune; the région alone for a département."""
    kind = row["territory__kind"]
    if kind is None:
        return ""
    if kind == "region":
        return "—"
    departement = row["territory__departement__name"] if kind != "departement" else None
    return ", ".join(name for name in (departement, row["territory__region__name"]) if name)
