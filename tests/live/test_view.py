"""The per-generation view: built once, reusing unchanged pods, never making a request wait for a rebuild."""

from __future__ import annotations

import datetime as dt

from quantities.live.source import Items, Snapshot
from quantities.live.trim import trim
from quantities.live.view import Views, build_view
from quantities.options import Options
from tests.live.cluster_data import objects

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _snapshot(generation: int, drop: str | None = None) -> Snapshot:
    kept = [trim(o["kind"], o) for o in objects() if o["metadata"]["name"] != drop]
    return Snapshot(Items.of(kept), str(generation), NOW, False, generation)


def test_a_view_is_built_once_per_generation() -> None:
    views = Views()
    first = views.view(_snapshot(1), Options())
    assert views.view(_snapshot(1), Options()) is first
    assert [node.name for node in first.nodes] == ["n1", "n2", "n3", "n4"]
    assert set(first.pod_items) == {"n1", "n2", "n3"}  # the pending pod is bound to no node


def test_unchanged_pods_are_not_read_again() -> None:
    first = build_view(_snapshot(1), Options())
    second = build_view(_snapshot(2, drop="web-2"), Options(), first.memo)
    assert len(second.pods) == len(first.pods) - 1
    reused = {id(info) for info in first.pods} & {id(info) for info in second.pods}
    assert len(reused) == len(second.pods)


def test_requests_answer_from_the_previous_view_while_a_newer_one_is_built() -> None:
    views = Views()
    first = views.view(_snapshot(1), Options())
    views._lock.acquire()  # another request is building
    try:
        assert views.view(_snapshot(2, drop="web-1"), Options()) is first
    finally:
        views._lock.release()
    second = views.view(_snapshot(2, drop="web-1"), Options())
    assert second.generation == 2 and len(second.pods) == len(first.pods) - 1


def test_each_release_has_its_view() -> None:
    views = Views()
    old = views.view(_snapshot(1), Options.of(kubernetes_version="1.30"))
    new = views.view(_snapshot(1), Options.of(kubernetes_version="1.36"))
    assert old is not new and str(old.options.version) == "1.30"
