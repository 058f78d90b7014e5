"""check_fit and the FailedScheduling message, worded and ordered as kube-scheduler 1.32 writes it.

Every check here pins Kubernetes 1.32 (the release these messages were taken from); the words of
the other releases are in test_release_messages.py."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from quantities.node.compact import compact_node
from quantities.scheduler.fit import NO_NODES_MESSAGE, check_fit, fit_error_message
from tests.kind_cluster import node, pod, system_pods

#: check_fit as kube-scheduler 1.32 answers.
fit_132 = partial(check_fit, kubernetes_version="1.32")

CONTROL_PLANE_TAINT = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"


def _pod(cpu: str | None = None, memory: str | None = None, **spec: Any) -> dict[str, Any]:
    return pod("default", "incoming", cpu, None, memory, None, node_name=None, **spec)


@pytest.mark.parametrize(
    ("num", "reasons", "absent", "post", "expected"),
    [
        (1, [["Insufficient memory"]], None, None, "0/1 nodes are available: 1 Insufficient memory."),
        (
            3,
            [
                ["Insufficient cpu"],
                ["node(s) had untolerated taint {a: }"],
                ["node(s) had untolerated taint {a: }"],
            ],
            None,
            None,
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {a: }.",
        ),
        # One node, several reasons: each is counted.
        (
            1,
            [["Too many pods", "Insufficient cpu", "Insufficient memory"]],
            None,
            None,
            "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods.",
        ),
        # The count is part of the sorted string: "10 ..." sorts before "2 ...".
        (
            12,
            [["Insufficient cpu"]] * 10 + [["Insufficient memory"]] * 2,
            None,
            None,
            "0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory.",
        ),
        (
            3,
            [["Insufficient cpu"]],
            (2, "node(s) didn't satisfy plugin(s) [NodeAffinity]"),
            "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
            "2 Preemption is not helpful for scheduling.",
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
            "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
            "2 Preemption is not helpful for scheduling.",
        ),
    ],
)
def test_fit_error_message(
    num: int, reasons: list[list[str]], absent: tuple[int, str] | None, post: str | None, expected: str
) -> None:
    assert fit_error_message(num, reasons, absent, post) == expected


def test_reference_insufficient_memory() -> None:
    result = fit_132(
        _pod(memory="5Gi"), [node()], [pod("default", "hog", "10m", "10m", "5Gi", "5Gi"), *system_pods()]
    )
    assert not result.fits
    assert result.message == (
        "0/1 nodes are available: 1 Insufficient memory. "
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )
    (verdict,) = result.nodes
    assert verdict.reasons == ("Insufficient memory",) and verdict.plugin == "NodeResourcesFit"
    memory = next(c for c in verdict.resources if c.resource == "memory")
    # 8029368Ki allocatable - 5410Mi requested = 2489528Ki free; 5Gi asked: 2753352Ki short.
    assert memory.to_json() == {"requested": "5Gi", "free": "2489528Ki", "shortfall": "2753352Ki"}


def test_three_nodes_taints_and_cpu() -> None:
    nodes = [
        node("control-plane", taints=CONTROL_PLANE_TAINT),
        node("worker-1", allocatable={"cpu": "2", "memory": "8Gi", "pods": "110"}),
        node("worker-2", taints=CONTROL_PLANE_TAINT),
    ]
    result = fit_132(_pod(cpu="3"), nodes, [])
    assert result.message == (
        "0/3 nodes are available: 1 Insufficient cpu, "
        "2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )
    assert [n.fits for n in result.nodes] == [False, False, False]
    assert result.to_json()["nodes"][1]["reasons"] == ["Insufficient cpu"]


def test_fits_and_json_shape() -> None:
    result = fit_132(_pod(cpu="1", memory="64Mi"), [node(), node("other")], system_pods())
    data = result.to_json()
    assert data["fits"] is True and data["message"] is None
    assert data["feasible"] == ["kind-control-plane", "other"]
    assert set(data["nodes"][0]) >= {"name", "fits", "reasons", "resources"}
    assert data["nodes"][0]["resources"]["cpu"] == {"requested": "1", "free": "9050m", "shortfall": "0"}
    assert data["nodes"][0]["resources"]["pods"] == {"requested": "1", "free": "101", "shortfall": "0"}
    assert result.csv_rows()[0][:4] == ("kind-control-plane", "true", "", "")


def test_filter_order_stops_at_the_first_failing_plugin() -> None:
    cordoned = node("cordoned", unschedulable=True, taints=CONTROL_PLANE_TAINT)
    result = fit_132(_pod(cpu="100"), [cordoned], [])
    assert result.nodes[0].reasons == ("node(s) were unschedulable",)
    assert result.message is not None
    assert result.message.startswith("0/1 nodes are available: 1 node(s) were unschedulable. ")
    assert result.message.endswith(
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )


def test_preemption_policy_never() -> None:
    result = fit_132(_pod(cpu="20", preemptionPolicy="Never"), [node()], [])
    assert result.message == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
    )


def test_preemption_would_help() -> None:
    low = pod("default", "low", "8", priority=0)
    result = fit_132(_pod(cpu="4", priority=1000), [node()], [low])
    assert result.message == "0/1 nodes are available: 1 Insufficient cpu."
    assert result.preemption_nodes == ("kind-control-plane",)
    # Evicting every lower-priority pod is not enough: the filter's reason is reported.
    result = fit_132(_pod(cpu="12", priority=1000), [node()], [low])
    assert result.message == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "preemption: 0/1 nodes are available: 1 Insufficient cpu."
    )


def test_no_nodes() -> None:
    assert fit_132(_pod(cpu="1"), [], []).message == NO_NODES_MESSAGE


def test_node_selector_and_pinned_node_names() -> None:
    nodes = [node("a", labels={"zone": "x"}), node("b", labels={"zone": "y"}), node("c")]
    result = fit_132(_pod(cpu="20", nodeSelector={"zone": "x"}), nodes, [])
    assert result.message == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )
    pinned = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]}
                ]
            }
        }
    }
    result = fit_132(_pod(cpu="20", affinity=pinned), nodes, [])
    assert result.message == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )
    assert fit_132(_pod(cpu="1", affinity=pinned), nodes, []).feasible == ["b"]


def test_anti_affinity_and_spread_reasons() -> None:
    nodes = [compact_node(n, cpu="4", memory="8Gi", labels={"zone": z}) for n, z in (("a", "1"), ("b", "2"))]
    existing = [pod("default", f"web-{n}", "100m", node_name=n) for n in ("a", "b")]
    for item in existing:
        item["metadata"]["labels"] = {"app": "web"}
    incoming = _pod(cpu="100m")
    incoming["metadata"]["labels"] = {"app": "web"}
    incoming["spec"]["affinity"] = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    result = fit_132(incoming, nodes, existing)
    assert result.message == (
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. "
        "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
    )
    spread = _pod(cpu="100m")
    spread["metadata"]["labels"] = {"app": "web"}
    spread["spec"]["topologySpreadConstraints"] = [
        {
            "maxSkew": 1,
            "topologyKey": "zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "web"}},
        }
    ]
    assert fit_132(spread, nodes, existing[:1]).feasible == ["b"]
    missing = dict(
        spread,
        spec={
            **spread["spec"],
            "topologySpreadConstraints": [
                {**spread["spec"]["topologySpreadConstraints"][0], "topologyKey": "rack"}
            ],
        },
    )
    assert fit_132(missing, nodes, existing[:1]).nodes[0].reasons == (
        "node(s) didn't match pod topology spread constraints (missing required label)",
    )


def test_preemption_removes_a_victim_with_anti_affinity() -> None:
    guard = pod("default", "guard", "100m", priority=0)
    guard["spec"]["affinity"] = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    incoming = _pod(cpu="100m", priority=10)
    incoming["metadata"]["labels"] = {"app": "web"}
    result = fit_132(incoming, [node()], [guard])
    assert result.nodes[0].reasons == ("node(s) didn't satisfy existing pods anti-affinity rules",)
    assert (
        result.message
        == "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules."
    )
    assert result.preemption_nodes == ("kind-control-plane",)
