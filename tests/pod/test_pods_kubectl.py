"""qos_class agrees with ``kubectl describe pod``'s ``QoS Class`` line.

kubectl needs an API server to describe a pod, so the test serves the pods
from a small fake one on 127.0.0.1 (discovery, one GET per pod, a pod list)
with a kubeconfig in ``tmp_path``. kubectl classifies the object as it
receives it, without the API server's defaulting, so it is given the
*defaulted* pod (``default_pod(...).to_spec()``) and no ``status.qosClass``
(which it would print instead). Skipped when kubectl is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from quantities import default_pod, qos_class
from tests.builders import container as _container
from tests.fake_apiserver import Answer, FakeAPIServer, resource
from tests.pod.test_pods_qos import ROWS as QOS_ROWS

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")

NAMESPACE = "default"


EXTRA_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "deployment with a sidecar",
        {
            "kind": "Deployment",
            "spec": {
                "template": {
                    "spec": {
                        "initContainers": [
                            _container(
                                "proxy", limits={"cpu": "100m", "memory": "64Mi"}, restart_policy="Always"
                            )
                        ],
                        "containers": [_container("app", limits={"cpu": "1", "memory": "1Gi"})],
                    }
                }
            },
        },
    ),
    (
        "cronjob, Burstable init",
        {
            "kind": "CronJob",
            "spec": {
                "jobTemplate": {
                    "spec": {
                        "template": {
                            "spec": {
                                "initContainers": [_container("setup", {"cpu": "2"})],
                                "containers": [_container("run", limits={"cpu": "1", "memory": "1Gi"})],
                            }
                        }
                    }
                }
            },
        },
    ),
    (
        "hugepages and cpu/memory limits",
        {
            "kind": "Pod",
            "spec": {
                "containers": [_container("a", limits={"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "4Mi"})]
            },
        },
    ),
    (
        "overhead does not change the class",
        {
            "kind": "Pod",
            "spec": {
                "overhead": {"cpu": "250m", "memory": "120Mi"},
                "containers": [_container("a", limits={"cpu": "1", "memory": "1Gi"})],
            },
        },
    ),
    (
        "several Burstable reasons",
        {
            "kind": "Pod",
            "spec": {
                "containers": [
                    _container("a", {"cpu": "250m", "memory": "1Gi"}, {"cpu": "500m"}),
                    _container("b"),
                ]
            },
        },
    ),
    (
        "notations in sums",
        {
            "kind": "Pod",
            "spec": {
                "containers": [
                    _container("a", {"cpu": "0.5", "memory": "0.5Gi"}, {"cpu": "500m", "memory": "512Mi"}),
                    _container("b", {"cpu": "1000m", "memory": "1073741824"}, {"cpu": "1", "memory": "1Gi"}),
                ]
            },
        },
    ),
]

CASES: list[tuple[str, dict[str, Any]]] = [(row.name, row.pod) for row in QOS_ROWS] + EXTRA_CASES


def _served_pod(name: str, manifest: dict[str, Any]) -> dict[str, Any]:
    spec = default_pod(manifest).to_spec()
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NAMESPACE, "uid": name},
        "spec": spec,
        "status": {"phase": "Pending"},
    }


def _answer(pods: dict[str, dict[str, Any]]) -> Answer:
    prefix = f"/api/v1/namespaces/{NAMESPACE}/pods"

    def answer(path: str, query: Mapping[str, list[str]]) -> object | None:
        if path == prefix:
            return {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": list(pods.values())}
        if path.startswith(prefix + "/"):
            return pods.get(path[len(prefix) + 1 :])
        if path.endswith("/events"):
            return {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []}
        return None

    return answer


_RESOURCES = [resource("pods", "Pod", True, "po"), resource("events", "Event", True, "ev")]


@pytest.fixture(scope="module")
def kubectl_qos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``{pod name: QoS Class}`` as ``kubectl describe pods`` prints it for every case."""
    directory: Path = tmp_path_factory.mktemp("kubectl")
    pods = {
        f"case-{number}": _served_pod(f"case-{number}", manifest)
        for number, (_, manifest) in enumerate(CASES)
    }
    with FakeAPIServer(_RESOURCES, _answer(pods)) as server:
        kubeconfig = directory / "kubeconfig"
        kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "current-context": "fake",
                    "clusters": [{"name": "fake", "cluster": {"server": server.url}}],
                    "contexts": [
                        {
                            "name": "fake",
                            "context": {"cluster": "fake", "user": "fake", "namespace": NAMESPACE},
                        }
                    ],
                    "users": [{"name": "fake", "user": {}}],
                }
            )
        )
        assert KUBECTL is not None
        result = subprocess.run(
            [
                KUBECTL,
                "describe",
                "pods",
                "--kubeconfig",
                str(kubeconfig),
                "--cache-dir",
                str(directory / "cache"),
                "--show-events=false",
                "--request-timeout=20s",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if result.returncode != 0:
        pytest.skip(f"kubectl could not talk to the fake API server: {result.stderr.strip()[:300]}")
    classes: dict[str, str] = {}
    name = None
    for line in result.stdout.splitlines():
        if match := re.match(r"^Name:\s+(\S+)$", line):
            name = match.group(1)
        elif (match := re.match(r"^QoS Class:\s+(\S+)$", line)) and name is not None:
            classes[name] = match.group(1)
    assert len(classes) == len(CASES), result.stdout[-2000:]
    yield classes


@pytest.mark.parametrize(("number", "case"), list(enumerate(CASES)), ids=[name for name, _ in CASES])
def test_qos_agrees_with_kubectl_describe(
    kubectl_qos: dict[str, str], number: int, case: tuple[str, Any]
) -> None:
    _, manifest = case
    assert str(qos_class(manifest)) == kubectl_qos[f"case-{number}"]
