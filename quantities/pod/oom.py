"""The ``oom_score_adj`` the kubelet gives each container, and the kill order it sets up.

Ported from ``pkg/kubelet/qos/policy.go`` (``GetContainerOOMScoreAdjust``; the
alpha OOM tie-break and DRA memory are not modelled), for the release asked
(``kubernetes_version``, with its gates; research note rows O1-O3):

* node-critical pods and Guaranteed pods: **-997**;
* BestEffort pods: **1000**;
* Burstable: ``1000 - 1000 * memoryRequest / nodeMemoryCapacity`` in Go's
  int64 arithmetic (the division truncates), clamped to at least **3** and
  never exactly 1000 (**999**): the bigger the share of the node a container
  requests, the later it dies;
* with pod-level memory requests, each container also gets an equal share of
  what the pod requests beyond its containers' aggregate;
* a sidecar (restartable init container) is not to be killed after the app
  it serves. From 1.33 (rule "B", KEP-753 update #128029) it gets at most the
  score of the app container with the smallest memory request. Before (rule
  "A", 1.29-1.32) its score is that of ``min(its request, the smallest app
  request)``, where a missing request counts 200Mi (``NonMissingContainerRequests``),
  plus 1 when that minimum is at most its own request (a zero minimum so gives
  1001, which the kubelet of those releases does compute);
* with InPlacePodVerticalScaling on in 1.29-1.31, a container with a status
  counts its ``allocatedResources`` memory (none there counts 0).

"Node-critical" is ``priorityClassName: system-node-critical`` on a static
pod, a mirror pod, or a pod whose priority is at least 2000000000; a pod with
that class and no ``spec.priority`` gets the class's value 2000001000, as the
Priority admission plugin would set it. The QoS class is ``status.qosClass``
when the pod has one (the kubelet's ``GetPodQOS``), computed otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quantities.pod.defaults import pod_options
from quantities.pod.model import Container, ContainerKind, Pod
from quantities.pod.qos import QOSClass, compute_qos
from quantities.pod.read import PodLike
from quantities.pod.requests import aggregate, pod_level_requests_set, status_selectors
from quantities.pod.resource_names import MEMORY
from quantities.pod.validation import valid_pod
from quantities.quantity.quantity import Quantity, parse_quantity

if TYPE_CHECKING:
    from quantities.options import Options
    from quantities.versions import Behaviour, KubernetesVersion

__all__ = [
    "BEST_EFFORT_OOM_SCORE_ADJ",
    "GUARANTEED_OOM_SCORE_ADJ",
    "KILL_ORDER",
    "KUBELET_OOM_SCORE_ADJ",
    "ContainerOOMScore",
    "OOMExplanation",
    "explain_oom",
    "is_node_critical",
    "oom_score_adj",
]

GUARANTEED_OOM_SCORE_ADJ = -997
BEST_EFFORT_OOM_SCORE_ADJ = 1000
KUBELET_OOM_SCORE_ADJ = -999
_LOWEST_BURSTABLE = 1000 + GUARANTEED_OOM_SCORE_ADJ

SYSTEM_CRITICAL_PRIORITY = 2 * 1_000_000_000
SYSTEM_NODE_CRITICAL = "system-node-critical"
# The built-in PriorityClasses, whose value the Priority admission plugin copies into spec.priority.
_BUILT_IN_PRIORITY = {
    "system-node-critical": SYSTEM_CRITICAL_PRIORITY + 1000,
    "system-cluster-critical": SYSTEM_CRITICAL_PRIORITY,
}

KILL_ORDER = """\
Under node memory pressure, two things can kill a container.

1. The kubelet evicts whole pods first, when available memory falls below its
   eviction threshold. It picks pods whose memory use exceeds their requests
   before pods within their requests, then lower priority before higher, then
   the pods furthest above their requests. BestEffort pods request nothing,
   so they go first; Guaranteed pods are within their requests, so they go last.

2. If memory runs out before that, the kernel's OOM killer kills the process
   with the highest oom_score: its share of memory, in thousandths of the node,
   plus oom_score_adj. BestEffort containers (1000) die first, then Burstable
   ones (the smaller the share of the node they request, the higher their
   score, 3 to 999), and Guaranteed and node-critical containers (-997) last;
   the kubelet and kube-proxy run at -999.

A container that goes over its own memory limit is killed by its cgroup
whatever these scores say."""


def _go_div(numerator: int, denominator: int) -> int:
    """Go's integer ``/``: truncates toward zero."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def _capacity(value: int | str | Quantity) -> int:
    if isinstance(value, bool):
        raise TypeError("node memory capacity must be bytes (int), a quantity string or a Quantity")
    if isinstance(value, str):
        value = parse_quantity(value)
    if isinstance(value, Quantity):
        value = value.int64_value()
    if not isinstance(value, int):
        raise TypeError("node memory capacity must be bytes (int), a quantity string or a Quantity")
    if value <= 0:
        raise ValueError(f"node memory capacity must be positive, got {value}")
    return value


def _priority(pod: Pod) -> int | None:
    if pod.priority is not None:
        return pod.priority
    return _BUILT_IN_PRIORITY.get(pod.priority_class_name)


def is_node_critical(pod: Pod) -> bool:
    """``types.IsNodeCriticalPod``: ``system-node-critical`` and (static, mirror or critical priority)."""
    if pod.priority_class_name != SYSTEM_NODE_CRITICAL:
        return False
    source = pod.annotations.get("kubernetes.io/config.source")
    static = source is not None and source != "api"
    mirror = "kubernetes.io/config.mirror" in pod.annotations
    priority = _priority(pod)
    return static or mirror or (priority is not None and priority >= SYSTEM_CRITICAL_PRIORITY)


def _memory_request(container: Container) -> int:
    request = container.resources.requests.get(MEMORY)
    return 0 if request is None else request.int64_value()


#: schedulerutil.DefaultMemoryRequest: what rule A counts for a missing memory request.
_DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024


def _remaining_per_container(pod: Pod) -> int:
    """``remainingPodMemReqPerContainer``: the pod-level memory request beyond the containers', shared out."""
    assert pod.resources is not None
    pod_request = pod.resources.requests.get(MEMORY)
    if pod_request is None or pod_request.is_zero():
        return 0
    containers = len(pod.containers) + len(pod.init_containers)
    aggregated = aggregate(pod, lambda container: container.resources.requests).get(MEMORY)
    remaining = pod_request.int64_value() - (0 if aggregated is None else aggregated.int64_value())
    return _go_div(remaining, containers)


@dataclass(frozen=True)
class ContainerOOMScore:
    """One container's ``oom_score_adj`` and how it was reached."""

    name: str
    kind: ContainerKind
    oom_score_adj: int
    reason: str


@dataclass(frozen=True)
class OOMExplanation:
    """Every container's score, the pod's QoS class, and :data:`KILL_ORDER`."""

    qos_class: QOSClass
    node_critical: bool
    node_memory_capacity: int
    containers: tuple[ContainerOOMScore, ...]
    kill_order: str = KILL_ORDER
    #: The release computed for (``"1.36"``, ``"1.34.1"``).
    kubernetes_version: str = ""

    @property
    def scores(self) -> dict[str, int]:
        return {score.name: score.oom_score_adj for score in self.containers}

    def to_json(self) -> dict[str, Any]:
        """The explanation as JSON, the release first.

        >>> explain_oom({"spec": {"containers": [{"name": "a"}]}}, "1Gi",
        ...             kubernetes_version="1.30").to_json()["kubernetes_version"]
        '1.30'
        """
        return {
            "kubernetes_version": self.kubernetes_version,
            "qos_class": str(self.qos_class),
            "node_critical": self.node_critical,
            "node_memory_capacity": self.node_memory_capacity,
            "containers": [
                {
                    "name": score.name,
                    "kind": score.kind.value,
                    "oom_score_adj": score.oom_score_adj,
                    "reason": score.reason,
                }
                for score in self.containers
            ],
        }

    def __str__(self) -> str:
        lines = [f"QoS class {self.qos_class}, node memory capacity {self.node_memory_capacity} bytes"]
        lines.extend(f"  {score.name}: {score.oom_score_adj} ({score.reason})" for score in self.containers)
        return "\n".join(lines)


def _clamped(score: int, reason: str) -> tuple[int, str]:
    if score < _LOWEST_BURSTABLE:
        return _LOWEST_BURSTABLE, reason + f"; raised to {_LOWEST_BURSTABLE}, the lowest Burstable score"
    if score == BEST_EFFORT_OOM_SCORE_ADJ:
        return score - 1, reason + "; lowered to 999, below BestEffort"
    return score, reason


def _own_request(pod: Pod, container: Container, behaviour: Behaviour) -> tuple[int, str]:
    """The container's memory request as the kubelet reads it, and where it came from."""
    if behaviour.status_resources == "allocated":
        # 1.29-1.31 with InPlacePodVerticalScaling: podutil.GetContainerStatus(ContainerStatuses).
        for status in pod.status.container_statuses:
            if status.name == container.name:
                allocated = None if status.allocated is None else status.allocated.get(MEMORY)
                return (0 if allocated is None else allocated.int64_value()), " (allocatedResources)"
    return _memory_request(container), ""


def _burstable_b(pod: Pod, container: Container, capacity: int, behaviour: Behaviour) -> tuple[int, str]:
    """Rule B (1.33+) with the pod-level share (O3)."""
    request, source = _own_request(pod, container, behaviour)
    if pod_level_requests_set(pod):
        remaining = _remaining_per_container(pod)
        score = 1000 - _go_div(1000 * (request + remaining), capacity)
        reason = (
            f"Burstable: 1000 - 1000 * ({request} requested{source} + {remaining} pod-level share) "
            f"/ {capacity} = {score}"
        )
    else:
        remaining = 0
        score = 1000 - _go_div(1000 * request, capacity)
        reason = f"Burstable: 1000 - 1000 * {request} requested{source} / {capacity} = {score}"
    if container.is_sidecar:
        smallest = min(map(_memory_request, pod.containers)) + remaining
        bound = 1000 - _go_div(1000 * smallest, capacity)
        if score > bound:
            score = bound
            reason += f"; as a sidecar, at most {bound}, the score of the smallest app request ({smallest})"
    return _clamped(score, reason)


def _burstable_a(pod: Pod, container: Container, capacity: int, behaviour: Behaviour) -> tuple[int, str]:
    """Rule A (1.29-1.32): ``MinRegularContainerResourceList`` and ``MinResourceList`` with the
    scheduler's non-missing 200Mi, and +1 when the minimum is at most the sidecar's own request."""
    if not container.is_sidecar:
        return _burstable_b(pod, container, capacity, behaviour)
    # The regular containers' requests as PodRequests reads them (allocatedResources in 1.29-1.31).
    select = status_selectors(pod, behaviour.status_resources)[0]
    regular = []
    for app in pod.containers:
        value = select(app).get(MEMORY)
        regular.append(_DEFAULT_MEMORY_REQUEST if value is None else value.int64_value())
    own = container.resources.requests.get(MEMORY)
    own_bytes = 0 if own is None else own.int64_value()
    counted = _DEFAULT_MEMORY_REQUEST if own is None else own_bytes
    smallest = min(counted, *regular)
    score = 1000 - _go_div(1000 * smallest, capacity)
    reason = (
        f"Burstable sidecar (1.29-1.32 rule): 1000 - 1000 * {smallest}, the smaller of its request "
        f"({counted}{' by default' if own is None else ''}) and the smallest app request "
        f"({min(regular)}), / {capacity} = {score}"
    )
    if smallest <= own_bytes:
        score += 1
        reason += f"; plus 1, as that is at most its own request: {score}"
    if score > BEST_EFFORT_OOM_SCORE_ADJ:
        # policy.go's clamps test == 1000 only: a zero minimum gives 1001, beyond the kernel's range.
        note = "; not lowered (Kubernetes checks for exactly 1000), outside the kernel's -1000..1000"
        return score, reason + note
    return _clamped(score, reason)


def _score(
    pod: Pod, qos: QOSClass, critical: bool, container: Container, capacity: int, behaviour: Behaviour
) -> ContainerOOMScore:
    if critical:
        score, reason = GUARANTEED_OOM_SCORE_ADJ, "node-critical pod"
    elif qos is QOSClass.GUARANTEED:
        score, reason = GUARANTEED_OOM_SCORE_ADJ, "Guaranteed pod"
    elif qos is QOSClass.BEST_EFFORT:
        score, reason = BEST_EFFORT_OOM_SCORE_ADJ, "BestEffort pod: killed first"
    elif behaviour.oom_sidecar_rule == "A":
        score, reason = _burstable_a(pod, container, capacity, behaviour)
    else:
        score, reason = _burstable_b(pod, container, capacity, behaviour)
    return ContainerOOMScore(container.name, container.kind, score, reason)


def explain_oom(
    pod: PodLike,
    node_memory_capacity: int | str | Quantity,
    *,
    pod_level_resources: bool | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None = None,
    options: Options | None = None,
) -> OOMExplanation:
    """Every container's ``oom_score_adj`` with the reason, on a node with this much memory.

    ``node_memory_capacity`` is the node's memory capacity (the machine's
    memory, not its allocatable): bytes as an int, or a quantity. The kubelet is
    that of ``kubernetes_version`` (default: the process default) with its feature
    gates, overridden by ``feature_gates``; ``pod_level_resources=False`` is
    ``{"PodLevelResources": False}``.
    """
    resolved = pod_options(options, kubernetes_version, feature_gates, pod_level_resources)
    behaviour = resolved.behaviour
    checked = valid_pod(pod, options=resolved)
    capacity = _capacity(node_memory_capacity)
    qos = (
        QOSClass(checked.status_qos_class)
        if checked.status_qos_class in {c.value for c in QOSClass}
        else compute_qos(checked)
    )
    critical = is_node_critical(checked)
    scores = tuple(
        _score(checked, qos, critical, container, capacity, behaviour) for container in checked.all_containers
    )
    return OOMExplanation(qos, critical, capacity, scores, kubernetes_version=str(resolved.version))


def oom_score_adj(
    pod: PodLike,
    node_memory_capacity: int | str | Quantity,
    *,
    pod_level_resources: bool | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None = None,
    options: Options | None = None,
) -> dict[str, int]:
    """``{container name: oom_score_adj}`` as the kubelet sets it (init, app, then ephemeral containers).

    The keywords are those of :func:`explain_oom`.

    >>> pod = {"spec": {"containers": [
    ...     {"name": "app", "resources": {"requests": {"memory": "4Gi"}}},
    ...     {"name": "log", "resources": {"requests": {"memory": "1Mi"}}}]}}
    >>> oom_score_adj(pod, "16Gi")
    {'app': 750, 'log': 999}
    """
    return explain_oom(
        pod,
        node_memory_capacity,
        pod_level_resources=pod_level_resources,
        kubernetes_version=kubernetes_version,
        feature_gates=feature_gates,
        options=options,
    ).scores
