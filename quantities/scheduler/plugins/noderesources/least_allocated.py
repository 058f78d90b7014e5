"""NodeResourcesFit's score, LeastAllocated (cpu and memory, weight 1 each; the same formula 1.28-1.36).

Per resource ``(allocatable - requested) * 100 / allocatable`` (0 when over),
averaged with integer division. ``requested`` is the node's *non-zero* requests
plus the pod's: a container without a cpu or memory request counts 100m or
200Mi, so best-effort pods still spread. A resource the node has none of is left
out.
"""

from __future__ import annotations

from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import MAX_NODE_SCORE

__all__ = ["least_allocated"]


def _least_requested(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def least_allocated(pod: PodInfo, node: NodeInfo) -> int:
    """NodeResourcesFit's LeastAllocated score (cpu and memory, weight 1 each)."""
    total = weights = 0
    cpu = node.node.milli_cpu
    if cpu:
        total += _least_requested(node.non0_cpu + pod.non0_cpu, cpu)
        weights += 1
    memory = node.node.memory
    if memory:
        total += _least_requested(node.non0_memory + pod.non0_memory, memory)
        weights += 1
    return total // weights if weights else 0
