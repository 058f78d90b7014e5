"""The scheduler's view of a pod per release (research note rows S1, S2, P2, S10, S11).

* S1: the pod being placed counts its spec, whatever its status says;
* P2/S2: a pod already on a node counts its resize status by the release's rule
  (``NodeInfo.Requested``), and so do the non-zero sums the scores use;
* S2: with pod-level requests, a non-zero default only where neither the pod level
  nor a container requests the resource (``getNonMissingContainerRequests``);
* S11: pod affinity ``matchLabelKeys``/``mismatchLabelKeys`` are dropped on 1.28-1.30
  and merged into the selector (``In``/``NotIn``) from 1.31, with the API server's
  validation;
* S10: topology-spread ``matchLabelKeys`` are merged unless their gate is off.
"""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from typing import Any

import pytest

from quantities.manifest.problems import PodValidationError
from quantities.node.compact import compact_node
from quantities.options import Options
from quantities.pod.scheduling import Requirement
from quantities.scheduler.framework.nodeinfo import Snapshot
from quantities.scheduler.framework.podinfo import pod_info
from tests.builders import container

RELEASES = ("1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36")


def bound(status: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"nodeName": "n1", "containers": [container("app", {"cpu": "1", "memory": "1Gi"})], **spec},
        "status": {"phase": "Running", **status},
    }


RESIZED_UP = bound({"containerStatuses": [{"name": "app", "resources": {"requests": {"cpu": "1500m", "memory": "2Gi"}}}]})
ALLOCATED_UP = bound({"resize": "InProgress", "containerStatuses": [{"name": "app", "allocatedResources": {"cpu": "2"}}]})

# (release, gates, pod, cpu, memory) of a pod already on the node.
NODE_ROWS = [
    *[(release, None, RESIZED_UP, 1000, 1 << 30) for release in RELEASES[:5]],
    *[(release, None, RESIZED_UP, 1500, 2 << 30) for release in RELEASES[5:]],
    ("1.32", "InPlacePodVerticalScaling=true", RESIZED_UP, 1500, 2 << 30),
    ("1.31", "InPlacePodVerticalScaling=true", RESIZED_UP, 1000, 1 << 30),
    ("1.31", "InPlacePodVerticalScaling=true", ALLOCATED_UP, 2000, 1 << 30),
    ("1.32", "InPlacePodVerticalScaling=true", ALLOCATED_UP, 1000, 1 << 30),
    ("1.34", "InPlacePodVerticalScaling=false", RESIZED_UP, 1000, 1 << 30),
]


@pytest.mark.parametrize(
    ("release", "gates", "manifest", "cpu", "memory"),
    NODE_ROWS,
    ids=[f"P2-S2 on a node @{row[0]} {row[1] or 'default gates'} {'actual' if row[2] is RESIZED_UP else 'allocated'}" for row in NODE_ROWS],
)
def test_pod_on_a_node_counts_its_status(release: str, gates: str | None, manifest: dict[str, Any], cpu: int, memory: int) -> None:
    options = Options.of(release, gates)
    info = pod_info(manifest, state=True, options=options)
    assert (info.cpu, info.memory, info.non0_cpu, info.non0_memory) == (cpu, memory, cpu, memory)
    node = Snapshot([compact_node("n1", cpu="4", memory="8Gi")], [info]).node_infos[0]
    assert (node.requested_cpu, node.requested_memory) == (cpu, memory)


@pytest.mark.parametrize("release", RELEASES)
def test_the_pod_being_placed_counts_its_spec(release: str) -> None:
    """S1: computePodResourceRequest reads no status (the pod has not run)."""
    info = pod_info(RESIZED_UP, options=Options.of(release))
    assert (info.cpu, info.memory) == (1000, 1 << 30)


def test_status_and_spec_answers_are_cached_apart() -> None:
    options = Options.of("1.36")
    assert pod_info(RESIZED_UP, state=True, options=options).cpu == 1500
    assert pod_info(RESIZED_UP, options=options).cpu == 1000
    assert pod_info(RESIZED_UP, state=True, options=Options.of("1.32")).cpu == 1000
    other = bound({"containerStatuses": [{"name": "app", "resources": {"requests": {"cpu": "3"}}}]})
    assert pod_info(other, state=True, options=options).cpu == 3000


def test_a_malformed_resize_status_is_reported_even_after_a_cached_answer() -> None:
    options = Options.of("1.36")
    pod_info(bound({"containerStatuses": [{"name": "app"}]}), state=True, options=options)
    broken = bound({"containerStatuses": [{"name": "app", "allocatedResources": {"cpu": "lots"}}]})
    with pytest.raises(Exception, match="allocatedResources"):
        pod_info(broken, state=True, options=options)


# --- S2: non-zero requests with pod-level resources ------------------------------------------------

MI = 1 << 20
NON_ZERO_ROWS = [
    # tag, pod-level requests, containers, release, (cpu, memory, non0 cpu, non0 memory)
    ("S2 pod-level cpu, one container asks memory: no memory default", {"cpu": "1"},
     [container("a", {"memory": "1Gi"}), container("b")], "1.34", (1000, 1024 * MI, 1000, 1024 * MI)),
    ("S2 same pod, pod-level dropped: each container gets its defaults", {"cpu": "1"},
     [container("a", {"memory": "1Gi"}), container("b")], "1.33", (0, 1024 * MI, 200, 1224 * MI)),
    ("S2 pod-level cpu, no container asks memory: 200Mi per container", {"cpu": "1"},
     [container("a"), container("b")], "1.36", (1000, 0, 1000, 400 * MI)),
    ("S2 pod-level cpu and memory: no defaults at all", {"cpu": "1", "memory": "1Gi"},
     [container("a"), container("b")], "1.36", (1000, 1024 * MI, 1000, 1024 * MI)),
]


@pytest.mark.parametrize(
    ("tag", "pod_level", "containers", "release", "amounts"), NON_ZERO_ROWS, ids=[f"{row[0]} @{row[3]}" for row in NON_ZERO_ROWS]
)
def test_non_zero_requests(tag: str, pod_level: dict[str, str], containers: list[dict[str, Any]], release: str, amounts: tuple[int, int, int, int]) -> None:
    manifest = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers, "resources": {"requests": pod_level}}}
    info = pod_info(manifest, options=Options.of(release))
    assert (info.cpu, info.memory, info.non0_cpu, info.non0_memory) == amounts


# --- S11: pod affinity matchLabelKeys and mismatchLabelKeys ------------------------------------------

def affine(term: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": "p", "labels": labels if labels is not None else {"app": "web", "version": "v1", "tenant": "a"}},
        "spec": {
            "containers": [container("app")],
            "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "zone", **term}]}},
        },
    }


TERM = {"labelSelector": {"matchLabels": {"app": "web"}}, "matchLabelKeys": ["version"], "mismatchLabelKeys": ["tenant"]}
MERGED = (Requirement("version", "In", ("v1",)), Requirement("tenant", "NotIn", ("a",)))


@pytest.mark.parametrize("release", RELEASES, ids=[f"S11 merge @{release}" for release in RELEASES])
def test_affinity_label_keys_merge_from_1_31(release: str) -> None:
    info = pod_info(affine(TERM), options=Options.of(release))
    merged = release in ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36")
    assert info.anti_affinity_terms[0].selector.match_expressions == (MERGED if merged else ())


@pytest.mark.parametrize("release", ["1.29", "1.30"])
def test_affinity_label_keys_gate_on_before_beta(release: str) -> None:
    info = pod_info(affine(TERM), options=Options.of(release, "MatchLabelKeysInPodAffinity=true"))
    assert info.anti_affinity_terms[0].selector.match_expressions == MERGED


BAD_TERMS = [
    ("S11 matchLabelKeys without labelSelector", {"matchLabelKeys": ["version"]},
     "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set"),
    ("S11 a key in both lists", {"labelSelector": {}, "matchLabelKeys": ["version"], "mismatchLabelKeys": ["version"]},
     'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys[0]: Invalid value: "version": exists in both matchLabelKeys and mismatchLabelKeys'),
    ("S11 a key also in the labelSelector (the API server's odd path)", {"labelSelector": {"matchLabels": {"version": "v1"}}, "matchLabelKeys": ["version"]},
     'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0][0]: Invalid value: "version": exists in both matchLabelKeys and labelSelector'),
    ("S11 not a label name", {"labelSelector": {}, "mismatchLabelKeys": ["-bad"]},
     'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].mismatchLabelKeys[0]: Invalid value: "-bad": '),
]


@pytest.mark.parametrize(("tag", "term", "line"), BAD_TERMS, ids=[row[0] for row in BAD_TERMS])
@pytest.mark.parametrize("release", RELEASES)
def test_affinity_label_keys_validation(tag: str, term: dict[str, Any], line: str, release: str) -> None:
    manifest = affine({"topologyKey": "zone", **term})
    if release in ("1.28", "1.29", "1.30"):
        # Dropped before validation: nothing to refuse.
        pod_info(manifest, options=Options.of(release))
        return
    with pytest.raises(PodValidationError) as caught:
        pod_info(manifest, options=Options.of(release))
    lines = [problem.kubernetes or "" for problem in caught.value.problems]
    assert any(found.startswith(line) for found in lines), lines


def test_wrong_type_is_refused_even_when_dropped() -> None:
    with pytest.raises(Exception, match="matchLabelKeys"):
        pod_info(affine({"labelSelector": {}, "matchLabelKeys": "version"}), options=Options.of("1.30"))


def test_keys_the_pod_lacks_add_nothing() -> None:
    info = pod_info(affine(TERM, labels={"app": "web"}), options=Options.of("1.36"))
    assert info.anti_affinity_terms[0].selector.match_expressions == ()


# --- S10: topology spread matchLabelKeys -------------------------------------------------------------

SPREAD = {
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"app": "web", "pod-template-hash": "abc"}},
    "spec": {
        "containers": [container("app")],
        "topologySpreadConstraints": [
            {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
             "labelSelector": {"matchLabels": {"app": "web"}}, "matchLabelKeys": ["pod-template-hash"]}
        ],
    },
}


@pytest.mark.parametrize(("release", "gates", "merged"), [
    *[(release, None, True) for release in RELEASES],
    ("1.30", "MatchLabelKeysInPodTopologySpread=false", False),
    ("1.36", "MatchLabelKeysInPodTopologySpread=false", False),
], ids=lambda value: value if isinstance(value, str) else "")
def test_spread_match_label_keys(release: str, gates: str | None, merged: bool) -> None:
    info = pod_info(SPREAD, options=Options.of(release, gates))
    expected = (Requirement("pod-template-hash", "In", ("abc",)),) if merged else ()
    assert info.spread_constraints[0].selector.match_expressions == expected
