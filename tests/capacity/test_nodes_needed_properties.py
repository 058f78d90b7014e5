"""Invariants of nodes_needed on random small inputs (hypothesis, bounded; derandomized under CI):
a plan never over-commits a node, places every replica, uses at least the resource lower bound and at
most cluster-autoscaler's first-fit-decreasing count, and that count is a plain first fit decreasing."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantities.capacity.nodes_needed import NodesNeeded, nodes_needed
from quantities.node.compact import compact_node
from quantities.pod.workloads import compact_workload
from quantities.quantity.quantity import parse_quantity

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CPUS = ("100m", "250m", "500m", "1", "1500m", "2")
MEMORIES = ("128Mi", "512Mi", "1Gi", "2Gi", "4Gi")
_DAEMONSET = {
    "kind": "DaemonSet",
    "metadata": {"name": "agent"},
    "spec": {
        "template": {
            "spec": {
                "containers": [{"name": "c", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]
            }
        }
    },
}


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    template = {
        "cpu": draw(st.sampled_from(("2", "4", "8"))),
        "memory": draw(st.sampled_from(("4Gi", "8Gi", "16Gi"))),
        "pods": draw(st.integers(3, 30)),
    }
    shapes = []
    for number in range(draw(st.integers(1, 4))):
        shapes.append(
            {
                "name": f"w{number}",
                "replicas": draw(st.integers(0, 8)),
                "cpu": draw(st.sampled_from(CPUS)),
                "memory": draw(st.sampled_from(MEMORIES)),
            }
        )
    return {
        "template": template,
        "shapes": shapes,
        "daemonset": draw(st.booleans()),
        "existing": draw(st.none() | st.sampled_from(("1", "2"))),
    }


def _solve(problem: dict[str, Any]) -> NodesNeeded:
    t = problem["template"]
    existing = []
    if problem["existing"] is not None:
        existing = [compact_node("old", cpu=problem["existing"], memory="2Gi")]
    return nodes_needed(
        [compact_workload(shape) for shape in problem["shapes"]],
        [f"t,{t['cpu']},{t['memory']},{t['pods']}"],
        existing,
        daemonsets=[_DAEMONSET] if problem["daemonset"] else [],
    )


def _amount(text: str) -> Fraction:
    return parse_quantity(text).to_fraction()


def _fits_a_new_node(problem: dict[str, Any], shape: dict[str, Any]) -> bool:
    """Whether one replica fits a new node beside the DaemonSet pod (100m, 128Mi), when there is one."""
    t = problem["template"]
    cpu, memory = (Fraction("0.1"), _amount("128Mi")) if problem["daemonset"] else (Fraction(0), Fraction(0))
    return _amount(shape["cpu"]) + cpu <= _amount(t["cpu"]) and _amount(shape["memory"]) + memory <= _amount(
        t["memory"]
    )


@given(problems())
@SETTINGS
def test_a_plan_never_over_commits_a_node_and_places_every_replica(problem: dict[str, Any]) -> None:
    result = _solve(problem)
    placed = {w.name: w.placed for w in result.plan.workloads if w.kind != "DaemonSet"}
    unplaceable = {name: count for name, count, _ in result.unplaceable}
    for shape in problem["shapes"]:
        name, replicas = shape["name"], shape["replicas"]
        # A replica that fits a new node is placed; one that does not may still fit the existing node.
        assert placed[name] + unplaceable.get(name, 0) == replicas
        if _fits_a_new_node(problem, shape):
            assert placed[name] == replicas
    assert result.placed_all == (not unplaceable)
    per_node: dict[str, int] = {}
    for workload in result.plan.workloads:
        for node, count in workload.placements.items():
            per_node[node] = per_node.get(node, 0) + count
    for node in result.plan.nodes:
        data = node.to_json()
        assert node.pods <= node.allowed_pods
        for resource in ("cpu", "memory"):
            assert _amount(data[resource]["requests"]) <= _amount(data[resource]["allocatable"])
        assert node.placed == per_node.get(node.name, 0)
    new = [node for node in result.plan.nodes if node.name != "old"]
    assert len(new) == result.new_nodes == sum(result.by_template.values())


@given(problems())
@SETTINGS
def test_between_the_lower_bound_and_first_fit_decreasing(problem: dict[str, Any]) -> None:
    result = _solve(problem)
    assert result.lower_bound <= result.new_nodes <= result.first_fit_decreasing
    assert result.templates[0].alone == result.new_nodes


def _plain_ffd(problem: dict[str, Any]) -> int:
    """First fit decreasing on (cpu, memory, pods) vectors: groups by cpu/allocatable + memory/allocatable
    decreasing (input order on ties), each pod on the first open node with room, else a new node."""
    t = problem["template"]
    capacity = (_amount(t["cpu"]), _amount(t["memory"]), Fraction(t["pods"]))

    def score(shape: dict[str, Any]) -> Fraction:
        return _amount(shape["cpu"]) / capacity[0] + _amount(shape["memory"]) / capacity[1]

    bins: list[list[Fraction]] = []
    for shape in sorted(problem["shapes"], key=lambda s: -score(s)):
        size = (_amount(shape["cpu"]), _amount(shape["memory"]), Fraction(1))
        for _ in range(shape["replicas"]):
            for used in bins:
                if all(used[i] + size[i] <= capacity[i] for i in range(3)):
                    for i in range(3):
                        used[i] += size[i]
                    break
            else:
                bins.append(list(size))
    return len(bins)


@given(problems())
@SETTINGS
def test_the_estimate_is_first_fit_decreasing(problem: dict[str, Any]) -> None:
    plain = {**problem, "daemonset": False, "existing": None}
    result = _solve(plain)
    assert result.first_fit_decreasing == _plain_ffd(plain)
