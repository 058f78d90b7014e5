"""NodeUnschedulable: a cordoned node (``spec.unschedulable``) takes only pods that tolerate it."""

from __future__ import annotations

from quantities.node.selectors import NO_SCHEDULE, Taint, tolerates
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection

__all__ = ["REASON_UNSCHEDULABLE", "node_unschedulable"]

REASON_UNSCHEDULABLE = "node(s) were unschedulable"

_UNSCHEDULABLE_TAINT = Taint("node.kubernetes.io/unschedulable", "", NO_SCHEDULE)


def node_unschedulable(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeUnschedulable: a cordoned node, unless the pod tolerates ``node.kubernetes.io/unschedulable``."""
    if node.node.unschedulable and not any(tolerates(t, _UNSCHEDULABLE_TAINT) for t in pod.tolerations):
        return Rejection("NodeUnschedulable", (REASON_UNSCHEDULABLE,), unresolvable=True)
    return None
