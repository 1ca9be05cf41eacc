"""The directory's filter form, read and written by core's filter form writer: Python for a
valid query, Django's form and template for one with an invalid value, which they explain."""

from django.http import QueryDict
from django.utils.safestring import mark_safe

from essor.core.filter_forms import FilterFormWriter, FilterQuery
from essor.members.directory import (
    DirectoryFilterForm,
    DirectoryFilters,
    filter_choices,
    filters_from,
)

_WRITER = FilterFormWriter(
    DirectoryFilterForm,
    mark_safe("Filtrer l'annuaire"),  # a constant
    filters_from,
)


def directory_query(data: QueryDict, action: str) -> FilterQuery[DirectoryFilters]:
    """The filters of the query `data` and the filter form (sent to `action`) showing it."""
    return _WRITER.query(data, action, filter_choices())
