"""node_allocated: kubectl describe node's Non-terminated Pods and Allocated resources, figure for figure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from quantities.node.allocated import human_duration, node_allocated, percent
from quantities.node.tabwriter import tabulate
from tests.kind_cluster import NODE_NAME, node, pod, system_pods

NOW = dt.datetime(2024, 6, 1, 12, 0, 0, tzinfo=dt.UTC)


def reference_pods() -> list[dict[str, object]]:
    return [pod("default", "memory-hog", "10m", "10m", "5Gi", "5Gi", created="2024-06-01T11:58:00Z"),
            *system_pods()]


def test_reference_totals() -> None:
    allocation = node_allocated(node(), reference_pods())
    assert allocation.total("cpu").requests_text == "960m (9%)"
    assert allocation.total("cpu").limits_text == "110m (1%)"
    assert allocation.total("memory").requests_text == "5410Mi (68%)"
    assert allocation.total("memory").limits_text == "5510Mi (70%)"
    assert allocation.total("ephemeral-storage").requests_text == "0 (0%)"
    hog = next(p for p in allocation.pods if p.name == "memory-hog")
    assert (hog.memory.requests_text, hog.memory.limits_text) == ("5Gi (65%)", "5Gi (65%)")
    assert (hog.cpu.requests_text, hog.cpu.limits_text) == ("10m (0%)", "10m (0%)")
    assert len(allocation.pods) == 10


REFERENCE_TEXT = (Path(__file__).parents[1] / "data" / "describe_node_kind.txt").read_text(encoding="utf-8")


def test_reference_describe_text() -> None:
    assert node_allocated(node(), reference_pods()).describe(now=NOW) == REFERENCE_TEXT


@pytest.mark.parametrize(
    ("value", "total", "guard", "expected"),
    [
        (960, 10000, True, 9),
        (110, 10000, True, 1),
        (29, 100, True, 28),  # 0.29 * 100 = 28.999999999999996 in float64
        (5368709120, 8221872128, True, 65),
        (1, 3, True, 33),
        (3, 3, True, 100),
        (7, 2, True, 350),
        (0, 0, True, 0),
        (5, 0, True, 0),
        (5, 0, False, -9223372036854775808),
        (0, 0, False, -9223372036854775808),
        (-1, 4, True, -25),
    ],
)
def test_percent(value: int, total: int, guard: bool, expected: int) -> None:
    assert percent(value, total, guard) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (121, "2m1s"),
        (599, "9m59s"), (600, "10m"), (3 * 3600 - 1, "179m"), (3 * 3600, "3h"), (3 * 3600 + 60, "3h1m"),
        (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"), (49 * 3600, "2d1h"), (8 * 86400, "8d"),
        (729 * 86400, "729d"), (730 * 86400, "2y"), (731 * 86400, "2y1d"), (8 * 365 * 86400, "8y"),
        (20 * 365 * 86400, "20y"),
    ],
)  # fmt: skip
def test_human_duration(seconds: int, expected: str) -> None:
    assert human_duration(seconds) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\tb\n", "a  b\n"),
        ("a\tbb\tc\nxxx\ty\tz\n", "a    bb  c\nxxx  y   z\n"),
        ("x\t\ty\nlonger\t\tz\n", "x         y\nlonger    z\n"),  # an empty column keeps its padding
        ("a\tb\nno tabs here\nccc\td\n", "a  b\nno tabs here\nccc  d\n"),  # a tab-less line ends the block
        ("é\tb\nab\tc\n", "é   b\nab  c\n"),  # widths count runes
        ("a\tb\tc\nlong-cell\td\n", "a          b  c\nlong-cell  d\n"),
        ("trailing\t\n", "trailing  \n"),
    ],
)
def test_tabwriter(text: str, expected: str) -> None:
    assert tabulate(text) == expected


def test_only_bound_non_terminated_pods_in_etcd_order() -> None:
    pods = [
        pod("a", "x", "100m"),
        pod("a-b", "y", "100m"),
        pod("b", "done", "1", phase="Succeeded"),
        pod("b", "failed", "1", phase="Failed"),
        pod("b", "pending", "100m", phase="Pending"),
        pod("b", "elsewhere", "1", node_name="other-node"),
        pod("b", "unbound", "1", node_name=None),
    ]
    allocation = node_allocated(node(), pods)
    # The API server lists by "namespace/name": "a-b/y" sorts before "a/x" ('-' < '/').
    assert [(p.namespace, p.name) for p in allocation.pods] == [("a-b", "y"), ("a", "x"), ("b", "pending")]
    assert allocation.total("cpu").requests_text == "300m (3%)"


def test_sum_keeps_the_first_format() -> None:
    pods = [pod("a", "decimal", memory="1G"), pod("b", "binary", memory="1Gi")]
    assert str(node_allocated(node(), pods).total("memory").requests) == "2073741824"
    pods = [pod("a", "binary", memory="1Gi"), pod("b", "decimal", memory="1G")]
    assert str(node_allocated(node(), pods).total("memory").requests) == "2073741824"
    pods = [pod("a", "x", memory="512Mi"), pod("b", "y", memory="512Mi")]
    assert str(node_allocated(node(), pods).total("memory").requests) == "1Gi"


def test_extended_and_hugepages_rows() -> None:
    gpu_node = node(allocatable={"cpu": "8", "memory": "32Gi", "pods": "110", "nvidia.com/gpu": "4",
                                 "hugepages-2Mi": "1Gi", "example.com/foo": "1"})
    gpu_pod = pod("ml", "train", "1", memory="1Gi")
    resources = gpu_pod["spec"]["containers"][0]["resources"]
    resources["requests"].update({"nvidia.com/gpu": "2", "hugepages-2Mi": "256Mi"})
    resources["limits"] = {"nvidia.com/gpu": "2", "hugepages-2Mi": "256Mi"}
    allocation = node_allocated(gpu_node, [gpu_pod])
    rows = [(r.resource, r.requests_text, r.limits_text) for r in allocation.resources]
    assert rows == [
        ("cpu", "1 (12%)", "0 (0%)"),
        ("memory", "1Gi (3%)", "0 (0%)"),
        ("ephemeral-storage", "0 (0%)", "0 (0%)"),
        ("hugepages-2Mi", "256Mi (25%)", "256Mi (25%)"),
        ("example.com/foo", "0", "0"),
        ("nvidia.com/gpu", "2", "2"),
    ]
    text = allocation.describe(now=NOW)
    assert text.endswith("  example.com/foo    0            0\n  nvidia.com/gpu     2            2\n")


def test_capacity_when_allocatable_is_empty_and_unguarded_pod_rows() -> None:
    bare = node()
    bare["status"]["allocatable"] = {}
    bare["status"]["capacity"] = {"cpu": "2", "memory": "4Gi"}
    allocation = node_allocated(bare, [pod("a", "x", "500m", memory="1Gi")])
    assert allocation.total("cpu").requests_text == "500m (25%)"
    nothing = node()
    nothing["status"]["allocatable"] = {"pods": "10"}
    allocation = node_allocated(nothing, [pod("a", "x", "500m")])
    assert allocation.total("cpu").requests_text == "500m (0%)"
    assert allocation.pods[0].cpu.requests_text == "500m (-9223372036854775808%)"


def test_overhead_sidecars_and_init_containers() -> None:
    complex_pod = pod("a", "x", "100m", "200m", "100Mi", "200Mi")
    complex_pod["spec"]["initContainers"] = [
        {"name": "init", "resources": {"requests": {"cpu": "2"}}},
        {"name": "sidecar", "restartPolicy": "Always",
         "resources": {"requests": {"cpu": "50m", "memory": "10Mi"}}},
    ]
    complex_pod["spec"]["overhead"] = {"cpu": "10m", "memory": "5Mi"}
    allocation = node_allocated(node(), [complex_pod])
    row = allocation.pods[0]
    assert (row.cpu.requests_text, row.cpu.limits_text) == ("2010m (20%)", "210m (2%)")
    assert (row.memory.requests_text, row.memory.limits_text) == ("115Mi (1%)", "205Mi (2%)")


def test_allocated_resources_of_a_resized_container() -> None:
    resized = pod("a", "x", "100m", memory="100Mi")
    resized["status"]["containerStatuses"] = [
        {"name": "c", "allocatedResources": {"cpu": "500m", "memory": "50Mi"}}
    ]
    # kubectl 1.29-1.31 read allocatedResources; 1.32+ only a status with resources set.
    row = node_allocated(node(), [resized], kubernetes_version="1.31").pods[0]
    assert (row.cpu.requests_text, row.memory.requests_text) == ("500m (5%)", "100Mi (1%)")
    row = node_allocated(node(), [resized], kubernetes_version="1.33").pods[0]
    assert (row.cpu.requests_text, row.memory.requests_text) == ("100m (1%)", "100Mi (1%)")


def test_json_and_csv_shapes() -> None:
    allocation = node_allocated(node(), reference_pods())
    data = allocation.to_json()
    assert data["name"] == NODE_NAME
    assert data["allocated"][0] == {
        "resource": "cpu", "requests": "960m", "limits": "110m", "allocatable": "10",
        "requests_percent": 9, "limits_percent": 1,
    }  # fmt: skip
    assert allocation.csv_rows()[1] == (NODE_NAME, "memory", "5410Mi", "68", "5510Mi", "70", "8029368Ki")
