"""NodeResourcesBalancedAllocation (cpu and memory, weight 1), per the release of ``options``.

The balance of a node is ``int((1 - std) * 100)``, where ``std`` is the standard deviation of
the requested fractions (capped at 1) of cpu and memory, for two resources
``|f_cpu - f_mem| / 2``, in float64 as Kubernetes computes it (``balancedResourceScorer``).
It uses the *real* requests (``useRequested: true``), not the non-zero ones.

* Until 1.35 the score is the balance with the pod placed.
* From 1.33 a pod that requests no cpu and no memory is skipped (``PreScore`` returns
  ``Skip``, PR #130260): the plugin adds nothing to any node's score, here 0.
* From 1.36 the score is the *change* of balance (PR #135573):
  ``MaxNodeScore/2 + (MaxNodeScore/2 + withPod - withoutPod)/2`` in int64, so a pod that does not
  change the balance scores 75, and scores stay within [50, 100].

>>> from quantities.node.compact import compact_node
>>> from quantities.options import Options
>>> from quantities.scheduler.framework.podinfo import pod_info
>>> node = NodeInfo(compact_node("n", cpu="4", memory="8Gi"))
>>> pod = pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "2"}}}]}})
>>> [balanced_allocation(pod, node, Options.of(v)) for v in ("1.35", "1.36")]
[75, 62]
"""

from __future__ import annotations

from quantities.options import DEFAULT_OPTIONS, Options
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import MAX_NODE_SCORE

__all__ = ["balance", "balanced_allocation"]


def balance(cpu_requested: int, cpu_allocatable: int, memory_requested: int, memory_allocatable: int) -> int:
    """``balancedResourceScore``: ``int((1 - std) * 100)`` over the resources the node has (in [50, 100]).

    >>> balance(1000, 4000, 2 * 2**30, 8 * 2**30), balance(4000, 4000, 0, 8 * 2**30), balance(1, 0, 1, 0)
    (100, 50, 100)
    """
    if not (cpu_allocatable and memory_allocatable):
        # One fraction or none: std is 0.
        return MAX_NODE_SCORE
    # float64 as Go converts: each integer rounded to a double, then divided; fractions capped at 1.
    cpu = min(1.0, float(cpu_requested) / float(cpu_allocatable))
    memory = min(1.0, float(memory_requested) / float(memory_allocatable))
    return int((1 - abs((cpu - memory) / 2)) * float(MAX_NODE_SCORE))


def balanced_allocation(pod: PodInfo, node: NodeInfo, options: Options | None = None) -> int:
    """NodeResourcesBalancedAllocation's score of ``node`` for ``pod`` (0 when the plugin is skipped)."""
    behaviour = (options or DEFAULT_OPTIONS).behaviour
    if behaviour.balanced_skips_best_effort and not pod.cpu and not pod.memory:
        # isBestEffortPod over the plugin's resources (cpu, memory): PreScore returns Skip.
        return 0
    cpu = node.node.milli_cpu
    memory = node.node.memory
    with_pod = balance(node.requested_cpu + pod.cpu, cpu, node.requested_memory + pod.memory, memory)
    if not behaviour.balanced_delta_formula:
        return with_pod
    without_pod = balance(node.requested_cpu, cpu, node.requested_memory, memory)
    # Both balances lie in [50, 100], so the int64 division of a value in [0, 100] is a floor.
    half = MAX_NODE_SCORE // 2
    return half + (half + with_pod - without_pod) // 2
