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
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseBadRequest, JsonResponse
from graphene.validation import DisableIntrospection
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, specified_rules

from common.errors import DomainError
from public_api.auth import BearerTokenInvalid, authenticate_bearer
from public_api.common.inputs import has_lone_surrogate
from public_api.common.throttling import REQUEST_THROTTLES, throttle_wait

from .limits import limits_rule
from .uploads import MULTIPART, parse_multipart_operations

logger = logging.getLogger(__name__)


class StayBookGraphQLView(GraphQLView):
    def can_display_graphiql(self, request, data) -> bool:
        """GraphiQL in a browser: the GRAPHIQL setting (on in development), read per request."""
        return settings.GRAPHIQL and super().can_display_graphiql(request, data)

    def dispatch(self, request, *args, **kwargs):
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
        if has_lone_surrogate(query) or has_lone_surrogate(variables):
            return _refusal("Text must be valid Unicode (no lone surrogate halves).")
        self.validation_rules = self.rules_for(variables)
        return super().execute_graphql_request(
            request, data, query, variables, operation_name, show_graphiql
        )

    @staticmethod
    def rules_for(variables) -> tuple:
        rules = [
            *specified_rules,
            limits_rule(
                variables=variables,
                max_depth=settings.GRAPHQL_MAX_DEPTH,
                max_cost=settings.GRAPHQL_MAX_COST,
                max_page_size=settings.GRAPHQL_MAX_PAGE_SIZE,
                default_page_size=settings.GRAPHQL_DEFAULT_PAGE_SIZE,
            ),
        ]
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
