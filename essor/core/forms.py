"""Form fields every module shares."""

import functools
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import CallableChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_french_number(text: str) -> Decimal:
    """ "4 150 000", "1 200,50 €", "1200.5" → Decimal; ValueError when it is not a number."""
    cleaned = _SPACES.sub("", text).replace("€", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not number.is_finite():
        raise ValueError(text)
    return number


class FrenchDecimalField(forms.DecimalField):
    """A number as French people type it: spaces between thousands, comma for decimals."""

    def to_python(self, value: object) -> Decimal | None:
        if isinstance(value, str) and value.strip():
            try:
                value = str(parse_french_number(value))
            except ValueError:
                raise forms.ValidationError(
                    "Saisissez un nombre, par exemple 4 150 000 ou 12,5.", code="invalid"
                ) from None
        return super().to_python(value)


class QuickSelect(forms.Select):
    """A single <select> written in Python from options escaped once per list of choices,
    rather than one template per option: list pages show filters with a hundred départements
    on every request."""

    def render(self, name: str, value: object, attrs: dict | None = None, renderer=None) -> str:
        selected = {str(item) for item in self.format_value(value)}
        options = select_options_html(self._flat_choices(), selected)
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe(options)
        )

    def use_required_attribute(self, initial: object) -> bool:
        # Django's own check normalises every choice to look at the first one.
        first = next(iter(self._flat_choices()), None)
        return not self.is_hidden and first is not None and first[0] in ("", None)

    def __deepcopy__(self, memo: dict) -> "QuickSelect":
        copied = super().__deepcopy__(memo)
        copied._read_choices = None  # each form reads its own choices
        return copied

    def _flat_choices(self) -> tuple:
        """The choices as given, read once per form: Django's iterator normalises the whole
        list (a hundred départements) each time it is read, and a render reads it twice."""
        if getattr(self, "_read_choices", None) is None:
            choices = self.choices
            if isinstance(choices, CallableChoiceIterator):
                choices = choices.func()
            self._read_choices = tuple(choices)
        return self._read_choices


def select_options_html(choices: tuple, selected: set[str]) -> str:
    """The <option>s of flat `choices`, escaped, those whose value is in `selected` marked."""
    return "".join(
        option.replace(">", " selected>", 1) if option_value in selected else option
        for option_value, option in _escaped_options(choices)
    )


@functools.lru_cache(maxsize=256)
def _escaped_options(choices: tuple) -> tuple[tuple[str, str], ...]:
    """(value, '<option value="…">…</option>') for flat choices, escaped once."""
    return tuple(
        (str(value), format_html('<option value="{}">{}</option>', value, label))
        for value, label in choices
    )
