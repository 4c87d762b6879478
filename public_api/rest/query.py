"""Query-string parsing: validated by a serializer, and unknown parameters are a 400.

Silently ignoring `?prise_max=50` would hand a client results it did not ask for.

A query whose serializer holds only plain required date and integer fields (a quote's, an
availability range) is read without creating the serializer when the query string is the
plain case: every field given once, nothing else, dates as YYYY-MM-DD and integers as ASCII
digits within the field's bounds. Those inputs are a subset of what the serializer accepts,
read to the same values (`date.fromisoformat`, `int`); anything else (a missing, repeated,
unknown or malformed parameter, or another form the serializer accepts, such as `2.0`) goes
through the serializer, so every 400 body is the serializer's. Creating a serializer
deep-copies its declared fields, which cost more than a quote's arithmetic.
"""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from rest_framework import ISO_8601, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

PAGINATION_PARAMS = ("page", "page_size")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]{1,9}")

# What a field may have been declared with and still be read without its serializer.
_PLAIN_KWARGS = {"help_text", "label"}
_INTEGER_KWARGS = _PLAIN_KWARGS | {"min_value", "max_value"}

Plan = dict[str, Callable[[str], Any]]  # each field's reader of the plain case (None: not it)
_PLANS: dict[type, Plan | None] = {}  # per serializer class; None: it has no plain case


def parse_query(serializer_class, request, *, extra: tuple[str, ...] = ()) -> dict:
    params = request.query_params
    plan = _plan_of(serializer_class)
    if plan is not None:
        parsed = _read_plain(plan, params)
        if parsed is not None:
            return parsed
    serializer = serializer_class(data=params)
    allowed = set(serializer.fields) | set(extra)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValidationError(
            {name: ["Unknown query parameter."] for name in unknown} | {"code": "unknown_parameter"}
        )
    for name in serializer.fields:
        if len(params.getlist(name)) > 1:
            raise ValidationError({name: ["Give this parameter once."]})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _read_plain(plan: Plan, params) -> dict | None:
    """The validated query when it is the plain case, else None."""
    if len(params) != len(plan):
        return None
    parsed = {}
    for name, read in plan.items():
        values = params.getlist(name)
        if len(values) != 1:
            return None
        value = read(values[0])
        if value is None:
            return None
        parsed[name] = value
    return parsed


def _plan_of(serializer_class) -> Plan | None:
    try:
        return _PLANS[serializer_class]
    except KeyError:
        plan = _PLANS[serializer_class] = _make_plan(serializer_class)
        return plan


def _make_plan(serializer_class) -> Plan | None:
    """None unless every field is a plain required date or integer and the serializer has no
    rule of its own."""
    if not (
        isinstance(serializer_class, type) and issubclass(serializer_class, serializers.Serializer)
    ):
        return None
    if serializer_class.validate is not serializers.Serializer.validate:
        return None
    if getattr(getattr(serializer_class, "Meta", None), "validators", None):
        return None
    if list(api_settings.DATE_INPUT_FORMATS) != [ISO_8601]:
        return None
    plan: Plan = {}
    for name, field in serializer_class._declared_fields.items():
        # What the field was declared with (DRF keeps the arguments to copy the field).
        args, kwargs = getattr(field, "_args", ()), set(getattr(field, "_kwargs", {}))
        if args or hasattr(serializer_class, f"validate_{name}"):
            return None
        if type(field) is serializers.DateField and kwargs <= _PLAIN_KWARGS:
            plan[name] = _read_date
        elif type(field) is serializers.IntegerField and kwargs <= _INTEGER_KWARGS:
            plan[name] = _integer_reader(field.min_value, field.max_value)
        else:
            return None
    return plan


def _read_date(value: str) -> date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _integer_reader(low: int | None, high: int | None) -> Callable[[str], int | None]:
    def read(value: str) -> int | None:
        if not _DIGITS.fullmatch(value):
            return None
        number = int(value)
        if (low is not None and number < low) or (high is not None and number > high):
            return None
        return number

    return read


class NoQuery(serializers.Serializer):
    """For list endpoints whose only parameters are the pagination ones."""
