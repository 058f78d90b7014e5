"""Just enough of the Kubernetes API on 127.0.0.1 for ``kubectl describe`` to run without a cluster.

Discovery (``/api``, ``/apis``, ``/api/v1``) is answered from the resource list
given, and ``/version`` with the release given (``"1.30"``): the ``kubectl`` on the
development machines' PATH is a dispatcher that picks the kubectl of the server's
release, and kubectl warns about a client/server skew beyond one minor release.
Every other GET goes to ``answer(path, query)``, which returns the JSON body, or
None for a 404 Status as the API server writes it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

Answer = Callable[[str, Mapping[str, list[str]]], object | None]

NOT_FOUND = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
             "message": "not found"}  # fmt: skip


def resource(name: str, kind: str, namespaced: bool, short: str) -> dict[str, Any]:
    """One entry of the ``/api/v1`` APIResourceList."""
    return {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
            "verbs": ["get", "list"], "shortNames": [short]}  # fmt: skip


def version_info(release: str) -> dict[str, str]:
    """The ``/version`` body of an API server of ``release`` (``"1.30"``, ``"1.30.4"``).

    >>> version_info("1.30")["gitVersion"], version_info("1.30.4")["minor"]
    ('v1.30.0', '30')
    """
    parts = release.split(".")
    major, minor = parts[0], parts[1]
    patch = parts[2] if len(parts) > 2 else "0"
    return {"major": major, "minor": minor, "gitVersion": f"v{major}.{minor}.{patch}",
            "gitCommit": "0" * 40, "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z",
            "goVersion": "go1.23.0", "compiler": "gc", "platform": "linux/amd64"}  # fmt: skip


class FakeAPIServer:
    """A read-only API server on 127.0.0.1: discovery, ``/version`` and ``answer`` for the rest."""

    def __init__(self, resources: Sequence[Mapping[str, Any]], answer: Answer, release: str = "1.32") -> None:
        discovery = {
            "/version": version_info(release),
            "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
            "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
            "/api/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
                        "resources": list(resources)},
        }  # fmt: skip

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                url = urlparse(self.path)
                body = discovery.get(url.path)
                if body is None:
                    body = answer(url.path, parse_qs(url.query))
                status = 200 if body is not None else 404
                data = json.dumps(body if body is not None else NOT_FOUND).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeAPIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# ---------------------------------------------------------------------------
# A cluster of nodes and pods, and the kubectl binary of each release.

#: The kubectl releases the development machines carry beside the real ``kubectl``.
KUBECTL_RELEASES = ("1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33")

CLUSTER_RESOURCES = [
    resource("nodes", "Node", False, "no"),
    resource("pods", "Pod", True, "po"),
    resource("events", "Event", True, "ev"),
]


def kubectl_binary(release: str) -> str | None:
    """The ``kubectl.1.NN`` beside the real ``kubectl`` (the one on PATH is a dispatcher), or None."""
    found = shutil.which("kubectl")
    if found is None:
        return None
    candidate = Path(os.path.realpath(found)).parent / f"kubectl.{release}"
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def missing_kubectl(release: str) -> str:
    return f"kubectl.{release} is not installed beside kubectl (the per-release binaries of the dev machines)"


def _selected(obj: Mapping[str, Any], selector: str) -> bool:
    """A field selector such as ``spec.nodeName=n1,status.phase!=Failed``: every term must hold."""
    for term in filter(None, selector.split(",")):
        negate = "!=" in term
        field, _, wanted = term.partition("!=" if negate else "=")
        value: Any = obj
        for segment in field.lstrip("=").split("."):
            value = value.get(segment, "") if isinstance(value, Mapping) else ""
        if (str(value or "") == wanted.lstrip("=")) == negate:
            return False
    return True


def _listed(items: Sequence[Mapping[str, Any]], kind: str, query: Mapping[str, list[str]]) -> dict[str, Any]:
    selector = query.get("fieldSelector", [""])[0]
    chosen = [item for item in items if _selected(item, selector)]
    # The API server lists in etcd key order: "namespace/name".
    chosen.sort(key=lambda item: f"{item['metadata'].get('namespace', '')}/{item['metadata']['name']}")
    return {"kind": kind, "apiVersion": "v1", "metadata": {}, "items": chosen}


def cluster_answer(nodes: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]]) -> Answer:
    """What an API server holding ``nodes`` and ``pods`` answers kubectl: lists, objects, events."""
    nodes_by_name = {node["metadata"]["name"]: node for node in nodes}
    events = {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []}

    def answer(path: str, query: Mapping[str, list[str]]) -> object | None:
        parts = path.strip("/").split("/")
        if parts[:2] != ["api", "v1"]:
            return None
        rest = parts[2:]
        if rest == ["nodes"]:
            return _listed(nodes, "NodeList", query)
        if len(rest) == 2 and rest[0] == "nodes":
            return nodes_by_name.get(rest[1])
        if rest == ["pods"]:
            return _listed(pods, "PodList", query)
        if rest[-1:] == ["events"]:
            return events
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] == "pods":
            mine = [pod for pod in pods if pod["metadata"].get("namespace") == rest[1]]
            if len(rest) == 3:
                return _listed(mine, "PodList", query)
            return next((pod for pod in mine if pod["metadata"]["name"] == rest[3]), None)
        return None

    return answer


def run_kubectl(
    release: str,
    arguments: Sequence[str],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    directory: Path,
    namespace: str = "default",
    server_release: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``kubectl.<release> <arguments>`` against a fake API server of that release holding the objects.

    The caller checks that the binary exists (:func:`kubectl_binary`).
    """
    binary = kubectl_binary(release)
    assert binary is not None, missing_kubectl(release)
    with FakeAPIServer(CLUSTER_RESOURCES, cluster_answer(nodes, pods), server_release or release) as server:
        kubeconfig = directory / f"kubeconfig-{release}"
        kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": server.url}}],
            "contexts": [{"name": "fake",
                          "context": {"cluster": "fake", "user": "fake", "namespace": namespace}}],
            "users": [{"name": "fake", "user": {}}],
        }))  # fmt: skip
        return subprocess.run(
            [binary, "--kubeconfig", str(kubeconfig), "--cache-dir", str(directory / f"cache-{release}"),
             "--request-timeout=30s", *arguments],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
