"""GraphQL over HTTP (graphql.github.io/graphql-over-http): what graphene-django's view leaves
open, decided here so the view only calls it.

- POST bodies: application/json (the spec's), application/graphql (a bare document),
  multipart/form-data (file uploads, see uploads.py) and application/x-www-form-urlencoded
  (graphene-django's form support). Anything else, or no Content-Type at all, is 415 before the
  body is read (graphene-django answered "Must provide query string.", a 400 that hid the cause).
- Request parameters: `operationName` a string or null, `extensions` an object or null (400).
- The response's media type: application/graphql-response+json when the Accept header prefers
  it, with graphene-django's status codes, which are that type's (200 once execution started,
  errors beside `data`; 4xx for a request refused before executing); application/json
  otherwise, the default for clients that send no Accept or */*.
- GET runs queries only (a mutation is 405 with `Allow: POST`), other methods are 405:
  graphene-django's own behaviour, kept and tested.
"""

from __future__ import annotations

from django.http import JsonResponse

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
SUPPORTED_BODIES = frozenset(
    {JSON, "application/graphql", "multipart/form-data", "application/x-www-form-urlencoded"}
)


def unsupported_body(request) -> JsonResponse | None:
    """A 415 for a POST whose body is of a type this endpoint does not read."""
    if request.method != "POST":
        return None
    media_type = (request.content_type or "").strip().lower()
    if media_type in SUPPORTED_BODIES:
        return None
    message = (
        f"Unsupported Content-Type {media_type or '(none)'}: send application/json "
        "({query, variables, operationName}), application/graphql, or multipart/form-data "
        "for file uploads."
    )
    body = {"errors": [{"message": message, "extensions": {"code": "unsupported_media_type"}}]}
    return JsonResponse(body, status=415)


def parameter_problem(data, operation_name) -> str | None:
    """What is wrong with `operationName` or `extensions`, if anything."""
    if operation_name is not None and not isinstance(operation_name, str):
        return "`operationName` must be a string or null."
    # A form body's values are all strings (a QueryDict): only a JSON body can hold an object.
    extensions = data.get("extensions") if type(data) is dict else None
    if extensions is not None and not isinstance(extensions, dict):
        return "`extensions` must be a JSON object or null."
    return None


def response_media_type(request) -> str:
    """application/graphql-response+json if Accept ranks it above application/json (an equal
    rank goes to whichever is listed first), else application/json."""
    ranks: dict[str, tuple[float, int]] = {}
    for index, item in enumerate(request.headers.get("Accept", "").split(",")):
        media_type, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranks.setdefault(media_type.lower(), (quality, -index))
    wanted = ranks.get(GRAPHQL_RESPONSE)
    if wanted is None or wanted[0] <= 0:
        return JSON
    plain = ranks.get(JSON) or ranks.get("application/*") or ranks.get("*/*")
    return GRAPHQL_RESPONSE if plain is None or wanted > plain else JSON


def with_media_type(request, response):
    """The response labelled with the negotiated media type (JSON bodies only)."""
    if response.get("Content-Type", "").startswith(JSON):
        media_type = response_media_type(request)
        if media_type != JSON:
            response["Content-Type"] = media_type
    return response
