"""In-place resize per release: which values of a running pod count (research note row P2).

``pod_requests(..., use_status_resources=True)`` and ``pod_limits`` answer as the
release's scheduler, quota and kubelet count a pod that runs
(``PodRequests(UseStatusResources: InPlacePodVerticalScaling gate)``):

* 1.28-1.32 default clusters: the gate is off, so the spec (``"spec"``);
* with the gate on, 1.28-1.31 (``pkg/api/v1/resource``): ``allocatedResources``
  (``"allocated"``); 1.32 (component-helpers v0.32): ``status.resources``
  (``"actual"``);
* 1.33+ (on by default, locked from 1.35): ``max(spec, resources, allocated)`` with
  the ``PodResizePending`` condition (``"max3"``).

One table of status shapes; each row gives the answer of every rule. Test ids
name the research-note row (P2, P4 for the tie format), the shape and the release.
"""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities import pod_limits, pod_requests
from quantities.options import Options
from quantities.versions import FeatureGateError
from tests.builders import container

RELEASES = ("1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36")
#: The rule of a default-gated cluster of each release.
DEFAULT_RULE = {"1.28": "spec", "1.29": "spec", "1.30": "spec", "1.31": "spec", "1.32": "spec"} | {
    release: "max3" for release in ("1.33", "1.34", "1.35", "1.36")
}
#: The rule with InPlacePodVerticalScaling=true where it is alpha (off by default).
GATE_ON_RULE = {"1.28": "allocated", "1.29": "allocated", "1.30": "allocated", "1.31": "allocated", "1.32": "actual"}


def cs(
    name: str,
    allocated: dict[str, str] | None = None,
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A container status: ``allocatedResources`` and ``resources`` only when given."""
    status: dict[str, Any] = {"name": name, "ready": True, "state": {"running": {}}}
    if allocated is not None:
        status["allocatedResources"] = allocated
    if requests is not None or limits is not None:
        resources: dict[str, Any] = {}
        if requests is not None:
            resources["requests"] = requests
        if limits is not None:
            resources["limits"] = limits
        status["resources"] = resources
    return status


def running(
    statuses: list[dict[str, Any]],
    *,
    containers: list[dict[str, Any]] | None = None,
    init: list[dict[str, Any]] | None = None,
    init_statuses: list[dict[str, Any]] | None = None,
    resize: str | None = None,
    pending: str | None = None,
    resources: dict[str, Any] | None = None,
    status_resources: dict[str, Any] | None = None,
    status_allocated: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A running Pod whose app container asks cpu 1, memory 1Gi, limit cpu 2, and its status."""
    spec: dict[str, Any] = {
        "nodeName": "n1",
        "containers": containers or [container("app", {"cpu": "1", "memory": "1Gi"}, {"cpu": "2"})],
    }
    if init is not None:
        spec["initContainers"] = init
    if resources is not None:
        spec["resources"] = resources
    status: dict[str, Any] = {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": statuses,
    }
    if init_statuses is not None:
        status["initContainerStatuses"] = init_statuses
    if resize is not None:
        status["resize"] = resize
    if pending is not None:
        status["conditions"].append({"type": "PodResizePending", "status": "True", "reason": pending})
    if status_resources is not None:
        status["resources"] = status_resources
    if status_allocated is not None:
        status["allocatedResources"] = status_allocated
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}, "spec": spec, "status": status}


SPEC = ({"cpu": "1", "memory": "1Gi"}, {"cpu": "2"})


class Row(NamedTuple):
    tag: str
    pod: dict[str, Any]
    #: rule -> (requests, limits); a rule left out answers the "spec" entry, or SPEC;
    #: "@1.28" answers for that release whatever the rule.
    answers: dict[str, tuple[dict[str, str], dict[str, str]]]


ROWS = [
    Row("P2-a allocatedResources above spec, resize InProgress", running([cs("app", {"cpu": "1500m"})], resize="InProgress"),
        {"allocated": ({"cpu": "1500m", "memory": "1Gi"}, {"cpu": "2"})}),
    Row("P2-b status.resize Infeasible with allocatedResources", running([cs("app", {"cpu": "500m", "memory": "512Mi"})], resize="Infeasible"),
        {"allocated": ({"cpu": "500m", "memory": "512Mi"}, {"cpu": "2"})}),
    Row("P2-c status.resize Infeasible without allocatedResources (D2: counts nothing)", running([cs("app")], resize="Infeasible"),
        {"allocated": ({}, {"cpu": "2"})}),
    Row("P2-d status.resources above spec, no allocatedResources", running([cs("app", requests={"cpu": "1500m"}, limits={"cpu": "3"})]),
        {"actual": ({"cpu": "1500m", "memory": "1Gi"}, {"cpu": "3"}), "max3": ({"cpu": "1500m", "memory": "1Gi"}, {"cpu": "3"})}),
    Row("P2-e status.resize Infeasible with status.resources below spec", running([cs("app", requests={"cpu": "300m"}, limits={"cpu": "600m"})], resize="Infeasible"),
        {"allocated": ({}, {"cpu": "2"}), "actual": ({"cpu": "300m"}, {"cpu": "600m"})}),
    Row("P2-f PodResizePending Infeasible: max(actual, allocated), actual limits", running([cs("app", {"cpu": "400m"}, {"cpu": "300m"}, {"cpu": "600m"})], pending="Infeasible"),
        {"max3": ({"cpu": "400m"}, {"cpu": "600m"})}),
    Row("P2-g PodResizePending Deferred: max of all three", running([cs("app", {"cpu": "2", "memory": "2Gi"}, {"cpu": "1"})], pending="Deferred"),
        {"allocated": ({"cpu": "2", "memory": "2Gi"}, {"cpu": "2"}), "max3": ({"cpu": "2", "memory": "2Gi"}, {"cpu": "2"})}),
    Row("P2-h status.resize ignored from 1.33 (Infeasible without a condition)", running([cs("app", {"cpu": "250m"}, {"cpu": "250m"})], resize="Infeasible"),
        {"allocated": ({"cpu": "250m"}, {"cpu": "2"}), "actual": ({"cpu": "250m"}, {}), "max3": SPEC}),
    Row("P4 tie: spec 1Gi, status 1073741824 (1.32 keeps the status copy)", running([cs("app", requests={"memory": "1073741824"})]),
        {"actual": ({"cpu": "1", "memory": "1073741824"}, {"cpu": "2"}), "max3": SPEC}),
    Row("P2-i sidecar resized: initContainerStatuses count from 1.33",
        running([cs("app")], init=[container("proxy", {"cpu": "100m"}, restart_policy="Always"), container("setup", {"cpu": "3"})],
                init_statuses=[cs("proxy", requests={"cpu": "300m"}), cs("setup", requests={"cpu": "5"})]),
        {"spec": ({"cpu": "3100m", "memory": "1Gi"}, {"cpu": "2"}), "max3": ({"cpu": "3300m", "memory": "1Gi"}, {"cpu": "2"}),
         # P1: 1.28 (SidecarContainers off) stores the sidecar as an ordinary init container.
         "@1.28": ({"cpu": "3", "memory": "1Gi"}, {"cpu": "2"})}),
    Row("P2-j a status for another container name changes nothing", running([cs("other", {"cpu": "9"}, {"cpu": "9"})], pending="Infeasible", resize="Infeasible"),
        {}),
    Row("P2-k no containerStatuses yet (pending pod)", running([]), {}),
]


def _text(resources: dict[str, Any]) -> dict[str, str]:
    return {name: str(quantity) for name, quantity in resources.items()}


def _answer(row: Row, rule: str, release: str = "") -> tuple[dict[str, str], dict[str, str]]:
    if f"@{release}" in row.answers:
        return row.answers[f"@{release}"]
    return row.answers.get(rule, row.answers.get("spec", SPEC))


CASES = [(row, release) for row in ROWS for release in RELEASES]


@pytest.mark.parametrize(("row", "release"), CASES, ids=[f"{row.tag} @{release}" for row, release in CASES])
def test_default_cluster(row: Row, release: str) -> None:
    expected = _answer(row, DEFAULT_RULE[release], release)
    got = (
        _text(pod_requests(row.pod, use_status_resources=True, kubernetes_version=release)),
        _text(pod_limits(row.pod, use_status_resources=True, kubernetes_version=release)),
    )
    assert got == expected


GATE_CASES = [(row, release) for row in ROWS for release in GATE_ON_RULE]


@pytest.mark.parametrize(
    ("row", "release"), GATE_CASES, ids=[f"{row.tag} @{release}+InPlacePodVerticalScaling" for row, release in GATE_CASES]
)
def test_gate_on_before_beta(row: Row, release: str) -> None:
    gates = {"InPlacePodVerticalScaling": True}
    expected = _answer(row, GATE_ON_RULE[release], release)
    got = (
        _text(pod_requests(row.pod, use_status_resources=True, kubernetes_version=release, feature_gates=gates)),
        _text(pod_limits(row.pod, use_status_resources=True, kubernetes_version=release, feature_gates=gates)),
    )
    assert got == expected


@pytest.mark.parametrize("row", ROWS, ids=[row.tag for row in ROWS])
@pytest.mark.parametrize("release", ["1.33", "1.34"])
def test_gate_off_in_beta_counts_the_spec(row: Row, release: str) -> None:
    """P2: InPlacePodVerticalScaling=false on 1.33/1.34 (beta, not locked) is UseStatusResources: false."""
    requests = pod_requests(row.pod, use_status_resources=True, kubernetes_version=release,
                            feature_gates="InPlacePodVerticalScaling=false")  # fmt: skip
    assert _text(requests) == _answer(row, "spec", release)[0]


def test_gate_is_locked_from_1_35() -> None:
    with pytest.raises(FeatureGateError, match="locked to true"):
        pod_requests(ROWS[0].pod, kubernetes_version="1.35", feature_gates={"InPlacePodVerticalScaling": False})


@pytest.mark.parametrize("row", ROWS, ids=[row.tag for row in ROWS])
@pytest.mark.parametrize("release", RELEASES)
def test_without_use_status_resources_the_spec_counts(row: Row, release: str) -> None:
    """S1: the default (UseStatusResources: false) is what the scheduler uses for the pod it places."""
    assert _text(pod_requests(row.pod, kubernetes_version=release)) == _answer(row, "spec", release)[0]


# --- pod-level resources in a running pod (P2, 1.35/1.36: InPlacePodLevelResourcesVerticalScaling) ---

POD_LEVEL = running(
    [cs("app", requests={"cpu": "1", "memory": "1Gi"})],
    resources={"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"cpu": "4", "memory": "4Gi"}},
    status_resources={"requests": {"cpu": "3"}, "limits": {"cpu": "5"}},
    status_allocated={"memory": "3Gi"},
)

POD_LEVEL_ROWS = [
    # spec.resources is dropped before 1.34 (PodLevelResources off): the containers count.
    *[(release, {}, {"cpu": "1", "memory": "1Gi"}, {"cpu": "2"}) for release in RELEASES[:6]],
    ("1.34", {}, {"cpu": "2", "memory": "2Gi"}, {"cpu": "4", "memory": "4Gi"}),
    ("1.35", {}, {"cpu": "2", "memory": "2Gi"}, {"cpu": "4", "memory": "4Gi"}),
    ("1.35", {"InPlacePodLevelResourcesVerticalScaling": True}, {"cpu": "3", "memory": "3Gi"}, {"cpu": "5", "memory": "4Gi"}),
    ("1.36", {}, {"cpu": "3", "memory": "3Gi"}, {"cpu": "5", "memory": "4Gi"}),
    ("1.36", {"InPlacePodLevelResourcesVerticalScaling": False}, {"cpu": "2", "memory": "2Gi"}, {"cpu": "4", "memory": "4Gi"}),
    ("1.36", {"PodLevelResources": False}, {"cpu": "1", "memory": "1Gi"}, {"cpu": "2"}),
]


@pytest.mark.parametrize(
    ("release", "gates", "requests", "limits"),
    POD_LEVEL_ROWS,
    ids=[f"P2-P3 pod-level status @{row[0]} {row[1] or 'default gates'}" for row in POD_LEVEL_ROWS],
)
def test_pod_level_status(release: str, gates: dict[str, bool], requests: dict[str, str], limits: dict[str, str]) -> None:
    options = Options.of(release, gates)
    assert _text(pod_requests(POD_LEVEL, use_status_resources=True, options=options)) == requests
    assert _text(pod_limits(POD_LEVEL, use_status_resources=True, options=options)) == limits


def test_pod_level_infeasible_takes_the_status() -> None:
    """P2 1.36: under PodResizePending Infeasible the pod level is max(actual, allocated), limits the actual."""
    pod = running(
        [cs("app")],
        pending="Infeasible",
        resources={"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"cpu": "4"}},
        status_resources={"requests": {"cpu": "1500m"}, "limits": {"cpu": "3"}},
    )
    assert _text(pod_requests(pod, use_status_resources=True, kubernetes_version="1.36")) == {"cpu": "1500m", "memory": "0"}
    assert _text(pod_limits(pod, use_status_resources=True, kubernetes_version="1.36")) == {"cpu": "3"}


# --- properties -----------------------------------------------------------------------------------

_CPU = st.sampled_from(["100m", "250m", "500m", "1", "1500m", "2"])
_MEMORY = st.sampled_from(["128Mi", "512Mi", "1Gi", "1073741824", "2Gi"])
_LIST = st.fixed_dictionaries({}, optional={"cpu": _CPU, "memory": _MEMORY})


@st.composite
def running_pods(draw: st.DrawFn) -> dict[str, Any]:
    statuses = []
    for name in draw(st.lists(st.sampled_from(["app", "log", "proxy"]), unique=True, max_size=3)):
        statuses.append(
            cs(
                name,
                draw(st.none() | _LIST),
                draw(st.none() | _LIST),
                draw(st.none() | st.fixed_dictionaries({}, optional={"cpu": st.just("4")})),
            )
        )
    return running(
        statuses,
        containers=[container("app", draw(_LIST), {"cpu": "4"}), container("log", draw(_LIST))],
        init=[container("proxy", draw(_LIST), restart_policy="Always")],
        init_statuses=[status for status in statuses if status["name"] == "proxy"],
        resize=draw(st.none() | st.sampled_from(["Proposed", "InProgress", "Deferred", "Infeasible"])),
        pending=draw(st.none() | st.sampled_from(["Deferred", "Infeasible"])),
    )


@settings(max_examples=150, deadline=None)
@given(running_pods(), st.sampled_from(["1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34"]))
def test_gate_off_every_status_counts_as_the_spec(pod: dict[str, Any], release: str) -> None:
    """P2: with InPlacePodVerticalScaling off, UseStatusResources reads no status, whatever its shape."""
    options = Options.of(release, {"InPlacePodVerticalScaling": False})
    assert pod_requests(pod, use_status_resources=True, options=options) == pod_requests(pod, options=options)
    assert pod_limits(pod, use_status_resources=True, options=options) == pod_limits(pod, options=options)


@settings(max_examples=150, deadline=None)
@given(running_pods(), st.sampled_from(["1.33", "1.34", "1.35", "1.36"]))
def test_max3_never_counts_less_than_the_spec_unless_infeasible(pod: dict[str, Any], release: str) -> None:
    """P2 1.33+: without a PodResizePending Infeasible condition each resource counts at least the spec."""
    spec = pod_requests(pod, kubernetes_version=release)
    counted = pod_requests(pod, use_status_resources=True, kubernetes_version=release)
    infeasible = any(c.get("reason") == "Infeasible" for c in pod["status"]["conditions"] if c["type"] == "PodResizePending")
    if not infeasible:
        assert all(name in counted and counted[name] >= value for name, value in spec.items())


@settings(max_examples=100, deadline=None)
@given(running_pods())
def test_allocated_rule_never_reads_status_resources(pod: dict[str, Any]) -> None:
    """P2 1.29-1.31: only allocatedResources count; status.resources could be anything."""
    options = Options.of("1.30", {"InPlacePodVerticalScaling": True})
    stripped = {**pod, "status": {**pod["status"], "containerStatuses": [
        {k: v for k, v in status.items() if k != "resources"} for status in pod["status"]["containerStatuses"]]}}  # fmt: skip
    assert pod_requests(pod, use_status_resources=True, options=options) == pod_requests(
        stripped, use_status_resources=True, options=options
    )
