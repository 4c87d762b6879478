"""Every error from /api/ and /graphql/ is JSON with a `code` and a `request_id`, in every
settings module, and the request id is in the logs (the attack replayed: with the database
refusing connections the JSON API answered with an HTML page, 236 KB in development)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["request_id"] and body["request_id"] == response["X-Request-ID"]
    return body


def test_an_unknown_api_url_is_a_json_404(client):
    assert_json_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_rest_errors_carry_a_code_and_the_request_id(client):
    body = assert_json_error(client.get("/api/v1/me/"), 401, "not_authenticated")
    assert body["detail"]
    bad = client.post("/api/v1/auth/token/", "{", content_type="application/json")
    assert_json_error(bad, 400, "bad_request")


def test_graphql_http_errors_carry_the_request_id(client):
    response = client.post("/graphql/", "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["extensions"]["request_id"] == response["X-Request-ID"]


def test_every_response_names_its_request(client):
    first, second = client.get("/api/v1/listings/"), client.get("/api/v1/listings/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_back_office_pages_are_left_alone(client):
    response = client.get("/admin/no-such-page/")
    assert not response["Content-Type"].startswith("application/json")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


SCRIPT = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
rest = client.get("/api/v1/listings/")
query = json.dumps({"query": "{ listings(first: 1) { edges { node { id } } } }"})
graphql = client.post("/graphql/", query, content_type="application/json")
print(json.dumps({
    "rest": [rest.status_code, rest["Content-Type"], len(rest.content),
             rest.content.decode()[:2000], rest.get("X-Request-ID")],
    "graphql": [graphql.status_code, graphql["Content-Type"], graphql.content.decode()[:2000]],
}))
"""


@pytest.mark.parametrize(
    "module", ["config.settings.dev", "config.settings.test", "config.settings.production"]
)
def test_a_database_that_refuses_connections_is_a_json_500(module):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "CELERY_BROKER_URL", "LOG_FORMAT")
    }
    env.update(
        DJANGO_SETTINGS_MODULE=module,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/refused",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DEBUG="true" if module.endswith("dev") else "false",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    status, content_type, size, text, header = outcome["rest"]
    assert (status, content_type) == (500, "application/json")
    assert size < 500  # not a debug page
    body = json.loads(text)
    assert body["code"] == "internal_error" and body["request_id"] == header
    assert "refused" not in text.lower()  # no internals in the answer
    # The failure is logged with the same request id.
    assert header in result.stderr
    assert "OperationalError" in result.stderr
    g_status, g_type, g_text = outcome["graphql"]
    assert g_type == "application/json"
    assert json.loads(g_text)["errors"][0]["extensions"]["code"] == "internal_error"
