"""Fetching the object a URL names, as the caller is allowed to see it.

Objects the caller may not see are a 404, exactly like objects that do not exist. A path id
that is not a UUID at all is malformed input: a 400 that names the parameter.
"""

import uuid

from rest_framework.exceptions import NotFound, ValidationError


def parse_uuid(value, field: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError({field: ["Must be a valid UUID."]}) from None


def get_visible(queryset, value, field: str = "id"):
    """The object with this id in `queryset` (already scoped to the caller), or a 404."""
    obj = queryset.filter(pk=parse_uuid(value, field)).first()
    if obj is None:
        raise NotFound()
    return obj
