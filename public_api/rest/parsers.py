"""A JSON parser that enforces DATA_UPLOAD_MAX_MEMORY_SIZE.

DRF streams the body straight into the parser, bypassing Django's body-size check, so without
this an oversized JSON document would be read into memory in full.
"""

import io

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise ParseError(f"The request body exceeds {limit} bytes.")
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON body is nested too deeply.") from None


class PhotoMultiPartParser(MultiPartParser):
    """multipart/form-data for photo uploads, refused before reading when the body is larger
    than a photo may be (plus room for the other fields): Django would otherwise spool any size
    to a temporary file first. Without a Content-Length Django reads no body at all."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {}) if request is not None else {}
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ParseError("Invalid Content-Length.") from None
        limit = settings.LISTING_PHOTO_MAX_BYTES + 64 * 1024
        if length > limit:
            raise ParseError(
                f"A photo may be at most {settings.LISTING_PHOTO_MAX_BYTES // 1_000_000} MB."
            )
        return super().parse(stream, media_type, parser_context)
