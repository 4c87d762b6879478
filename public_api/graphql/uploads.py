"""File uploads through GraphQL: the GraphQL multipart request spec (v2.1,
github.com/jaydenseric/graphql-multipart-request-spec), the convention Apollo, urql, Relay and
graphene-file-upload clients speak. It is small enough to read here instead of a dependency.

A `multipart/form-data` POST carries, in this order:

    operations   JSON {"query", "variables", "operationName"}, with null where each file goes
    map          JSON {"0": ["variables.input.image"]}: which file part fills which variable
    0            the file itself (any part name the map uses)

    curl http://127.0.0.1:8000/graphql/ -H "Authorization: Bearer $ACCESS" \\
      -F operations='{"query": "mutation($image: Upload!) { addListingPhoto(input:
          {listingId: \\"...\\", image: $image}) { photo { id } errors { code } } }",
          "variables": {"image": null}}' \\
      -F map='{"0": ["variables.image"]}' -F 0=@sea.jpg

The files become the `Upload` scalar's values; the mutation hands them to the same core service
as REST (`listings.photos.listing_photo_add`), which decides what the file is by its content.

Refused before anything executes, as HTTP 400 with a GraphQL-shaped error: a body larger than a
photo may be (from Content-Length, before Django reads or spools anything), a body that is not
valid multipart, missing or malformed `operations`/`map`, batched operations (not supported, as
for JSON), a map naming a missing file part or a path that is not a `null` inside `variables`,
and more than MAX_FILES files. Authentication stays the bearer token only, so a cross-site form
post (the reason the spec's servers add CSRF checks) carries no credentials here.
"""

from __future__ import annotations

import json

import graphene
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from graphene_django.views import HttpError
from graphql import GraphQLError

MULTIPART = "multipart/form-data"
MAX_FILES = 10
# Room for `operations`, `map` and the multipart framing next to the largest photo.
ROOM_FOR_FIELDS = 64 * 1024


def max_body_bytes() -> int:
    return settings.LISTING_PHOTO_MAX_BYTES + ROOM_FOR_FIELDS


def _refuse(message: str) -> HttpError:
    return HttpError(HttpResponseBadRequest(message))


def parse_multipart_operations(request) -> dict:
    """The operation of a multipart request, its variables filled with the uploaded files."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _refuse("Invalid Content-Length.") from None
    if length > max_body_bytes():
        raise _refuse(
            f"The request body exceeds {max_body_bytes()} bytes: a photo may be at most "
            f"{settings.LISTING_PHOTO_MAX_BYTES // 1_000_000} MB."
        )
    try:
        form, files = request.POST, request.FILES
    # SuspiciousOperation: too many fields or files, non-file fields over the memory limit.
    except (MultiPartParserError, SuspiciousOperation):
        raise _refuse("The body is not a valid multipart/form-data request.") from None

    operations = _json_field(form, "operations")
    if isinstance(operations, list):
        raise _refuse("Batched operations are not supported: send one operation.")
    if not isinstance(operations, dict):
        raise _refuse("`operations` must be a JSON object with `query` and `variables`.")
    variables = operations.get("variables")
    if variables is None:
        variables = operations["variables"] = {}
    if not isinstance(variables, dict):
        raise _refuse("`operations.variables` must be a JSON object.")

    file_map = _json_field(form, "map")
    if not isinstance(file_map, dict) or not all(
        isinstance(paths, list) and paths and all(isinstance(p, str) for p in paths)
        for paths in file_map.values()
    ):
        raise _refuse('`map` must be a JSON object such as {"0": ["variables.image"]}.')
    if len(file_map) > MAX_FILES:
        raise _refuse(f"At most {MAX_FILES} files per request.")
    for key, paths in file_map.items():
        upload = files.get(key)
        if upload is None:
            raise _refuse(f"`map` names the file part {key!r}, which the request does not have.")
        for path in paths:
            _place(operations, path, upload)
    return operations


def _json_field(form, name: str):
    raw = form.get(name)
    if raw is None:
        raise _refuse(
            f"A multipart request needs the `{name}` field (GraphQL multipart request spec)."
        )
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise _refuse(f"`{name}` is not valid JSON.") from None


def _place(operations: dict, path: str, upload) -> None:
    """Put `upload` where `path` ("variables.input.image", "variables.images.0") points; the
    slot must exist and hold null, as the spec's clients send it."""
    steps = path.split(".")
    if steps[0] != "variables" or len(steps) < 2:
        raise _refuse(f"Map path {path!r} must point inside `variables`.")
    container = operations
    for step, last in zip(steps, [*([False] * (len(steps) - 1)), True], strict=True):
        if isinstance(container, dict) and step in container:
            key = step
        elif isinstance(container, list) and step.isdigit() and int(step) < len(container):
            key = int(step)
        else:
            raise _refuse(f"Map path {path!r} does not name a variable of the operation.")
        if last:
            if container[key] is not None:
                raise _refuse(f"Map path {path!r} must point at a null placeholder.")
            container[key] = upload
        else:
            container = container[key]


class Upload(graphene.Scalar):
    """A file sent with the request as a multipart part (GraphQL multipart request spec): give
    the variable null in `operations` and map the file part to it. Input only."""

    @staticmethod
    def serialize(value):
        raise GraphQLError("Upload is an input type only.")

    @classmethod
    def parse_literal(cls, node, _variables=None):
        raise GraphQLError(
            "Upload cannot be written in the query: pass it as a variable, sent as a multipart "
            "file part (GraphQL multipart request spec)."
        )

    @staticmethod
    def parse_value(value):
        if isinstance(value, UploadedFile):
            return value
        raise GraphQLError(
            "Upload expects a file: send the request as multipart/form-data with the file "
            "part mapped to this variable (GraphQL multipart request spec)."
        )
