"""The filters of the news list and the agenda: forms turned into typed values.

Choices are read once per form (and kept in the data cache until the news change): an
unknown rubric, theme, year or authority in the address is an invalid filter the page names
and does not apply, never a 500 nor a silent empty list.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.utils.http import urlencode

from essor.core.agenda import AgendaItem, AgendaOrigin
from essor.core.caching import remember
from essor.core.forms import QuickSelect
from essor.core.models import Theme
from essor.core.text import fold
from essor.news.models import Article, Rubric
from essor.news.selectors import article_years


def _sorted_by_name(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(rows, key=lambda row: fold(row[1]))


def _rubric_choices() -> list[tuple[str, str]]:
    rows = remember("news:rubric-choices", lambda: list(Rubric.objects.values_list("slug", "name")))
    return [("", "Toutes les rubriques"), *rows]


def _article_theme_choices() -> list[tuple[str, str]]:
    def compute() -> list[tuple[str, str]]:
        used = Article.themes.through.objects.filter(article__live=True).values("theme_id")
        return _sorted_by_name(list(Theme.objects.filter(pk__in=used).values_list("slug", "name")))

    return [("", "Tous les thèmes"), *remember("news:article-theme-choices", compute)]


def _authority_choices() -> list[tuple[str, str]]:
    def compute() -> list[tuple[str, str]]:
        from essor.members.models import Authority

        used = Article.authorities.through.objects.filter(article__live=True).values("authority_id")
        rows = Authority.objects.filter(pk__in=used).values_list("slug", "name")
        return _sorted_by_name(list(rows))

    return [("", "Toutes les collectivités"), *remember("news:authority-choices", compute)]


def _year_choices() -> list[tuple[int | str, str]]:
    years = remember("news:article-years", article_years)
    return [("", "Toutes les années"), *((year, str(year)) for year in years)]


def _valid(form: forms.Form) -> dict:
    """The cleaned values of the fields that passed; the others are dropped (the form's
    errors say why)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if k not in form.errors}


@dataclass(frozen=True)
class ArticleFilters:
    rubric: str = ""
    theme: str = ""
    year: int | None = None
    authority: str = ""

    @property
    def is_filtered(self) -> bool:
        return bool(self.rubric or self.theme or self.year or self.authority)

    def apply(self, found: QuerySet[Article]) -> QuerySet[Article]:
        if self.rubric:
            found = found.filter(rubric__slug=self.rubric)
        if self.theme:
            tagged = Article.themes.through.objects.filter(theme__slug=self.theme)
            found = found.filter(pk__in=tagged.values("article_id"))
        if self.year:
            found = found.filter(date__year=self.year)
        if self.authority:
            linked = Article.authorities.through.objects.filter(authority__slug=self.authority)
            found = found.filter(pk__in=linked.values("article_id"))
        return found

    def query_pairs(self, **changes: object) -> list[tuple[str, object]]:
        values = {
            "rubrique": self.rubric,
            "theme": self.theme,
            "annee": self.year or "",
            "collectivite": self.authority,
            **changes,
        }
        return [(name, value) for name, value in values.items() if value]

    def url(self, base: str, **changes: object) -> str:
        pairs = self.query_pairs(**changes)
        return f"{base}?{urlencode(pairs)}" if pairs else base


class ArticleFilterForm(forms.Form):
    """The news list's filters (GET)."""

    rubrique = forms.ChoiceField(label="Rubrique", required=False, widget=QuickSelect)
    theme = forms.ChoiceField(label="Thème", required=False, widget=QuickSelect)
    annee = forms.TypedChoiceField(
        label="Année", required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    collectivite = forms.ChoiceField(
        label="Collectivité concernée", required=False, widget=QuickSelect
    )

    def __init__(self, *args: object, with_rubric: bool = True, **kwargs: object) -> None:
        """`with_rubric=False`: a rubric's page, where the rubric is the page's."""
        super().__init__(*args, **kwargs)
        if with_rubric:
            self.fields["rubrique"].choices = _rubric_choices()
        else:
            del self.fields["rubrique"]
        # Lists, not callables: a callable would be read again by validation and rendering.
        self.fields["theme"].choices = _article_theme_choices()
        self.fields["annee"].choices = _year_choices()
        self.fields["collectivite"].choices = _authority_choices()

    def filters(self, rubric: str = "") -> ArticleFilters:
        """The valid filters; `rubric` is the page's rubric when the form has none."""
        valid = _valid(self)
        return ArticleFilters(
            rubric=rubric or valid.get("rubrique") or "",
            theme=valid.get("theme") or "",
            year=valid.get("annee"),
            authority=valid.get("collectivite") or "",
        )


def _all_theme_choices() -> list[tuple[str, str]]:
    rows = remember("news:theme-choices", lambda: list(Theme.objects.values_list("slug", "name")))
    return [("", "Tous les thèmes"), *_sorted_by_name(rows)]


ORIGIN_CHOICES = [
    ("", "Toutes les origines"),
    *((value, label) for value, label in AgendaOrigin.LABELS.items()),
]


@dataclass(frozen=True)
class AgendaFilters:
    origin: str = ""
    theme: str = ""

    @property
    def is_filtered(self) -> bool:
        return bool(self.origin or self.theme)

    def keeps(self, item: AgendaItem) -> bool:
        if self.origin and item.origin != self.origin:
            return False
        return not self.theme or self.theme in item.themes


class AgendaFilterForm(forms.Form):
    """The merged agenda's filters (GET): whose events, which theme."""

    origine = forms.ChoiceField(
        label="Organisé par", required=False, choices=ORIGIN_CHOICES, widget=QuickSelect
    )
    theme = forms.ChoiceField(label="Thème", required=False, widget=QuickSelect)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = _all_theme_choices()

    def filters(self) -> AgendaFilters:
        valid = _valid(self)
        return AgendaFilters(origin=valid.get("origine") or "", theme=valid.get("theme") or "")
