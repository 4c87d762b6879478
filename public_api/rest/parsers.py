"""A JSON parser that enforces DATA_UPLOAD_MAX_MEMORY_SIZE.

DRF streams the body straight into the parser, bypassing Django's body-size check, so without
this an oversized JSON document would be read into memory in full.
"""

import io

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


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
