"""The request id and the per-request log line (django-structlog), wired to the project.

django-structlog's RequestMiddleware gives every request an id and binds it to every log line
written while the request runs. Its signals let this module add to that:

- the client address from `common.network.client_ip` (never django-ipware's reading of
  X-Forwarded-For), and the duration, on the `request_finished` line;
- the `X-Request-ID` response header, so a client can quote the id of a failed request and
  support can find its log lines.

`current_request_id()` is how error bodies (REST, GraphQL, the API's 500s) name the request.
"""

from __future__ import annotations

import time

import structlog
from django.dispatch import receiver
from django_structlog import signals

from .network import client_ip

HEADER = "X-Request-ID"


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


@receiver(signals.bind_extra_request_metadata)
def _bind_request(request, logger, log_kwargs, **kwargs):
    request._log_started = time.monotonic()
    structlog.contextvars.bind_contextvars(ip=client_ip(request))


def _finish(request, response) -> dict:
    extra = {}
    started = getattr(request, "_log_started", None)
    if started is not None:
        extra["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
    request_id = current_request_id()
    if request_id and response is not None and not response.has_header(HEADER):
        response[HEADER] = request_id
    return extra


@receiver(signals.bind_extra_request_finished_metadata)
def _bind_response(request, logger, response, log_kwargs, **kwargs):
    log_kwargs.update(_finish(request, response))


@receiver(signals.update_failure_response)
def _failed_response(request, response, logger, exception, **kwargs):
    _finish(request, response)
