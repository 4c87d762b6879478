"""The ONE place where the REST API turns refusals into HTTP responses.

- `DomainError` from the core, by its `kind`:
    invalid       -> 400 {<field>: [message], "code": code}  (DRF's validation shape; every
                     field at fault when the core found several, `code` the first one's)
    conflict      -> 409 {"detail": message, "code": code}
    not_found     -> 404 {"detail": "Not found."}            (never says whose or why)
    forbidden     -> 403 {"detail": message, "code": code}
    unprocessable -> 422 {"detail": message, "code": code}
    unauthenticated -> 401 {"detail": message, "code": code}
    locked        -> 429 {"detail": message, "code": code} with `Retry-After`
- Django's `ValidationError` / `SuspiciousOperation` (a malformed id reaching the ORM, an
  oversized body) -> 400, so malformed input is never a 500.
- Everything else: DRF's handler (401/403/404/405/429 with `Retry-After`).
"""

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import DomainError, FieldErrors

NON_FIELD = "non_field_errors"

STATUS_BY_KIND = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "conflict": status.HTTP_409_CONFLICT,
    "not_found": status.HTTP_404_NOT_FOUND,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "unprocessable": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "unauthenticated": status.HTTP_401_UNAUTHORIZED,
    "locked": status.HTTP_429_TOO_MANY_REQUESTS,
}


def domain_error_response(error: DomainError) -> Response:
    status_code = STATUS_BY_KIND.get(error.kind, status.HTTP_409_CONFLICT)
    response = Response(domain_error_body(error, status_code), status=status_code)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    if status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def domain_error_body(error: DomainError, status_code: int) -> dict:
    if status_code == status.HTTP_404_NOT_FOUND:
        return {"detail": exceptions.NotFound.default_detail}
    if status_code == status.HTTP_400_BAD_REQUEST:
        problems = error.problems if isinstance(error, FieldErrors) else [error]
        body: dict = {}
        for problem in problems:
            body.setdefault(problem.field or NON_FIELD, []).append(problem.message)
        return {**body, "code": error.code}
    return {"detail": error.message, "code": error.code}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, Http404):
        # DRF would echo "No Listing matches the given query."; every 404 reads the same.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_messages(exc))
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc) or "The request is malformed.")
    return drf_exception_handler(exc, context)


def _django_messages(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD: exc.messages}


# A quote for a stay that cannot be booked is a 409 whatever the reason (nights, capacity,
# dates taken...); only input that is not a stay at all stays a 400.
MALFORMED_STAY_CODES = frozenset({"dates_required", "dates_invalid", "guests_invalid"})


def as_unbookable(error: DomainError) -> DomainError:
    """The same refusal, classified as a conflict unless the input was malformed."""
    if error.kind != "invalid" or error.code in MALFORMED_STAY_CODES:
        return error
    return DomainError(error.code, error.message, field=error.field)
