"""Differential test: our describe-node sections against the real ``kubectl describe node``.

kubectl is pointed at a tiny fake API server on 127.0.0.1 that serves one
Node and its pods; the "Non-terminated Pods" and "Allocated resources"
sections of its output must equal ours byte for byte. Skipped when kubectl is
not installed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from quantities.node.allocated import NodeAllocation, node_allocated
from tests.fake_apiserver import Answer, FakeAPIServer, resource
from tests.kind_cluster import NODE_NAME, node, pod, system_pods

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")

_RESOURCES = [
    resource("nodes", "Node", False, "no"),
    resource("pods", "Pod", True, "po"),
    resource("events", "Event", True, "ev"),
]


def _answer(node_object: dict[str, Any], pods: list[dict[str, Any]]) -> Answer:
    def answer(path: str, query: Mapping[str, list[str]]) -> object | None:
        if path == f"/api/v1/nodes/{NODE_NAME}":
            return node_object
        if path == "/api/v1/pods":
            selector = query.get("fieldSelector", [""])[0]
            items = [
                p for p in pods
                if f"spec.nodeName={p['spec'].get('nodeName')}" in selector
                and p["status"]["phase"] not in ("Succeeded", "Failed")
            ]  # fmt: skip
            # The API server lists in etcd key order: "namespace/name".
            items.sort(key=lambda p: f"{p['metadata']['namespace']}/{p['metadata']['name']}")
            return {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}
        if path == "/api/v1/events":
            return {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []}
        return None

    return answer


def _sections(text: str) -> str:
    start = text.index("Non-terminated Pods:")
    end = text.index("Events:", start)
    return text[start:end]


def _kubectl_describe(url: str, tmp_path: Path) -> str:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    assert KUBECTL is not None
    completed = subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "--server", url, "--cache-dir", str(tmp_path / "cache"),
         "describe", "node", NODE_NAME],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return completed.stdout


def assert_describe_matches_kubectl(
    node_object: dict[str, Any], pods: list[dict[str, Any]], tmp_path: Path
) -> NodeAllocation:
    """Our describe sections equal kubectl's for this node and these pods (served by a fake API server)."""
    with FakeAPIServer(_RESOURCES, _answer(node_object, pods)) as server:
        allocation = node_allocated(node_object, pods)
        before = allocation.describe(now=dt.datetime.now(dt.UTC))
        expected = _sections(_kubectl_describe(server.url, tmp_path))
        after = allocation.describe(now=dt.datetime.now(dt.UTC))
    # kubectl reads its clock between our two readings: an Age may tick over a second
    # boundary in between, so its output must equal one of ours.
    assert expected in (before, after), (before, expected)
    return allocation


def _created(hours_ago: float) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


CASES = {
    "kind": (
        node(labels={"node-role.kubernetes.io/control-plane": ""}),
        [pod("default", "memory-hog", "10m", "10m", "5Gi", "5Gi", created=_created(50)), *system_pods()],
    ),
    "gpu-and-hugepages": (
        node(allocatable={"cpu": "7910m", "memory": "30Gi", "pods": "58", "nvidia.com/gpu": "4",
                          "hugepages-2Mi": "1Gi", "ephemeral-storage": "100G"}),
        [
            pod("ml", "trainer-with-a-rather-long-name-0", "3", "4", "12Gi", "16Gi", created=_created(200)),
            pod("ml", "small", "1500m", None, "1G", "1500M", created=_created(0.05)),
            pod("team-b", "done", "1", phase="Succeeded"),
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_describe_node_matches_kubectl(case: str, tmp_path: Path) -> None:
    node_object, pods = CASES[case]
    if case == "gpu-and-hugepages":
        trainer = pods[0]["spec"]["containers"][0]["resources"]
        trainer["requests"].update(
            {"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi", "ephemeral-storage": "10Gi"}
        )
        trainer["limits"].update({"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi"})
    assert_describe_matches_kubectl(node_object, pods, tmp_path)
