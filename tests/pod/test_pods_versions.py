"""The API server and the kubelet of each release (research note rows P1, P3, S10, O1-O3).

A default-gated cluster of each release 1.28-1.36, gates overridable:

* P1: ``SidecarContainers`` off (1.28) drops init containers' ``restartPolicy``
  (``dropDisabledPodFields``): a sidecar becomes an ordinary init container;
* P3: ``PodLevelResources`` off (1.32-1.33; no such field before 1.32) drops
  ``spec.resources``; hugepages are pod-level resources only from 1.33;
* O1/O2: the sidecar OOM rule, A (1.29-1.32) or B (1.33+); O1's
  ``allocatedResources`` memory with InPlacePodVerticalScaling on in 1.29-1.31;
  O3: the pod-level memory share where PodLevelResources is on.
"""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities import (
    PodValidationError,
    default_pod,
    explain_oom,
    oom_score_adj,
    parse_quantity,
    pod_limits,
    pod_requests,
    valid_pod,
    validate_pod,
)
from quantities.options import Options
from quantities.versions import FeatureGateError
from tests.builders import container
from tests.pod.test_pods_properties import manifest, pods, reference

RELEASES = ("1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36")
NODE = "16Gi"


def pod(
    containers: list[dict[str, Any]],
    init: list[dict[str, Any]] | None = None,
    resources: dict[str, Any] | None = None,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": containers}
    if init is not None:
        spec["initContainers"] = init
    if resources is not None:
        spec["resources"] = resources
    manifest: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    if status is not None:
        manifest["status"] = status
    return manifest


def text(resources: dict[str, Any]) -> dict[str, str]:
    return {name: str(quantity) for name, quantity in resources.items()}


# --- P1: sidecars --------------------------------------------------------------------------------

SIDECAR_POD = pod(
    [container("app", {"cpu": "500m"})],
    init=[container("proxy", {"cpu": "100m"}, restart_policy="Always")],
)


@pytest.mark.parametrize("release", RELEASES, ids=[f"P1 sidecar @{release}" for release in RELEASES])
def test_sidecar_is_stored_from_1_29(release: str) -> None:
    kept = release != "1.28"
    assert default_pod(SIDECAR_POD, kubernetes_version=release).init_containers[0].is_sidecar is kept
    # [run] kubectl 1.28 and 1.29: 500m vs 600m.
    assert text(pod_requests(SIDECAR_POD, kubernetes_version=release)) == {"cpu": "600m" if kept else "500m"}
    assert validate_pod(SIDECAR_POD, kubernetes_version=release) == []


@pytest.mark.parametrize("release", ["1.29", "1.30", "1.31", "1.32"])
def test_sidecar_gate_off_drops_the_restart_policy(release: str) -> None:
    assert text(pod_requests(SIDECAR_POD, kubernetes_version=release, feature_gates="SidecarContainers=false")) == {"cpu": "500m"}


@pytest.mark.parametrize("release", ["1.33", "1.34", "1.35", "1.36"])
def test_sidecar_gate_is_locked_from_1_33(release: str) -> None:
    with pytest.raises(FeatureGateError, match="SidecarContainers"):
        pod_requests(SIDECAR_POD, kubernetes_version=release, feature_gates={"SidecarContainers": False})


NEVER_INIT = pod([container("app")], init=[container("setup", restart_policy="Never")])


@pytest.mark.parametrize("release", RELEASES, ids=[f"P1 init restartPolicy Never @{release}" for release in RELEASES])
def test_init_restart_policy_other_than_always(release: str) -> None:
    """Dropped unread on 1.28 (nothing to refuse); refused from 1.29 as validateInitContainers does."""
    problems = validate_pod(NEVER_INIT, kubernetes_version=release)
    if release == "1.28":
        assert problems == []
    else:
        assert [p.kubernetes for p in problems] == [
            'spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"'
        ]


@pytest.mark.parametrize("release", RELEASES)
def test_restart_policy_on_an_app_container_is_refused_everywhere(release: str) -> None:
    problems = validate_pod(pod([container("app", restart_policy="Always")]), kubernetes_version=release)
    assert [p.kubernetes for p in problems] == [
        "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"
    ]


# --- P3: pod-level resources ---------------------------------------------------------------------

POD_LEVEL = pod(
    [container("a", {"cpu": "100m", "memory": "64Mi"}), container("b", {"cpu": "100m"})],
    resources={"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}},
)
CONTAINERS_ONLY = ({"cpu": "200m", "memory": "64Mi"}, {})
POD_LEVEL_ANSWER = ({"cpu": "1", "memory": "1Gi"}, {"cpu": "2", "memory": "2Gi"})

POD_LEVEL_ROWS = [
    *[(release, None, CONTAINERS_ONLY) for release in RELEASES[:6]],
    *[(release, None, POD_LEVEL_ANSWER) for release in RELEASES[6:]],
    ("1.32", "PodLevelResources=true", POD_LEVEL_ANSWER),
    ("1.33", "PodLevelResources=true", POD_LEVEL_ANSWER),
    ("1.34", "PodLevelResources=false", CONTAINERS_ONLY),
    ("1.36", "PodLevelResources=false", CONTAINERS_ONLY),
]


@pytest.mark.parametrize(
    ("release", "gates", "answer"),
    POD_LEVEL_ROWS,
    ids=[f"P3 pod-level @{release} {gates or 'default gates'}" for release, gates, _ in POD_LEVEL_ROWS],
)
def test_pod_level_resources(release: str, gates: str | None, answer: tuple[dict[str, str], dict[str, str]]) -> None:
    got = (
        text(pod_requests(POD_LEVEL, kubernetes_version=release, feature_gates=gates)),
        text(pod_limits(POD_LEVEL, kubernetes_version=release, feature_gates=gates)),
    )
    assert got == answer
    kept = default_pod(POD_LEVEL, kubernetes_version=release, feature_gates=gates).resources is not None
    assert kept == (answer == POD_LEVEL_ANSWER)


@pytest.mark.parametrize("release", ["1.28", "1.29", "1.30", "1.31"])
def test_pod_level_gate_does_not_exist_before_1_32(release: str) -> None:
    with pytest.raises(FeatureGateError, match="does not have it"):
        pod_requests(POD_LEVEL, kubernetes_version=release, feature_gates="PodLevelResources=true")


@pytest.mark.parametrize("release", RELEASES)
def test_pod_level_resources_false_is_the_gate_off(release: str) -> None:
    """The older keyword still works on every release (a no-op where the gate does not exist)."""
    assert text(pod_requests(POD_LEVEL, pod_level_resources=False, kubernetes_version=release)) == CONTAINERS_ONLY[0]
    assert validate_pod(POD_LEVEL, pod_level_resources=False, kubernetes_version=release) == []


HUGEPAGES = pod(
    [container("app", {"cpu": "1", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"})],
    resources={"requests": {"cpu": "1", "hugepages-2Mi": "4Mi"}, "limits": {"cpu": "1", "hugepages-2Mi": "4Mi"}},
)


def test_pod_level_hugepages_are_unsupported_in_1_32() -> None:
    """P3: component-helpers v0.32 SupportedPodLevelResources is {cpu, memory}."""
    problems = validate_pod(HUGEPAGES, kubernetes_version="1.32", feature_gates="PodLevelResources=true")
    assert [p.kubernetes for p in problems] == [
        'spec.resources.limits[hugepages-2Mi]: Unsupported value: hugepages-2Mi: supported values: "cpu", "memory"',
        'spec.resources.requests[hugepages-2Mi]: Unsupported value: hugepages-2Mi: supported values: "cpu", "memory"',
    ]
    assert "hugepages from Kubernetes 1.33" in problems[0].message


@pytest.mark.parametrize(("release", "gates"), [("1.33", "PodLevelResources=true"), ("1.34", None), ("1.36", None)])
def test_pod_level_hugepages_from_1_33(release: str, gates: str | None) -> None:
    assert validate_pod(HUGEPAGES, kubernetes_version=release, feature_gates=gates) == []
    assert text(pod_requests(HUGEPAGES, kubernetes_version=release, feature_gates=gates))["hugepages-2Mi"] == "4Mi"


def test_a_checked_pod_is_checked_again_for_another_release() -> None:
    checked = valid_pod(POD_LEVEL, kubernetes_version="1.36")
    assert checked.resources is not None
    assert valid_pod(checked, kubernetes_version="1.36") is checked
    older = valid_pod(checked, kubernetes_version="1.33")
    assert older.resources is None
    assert text(pod_requests(older, kubernetes_version="1.33")) == CONTAINERS_ONLY[0]
    # What a 1.33 API server dropped is gone: the stored pod has no pod-level resources to restore.
    assert valid_pod(older, kubernetes_version="1.36") is older


def test_options_and_keywords_agree() -> None:
    by_keywords = pod_requests(POD_LEVEL, kubernetes_version="1.36", feature_gates={"PodLevelResources": False})
    by_options = pod_requests(POD_LEVEL, options=Options.of("1.36", "PodLevelResources=false"))
    # The keywords win over the options.
    mixed = pod_requests(POD_LEVEL, options=Options.of("1.36"), kubernetes_version="1.33")
    assert by_keywords == by_options == mixed


# --- O1-O3: OOM score adjust -------------------------------------------------------------------

RULE = {release: "A" for release in RELEASES[1:5]} | {release: "B" for release in RELEASES[5:]} | {"1.28": "no sidecars"}


def _sidecar_pod(app: dict[str, str], proxy: dict[str, str]) -> dict[str, Any]:
    return pod([container("app", app)], init=[container("proxy", proxy, restart_policy="Always")])


OOM_ROWS = [
    # tag, pod, answers by rule: {container: score}
    ("O1-O2 sidecar asks less than the app", _sidecar_pod({"memory": "4Gi"}, {"memory": "1Gi"}),
     {"A": {"proxy": 939, "app": 750}, "B": {"proxy": 750, "app": 750}, "no sidecars": {"proxy": 938, "app": 750}}),
    ("O1-O2 sidecar asks more than the app", _sidecar_pod({"memory": "1Gi"}, {"memory": "4Gi"}),
     {"A": {"proxy": 939, "app": 938}, "B": {"proxy": 750, "app": 938}, "no sidecars": {"proxy": 750, "app": 938}}),
    ("O1-O2 sidecar without a memory request counts 200Mi in rule A", _sidecar_pod({"memory": "4Gi"}, {"cpu": "100m"}),
     {"A": {"proxy": 988, "app": 750}, "B": {"proxy": 750, "app": 750}, "no sidecars": {"proxy": 999, "app": 750}}),
    ("O1-O2 app without a memory request counts 200Mi in rule A", _sidecar_pod({"cpu": "1"}, {"memory": "1Gi"}),
     {"A": {"proxy": 989, "app": 999}, "B": {"proxy": 938, "app": 999}, "no sidecars": {"proxy": 938, "app": 999}}),
    ("O1 explicit zero memory: rule A gives 1001 (Go clamps only exactly 1000)", _sidecar_pod({"cpu": "1", "memory": "0"}, {"memory": "0"}),
     {"A": {"proxy": 1001, "app": 999}, "B": {"proxy": 999, "app": 999}, "no sidecars": {"proxy": 999, "app": 999}}),
    ("O1-O2 no sidecar: every rule agrees", pod([container("app", {"memory": "4Gi"}), container("log", {"memory": "1Mi"})]),
     {"A": {"app": 750, "log": 999}, "B": {"app": 750, "log": 999}, "no sidecars": {"app": 750, "log": 999}}),
]


@pytest.mark.parametrize(
    ("tag", "manifest", "answers", "release"),
    [(*row, release) for row in OOM_ROWS for release in RELEASES],
    ids=[f"{row[0]} @{release}" for row in OOM_ROWS for release in RELEASES],
)
def test_oom_sidecar_rule(tag: str, manifest: dict[str, Any], answers: dict[str, dict[str, int]], release: str) -> None:
    assert oom_score_adj(manifest, NODE, kubernetes_version=release) == answers[RULE[release]]


RESIZED = pod(
    [container("app", {"memory": "4Gi"})],
    status={"containerStatuses": [{"name": "app", "allocatedResources": {"memory": "8Gi"}}]},
)
RESIZED_NO_MEMORY = pod(
    [container("app", {"memory": "4Gi"})],
    status={"containerStatuses": [{"name": "app", "allocatedResources": {"cpu": "1"}}]},
)


@pytest.mark.parametrize(
    ("release", "gates", "manifest", "score"),
    [
        ("1.30", None, RESIZED, 750),
        ("1.30", "InPlacePodVerticalScaling=true", RESIZED, 500),
        ("1.29", "InPlacePodVerticalScaling=true", RESIZED_NO_MEMORY, 999),
        ("1.31", "InPlacePodVerticalScaling=true", RESIZED, 500),
        ("1.32", "InPlacePodVerticalScaling=true", RESIZED, 750),
        ("1.33", None, RESIZED, 750),
        ("1.36", None, RESIZED, 750),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_oom_allocated_memory_1_29_to_1_31(release: str, gates: str | None, manifest: dict[str, Any], score: int) -> None:
    """O1: the 1.29-1.31 kubelet reads containerStatuses[].allocatedResources memory (none there: 0)."""
    assert oom_score_adj(manifest, NODE, kubernetes_version=release, feature_gates=gates) == {"app": score}


POD_LEVEL_MEMORY = pod(
    [container("app", {"memory": "2Gi"}), container("log", {"memory": "2Gi"})],
    init=[container("proxy", {"memory": "1Gi"}, restart_policy="Always")],
    resources={"requests": {"memory": "8Gi"}},
)


@pytest.mark.parametrize(
    ("release", "gates", "scores"),
    [
        ("1.33", None, {"proxy": 875, "app": 875, "log": 875}),
        ("1.34", None, {"proxy": 813, "app": 813, "log": 813}),
        ("1.36", None, {"proxy": 813, "app": 813, "log": 813}),
        ("1.36", "PodLevelResources=false", {"proxy": 875, "app": 875, "log": 875}),
    ],
)
def test_oom_pod_level_share(release: str, gates: str | None, scores: dict[str, int]) -> None:
    """O3: (8Gi - 5Gi) / 3 = 1Gi more per container: app 3Gi (813), proxy 2Gi bounded by the app's 813.
    Without pod-level resources (1.33 default): app 2Gi (875), proxy bounded by it."""
    got = oom_score_adj(POD_LEVEL_MEMORY, NODE, kubernetes_version=release, feature_gates=gates)
    assert got == scores


def test_oom_pod_level_share_moves_the_score() -> None:
    manifest = pod([container("app", {"memory": "1Gi"})], resources={"requests": {"memory": "5Gi"}})
    assert oom_score_adj(manifest, NODE, kubernetes_version="1.33") == {"app": 938}
    assert oom_score_adj(manifest, NODE, kubernetes_version="1.34") == {"app": 688}


def test_explanation_carries_the_release() -> None:
    explanation = explain_oom(SIDECAR_POD, NODE, kubernetes_version="1.31")
    document = explanation.to_json()
    assert next(iter(document)) == "kubernetes_version"
    assert document["kubernetes_version"] == "1.31" == explanation.kubernetes_version
    assert explain_oom(_sidecar_pod({"memory": "4Gi"}, {"memory": "1Gi"}), NODE, kubernetes_version="1.32").containers[0].reason.startswith(
        "Burstable sidecar (1.29-1.32 rule)"
    )


def test_invalid_for_the_release_is_refused() -> None:
    with pytest.raises(PodValidationError):
        oom_score_adj(NEVER_INIT, NODE, kubernetes_version="1.30")
    assert oom_score_adj(NEVER_INIT, NODE, kubernetes_version="1.28") == {"setup": 1000, "app": 1000}


# --- properties ------------------------------------------------------------------------------------

SETTINGS = settings(max_examples=100, deadline=None)


@SETTINGS
@given(pods(), st.sampled_from(RELEASES))
def test_sidecar_formula_per_release(shape: tuple[list[dict[str, Any]], list[dict[str, Any]]], release: str) -> None:
    """P1: 1.29-1.36 follow the sidecar formula; 1.28 stores every init container as an ordinary one."""
    apps, inits = shape
    if release == "1.28":
        inits = [{**init, "sidecar": False} for init in inits]
    requests = pod_requests(manifest(*shape, style=0), kubernetes_version=release)
    assert requests["cpu"] == parse_quantity(f"{reference(apps, inits, 'cpu')}m")
    assert requests["memory"] == parse_quantity(f"{reference(apps, inits, 'memory')}Mi")


@SETTINGS
@given(pods(), st.sampled_from(["1.28", "1.30", "1.32", "1.33"]), st.integers(min_value=0, max_value=4000))
def test_pod_level_resources_change_nothing_where_dropped(
    shape: tuple[list[dict[str, Any]], list[dict[str, Any]]], release: str, milli: int
) -> None:
    """P3: before 1.34 the API server drops spec.resources, whatever it says."""
    plain = manifest(*shape, style=0)
    with_pod_level = {**plain, "spec": {**plain["spec"], "resources": {"requests": {"cpu": f"{milli}m"}}}}
    assert pod_requests(with_pod_level, kubernetes_version=release) == pod_requests(plain, kubernetes_version=release)


@SETTINGS
@given(pods(), st.sampled_from(RELEASES), st.integers(min_value=1, max_value=64))
def test_burstable_scores_stay_in_range_under_both_rules(
    shape: tuple[list[dict[str, Any]], list[dict[str, Any]]], release: str, node_gi: int
) -> None:
    """O1/O2: whichever sidecar rule, a Burstable container scores 3..999, except rule A's 1001 for a
    sidecar whose counted minimum is zero."""
    apps, inits = shape
    apps = [{**apps[0], "cpu": max(apps[0]["cpu"], 1)}, *apps[1:]]  # a cpu request keeps it off BestEffort
    scores = oom_score_adj(manifest(apps, inits, style=0), f"{node_gi}Gi", kubernetes_version=release)
    if len(set(scores.values())) == 1 and -997 in scores.values():
        return  # every container Guaranteed-shaped
    assert all(3 <= score <= 999 or (score == 1001 and name.startswith("init")) for name, score in scores.items())
