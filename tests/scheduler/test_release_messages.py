"""The scheduler per Kubernetes release: FailedScheduling words, verdicts and scores from 1.28 to 1.36.

Each table row names the research note's row it checks (S3 fit unresolvable, S4 DRA PostFilter
reason, S5 generic taint reason, S7 best-effort skip, S8 balance-change formula) and, where the
release is inferred from PR dates rather than read from a changelog, says so in its id. The
expected strings are verbatim: the 1.34+ ones match FailedScheduling events of real 1.34.x
clusters (research note S3/S4/S5 [3rd]), the older ones kube-scheduler 1.32's words.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.node.compact import compact_node
from quantities.options import Options
from quantities.pod.workloads import compact_workload
from quantities.scheduler.cluster import load_cluster
from quantities.scheduler.fit import check_fit
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import pod_info
from quantities.scheduler.plan import max_replicas, plan
from quantities.scheduler.plugins.noderesources.balanced_allocation import balanced_allocation
from quantities.scheduler.plugins.noderesources.fit import node_resources_fit
from quantities.scheduler.plugins.taint_toleration import GENERIC_TAINT_REASON, taint_toleration
from quantities.versions import (
    FeatureGateError,
    UnsupportedVersion,
    default_kubernetes_version,
    set_default_kubernetes_version,
)

OLD_RELEASES = ("1.28", "1.29", "1.30", "1.31", "1.32", "1.33")
NEW_RELEASES = ("1.34", "1.35", "1.36")
CONTROL_PLANE = "node-role.kubernetes.io/control-plane"
NAMED_TAINT = f"node(s) had untolerated taint {{{CONTROL_PLANE}: }}"
NO_CLAIMS = "no new claims to deallocate, "


def _pod(cpu: str | None = None, memory: str | None = None, **spec: Any) -> dict[str, Any]:
    requests = {name: value for name, value in (("cpu", cpu), ("memory", memory)) if value is not None}
    container = {"name": "c", "image": "i", "resources": {"requests": requests}}
    return {"kind": "Pod", "metadata": {"name": "incoming", "namespace": "default"},
            "spec": {"containers": [container], **spec}}  # fmt: skip


def _bound(name: str, node: str, cpu: str, priority: int = 0) -> dict[str, Any]:
    pod = _pod(cpu, nodeName=node, priority=priority)
    pod["metadata"]["name"] = name
    return pod


def _kind_like_cluster() -> list[Any]:
    """A kind cluster's shape: a tainted control plane and two 32-cpu workers."""
    return [
        compact_node("control-plane", cpu="32", memory="64Gi", taints=f"{CONTROL_PLANE}:NoSchedule"),
        compact_node("worker", cpu="32", memory="64Gi"),
        compact_node("worker2", cpu="32", memory="64Gi"),
    ]


#: What preemption says of the three nodes when the workers only lack free cpu.
NO_VICTIMS = "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod"


def _message(kind: str, release: str) -> str:
    """The expected FailedScheduling message of scenario ``kind`` on ``release``: the histogram, then
    the PostFilter reasons (DRA's from 1.34, S4), then preemption's."""
    minor, _, patch = release.partition(".")[2].partition(".")
    new = int(minor) >= 34
    generic = int(minor) >= 35 or (int(minor) == 34 and (not patch or int(patch) >= 2))
    taint = GENERIC_TAINT_REASON if generic else NAMED_TAINT
    filters = f"0/3 nodes are available: 1 {taint}, 2 Insufficient cpu."
    dra = NO_CLAIMS if new else ""
    if kind == "larger than any node":
        # S3: from 1.34 the workers, too small for the pod, are unresolvable.
        helpless = "3 Preemption is not helpful for scheduling" if new else NO_VICTIMS
        return f"{filters} {dra}preemption: 0/3 nodes are available: {helpless}."
    if kind == "no victims":
        return f"{filters} {dra}preemption: 0/3 nodes are available: {NO_VICTIMS}."
    if kind == "preemption never":
        return f"{filters} {dra}preemption: not eligible due to preemptionPolicy=Never."
    assert kind == "preemption helps"
    return filters


SCENARIOS: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    # A 64-cpu pod on 32-cpu workers: evicting pods cannot help (S3 from 1.34).
    "larger than any node": (_pod("64"), []),
    # Enough allocatable, but the workers are full of pods of the same priority.
    "no victims": (_pod("16"), [_bound("busy", "worker", "20"), _bound("busy2", "worker2", "20")]),
    "preemption never": (
        _pod("16", priority=10, preemptionPolicy="Never"),
        [_bound("busy", "worker", "20"), _bound("busy2", "worker2", "20")],
    ),
    # Evicting a lower-priority pod makes room: PostFilter succeeds, the message has no suffix.
    "preemption helps": (
        _pod("16", priority=10),
        [_bound("busy", "worker", "20", priority=0), _bound("busy2", "worker2", "20", priority=20)],
    ),
}

# S3's release is inferred from the PR's dates (no changelog entry, release note NONE): the id says so.
ROWS = [
    pytest.param(kind, release, id=f"{row}-{kind}-{release}")
    for kind, row in (
        ("larger than any node", "S3(1.34-inferred)+S4+S5"),
        ("no victims", "S4+S5"),
        ("preemption never", "S4+S5"),
        ("preemption helps", "S5"),
    )
    for release in (*OLD_RELEASES, "1.34.0", "1.34.1", "1.34.2", "1.34.3", *NEW_RELEASES)
]


@pytest.mark.parametrize(("kind", "release"), ROWS)
def test_failed_scheduling_message(kind: str, release: str) -> None:
    pod, pods = SCENARIOS[kind]
    result = check_fit(pod, _kind_like_cluster(), pods, kubernetes_version=release)
    assert not result.fits
    assert result.message == _message(kind, release)
    assert result.kubernetes_version == release
    assert result.to_json()["kubernetes_version"] == release


def test_real_1_34_events_are_reproduced() -> None:
    """Two FailedScheduling events copied from 1.34.x clusters (research note S3/S4 [3rd])."""
    pod, _ = SCENARIOS["larger than any node"]
    assert check_fit(pod, _kind_like_cluster(), kubernetes_version="1.34.3").message == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. no new claims to "
        "deallocate, preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    nodes = [
        compact_node("controlplane", cpu="4", memory="8Gi", taints=f"{CONTROL_PLANE}:NoSchedule"),
        compact_node("node01", cpu="4", memory="8Gi", taints="spray=mortein:NoSchedule"),
    ]
    assert check_fit(_pod(), nodes, kubernetes_version="1.34.1").message == (
        f"0/2 nodes are available: 1 {NAMED_TAINT}, 1 node(s) had untolerated taint {{spray: mortein}}. "
        "no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for "
        "scheduling."
    )


@pytest.mark.parametrize(
    ("release", "gates", "prefix"),
    [
        pytest.param("1.33", "DynamicResourceAllocation=true", True, id="S4-1.33-gate-on"),
        pytest.param("1.34", "DynamicResourceAllocation=false", False, id="S4-1.34-gate-off"),
        pytest.param("1.34", {"DynamicResourceAllocation": True}, True, id="S4-1.34-gate-mapping"),
    ],
)
def test_dra_reason_follows_the_gate(release: str, gates: Any, prefix: bool) -> None:
    pod, pods = SCENARIOS["no victims"]
    result = check_fit(pod, _kind_like_cluster(), pods, kubernetes_version=release, feature_gates=gates)
    assert result.message is not None
    if prefix:
        assert NO_CLAIMS + "preemption: " in result.message
    else:
        assert "claims" not in result.message


def test_locked_gate_and_unknown_release_are_refused() -> None:
    pod, _ = SCENARIOS["no victims"]
    gates = "DynamicResourceAllocation=false"
    with pytest.raises(FeatureGateError, match=r"locked to true in Kubernetes 1\.35"):
        check_fit(pod, _kind_like_cluster(), kubernetes_version="1.35", feature_gates=gates)
    with pytest.raises(UnsupportedVersion, match=r"use one of 1\.28, "):
        plan([compact_workload({"name": "w", "cpu": "1"})], _kind_like_cluster(), kubernetes_version="1.27")


# --- S5: the taint reason, with patch pins --------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "reason"),
    [
        *(pytest.param(r, "node(s) had untolerated taint {gpu: true}", id=f"S5-{r}") for r in (
            *OLD_RELEASES, "1.33.7", "1.34.0", "1.34.1")),
        *(pytest.param(r, GENERIC_TAINT_REASON, id=f"S5-{r}") for r in (
            "1.34.2", "1.34.3", "1.34", "1.35.0", "1.35", "1.36")),
    ],
)  # fmt: skip
def test_taint_reason_per_patch_release(release: str, reason: str) -> None:
    node = NodeInfo(compact_node("n", cpu="1", memory="1Gi", taints="gpu=true:NoSchedule"))
    rejection = taint_toleration(pod_info(_pod()), node, Options.of(release))
    assert rejection is not None and rejection.reasons == (reason,) and rejection.unresolvable


# --- S3: which shortages are unresolvable ----------------------------------------------------------


GPU = "nvidia.com/gpu"
CPU_SHORT = ("Insufficient cpu",)
MEMORY_SHORT = ("Insufficient memory",)


@pytest.mark.parametrize(
    ("node", "used", "asks", "reasons", "unresolvable_from_1_34"),
    [
        pytest.param({"cpu": "4"}, {}, {"cpu": "5"}, CPU_SHORT, True, id="S3-cpu-over-allocatable"),
        pytest.param({"cpu": "4"}, {"cpu": "2"}, {"cpu": "3"}, CPU_SHORT, False, id="S3-cpu-used"),
        pytest.param({"cpu": "4"}, {"cpu": "4"}, {"cpu": "4"}, CPU_SHORT, False, id="S3-cpu-equal"),
        pytest.param({"memory": "1Gi"}, {}, {"memory": "1025Mi"}, MEMORY_SHORT, True, id="S3-memory"),
        pytest.param(
            {"ephemeral-storage": "10Gi"},
            {},
            {"ephemeral-storage": "11Gi"},
            ("Insufficient ephemeral-storage",),
            True,
            id="S3-ephemeral-storage",
        ),
        pytest.param({GPU: "1"}, {}, {GPU: "2"}, (f"Insufficient {GPU}",), True, id="S3-extended-resource"),
        pytest.param({}, {}, {GPU: "1"}, (f"Insufficient {GPU}",), True, id="S3-absent-resource"),
        # The pod count is never unresolvable, even on a node that allows no pod at all.
        pytest.param({"pods": "0"}, {}, {"cpu": "1"}, ("Too many pods",), False, id="S3-pod-count"),
        pytest.param(
            {"pods": "0", "cpu": "1"},
            {},
            {"cpu": "2"},
            ("Too many pods", "Insufficient cpu"),
            True,
            id="S3-pod-count-and-cpu",
        ),
    ],
)
@pytest.mark.parametrize(
    "release", [*OLD_RELEASES, pytest.param("1.34", id="1.34-inferred"), *NEW_RELEASES[1:]]
)
def test_fit_unresolvable(
    node: dict[str, str],
    used: dict[str, str],
    asks: dict[str, str],
    reasons: tuple[str, ...],
    unresolvable_from_1_34: bool,
    release: str,
) -> None:
    allocatable = {"cpu": "8", "memory": "8Gi", "pods": "110", "ephemeral-storage": "100Gi", **node}
    info = NodeInfo(compact_node("n", **allocatable))
    if used:
        info.add_pod(pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": used}}]}}))
    # Extended resources cannot be overcommitted: the limits equal the requests.
    resources = {"requests": asks, "limits": asks}
    incoming = pod_info({"spec": {"containers": [{"name": "c", "resources": resources}]}})
    rejection = node_resources_fit(incoming, info, Options.of(release))
    assert rejection is not None and rejection.reasons == reasons
    assert rejection.unresolvable == (unresolvable_from_1_34 and release in NEW_RELEASES)


# --- S7, S8: BalancedAllocation ----------------------------------------------------------------------

# Node 4 cpu / 8Gi; (node's requests, pod's requests) -> score on 1.28-1.32, 1.33-1.35, 1.36.
BALANCE_ROWS = [
    ({}, {"cpu": "1", "memory": "1Gi"}, 93, 93, 71),  # 93 with the pod, 100 without: 50 + (50 - 7) // 2
    ({"cpu": "2", "memory": "4Gi"}, {"cpu": "1", "memory": "1Gi"}, 93, 93, 71),
    ({"cpu": "3"}, {"memory": "1Gi"}, 68, 68, 78),  # the pod improves the balance: 62 -> 68
    ({"cpu": "2"}, {"memory": "4Gi"}, 100, 100, 87),  # 75 -> 100
    ({"cpu": "4", "memory": "8Gi"}, {"cpu": "1"}, 100, 100, 75),  # capped at 1: no change
    ({}, {"cpu": "2"}, 75, 75, 62),
    ({}, {}, 100, 0, 0),  # best effort: skipped from 1.33 (S7)
    ({"cpu": "3"}, {}, 62, 0, 0),
    ({"cpu": "3"}, {"ephemeral-storage": "1Gi"}, 62, 0, 0),  # only cpu and memory make a pod "requesting"
]


def _balance_param(
    number: int, used: dict[str, str], asks: dict[str, str], scores: list[int], release: str
) -> Any:
    minor = int(release.split(".")[1])
    expected = scores[0 if minor <= 32 else 1 if minor <= 35 else 2]
    best_effort = not {"cpu", "memory"} & set(asks)
    # S7's 1.33 is inferred from the PR's date; S8's 1.36 is in CHANGELOG-1.36.md (v1.36.0-alpha.1).
    row = ("S7" + ("-1.33-inferred" if minor == 33 else "")) if best_effort else "S8"
    return pytest.param(used, asks, release, expected, id=f"{row}-{number}-{release}")


@pytest.mark.parametrize(
    ("used", "asks", "release", "expected"),
    [
        _balance_param(number, used, asks, scores, release)
        for number, (used, asks, *scores) in enumerate(BALANCE_ROWS)
        for release in (*OLD_RELEASES, *NEW_RELEASES)
    ],
)
def test_balanced_allocation(used: dict[str, str], asks: dict[str, str], release: str, expected: int) -> None:
    info = NodeInfo(compact_node("n", cpu="4", memory="8Gi"))
    if used:
        info.add_pod(pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": used}}]}}))
    incoming = pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": asks}}]}})
    assert balanced_allocation(incoming, info, Options.of(release)) == expected


def test_the_1_36_formula_changes_a_placement() -> None:
    """S8: node a holds memory only, b a balanced load; a cpu-only pod evens out a on 1.36."""
    nodes = [compact_node("a", cpu="4", memory="8Gi"), compact_node("b", cpu="4", memory="8Gi")]
    pods = [_pod(None, "4Gi", nodeName="a"), _pod("1", "2Gi", nodeName="b")]
    for number, item in enumerate(pods):
        item["metadata"]["name"] = f"p{number}"
    workload = compact_workload({"name": "w", "cpu": "500m", "memory": "0"})
    # 1.35: a 66 + 81 = 147, b 67 + 93 = 160; 1.36: a 66 + 78 = 144, b 67 + 71 = 138.
    assert plan([workload], nodes, pods, kubernetes_version="1.35").workloads[0].placements == {"b": 1}
    assert plan([workload], nodes, pods, kubernetes_version="1.36").workloads[0].placements == {"a": 1}


# --- the version reaches every answer ---------------------------------------------------------------


def test_results_say_which_release() -> None:
    workload = compact_workload({"name": "w", "cpu": "1"})
    nodes = [compact_node("n", cpu="2", memory="1Gi")]
    default = str(default_kubernetes_version())
    assert check_fit(_pod("1"), nodes).kubernetes_version == default
    assert plan([workload], nodes).to_json()["kubernetes_version"] == default
    assert plan([workload], nodes, kubernetes_version="1.34.1").kubernetes_version == "1.34.1"
    # The keywords win over the options' fields; the options' other fields are kept.
    options = Options.of("1.30")
    assert check_fit(_pod("1"), nodes, options=options).kubernetes_version == "1.30"
    pinned = check_fit(_pod("1"), nodes, kubernetes_version="1.31", options=options)
    assert pinned.kubernetes_version == "1.31"
    set_default_kubernetes_version("1.29")
    try:
        assert check_fit(_pod("1"), nodes).to_json()["kubernetes_version"] == "1.29"
    finally:
        set_default_kubernetes_version(None)
    cluster = load_cluster('name,cpu,memory\nn1,4,16Gi\n', kubernetes_version="1.30", feature_gates="")
    assert str(cluster.options.version) == "1.30"
    assert max_replicas(_pod("1"), cluster.nodes, kubernetes_version="1.28") == 4


# --- properties: the switches change words and scores, never which nodes fit -------------------------

QUANTITIES = st.sampled_from(["0", "100m", "1", "3", "8", "40"])


@st.composite
def clusters(draw: st.DrawFn) -> tuple[list[Any], dict[str, Any], list[dict[str, Any]]]:
    count = draw(st.integers(1, 4))
    nodes = [
        compact_node(
            f"n{i}",
            cpu=draw(st.sampled_from(["1", "4", "32"])),
            memory=draw(st.sampled_from(["1Gi", "8Gi"])),
            pods=draw(st.integers(0, 3)),
            taints=draw(st.sampled_from(["", "gpu=true:NoSchedule", "a=b:NoExecute"])),
        )
        for i in range(count)
    ]
    pods = []
    for i in range(draw(st.integers(0, 4))):
        where = f"n{draw(st.integers(0, count - 1))}"
        pods.append(_bound(f"p{i}", where, draw(QUANTITIES), draw(st.integers(0, 2))))
    incoming = _pod(draw(QUANTITIES), draw(st.sampled_from(["1Mi", "2Gi"])), priority=1)
    return nodes, incoming, pods


@settings(max_examples=60, deadline=None)
@given(clusters(), st.sampled_from(OLD_RELEASES), st.sampled_from(NEW_RELEASES))
def test_releases_agree_on_verdicts(
    cluster: tuple[list[Any], dict[str, Any], list[dict[str, Any]]], old: str, new: str
) -> None:
    nodes, incoming, pods = cluster
    before = check_fit(incoming, nodes, pods, kubernetes_version=old)
    after = check_fit(incoming, nodes, pods, kubernetes_version=new)
    assert before.feasible == after.feasible
    assert before.preemption_nodes == after.preemption_nodes
    for one, other in zip(before.nodes, after.nodes, strict=True):
        assert (one.plugin, len(one.reasons)) == (other.plugin, len(other.reasons))
        if one.plugin != "TaintToleration":
            assert one.reasons == other.reasons
    if after.message is not None and after.preemption_nodes == ():
        assert NO_CLAIMS + "preemption: " in after.message and "claims" not in (before.message or "")


@settings(max_examples=40, deadline=None)
@given(clusters(), st.sampled_from((*OLD_RELEASES, *NEW_RELEASES)))
def test_plan_places_what_max_replicas_counts_on_every_release(
    cluster: tuple[list[Any], dict[str, Any], list[dict[str, Any]]], release: str
) -> None:
    # Copies of one pod that only needs resources: each node takes its own count whatever the
    # scores' order, so the plan places exactly max_replicas on every release.
    nodes, incoming, pods = cluster
    count = max_replicas(incoming, nodes, pods, kubernetes_version=release)
    workload = {"kind": "Deployment", "metadata": {"name": "w"},
                "spec": {"replicas": count + 1, "template": {"spec": incoming["spec"]}}}  # fmt: skip
    (planned,) = plan([workload], nodes, pods, kubernetes_version=release).workloads
    assert planned.placed == count
