"""Domain errors: the one way the core says "no". Each interface maps them in one place."""

from enum import StrEnum


class ErrorCode(StrEnum):
    """A domain's refusal codes (Saleor style: one enum per domain, `<app>/errors.py`).

    Members are strings, so `DomainError(BookingErrorCode.MIN_NIGHTS, ...)` and
    `DomainError("min_nights", ...)` are the same refusal; the values are what clients see."""


class CommonErrorCode(ErrorCode):
    """Codes any domain (or the interfaces' shared plumbing) may answer with."""

    DATES_INVALID = "dates_invalid"
    DATES_REQUIRED = "dates_required"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INVALID = "invalid"  # Django model validation that escaped a service
    INVALID_TEXT = "invalid_text"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    RANGE_TOO_LONG = "range_too_long"
    THROTTLED = "throttled"
    TOO_LONG = "too_long"
    UNKNOWN_FIELD = "unknown_field"


class DomainError(Exception):
    """A business rule refused the operation.

    `code` is stable and machine-readable (clients switch on it); `message` is for humans;
    `field` names the input at fault, when there is one.
    """

    # How interfaces should classify the refusal. "conflict" maps to HTTP 409, "invalid" to 400,
    # "not_found" to 404, "forbidden" to 403.
    kind = "conflict"

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self):
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationFailed(DomainError):
    """The input itself is unacceptable (bad dates, too many guests...)."""

    kind = "invalid"


class NotFound(DomainError):
    """The object does not exist for this caller (hides others' objects too)."""

    kind = "not_found"

    def __init__(self, message: str = "Not found.", code: str = "not_found"):
        super().__init__(code, message)


class NotPermitted(DomainError):
    """The caller may see the object but not do this to it."""

    kind = "forbidden"

    def __init__(self, message: str, code: str = "permission_denied"):
        super().__init__(code, message)


class FieldErrors(ValidationFailed):
    """Several inputs are unacceptable at once (a form, an import row): every problem is kept,
    so a person fixes them in one go. `code`, `message` and `field` are the first problem's,
    so an interface that shows one error still shows a true one."""

    def __init__(self, problems: list[DomainError]):
        first = problems[0]
        super().__init__(first.code, first.message, first.field)
        self.problems = problems

    @property
    def errors(self) -> dict[str, list[str]]:
        """Field (or "__all__") -> its messages, in the order found."""
        errors: dict[str, list[str]] = {}
        for problem in self.problems:
            errors.setdefault(problem.field or "__all__", []).append(problem.message)
        return errors
