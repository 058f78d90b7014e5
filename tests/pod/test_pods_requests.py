"""pod_requests / pod_limits against Kubernetes' component-helpers PodRequests / PodLimits.

One table, one loop: each row is a pod (after the API server's defaulting) and
the requests and limits Kubernetes computes for it, as canonical strings.
"""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from quantities import (
    PodValidationError,
    aggregate_container_limits,
    aggregate_container_requests,
    parse_quantity,
    pod_limits,
    pod_requests,
    valid_pod,
)
from tests.builders import container


def sidecar(
    name: str, requests: dict[str, Any] | None = None, limits: dict[str, Any] | None = None
) -> dict[str, Any]:
    return container(name, requests, limits, "Always")


def pod(
    containers: list[dict[str, Any]],
    init: list[dict[str, Any]] | None = None,
    overhead: dict[str, Any] | None = None,
    resources: dict[str, Any] | None = None,
    ephemeral: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": containers}
    if init is not None:
        spec["initContainers"] = init
    if overhead is not None:
        spec["overhead"] = overhead
    if resources is not None:
        spec["resources"] = resources
    if ephemeral is not None:
        spec["ephemeralContainers"] = ephemeral
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


class Row(NamedTuple):
    name: str
    pod: dict[str, Any]
    requests: dict[str, str]
    limits: dict[str, str]


ROWS = [
    Row("one container", pod([container("a", {"cpu": "100m", "memory": "128Mi"})]),
        {"cpu": "100m", "memory": "128Mi"}, {}),
    Row("app containers add up", pod([container("a", {"cpu": "100m", "memory": "128Mi"}),
                                      container("b", {"cpu": "200m", "memory": "1Gi"})]),
        {"cpu": "300m", "memory": "1152Mi"}, {}),
    Row("limits only: requests default to limits",
        pod([container("a", limits={"cpu": "1", "memory": "1Gi"})]),
        {"cpu": "1", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"}),
    Row("a missing limit is absent, not infinite",
        pod([container("a", {"cpu": "1"}, {"cpu": "2", "memory": "1Gi"}), container("b", {"cpu": "1"})]),
        {"cpu": "2", "memory": "1Gi"}, {"cpu": "2", "memory": "1Gi"}),
    Row("init container larger than the app containers",
        pod([container("a", {"cpu": "500m", "memory": "1Gi"})],
            init=[container("init", {"cpu": "2", "memory": "64Mi"})]),
        {"cpu": "2", "memory": "1Gi"}, {}),
    Row("init containers run one at a time: the largest counts, not the sum",
        pod([container("a", {"cpu": "1"})],
            init=[container("i1", {"cpu": "3"}), container("i2", {"cpu": "3"})]),
        {"cpu": "3"}, {}),
    Row("app containers larger than init (component-helpers: nil options, larger containers)",
        pod([container("a", {"cpu": "2"}), container("b", {"cpu": "3"})], init=[container("i", {"cpu": "2"})]),
        {"cpu": "5"}, {}),
    Row("sidecar adds to the app containers",
        pod([container("a", {"cpu": "1", "memory": "1Gi"})],
            init=[sidecar("proxy", {"cpu": "250m", "memory": "64Mi"})]),
        {"cpu": "1250m", "memory": "1088Mi"}, {}),
    Row("sidecar before a big init container: the init runs beside it",
        pod([container("a", {"cpu": "1"})], init=[sidecar("s", {"cpu": "500m"}), container("big", {"cpu": "2"})]),
        {"cpu": "2500m"}, {}),
    Row("sidecar after a big init container: not counted with it",
        pod([container("a", {"cpu": "1"})], init=[container("big", {"cpu": "2"}), sidecar("s", {"cpu": "500m"})]),
        {"cpu": "2"}, {}),
    Row("worked example: init 1, sidecar 200m, init 500m, app 300m",
        pod([container("c", {"cpu": "300m"})],
            init=[container("i1", {"cpu": "1"}), sidecar("s1", {"cpu": "200m"}), container("i2", {"cpu": "500m"})]),
        {"cpu": "1"}, {}),
    Row("two sidecars, then an init container beside both",
        pod([container("a", {"cpu": "100m"})],
            init=[sidecar("s1", {"cpu": "1"}), sidecar("s2", {"cpu": "1"}), container("i", {"cpu": "1500m"})]),
        {"cpu": "3500m"}, {}),
    Row("a resource only an init container requests still counts",
        pod([container("a", {"cpu": "1"})], init=[container("i", {"ephemeral-storage": "1Gi"})]),
        {"cpu": "1", "ephemeral-storage": "1Gi"}, {}),
    Row("init and sidecar limits combine like requests",
        pod([container("a", limits={"cpu": "1", "memory": "1Gi"})],
            init=[sidecar("s", limits={"cpu": "500m", "memory": "256Mi"}), container("i", limits={"cpu": "3"})]),
        {"cpu": "3500m", "memory": "1280Mi"}, {"cpu": "3500m", "memory": "1280Mi"}),
    Row("overhead is added to every request, and to non-zero limits only",
        pod([container("a", {"cpu": "1", "memory": "10"}, {"cpu": "2"})],
            overhead={"cpu": "5", "memory": "5"}),
        {"cpu": "6", "memory": "15"}, {"cpu": "7"}),
    Row("overhead alone (component-helpers: just-overhead)",
        pod([container("a")], overhead={"cpu": "5", "memory": "5"}),
        {"cpu": "5", "memory": "5"}, {}),
    Row("overhead with every request and limit (component-helpers: all-req-lim-and-overhead)",
        pod([container("a", {"cpu": "1", "memory": "10"}, {"cpu": "2", "memory": "12"})],
            overhead={"cpu": "5", "memory": "5"}),
        {"cpu": "6", "memory": "15"}, {"cpu": "7", "memory": "17"}),
    Row("overhead is not added to a zero limit",
        pod([container("a", {"cpu": "0"}, {"cpu": "0"})], overhead={"cpu": "250m"}),
        {"cpu": "250m"}, {"cpu": "0"}),
    Row("massive init container with overhead",
        pod([container("a", {"cpu": "1", "memory": "5"}, {"cpu": "2", "memory": "10"}),
             container("b", {"cpu": "4", "memory": "12"}, {"cpu": "8", "memory": "24"})],
            init=[container("small", {"cpu": "1", "memory": "5"}, {"cpu": "1", "memory": "5"}),
                  container("big", {"cpu": "40", "memory": "120"}, {"cpu": "80", "memory": "240"})],
            overhead={"cpu": "3", "memory": "8"}),
        {"cpu": "43", "memory": "128"}, {"cpu": "83", "memory": "248"}),
    Row("pod-level requests replace the aggregate for cpu and memory only",
        pod([container("a", {"cpu": "500m", "memory": "1Gi", "ephemeral-storage": "1Gi"})],
            resources={"requests": {"cpu": "2", "memory": "2Gi"}}),
        {"cpu": "2", "ephemeral-storage": "1Gi", "memory": "2Gi"}, {}),
    Row("pod-level limits: pod requests default to the containers' aggregate",
        pod([container("a", {"cpu": "500m"}), container("b", {"cpu": "250m"})],
            resources={"limits": {"cpu": "2", "memory": "1Gi"}}),
        {"cpu": "750m", "memory": "1Gi"}, {"cpu": "2", "memory": "1Gi"}),
    Row("pod-level limits and no container requests: pod requests default to the limits",
        pod([container("a"), container("b")], resources={"limits": {"cpu": "2", "memory": "1Gi"}}),
        {"cpu": "2", "memory": "1Gi"}, {"cpu": "2", "memory": "1Gi"}),
    Row("pod-level limits win over the containers' limits, overhead still added",
        pod([container("a", {"cpu": "1"}, {"cpu": "1", "memory": "1Gi"})],
            resources={"requests": {"cpu": "1"}, "limits": {"cpu": "3"}}, overhead={"cpu": "100m"}),
        {"cpu": "1100m", "memory": "1Gi"}, {"cpu": "3100m", "memory": "1Gi"}),
    Row("pod-level hugepages",
        pod([container("a", {"cpu": "1", "hugepages-2Mi": "4Mi"}, {"hugepages-2Mi": "4Mi"})],
            resources={"limits": {"memory": "1Gi", "hugepages-2Mi": "10Mi"}}),
        {"cpu": "1", "hugepages-2Mi": "10Mi", "memory": "1Gi"}, {"hugepages-2Mi": "10Mi", "memory": "1Gi"}),
    Row("equal values in different notations: 1 + 1000m, 1Gi + 1024Mi",
        pod([container("a", {"cpu": "1", "memory": "1Gi"}), container("b", {"cpu": "1000m", "memory": "1024Mi"})]),
        {"cpu": "2", "memory": "2Gi"}, {}),
    Row("decimal and binary memory mix",
        pod([container("a", {"memory": "1G"}), container("b", {"memory": "1Gi"})]),
        {"memory": "2073741824"}, {}),
    Row("JSON numbers: cpu 0.5 and 1",
        pod([container("a", {"cpu": 0.5, "memory": 1073741824}), container("b", {"cpu": 1})]),
        {"cpu": "1500m", "memory": "1073741824"}, {}),
    Row("zero values stay zero", pod([container("a", {"cpu": "0", "memory": "0"})]),
        {"cpu": "0", "memory": "0"}, {}),
    Row("extended resources only",
        pod([container("a", limits={"nvidia.com/gpu": "1"}), container("b", limits={"nvidia.com/gpu": 2})]),
        {"nvidia.com/gpu": "3"}, {"nvidia.com/gpu": "3"}),
    Row("no resources at all", pod([container("a")]), {}, {}),
    Row("ephemeral containers never count",
        pod([container("a", {"cpu": "1"})], ephemeral=[{"name": "debug"}]),
        {"cpu": "1"}, {}),
    Row("sub-milli values are rounded up by defaulting",
        pod([container("a", {"cpu": "0.1m"}), container("b", {"cpu": "1.5m"})]),
        {"cpu": "3m"}, {}),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_pod_requests_and_limits(row: Row) -> None:
    requests = pod_requests(row.pod)
    limits = pod_limits(row.pod)
    assert {name: str(q) for name, q in requests.items()} == row.requests
    assert {name: str(q) for name, q in limits.items()} == row.limits
    assert list(requests) == sorted(requests)


def test_exclude_overhead() -> None:
    manifest = pod([container("a", {"cpu": "1"}, {"cpu": "2"})], overhead={"cpu": "250m", "memory": "64Mi"})
    assert {k: str(v) for k, v in pod_requests(manifest, exclude_overhead=True).items()} == {"cpu": "1"}
    assert {k: str(v) for k, v in pod_limits(manifest, exclude_overhead=True).items()} == {"cpu": "2"}
    assert str(pod_requests(manifest)["memory"]) == "64Mi"


def test_skip_pod_level_resources() -> None:
    manifest = pod([container("a", {"cpu": "500m"}, {"cpu": "1"})], resources={"requests": {"cpu": "2"}})
    assert str(pod_requests(manifest)["cpu"]) == "2"
    assert str(pod_requests(manifest, skip_pod_level_resources=True)["cpu"]) == "500m"
    assert str(pod_limits(manifest, skip_pod_level_resources=True)["cpu"]) == "1"


def test_non_missing_container_requests_fill_only_missing_resources() -> None:
    defaults = {"cpu": parse_quantity("100m"), "memory": parse_quantity("200Mi")}
    manifest = pod([container("a", {"cpu": "0"}), container("b", {"memory": "1Gi"})], init=[container("i")])
    result = pod_requests(manifest, non_missing_container_requests=defaults)
    # a: explicit cpu 0 kept, memory filled; b: cpu filled; the init container counts 100m/200Mi.
    assert {k: str(v) for k, v in result.items()} == {"cpu": "100m", "memory": "1224Mi"}


def test_aggregates_leave_out_pod_level_and_overhead() -> None:
    manifest = pod(
        [container("a", {"cpu": "500m"}, {"cpu": "1"})],
        resources={"requests": {"cpu": "2"}, "limits": {"cpu": "4"}},
        overhead={"cpu": "100m"},
    )
    assert str(aggregate_container_requests(manifest)["cpu"]) == "500m"
    assert str(aggregate_container_limits(manifest)["cpu"]) == "1"


def test_every_workload_kind_gives_the_same_answer() -> None:
    spec = pod([container("a", {"cpu": "1"})], init=[container("i", {"cpu": "2"})])["spec"]
    template = {"metadata": {"labels": {"app": "x"}}, "spec": spec}
    objects = [
        {"kind": "Pod", "spec": spec},
        spec,
        {"kind": "PodTemplate", "template": template},
        {"kind": "CronJob", "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}},
        *({"kind": kind, "spec": {"template": template}} for kind in
          ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job")),
    ]  # fmt: skip
    for obj in objects:
        assert {k: str(v) for k, v in pod_requests(obj).items()} == {"cpu": "2"}, obj


def test_results_are_quantities_in_canonical_form() -> None:
    result = pod_requests(pod([container("a", {"memory": "0.5Gi"}), container("b", {"memory": "512Mi"})]))
    assert result["memory"] == parse_quantity("1Gi")
    assert str(result["memory"]) == "1Gi"


def test_invalid_pod_raises_every_problem() -> None:
    manifest = pod(
        [
            container("a", {"cpu": "2", "memory": "1GB"}, {"cpu": "1"}),
            container("b", {"nvidia.com/gpu": "0.5"}),
        ]
    )
    with pytest.raises(PodValidationError) as caught:
        pod_requests(manifest)
    paths = [problem.path for problem in caught.value.problems]
    assert paths == [
        "spec.containers[0].resources.requests.memory",
        "spec.containers[0].resources.requests.cpu",
        "spec.containers[1].resources.requests[nvidia.com/gpu]",
        "spec.containers[1].resources.limits[nvidia.com/gpu]",
    ]
    assert isinstance(caught.value, ValueError)


def test_valid_pod_is_checked_once() -> None:
    checked = valid_pod(pod([container("a", limits={"cpu": "1"})]))
    assert checked.validated and checked.defaulted
    assert valid_pod(checked) is checked
    assert str(pod_requests(checked)["cpu"]) == "1"
