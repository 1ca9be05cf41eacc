"""Reads for the "Déniché pour vous" practice sheets: the filters of the list (a form that
turns the query string into typed values), the list grouped by theme, one sheet with what its
page shows, and who may read the contacts of resource persons."""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from essor.core.caching import remember
from essor.core.forms import QuickSelect
from essor.core.roles import Role, has_role
from essor.core.text import fold
from essor.initiatives.models import PracticeSheet, SheetAuthority, SheetInitiative

# The largest value a PositiveIntegerField holds on every database: a bigger number in an
# address cannot be a sheet, and SQLite would fail on it rather than find nothing.
MAX_SHEET_NUMBER = 2_147_483_647
NO_THEME = "Autres fiches"

_LIST_FIELDS = ("number", "title", "slug", "published_on", "theme__name", "theme__slug")


def can_see_contacts(user: object) -> bool:
    """The contacts of resource persons are personal data: members of the network only."""
    return has_role(user, Role.MEMBER)


def _theme_choices() -> list[tuple[str, str]]:
    def compute() -> list[tuple[str, str]]:
        rows = (
            PracticeSheet.objects.published()
            .filter(theme__isnull=False)
            .order_by()  # the default ordering would enter the DISTINCT
            .values_list("theme__slug", "theme__name")
            .distinct()
        )
        return sorted(rows, key=lambda row: fold(row[1]))

    return [("", "Tous les thèmes"), *remember("sheets:theme-choices", compute)]


def _year_choices() -> list[tuple[int | str, str]]:
    def compute() -> list[tuple[int, str]]:
        dates = PracticeSheet.objects.published().dates("published_on", "year", order="DESC")
        return [(day.year, str(day.year)) for day in dates]

    return [("", "Toutes les années"), *remember("sheets:year-choices", compute)]


class SheetFilterForm(forms.Form):
    # Choices are callables: read when the form is checked, from the published sheets.
    theme = forms.ChoiceField(
        label="Thème", required=False, choices=_theme_choices, widget=QuickSelect
    )
    annee = forms.TypedChoiceField(
        label="Année de parution",
        required=False,
        choices=_year_choices,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )

    def filters(self) -> "SheetFilters":
        """The valid filters; an invalid one is dropped (the form says why)."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return SheetFilters(theme=valid.get("theme") or "", year=valid.get("annee"))


@dataclass(frozen=True)
class SheetFilters:
    theme: str = ""
    year: int | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.theme or self.year)


@dataclass
class SheetLine:
    """A sheet as the list shows it (read as plain values, no model instance)."""

    number: int
    title: str
    url: str
    pdf_url: str
    published_on: datetime.date


@dataclass
class ThemeGroup:
    name: str
    slug: str
    sheets: list[SheetLine] = field(default_factory=list)


def published_sheets(filters: SheetFilters) -> QuerySet[PracticeSheet]:
    """The published sheets matching `filters`."""
    found = PracticeSheet.objects.published()
    if filters.theme:
        found = found.filter(theme__slug=filters.theme)
    if filters.year:
        found = found.filter(published_on__year=filters.year)
    return found


def sheets_by_theme(filters: SheetFilters) -> list[ThemeGroup]:
    """The published sheets matching `filters`, in one query, grouped by theme (themes in
    alphabetical order, accents ignored; sheets without a theme last), sheets by number."""
    groups: dict[str, ThemeGroup] = {}
    rows = published_sheets(filters).order_by("number").values(*_LIST_FIELDS)
    for row in rows:
        slug = row["theme__slug"] or ""
        group = groups.setdefault(slug, ThemeGroup(name=row["theme__name"] or NO_THEME, slug=slug))
        group.sheets.append(_line(row))
    return sorted(groups.values(), key=lambda group: (not group.slug, fold(group.name)))


def _line(row: dict) -> SheetLine:
    address = [row["number"], row["slug"]]
    return SheetLine(
        number=row["number"],
        title=row["title"],
        url=reverse("initiatives:sheet", args=address),
        pdf_url=reverse("initiatives:sheet_pdf", args=address),
        published_on=row["published_on"],
    )


def sheet_pdf_url(sheet: PracticeSheet) -> str:
    return reverse("initiatives:sheet_pdf", args=[sheet.number, sheet.slug])


def published_sheet(number: int) -> PracticeSheet | None:
    """The published sheet of that number with its theme, its published initiatives and its
    authorities, or None."""
    if not 0 < number <= MAX_SHEET_NUMBER:
        return None
    return (
        PracticeSheet.objects.published()
        .select_related("theme")
        .prefetch_related(
            Prefetch(
                "initiative_links",
                queryset=SheetInitiative.objects.filter(initiative__live=True).select_related(
                    "initiative"
                ),
            ),
            Prefetch(
                "authority_links",
                queryset=SheetAuthority.objects.select_related("authority"),
            ),
        )
        .filter(number=number)
        .first()
    )
