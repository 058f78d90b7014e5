"""A cluster source whose objects a test sets, for the /metrics tests (a quantities.live.ClusterSource).

``snapshot()`` gives a :class:`quantities.live.Snapshot` of the objects, trimmed as the watching
source trims them; its ``generation`` changes when the objects do. :meth:`StaticCluster.replace`
moves to a new state; :meth:`StaticCluster.fail` makes ``snapshot()`` raise
:class:`~quantities.live.ClusterUnavailable` as a source without state does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from quantities.live import ClusterUnavailable, Snapshot
from quantities.live.source import Items
from quantities.live.trim import trim


class StaticCluster:
    def __init__(
        self, objects: Sequence[Mapping[str, Any]], *, stale: bool = False, as_of: dt.datetime | None = None
    ) -> None:
        self.generation = 0
        self.stale = stale
        self.failure: str | None = None
        self.replace(objects, as_of)

    def replace(self, objects: Sequence[Mapping[str, Any]], as_of: dt.datetime | None = None) -> None:
        self.generation += 1
        self.objects = [dict(o) for o in objects]
        self.as_of = as_of or dt.datetime.now(dt.UTC)

    def fail(self, reason: str | None) -> None:
        self.failure = reason

    def snapshot(self) -> Snapshot:
        if self.failure is not None:
            raise ClusterUnavailable(self.failure)
        items = Items.of(trim(o["kind"], o) for o in self.objects)
        return Snapshot(items, str(1000 + self.generation), self.as_of, self.stale, self.generation)

    def status(self) -> tuple[bool, str]:
        return (False, self.failure) if self.failure is not None else (True, "ready")


def node(name: str, cpu: str, memory: str, pods: str = "110", **spec: Any) -> dict[str, Any]:
    return {
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": spec,
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}},
    }


def pod(name: str, node_name: str | None, cpu: str, memory: str, phase: str = "Running") -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]
    }
    if node_name:
        spec["nodeName"] = node_name
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
        "status": {"phase": phase},
    }


def low_headroom_cluster() -> list[dict[str, Any]]:
    """Two small nodes nearly full: 2 more "web" pods (500m/1Gi) fit, fewer than the alert's 3."""
    return [
        node("node-a", "2", "4Gi"),
        node("node-b", "2", "4Gi"),
        node("node-c", "8", "32Gi", unschedulable=True),
        pod("busy-a", "node-a", "1500m", "3Gi"),
        pod("busy-b", "node-b", "1500m", "1Gi"),
        pod("waiting", None, "1", "1Gi", phase="Pending"),
    ]


def from_environment() -> StaticCluster:
    """The source of the gunicorn tests' app: the objects in the JSON file KQ_TEST_OBJECTS names.

    Every worker builds its own, as of the file's time: one shared state, as the workers of a
    service share the watcher's (same generation, same as_of)."""
    path = os.environ["KQ_TEST_OBJECTS"]
    as_of = dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.UTC)
    with open(path, encoding="utf-8") as handle:
        return StaticCluster(json.load(handle), as_of=as_of)
