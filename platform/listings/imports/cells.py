"""One cell of an import file to the Python value of a listing field, or a readable refusal.

Each field gets its parser once (by its model field's type); parsing a 10,000-row file calls
them 250,000 times, so they do no lookups of their own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.db import models

from common.spreadsheet import unneutralise

from ..models import Listing

_WHOLE = re.compile(r"[+-]?\d+")
_YES = frozenset(("1", "true", "yes", "y"))
_NO = frozenset(("", "0", "false", "no", "n"))


def cell_text(value) -> str:
    """A cell as text: XLSX numbers without a spurious ".0", spaces trimmed, and the
    apostrophe an export puts before formula-like text taken off again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # XLSX stores 12 as 12.0
    return unneutralise(str(value).strip())


def parse_cell(name: str, value):
    """One cell to the model field's Python value; ValueError with a readable message."""
    return cell_parser(name)(value)


@functools.cache
def cell_parser(name: str) -> Callable:
    model_field = Listing._meta.get_field(name)
    if isinstance(model_field, models.BooleanField):
        return functools.partial(_boolean, name)
    if isinstance(model_field, models.DecimalField):
        return functools.partial(_decimal, name, _empty_value(model_field))
    if isinstance(model_field, models.IntegerField):
        return functools.partial(_whole, name, _empty_value(model_field))
    return functools.partial(_plain, name, _empty_value(model_field))


def _empty_value(model_field):
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    return ""


def _checked(name: str, text: str) -> str:
    if "\x00" in text:  # PostgreSQL text cannot hold it; say so instead of failing the write
        raise ValueError(f"{name}: the cell contains a NUL character.")
    return text


def _boolean(name: str, value):
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _NO:
        return False
    if text in _YES:
        return True
    raise ValueError(f"{name}: '{text}' is not yes/no (use true or false).")


def _decimal(name: str, empty, value):
    text = cell_text(value)
    if text == "":
        return empty
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"{name}: '{_checked(name, text)}' is not a number (use a dot for "
                         "decimals, e.g. 120.50, and no currency sign).")  # fmt: skip
    return number


def _whole(name: str, empty, value):
    text = cell_text(value)
    if text == "":
        return empty
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"{name}: '{_checked(name, text)}' is not a whole number.")
    number = int(text)
    if number < 0:
        raise ValueError(f"{name} cannot be negative (got {number}).")
    return number


def _plain(name: str, empty, value):
    text = cell_text(value)
    if text == "":
        return empty
    return _checked(name, text)


def as_text(value) -> str:
    """A value as the preview shows it (and as a person would type it in the file)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
