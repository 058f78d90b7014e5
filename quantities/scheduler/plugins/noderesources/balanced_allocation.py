"""NodeResourcesBalancedAllocation (Kubernetes 1.32, cpu and memory, weight 1).

``(1 - std) * 100`` truncated, where ``std`` is the standard deviation of the
requested fractions (capped at 1) of cpu and memory, for two resources
``|f_cpu - f_mem| / 2``, in float64 as Kubernetes computes it. It uses the *real*
requests (1.32: ``useRequested: true``; 1.33 also skips best-effort pods).
"""

from __future__ import annotations

from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import MAX_NODE_SCORE

__all__ = ["balanced_allocation"]


def balanced_allocation(pod: PodInfo, node: NodeInfo) -> int:
    """NodeResourcesBalancedAllocation (cpu and memory): ``int((1 - std) * 100)``."""
    fractions = []
    cpu = node.node.milli_cpu
    if cpu:
        fractions.append(min(1.0, float(node.requested_cpu + pod.cpu) / float(cpu)))
    memory = node.node.memory
    if memory:
        fractions.append(min(1.0, float(node.requested_memory + pod.memory) / float(memory)))
    std = abs((fractions[0] - fractions[1]) / 2) if len(fractions) == 2 else 0.0
    return int((1 - std) * float(MAX_NODE_SCORE))
