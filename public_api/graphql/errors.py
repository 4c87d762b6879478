"""The ONE place where GraphQL turns the core's refusals into client-facing errors.

- Mutations return a payload whose `errors` list holds `{field, code, message}`, one per problem
  the core found; `code` is the core's stable `DomainError.code` (the same code REST puts in
  its 409/400 bodies), `field` names the mutation input at fault in camelCase.
- Queries cannot carry a payload, so they answer `null` plus a GraphQL error whose
  `extensions` hold the same `code` (and `field`).
- Objects the caller may not see are `not_found`, whether they exist or not.
- Each domain's mutations type their errors' `code` with that domain's enum (`BookingError`,
  `BookingErrorCode`: public_api.error_codes), whose values are the codes' own strings.
"""

from __future__ import annotations

import functools

import graphene
from django.core.exceptions import ValidationError
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError

from common.errors import DomainError, FieldErrors, ValidationFailed
from public_api.error_codes import ERROR_TYPE_NAMES, codes_for


class NotAuthenticated(DomainError):
    kind = "unauthenticated"

    def __init__(self):
        super().__init__("not_authenticated", "Authentication required: send a bearer token.")


FIELD_DESCRIPTION = "The input field at fault (camelCase), if one is."
MESSAGE_DESCRIPTION = "Human-readable explanation."


class Error(graphene.ObjectType):
    """Why a mutation was refused."""

    field = graphene.String(description=FIELD_DESCRIPTION)
    code = graphene.String(required=True, description="Stable machine-readable code.")
    message = graphene.String(required=True, description=MESSAGE_DESCRIPTION)


@functools.cache
def error_type(domain: str) -> type[graphene.ObjectType]:
    """`<Domain>Error {field code message}` with `code` typed by `<Domain>ErrorCode`: every
    code the domain's mutations can answer with (enum values named as the codes themselves, so
    clients read the same strings as REST's `code`)."""
    name = ERROR_TYPE_NAMES[domain]
    codes = graphene.Enum(
        f"{name}ErrorCode",
        [(code, code) for code in codes_for(domain)],
        description=f"Why a {name.lower()} mutation can be refused.",
    )
    return type(
        f"{name}Error",
        (graphene.ObjectType,),
        {
            "__doc__": f"Why a {name.lower()} mutation was refused.",
            "field": graphene.String(description=FIELD_DESCRIPTION),
            "code": codes(required=True, description="Stable machine-readable code."),
            "message": graphene.String(required=True, description=MESSAGE_DESCRIPTION),
        },
    )


def as_domain_error(exc: Exception) -> DomainError:
    """Django model validation that escaped a service reads like the core's own refusals."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            return ValidationFailed("invalid", " ".join(messages), field=field)
        return ValidationFailed("invalid", " ".join(exc.messages))
    raise TypeError(f"not a refusal: {exc!r}")


def input_field_name(field: str | None, renames: dict[str, str] | None = None) -> str | None:
    """The core's snake_case field as the client typed it (`listing` -> `listingId`)."""
    if not field:
        return None
    if renames and field in renames:
        return renames[field]
    return to_camel_case(field)


def mutation_errors(exc: Exception, renames: dict[str, str] | None = None) -> list[Error]:
    error = as_domain_error(exc)
    # The core found several problems at once (FieldErrors): each is an error of its own.
    problems = error.problems if isinstance(error, FieldErrors) else [error]
    return [
        # str(): a StrEnum member is an enum to graphene, which would look it up by identity.
        Error(
            field=input_field_name(problem.field, renames),
            code=str(problem.code),
            message=problem.message,
        )
        for problem in problems
    ]


def query_error(exc: Exception) -> GraphQLError:
    """A refusal as a GraphQL error for a query field (which then resolves to null)."""
    error = as_domain_error(exc)
    extensions: dict[str, object] = {"code": error.code}
    if error.field:
        extensions["field"] = input_field_name(error.field)
    return GraphQLError(error.message, extensions=extensions)


def refusals_as_errors(resolver):
    """Decorate a query resolver: a refusal from the core becomes null plus a GraphQL error."""

    @functools.wraps(resolver)
    def wrapper(*args, **kwargs):
        try:
            return resolver(*args, **kwargs)
        except (DomainError, ValidationError) as exc:
            raise query_error(exc) from exc

    return wrapper
