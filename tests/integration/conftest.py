"""Real processes for the integration tests: a Redis server, an SMTP server, a Celery worker,
beat and a web server, each started by a fixture on a free port and always stopped.

The processes use the test database (they see what a `transactional_db` test commits), their
own Redis server (never the developer's or CI's) and an aiosmtpd server that counts what
arrives. Every wait polls with a deadline: nothing sleeps a fixed time.
"""

from __future__ import annotations

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEADLINE = 120  # seconds: generous, for a loaded 2-core machine


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE,
             processes: tuple = ()):  # fmt: skip
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds, or as
    soon as one of `processes` has died (with its log)."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        result = condition()
        if result:
            return result
        for process in processes:
            process.check_alive()
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A subprocess in its own process group, with its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        log = open(self.log_path, "ab")  # noqa: SIM115  closed with the process
        self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        log.close()
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def check_alive(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.popen.returncode}:\n{self.log()[-5000:]}")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not go within 10 s."""
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def processes(request, tmp_path, transactional_db):
    """Starts processes; kills every one of them at teardown, even after a failure, and shows
    their logs when the test failed. Depends on `transactional_db` so that the processes are
    gone before the test database is flushed."""
    started: list[Process] = []

    def start(name: str, args: list[str], env: dict) -> Process:
        process = Process(name, args, env, tmp_path).start()
        started.append(process)
        return process

    start.all = started
    yield start
    for process in reversed(started):
        process.kill()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for process in started:
            print(f"----- {process.name} log -----\n{process.log()[-8000:]}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- Redis --------------------------------------------------------------------------------------


class RedisServer:
    def __init__(self, start: Callable):
        self._start = start
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> RedisServer:
        executable = shutil.which("redis-server")
        assert executable, "redis-server is required (CI installs it)"
        self.process = self._start(
            f"redis-{int(time.monotonic() * 1000)}",
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            dict(os.environ),
        )  # fmt: skip
        wait_for(self.answers, "redis-server to answer", processes=(self.process,))
        return self

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        self.process.kill()
        wait_for(lambda: not self.answers(), "redis-server to stop")


@pytest.fixture
def redis_server(processes) -> RedisServer:
    return RedisServer(processes).start()


# --- SMTP ---------------------------------------------------------------------------------------


class Mailbox:
    """What an aiosmtpd server on 127.0.0.1 received, parsed."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def headers(self, name: str = "X-StayBook-Notification") -> list[str]:
        with self.lock:
            return [m[name] for m in self.messages]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), ready_timeout=60)
    controller.start()
    mailbox.url = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield mailbox
    finally:
        controller.stop()


# --- Django processes ---------------------------------------------------------------------------


@pytest.fixture
def process_env(transactional_db, redis_server, smtp_server, tmp_path):
    """The environment of every Django process: the test database, the test's Redis and SMTP
    servers, real (not eager) Celery."""
    from django.db import connection

    db = connection.settings_dict
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "CELERY_", "EMAIL_", "PYTEST"))
    }  # fmt: skip
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        ),  # fmt: skip
        CONN_MAX_AGE="0",
        REDIS_URL=redis_server.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_DIR=str(tmp_path / "celery"),
        EMAIL_URL=smtp_server.url,
        API_THROTTLE_ANON="100000/min",
        API_THROTTLE_USER="100000/min",
        API_THROTTLE_AUTH="100000/min",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(processes, env: dict, name: str = "worker", pool: str = "solo") -> Process:
    """A worker on every queue, one task at a time. `pool="prefork"` runs tasks in a child
    process (what production runs), so a test can kill the child and see the parent requeue."""
    worker = processes(name, [
        str(BIN / "celery"), "-A", "config", "worker", "--pool", pool, "--concurrency", "1",
        "--queues", "payments,notifications,imports,default", "--without-gossip",
        "--without-mingle", "--hostname", f"{name}@%h", "--loglevel", "INFO",
    ], env)  # fmt: skip
    wait_for(lambda: " ready." in worker.log(), f"{name} to be ready", processes=(worker,))
    return worker


@pytest.fixture
def worker(processes, process_env) -> Process:
    return start_worker(processes, process_env)


class Web:
    def __init__(self, process: Process, port: int):
        self.process, self.url = process, f"http://127.0.0.1:{port}"
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.url + path, timeout=60, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.session.post(self.url + path, timeout=60, **kwargs)

    def token(self, email_address: str, password: str = "demo-password") -> dict:
        response = self.post("/api/v1/auth/token/",
                             json={"email": email_address, "password": password})  # fmt: skip
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access']}"}


@pytest.fixture
def web(processes, process_env) -> Web:
    port = free_port()
    process = processes("web", [
        str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--threads", "4", "--timeout", "120",
    ], process_env)  # fmt: skip
    web = Web(process, port)

    def answers():
        try:
            return web.get("/healthz").status_code == 200
        except requests.RequestException:
            return False

    wait_for(answers, "the web server to answer", processes=(process,))
    yield web
    web.session.close()


def producer(redis_url: str):
    """A Celery app of the test's own, to send tasks to the worker by name (the project's app
    runs tasks eagerly in the test process)."""
    from celery import Celery

    return Celery("integration-tests", broker=redis_url, set_as_current=False)


# --- Pause points (common.pause_points) ---------------------------------------------------------


class PausePoints:
    """Holds a worker at a named step: `hold(name)` before the step is reached, `arrivals(name)`
    the process ids that reached it (in order), `release(name)` to let it go on."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.env = {"STAYBOOK_TEST_PAUSE_POINTS_DIR": str(folder)}

    def hold(self, name: str) -> None:
        (self.folder / f"{name}.pause").touch()

    def release(self, name: str) -> None:
        (self.folder / f"{name}.pause").unlink(missing_ok=True)

    def arrivals(self, name: str) -> list[int]:
        path = self.folder / f"{name}.reached"
        return [int(line) for line in path.read_text().split()] if path.exists() else []


@pytest.fixture
def pause_points(tmp_path) -> PausePoints:
    return PausePoints(tmp_path / "pause-points")
