"""Settings that broke the running product (the failures replayed):

- `LOG_LEVEL=warning` made every gunicorn worker fail to boot: any case is accepted now, and a
  name that is no level stops the start with a message naming the setting.
- The development server ran out of PostgreSQL connections (a thread per request, each keeping
  its connection for CONN_MAX_AGE=60): 8 clients for 10 s held 94 connections.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def settings_value(module: str, expression: str, **env) -> subprocess.CompletedProcess:
    code = f"import django; from django.conf import settings; django.setup(); print({expression})"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": module, **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("value", ["warning", "Warning", " WARNING "])
def test_log_level_in_any_case(value):
    result = settings_value(
        "config.settings.dev", "settings.LOGGING['root']['level']", LOG_LEVEL=value
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WARNING"


def test_an_unknown_log_level_names_the_setting():
    result = settings_value("config.settings.dev", "1", LOG_LEVEL="verbose")
    assert result.returncode != 0
    assert "LOG_LEVEL='VERBOSE' is not one of" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_connections(database: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_development_server_closes_its_connections():
    database = connection.settings_dict["NAME"]
    user = connection.settings_dict["USER"]
    host = connection.settings_dict["HOST"] or "127.0.0.1"
    port = connection.settings_dict["PORT"] or "5432"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{database}",
        "DEBUG": "false",
    }
    env.pop("CONN_MAX_AGE", None)
    http_port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{http_port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{http_port}/healthz"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.3)
        statuses: list[int] = []

        def client():
            for _ in range(10):
                with urllib.request.urlopen(url, timeout=30) as response:
                    statuses.append(response.status)

        threads = [threading.Thread(target=client) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert statuses == [200] * 80
        # Every request closed its connection (poll: the last threads may still be finishing).
        # At most one stays: the one runserver's start-up migration check opened.
        deadline = time.monotonic() + 30
        while _server_connections(database) > 1:
            assert time.monotonic() < deadline, f"{_server_connections(database)} left open"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_production_passes_the_deployment_checklist_without_a_warning():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" + "a7Zq9-Xw2" * 8,
        "ALLOWED_HOSTS": "staybook.example",
    }
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (set in this process), never production's.
    for name in (
        "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "LOG_FORMAT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):  # fmt: skip
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_headers_and_json_logs():
    expression = (
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_HSTS_PRELOAD, "
        "type(settings.LOGGING['formatters']['structured']['processors'][-1]).__name__"
    )
    result = settings_value(
        "config.settings.production", expression, SECRET_KEY="s" * 60, ALLOWED_HOSTS="x.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "JSONRenderer"]


def test_pause_points_exist_only_in_the_test_settings():
    """common.pause_points lets an integration test freeze a worker mid-payment; production and
    development settings have no such setting, whatever the environment says."""
    for module in ("config.settings.production", "config.settings.dev"):
        result = settings_value(
            module, "getattr(settings, 'TEST_PAUSE_POINTS_DIR', 'absent')",
            SECRET_KEY="s" * 60, ALLOWED_HOSTS="x.example",
            STAYBOOK_TEST_PAUSE_POINTS_DIR="/tmp/pause",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "absent"
