"""What each node already carries: the scheduler's ``NodeInfo`` and a cluster snapshot.

A :class:`NodeInfo` is a node plus the pods bound to it (``spec.nodeName``)
that are not ``Succeeded`` or ``Failed`` — the pods the scheduler's informer
and ``kubectl describe node`` both see — with their requests summed as
integers (``NodeInfo.Requested``) and the non-zero sums the scores use
(``NodeInfo.NonZeroRequested``). Pods bound to a node that is not in the
snapshot are ignored, as the scheduler ignores them.

>>> from quantities.node.compact import compact_node
>>> from quantities.scheduler.framework.podinfo import pod_info
>>> pod = pod_info({"metadata": {"name": "p"}, "spec": {"nodeName": "n1",
...     "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}]}})
>>> snap = Snapshot([compact_node("n1", cpu="2", memory="4Gi")], [pod])
>>> info = snap.node_infos[0]
>>> info.requested_cpu, info.free_cpu, info.non0_memory
(500, 1500, 209715200)
"""

from __future__ import annotations

from collections.abc import Iterable

from quantities.node.model import Node
from quantities.scheduler.framework.podinfo import PodInfo

__all__ = ["TERMINAL_PHASES", "NodeInfo", "Snapshot", "is_terminal"]

#: kubectl describe node and the scheduler's pod informer skip these phases.
TERMINAL_PHASES = frozenset({"Succeeded", "Failed"})


def is_terminal(pod: PodInfo) -> bool:
    return pod.phase in TERMINAL_PHASES


class NodeInfo:
    """A node and the pods it runs, with their requests summed (framework.NodeInfo)."""

    __slots__ = (
        "limits_cpu",
        "limits_memory",
        "node",
        "non0_cpu",
        "non0_memory",
        "pods",
        "pods_with_anti_affinity",
        "requested_cpu",
        "requested_ephemeral_storage",
        "requested_memory",
        "requested_scalars",
    )

    def __init__(self, node: Node) -> None:
        self.node = node
        self.pods: list[PodInfo] = []
        self.pods_with_anti_affinity: list[PodInfo] = []
        self.requested_cpu = 0
        self.requested_memory = 0
        self.requested_ephemeral_storage = 0
        self.requested_scalars: dict[str, int] = {}
        self.non0_cpu = 0
        self.non0_memory = 0
        self.limits_cpu = 0
        self.limits_memory = 0

    def __repr__(self) -> str:
        return f"NodeInfo({self.node.name!r}, pods={len(self.pods)})"

    @property
    def name(self) -> str:
        return self.node.name

    def add_pod(self, pod: PodInfo) -> None:
        self._update(pod, 1)
        self.pods.append(pod)
        if pod.anti_affinity_terms:
            self.pods_with_anti_affinity.append(pod)

    def remove_pod(self, pod: PodInfo) -> None:
        """Remove one pod (by identity); ValueError if it is not on this node."""
        for index, existing in enumerate(self.pods):
            if existing is pod:
                del self.pods[index]
                break
        else:
            raise ValueError(f"{pod!r} is not on node {self.node.name}")
        if pod.anti_affinity_terms:
            for index, existing in enumerate(self.pods_with_anti_affinity):
                if existing is pod:
                    del self.pods_with_anti_affinity[index]
                    break
        self._update(pod, -1)

    def _update(self, pod: PodInfo, sign: int) -> None:
        self.requested_cpu += sign * pod.cpu
        self.requested_memory += sign * pod.memory
        self.requested_ephemeral_storage += sign * pod.ephemeral_storage
        if pod.scalars:
            scalars = self.requested_scalars
            for name, value in pod.scalars.items():
                scalars[name] = scalars.get(name, 0) + sign * value
        self.non0_cpu += sign * pod.non0_cpu
        self.non0_memory += sign * pod.non0_memory
        self.limits_cpu += sign * pod.cpu_limit
        self.limits_memory += sign * pod.memory_limit

    @property
    def free_cpu(self) -> int:
        return self.node.milli_cpu - self.requested_cpu

    @property
    def free_memory(self) -> int:
        return self.node.memory - self.requested_memory

    def without(self, pods: Iterable[PodInfo]) -> NodeInfo:
        """A copy of this node without ``pods`` (by identity): one pass, however many there are."""
        gone = {id(pod) for pod in pods}
        copy = NodeInfo(self.node)
        for pod in self.pods:
            if id(pod) not in gone:
                copy.add_pod(pod)
        return copy

    def clone(self) -> NodeInfo:
        copy = NodeInfo(self.node)
        copy.pods = list(self.pods)
        copy.pods_with_anti_affinity = list(self.pods_with_anti_affinity)
        copy.requested_cpu = self.requested_cpu
        copy.requested_memory = self.requested_memory
        copy.requested_ephemeral_storage = self.requested_ephemeral_storage
        copy.requested_scalars = dict(self.requested_scalars)
        copy.non0_cpu = self.non0_cpu
        copy.non0_memory = self.non0_memory
        copy.limits_cpu = self.limits_cpu
        copy.limits_memory = self.limits_memory
        return copy


class Snapshot:
    """Every node with its pods: the scheduler's cache snapshot for one decision.

    Node order is the input order; it is the deterministic tie-break of plans.
    """

    __slots__ = ("by_name", "node_infos", "position")

    def __init__(self, nodes: Iterable[Node], pods: Iterable[PodInfo] = ()) -> None:
        self.node_infos: list[NodeInfo] = []
        self.by_name: dict[str, NodeInfo] = {}
        #: Each node's place in the input order, by name.
        self.position: dict[str, int] = {}
        for node in nodes:
            if node.name in self.by_name:
                raise ValueError(f"node {node.name!r} appears twice")
            info = NodeInfo(node)
            self.position[node.name] = len(self.node_infos)
            self.node_infos.append(info)
            self.by_name[node.name] = info
        for pod in pods:
            self.add_pod(pod)

    def add_pod(self, pod: PodInfo) -> bool:
        """Bind an existing pod to its ``spec.nodeName``; False if it is skipped (terminal, unbound)."""
        if pod.phase in TERMINAL_PHASES or not pod.node_name:
            return False
        info = self.by_name.get(pod.node_name)
        if info is None:
            return False
        info.add_pod(pod)
        return True

    def __len__(self) -> int:
        return len(self.node_infos)

    def clone(self) -> Snapshot:
        copy = object.__new__(Snapshot)
        copy.node_infos = [info.clone() for info in self.node_infos]
        copy.by_name = {info.node.name: info for info in copy.node_infos}
        copy.position = dict(self.position)
        return copy
