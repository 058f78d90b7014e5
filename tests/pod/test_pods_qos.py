"""qos_class and explain_qos against ComputePodQOS (pkg/apis/core/v1/helper/qos), release by release.

The table is the 1.34 API server's (PodLevelResources on by default); the version rows
below show what changes on other releases and gates (research note QC1).
"""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from quantities import QOSClass, explain_qos, qos_class
from quantities.options import Options
from quantities.versions import FeatureGateError
from tests.builders import container as c

G, B, BE = QOSClass.GUARANTEED, QOSClass.BURSTABLE, QOSClass.BEST_EFFORT


def pod(
    containers: list[dict[str, Any]], init: list[dict[str, Any]] | None = None, **spec: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": containers, **spec}
    if init is not None:
        body["initContainers"] = init
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


GUARANTEED_RESOURCES = {"cpu": "500m", "memory": "256Mi"}


class Row(NamedTuple):
    name: str
    pod: dict[str, Any]
    qos: QOSClass


ROWS = [
    Row("no resources", pod([c("a")]), BE),
    Row("limits only: requests default to limits", pod([c("a", limits={"cpu": "1", "memory": "1Gi"})]), G),
    Row("requests equal limits", pod([c("a", GUARANTEED_RESOURCES, GUARANTEED_RESOURCES)]), G),
    Row("equal in different notations: 1 vs 1000m, 1Gi vs 1024Mi",
        pod([c("a", {"cpu": "1000m", "memory": "1024Mi"}, {"cpu": "1", "memory": "1Gi"})]), G),
    Row("JSON numbers", pod([c("a", {"cpu": 0.5, "memory": 268435456}, {"cpu": "500m", "memory": "256Mi"})]), G),
    Row("request below limit", pod([c("a", {"cpu": "250m", "memory": "256Mi"}, {"cpu": "500m", "memory": "256Mi"})]), B),
    Row("memory limit missing", pod([c("a", {"cpu": "1", "memory": "1Gi"}, {"cpu": "1"})]), B),
    Row("cpu only, requests = limits", pod([c("a", limits={"cpu": "1"})]), B),
    Row("memory request only", pod([c("a", {"memory": "1Gi"})]), B),
    Row("one Guaranteed, one BestEffort container", pod([c("a", limits=GUARANTEED_RESOURCES), c("b")]), B),
    Row("two Guaranteed containers", pod([c("a", limits=GUARANTEED_RESOURCES), c("b", limits=GUARANTEED_RESOURCES)]), G),
    Row("zero quantities are ignored: all zero is BestEffort",
        pod([c("a", {"cpu": "0", "memory": "0"}, {"cpu": "0", "memory": "0"})]), BE),
    Row("zero cpu, Guaranteed memory", pod([c("a", {"cpu": "0", "memory": "1Gi"}, {"cpu": "0", "memory": "1Gi"})]), B),
    Row("explicit zero request with a limit", pod([c("a", {"cpu": "0", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"})]), B),
    Row("extended resources only do not count", pod([c("a", limits={"nvidia.com/gpu": "1"})]), BE),
    Row("ephemeral-storage does not count", pod([c("a", limits={"ephemeral-storage": "1Gi"})]), BE),
    Row("extended resources beside Guaranteed cpu and memory",
        pod([c("a", limits={"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"})]), G),
    Row("init containers count: BestEffort init in a Guaranteed pod",
        pod([c("a", limits=GUARANTEED_RESOURCES)], init=[c("i")]), B),
    Row("init containers count: Burstable init", pod([c("a", limits=GUARANTEED_RESOURCES)], init=[c("i", {"cpu": "1"})]), B),
    Row("Guaranteed init and sidecar", pod([c("a", limits=GUARANTEED_RESOURCES)],
        init=[c("i", limits=GUARANTEED_RESOURCES), c("s", limits=GUARANTEED_RESOURCES, restart_policy="Always")]), G),
    Row("sidecar without resources", pod([c("a", limits=GUARANTEED_RESOURCES)], init=[c("s", restart_policy="Always")]), B),
    Row("BestEffort init and app", pod([c("a")], init=[c("i")]), BE),
    Row("ephemeral containers do not count", pod([c("a", limits=GUARANTEED_RESOURCES)], ephemeralContainers=[{"name": "d"}]), G),
    Row("pod-level resources decide: Guaranteed, containers without resources",
        pod([c("a"), c("b")], resources={"limits": {"cpu": "1", "memory": "1Gi"}}), G),
    Row("pod-level resources decide: containers Burstable, pod Guaranteed",
        pod([c("a", {"cpu": "100m"})], resources={"requests": {"cpu": "1", "memory": "1Gi"},
                                                  "limits": {"cpu": "1", "memory": "1Gi"}}), G),
    Row("pod-level limits with container requests: requests default to the aggregate",
        pod([c("a", {"cpu": "100m", "memory": "64Mi"})], resources={"limits": {"cpu": "1", "memory": "1Gi"}}), B),
    Row("pod-level requests only", pod([c("a", limits=GUARANTEED_RESOURCES)],
                                        resources={"requests": {"cpu": "1", "memory": "1Gi"}}), B),
    Row("empty pod-level resources decide too (v1.34): BestEffort",
        pod([c("a", limits=GUARANTEED_RESOURCES)], resources={}), BE),
    Row("status.qosClass is not consulted: the class is computed from the spec",
        {**pod([c("a")]), "status": {"qosClass": "Guaranteed"}}, BE),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_qos_class(row: Row) -> None:
    assert qos_class(row.pod, kubernetes_version="1.34") is row.qos
    explanation = explain_qos(row.pod, kubernetes_version="1.34")
    assert explanation.qos_class is row.qos
    assert explanation.to_json()["kubernetes_version"] == "1.34"


POD_LEVEL_GUARANTEED = pod([c("a"), c("b")], resources={"limits": {"cpu": "1", "memory": "1Gi"}})
POD_LEVEL_EMPTY = pod([c("a", limits=GUARANTEED_RESOURCES)], resources={})

# (pod, release, feature gates, class): the API server keeps spec.resources only with PodLevelResources
# (off by default in 1.32 and 1.33, absent before 1.32, on from 1.34) and then it alone decides.
VERSION_ROWS = [
    ("pod-level Guaranteed, 1.28: no such field", POD_LEVEL_GUARANTEED, "1.28", None, BE),
    ("pod-level Guaranteed, 1.31: no such field", POD_LEVEL_GUARANTEED, "1.31", None, BE),
    ("pod-level Guaranteed, 1.32 default: dropped", POD_LEVEL_GUARANTEED, "1.32", None, BE),
    ("pod-level Guaranteed, 1.32 with the gate", POD_LEVEL_GUARANTEED, "1.32", "PodLevelResources=true", G),
    ("pod-level Guaranteed, 1.33 default: dropped", POD_LEVEL_GUARANTEED, "1.33", None, BE),
    ("pod-level Guaranteed, 1.34 default", POD_LEVEL_GUARANTEED, "1.34", None, G),
    ("pod-level Guaranteed, 1.36 without the gate", POD_LEVEL_GUARANTEED, "1.36", "PodLevelResources=false", BE),
    ("empty pod-level, 1.33 default: containers decide", POD_LEVEL_EMPTY, "1.33", None, G),
    ("empty pod-level, 1.36: still decides", POD_LEVEL_EMPTY, "1.36", None, BE),
    ("sidecar counts on every release", pod([c("a", limits=GUARANTEED_RESOURCES)],
                                            init=[c("s", restart_policy="Always")]), "1.29", None, B),
]  # fmt: skip


@pytest.mark.parametrize(("name", "manifest", "release", "gates", "expected"), VERSION_ROWS,
                         ids=[row[0] for row in VERSION_ROWS])  # fmt: skip
def test_qos_class_per_release(
    name: str, manifest: dict[str, Any], release: str, gates: str | None, expected: QOSClass
) -> None:
    assert qos_class(manifest, kubernetes_version=release, feature_gates=gates) is expected
    explanation = explain_qos(manifest, kubernetes_version=release, feature_gates=gates)
    assert explanation.qos_class is expected
    assert explanation.kubernetes_version == release
    dropped = any(note.startswith("spec.resources is dropped") for note in explanation.notes)
    gate = Options.of(release, gates).pod_level_resources
    assert dropped == ("resources" in manifest["spec"] and not gate)


def test_pod_level_gate_of_a_release_without_it() -> None:
    with pytest.raises(FeatureGateError, match="does not have it"):
        qos_class(POD_LEVEL_GUARANTEED, kubernetes_version="1.31", feature_gates="PodLevelResources=true")


def test_qos_class_is_a_string() -> None:
    assert qos_class(pod([c("a")])) == "BestEffort"
    assert str(QOSClass.BURSTABLE) == "Burstable"


def test_explain_burstable_reasons_and_fixes() -> None:
    explanation = explain_qos(pod([c("app", {"cpu": "250m", "memory": "1Gi"}, {"cpu": "500m"})]))
    assert explanation.reasons == (
        'container "app": requests.cpu 250m differs from limits.cpu 500m',
        'container "app" has no memory limit (requests.memory is 1Gi)',
    )
    assert explanation.to_guaranteed == (
        'set requests.cpu and limits.cpu of container "app" to the same value (250m or 500m)',
        'set limits.memory of container "app" to 1Gi, equal to its request',
    )
    assert explanation.decided_by == "containers"


def test_explain_mixed_guaranteed_and_best_effort() -> None:
    explanation = explain_qos(pod([c("app", limits=GUARANTEED_RESOURCES), c("log")]))
    assert explanation.qos_class is B
    assert 'container "log" sets no cpu or memory request or limit' in explanation.reasons
    assert any("Guaranteed on its own" in reason for reason in explanation.reasons)
    assert explanation.to_guaranteed == (
        'set limits.cpu and limits.memory of container "log" (the requests default to the limits)',
    )


def test_explain_missing_resource() -> None:
    explanation = explain_qos(pod([c("app", limits={"cpu": "1"})]))
    assert explanation.reasons == (
        'container "app" has no memory request or limit (it sets cpu 1 as request and limit)',
    )
    assert explanation.to_guaranteed == (
        'set limits.memory of container "app" (its request defaults to the limit)',
    )
    assert any("defaults to its limit" in note for note in explanation.notes)


def test_explain_guaranteed() -> None:
    explanation = explain_qos(pod([c("app", limits={"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"})]))
    assert explanation.qos_class is G
    assert explanation.to_guaranteed == ()
    assert 'container "app": requests = limits for cpu 1 and memory 1Gi' in explanation.reasons
    assert "only cpu and memory count for the QoS class, not nvidia.com/gpu" in explanation.notes


def test_explain_best_effort() -> None:
    explanation = explain_qos(pod([c("a"), c("b")], ephemeralContainers=[{"name": "debug"}]))
    assert explanation.reasons == ("no container sets a cpu or memory request or limit",)
    assert len(explanation.to_guaranteed) == 2
    assert "ephemeral containers do not count for the QoS class" in explanation.notes


def test_explain_pod_level() -> None:
    explanation = explain_qos(
        pod([c("a")], resources={"requests": {"cpu": "1"}, "limits": {"cpu": "2", "memory": "1Gi"}}),
        kubernetes_version="1.34",
    )
    assert explanation.qos_class is B
    assert explanation.decided_by == "spec.resources"
    assert explanation.reasons == ("spec.resources: requests.cpu 1 differs from limits.cpu 2",)
    assert explanation.notes[0].startswith("spec.resources (pod-level resources) is set")


def test_explain_init_and_sidecar_labels() -> None:
    explanation = explain_qos(pod([c("a", limits=GUARANTEED_RESOURCES)],
                                  init=[c("setup", {"cpu": "1"}), c("proxy", restart_policy="Always")]))  # fmt: skip
    assert 'init container "setup" has no cpu limit (requests.cpu is 1)' in explanation.reasons
    assert 'sidecar container "proxy" sets no cpu or memory request or limit' in explanation.reasons


def test_explain_notes_status_disagreement() -> None:
    explanation = explain_qos({**pod([c("a")]), "status": {"qosClass": "Burstable"}})
    assert any(note.startswith("status.qosClass says Burstable") for note in explanation.notes)


def test_explanation_text() -> None:
    text = str(explain_qos(pod([c("app", {"cpu": "1"})])))
    assert text.splitlines()[0] == "QoS class: Burstable"
    assert "To make it Guaranteed:" in text
