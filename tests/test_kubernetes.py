"""deploy/kubernetes: the manifests against the Kubernetes API schemas (kubernetes-validate,
offline, strict: an unknown or misspelt field fails) and the rules they must keep."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))
# The oldest Kubernetes release still supported by the major clouds when this was written.
KUBERNETES_VERSION = "1.30.0"


def validate(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", "--quiet", "-k", KUBERNETES_VERSION]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        timeout=120,
    )


def documents() -> list[dict]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in documents() if doc["kind"] == kind}


def test_manifests_are_valid_kubernetes_resources():
    assert len(MANIFESTS) >= 5
    result = validate(*MANIFESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validation_rejects_a_misspelt_field(tmp_path):
    web = (ROOT / "deploy" / "kubernetes" / "web.yaml").read_text()
    broken = tmp_path / "web.yaml"
    broken.write_text(web.replace("readinessProbe:", "readinesProbe:", 1))
    result = validate(broken)
    assert result.returncode != 0
    assert "readinesProbe" in result.stdout + result.stderr


def containers(doc: dict) -> list[dict]:
    return doc["spec"]["template"]["spec"]["containers"]


def test_web_probes_readiness_and_liveness_with_the_proxy_headers():
    (web,) = containers(by_kind("Deployment")["staybook-web"])
    assert web["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    config = by_kind("ConfigMap")["staybook-config"]["data"]
    for probe in (web["readinessProbe"], web["livenessProbe"]):
        headers = {h["name"]: h["value"] for h in probe["httpGet"]["httpHeaders"]}
        # A 301 to https would pass a probe: the header says TLS ended at the proxy.
        assert headers["X-Forwarded-Proto"] == "https"
        assert headers["Host"] in config["ALLOWED_HOSTS"].split(",")
    strategy = by_kind("Deployment")["staybook-web"]["spec"]["strategy"]["rollingUpdate"]
    assert strategy["maxUnavailable"] == 0
    hpa = by_kind("HorizontalPodAutoscaler")["staybook-web"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "staybook-web"
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_every_pod_has_resources_runs_unprivileged_and_reads_config_and_secret():
    deployments = by_kind("Deployment")
    assert set(deployments) == {
        "staybook-web",
        "staybook-worker-default",
        "staybook-worker-payments",
        "staybook-worker-notifications",
        "staybook-beat",
    }
    for name, doc in {**deployments, **by_kind("Job")}.items():
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert container["image"] == "staybook:release", name  # deploy.sh replaces it
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            refs = [next(iter(ref.values()))["name"] for ref in container["envFrom"]]
            assert refs == ["staybook-config", "staybook-secrets"], name
    # No Secret with values is committed.
    assert not by_kind("Secret")


def test_one_beat_one_migration_job_and_disruption_budgets():
    beat = by_kind("Deployment")["staybook-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"  # never two beats at once
    job = by_kind("Job")["staybook-migrate"]
    assert containers(job)[0]["args"] == ["manage", "migrate", "--noinput"]
    assert job["spec"]["backoffLimit"] == 0
    assert by_kind("ConfigMap")["staybook-config"]["data"]["MIGRATE_ON_START"] == "0"
    budgets = {
        doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
        for doc in by_kind("PodDisruptionBudget").values()
    }
    assert budgets == {"web", "worker-default", "worker-payments", "worker-notifications"}
    queues = {
        name: c["args"][c["args"].index("--queues") + 1]
        for name, doc in by_kind("Deployment").items()
        for c in containers(doc)
        if c["args"][0] == "worker"
    }
    assert queues == {
        "staybook-worker-default": "default,imports",
        "staybook-worker-payments": "payments",
        "staybook-worker-notifications": "notifications",
    }
