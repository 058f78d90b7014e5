"""The default profile's resource scores: NodeResourcesFit (LeastAllocated) and BalancedAllocation.

Both score a node from 0 to 100 from the node's own state only, with
weight 1 each, in integer arithmetic where Kubernetes uses integers and
float64 where it does (Kubernetes 1.32, resources cpu and memory, weight 1):

* **LeastAllocated** (NodeResourcesFit): per resource
  ``(allocatable - requested) * 100 / allocatable`` (0 when over), averaged
  with integer division. ``requested`` is the node's *non-zero* requests plus
  the pod's: a container without a cpu or memory request counts 100m or
  200Mi, so best-effort pods still spread.
* **BalancedAllocation**: ``(1 - std) * 100`` truncated, where ``std`` is the
  standard deviation of the requested fractions (capped at 1) of cpu and
  memory — for two resources ``|f_cpu - f_mem| / 2``. It uses the *real*
  requests (1.32: ``useRequested: true``; 1.33 also skips best-effort pods).

A resource the node has none of is left out of both. Other default scores
(TaintToleration and NodeAffinity preferences, PodTopologySpread's system
default spreading, InterPodAffinity preferences, ImageLocality) are not
modelled.

>>> from quantities.node.model import compact_node
>>> from quantities.scheduler.nodeinfo import NodeInfo
>>> from quantities.scheduler.podinfo import pod_info
>>> node = NodeInfo(compact_node("n1", cpu="4", memory="8Gi"))
>>> pod = pod_info({"spec": {"containers": [
...     {"name": "c", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}})
>>> least_allocated(pod, node), balanced_allocation(pod, node), score(pod, node)
(81, 93, 174)
"""

from __future__ import annotations

from quantities.scheduler.nodeinfo import NodeInfo
from quantities.scheduler.podinfo import PodInfo

__all__ = ["MAX_NODE_SCORE", "balanced_allocation", "least_allocated", "score"]

MAX_NODE_SCORE = 100


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


def score(pod: PodInfo, node: NodeInfo) -> int:
    """The weighted sum of the scores we model (both weight 1)."""
    return least_allocated(pod, node) + balanced_allocation(pod, node)
