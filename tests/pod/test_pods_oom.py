"""oom_score_adj against the kubelet's GetContainerOOMScoreAdjust (pkg/kubelet/qos/policy.go)."""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from quantities import PodValidationError, explain_oom, oom_score_adj, parse_quantity
from quantities.pod.oom import KILL_ORDER
from tests.builders import container

GI = 1 << 30
NODE = 16 * GI


def c(name: str, memory: str | None = None, limits: dict[str, str] | None = None,
      restart_policy: str | None = None) -> dict[str, Any]:  # fmt: skip
    return container(name, None if memory is None else {"memory": memory}, limits, restart_policy)


def pod(containers: list[dict[str, Any]], init: list[dict[str, Any]] | None = None,
        annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {"containers": containers, **spec}
    if init is not None:
        body["initContainers"] = init
    metadata: dict[str, Any] = {"name": "p"}
    if annotations:
        metadata["annotations"] = annotations
    return {"kind": "Pod", "metadata": metadata, "spec": body}


GUARANTEED = {"cpu": "1", "memory": "1Gi"}


class Row(NamedTuple):
    name: str
    pod: dict[str, Any]
    capacity: int
    scores: dict[str, int]


ROWS = [
    Row("Guaranteed", pod([c("a", limits=GUARANTEED)], init=[c("i", limits=GUARANTEED)]), NODE, {"i": -997, "a": -997}),
    Row("BestEffort", pod([c("a"), c("b")]), NODE, {"a": 1000, "b": 1000}),
    Row("Burstable: 1000 - 1000 * 4Gi / 16Gi", pod([c("a", "4Gi")]), NODE, {"a": 750}),
    Row("Burstable without a memory request: 1000 becomes 999", pod([c("a", limits={"cpu": "1"})]), NODE, {"a": 999}),
    Row("Burstable, a tiny request still rounds to 999", pod([c("a", "1Mi")]), NODE, {"a": 999}),
    Row("integer division truncates: 1000 * 1Gi / 3Gi = 333", pod([c("a", "1Gi")]), 3 * GI, {"a": 667}),
    Row("request equal to the node: clamped to 3", pod([c("a", "16Gi")]), NODE, {"a": 3}),
    Row("request above the node: clamped to 3", pod([c("a", "32Gi")]), NODE, {"a": 3}),
    Row("request just below the node: 1 is clamped to 3", pod([c("a", "16383Mi")]), NODE, {"a": 3}),
    Row("each container its own request", pod([c("a", "8Gi"), c("b", "2Gi"), c("d")]), NODE,
        {"a": 500, "b": 875, "d": 999}),
    Row("regular init containers use the plain formula", pod([c("a", "1Gi")], init=[c("i", "8Gi")]), NODE,
        {"i": 500, "a": 938}),
    Row("sidecar: at most the score of the smallest app request",
        pod([c("a", "1Gi"), c("b", "4Gi")], init=[c("s", restart_policy="Always")]), NODE,
        {"s": 938, "a": 938, "b": 750}),
    Row("sidecar with a larger request keeps its own lower score",
        pod([c("a", "1Gi")], init=[c("s", "4Gi", restart_policy="Always")]), NODE, {"s": 750, "a": 938}),
    Row("pod-level memory request is shared out",
        pod([c("a", "1Gi"), c("b")], resources={"requests": {"memory": "4Gi"}}), NODE, {"a": 844, "b": 907}),
    Row("pod-level share counts for init containers too",
        pod([c("a", "1Gi")], init=[c("i")], resources={"requests": {"memory": "3Gi"}}), NODE,
        {"i": 938, "a": 875}),
    Row("pod-level requests without memory: plain formula",
        pod([c("a", "4Gi")], resources={"requests": {"cpu": "1"}}), NODE, {"a": 750}),
    Row("sidecar bound with a pod-level share",
        pod([c("a", "1Gi")], init=[c("s", restart_policy="Always")], resources={"requests": {"memory": "3Gi"}}),
        NODE, {"s": 875, "a": 875}),
    Row("static node-critical pod: -997 even when BestEffort",
        pod([c("a")], annotations={"kubernetes.io/config.source": "file"}, priorityClassName="system-node-critical"),
        NODE, {"a": -997}),
    Row("mirror node-critical pod",
        pod([c("a", "1Gi")], annotations={"kubernetes.io/config.mirror": "x"}, priorityClassName="system-node-critical"),
        NODE, {"a": -997}),
    Row("system-node-critical takes its priority from the class",
        pod([c("a")], priorityClassName="system-node-critical"), NODE, {"a": -997}),
    Row("system-node-critical with a low explicit priority is not critical",
        pod([c("a")], priorityClassName="system-node-critical", priority=0), NODE, {"a": 1000}),
    Row("system-cluster-critical is not node-critical",
        pod([c("a")], priorityClassName="system-cluster-critical"), NODE, {"a": 1000}),
    Row("a static pod without the class is not node-critical",
        pod([c("a")], annotations={"kubernetes.io/config.source": "file"}), NODE, {"a": 1000}),
    Row("a config source of api is not static",
        pod([c("a")], annotations={"kubernetes.io/config.source": "api"}, priorityClassName="system-node-critical",
            priority=1000), NODE, {"a": 1000}),
    Row("ephemeral containers get a score too", pod([c("a", "4Gi")], ephemeralContainers=[{"name": "debug"}]), NODE,
        {"a": 750, "debug": 999}),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_oom_score_adj(row: Row) -> None:
    assert oom_score_adj(row.pod, row.capacity) == row.scores


def test_status_qos_class_is_what_the_kubelet_reads() -> None:
    manifest = {**pod([c("a")]), "status": {"qosClass": "Guaranteed"}}
    assert oom_score_adj(manifest, NODE) == {"a": -997}


@pytest.mark.parametrize("capacity", [NODE, "16Gi", "17179869184", parse_quantity("16Gi")])
def test_capacity_forms(capacity: Any) -> None:
    assert oom_score_adj(pod([c("a", "4Gi")]), capacity) == {"a": 750}


@pytest.mark.parametrize(
    ("capacity", "error"), [(0, ValueError), ("-1Gi", ValueError), (True, TypeError), (1.5, TypeError)]
)
def test_bad_capacity(capacity: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        oom_score_adj(pod([c("a", "4Gi")]), capacity)


def test_explanation() -> None:
    explanation = explain_oom(pod([c("a", "4Gi")], init=[c("s", restart_policy="Always")]), "16Gi")
    assert explanation.scores == {"s": 750, "a": 750}
    assert (
        "Burstable: 1000 - 1000 * 4294967296 requested / 17179869184 = 750"
        in explanation.containers[1].reason
    )
    assert "as a sidecar" in explanation.containers[0].reason
    assert explanation.kill_order == KILL_ORDER
    assert "BestEffort containers (1000) die first" in KILL_ORDER
    assert "kernel's OOM killer" in KILL_ORDER
    assert str(explanation).startswith("QoS class Burstable")


def test_invalid_pod_is_rejected() -> None:
    with pytest.raises(PodValidationError):
        oom_score_adj(pod([c("a", "-1Gi")]), NODE)
