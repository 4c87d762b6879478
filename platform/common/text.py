"""Bounds on text that people type (reasons, notes, profile fields): too long is refused with
`too_long`, never silently cut, so every interface refuses it alike and nothing is lost."""

from django.db.models import Model

from .errors import ValidationFailed


def max_length(model: type[Model], field_name: str) -> int:
    """The column's limit, so the rule and the schema cannot drift apart."""
    limit = getattr(model._meta.get_field(field_name), "max_length", None)
    assert limit is not None, f"{model.__name__}.{field_name} has no max_length"
    return limit


def text_within(value: str | None, *, limit: int, field: str) -> str:
    """`value` ("" for None) if it has at most `limit` characters; else `too_long`."""
    text = value or ""
    if len(text) > limit:
        raise ValidationFailed("too_long", f"At most {limit} characters.", field)
    return text
