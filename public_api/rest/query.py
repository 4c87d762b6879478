"""Query-string parsing: validated by a serializer, and unknown parameters are a 400.

Silently ignoring `?prise_max=50` would hand a client results it did not ask for.
"""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

PAGINATION_PARAMS = ("page", "page_size")


def parse_query(serializer_class, request, *, extra: tuple[str, ...] = ()) -> dict:
    serializer = serializer_class(data=request.query_params)
    allowed = set(serializer.fields) | set(extra)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError(
            {name: ["Unknown query parameter."] for name in unknown} | {"code": "unknown_parameter"}
        )
    for name in serializer.fields:
        if len(request.query_params.getlist(name)) > 1:
            raise ValidationError({name: ["Give this parameter once."]})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class NoQuery(serializers.Serializer):
    """For list endpoints whose only parameters are the pagination ones."""
