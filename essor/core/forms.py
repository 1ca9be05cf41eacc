"""Form fields every module shares."""

import re
from decimal import Decimal, InvalidOperation

from django import forms

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
