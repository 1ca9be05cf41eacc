"""Reads for the library's public pages: the filters of the list (a form that turns the query
string into typed values, never the request's dict expanded into the ORM), the published
publications, who may read a members-only publication, and the text shown screen by screen."""

from dataclasses import dataclass
from typing import TypedDict

from django import forms
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse

from essor.core.caching import remember
from essor.core.forms import QuickSelect
from essor.core.models import Theme
from essor.core.roles import Role, has_role
from essor.core.text import fold
from essor.library.models import Publication, PublicationKind, PublicationPage

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 100
# A long text is shown this many pages per screen; a shorter one is shown whole.
TEXT_PAGES_PER_SCREEN = 20
# Bigger page numbers cannot be a page of a publication (and would overflow some databases).
MAX_PAGE_NUMBER = 100_000

SORTS: dict[str, tuple[str, tuple]] = {
    "date": ("Date (la plus récente d'abord)", (F("date").desc(nulls_last=True), "title", "pk")),
    "titre": ("Titre (A → Z)", ("title", "pk")),
}
DEFAULT_SORT = "date"


def may_read(user: object, publication: Publication) -> bool:
    """The file and the text of a members-only publication are for members of the network
    (and the team); everything else is public."""
    return not publication.members_only or has_role(user, Role.MEMBER)


# --- the list's filters ----------------------------------------------------------------------


def _kind_choices() -> list[tuple[str, str]]:
    return [("", "Tous les types"), *PublicationKind.choices]


def _year_choices() -> list[tuple[int | str, str]]:
    def compute() -> list[tuple[int, str]]:
        days = Publication.objects.published().dates("date", "year", order="DESC")
        return [(day.year, str(day.year)) for day in days]

    return [("", "Toutes les années"), *remember("library:year-choices", compute)]


def _theme_choices() -> list[tuple[str, str]]:
    def compute() -> list[tuple[str, str]]:
        rows = (
            Theme.objects.filter(publications__live=True)
            .order_by()  # the default ordering would enter the DISTINCT
            .values_list("slug", "name")
            .distinct()
        )
        # Sorted folded: SQLite would put « Économie » after « Utilité ».
        return sorted(rows, key=lambda row: fold(row[1]))

    return [("", "Tous les thèmes"), *remember("library:theme-choices", compute)]


def _sort_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _order) in SORTS.items()]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label="Mots du titre, du résumé ou des auteurs",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # Choices are callables: read when the form is checked, from the published publications.
    type = forms.ChoiceField(
        label="Type", required=False, choices=_kind_choices, widget=QuickSelect
    )
    annee = forms.TypedChoiceField(
        label="Année de parution",
        required=False,
        choices=_year_choices,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    theme = forms.ChoiceField(
        label="Thème", required=False, choices=_theme_choices, widget=QuickSelect
    )
    tri = forms.ChoiceField(
        label="Trier par", required=False, choices=_sort_choices, widget=QuickSelect
    )

    def filters(self) -> "LibraryFilters":
        """The valid filters; an invalid one is dropped (the form says why)."""
        if not self.is_bound:
            return LibraryFilters()
        self.is_valid()
        valid = {
            name: value for name, value in self.cleaned_data.items() if name not in self.errors
        }
        return LibraryFilters(
            text=" ".join((valid.get("q") or "").split()),
            kind=valid.get("type") or "",
            year=valid.get("annee"),
            theme=valid.get("theme") or "",
            sort=valid.get("tri") or DEFAULT_SORT,
        )


@dataclass(frozen=True)
class LibraryFilters:
    text: str = ""
    kind: str = ""
    year: int | None = None
    theme: str = ""
    sort: str = DEFAULT_SORT

    @property
    def is_filtered(self) -> bool:
        return bool(self.text or self.kind or self.year or self.theme)


def _text_condition(text: str) -> Q:
    """Every word in the title, the summary or the authors. Case-insensitive for unaccented
    letters only on SQLite (LIKE); the site search is the accent-insensitive way in."""
    condition = Q()
    for word in text.split()[:10]:
        condition &= (
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(authors__icontains=word)
        )
    return condition


def publications_matching(filters: LibraryFilters) -> QuerySet[Publication]:
    """The published publications matching `filters`, sorted, with what a list line shows
    (themes in one more query, whatever the number of lines)."""
    found = Publication.objects.published()
    if filters.text:
        found = found.filter(_text_condition(filters.text))
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.year:
        found = found.filter(date__year=filters.year)
    if filters.theme:
        found = found.filter(themes__slug=filters.theme)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1]
    return (
        found.order_by(*order)
        .only("pk", "slug", "title", "kind", "number", "date", "authors", "summary", "members_only")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.only("pk", "name")))
    )


# --- one publication -------------------------------------------------------------------------


def published_publication(slug: str) -> Publication | None:
    """The published publication at `slug`, with its file and themes, or None."""
    return (
        Publication.objects.published()
        .filter(slug=slug)
        .select_related("document")
        .prefetch_related("themes")
        .first()
    )


class FileFacts(TypedDict):
    extension: str  # "PDF"
    content_type: str
    size: int | None  # bytes, when the storage can tell


def file_facts(publication: Publication) -> FileFacts | None:
    """What the download link says of the file, or None without a file. Reads the size the
    document stored at upload; asks the storage only for an older document (without saving,
    a page view writes nothing)."""
    document = publication.document
    if document is None:
        return None
    size = document.file_size
    if size is None:
        try:
            size = document.file.size
        except (OSError, NotImplementedError):
            size = None
    return FileFacts(
        extension=document.file_extension.upper(),
        content_type=document.content_type,
        size=size,
    )


def download_filename(publication: Publication) -> str:
    """A clean name for the downloaded file: the publication's slug and the file's extension
    (the uploaded name may be "scan_final(2) déf.PDF")."""
    extension = publication.document.file_extension.lower() if publication.document else ""
    return f"{publication.slug}.{extension}" if extension else publication.slug


# --- the text, screen by screen --------------------------------------------------------------


class TextRangeForm(forms.Form):
    """The detail page's parameters: `page` (a page to go to, `?page=12`) and `pages` (the
    screen of a long text, `?pages=21-40`)."""

    page = forms.IntegerField(label="Page", required=False, min_value=1, max_value=MAX_PAGE_NUMBER)
    pages = forms.RegexField(
        label="Pages affichées",
        required=False,
        regex=r"^\d{1,6}-\d{1,6}$",
        error_messages={"invalid": "Plage de pages attendue sous la forme 21-40."},
    )


@dataclass(frozen=True)
class TextScreen:
    """A slice of a publication's pages: pages `first` to `last` of `page_count`."""

    first: int
    last: int
    page_count: int

    @property
    def is_whole(self) -> bool:
        return self.first == 1 and self.last >= self.page_count

    @property
    def param(self) -> str:
        return f"{self.first}-{self.last}"


def screen_count(page_count: int) -> int:
    return max(1, -(-page_count // TEXT_PAGES_PER_SCREEN))


def screen_of(page_number: int, page_count: int) -> TextScreen:
    """The screen that shows `page_number` (the whole text when it is short)."""
    if page_count <= TEXT_PAGES_PER_SCREEN:
        return TextScreen(1, page_count, page_count)
    index = (min(max(page_number, 1), page_count) - 1) // TEXT_PAGES_PER_SCREEN
    first = index * TEXT_PAGES_PER_SCREEN + 1
    return TextScreen(first, min(first + TEXT_PAGES_PER_SCREEN - 1, page_count), page_count)


def all_screens(page_count: int) -> list[TextScreen]:
    return [
        screen_of(index * TEXT_PAGES_PER_SCREEN + 1, page_count)
        for index in range(screen_count(page_count))
    ]


def parse_screen(value: str, page_count: int) -> TextScreen | None:
    """The screen asked for by `pages=21-40`: the one holding its first page, or None when
    that page is not in the publication."""
    first = int(value.split("-")[0])
    if not 1 <= first <= page_count:
        return None
    return screen_of(first, page_count)


def text_pages(publication: Publication, screen: TextScreen) -> list[PublicationPage]:
    # The publication's id is read too: the related manager checks it on every page it sets.
    return list(
        publication.pages.filter(number__gte=screen.first, number__lte=screen.last)
        .only("publication_id", "number", "text")
        .order_by("number")
    )


def page_address(publication: Publication, number: int) -> str:
    """Where page `number` of the text is read: its screen, its anchor."""
    screen = screen_of(number, publication.page_count)
    query = "" if screen.is_whole else f"?pages={screen.param}"
    return f"{reverse('library:detail', args=[publication.slug])}{query}#page-{number}"
