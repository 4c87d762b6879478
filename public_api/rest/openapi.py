"""Documented error shapes, so `/api/v1/schema/` tells clients what each failure looks like."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

DetailError = inline_serializer("DetailError", {"detail": serializers.CharField()})
DomainConflict = inline_serializer(
    "DomainError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text="Stable machine-readable reason."),
    },
)
ValidationErrors = inline_serializer(
    "ValidationErrors",
    {
        "code": serializers.CharField(
            required=False, help_text="Domain code, when a business rule rejected the input."
        ),
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
    },
    help_text="`{<field>: [messages]}` for each invalid input, plus `code` for rule violations.",
)

_ERRORS = {
    400: OpenApiResponse(ValidationErrors, description="Malformed or invalid input."),
    401: OpenApiResponse(DetailError, description="Missing, invalid or expired access token."),
    403: OpenApiResponse(DomainConflict, description="Not allowed for this user."),
    404: OpenApiResponse(DetailError, description="Not found (or not visible to the caller)."),
    409: OpenApiResponse(DomainConflict, description="A business rule refused the operation."),
    422: OpenApiResponse(DomainConflict, description="Idempotency key reused with another body."),
    429: OpenApiResponse(DetailError, description="Throttled; see the Retry-After header."),
}


def errors(*status_codes: int) -> dict:
    """`responses=` entries for the given error statuses (429 is always possible)."""
    return {code: _ERRORS[code] for code in (*status_codes, 429)}


def with_errors(success: dict, *status_codes: int) -> dict:
    return {**success, **errors(*status_codes)}


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description=(
        "Optional, at most 255 characters, scoped to the caller. A repeat with the same key and "
        "body replays the first response; another body gives 422; a repeat while the first is "
        "still running gives 409."
    ),
)


class JWTActorScheme(SimpleJWTScheme):
    """Documents our simplejwt subclass as the `jwtAuth` bearer scheme (registered on import)."""

    target_class = "public_api.auth.JWTActorAuthentication"
    name = "jwtAuth"
