"""One watcher per service: its state published in a private directory, read lazily by every worker."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from quantities.live.client import RESOURCES
from quantities.live.errors import ClusterUnavailable
from quantities.live.sharing import SharedSource, SnapshotWriter
from quantities.live.source import LiveState, encode
from quantities.live.trim import trim
from tests.fake_kube import FakeKube
from tests.live.cluster_data import objects
from tests.live.conftest import FAST, wait_for
from tests.server import gunicorn


def _state() -> LiveState:
    state = LiveState(RESOURCES, FAST)
    by_kind: dict[str, dict[tuple[str, str], bytes]] = {}
    for obj in objects():
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        by_kind.setdefault(obj["kind"], {})[key] = encode(trim(obj["kind"], obj))
    for resource in RESOURCES:
        state.replace(resource.kind, by_kind.get(resource.kind, {}), "500")
    return state


def test_workers_read_what_the_watcher_publishes(tmp_path: Path) -> None:
    reader = SharedSource(tmp_path)
    assert reader.status() == (False, "the cluster watcher process has not published any state yet")
    state = _state()
    writer = SnapshotWriter(state, tmp_path, min_interval=0)
    writer.publish()
    published = reader.snapshot()
    assert published.items.all_encoded == state.snapshot().items.all_encoded
    assert published.resource_version == "500" and not published.stale
    assert reader.status() == (True, "ready")
    # The items file is what kubectl get -o json prints: a List.
    listed = json.loads((tmp_path / f"items-{published.generation}.json").read_bytes())
    assert listed["kind"] == "List" and len(listed["items"]) == len(objects())


def test_a_new_generation_is_published_and_loaded_once(tmp_path: Path) -> None:
    state = _state()
    writer = SnapshotWriter(state, tmp_path, min_interval=0)
    writer.publish()
    reader = SharedSource(tmp_path)
    first = reader.snapshot()
    assert reader.snapshot().items is first.items  # not read again while the generation stays
    state.apply("Pod", "DELETED", ("default", "web-1"), None, "501")
    writer.publish()
    second = reader.snapshot()
    assert second.generation == first.generation + 1 and len(second.items) == len(first.items) - 1
    assert second.resource_version == "501"
    assert sorted(p.name for p in tmp_path.glob("items-*.json")) == sorted(
        f"items-{g}.json" for g in (first.generation, second.generation)
    )


def test_publishing_is_debounced(tmp_path: Path) -> None:
    state = _state()
    writer = SnapshotWriter(state, tmp_path, min_interval=60)
    writer.publish(now=1000.0)
    generation = SharedSource(tmp_path).snapshot().generation
    state.apply("Pod", "DELETED", ("default", "web-1"), None, "501")
    writer.publish(now=1001.0)
    held = SharedSource(tmp_path).snapshot()
    assert held.generation == generation and held.resource_version == "500"
    writer.publish(now=1061.0)
    assert SharedSource(tmp_path).snapshot().generation == generation + 1


def test_a_silent_watcher_makes_the_state_stale(tmp_path: Path) -> None:
    writer = SnapshotWriter(_state(), tmp_path, min_interval=0)
    writer.publish()
    status = json.loads((tmp_path / "status.json").read_bytes())
    status["written_at"] = time.time() - 3600
    (tmp_path / "status.json").write_text(json.dumps(status))
    snapshot = SharedSource(tmp_path).snapshot()
    assert snapshot.stale and "has published nothing for" in snapshot.stale_reason


def test_not_ready_is_published_with_the_reason(tmp_path: Path) -> None:
    state = LiveState(RESOURCES, FAST)
    state.lost("Pod", ClusterUnavailable("cannot reach the Kubernetes API server at x: connection refused"))
    SnapshotWriter(state, tmp_path).publish()
    reader = SharedSource(tmp_path)
    assert reader.status() == (False, "cannot reach the Kubernetes API server at x: connection refused")
    try:
        reader.snapshot()
    except ClusterUnavailable as error:
        assert "connection refused" in str(error)
    else:
        raise AssertionError("a snapshot without state")


def test_gunicorn_runs_one_watch_for_all_workers(tmp_path: Path) -> None:
    with FakeKube(objects()) as fake:
        environment = {
            "KQ_CLUSTER": "kubeconfig",
            "KUBECONFIG": str(fake.kubeconfig(tmp_path / "kc")),
            "KQ_CLUSTER_PUBLISH_SECONDS": "0",
            "KQ_CLUSTER_WATCH_SECONDS": "2",
            "WEB_CONCURRENCY": "3",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2])
            + os.pathsep
            + os.environ.get("PYTHONPATH", ""),
        }
        with gunicorn(environment=environment) as server:
            wait_for(lambda: server.get("/readyz")[0] == 200, seconds=20, what="readiness")
            fake.delete("Pod", "web-1", "default")

            def generations() -> set[int]:
                return {json.loads(server.get("/v1/cluster")[1])["generation"] for _ in range(12)}

            wait_for(
                lambda: (
                    len(generations()) == 1
                    and json.loads(server.get("/v1/cluster")[1])["objects"]["Pod"] == 8
                ),
                seconds=15,
                what="every worker on the newest generation",
            )
            code, body = server.get("/v1/cluster/nodes/n1/allocated?format=text")
            assert code == 200 and b"web-1" not in body and b"db-0" in body
        lists = [q for _, path, q in fake.requests if path == "/api/v1/pods" and "watch" not in q]
        assert len(lists) == 1  # one list of the pods for three workers
