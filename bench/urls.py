"""The product's URLs plus the benchmark's baseline: a view that returns stored bytes as JSON.

It goes through the same middleware as every API view (sessions, request ids, logging,
security headers) and does no work of its own, so "a path / this view" is the cost the path
adds over the framework. The bytes are a copy of the compared response (bench/run.py writes them
to BENCH_CONSTANT_DIR), so both sides send the same body.
"""

import os
import re
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns

NAME = re.compile(r"^[a-z0-9_-]{1,40}$")


def constant_json(request, name):
    if not NAME.match(name):
        raise Http404
    try:
        body = (Path(os.environ["BENCH_CONSTANT_DIR"]) / f"{name}.json").read_bytes()
    except (KeyError, FileNotFoundError):
        raise Http404 from None
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("__bench__/constant/<str:name>/", constant_json, name="bench-constant"),
    *product_urlpatterns,
]
