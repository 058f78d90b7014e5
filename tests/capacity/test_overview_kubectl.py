"""Differential: capacity's requests and limits per node equal kubectl 1.32's ``describe node`` rows.

The real kubectl 1.32 describes each node of a small cluster served by the fake API server;
its "Allocated resources" rows (requests and limits per resource) must equal the overview's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from quantities.capacity.overview import capacity_overview
from tests.fake_apiserver import Answer, FakeAPIServer, resource
from tests.kind_cluster import node, pod, system_pods


def _kubectl_132() -> str | None:
    found = shutil.which("kubectl")
    if found is None:
        return None
    candidate = Path(os.path.realpath(found)).parent / "kubectl.1.32"
    return str(candidate) if candidate.exists() else None


KUBECTL = _kubectl_132()
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl 1.32 (kubectl.1.32) is not installed")

_RESOURCES = [
    resource("nodes", "Node", False, "no"),
    resource("pods", "Pod", True, "po"),
    resource("events", "Event", True, "ev"),
]

GPU = {"cpu": "7910m", "memory": "30Gi", "pods": "58", "nvidia.com/gpu": "4", "hugepages-2Mi": "1Gi",
       "ephemeral-storage": "100G"}  # fmt: skip


def _cluster() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sidecar = pod(
        "web", "with-sidecar", "250m", "500m", "256Mi", "512Mi", "worker-1",
        initContainers=[
            {"name": "init", "image": "x", "resources": {"requests": {"cpu": "2", "memory": "64Mi"}}},
            {"name": "proxy", "image": "x", "restartPolicy": "Always",
             "resources": {"requests": {"cpu": "100m", "memory": "50Mi"}, "limits": {"memory": "100Mi"}}},
        ],
        overhead={"cpu": "50m", "memory": "20Mi"},
    )  # fmt: skip
    trainer = pod("ml", "trainer", "3", "4", "12Gi", "16Gi", "gpu-1")
    trainer["spec"]["containers"][0]["resources"]["requests"].update(
        {"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi", "ephemeral-storage": "10Gi"}
    )
    limits = trainer["spec"]["containers"][0]["resources"]["limits"]
    limits.update({"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi"})
    nodes = [
        node("kind-control-plane", labels={"node-role.kubernetes.io/control-plane": ""},
             taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
        node("worker-1"),
        node("gpu-1", allocatable=GPU),
    ]  # fmt: skip
    pods = [
        *system_pods(),
        sidecar,
        # As the API server stores it: requests defaulted from limits.
        pod("web", "guaranteed", "1", "1", "1Gi", "1Gi", "worker-1"),
        pod("web", "finished", "5", None, None, None, "worker-1", phase="Succeeded"),
        pod("web", "best-effort", node_name="worker-1"),
        trainer,
        pod("ml", "small", "1500m", None, "1G", "1500M", "gpu-1"),
        pod("ml", "pending", "1", node_name=None),
    ]
    return nodes, pods


def _answer(nodes: list[dict[str, Any]], pods: list[dict[str, Any]]) -> Answer:
    by_name = {n["metadata"]["name"]: n for n in nodes}

    def answer(path: str, query: Mapping[str, list[str]]) -> object | None:
        if path.startswith("/api/v1/nodes/"):
            return by_name.get(path.rsplit("/", 1)[1])
        if path == "/api/v1/pods":
            selector = query.get("fieldSelector", [""])[0]
            items = [
                p for p in pods
                if f"spec.nodeName={p['spec'].get('nodeName')}," in selector + ","
                and p["status"]["phase"] not in ("Succeeded", "Failed")
            ]  # fmt: skip
            items.sort(key=lambda p: f"{p['metadata']['namespace']}/{p['metadata']['name']}")
            return {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}
        if path == "/api/v1/events":
            return {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []}
        return None

    return answer


def _allocated_rows(text: str) -> dict[str, tuple[str, str]]:
    """kubectl's "Allocated resources" rows: resource -> (requests, limits), percentages dropped."""
    section = text[text.index("Allocated resources:") : text.index("Events:")]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines()[4:]:
        cells = [cell for cell in line.split() if not cell.startswith("(")]
        if len(cells) == 3:
            rows[cells[0]] = (cells[1], cells[2])
    return rows


def test_requests_and_limits_equal_kubectl_describe_node(tmp_path: Path) -> None:
    nodes, pods = _cluster()
    overview = capacity_overview(nodes, pods, kubernetes_version="1.32")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    assert KUBECTL is not None
    compared = 0
    with FakeAPIServer(_RESOURCES, _answer(nodes, pods)) as server:
        for row in overview.nodes:
            described = subprocess.run(
                [KUBECTL, "--kubeconfig", str(kubeconfig), "--server", server.url,
                 "--cache-dir", str(tmp_path / "cache"), "describe", "node", row.name],
                capture_output=True, text=True, timeout=60, check=True,
            ).stdout  # fmt: skip
            expected = _allocated_rows(described)
            ours = {use.resource: (str(use.requests), str(use.limits)) for use in row.resources}
            assert ours == expected, row.name
            assert f"Non-terminated Pods:          ({row.pods_used} in total)" in described
            compared += len(expected)
    assert compared >= 12
