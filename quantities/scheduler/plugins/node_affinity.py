"""NodeAffinity: ``nodeSelector`` and required node affinity against the node's labels."""

from __future__ import annotations

from quantities.node.selectors import node_selector_terms_match
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection

__all__ = ["REASON_NODE_AFFINITY", "matches_node_selector_and_affinity", "node_affinity"]

REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"


def matches_node_selector_and_affinity(pod: PodInfo, node: NodeInfo) -> bool:
    """``nodeSelector`` (every label equal) and required node affinity (``nodeSelectorTerms`` ORed)."""
    labels = node.node.labels
    for key, value in pod.node_selector.items():
        if labels.get(key) != value:
            return False
    terms = pod.required_node_terms
    return terms is None or node_selector_terms_match(terms, labels, node.node.name)


def node_affinity(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeAffinity: ``nodeSelector`` and ``requiredDuringSchedulingIgnoredDuringExecution``."""
    if matches_node_selector_and_affinity(pod, node):
        return None
    return Rejection("NodeAffinity", (REASON_NODE_AFFINITY,), unresolvable=True)
