"""The informer-style source: it converges on adds, updates and deletes, relists on 410, and survives faults
(server down at start, gone mid-run, a silent watch, RBAC denial, bad credentials) without a 500."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api import create_app
from quantities.live.errors import ClusterUnavailable
from quantities.live.source import LiveSettings, WatchingSource
from tests.fake_kube import FakeKube
from tests.live.cluster_data import objects
from tests.live.conftest import FAST, wait_for, watching


def _names(source: WatchingSource, kind: str) -> list[str]:
    return [o["metadata"]["name"] for o in source.snapshot().items.objects(kind)]


def _pod(name: str, cpu: str = "100m", namespace: str = "default") -> dict[str, Any]:
    pod = copy.deepcopy(next(o for o in objects() if o["metadata"]["name"] == "web-1"))
    pod["metadata"]["name"], pod["metadata"]["namespace"] = name, namespace
    pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] = cpu
    return pod


def _app(source: Any) -> Flask:
    return create_app({"TESTING": True, "CLUSTER_SOURCE": source})


def test_the_first_state_is_the_list(source: WatchingSource) -> None:
    snapshot = source.snapshot()
    assert _names(source, "Node") == ["n1", "n2", "n3", "n4"]
    assert len(list(snapshot.items.objects("Pod"))) == 9
    assert [o["kind"] for o in snapshot.items][:5] == ["Node"] * 4 + ["Pod"]
    assert snapshot.resource_version.isdigit() and not snapshot.stale


def test_the_cache_converges_after_adds_updates_and_deletes(fake: FakeKube, source: WatchingSource) -> None:
    generation = source.snapshot().generation
    fake.add(_pod("new-1"))
    fake.add(_pod("new-2", namespace="other"))
    fake.update(_pod("web-1", cpu="900m"))
    fake.delete("Pod", "batch-done", "default")
    fake.delete("Node", "n4")
    node = copy.deepcopy(fake.objects[("nodes", "", "n1")])
    node["spec"]["taints"] = [{"key": "maintenance", "effect": "NoSchedule"}]
    fake.update(node)

    def converged() -> bool:
        items = source.snapshot().items
        pods = {o["metadata"]["name"]: o for o in items.objects("Pod")}
        nodes = {o["metadata"]["name"]: o for o in items.objects("Node")}
        return (
            {"new-1", "new-2"} <= pods.keys()
            and "batch-done" not in pods
            and pods["web-1"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "900m"
            and "n4" not in nodes
            and nodes["n1"]["spec"].get("taints") == [{"key": "maintenance", "effect": "NoSchedule"}]
        )

    wait_for(converged, what="the cache converging")
    snapshot = source.snapshot()
    assert snapshot.generation > generation
    assert snapshot.resource_version == str(fake.resource_version)
    # The API server's order: namespace, then name.
    pods = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in snapshot.items.objects("Pod")]
    assert pods == sorted(pods)


def test_an_update_of_unread_fields_makes_no_new_generation(fake: FakeKube, source: WatchingSource) -> None:
    before = source.snapshot()
    pod = copy.deepcopy(fake.objects[("pods", "default", "web-1")])
    pod["status"]["conditions"][0]["lastTransitionTime"] = "2026-01-01T00:00:00Z"
    pod["metadata"]["annotations"]["new"] = "x"
    fake.update(pod)
    wait_for(lambda: source.snapshot().resource_version == str(fake.resource_version), what="the update")
    assert source.snapshot().generation == before.generation


def test_bookmarks_confirm_the_state_without_a_new_generation(fake: FakeKube, source: WatchingSource) -> None:
    before = source.snapshot()
    fake.bookmark_seconds = 0.1
    wait_for(lambda: source.snapshot().as_of > before.as_of, what="a bookmark")
    after = source.snapshot()
    assert after.generation == before.generation and not after.stale


def test_a_compacted_history_makes_it_list_again(fake: FakeKube, source: WatchingSource) -> None:
    """Reconnecting from a resourceVersion the server no longer has: 410 Gone, then a fresh list."""
    lists = len([1 for _, path, q in fake.requests if path == "/api/v1/pods" and "watch" not in q])
    fake.stop()
    fake.add(_pod("while-away"))
    fake.delete("Pod", "web-2", "default")
    fake.compact()
    fake.start()
    wait_for(
        lambda: "while-away" in _names(source, "Pod") and "web-2" not in _names(source, "Pod"),
        what="the relist",
    )
    gone = [q for _, path, q in fake.requests if path == "/api/v1/pods" and "watch" in q]
    assert (
        gone
        and len([1 for _, path, q in fake.requests if path == "/api/v1/pods" and "watch" not in q]) > lists
    )
    wait_for(lambda: not source.snapshot().stale, what="a current state")


def test_server_down_at_start_then_up(tmp_path: Path) -> None:
    fake = FakeKube(objects())
    fake.start()
    kubeconfig = fake.kubeconfig(tmp_path / "kc")
    fake.stop()
    source = watching(kubeconfig)
    try:
        wait_for(lambda: "connection refused" in source.status()[1], what="the refusal")
        ready, reason = source.status()
        assert not ready and reason.startswith(f"cannot reach the Kubernetes API server at {fake.url}")
        with pytest.raises(ClusterUnavailable):
            source.snapshot()
        client = _app(source).test_client()
        readyz = client.get("/readyz")
        assert readyz.status_code == 503 and "connection refused" in readyz.get_json()["detail"]
        live = client.get("/v1/cluster/fit?cpu=1")
        assert live.status_code == 503 and live.mimetype == "application/problem+json"
        assert "connection refused" in live.get_json()["detail"]
        assert client.get("/v1/quantity?value=1Gi").status_code == 200  # the offline API works
        assert client.get("/v1/fit?cpu=1&node=n1,2,4Gi,10").status_code == 200
        fake.start()
        assert source.wait_ready(10), source.status()
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/cluster/fit?cpu=1").status_code == 200
    finally:
        source.close()
        fake.stop()


def test_server_gone_mid_run_answers_from_the_last_state_marked_stale(
    fake: FakeKube, source: WatchingSource
) -> None:
    client = _app(source).test_client()
    assert client.get("/v1/cluster/fit?cpu=1").get_json()["stale"] is False
    fake.stop()
    wait_for(lambda: source.snapshot().stale, what="staleness")
    answer = client.get("/v1/cluster/fit?cpu=1")
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["stale"] is True and document["feasible"]
    assert document["stale_reason"].startswith("cannot reach the Kubernetes API server")
    assert isinstance(document["age_seconds"], int)
    assert answer.headers["Cluster-Stale"] == "true" and answer.headers["ETag"].endswith('-stale"')
    readyz = client.get("/readyz")
    assert readyz.status_code == 200 and "stale" in readyz.get_json()["detail"]
    fake.start()
    wait_for(lambda: not source.snapshot().stale, what="reconnection")
    assert client.get("/v1/cluster/fit?cpu=1").get_json()["stale"] is False


def test_a_silent_watch_is_noticed(fake: FakeKube, source: WatchingSource) -> None:
    """A watch the server accepts but never feeds (no events, no bookmarks, no end) times out: stale."""
    fake.stall_watches = True
    wait_for(lambda: source.snapshot().stale, seconds=15, what="the silent watch being noticed")
    assert "no answer in time" in source.snapshot().stale_reason
    fake.stall_watches = False
    fake.add(_pod("after-the-silence"))
    wait_for(
        lambda: "after-the-silence" in _names(source, "Pod") and not source.snapshot().stale, what="recovery"
    )


def test_nothing_confirmed_for_too_long_is_stale(fake: FakeKube, kubeconfig: Path) -> None:
    settings = LiveSettings(
        page_size=3, watch_seconds=30, stale_seconds=0.5, connect_seconds=1, read_seconds=5
    )
    source = watching(kubeconfig, settings)
    try:
        assert source.wait_ready(10)
        fake.stall_watches = True
        wait_for(lambda: source.snapshot().stale, what="the bound passing")
        assert "confirmed nothing for" in source.snapshot().stale_reason
    finally:
        fake.stall_watches = False
        fake.stop()
        source.close()


def test_rbac_denial_is_not_ready_with_what_is_missing(fake: FakeKube, kubeconfig: Path) -> None:
    fake.forbidden["pods"] = {"list", "watch"}
    source = watching(kubeconfig)
    try:
        wait_for(lambda: "forbidden" in source.status()[1], what="the denial")
        ready, reason = source.status()
        assert not ready
        assert (
            "cannot list pods at the cluster scope: the kubeconfig's user needs get/list/watch on pods"
            in reason
        )
        client = _app(source).test_client()
        answer = client.get("/v1/cluster/nodes/n1/allocated")
        assert answer.status_code == 503 and "needs get/list/watch on pods" in answer.get_json()["detail"]
        assert client.get("/readyz").status_code == 503
        fake.forbidden.clear()
        assert source.wait_ready(10)
    finally:
        source.close()


def test_a_denied_optional_kind_leaves_the_rest_ready(fake: FakeKube, kubeconfig: Path) -> None:
    fake.forbidden["daemonsets"] = {"list", "watch"}
    source = watching(kubeconfig)
    try:
        assert source.wait_ready(10)
        wait_for(lambda: "daemonsets" in source.status()[1], what="the note")
        ready, reason = source.status()
        assert ready and 'cannot list daemonsets in API group "apps" at the cluster scope' in reason
    finally:
        source.close()


def test_bad_credentials_are_not_ready_and_say_so(tmp_path: Path) -> None:
    with FakeKube(objects(), token="right") as fake:
        source = watching(fake.kubeconfig(tmp_path / "kc", token="wrong"))
        try:
            wait_for(lambda: "401" in source.status()[1], what="the refusal")
            assert "refused the credentials of the kubeconfig's user (401 Unauthorized)" in source.status()[1]
            assert _app(source).test_client().get("/v1/cluster").status_code == 503
        finally:
            source.close()


def test_a_closed_source_stops_its_threads(kubeconfig: Path) -> None:
    source = watching(kubeconfig, FAST)
    assert source.wait_ready(10)
    source.close(timeout=5)
    assert not any(thread.is_alive() for thread in source.threads)
