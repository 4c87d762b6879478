"""Input checks both APIs apply the same way (same code, same message), so a client gets the
same refusal through REST and GraphQL. Business rules stay in the core; these only bound what
an interface accepts before calling it."""

from common.errors import ValidationFailed

# Longest cancellation or decline reason accepted (the core keeps at most this many characters,
# so anything longer is refused rather than silently cut).
MAX_REASON_LENGTH = 500
REASON_TOO_LONG = f"Ensure this field has no more than {MAX_REASON_LENGTH} characters."


def check_price_filter(value, field: str) -> None:
    """A search's min/max nightly price: zero or more."""
    if value is not None and value < 0:
        raise ValidationFailed("invalid_filter", "A price filter cannot be negative.", field)


def check_reason(reason: str | None) -> None:
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed("too_long", REASON_TOO_LONG, "reason")


def has_lone_surrogate(value) -> bool:
    """JSON can carry UTF-16 halves ("\\ud800") that are not text: no database can store them,
    so both APIs refuse them up front instead of failing in the driver."""
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_lone_surrogate(v) for v in value)
    return False
