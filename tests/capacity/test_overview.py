"""The capacity overview: kube-capacity's table with kubectl describe node's own figures."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.capacity.overview import capacity_overview
from quantities.manifest.problems import ManifestError
from quantities.quantity.quantity import Quantity
from tests.kind_cluster import node, pod

SETTINGS = settings(max_examples=40, deadline=None)
ZONE = "topology.kubernetes.io/zone"


def _node(name: str, cpu: str, memory: str, pods: str = "110", **extra: Any) -> dict[str, Any]:
    labels = extra.pop("labels", {})
    return node(name, allocatable={"cpu": cpu, "memory": memory, "pods": pods, **extra}, labels=labels)


# Rows: (nodes, pods, node name, resource, (allocatable, requests, limits, free)).
ROWS: list[tuple[list[dict[str, Any]], list[dict[str, Any]], str, str, tuple[str, str, str, str]]] = [
    # One pod: free = allocatable - requests, in the allocatable's notation.
    ([_node("a", "4", "8Gi")], [pod("d", "p", "500m", "1", "1Gi", "2Gi", "a")], "a", "cpu",
     ("4", "500m", "1", "3500m")),
    ([_node("a", "4", "8Gi")], [pod("d", "p", "500m", "1", "1Gi", "2Gi", "a")], "a", "memory",
     ("8Gi", "1Gi", "2Gi", "7Gi")),
    # Terminated pods do not count; pods of other nodes neither.
    ([_node("a", "4", "8Gi"), _node("b", "2", "4Gi")],
     [pod("d", "done", "3", None, None, None, "a", phase="Succeeded"),
      pod("d", "other", "1", None, None, None, "b")],
     "a", "cpu", ("4", "0", "0", "4")),
    # A pod stored without requests but with limits (a real API server would have defaulted them
    # from the limits): kubectl describe node sums the object as stored, so nothing is requested.
    ([_node("a", "4", "8Gi")], [pod("d", "g", None, "2", None, "1Gi", "a")], "a", "cpu",
     ("4", "0", "2", "4")),
    # Overcommitted by stored pods: free is negative.
    ([_node("a", "1", "1Gi")],
     [pod("d", "p1", "800m", None, None, None, "a"), pod("d", "p2", "800m", None, None, None, "a")],
     "a", "cpu", ("1", "1600m", "0", "-600m")),
    # Extended resources the node offers: requests summed, free computed.
    ([_node("a", "8", "32Gi", **{"nvidia.com/gpu": "4"})],
     [pod("ml", "t", "1", None, None, None, "a")], "a", "nvidia.com/gpu", ("4", "0", "0", "4")),
    # Init containers count as a maximum, sidecars (restartPolicy Always) add to the containers.
    ([_node("a", "4", "8Gi")],
     [pod("d", "init", "100m", None, None, None, "a",
          initContainers=[{"name": "i", "image": "x", "resources": {"requests": {"cpu": "2"}}},
                          {"name": "s", "image": "x", "restartPolicy": "Always",
                           "resources": {"requests": {"cpu": "300m"}}}])],
     "a", "cpu", ("4", "2", "0", "2")),
]  # fmt: skip


@pytest.mark.parametrize(("nodes", "pods", "name", "resource", "expected"), ROWS)
def test_rows(
    nodes: list[dict[str, Any]],
    pods: list[dict[str, Any]],
    name: str,
    resource: str,
    expected: tuple[str, ...],
) -> None:
    answer = capacity_overview(nodes, pods, kubernetes_version="1.32").to_json()
    (row,) = [n for n in answer["nodes"] if n["name"] == name]
    figures = row[resource]
    assert (figures["allocatable"], figures["requests"], figures["limits"], figures["free"]) == expected


def test_the_cli_contract_shape() -> None:
    nodes, pods = [_node("a", "4", "8Gi", "10")], [pod("d", "p", "1", None, "1Gi", None, "a")]
    answer = capacity_overview(nodes, pods, kubernetes_version="1.32").to_json()
    (row,) = answer["nodes"]
    assert row["name"] == "a" and row["schedulable"] is True
    assert row["pods"] == {"allocatable": 10, "used": 1, "free": 9}
    assert set(row["cpu"]) >= {"allocatable", "requests", "limits", "free"}
    assert answer["total"]["pods"] == {"allocatable": 10, "used": 1, "free": 9}
    assert answer["kubernetes_version"] == "1.32"
    assert "free" in answer["explanation"]


UNSCHEDULABLE = [
    ({"unschedulable": True}, ["cordoned (spec.unschedulable)"]),
    ({"taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]}, ["taint gpu=true:NoSchedule"]),
    ({"taints": [{"key": "x", "effect": "NoExecute"}]}, ["taint x:NoExecute"]),
    ({"taints": [{"key": "x", "effect": "PreferNoSchedule"}]}, []),
]


@pytest.mark.parametrize(("spec", "reasons"), UNSCHEDULABLE)
def test_cordoned_and_tainted_nodes_are_marked_and_left_out_of_the_total_free(
    spec: dict[str, Any], reasons: list[str]
) -> None:
    marked = _node("b", "2", "4Gi")
    marked["spec"] = spec
    nodes = [_node("a", "4", "8Gi"), marked]
    answer = capacity_overview(nodes, []).to_json()
    schedulable = not reasons
    assert answer["nodes"][1]["schedulable"] is schedulable
    assert answer["unschedulable"] == ([] if schedulable else [{"name": "b", "reasons": reasons}])
    assert answer["total"]["cpu"]["free"] == ("6" if schedulable else "4")
    assert answer["total"]["cpu"]["allocatable"] == "6"
    assert answer["total"]["pods"]["free"] == (220 if schedulable else 110)
    asked = capacity_overview(nodes, [], include_unschedulable=True).to_json()
    assert asked["total"]["cpu"]["free"] == "6"


def test_label_filter_and_groups() -> None:
    nodes = [
        _node("a", "4", "8Gi", labels={ZONE: "z1", "pool": "web"}),
        _node("b", "2", "4Gi", labels={ZONE: "z2", "pool": "web"}),
        _node("c", "8", "16Gi", labels={"pool": "db"}),
    ]
    pods = [pod("d", "p", "1", None, None, None, "a"), pod("d", "q", "1", None, None, None, "c")]
    web = capacity_overview(nodes, pods, selector="pool=web").to_json()
    assert [n["name"] for n in web["nodes"]] == ["a", "b"]
    assert web["total"]["cpu"]["requests"] == "1" and web["total"]["nodes"] == 2
    assert [n.name for n in capacity_overview(nodes, pods, selector="pool notin (web)").nodes] == ["c"]
    assert [n.name for n in capacity_overview(nodes, pods, selector="!pool").nodes] == []
    grouped = capacity_overview(nodes, pods, group_by=ZONE).to_json()
    assert [(g["value"], g["nodes"], g["total"]["cpu"]["free"]) for g in grouped["groups"]] == [
        ("z1", ["a"], "3"),
        ("z2", ["b"], "2"),
        (None, ["c"], "7"),
    ]


@pytest.mark.parametrize(
    ("selector", "fragment"),
    [
        ("zone in a", 'expected a list of values in parentheses after "in"'),
        ("zone=a b", "expected key=value"),
        ("Bad Key=a", "expected key=value"),
        ("zone=-a", 'value "-a"'),
        ("zone in ()", '"in" needs at least one value'),
    ],
)
def test_a_bad_selector_is_refused_with_its_requirement(selector: str, fragment: str) -> None:
    with pytest.raises(ManifestError) as caught:
        capacity_overview([_node("a", "1", "1Gi")], [], selector=selector)
    assert fragment in str(caught.value) and caught.value.problems[0].path == "selector"


def test_malformed_pods_are_located() -> None:
    with pytest.raises(ManifestError) as caught:
        capacity_overview([_node("a", "1", "1Gi")], [{"kind": "Pod", "spec": {"nodeName": 5}}, "x"])
    assert [p.path for p in caught.value.problems] == ["pods[0].spec.nodeName", "pods[1]"]


amounts = st.integers(0, 4000)


@SETTINGS
@given(
    st.lists(st.tuples(amounts, amounts), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 3), amounts, amounts, st.booleans()), max_size=12),
)
def test_free_is_allocatable_minus_requests_and_totals_add_up(
    shapes: list[tuple[int, int]], placed: list[tuple[int, int, int, bool]]
) -> None:
    nodes = [_node(f"n{i}", f"{cpu}m", f"{memory}Mi") for i, (cpu, memory) in enumerate(shapes)]
    pods = [
        pod("d", f"p{i}", f"{cpu}m", None, f"{memory}Mi", None, f"n{where % len(shapes)}",
            phase="Running" if running else "Failed")
        for i, (where, cpu, memory, running) in enumerate(placed)
    ]  # fmt: skip
    overview = capacity_overview(nodes, pods, kubernetes_version="1.32")
    for row in overview.nodes:
        for use in row.resources:
            assert use.free == use.allocatable - use.requests
    for resource in ("cpu", "memory"):
        total = overview.total.to_json()[resource]
        for key in ("allocatable", "requests", "limits", "free"):
            added = sum((Quantity(n.to_json()[resource][key]) for n in overview.nodes), Quantity("0"))
            assert Quantity(total[key]) == added
    assert overview.total.pods_used == sum(running for *_, running in placed)
