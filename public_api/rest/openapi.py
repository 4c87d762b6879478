"""What `/api/v1/schema/` tells clients beyond inference: each failure's shape, the limits the
server enforces (page sizes, a page past the end, a new password's minimum length, decimal
strings as the server reads them)."""

from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from public_api.error_codes import ERROR_TYPE_NAMES, codes_for
from public_api.middleware import _code as _http_code

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


# --- limits the server enforces, stated in the schema ------------------------------------------


PASSWORD_MIN_LENGTH_MARK = "x-password-min-length"


def password_min_length() -> int:
    """The minimum length Django's password validators (AUTH_PASSWORD_VALIDATORS) require."""
    lengths = [
        validator.min_length
        for validator in get_default_password_validators()
        if isinstance(validator, MinimumLengthValidator)
    ]
    return max(lengths, default=0)


class NewPasswordFieldExtension(OpenApiSerializerFieldExtension):
    """A password being chosen: minLength from Django's validators (the core applies them all)."""

    target_class = "public_api.rest.fields.NewPasswordField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        minimum = password_min_length()
        # drf-spectacular writes minLength: 1 (not blank) over whatever an extension returns;
        # the hook below puts this one in place.
        schema[PASSWORD_MIN_LENGTH_MARK] = minimum
        schema["description"] = (
            f"At least {minimum} characters, not only digits, not a common password and not "
            "too similar to your email or name (Django's password validators; 400 otherwise)."
        )
        return schema


def decimal_pattern(field) -> str | None:
    """A decimal string exactly as the field writes it and as tight as it reads it: digits
    before the point (at least one, at most max_digits - decimal_places), then optionally a
    point and 1..decimal_places digits; a sign only if the field allows negative values (a
    field whose negatives the core refuses says so with `never_negative`).
    drf-spectacular's own pattern also matches "", "-" and "." (which the server refuses)."""
    whole, places = field.max_whole_digits, field.decimal_places
    if whole is None or places is None:
        return None
    min_value = getattr(field, "min_value", None)
    never_negative = getattr(field, "never_negative", False) or (
        min_value is not None and min_value >= 0
    )
    sign = "" if never_negative else "-?"
    fraction = rf"(?:\.\d{{1,{places}}})?" if places else ""
    if whole == 0:
        return rf"^{sign}0?\.\d{{1,{places}}}$"
    return rf"^{sign}\d{{1,{whole}}}{fraction}$"


class DecimalStringExtension(OpenApiSerializerFieldExtension):
    """Every DecimalField (sent and received as a string) with decimal_pattern's pattern."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        pattern = decimal_pattern(self.target)
        if pattern and schema.get("format") == "decimal":
            schema["pattern"] = pattern
        return schema


PAGE_PAST_THE_END = "Not found (or not visible to the caller), or a `page` past the last one."


def document_limits(result, generator, request, public):
    """Postprocessing hook: every paginated list answers 404 for a page past the last one, and
    a new password's minLength is Django's validators' (see NewPasswordFieldExtension)."""
    _set_password_min_lengths(result.get("components", {}).get("schemas", {}))
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            names = {p.get("name") for p in operation.get("parameters", [])}
            if "page" not in names:
                continue
            responses = operation.setdefault("responses", {})
            not_found = responses.setdefault(
                "404",
                {"content": {"application/json": {"schema": {"$ref": DETAIL_ERROR_REF}}}},
            )
            not_found["description"] = PAGE_PAST_THE_END
    return result


DETAIL_ERROR_REF = "#/components/schemas/DetailError"


def _set_password_min_lengths(node) -> None:
    if isinstance(node, dict):
        if PASSWORD_MIN_LENGTH_MARK in node:
            node["minLength"] = max(node.get("minLength", 0), node.pop(PASSWORD_MIN_LENGTH_MARK))
        for value in node.values():
            _set_password_min_lengths(value)
    elif isinstance(node, list):
        for value in node:
            _set_password_min_lengths(value)


# Which domain's refusals each operation can answer with, by operationId prefix (the longest
# prefix wins): the operation's error bodies document `code` as that domain's enum.
OPERATION_DOMAINS = {
    "auth_": "accounts",
    "me_": "accounts",
    "bookings_": "bookings",
    "bookings_pay": "payments",
    "conversations_": "messaging",
    "listings_": "listings",
    "listings_availability": "calendars",
    "listings_blocks_": "calendars",
    "listings_calendar_": "calendars",
    "listings_channels_": "calendars",
    "listings_quote": "bookings",
    "listings_reviews": "reviews",
    "payments_": "payments",
    "payouts_": "payouts",
    "reviews_": "reviews",
    "wishlists_": "wishlists",
}
CODED_STATUSES = ("400", "403", "409", "422")
# An answer no rule gave (DRF's own validation, a malformed body) carries the middleware's code
# for its status; an unknown query parameter is refused by public_api.rest.query.
HTTP_CODES = sorted({_http_code(int(status)) for status in CODED_STATUSES} | {"unknown_parameter"})


def operation_domain(operation_id: str) -> str | None:
    matches = [prefix for prefix in OPERATION_DOMAINS if operation_id.startswith(prefix)]
    return OPERATION_DOMAINS[max(matches, key=len)] if matches else None


def document_error_codes(result, generator, request, public):
    """drf-spectacular postprocessing hook: each operation's 400/403/409/422 bodies say which
    `code` values it can carry (`<Domain>ErrorCode`, public_api.error_codes)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for path in result.get("paths", {}).values():
        for operation in path.values():
            domain = operation_domain(operation.get("operationId", ""))
            if domain is None:
                continue
            name = f"{ERROR_TYPE_NAMES[domain]}ErrorCode"
            schemas.setdefault(
                name,
                {
                    "type": "string",
                    "enum": sorted({*codes_for(domain), *HTTP_CODES}),
                    "description": f"Why a {ERROR_TYPE_NAMES[domain].lower()} operation can "
                    "be refused (`code` of its 400, 403, 409 and 422 answers).",
                },
            )
            for status in CODED_STATUSES:
                content = operation.get("responses", {}).get(status, {}).get("content", {})
                for media in content.values():
                    media["schema"] = {
                        "allOf": [
                            media["schema"],
                            {"properties": {"code": {"$ref": f"#/components/schemas/{name}"}}},
                        ]
                    }
    return result
