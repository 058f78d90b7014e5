"""NodeResourcesFit: the pod's requests against allocatable minus what the node's pods request.

From Kubernetes 1.34 (PR #131345) a request larger than the node's whole allocatable makes the
node ``UnschedulableAndUnresolvable``: evicting pods cannot help, so preemption counts the node
as "Preemption is not helpful for scheduling" (``options.behaviour.fit_unresolvable``). Before,
every shortage was ``Unschedulable``.

>>> from quantities.node.compact import compact_node
>>> from quantities.options import Options
>>> from quantities.scheduler.framework.podinfo import pod_info
>>> node = NodeInfo(compact_node("n", cpu="32", memory="64Gi"))
>>> pod = pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "64"}}}]}})
>>> node_resources_fit(pod, node, options=Options.of("1.33")).unresolvable
False
>>> node_resources_fit(pod, node, options=Options.of("1.34")).unresolvable
True
"""

from __future__ import annotations

from dataclasses import dataclass

from quantities.node.model import CPU, EPHEMERAL_STORAGE, MEMORY, PODS
from quantities.options import DEFAULT_OPTIONS, Options
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection

__all__ = [
    "REASON_TOO_MANY_PODS",
    "InsufficientResource",
    "copies_by_resource",
    "copies_that_fit",
    "insufficient_resources",
    "node_resources_fit",
]

REASON_TOO_MANY_PODS = "Too many pods"


@dataclass(frozen=True, slots=True)
class InsufficientResource:
    """noderesources.InsufficientResource: what the pod asks, what the node's pods use, what it has.

    ``unresolvable`` is the 1.34 field: the request is larger than the whole allocatable (never
    for the pod count). Releases before 1.34 do not act on it.
    """

    resource: str
    reason: str
    requested: int
    used: int
    capacity: int
    unresolvable: bool = False

    @property
    def free(self) -> int:
        return self.capacity - self.used

    @property
    def shortfall(self) -> int:
        return self.requested - self.free


def copies_by_resource(pod: PodInfo, node: NodeInfo) -> list[tuple[str, int]]:
    """How many copies of ``pod`` each resource lets onto ``node``, in ``fitsRequest``'s order.

    The pod count first, then cpu, memory, ephemeral-storage, then the scalar resources by
    name; a resource the pod does not request never fails (``fitsRequest`` skips a zero
    request), so it is left out. The first entry with the smallest count is the resource that
    runs out first: the one the next copy's rejection names first.

    >>> from quantities.node.compact import compact_node
    >>> from quantities.scheduler.framework.podinfo import pod_info
    >>> pod = pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m"}}}]}})
    >>> copies_by_resource(pod, NodeInfo(compact_node("n", cpu="4", memory="1Gi", pods=110)))
    [('pods', 110), ('cpu', 2)]
    """
    allocatable = node.node
    counts = [(PODS, max(0, allocatable.allowed_pods - len(node.pods)))]
    storage = allocatable.ephemeral_storage - node.requested_ephemeral_storage
    demands = [
        (CPU, pod.cpu, allocatable.milli_cpu - node.requested_cpu),
        (MEMORY, pod.memory, allocatable.memory - node.requested_memory),
        (EPHEMERAL_STORAGE, pod.ephemeral_storage, storage),
    ]
    demands.extend(
        (name, pod.scalars[name], allocatable.scalars.get(name, 0) - node.requested_scalars.get(name, 0))
        for name in sorted(pod.scalars)
    )
    counts.extend((name, max(0, free // request)) for name, request, free in demands if request > 0)
    return counts


def copies_that_fit(pod: PodInfo, node: NodeInfo) -> int:
    """How many copies of ``pod`` NodeResourcesFit lets onto ``node``, one after the other.

    ``fitsRequest`` solved for the count: each copy takes a pod slot and the pod's requests;
    a zero request never fails, so only the pod slots bound a pod that requests nothing.

    >>> from quantities.node.compact import compact_node
    >>> from quantities.scheduler.framework.podinfo import pod_info
    >>> pod = pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m"}}}]}})
    >>> copies_that_fit(pod, NodeInfo(compact_node("n", cpu="4", memory="1Gi", pods=110)))
    2
    """
    return min(count for _, count in copies_by_resource(pod, node))


def insufficient_resources(pod: PodInfo, node: NodeInfo) -> list[InsufficientResource]:
    """NodeResourcesFit's ``fitsRequest``: every resource the node lacks for this pod.

    The pod count comes first, then cpu, memory, ephemeral-storage, then the
    scalar resources (sorted by name: the scheduler iterates a Go map). A
    zero request never fails; a node without a requested extended resource has
    0 of it. cpu is in thousandths, the rest in units.
    """
    result: list[InsufficientResource] = []
    allowed = node.node.allowed_pods
    used_pods = len(node.pods)
    if used_pods + 1 > allowed:
        result.append(InsufficientResource(PODS, REASON_TOO_MANY_PODS, 1, used_pods, allowed))
    if not pod.has_requests:
        return result
    allocatable = node.node
    if pod.cpu > 0 and pod.cpu > allocatable.milli_cpu - node.requested_cpu:
        result.append(
            InsufficientResource(
                CPU,
                "Insufficient cpu",
                pod.cpu,
                node.requested_cpu,
                allocatable.milli_cpu,
                pod.cpu > allocatable.milli_cpu,
            )
        )
    if pod.memory > 0 and pod.memory > allocatable.memory - node.requested_memory:
        result.append(
            InsufficientResource(
                MEMORY,
                "Insufficient memory",
                pod.memory,
                node.requested_memory,
                allocatable.memory,
                pod.memory > allocatable.memory,
            )
        )
    if pod.ephemeral_storage > 0 and (
        pod.ephemeral_storage > allocatable.ephemeral_storage - node.requested_ephemeral_storage
    ):
        result.append(
            InsufficientResource(
                EPHEMERAL_STORAGE,
                "Insufficient ephemeral-storage",
                pod.ephemeral_storage,
                node.requested_ephemeral_storage,
                allocatable.ephemeral_storage,
                pod.ephemeral_storage > allocatable.ephemeral_storage,
            )
        )
    for name in sorted(pod.scalars):
        value = pod.scalars[name]
        if value == 0:
            continue
        capacity = allocatable.scalars.get(name, 0)
        used = node.requested_scalars.get(name, 0)
        if value > capacity - used:
            result.append(
                InsufficientResource(name, f"Insufficient {name}", value, used, capacity, value > capacity)
            )
    return result


def node_resources_fit(pod: PodInfo, node: NodeInfo, options: Options | None = None) -> Rejection | None:
    """NodeResourcesFit: requests against allocatable minus what the node's pods request.

    Kubernetes 1.33 and earlier report every shortage as ``Unschedulable`` (preemption is
    tried); from 1.34 one request larger than the whole allocatable makes the node
    ``UnschedulableAndUnresolvable`` (``Fit.Filter``: any ``InsufficientResource.Unresolvable``).
    """
    # Fast path: the common fitting case without building the list.
    n = node.node
    if (
        len(node.pods) < n.allowed_pods
        and pod.cpu <= n.milli_cpu - node.requested_cpu
        and pod.memory <= n.memory - node.requested_memory
        and pod.ephemeral_storage <= n.ephemeral_storage - node.requested_ephemeral_storage
        and not pod.scalars
    ):
        return None
    missing = insufficient_resources(pod, node)
    if not missing:
        return None
    unresolvable = (options or DEFAULT_OPTIONS).behaviour.fit_unresolvable and any(
        item.unresolvable for item in missing
    )
    return Rejection("NodeResourcesFit", tuple(item.reason for item in missing), unresolvable)
