"""One structured log line per request (django-structlog): method and path, status, duration,
user id, request id (the one in the X-Request-ID header) and the client address as
common.network.client_ip reads it (never a forged X-Forwarded-For)."""

import io
import json
import logging

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from config.settings.logs import logging_config
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    spec = logging_config("INFO", "json")["formatters"]["structured"]
    factory = spec.pop("()")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**spec))
    logger = logging.getLogger("django_structlog")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_a_request_is_one_json_line_with_who_what_and_how_long(client, json_lines):
    user = UserFactory()
    response = client.get(
        "/api/v1/me/",
        HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    (line,) = [entry for entry in json_lines() if entry["event"] == "request_finished"]
    assert line["request"] == "GET /api/v1/me/"
    assert line["code"] == 200
    assert line["duration_ms"] >= 0
    assert line["user_id"] == str(user.pk)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["ip"] == "192.0.2.7"
    assert line["level"] == "info" and line["timestamp"]


def test_production_logs_json_and_development_reads_like_text():
    from django.core.exceptions import ImproperlyConfigured

    json_renderer = logging_config("INFO", "json")["formatters"]["structured"]["processors"][-1]
    console = logging_config("INFO", "console")["formatters"]["structured"]["processors"][-1]
    assert type(json_renderer).__name__ == "JSONRenderer"
    assert type(console).__name__ == "ConsoleRenderer"
    with pytest.raises(ImproperlyConfigured):
        logging_config("INFO", "xml")
