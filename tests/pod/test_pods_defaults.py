"""default_pod against the API server's defaulting (pkg/apis/core/v1/defaults.go, v1.34)."""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import pytest

from quantities import ManifestError, Pod, default_pod
from quantities.pod.defaults import round_up_to_milli
from quantities.pod.model import Resources
from tests.builders import container as c


def pod(containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    return {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers, **spec}}


def strings(resources: Any) -> dict[str, str]:
    return {name: str(quantity) for name, quantity in resources.items()}


class Row(NamedTuple):
    name: str
    container: dict[str, Any]
    requests: dict[str, str]
    limits: dict[str, str]


CONTAINER_ROWS = [
    Row("limits only", c("a", limits={"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "2"}),
        {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "2"}, {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "2"}),
    Row("a request that is set is kept", c("a", {"cpu": "100m"}, {"cpu": "1", "memory": "1Gi"}),
        {"cpu": "100m", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"}),
    Row("an explicit zero request is kept", c("a", {"cpu": "0"}, {"cpu": "1"}), {"cpu": "0"}, {"cpu": "1"}),
    Row("requests only: nothing to default", c("a", {"cpu": "1"}), {"cpu": "1"}, {}),
    Row("sub-milli values round up, away from zero", c("a", {"cpu": "0.1m", "memory": "1.0001m"}, {"cpu": "1.5m"}),
        {"cpu": "1m", "memory": "2m"}, {"cpu": "2m"}),
    Row("values already whole thousandths are untouched, text included", c("a", {"cpu": "+1"}, {"memory": "1Gi"}),
        {"cpu": "+1", "memory": "1Gi"}, {"memory": "1Gi"}),
]  # fmt: skip


@pytest.mark.parametrize("row", CONTAINER_ROWS, ids=[row.name for row in CONTAINER_ROWS])
def test_container_defaulting(row: Row) -> None:
    for key in ("containers", "initContainers"):
        spec: dict[str, Any] = (
            {"containers": [c("main")], key: [row.container]}
            if key != "containers"
            else {"containers": [row.container]}
        )
        defaulted = default_pod({"kind": "Pod", "spec": spec})
        target = defaulted.containers[0] if key == "containers" else defaulted.init_containers[0]
        assert strings(target.resources.requests) == row.requests
        assert strings(target.resources.limits) == row.limits


def test_sidecars_are_defaulted_ephemeral_containers_are_not() -> None:
    defaulted = default_pod(pod([c("a")], initContainers=[c("s", limits={"cpu": "1"}, restartPolicy="Always")],
                                ephemeralContainers=[c("d", limits={"cpu": "1"})]))  # fmt: skip
    assert strings(defaulted.init_containers[0].resources.requests) == {"cpu": "1"}
    assert strings(defaulted.ephemeral_containers[0].resources.requests) == {}


class PodRow(NamedTuple):
    name: str
    pod: dict[str, Any]
    resources: dict[str, dict[str, str]] | None


POD_ROWS = [
    PodRow("no pod-level resources: nothing at pod level", pod([c("a", {"cpu": "1"})]), None),
    PodRow("pod limits, no container requests: requests = limits",
           pod([c("a"), c("b")], resources={"limits": {"cpu": "2", "memory": "1Gi"}}),
           {"requests": {"cpu": "2", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "1Gi"}}),
    PodRow("pod limits, container requests: requests = the containers' aggregate",
           pod([c("a", {"cpu": "500m"}), c("b", {"cpu": "250m", "memory": "64Mi"})], resources={"limits": {"cpu": "2", "memory": "1Gi"}}),
           {"requests": {"cpu": "750m", "memory": "64Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}}),
    PodRow("the aggregate follows the sidecar rules",
           pod([c("a", {"cpu": "1"})], initContainers=[c("i", {"cpu": "3"}), c("s", {"cpu": "1"}, restartPolicy="Always")],
               resources={"limits": {"cpu": "4"}}),
           {"requests": {"cpu": "3"}, "limits": {"cpu": "4"}}),
    PodRow("container limits default container requests, which default the pod request",
           pod([c("a", limits={"memory": "512Mi"})], resources={"limits": {"memory": "1Gi"}}),
           {"requests": {"memory": "512Mi"}, "limits": {"memory": "1Gi"}}),
    PodRow("only supported resources are defaulted at pod level",
           pod([c("a", {"ephemeral-storage": "1Gi", "cpu": "1"}, {"nvidia.com/gpu": "1"})], resources={"limits": {"cpu": "2"}}),
           {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}),
    PodRow("pod requests only: no pod limits are derived (v1.34 has no defaultPodLimits)",
           pod([c("a", limits={"cpu": "1", "memory": "1Gi"})], resources={"requests": {"cpu": "1"}}),
           {"requests": {"cpu": "1"}, "limits": {}}),
    PodRow("hugepage pod limit from the containers' limits, then the pod request from it",
           pod([c("a", {"cpu": "1"}, {"hugepages-2Mi": "4Mi"}), c("b", limits={"hugepages-2Mi": "6Mi"})], resources={"limits": {"memory": "1Gi"}}),
           {"requests": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "10Mi"}, "limits": {"memory": "1Gi", "hugepages-2Mi": "10Mi"}}),
    PodRow("no hugepage pod limit when the pod requests hugepages",
           pod([c("a", {"cpu": "1"}, {"hugepages-2Mi": "4Mi"})], resources={"requests": {"hugepages-2Mi": "8Mi"}}),
           {"requests": {"hugepages-2Mi": "8Mi"}, "limits": {}}),
    PodRow("empty pod-level resources stay empty", pod([c("a", limits={"cpu": "1", "hugepages-2Mi": "2Mi"})], resources={}),
           {"requests": {}, "limits": {}}),
    PodRow("pod-level values round up too", pod([c("a")], resources={"limits": {"cpu": "0.5m"}}),
           {"requests": {"cpu": "1m"}, "limits": {"cpu": "1m"}}),
]  # fmt: skip


@pytest.mark.parametrize("row", POD_ROWS, ids=[row.name for row in POD_ROWS])
def test_pod_level_defaulting(row: PodRow) -> None:
    defaulted = default_pod(row.pod)
    if row.resources is None:
        assert defaulted.resources is None
        return
    assert defaulted.resources is not None
    assert strings(defaulted.resources.requests) == row.resources["requests"]
    assert strings(defaulted.resources.limits) == row.resources["limits"]


def test_overhead_is_rounded() -> None:
    defaulted = default_pod(pod([c("a")], overhead={"cpu": "0.25m", "memory": "120Mi"}))
    assert defaulted.overhead is not None and strings(defaulted.overhead) == {"cpu": "1m", "memory": "120Mi"}


def test_defaulting_is_idempotent_and_marked() -> None:
    manifest = pod([c("a", limits={"cpu": "1"})], resources={"limits": {"cpu": "2"}})
    once = default_pod(manifest)
    assert once.defaulted and not read_flag(manifest)
    assert default_pod(once) is once
    assert default_pod(replace(once, defaulted=False)) == once


def read_flag(manifest: dict[str, Any]) -> bool:
    from quantities import read_pod

    return read_pod(manifest).defaulted


def test_defaulting_does_not_validate() -> None:
    defaulted = default_pod(pod([c("a", {"cpu": "2"}, {"cpu": "1"})]))
    assert str(defaulted.containers[0].resources.requests["cpu"]) == "2"


def test_defaulting_rejects_unreadable_input() -> None:
    with pytest.raises(ManifestError):
        default_pod(pod([c("a", {"cpu": "lots"})]))


def test_the_input_is_not_changed() -> None:
    manifest = pod([c("a", limits={"cpu": "1"})])
    default_pod(manifest)
    assert manifest["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1m", "1m"),
        ("0.1m", "1m"),
        ("1n", "1m"),
        ("-1n", "-1m"),
        ("1.5Gi", "1536Mi"),
        ("1e-4", "1e-3"),
        ("0", "0"),
        ("12e-5", "1e-3"),
    ],
)
def test_round_up_to_milli(text: str, expected: str) -> None:
    from quantities import parse_quantity

    assert str(round_up_to_milli(parse_quantity(text))) == expected


def test_round_up_to_milli_leaves_exact_values_alone() -> None:
    from quantities import parse_quantity

    for text in ("1e5000", "+1", "1.5", "-7Ki"):
        quantity = parse_quantity(text)
        assert round_up_to_milli(quantity) is quantity


def test_pod_model_is_immutable() -> None:
    defaulted = default_pod(pod([c("a", limits={"cpu": "1"})]))
    assert isinstance(defaulted, Pod)
    with pytest.raises(AttributeError):
        defaulted.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        defaulted.containers[0].resources.requests["cpu"] = None  # type: ignore[index]
    assert hash(defaulted) == hash(default_pod(pod([c("a", limits={"cpu": "1"})])))
    assert Resources() == Resources()


def test_without_the_pod_level_resources_gate() -> None:
    from quantities import pod_requests, qos_class, valid_pod, validate_pod

    manifest = pod([c("a"), c("b", {"cpu": "2"})], resources={"limits": {"cpu": "1", "memory": "1Gi"}})
    assert default_pod(manifest, pod_level_resources=False).resources is None
    # With the gate on, the defaulted pod-level request (2, the aggregate) exceeds the pod limit.
    assert [problem.path for problem in validate_pod(manifest)] == ["spec.resources.requests.cpu"]
    assert validate_pod(manifest, pod_level_resources=False) == []
    checked = valid_pod(manifest, pod_level_resources=False)
    assert str(qos_class(checked)) == "Burstable"
    assert {k: str(v) for k, v in pod_requests(checked).items()} == {"cpu": "2"}
    guaranteed = valid_pod(pod([c("a")], resources={"limits": {"cpu": "1", "memory": "1Gi"}}))
    assert str(qos_class(guaranteed)) == "Guaranteed"
    assert str(qos_class(valid_pod(guaranteed, pod_level_resources=False))) == "BestEffort"
