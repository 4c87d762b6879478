"""Domain errors: the one way the core says "no". Each interface maps them in one place."""


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
