"""The fake API server is protocol-true: the real kubectl (1.32) lists, pages and describes against it,
and the client sees lists, pages, watches, bookmarks, 410, 401 and 403 as from a real API server."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from quantities.live.client import RESOURCES, connect
from quantities.live.errors import ClusterError, ResourceGone
from quantities.live.source import WatchingSource
from tests.fake_kube import FakeKube
from tests.live.cluster_data import objects
from tests.live.conftest import kubectl

KUBECTL = kubectl("1.32")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl 1.32 is not installed")
NODES, PODS = RESOURCES[0], RESOURCES[1]
#: The pods in the API server's order (namespace/name).
POD_NAMES = [
    o["metadata"]["name"]
    for o in sorted(
        (o for o in objects() if o["kind"] == "Pod"),
        key=lambda o: (o["metadata"]["namespace"], o["metadata"]["name"]),
    )
]


def _kubectl(kubeconfig: Path, *arguments: str) -> str:
    assert KUBECTL is not None
    done = subprocess.run(
        [
            KUBECTL,
            "--kubeconfig",
            str(kubeconfig),
            "--cache-dir",
            str(kubeconfig.parent / "cache"),
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


@needs_kubectl
def test_kubectl_gets_nodes_and_pods_page_by_page(fake: FakeKube, kubeconfig: Path) -> None:
    text = _kubectl(kubeconfig, "get", "nodes,pods", "-A", "--chunk-size=2")
    names = [o["metadata"]["name"] for o in objects()]
    for name in names:
        assert name in text
    assert "NAMESPACE" in text
    pages = [q for _, path, q in fake.requests if path == "/api/v1/pods" and "continue" in q]
    assert len(pages) >= 3  # 9 pods, 2 a page


@needs_kubectl
def test_kubectl_reads_the_objects_as_stored(fake: FakeKube, kubeconfig: Path) -> None:
    import json

    listed = json.loads(_kubectl(kubeconfig, "get", "pods", "-A", "-o", "json", "--chunk-size=4"))
    assert [p["metadata"]["name"] for p in listed["items"]] == POD_NAMES


def _sections(text: str) -> str:
    start = text.index("Non-terminated Pods:")
    return text[start : text.index("Events:", start)]


@needs_kubectl
@pytest.mark.parametrize("node", ["n1", "n2", "n3", "n4"])
def test_live_describe_text_equals_kubectl_describe_node(
    node: str, source: WatchingSource, kubeconfig: Path
) -> None:
    expected = _sections(_kubectl(kubeconfig, "describe", "node", node))
    app: Flask = create_app({"TESTING": True, "CLUSTER_SOURCE": source})
    # kubectl 1.32 reads the resize status as 1.32 does: the answer is pinned to that release.
    answer = app.test_client().get(f"/v1/cluster/nodes/{node}/allocated?format=text&kubernetes_version=1.32")
    assert answer.status_code == 200
    assert answer.get_data(as_text=True).rstrip("\n") == expected.rstrip("\n")


def test_pages_follow_continue_tokens(fake: FakeKube, kubeconfig: Path) -> None:
    client = connect("kubeconfig", kubeconfig=str(kubeconfig))
    first = client.list_page(PODS, 4)
    assert len(first.items) == 4 and first.continue_token
    fake.add(objects()[-1] | {"metadata": {"name": "added-later", "namespace": "zzz"}})
    rest = client.list_page(PODS, 100, first.continue_token)
    # Every page is of the state the first one was: the pod added since is not in it.
    assert [p["metadata"]["name"] for p in first.items + rest.items] == POD_NAMES
    assert rest.resource_version == first.resource_version and rest.continue_token is None


def test_an_expired_continue_token_is_410_gone(fake: FakeKube, kubeconfig: Path) -> None:
    client = connect("kubeconfig", kubeconfig=str(kubeconfig))
    first = client.list_page(PODS, 2)
    fake.compact()
    with pytest.raises(ResourceGone):
        client.list_page(PODS, 2, first.continue_token)


def test_a_watch_streams_changes_and_bookmarks(fake: FakeKube, kubeconfig: Path) -> None:
    client = connect("kubeconfig", kubeconfig=str(kubeconfig))
    start = client.list_page(NODES, 100).resource_version
    fake.add(objects()[0] | {"metadata": {"name": "n9"}})
    fake.delete("Node", "n4")
    fake.bookmark_seconds = 0.2
    events = [(e["type"], e["object"]["metadata"].get("name")) for e in client.watch(NODES, start, 1)]
    assert events[:2] == [("ADDED", "n9"), ("DELETED", "n4")]
    assert ("BOOKMARK", None) in events
    assert any(
        path == "/api/v1/nodes" and q.get("allowWatchBookmarks") == ["true"] for _, path, q in fake.requests
    )


def test_a_watch_from_a_compacted_version_is_410_gone(fake: FakeKube, kubeconfig: Path) -> None:
    """The API server answers 200 and then an ERROR event whose Status has code 410."""
    client = connect("kubeconfig", kubeconfig=str(kubeconfig))
    old = client.list_page(PODS, 100).resource_version
    fake.add(objects()[-1] | {"metadata": {"name": "newer", "namespace": "x"}})
    fake.compact()
    with pytest.raises(ResourceGone) as gone:
        list(client.watch(PODS, old, 2))
    assert gone.value.status == 410


@pytest.mark.parametrize(
    ("verbs", "verb"),
    [({"list"}, "list"), ({"watch"}, "watch")],
)
def test_rbac_denial_names_what_is_missing(
    fake: FakeKube, kubeconfig: Path, verbs: set[str], verb: str
) -> None:
    client = connect("kubeconfig", kubeconfig=str(kubeconfig), context="fake")
    fake.forbidden["pods"] = verbs
    with pytest.raises(ClusterError) as denied:
        if verb == "list":
            client.list_page(PODS, 10)
        else:
            list(client.watch(PODS, "100", 1))
    assert denied.value.status == 403
    message = str(denied.value)
    assert message.startswith(f"cannot {verb} pods at the cluster scope: ")
    assert 'the user of context "fake" needs get/list/watch on pods' in message
    assert 'cannot list resource "pods"' in message or 'cannot watch resource "pods"' in message


def test_bad_credentials_are_named(tmp_path: Path) -> None:
    with FakeKube(objects(), token="right") as fake:
        client = connect("kubeconfig", kubeconfig=str(fake.kubeconfig(tmp_path / "kc", token="wrong")))
        with pytest.raises(ClusterError) as refused:
            client.list_page(NODES, 10)
    assert refused.value.status == 401
    assert "refused the credentials" in str(refused.value) and "401 Unauthorized" in str(refused.value)
    assert "kubectl auth whoami" in str(refused.value)


def test_version_is_served(fake: FakeKube, kubeconfig: Path) -> None:
    assert connect("kubeconfig", kubeconfig=str(kubeconfig)).version()["gitVersion"] == "v1.32.0"


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing", 'cannot use "{path}"'),
        ("no-context", 'has no context named "nope"'),
    ],
)
def test_an_unusable_kubeconfig_says_why(tmp_path: Path, kubeconfig: Path, setup: str, expected: str) -> None:
    path = tmp_path / "absent" if setup == "missing" else kubeconfig
    with pytest.raises(ClusterError) as failed:
        connect("kubeconfig", kubeconfig=str(path), context="nope" if setup == "no-context" else None)
    assert expected.format(path=path) in str(failed.value)
    assert "Errno" not in str(failed.value)


def test_in_cluster_outside_a_pod_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ClusterError) as failed:
        connect("in-cluster")
    assert "does not run in a Kubernetes pod" in str(failed.value)


def test_the_fake_keeps_creation_times(fake: FakeKube) -> None:
    created = fake.objects[("nodes", "", "n1")]["metadata"]["creationTimestamp"]
    assert dt.datetime.fromisoformat(created.replace("Z", "+00:00")).year == 2025
