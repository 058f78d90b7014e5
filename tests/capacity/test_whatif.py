"""What-ifs: drain a node, lose the largest nodes, lose a zone; who reschedules, who does not, and why."""

from __future__ import annotations

from typing import Any

import pytest

from quantities.capacity.whatif import what_if
from quantities.manifest.problems import ManifestError
from tests.kind_cluster import node

ZONE = "topology.kubernetes.io/zone"


def _node(name: str, cpu: str, zone: str = "a", **spec: Any) -> dict[str, Any]:
    made = node(name, allocatable={"cpu": cpu, "memory": "16Gi", "pods": "110"}, labels={ZONE: zone})
    made["spec"].update(spec)
    return made


def _pod(name: str, on: str, cpu: str, owner: str | None = "ReplicaSet", **spec: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": "shop"}
    if owner == "mirror":
        metadata["annotations"] = {"kubernetes.io/config.mirror": "x"}
    elif owner is not None:
        metadata["ownerReferences"] = [{"kind": owner, "name": f"{name}-owner", "controller": True}]
    containers = [{"name": "c", "image": "i", "resources": {"requests": {"cpu": cpu}}}]
    return {"kind": "Pod", "metadata": metadata, "spec": {"nodeName": on, "containers": containers, **spec},
            "status": {"phase": "Running"}}  # fmt: skip


NODES = [_node("a1", "4", "a"), _node("a2", "2", "a"), _node("b1", "8", "b")]

# Rows: (pods, scenario, expected (pod, outcome, node) rows, all rescheduled).
ROWS: list[tuple[list[dict[str, Any]], dict[str, Any], list[tuple[str, str, str | None]], bool]] = [
    ([_pod("web", "a1", "1")], {"drain": ["a1"]}, [("shop/web", "rescheduled", "b1")], True),
    # The highest score wins: one cpu leaves more of b1 free (LeastAllocated).
    ([_pod("web", "a2", "1")], {"drain": ["a2"]}, [("shop/web", "rescheduled", "b1")], True),
    # Equal scores: the first node in input order.
    ([_pod("web", "a2", "1"), _pod("db", "b1", "1")], {"drain": ["a2"]},
     [("shop/web", "rescheduled", "a1")], True),
    # Too big for what is left.
    ([_pod("big", "b1", "6")], {"lose_zone": "b"}, [("shop/big", "pending", None)], False),
    # DaemonSet and static pods go with their node; a bare pod is not recreated.
    ([_pod("ds", "a1", "1", "DaemonSet"), _pod("static", "a1", "1", "mirror"), _pod("bare", "a1", "1", None)],
     {"drain": ["a1"]},
     [("shop/ds", "leaves-with-node", None), ("shop/static", "leaves-with-node", None),
      ("shop/bare", "not-recreated", None)], False),
    # The largest node (most cpu) goes first.
    ([_pod("web", "b1", "1")], {"lose_largest": 1}, [("shop/web", "rescheduled", "a1")], True),
    # Terminated pods are not displaced.
    ([{**_pod("done", "a1", "1"), "status": {"phase": "Succeeded"}}], {"drain": ["a1"]}, [], True),
    # A replacement keeps its own constraints: its node selector only matches zone a.
    ([_pod("pinned", "a1", "1", nodeSelector={ZONE: "a"})], {"lose_zone": "a"},
     [("shop/pinned", "pending", None)], False),
]  # fmt: skip


@pytest.mark.parametrize(("pods", "scenario", "expected", "all_rescheduled"), ROWS)
def test_rows(
    pods: list[dict[str, Any]],
    scenario: dict[str, Any],
    expected: list[tuple[str, str, str | None]],
    all_rescheduled: bool,
) -> None:
    result = what_if(NODES, pods, kubernetes_version="1.32", **scenario)
    assert [(p.pod, p.outcome, p.node) for p in result.pods] == expected
    assert result.all_rescheduled is all_rescheduled


def test_pending_pods_carry_the_schedulers_message() -> None:
    result = what_if(NODES, [_pod("pinned", "a1", "1", nodeSelector={ZONE: "a"})], lose_zone="a",
                     kubernetes_version="1.32")  # fmt: skip
    assert result.pods[0].message == (
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes "
        "are available: 1 Preemption is not helpful for scheduling."
    )
    assert result.removed_nodes == ("a1", "a2") and result.remaining_nodes == 1


def test_higher_priority_reschedules_first() -> None:
    nodes = [_node("a1", "4"), _node("b1", "1", "b")]
    low = _pod("low", "a1", "1", priority=0)
    high = _pod("high", "a1", "1", priority=1000)
    result = what_if(nodes, [low, high], drain=["a1"], kubernetes_version="1.32")
    outcomes = [(p.pod, p.outcome) for p in result.pods]
    assert outcomes == [("shop/low", "pending"), ("shop/high", "rescheduled")]


@pytest.mark.parametrize(
    ("scenario", "path", "fragment"),
    [
        ({"drain": ["b"]}, "drain[0]", 'no node named "b"'),
        ({"lose_zone": "c"}, "lose_zone", 'no node is in zone "c": the zones are "a", "b"'),
        ({}, "scenario", "choose one scenario"),
        ({"drain": ["a1"], "lose_largest": 1}, "scenario", "choose one scenario"),
    ],
)
def test_a_bad_scenario_is_located(scenario: dict[str, Any], path: str, fragment: str) -> None:
    with pytest.raises(ManifestError) as caught:
        what_if(NODES, [], **scenario)
    (problem,) = caught.value.problems
    assert problem.path == path and fragment in problem.message
    if path == "drain[0]":
        assert problem.hint == 'did you mean "b1"?'
