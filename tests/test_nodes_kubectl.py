"""Differential test: our describe-node sections against the real ``kubectl describe node``.

kubectl is pointed at a tiny fake API server on 127.0.0.1 that serves one
Node and its pods; the "Non-terminated Pods" and "Allocated resources"
sections of its output must equal ours byte for byte. Skipped when kubectl is
not installed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from quantities.allocated import node_allocated
from tests.kind_cluster import NODE_NAME, node, pod, system_pods

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")

_RESOURCES = {
    "kind": "APIResourceList",
    "apiVersion": "v1",
    "groupVersion": "v1",
    "resources": [
        {"name": "nodes", "singularName": "node", "namespaced": False, "kind": "Node",
         "verbs": ["get", "list"], "shortNames": ["no"]},
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
         "verbs": ["get", "list"], "shortNames": ["po"]},
        {"name": "events", "singularName": "event", "namespaced": True, "kind": "Event",
         "verbs": ["get", "list"], "shortNames": ["ev"]},
    ],
}  # fmt: skip


class _Cluster:
    def __init__(self, node_object: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        self.node = node_object
        self.pods = pods


def _handler(cluster: _Cluster) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            path = url.path
            if path == "/api":
                self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
            elif path == "/apis":
                self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
            elif path == "/api/v1":
                self._send(200, _RESOURCES)
            elif path == f"/api/v1/nodes/{NODE_NAME}":
                self._send(200, cluster.node)
            elif path == "/api/v1/pods":
                selector = query.get("fieldSelector", [""])[0]
                items = [
                    p for p in cluster.pods
                    if f"spec.nodeName={p['spec'].get('nodeName')}" in selector
                    and p["status"]["phase"] not in ("Succeeded", "Failed")
                ]  # fmt: skip
                # The API server lists in etcd key order: "namespace/name".
                items.sort(key=lambda p: f"{p['metadata']['namespace']}/{p['metadata']['name']}")
                self._send(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items})
            elif path == "/api/v1/events":
                self._send(200, {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []})
            else:
                self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                 "reason": "NotFound", "code": 404, "message": "not found"})

    return Handler


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(cluster: _Cluster) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cluster))
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


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
def test_describe_node_matches_kubectl(case: str, serve: Any, tmp_path: Path) -> None:
    node_object, pods = CASES[case]
    if case == "gpu-and-hugepages":
        trainer = pods[0]["spec"]["containers"][0]["resources"]
        trainer["requests"].update(
            {"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi", "ephemeral-storage": "10Gi"}
        )
        trainer["limits"].update({"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi"})
    url = serve(_Cluster(node_object, pods))
    expected = _sections(_kubectl_describe(url, tmp_path))
    ours = node_allocated(node_object, pods).describe()
    assert ours == expected
