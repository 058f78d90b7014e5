"""describe node release by release where no kubectl binary answers: 1.36 (D6) and the 1.33-1.35 crash.

There is no kubectl 1.34+ binary on the development machines. 1.34 and 1.35 run the same
kubectl code as 1.33 (checked through kubectl.1.33 in test_nodes_kubectl.py); 1.36 moved
to component-helpers' ``PodRequests``/``PodLimits`` (kubectl v0.36 ``describeNodeResource``,
commits 3bc887ac9 and 4765ab403), so its rows are checked here from that source: the
test names say so. The expected figures are worked out by hand from the v0.36 code.
"""

from __future__ import annotations

from typing import Any

import pytest

from quantities.node.allocated import node_allocated
from tests.kind_cluster import node, pod

INFEASIBLE = [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}]


def _pod(name: str, spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None,
         cpu: str | None = "100m", cpu_limit: str | None = "200m") -> dict[str, Any]:  # fmt: skip
    made = pod("default", name, cpu, cpu_limit, None, None, created="2024-01-01T00:00:00Z")
    made["spec"].update(spec or {})
    made["status"].update(status or {})
    return made


RESIZED = _pod("a-resized", status={"containerStatuses": [
    {"name": "c", "resources": {"requests": {"cpu": "300m"}, "limits": {"cpu": "400m"}}}]})  # fmt: skip
POD_LEVEL = _pod("b-pod-level", spec={"resources": {"requests": {"cpu": "1", "memory": "1Gi"},
                                                    "limits": {"cpu": "2"}}})  # fmt: skip
INFEASIBLE_POD = _pod("c-infeasible", status={"conditions": INFEASIBLE, "containerStatuses": [
    {"name": "c", "resources": {"requests": {"cpu": "200m"}}, "allocatedResources": {"cpu": "300m"}}]},
    cpu="500m")  # fmt: skip
NIL_SPEC = _pod("d-no-spec-requests", cpu=None, cpu_limit=None, status={"containerStatuses": [
    {"name": "c", "resources": {"requests": {"cpu": "150m"}}}]})  # fmt: skip
SIDECAR = _pod("e-sidecar", spec={"initContainers": [
    {"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}}]},
    status={"initContainerStatuses": [{"name": "s", "resources": {"requests": {"cpu": "80m"}}}]})  # fmt: skip
PODS = [RESIZED, POD_LEVEL, INFEASIBLE_POD, NIL_SPEC, SIDECAR]

# (release, per pod: (cpu requests, cpu limits, memory requests) of its row, totals cpu requests/limits)
EXPECTED = {
    # kubectl 1.35 (= 1.33, 1.34): status requests only; limits and pod-level from the spec alone.
    "1.35": ([("300m", "200m", "0"), ("100m", "200m", "0"), ("300m", "200m", "0"), ("150m", "0", "0"),
              ("180m", "200m", "0")], ("1030m", "800m")),
    # kubectl 1.36 rows: status limits too (max with the spec; the status alone while Infeasible),
    # pod-level spec.resources replaces the containers' cpu/memory.
    "1.36": ([("300m", "400m", "0"), ("1", "2", "1Gi"), ("300m", "0", "0"), ("150m", "0", "0"),
              ("180m", "200m", "0")], None),
}  # fmt: skip


@pytest.mark.parametrize(
    "release", ["1.35", "1.36"], ids=["1.35-same-code-as-kubectl-1.33", "1.36-D6-from-source"]
)
def test_rows_per_release_without_a_binary(release: str) -> None:
    allocation = node_allocated(node(), PODS, kubernetes_version=release)
    rows = [(str(row.cpu.requests), str(row.cpu.limits), str(row.memory.requests)) for row in allocation.pods]
    expected_rows, totals = EXPECTED[release]
    assert rows == expected_rows
    if totals is not None:
        assert (str(allocation.total("cpu").requests), str(allocation.total("cpu").limits)) == totals


def test_1_36_totals_read_no_status_so_rows_and_totals_disagree_D6_from_source() -> None:
    """getPodsTotalRequestsAndLimits (v0.36) calls PodRequests/PodLimits without UseStatusResources."""
    allocation = node_allocated(node(), PODS, kubernetes_version="1.36")
    row_sum = sum(row.cpu.requests.milli_value() for row in allocation.pods)
    # Totals: spec requests 100m + pod-level 1 + 500m + 0 + (100m + 50m sidecar), pod-level memory 1Gi.
    assert str(allocation.total("cpu").requests) == "1750m" != f"{row_sum}m"
    assert str(allocation.total("cpu").limits) == "2600m"  # 200m + 2 + 200m + 0 + 200m
    assert str(allocation.total("memory").requests) == "1Gi"
    assert allocation.to_json()["kubernetes_version"] == "1.36"


def test_kubectl_1_33_to_1_35_crash_is_a_warning_not_a_silent_figure() -> None:
    """kubectl 1.33-1.35 panic on a container without spec requests whose status has some
    (kubernetes#136533; measured with kubectl.1.33); 1.32 and 1.36 do not."""
    for release in ("1.33", "1.34", "1.35"):
        allocation = node_allocated(node(), [NIL_SPEC], kubernetes_version=release)
        (crash,) = allocation.warnings
        assert crash.message.startswith(f"kubectl {release} crashes on this pod (panic: assignment to entry")
        assert crash.path == "spec.containers[0].resources.requests"
        assert crash.source == 'Pod "default/d-no-spec-requests"'
        assert str(allocation.pods[0].cpu.requests) == "150m"
    for release in ("1.32", "1.36"):
        assert node_allocated(node(), [NIL_SPEC], kubernetes_version=release).warnings == ()
    infeasible = _pod("f", cpu="100m", status={"conditions": INFEASIBLE, "containerStatuses": [
        {"name": "c", "resources": {}, "allocatedResources": {"cpu": "70m"}}]})  # fmt: skip
    (crash,) = node_allocated(node(), [infeasible], kubernetes_version="1.33").warnings
    assert crash.path == "status.containerStatuses[0].resources.requests"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ({"containerStatuses": [{"name": "c", "allocatedResources": {"cpu": "lots"}}]},
         "status.containerStatuses[0].allocatedResources.cpu"),
        ({"containerStatuses": {"name": "c"}}, "status.containerStatuses"),
        ({"conditions": [{"type": 5}]}, "status.conditions[0].type"),
        ({"containerStatuses": [{"name": "c", "resources": {"requests": {"cpu": True}}}]},
         "status.containerStatuses[0].resources.requests.cpu"),
    ],
)  # fmt: skip
def test_unreadable_status_is_a_located_error(status: dict[str, Any], message: str) -> None:
    from quantities.manifest.problems import ManifestError

    with pytest.raises(ManifestError) as caught:
        node_allocated(node(), [_pod("x", status=status)], kubernetes_version="1.31")
    assert [problem.path for problem in caught.value.problems] == [message]
    assert caught.value.problems[0].source == 'Pod "default/x"'
