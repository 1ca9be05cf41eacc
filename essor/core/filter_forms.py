"""The GET filter forms of list pages, read and written in Python when the query is valid.

Every list page shows its filter form: a few selects, some listing a hundred territories.
Built, checked and rendered by Django (form, bound fields, widgets, the template include) it
cost a list page more than its queries. A query whose values are all valid (nearly every one:
the form submits its own choices) is read here by looking each value up in its field's choices,
and the form is written with every value escaped, as core/includes/filter_form.html renders it.
A query with an invalid value goes through the Django form and that template, which explain
the errors next to their fields (tests/test_filter_forms.py checks both ways agree).

Fields handled: optional choice fields (`ChoiceField`, `TypedChoiceField`) shown with
`QuickSelect`, and optional text fields (`CharField`) shown with an <input>.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt, pretty_name
from django.forms.widgets import Input
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from essor.core.forms import QuickSelect, select_options_html

FILTER_FORM_TEMPLATE = "core/includes/filter_form.html"
Filters = TypeVar("Filters")


@dataclass(frozen=True)
class FilterQuery(Generic[Filters]):
    """What a list request asks: its filters and the form showing them."""

    filters: Filters
    form_html: SafeString


class FilterFormWriter(Generic[Filters]):
    """Reads a query against `form_class` and writes its form, labelled `label` for assistive
    technologies. `filters_of` turns the cleaned values of the valid fields (by name, any may
    be missing) into the page's filters, whose `is_filtered` says when to offer clearing them.
    """

    def __init__(
        self,
        form_class: type[forms.Form],
        label: str,
        filters_of: Callable[[dict], Filters],
    ) -> None:
        for name, field in form_class.base_fields.items():
            if field.required or not isinstance(field.widget, QuickSelect | Input):
                raise TypeError(f"{form_class.__name__}.{name}: not a field this writer handles")
        self.form_class = form_class
        self.label = label
        self.filters_of = filters_of

    def query(
        self,
        data: QueryDict,
        action: str,
        choices: dict[str, Sequence[tuple]],
        make_form: Callable[[QueryDict | None], forms.Form] | None = None,
    ) -> FilterQuery[Filters]:
        """The filters of `data` and the form (sent to `action`) showing them. `choices`: the
        choices of the fields the form fills when it is made (territories, themes…);
        `make_form`: how to make the Django form, when it needs more than the data."""
        choices = {**self._static_choices(), **choices}
        cleaned = self._cleaned(data, choices)
        if cleaned is None:
            return self._through_django_form(data, action, make_form or self.form_class)
        # No query: the form is not bound, as Django's would not be (nothing cleaned).
        filters = self.filters_of(cleaned if data else {})
        return FilterQuery(filters, self._form_html(data, choices, action, filters))

    def _static_choices(self) -> dict[str, Sequence[tuple]]:
        return {
            name: field.choices
            for name, field in self.form_class.base_fields.items()
            if isinstance(field, forms.ChoiceField)
        }

    def _cleaned(self, data: QueryDict, choices: dict) -> dict | None:
        """Each field's cleaned value, as Django's form would clean the value sent (the last
        one of its name), or None when one would not pass."""
        cleaned = {}
        for name, field in self.form_class.base_fields.items():
            value = data.get(name)
            if isinstance(field, forms.ChoiceField):
                if value in field.empty_values:
                    cleaned[name] = getattr(field, "empty_value", "")
                elif value in {str(key) for key, _label in choices[name]}:
                    cleaned[name] = field.coerce(value) if hasattr(field, "coerce") else value
                else:
                    return None
            else:
                try:
                    cleaned[name] = field.clean(value)
                except ValidationError:
                    return None
        return cleaned

    def _through_django_form(
        self, data: QueryDict, action: str, make_form: Callable[[QueryDict | None], forms.Form]
    ) -> FilterQuery[Filters]:
        form = make_form(data or None)
        valid = {}
        if form.is_bound:
            form.is_valid()
            valid = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        filters = self.filters_of(valid)
        html = render_to_string(
            FILTER_FORM_TEMPLATE,
            {
                "form": form,
                "action": action,
                "label": self.label,
                "is_filtered": filters.is_filtered,
            },
        )
        return FilterQuery(filters, mark_safe(html))  # rendered by the template

    def _form_html(
        self, data: QueryDict, choices: dict, action: str, filters: Filters
    ) -> SafeString:
        """The form of core/includes/filter_form.html with no error, every value escaped."""
        action = escape(action)
        fields = "".join(
            f'\n    <div class="field">\n      <label for="id_{name}">{escape(_label(name, field))}'
            f"</label>\n      {_widget_html(name, field, data.get(name), choices)}\n    </div>\n    "
            for name, field in self.form_class.base_fields.items()
        )
        clear = f'<a href="{action}">Effacer les filtres</a>' if filters.is_filtered else ""
        return mark_safe(  # every value is escaped
            f'\n<form method="get" action="{action}" class="filters" role="search" '
            f'aria-label="{conditional_escape(self.label)}">\n  \n  <div class="filters__grid">'
            f"\n    {fields}\n  </div>\n"
            '  <p class="filters__actions">\n    <button type="submit" class="button">Filtrer'
            f"</button>\n    {clear}\n  </p>\n</form>\n"
        )


def _label(name: str, field: forms.Field) -> str:
    return field.label if field.label is not None else pretty_name(name)


def _widget_html(name: str, field: forms.Field, value: str | None, choices: dict) -> str:
    """The field's select or input, as its widget writes it for a valid value."""
    attrs = {**field.widget.attrs, "id": f"id_{name}"}
    if isinstance(field, forms.ChoiceField):
        options = select_options_html(tuple(choices[name]), {value or ""})
        return f'<select name="{name}"{flatatt(attrs)}>{options}</select>'
    shown = f' value="{escape(value)}"' if value else ""
    return f'<input type="{field.widget.input_type}" name="{name}"{shown}{_attributes(attrs)}>'


def _attributes(attrs: dict) -> str:
    """Attributes in their order, as Django's attrs.html writes them (flatatt sorts them)."""
    return "".join(
        f" {key}" if value is True else f' {key}="{escape(value)}"'
        for key, value in attrs.items()
        if value is not False and value is not None
    )
