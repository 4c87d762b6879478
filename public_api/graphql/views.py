"""The GraphQL endpoint: bearer-token authentication, query limits, and no leaked internals.

- Authentication is the bearer token only (as in REST): the endpoint is CSRF-exempt, so a
  session cookie must never authorise a mutation. A present but invalid token is a 401.
- Throttling: REST's anonymous and user rates (one shared budget, see
  public_api.common.throttling), checked before anything is parsed; over the rate is a 429
  with `Retry-After` and a GraphQL-shaped error body.
- The limits rule (depth, page size, cost) and, when disabled, the introspection ban join the
  standard validation rules, so a refused query never starts executing.
- An unexpected exception inside a resolver is logged and reported as "Internal server error."
  instead of its message (which could name tables or values).
- Parsing and the specification's validation rules depend on the query text alone, and clients
  send the same few queries again and again: both are cached per query text (an LRU of
  DOCUMENT_CACHE_SIZE documents, at most GRAPHQL_MAX_QUERY_LENGTH characters each), which saves
  ~10 ms a request. The limits rule depends on the variables and settings: it runs every time.
- Execution answers plain fields (default resolver, scalar or enum, an ordinary value) without
  graphql-core's per-field bookkeeping (execution.py): the same answers, a third less time on a
  page of listings.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from graphene.validation import DisableIntrospection
from graphene_django.constants import MUTATION_ERRORS_FLAG
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    ValidationContext,
    ValidationRule,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
    validate_schema,
)
from graphql.validation.validate import ValidationAbortedError

from common.errors import DomainError
from public_api.auth import BearerTokenInvalid, authenticate_bearer
from public_api.common.inputs import has_lone_surrogate
from public_api.common.throttling import REQUEST_THROTTLES, throttle_wait

from .execution import PlainFieldsExecutionContext
from .http import parameter_problem, unsupported_body, with_media_type
from .limits import limits_rule
from .uploads import MULTIPART, parse_multipart_operations

logger = logging.getLogger(__name__)


class StayBookGraphQLView(GraphQLView):
    # Plain fields answered without graphql-core's per-field bookkeeping (see execution.py).
    execution_context_class = PlainFieldsExecutionContext

    def can_display_graphiql(self, request, data) -> bool:
        """GraphiQL in a browser: the GRAPHIQL setting (on in development), read per request."""
        return settings.GRAPHIQL and super().can_display_graphiql(request, data)

    def dispatch(self, request, *args, **kwargs):
        return with_media_type(request, self._dispatch(request, *args, **kwargs))

    def _dispatch(self, request, *args, **kwargs):
        try:
            user = authenticate_bearer(request)  # also records the user as the audit actor
        except BearerTokenInvalid as exc:
            return JsonResponse(
                {"errors": [{"message": exc.message, "extensions": {"code": "invalid_token"}}]},
                status=401,
            )
        request.user = user if user is not None else AnonymousUser()
        wait = throttle_wait(request, REQUEST_THROTTLES)
        if wait is not None:
            return _throttled(wait)
        refusal = unsupported_body(request)  # GraphQL over HTTP, see http.py
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        if self.get_content_type(request) == MULTIPART:  # file uploads (see uploads.py)
            return parse_multipart_operations(request)
        try:
            return super().parse_body(request)
        except RecursionError:
            raise HttpError(HttpResponseBadRequest("The JSON body is nested too deeply.")) from None

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        if query is not None and not isinstance(query, str):
            return _refusal("The query must be a string.")
        if query and len(query) > settings.GRAPHQL_MAX_QUERY_LENGTH:
            return _refusal(
                f"The query is longer than {settings.GRAPHQL_MAX_QUERY_LENGTH} characters."
            )
        if variables is not None and not isinstance(variables, dict):
            return _refusal("`variables` must be a JSON object.")
        problem = parameter_problem(data, operation_name)
        if problem:
            return _refusal(problem)
        if has_lone_surrogate(query) or has_lone_surrogate(variables):
            return _refusal("Text must be valid Unicode (no lone surrogate halves).")
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        schema = self.schema.graphql_schema
        schema_errors = validate_schema(schema)  # computed once, then kept by the schema
        if schema_errors:
            return ExecutionResult(data=None, errors=schema_errors)
        try:
            document, static_errors = _checked_document(
                schema, query, bool(settings.GRAPHQL_INTROSPECTION)
            )
        except Exception as error:  # a syntax error (as graphene-django: any parse failure)
            return ExecutionResult(errors=[error])
        operation_ast = get_operation_ast(document, operation_name)
        operation = operation_ast.operation if operation_ast is not None else None
        if request.method.lower() == "get" and operation not in (None, OperationType.QUERY):
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(
                    ["POST"], f"Can only perform a {operation.value} operation from a POST request."
                )
            )
        if static_errors:
            # A rare, invalid document: every rule together, in the order of the document.
            rules = self.rules_for(variables)
            errors = validate(schema, document, rules, graphene_settings.MAX_VALIDATION_ERRORS)
        else:
            errors = limit_errors(schema, document, self.limits_for(variables))
        if errors:
            return ExecutionResult(data=None, errors=errors)
        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        if self.execution_context_class:
            options["execution_context_class"] = self.execution_context_class
        try:
            if operation == OperationType.MUTATION and (
                graphene_settings.ATOMIC_MUTATIONS is True
                or connection.settings_dict.get("ATOMIC_MUTATIONS", False) is True
            ):
                with transaction.atomic():
                    result = execute(schema, document, **options)
                    if getattr(request, MUTATION_ERRORS_FLAG, False) is True:
                        transaction.set_rollback(True)
                return result
            return execute(schema, document, **options)
        except Exception as error:  # as graphene-django: reported as a GraphQL error
            return ExecutionResult(errors=[error])

    @staticmethod
    def limits_for(variables):
        return limits_rule(
            variables=variables,
            max_depth=settings.GRAPHQL_MAX_DEPTH,
            max_cost=settings.GRAPHQL_MAX_COST,
            max_page_size=settings.GRAPHQL_MAX_PAGE_SIZE,
            default_page_size=settings.GRAPHQL_DEFAULT_PAGE_SIZE,
        )

    @classmethod
    def rules_for(cls, variables) -> tuple:
        rules = [*specified_rules, cls.limits_for(variables)]
        if not settings.GRAPHQL_INTROSPECTION:
            rules.append(DisableIntrospection)
        return tuple(rules)

    @staticmethod
    def format_error(error):
        original = getattr(error, "original_error", None)
        # Only execution errors (they have a path); a variable that fails to coerce keeps its
        # message, which is the clear explanation the client needs.
        if isinstance(error, GraphQLError) and error.path and _is_unexpected(original):
            logger.error("GraphQL resolver failed", exc_info=original)
            formatted = dict(error.formatted)
            formatted["message"] = "Internal server error."
            formatted["extensions"] = {"code": "internal_error"}
            return formatted
        return GraphQLView.format_error(error)


DOCUMENT_CACHE_SIZE = 256


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def _checked_document(schema, query: str, introspection: bool) -> tuple[DocumentNode, tuple]:
    """The parsed document and the specification's validation errors, per query text.

    Raises the syntax error of an unparsable query (not cached: lru_cache keeps only returns).
    The schema is part of the key (tests build their own).
    Execution never changes a document, so one can serve every request that sends its text."""
    document = parse(query)
    rules = specified_rules if introspection else (*specified_rules, DisableIntrospection)
    return document, tuple(
        validate(schema, document, rules, graphene_settings.MAX_VALIDATION_ERRORS)
    )


MAX_LIMIT_ERRORS = 100  # validate()'s default, after which it aborts


def limit_errors(schema, document: DocumentNode, rule: type[ValidationRule]) -> list:
    """`validate(schema, document, [rule])` for the limits rule on a document the
    specification's rules accepted. The rule only reads each operation definition (it measures
    the selections itself and skips what is below), but validate() would still walk every node
    of the document with a TypeInfo for it: 6% of a listings page. Errors, their order, the
    error limit and the abort on too deep a recursion are validate()'s."""
    errors: list[GraphQLError] = []

    def on_error(error: GraphQLError) -> None:
        if len(errors) >= MAX_LIMIT_ERRORS:
            raise ValidationAbortedError(
                "Too many validation errors, error limit reached. Validation aborted."
            )
        errors.append(error)

    visitor = rule(ValidationContext(schema, document, TypeInfo(schema), on_error))
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                enter = visitor.get_enter_leave_for_kind(definition.kind).enter
                if enter is not None:
                    enter(definition)
    except ValidationAbortedError as error:
        error.__context__ = None
        errors.append(error.with_traceback(None))
    except RecursionError:
        errors.append(ValidationAbortedError("Validation aborted."))
    return errors


def _is_unexpected(original) -> bool:
    return original is not None and not isinstance(original, GraphQLError | DomainError)


def _throttled(wait: int) -> JsonResponse:
    message = f"Request was throttled. Expected available in {wait} seconds."
    extensions = {"code": "throttled", "retryAfter": wait}
    body = {"errors": [{"message": message, "extensions": extensions}]}
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(wait)
    return response


def _refusal(message: str) -> ExecutionResult:
    """A request refused before parsing: answered like a validation error (HTTP 400)."""
    return ExecutionResult(data=None, errors=[GraphQLError(message)])
