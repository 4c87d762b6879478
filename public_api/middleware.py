"""Every error from /api/ and /graphql/ is JSON with a `code` and the `request_id`.

The views already answer JSON, but some errors never reach them: a database that refuses
connections, an unknown URL, a method Django refuses, an exception in a middleware. Django
answers those with an HTML page (in development, a 236 KB debug page). This middleware sits
just inside django-structlog's (which assigns the request id) and, for the two APIs:

- replaces any error response that is not JSON by `{"detail", "code", "request_id"}` with
  the same status (500 -> `internal_error`; the exception was already logged, with the same
  request id, by Django and django-structlog);
- adds `request_id` (and, for REST bodies without one, a `code`) to JSON error bodies, so a
  client can quote it and support can find the request's log lines.

GraphQL bodies get the id under the response's top-level `extensions`, as the GraphQL
over HTTP specification allows.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import JsonResponse

from common.request_logging import current_request_id

PREFIXES = ("/api/", "/graphql")

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
}


def _code(status: int) -> str:
    return CODES.get(status, "server_error" if status >= 500 else "client_error")


def _detail(status: int) -> str:
    if status >= 500:
        return "Internal server error. Quote the request id when you report it."
    try:
        return HTTPStatus(status).phrase + "."
    except ValueError:
        return "Request refused."


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(PREFIXES):
            return response
        if getattr(response, "streaming", False):
            return response
        request_id = current_request_id()
        body = _json_body(response)
        if body is None:
            return self._replace(response, request_id)
        if isinstance(body, dict):
            if request.path.startswith("/graphql"):
                extensions = body.setdefault("extensions", {})
                if isinstance(extensions, dict):
                    extensions["request_id"] = request_id
            else:
                body.setdefault("code", _code(response.status_code))
                body["request_id"] = request_id
            response.content = json.dumps(body).encode()
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _replace(response, request_id):
        status = response.status_code
        body = {"detail": _detail(status), "code": _code(status), "request_id": request_id}
        replacement = JsonResponse(body, status=status)
        for header in ("Retry-After", "Allow", "WWW-Authenticate", "X-Request-ID"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement


def _json_body(response):
    if "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None
