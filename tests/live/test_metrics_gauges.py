"""The numbers /metrics exports, computed in the library: the overview's and max_replicas' own figures."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quantities.capacity.metrics as metrics_module
from quantities.capacity.headroom import max_replicas_detail, stranded_capacity
from quantities.capacity.metrics import GaugeMemo, cluster_gauges, unit_of
from quantities.capacity.overview import capacity_overview
from quantities.capacity.probes import parse_probe_shapes
from quantities.manifest.compact import read_pod_requests
from quantities.options import Options
from quantities.pod.workloads import workload_from_row
from quantities.quantity.quantity import Quantity
from quantities.scheduler.fit import make_snapshot
from quantities.scheduler.plan import max_replicas
from tests.kind_cluster import node, pod

SHAPES = parse_probe_shapes("web=500m/1Gi,batch=2/8Gi,tiny=0/0")
RELEASE = "1.32"


def _node(name: str, cpu: str, memory: str, pods: str = "110", **extra: Any) -> dict[str, Any]:
    taints = extra.pop("taints", None)
    unschedulable = extra.pop("unschedulable", False)
    allocatable = {"cpu": cpu, "memory": memory, "pods": pods, **extra}
    return node(name, allocatable, taints=taints, unschedulable=unschedulable)


def cluster() -> list[dict[str, Any]]:
    return [
        _node("a", "4", "8Gi"),
        _node("b", "2", "16Gi", "5", **{"nvidia.com/gpu": "2"}),
        _node("c", "8", "8Gi", taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}]),
        _node("d", "4", "4Gi", unschedulable=True),
        pod("default", "p1", "500m", "1", "1Gi", "2Gi", "a"),
        pod("default", "p2", "1", None, "3Gi", None, "a"),
        pod("default", "p3", "1500m", None, None, "1Gi", "b"),
        pod("default", "done", "3", None, None, None, "a", phase="Succeeded"),
        pod("default", "pending", "1", None, None, None, None, phase="Pending"),
        pod("kube-system", "ds", "100m", None, "100Mi", None, "c"),
        pod("default", "ghost", "1", None, None, None, "no-such-node"),
    ]


def _fraction(text: str) -> Fraction:
    return Quantity(text).to_fraction()


def test_every_node_figure_is_the_overviews() -> None:
    objects = cluster()
    gauges = cluster_gauges(objects, SHAPES, kubernetes_version=RELEASE)
    nodes = [o for o in objects if o["kind"] == "Node"]
    pods = [o for o in objects if o["kind"] == "Pod"]
    overview = capacity_overview(nodes, pods, kubernetes_version=RELEASE).to_json()
    assert [n.name for n in gauges.nodes] == [n["name"] for n in overview["nodes"]]
    for row, expected in zip(gauges.nodes, overview["nodes"], strict=True):
        assert row.schedulable == expected["schedulable"]
        pods_gauge = row.resource("pods")
        assert pods_gauge is not None and pods_gauge.limits is None
        assert (pods_gauge.allocatable, pods_gauge.requests, pods_gauge.free) == (
            expected["pods"]["allocatable"], expected["pods"]["used"], expected["pods"]["free"],
        )  # fmt: skip
        for gauge in row.resources[1:]:
            figures = expected[gauge.resource]
            assert gauge.allocatable == _fraction(figures["allocatable"])
            assert gauge.requests == _fraction(figures["requests"])
            assert gauge.limits == _fraction(figures["limits"])
            assert gauge.free == _fraction(figures["free"])
    total = {gauge.resource: gauge for gauge in gauges.total}
    for resource, figures in overview["total"].items():
        if resource in ("nodes", "schedulable_nodes"):
            continue
        if resource == "pods":
            assert (total["pods"].allocatable, total["pods"].requests, total["pods"].free) == (
                figures["allocatable"], figures["used"], figures["free"],
            )  # fmt: skip
            continue
        assert total[resource].free == _fraction(figures["free"]), resource
        assert total[resource].allocatable == _fraction(figures["allocatable"])
    assert gauges.schedulable_nodes == overview["total"]["schedulable_nodes"] == 2
    assert gauges.kubernetes_version == RELEASE


def test_the_figures_are_exact_numbers_in_base_units() -> None:
    gauges = cluster_gauges(cluster(), kubernetes_version=RELEASE)
    a = gauges.nodes[0]
    assert a.resource("cpu") is not None and a.resource("cpu").requests == Fraction(3, 2)  # type: ignore[union-attr]
    assert a.resource("memory").requests == 4 * 2**30  # type: ignore[union-attr]
    assert a.resource("pods").requests == 2  # type: ignore[union-attr]  # the terminated pod does not count
    assert [unit_of(g.resource) for g in a.resources][:3] == ["integer", "core", "byte"]


def test_headroom_is_max_replicas_of_the_query_pod() -> None:
    """One definition: the number is what GET /v1/capacity/max-replicas?cpu=&memory= answers."""
    objects = cluster()
    nodes = [o for o in objects if o["kind"] == "Node"]
    pods = [o for o in objects if o["kind"] == "Pod"]
    gauges = cluster_gauges(objects, SHAPES, kubernetes_version=RELEASE)
    for shape, headroom in zip(SHAPES, gauges.headroom, strict=True):
        query = dict(workload_from_row(read_pod_requests(str(shape.cpu), str(shape.memory))).pod)
        detail = max_replicas_detail(query, nodes, pods, kubernetes_version=RELEASE)
        assert headroom.shape == shape
        assert headroom.total == detail.total == max_replicas(query, nodes, pods, kubernetes_version=RELEASE)
        assert headroom.per_node == tuple((n.name, n.replicas) for n in detail.nodes)
        stranded = stranded_capacity(detail).total
        assert dict(headroom.stranded) == {r: _fraction(amount) for r, amount in stranded.items()}
    web = gauges.headroom[0]
    # a: 4 cpu - 1.5 = 2.5 -> 5 by cpu, memory 8Gi - 4Gi = 4Gi -> 4 (binding); b: 5 slots - 1 pod... and
    # 2 - 1.5 cpu = 500m -> 1; c tainted, d cordoned: 0.
    assert dict(web.per_node) == {"a": 4, "b": 1, "c": 0, "d": 0}
    assert dict(gauges.headroom[2].per_node) == {"a": 108, "b": 4, "c": 0, "d": 0}


def test_a_given_scheduler_snapshot_gives_the_same_numbers() -> None:
    objects = cluster()
    nodes = [o for o in objects if o["kind"] == "Node"]
    pods = [o for o in objects if o["kind"] == "Pod"]
    built = cluster_gauges(objects, SHAPES, kubernetes_version=RELEASE)
    given_snapshot = make_snapshot(nodes, pods, options=Options.of(RELEASE))
    assert cluster_gauges(objects, SHAPES, scheduler=given_snapshot, kubernetes_version=RELEASE) == built


def test_no_nodes_no_numbers() -> None:
    gauges = cluster_gauges([], SHAPES)
    assert gauges.nodes == () and gauges.schedulable_nodes == 0
    assert [h.total for h in gauges.headroom] == [0, 0, 0]
    assert [g.resource for g in gauges.total] == ["pods"]


def test_other_kinds_are_ignored() -> None:
    objects = [*cluster(), {"kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "default"}},
               {"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": {"name": "ds"}}]  # fmt: skip
    assert cluster_gauges(objects, SHAPES) == cluster_gauges(cluster(), SHAPES)


def test_objects_no_api_server_could_store_are_left_out_and_said() -> None:
    objects = cluster()
    objects.append(pod("default", "odd", "1", None, None, None, "a"))
    objects[-1]["spec"]["containers"] = "not a list"
    metadata = {"name": "bad-node-name", "namespace": "x"}
    objects.append({"kind": "Pod", "metadata": metadata, "spec": {"nodeName": 5}})
    broken = _node("e", "4", "8Gi")
    broken["status"]["allocatable"]["cpu"] = {"not": "a quantity"}
    objects.append(broken)
    objects.append(_node("a", "1", "1Gi"))  # a second node "a"
    gauges = cluster_gauges(objects, SHAPES, kubernetes_version=RELEASE)
    assert cluster_gauges(cluster(), SHAPES, kubernetes_version=RELEASE) == gauges.__class__(
        gauges.kubernetes_version, gauges.nodes, gauges.total, gauges.schedulable_nodes, gauges.headroom
    )
    sources = [problem.source for problem in gauges.skipped]
    assert any('"default/odd"' in s for s in sources)
    assert any('"x/bad-node-name"' in s for s in sources)
    assert any('Node "e"' in s for s in sources)
    assert any('node "a" is listed twice' in p.message for p in gauges.skipped)


class EncodedItems(Sequence[Mapping[str, Any]]):
    """The shape of a live snapshot's items: compact JSON per object, grouped by kind, decoded on reading."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        order = {"Node": 0, "Pod": 1}
        ordered = sorted(objects, key=lambda o: order.get(o["kind"], 2))
        self.texts = [json.dumps(o, separators=(",", ":")).encode() for o in ordered]
        self.kinds = [o["kind"] for o in ordered]
        self.reads = 0

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, position: Any) -> Any:
        self.reads += 1
        return json.loads(self.texts[position])

    def encoded(self, position: int) -> bytes:
        return self.texts[position]

    def span(self, kind: str) -> range:
        positions = [i for i, k in enumerate(self.kinds) if k == kind]
        return range(positions[0], positions[-1] + 1) if positions else range(0)


def test_encoded_items_give_the_same_numbers_and_a_memo_reads_only_what_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    objects, changed = cluster(), cluster()
    changed[6]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1"  # pod p3, on node b
    expected, expected_changed = cluster_gauges(objects, SHAPES), cluster_gauges(changed, SHAPES)
    memo = GaugeMemo()
    assert cluster_gauges(EncodedItems(objects), SHAPES, memo=memo) == expected
    calls: list[str] = []
    original = metrics_module.capacity_overview

    def counting(nodes: Any, pods: Any = (), **keywords: Any) -> Any:
        calls.append(nodes[0]["metadata"]["name"])
        return original(nodes, pods, **keywords)

    monkeypatch.setattr(metrics_module, "capacity_overview", counting)
    # The same state again: no node computed, no pod read (the 4 nodes are read for their names).
    again = EncodedItems(objects)
    assert cluster_gauges(again, SHAPES, memo=memo) == expected
    assert calls == [] and again.reads == 4
    # One pod changes on node b: only b is computed again, only that pod read (and b's other pods).
    third = EncodedItems(changed)
    assert cluster_gauges(third, SHAPES, memo=memo) == expected_changed
    assert calls == ["b"]


NODE_ROWS = st.lists(
    st.tuples(st.sampled_from(["1", "2", "4", "3500m"]), st.sampled_from(["1Gi", "4Gi", "8Gi"]),
              st.sampled_from(["3", "10", "110"]), st.booleans()),
    min_size=1, max_size=4,
)  # fmt: skip
POD_ROWS = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from([None, "100m", "500m", "1"]),
              st.sampled_from([None, "128Mi", "1Gi"]), st.sampled_from(["Running", "Pending", "Failed"])),
    max_size=12,
)  # fmt: skip


def _objects(
    nodes: list[tuple[str, str, str, bool]], pods: list[tuple[int, Any, Any, str]]
) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = [
        _node(f"n{i}", cpu, memory, slots, unschedulable=cordoned)
        for i, (cpu, memory, slots, cordoned) in enumerate(nodes)
    ]
    for j, (where, cpu, memory, phase) in enumerate(pods):
        objects.append(pod("default", f"p{j}", cpu, None, memory, None, f"n{where}", phase=phase))
    return objects


@settings(max_examples=25, deadline=None)
@given(NODE_ROWS, POD_ROWS, POD_ROWS)
def test_a_memo_never_changes_the_numbers(
    nodes: list[tuple[str, str, str, bool]],
    before: list[tuple[int, Any, Any, str]],
    after: list[tuple[int, Any, Any, str]],
) -> None:
    """Adds, updates and deletes between two states: the memo's answer is the fresh answer."""
    memo = GaugeMemo()
    first, second = _objects(nodes, before), _objects(nodes, after)
    assert cluster_gauges(EncodedItems(first), SHAPES, memo=memo) == cluster_gauges(first, SHAPES)
    assert cluster_gauges(EncodedItems(second), SHAPES, memo=memo) == cluster_gauges(second, SHAPES)
    assert cluster_gauges(second, SHAPES, memo=memo) == cluster_gauges(second, SHAPES)
    # Another release reads afresh.
    assert cluster_gauges(second, SHAPES, memo=memo, kubernetes_version="1.28") == cluster_gauges(
        second, SHAPES, kubernetes_version="1.28"
    )
