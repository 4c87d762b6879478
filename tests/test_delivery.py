"""The delivery files: docker/, compose.yaml, .dockerignore and the CI workflow.

No Docker engine runs these tests, so they check what can be checked without one, offline:
- the linters and schemas a reviewer would run (hadolint, yamllint, the Compose specification
  and GitHub's workflow schema, both vendored in check-jsonschema);
- the contract between the files (one Python version, one uv version, .ci/run's variables
  in the workflow, gunicorn's shutdown time below compose's grace period);
- the container's own scripts, for real: the entrypoint runs migrations and gunicorn with
  production settings and the image's PYTHONPATH, and the healthcheck script probes it.
"""

import contextlib
import http.client
import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import types
from pathlib import Path

import pytest
import yaml
from gunicorn.config import Config as GunicornConfig

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: hadolint, yamllint, check-jsonschema, ...
DOCKERFILE = ROOT / "docker" / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
HEALTHCHECK = ROOT / "docker" / "healthcheck.py"
GUNICORN_CONF = ROOT / "docker" / "gunicorn.conf.py"
COMPOSE = ROOT / "compose.yaml"
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"

APP_SERVICES = {"web", "beat"}
WORKERS = {"worker", "worker-payments", "worker-notifications"}


def run_tool(tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=60, **kwargs
    )


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            logical.append(" ".join(pending.split()))
            pending = ""
    return [tuple(entry.split(" ", 1)) for entry in logical]


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


# --- linters and schemas ------------------------------------------------------------------------


def test_dockerfile_passes_hadolint():
    result = run_tool("hadolint", "--no-color", str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_yaml_files_pass_yamllint_strictly():
    result = run_tool(
        "yamllint", "--strict", "compose.yaml", str(WORKFLOW), ".yamllint", "deploy/kubernetes"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_follows_the_compose_specification():
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE))
    assert result.returncode == 0, result.stdout + result.stderr
    # Compose itself is stricter (interpolation, merge keys): use it where the CLI plugin exists.
    docker = shutil.which("docker")
    has_compose = (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    )
    if has_compose:
        config = subprocess.run(
            [docker, "compose", "-f", str(COMPOSE), "config", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert config.returncode == 0, config.stderr


def test_ci_workflow_follows_the_github_workflow_schema():
    result = run_tool(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_checks_do_reject_broken_files(tmp_path):
    """The two checks above are only worth something if a broken file fails them."""
    compose = load_yaml(COMPOSE)
    compose["services"]["beat"]["depends_on"]["web"]["condition"] = "service_ready"
    broken_compose = tmp_path / "compose.yaml"
    broken_compose.write_text(yaml.safe_dump(compose))

    workflow = load_yaml(WORKFLOW)
    del workflow["jobs"]["test"]["runs-on"]
    broken_workflow = tmp_path / "ci.yml"
    broken_workflow.write_text(yaml.safe_dump(workflow))

    for schema, path in [
        ("vendor.compose-spec", broken_compose),
        ("vendor.github-workflows", broken_workflow),
    ]:
        result = run_tool("check-jsonschema", "--builtin-schema", schema, str(path))
        assert result.returncode == 1, f"{schema} accepted {path.name}: {result.stdout}"


def test_entrypoint_is_valid_posix_sh():
    result = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- the contract between the files -------------------------------------------------------------


def test_dockerfile_builds_the_locked_project_for_production():
    instructions = dockerfile_instructions()
    images = [args.split()[0] for op, args in instructions if op == "FROM"]
    assert images == ["python:3.11-slim-bookworm", "python:3.11-slim-bookworm"]
    requires_python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    assert ">=3.11" in requires_python

    makefile_uv = re.search(r"^UV_VERSION := (\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert f"ghcr.io/astral-sh/uv:{makefile_uv.group(1)} " in " ".join(
        args for op, args in instructions if op == "COPY"
    )
    runs = " ".join(args for op, args in instructions if op == "RUN")
    assert "uv sync --frozen --no-dev" in runs

    stage = final_stage()
    env = " ".join(args for op, args in stage if op == "ENV")
    assert "PYTHONPATH=/app:/app/platform" in env
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in env
    assert "manage.py collectstatic --noinput" in " ".join(a for op, a in stage if op == "RUN")
    users = [args for op, args in stage if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    healthchecks = [args for op, args in stage if op == "HEALTHCHECK"]
    assert len(healthchecks) == 1 and "/app/docker/healthcheck.py" in healthchecks[0]
    assert any(op == "ENTRYPOINT" and "/app/docker/entrypoint.sh" in a for op, a in stage)


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var", ".env", ".env.*", "*.sqlite3", "**/__pycache__"} <= ignored
    # What the Dockerfile copies must stay in the context.
    assert not ignored & {"pyproject.toml", "uv.lock", "docker", "platform", "manage.py"}


def test_compose_defines_the_stack_with_pinned_images_and_healthchecks():
    services = load_yaml(COMPOSE)["services"]
    assert set(services) == {"db", "redis", "broker", "mailpit"} | APP_SERVICES | WORKERS
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == services["broker"]["image"] == "redis:7"
    assert re.fullmatch(r"axllent/mailpit:v\d+\.\d+\.\d+", services["mailpit"]["image"])

    for name, service in services.items():
        image = service["image"]
        if name in APP_SERVICES | WORKERS:
            # The locally built image unless CI or a deployment names a published one.
            assert image == "${STAYBOOK_IMAGE:-staybook:local}", name
            continue
        _, _, tag = image.partition(":")
        assert tag and tag != "latest", f"{name}: image {image} is not pinned"
    for name, service in services.items():
        check = service["healthcheck"]
        # Only beat opts out: it serves nothing, and the image's check probes gunicorn.
        assert check.get("disable") is True if name == "beat" else check["test"], name

    for name in APP_SERVICES | WORKERS:
        service = services[name]
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        assert service["env_file"] == [{"path": ".env", "required": False}]
        env = service["environment"]
        for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
            assert env[variable], f"{name} lacks {variable}"
        assert "@db:5432/" in env["DATABASE_URL"]
        # The cache may evict; the broker is another server that never does.
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["CELERY_BROKER_URL"].startswith("redis://broker:6379/")
        assert env["EMAIL_URL"].endswith("smtp://mailpit:1025}")
    for name in ("web", "beat"):
        assert services[name]["command"] == [name]
    assert services["web"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "/app/docker/healthcheck.py",
    ]


def test_compose_runs_one_worker_per_queue_and_a_broker_that_never_evicts():
    services = load_yaml(COMPOSE)["services"]
    queues = {}
    for name in WORKERS:
        command = services[name]["command"]
        assert command[0] == "worker"
        queues[name] = command[command.index("--queues") + 1]
        hostname = command[command.index("--hostname") + 1]
        # The healthcheck pings this very worker by its node name.
        assert hostname.split("@")[0] + "@$$HOSTNAME" in services[name]["healthcheck"]["test"][1]
    assert queues == {
        "worker": "default,imports",
        "worker-payments": "payments",
        "worker-notifications": "notifications",
    }
    broker = " ".join(services["broker"]["command"])
    assert "--maxmemory-policy noeviction" in broker and "--appendonly yes" in broker
    assert "--maxmemory-policy allkeys-lru" in " ".join(services["redis"]["command"])


def test_env_example_covers_what_compose_reads():
    example = (ROOT / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    interpolated = set(re.findall(r"\$\{([A-Z_]+):-", COMPOSE.read_text()))
    assert interpolated <= defined, interpolated - defined
    assert "SEED_DEMO=0" in example  # demo data only when asked for
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_compose_starts_services_only_once_their_dependencies_are_healthy():
    services = load_yaml(COMPOSE)["services"]
    for name, service in services.items():
        for dependency, options in service.get("depends_on", {}).items():
            assert options["condition"] == "service_healthy", f"{name} -> {dependency}"
            assert not services[dependency]["healthcheck"].get("disable"), dependency
    # web migrates at start; whatever touches the database waits for it.
    assert set(services["web"]["depends_on"]) == {"db", "redis", "broker", "mailpit"}
    for name in WORKERS | {"beat"}:
        assert "web" in services[name]["depends_on"], name


def test_ci_workflow_runs_the_suite_like_ci_run():
    job = load_yaml(WORKFLOW)["jobs"]["test"]
    assert job["timeout-minutes"] <= 20
    assert job["container"]["image"].startswith("python:3.11-")
    assert job["services"]["postgres"]["image"] == "postgres:15"
    assert job["services"]["redis"]["image"] == "redis:7"
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert re.search(r"apt-get install [^\n]*(\\\n[^\n]*)*\bchromium\b", scripts)
    assert "make test" in scripts or "bash .ci/run" in scripts

    # Every variable .ci/run exports is set in the workflow too.
    exported = re.findall(r"^export (\w+)=", (ROOT / ".ci" / "run").read_text(), re.M)
    assert {"CI", "DATABASE_URL", "REDIS_URL"} <= set(exported)
    for variable in exported:
        assert variable in job["env"] or f"export {variable}=" in scripts, variable
    assert job["env"]["CI"] == "true"
    assert job["env"]["DATABASE_URL"].startswith("postgres://")
    assert job["env"]["REDIS_URL"].startswith("redis://")


def test_gunicorn_config_uses_known_settings_and_stops_within_the_grace_period():
    # gunicorn silently ignores unknown names in a config file: a typo would go unnoticed.
    namespace = runpy.run_path(str(GUNICORN_CONF))
    values = {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    config = GunicornConfig()
    assert set(values) <= set(config.settings), set(values) - set(config.settings)
    for name, value in values.items():
        config.set(name, value)  # gunicorn's own validators
    assert config.control_socket_disable is True  # the app user has no writable $HOME

    grace = load_yaml(COMPOSE)["services"]["web"]["stop_grace_period"]
    assert config.graceful_timeout < int(grace.removesuffix("s"))


# --- the container's scripts, run for real ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def container_env(tmp_path: Path, port: int) -> dict[str, str]:
    """What the image and compose set, with a throwaway SQLite database and no Redis."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_", "PYTHON"))
    }
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'platform'}",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="delivery-test-only",
        ALLOWED_HOSTS="staybook.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    return env


def healthcheck(env: dict[str, str], **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK)],
        env={**env, **overrides},
        capture_output=True,
        text=True,
        timeout=10,
    )


def stop_process_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone, e.g. a failed start
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_entrypoint_passes_other_commands_through(tmp_path):
    env = container_env(tmp_path, free_port())
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "echo", "through"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "through\n"


# collectstatic compresses every file (gzip and brotli): ~15 s of CPU, minutes on a loaded machine.
@pytest.mark.timeout(900)
def test_web_role_migrates_serves_and_passes_its_healthcheck(tmp_path):
    """The image's start-up path with production settings (SSL redirect and host checks on)."""
    port = free_port()
    env = container_env(tmp_path, port)
    assert healthcheck(env).returncode == 1  # nothing listens yet: the check can fail

    collect = subprocess.run(
        ["sh", str(ENTRYPOINT), "manage", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert collect.returncode == 0, collect.stderr

    log = (tmp_path / "web.log").open("w")
    server = subprocess.Popen(
        ["sh", str(ENTRYPOINT), "web"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the cleanup reaches every worker
    )
    try:
        deadline = time.monotonic() + 90
        while healthcheck(env).returncode != 0:
            assert server.poll() is None, (tmp_path / "web.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()[-3000:]
            time.sleep(0.3)

        # The migrations ran before gunicorn started.
        assert (tmp_path / "db.sqlite3").stat().st_size > 100_000
        # The Host header comes from ALLOWED_HOSTS: a host Django rejects fails the check.
        assert healthcheck(env, ALLOWED_HOSTS="elsewhere.test").returncode == 1
        # Collected static files are served by WhiteNoise from the gunicorn process.
        static = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        static.request(
            "GET",
            "/static/admin/css/base.css",
            headers={"Host": "staybook.test", "X-Forwarded-Proto": "https"},
        )
        response = static.getresponse()
        assert response.status == 200
        assert b"{" in response.read()
        static.close()
    finally:
        stop_process_group(server)
        log.close()
