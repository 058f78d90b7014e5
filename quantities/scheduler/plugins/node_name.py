"""NodeName: a pod with ``spec.nodeName`` fits only that node."""

from __future__ import annotations

from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection

__all__ = ["REASON_NODE_NAME", "node_name"]

REASON_NODE_NAME = "node(s) didn't match the requested node name"


def node_name(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeName: a pod with ``spec.nodeName`` fits only that node."""
    if pod.node_name and pod.node_name != node.node.name:
        return Rejection("NodeName", (REASON_NODE_NAME,), unresolvable=True)
    return None
