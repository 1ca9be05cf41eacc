"""The directory's filter form as the page shows it, read and written in Python.

Every directory page shows the form: seven fields, two of them listing a hundred
territories. Built, checked and rendered by Django (form, bound fields, widgets, the
template include), it cost more than the page's queries. A query whose values are all
valid (nearly every one: the form submits its own choices) is read here by looking each
value up in its field's choices, and the form written with every value escaped: the HTML
core/includes/filter_form.html renders for DirectoryFilterForm. A query with any invalid
value goes through DirectoryFilterForm and that template, which explain the errors.
test_directory_form.py checks that both ways give the same filters and the same HTML.
"""

from dataclasses import dataclass
from html import escape

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from essor.members.directory import (
    DirectoryFilterForm,
    DirectoryFilters,
    filter_choices,
    filters_from,
)

# A literal in the former template, so written unescaped (its apostrophe included).
_FORM_LABEL = mark_safe("Filtrer l'annuaire")  # a constant
_FIELDS = DirectoryFilterForm.base_fields  # their names, labels and the search's length
_TEXT_FIELD = "q"
_YEAR_FIELD = "adhesion"  # the one select whose value is a number


@dataclass(frozen=True)
class DirectoryQuery:
    """What a directory request asks: its filters and the form showing them."""

    filters: DirectoryFilters
    form_html: SafeString


def directory_query(data: QueryDict, action: str) -> DirectoryQuery:
    """The filters of the query `data` and the filter form (sent to `action`) showing it."""
    choices = filter_choices()
    values = _valid_values(data, choices)
    if values is None:
        return _through_django_form(data, action)
    cleaned = {name: value or "" for name, value in values.items()}
    cleaned[_YEAR_FIELD] = int(values[_YEAR_FIELD]) if values[_YEAR_FIELD] else None
    filters = filters_from(cleaned)
    return DirectoryQuery(filters, _form_html(values, choices, action, filters.is_filtered))


def _valid_values(data: QueryDict, choices: dict[str, list]) -> dict[str, str | None] | None:
    """Each field's value as sent (the last one, as Django's form reads it), or None when
    one would not pass DirectoryFilterForm: a text too long or holding a null character, a
    value that is not among its select's choices."""
    values = {name: data.get(name) for name in _FIELDS}
    text = values[_TEXT_FIELD]
    if text is not None and (len(text.strip()) > _FIELDS[_TEXT_FIELD].max_length or "\x00" in text):
        return None
    for name, options in choices.items():
        value = values[name]
        if value and value not in {str(key) for key, _label in options}:
            return None
    return values


def _through_django_form(data: QueryDict, action: str) -> DirectoryQuery:
    """The rare query with an invalid value: Django's form checks it and the template
    lists the errors, each linked to its field."""
    form = DirectoryFilterForm(data or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    html = render_to_string(
        "core/includes/filter_form.html",
        {"form": form, "action": action, "label": _FORM_LABEL, "is_filtered": filters.is_filtered},
    )
    return DirectoryQuery(filters, mark_safe(html))  # rendered by a template


def _form_html(
    values: dict[str, str | None], choices: dict[str, list], action: str, is_filtered: bool
) -> SafeString:
    """The form of core/includes/filter_form.html without errors, every value escaped."""
    action = escape(action)
    fields = "".join(
        f'\n    <div class="field">\n      <label for="id_{name}">{escape(str(field.label))}'
        f"</label>\n      {_widget_html(name, values[name], choices)}\n    </div>\n    "
        for name, field in _FIELDS.items()
    )
    clear = f'<a href="{action}">Effacer les filtres</a>' if is_filtered else ""
    return mark_safe(  # every value is escaped
        f'\n<form method="get" action="{action}" class="filters" role="search" '
        f'aria-label="{_FORM_LABEL}">\n  \n  <div class="filters__grid">\n    {fields}\n  </div>\n'
        '  <p class="filters__actions">\n    <button type="submit" class="button">Filtrer</button>'
        f"\n    {clear}\n  </p>\n</form>\n"
    )


def _widget_html(name: str, value: str | None, choices: dict[str, list]) -> str:
    """The field's input or select as its Django widget writes it for a valid value."""
    if name == _TEXT_FIELD:
        shown = f' value="{escape(value)}"' if value else ""
        return (
            f'<input type="search" name="{name}"{shown} autocomplete="off" '
            f'maxlength="{_FIELDS[name].max_length}" id="id_{name}">'
        )
    selected = value or ""  # no value selects the blank choice
    options = "".join(
        f'<option value="{escape(str(key))}"{" selected" if str(key) == selected else ""}>'
        f"{escape(str(label))}</option>"
        for key, label in choices[name]
    )
    return f'<select name="{name}" id="id_{name}">{options}</select>'
