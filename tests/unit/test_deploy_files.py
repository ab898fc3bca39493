"""deploy/: the compose file, the HAProxy config and the Kubernetes manifests are well formed and
agree with the code (settings, ports, probes). Tools that check them further run when present:
``docker compose config`` / ``docker-compose config``, ``haproxy -c``, ``kubernetes-validate``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from chargebridge.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return data


def _manifests() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def _settings_env(names: set[str]) -> None:
    """Every CHARGEBRIDGE_* variable the deploy files set is a real setting."""
    fields = set(Settings.model_fields)
    unknown = {
        n for n in names if n.startswith("CHARGEBRIDGE_") and n.removeprefix("CHARGEBRIDGE_").lower() not in fields
    }
    assert not unknown, f"deploy files set unknown settings: {sorted(unknown)}"


def test_compose_runs_three_nodes_behind_haproxy_on_postgres_and_nats() -> None:
    compose = _compose()
    services = compose["services"]
    assert {"postgres", "nats", "haproxy", "node1", "node2", "node3"} <= set(services)
    assert "-js" in services["nats"]["command"]
    node_ids = set()
    env_names: set[str] = set()
    for name in ("node1", "node2", "node3"):
        env = services[name]["environment"]
        env_names |= set(env)
        assert env["CHARGEBRIDGE_NATS_URL"].startswith("nats://nats:")
        assert env["CHARGEBRIDGE_DATABASE_URL"].startswith("postgresql+asyncpg://")
        node_ids.add(env["CHARGEBRIDGE_NODE_ID"])
        health = " ".join(services[name]["healthcheck"]["test"])
        assert "/readyz" in health
    assert node_ids == {"node1", "node2", "node3"}  # unique node ids
    _settings_env(env_names)
    ports = {p.split(":")[0] for p in services["haproxy"]["ports"]}
    assert {"9000", "8000"} <= ports


def test_haproxy_balances_ocpp_and_http_over_ready_nodes() -> None:
    text = (DEPLOY / "haproxy" / "haproxy.cfg").read_text()
    ocpp = text.split("backend ocpp_nodes", 1)[1].split("frontend", 1)[0]
    api = text.split("backend api_nodes", 1)[1].split("frontend", 1)[0]
    assert "mode tcp" in ocpp and "send-proxy-v2" in ocpp and "balance leastconn" in ocpp
    assert "mode http" in api
    for backend in (ocpp, api):
        assert "option httpchk GET /readyz" in backend
        assert all(f"server node{i} node{i}:" in backend for i in (1, 2, 3))
    assert "timeout tunnel" in text  # long-lived WebSockets
    assert "shutdown-sessions" not in text  # a failed check never cuts live stations


def test_haproxy_config_is_valid() -> None:
    haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if haproxy is None:
        pytest.skip("haproxy is not installed")
    result = subprocess.run(
        [haproxy, "-c", "-f", str(DEPLOY / "haproxy" / "haproxy.cfg")], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_is_valid_for_docker_compose() -> None:
    commands = []
    if shutil.which("docker"):
        commands.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        commands.append(["docker-compose"])
    for command in commands:
        probe = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode != 0:
            continue
        result = subprocess.run(
            [*command, "-f", str(DEPLOY / "docker-compose.yml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return
    pytest.skip("neither docker compose nor docker-compose is available")


def test_kubernetes_manifests_have_probes_ports_and_cluster_settings() -> None:
    docs = _manifests()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert ("Deployment", "chargebridge") in kinds and ("Service", "chargebridge-ocpp") in kinds
    assert ("StatefulSet", "nats") in kinds and ("PodDisruptionBudget", "chargebridge") in kinds
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["spec"]["replicas"] >= 3
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert {p["containerPort"] for p in container["ports"]} == {9000, 8000}
    assert container["readinessProbe"]["httpGet"]["path"].startswith("/readyz")
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    env = {e["name"]: e for e in container["env"]}
    assert env["CHARGEBRIDGE_NODE_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert env["CHARGEBRIDGE_NATS_URL"]["value"].startswith("nats://")
    assert "secretKeyRef" in env["CHARGEBRIDGE_DATABASE_URL"]["valueFrom"]
    _settings_env(set(env))
    volume = deployment["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
    claim = next(d for d in docs if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == volume)
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]  # firmware files shared by every node


def test_kubernetes_manifests_validate_against_the_schemas() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for doc in _manifests():
        kubernetes_validate.validate(doc, "1.30.0", strict=True)


def test_readiness_checks_named_by_the_deploy_files_exist() -> None:
    """/readyz?checks=database is what load balancers gate on: that check must exist."""
    texts = [(DEPLOY / "haproxy" / "haproxy.cfg").read_text(), (DEPLOY / "docker-compose.yml").read_text()]
    texts += [p.read_text() for p in K8S.glob("*.yaml")]
    named = {
        part.split("checks=", 1)[1].split()[0].split("'")[0] for t in texts for part in t.split() if "checks=" in part
    }
    assert named == {"database"}
