"""``kq qos`` and ``kq requests``: tables, JSON, several documents, errors on standard error with status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from quantities.cli import main

MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers:
      - name: setup
        resources: {requests: {cpu: 2}}
      - name: proxy
        restartPolicy: Always
        resources: {requests: {cpu: 250m, memory: 64Mi}}
      containers:
      - name: app
        resources:
          requests: {cpu: 250m, memory: 1Gi}
          limits: {cpu: 500m}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: db}
  spec:
    containers:
    - name: db
      resources: {limits: {cpu: 1, memory: 1Gi}}
- apiVersion: batch/v1
  kind: Job
  metadata: {name: batch}
  spec:
    template:
      spec:
        containers:
        - name: run
"""


def run(
    *argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture()
def manifests(tmp_path: Path) -> Path:
    path = tmp_path / "manifests.yaml"
    path.write_text(MANIFESTS)
    return path


def test_requests_table(manifests: Path) -> None:
    status, out, err = run("requests", str(manifests))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "OBJECT               RESOURCE  REQUESTS  LIMITS",
        "shop/Deployment/web  cpu       2         500m",
        "                     memory    1088Mi    <none>",
        "Pod/db               cpu       1         1",
        "                     memory    1Gi       1Gi",
        "Job/batch            <none>",
    ]


def test_requests_json(manifests: Path) -> None:
    status, out, _ = run("requests", "-o", "json", str(manifests))
    assert status == 0
    document = json.loads(out)
    assert [(item["kind"], item["name"], item["document"], item["path"]) for item in document] == [
        ("Deployment", "web", 0, "spec.template.spec"),
        ("Pod", "db", 2, "items[0].spec"),
        ("Job", "batch", 2, "items[1].spec.template.spec"),
    ]
    assert document[0]["requests"] == {"cpu": "2", "memory": "1088Mi"}
    assert document[0]["limits"] == {"cpu": "500m"}
    assert document[2]["requests"] == {} and document[2]["limits"] == {}


def test_requests_exclude_overhead(tmp_path: Path) -> None:
    path = tmp_path / "pod.json"
    path.write_text(
        json.dumps(
            {
                "kind": "Pod",
                "spec": {
                    "overhead": {"cpu": 0.25},
                    "containers": [{"name": "a", "resources": {"requests": {"cpu": 1}}}],
                },
            }
        )
    )
    assert json.loads(run("requests", "-o", "json", str(path))[1])[0]["requests"] == {"cpu": "1250m"}
    assert json.loads(run("requests", "-o", "json", "--exclude-overhead", str(path))[1])[0]["requests"] == {
        "cpu": "1"
    }


def test_qos_table(manifests: Path) -> None:
    status, out, _ = run("qos", str(manifests))
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["OBJECT", "QOS", "CLASS", "WHY"]
    assert lines[1].startswith('shop/Deployment/web  Burstable   init container "setup" has no cpu limit')
    assert any(
        line.strip() == 'container "app": requests.cpu 250m differs from limits.cpu 500m' for line in lines
    )
    assert any('to be Guaranteed: set limits.memory of container "app" to 1Gi' in line for line in lines)
    assert any(line.startswith("Pod/db               Guaranteed") for line in lines)
    assert any(line.startswith("Job/batch            BestEffort") for line in lines)


def test_qos_json_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]},
    }
    status, out, err = run("qos", "-o", "json", "-", stdin=json.dumps(pod), monkeypatch=monkeypatch)
    assert (status, err) == (0, "")
    (item,) = json.loads(out)
    assert item["qos_class"] == "Guaranteed"
    assert item["decided_by"] == "containers"
    assert item["to_guaranteed"] == []
    assert item["document"] is None


def test_invalid_pods_report_every_problem_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "kind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n"
        "    resources: {requests: {cpu: 2, memory: 1GB}, limits: {cpu: 1}}\n"
        "---\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n  - name: b\n"
        "    resources: {limits: {nvidia.com/gpu: 0.5}}\n"
    )
    for command in ("qos", "requests"):
        status, out, err = run(command, str(path))
        assert status == 2 and out == ""
        assert err.startswith(f'kq: "{path}": invalid pod, 4 problems:')
        assert (
            'document 1, Pod "a": spec.containers[0].resources.requests.memory: invalid quantity "1GB"'
            in err
        )
        assert (
            'document 1, Pod "a": spec.containers[0].resources.requests.cpu: '
            "requests.cpu 2 is above limits.cpu 1" in err
        )
        assert 'document 2, Pod "b": spec.containers[0].resources.limits[nvidia.com/gpu]' in err
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "invalid JSON"),
        ("a: [1\n", "invalid YAML"),
        ("kind: Service\n", "no Pod, PodSpec or object with a pod template found"),
        (
            "- 1\n---\nkind: Pod\nspec: {containers: [{name: a, resources: {limits: {cpu: x}}}]}\n",
            "2 problems",
        ),
        ("", "no Pod, PodSpec or object with a pod template found"),
    ],
)
def test_unreadable_input(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(text)
    status, out, err = run("qos", str(path))
    assert status == 2 and out == ""
    assert message in err and err.startswith("kq: ")


def test_missing_file() -> None:
    status, _, err = run("requests", "/nonexistent/pods.yaml")
    assert (status, err) == (2, 'kq: cannot read "/nonexistent/pods.yaml": no such file\n')


def test_usage_error_exits_2() -> None:
    status, out, err = run("qos", "-o", "xml", "x")
    assert (status, out) == (2, "")
    assert err.startswith("usage: kq qos")
    assert 'expected one of text, json, yaml, csv ("table" is text), got "xml"' in err


def test_the_kq_script_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '{"kind": "Pod", "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": true}}}]}}'
    )
    result = subprocess.run(
        [sys.executable, "-m", "quantities", "qos", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "spec.containers[0].resources.limits.cpu" in result.stderr


def test_without_pod_level_resources(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(
        "kind: Pod\nmetadata: {name: p}\nspec:\n  resources: {limits: {cpu: 1, memory: 1Gi}}\n"
        "  containers:\n  - name: a\n"
    )
    assert json.loads(run("qos", "-o", "json", str(path))[1])[0]["qos_class"] == "Guaranteed"
    gate_off = json.loads(run("qos", "-o", "json", "--without-pod-level-resources", str(path))[1])
    assert gate_off[0]["qos_class"] == "BestEffort"
    status, out, _ = run("requests", "--without-pod-level-resources", str(path))
    assert status == 0 and out.splitlines()[1].split() == ["Pod/p", "<none>"]
