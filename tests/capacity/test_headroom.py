"""max-replicas in detail (per node, the binding resource) and stranded capacity."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.capacity.headroom import max_replicas_detail, stranded_capacity
from quantities.node.compact import compact_node
from quantities.scheduler.fit import make_snapshot
from quantities.scheduler.framework.podinfo import pod_info
from quantities.scheduler.plan import max_replicas
from quantities.scheduler.plugins.noderesources.fit import insufficient_resources

SETTINGS = settings(max_examples=40, deadline=None)


def _pod(requests: dict[str, str], **spec: Any) -> dict[str, Any]:
    # Extended resources cannot be overcommitted: their limit equals the request.
    limits = {name: value for name, value in requests.items() if "/" in name}
    container = {"name": "c", "resources": {"requests": requests, "limits": limits}}
    return {
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [container], **spec},
    }


GPU = "nvidia.com/gpu"


# Rows: (node, pod requests, replicas, binding resource, reason).
ROWS: list[tuple[Any, dict[str, str], int, str | None, str | None]] = [
    (compact_node("n", cpu="4", memory="4Gi"), {"cpu": "1", "memory": "2Gi"}, 2, "memory", None),
    (compact_node("n", cpu="2", memory="8Gi"), {"cpu": "1", "memory": "2Gi"}, 2, "cpu", None),
    # A tie: cpu and memory both run out at 2 copies; the fit plugin checks cpu first.
    (compact_node("n", cpu="2", memory="4Gi"), {"cpu": "1", "memory": "2Gi"}, 2, "cpu", None),
    # Pods first: the slots run out at the same count as cpu.
    (compact_node("n", cpu="3", memory="8Gi", pods=3), {"cpu": "1"}, 3, "pods", None),
    (compact_node("n", cpu="8", memory="8Gi", pods=3), {"cpu": "1"}, 3, "pods", None),
    # Nothing requested: only the pod slots bind.
    (compact_node("n", cpu="1", memory="1Gi", pods=5), {}, 5, "pods", None),
    # No room at all: the resource the first copy lacks.
    (compact_node("n", cpu="1", memory="8Gi"), {"cpu": "2"}, 0, "cpu", None),
    # Extended resources after the standard ones, by name.
    (compact_node("n", cpu="8", memory="8Gi", **{GPU: 2}), {"cpu": "1", GPU: "1"}, 2, GPU, None),
    (compact_node("n", cpu="8", memory="8Gi"), {GPU: "1"}, 0, GPU, None),
    # Something other than a resource blocks the node: null, with the scheduler's reason.
    (compact_node("n", cpu="8", memory="8Gi", taints="gpu=true:NoSchedule"), {"cpu": "1"}, 0, None,
     "node(s) had untolerated taint {gpu: true}"),
    (compact_node("n", cpu="8", memory="8Gi", labels="disk=hdd"), {"cpu": "1"}, 0, None,
     "node(s) didn't match Pod's node affinity/selector"),
]  # fmt: skip


@pytest.mark.parametrize(("node", "requests", "replicas", "binding", "reason"), ROWS)
def test_rows(
    node: Any, requests: dict[str, str], replicas: int, binding: str | None, reason: str | None
) -> None:
    spec = {"nodeSelector": {"disk": "ssd"}} if "disk" in node.labels else {}
    detail = max_replicas_detail(_pod(requests, **spec), [node], kubernetes_version="1.32")
    (row,) = detail.nodes
    assert (row.replicas, row.binding_resource, row.reason) == (replicas, binding, reason)
    assert detail.total == replicas


def test_cordoned_node_reason() -> None:
    node = compact_node("n", cpu="8", memory="8Gi")
    cordoned = {"kind": "Node", "metadata": {"name": "c"}, "spec": {"unschedulable": True},
                "status": {"allocatable": {"cpu": "8", "memory": "8Gi", "pods": "110"}}}  # fmt: skip
    detail = max_replicas_detail(_pod({"cpu": "1"}), [node, cordoned], kubernetes_version="1.32")
    assert [(n.replicas, n.binding_resource, n.reason) for n in detail.nodes] == [
        (8, "cpu", None),
        (0, None, "node(s) were unschedulable"),
    ]


def test_copies_that_spread_are_placed_one_by_one() -> None:
    # One copy per host: the second copy on a node is blocked by the spread, not by a resource.
    host = "kubernetes.io/hostname"
    nodes = [compact_node(f"n{i}", cpu="8", memory="8Gi", labels=f"{host}=n{i}") for i in range(3)]
    term = {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": host}
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    detail = max_replicas_detail(_pod({"cpu": "1"}, affinity=anti), nodes, kubernetes_version="1.32")
    assert detail.total == 3
    assert [(n.replicas, n.binding_resource) for n in detail.nodes] == [(1, None)] * 3
    assert detail.nodes[0].reason == "node(s) didn't match pod anti-affinity rules"


def test_the_cli_contract_shape() -> None:
    detail = max_replicas_detail(_pod({"cpu": "1"}), [compact_node("n", cpu="2", memory="1Gi")])
    answer = detail.to_json()
    assert answer["total"] == 2
    assert answer["nodes"] == [{"name": "n", "replicas": 2, "binding_resource": "cpu", "reason": None}]
    assert answer["kubernetes_version"] and "binding_resource" in answer["explanation"]


def test_stranded_is_what_the_copies_leave() -> None:
    nodes = [compact_node("a", cpu="4", memory="16Gi"), compact_node("b", cpu="8", memory="4Gi", pods=2)]
    stranded = stranded_capacity(max_replicas_detail(_pod({"cpu": "1", "memory": "2Gi"}), nodes))
    a, b = stranded.nodes
    assert (a.replicas, a.binding_resource, a.stranded["cpu"], a.stranded["memory"]) == (4, "cpu", "0", "8Gi")
    assert (b.replicas, b.binding_resource, b.stranded["cpu"], b.stranded["memory"]) == (2, "pods", "6", "0")
    assert stranded.total["memory"] == "8Gi" and stranded.total["cpu"] == "6"


cpus = st.integers(0, 8000)
memories = st.integers(0, 16)


@st.composite
def clusters(draw: st.DrawFn) -> tuple[list[Any], list[dict[str, Any]], dict[str, Any]]:
    count = draw(st.integers(1, 4))
    nodes = [
        compact_node(
            f"n{i}", cpu=f"{draw(cpus)}m", memory=f"{draw(memories)}Gi", pods=draw(st.integers(0, 12)),
            taints="x=y:NoSchedule" if draw(st.integers(0, 5)) == 0 else "",
        )
        for i in range(count)
    ]  # fmt: skip
    pods = [
        {"kind": "Pod", "metadata": {"name": f"p{j}", "namespace": "d"},
         "spec": {"nodeName": f"n{draw(st.integers(0, count - 1))}",
                  "containers": [{"name": "c", "resources": {"requests": {"cpu": f"{draw(cpus) // 4}m"}}}]}}
        for j in range(draw(st.integers(0, 6)))
    ]  # fmt: skip
    requests = {"cpu": f"{draw(st.integers(0, 3000))}m", "memory": f"{draw(st.integers(0, 4))}Gi"}
    return nodes, pods, _pod({k: v for k, v in requests.items() if not v.startswith("0")})


@SETTINGS
@given(clusters())
def test_per_node_counts_add_up_to_max_replicas_and_bind_where_the_next_copy_fails(
    cluster: tuple[list[Any], list[dict[str, Any]], dict[str, Any]],
) -> None:
    nodes, pods, proposal = cluster
    detail = max_replicas_detail(proposal, nodes, pods, kubernetes_version="1.32")
    assert sum(n.replicas for n in detail.nodes) == detail.total == max_replicas(proposal, nodes, pods)
    info = pod_info(proposal)
    snapshot = make_snapshot(nodes, pods)
    for row, node in zip(detail.nodes, snapshot.node_infos, strict=True):
        if row.binding_resource is None:
            assert row.replicas == 0 and row.reason
            continue
        for _ in range(row.replicas):
            node.add_pod(info)
        # With its copies on, the node refuses the next one first for the binding resource.
        missing = insufficient_resources(info, node)
        assert missing and missing[0].resource == row.binding_resource
    stranded = stranded_capacity(detail)
    for node_row in stranded.nodes:
        assert set(node_row.free) == set(node_row.stranded) >= {"pods", "cpu", "memory"}
