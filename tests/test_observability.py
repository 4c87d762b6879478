"""/metrics (django-prometheus, internal or with a token) and Sentry (only with SENTRY_DSN)."""

import gzip
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import brotli
import pytest

ROOT = Path(__file__).resolve().parents[1]


needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")


def scrape(client) -> str:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return response.content.decode()


def sample(body: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in body.splitlines():
        if line.startswith(f"{name}{{") and all(part in line for part in wanted.split(",")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@needs_redis
@pytest.mark.django_db
def test_metrics_report_celery_queue_lengths_and_task_outcomes(client, settings):
    from common.metrics import broker_redis
    from common.tasks import purge_idempotency_keys

    queue = f"metrics-test-{os.getpid()}"
    settings.CELERY_TASK_QUEUES = {**settings.CELERY_TASK_QUEUES, queue: {}}
    broker = broker_redis()
    broker.delete(queue)
    try:
        broker.lpush(queue, b"one", b"two", b"three")
        before = sample(
            scrape(client),
            "staybook_celery_tasks_total",
            task="common.purge_idempotency_keys",
            state="SUCCESS",
        )
        purge_idempotency_keys.apply()  # a real task run: task_postrun counts it
        body = scrape(client)
    finally:
        broker.delete(queue)
    assert sample(body, "staybook_celery_queue_length", queue=queue) == 3
    after = sample(
        body, "staybook_celery_tasks_total", task="common.purge_idempotency_keys", state="SUCCESS"
    )
    assert after == before + 1


@pytest.mark.django_db
def test_metrics_answer_a_scraper_inside_the_deployment(client):
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    body = response.content.decode()
    assert "django_http_requests_total_by_view_transport_method_total" in body
    assert 'view="health"' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "93.184.216.34"},  # the internet
        {"REMOTE_ADDR": "203.0.113.9"},  # not "private" to us, whatever ipaddress says
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "93.184.216.34"},  # via the proxy
        {"REMOTE_ADDR": "93.184.216.34", "HTTP_AUTHORIZATION": "Bearer guessed"},
    ],
)
def test_metrics_are_hidden_from_everyone_else(client, settings, meta):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics", **meta).status_code == 404


@pytest.mark.django_db
def test_metrics_answer_the_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    response = client.get(
        "/metrics",
        REMOTE_ADDR="93.184.216.34",
        HTTP_AUTHORIZATION="Bearer s3cret-metrics-token",
    )
    assert response.status_code == 200
    # No token configured: a bearer header opens nothing.
    settings.METRICS_TOKEN = ""
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="93.184.216.34", HTTP_AUTHORIZATION="Bearer "
        ).status_code
        == 404
    )


class Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        Collector.received.append(self.path.encode() + b" " + body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


SCRIPT = """
import django, sentry_sdk
django.setup()
from django.conf import settings
print("enabled", settings.SENTRY_ENABLED, sentry_sdk.get_client().is_active())
if settings.SENTRY_ENABLED:
    sentry_sdk.capture_message("delivery smoke message")
    sentry_sdk.flush(timeout=10)
"""


def run_with_env(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", **extra)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sentry_is_off_without_a_dsn():
    result = run_with_env()
    assert result.returncode == 0, result.stderr
    assert "enabled False False" in result.stdout


def test_sentry_reports_to_the_dsn_when_set():
    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.received.clear()
    try:
        port = server.server_address[1]
        result = run_with_env(SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    assert "enabled True True" in result.stdout
    assert any(
        b"/api/42/envelope/" in body and b"delivery smoke message" in body
        for body in Collector.received
    ), Collector.received
