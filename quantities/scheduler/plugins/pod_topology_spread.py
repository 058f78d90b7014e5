"""PodTopologySpread: ``matching + self - global minimum <= maxSkew`` for every DoNotSchedule constraint.

Its PreFilter counts the matching pods per topology domain once per pod
(:class:`SpreadState`); a plan updates the counts as it places replicas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from quantities.node.selectors import find_untolerated_taint, label_selector_matches
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo, SpreadConstraint
from quantities.scheduler.framework.status import Rejection
from quantities.scheduler.plugins.node_affinity import matches_node_selector_and_affinity
from quantities.scheduler.plugins.taint_toleration import DO_NOT_SCHEDULE

__all__ = [
    "REASON_SPREAD",
    "REASON_SPREAD_MISSING_LABEL",
    "SpreadState",
    "pod_topology_spread",
    "spread_prefilter",
]

REASON_SPREAD = "node(s) didn't match pod topology spread constraints"
REASON_SPREAD_MISSING_LABEL = REASON_SPREAD + " (missing required label)"


def _spread_includes(constraint: SpreadConstraint, pod: PodInfo, node: NodeInfo) -> bool:
    """nodeAffinityPolicy (default Honor) and nodeTaintsPolicy (default Ignore)."""
    if constraint.honor_node_affinity and not matches_node_selector_and_affinity(pod, node):
        return False
    return not (
        constraint.honor_node_taints
        and find_untolerated_taint(node.node.taints, pod.tolerations, DO_NOT_SCHEDULE) is not None
    )


@dataclass(slots=True)
class SpreadState:
    """PodTopologySpread's PreFilter state: matching pods per topology domain, per constraint."""

    constraints: tuple[SpreadConstraint, ...]
    counts: list[dict[str, int]]
    _minimum: list[int | None] = field(default_factory=list)

    def minimum(self, index: int) -> int:
        """The global minimum; 0 while fewer domains than ``minDomains`` exist."""
        cached = self._minimum[index]
        if cached is None:
            domains = self.counts[index]
            if len(domains) < self.constraints[index].min_domains or not domains:
                cached = 0
            else:
                cached = min(domains.values())
            self._minimum[index] = cached
        return cached

    def add_pod(self, placed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """PreFilterExtensions.AddPod (``updateWithPod``): a pod placed on ``node`` counts in its domains."""
        labels = node.node.labels
        if placed.namespace != incoming.namespace:
            return
        if not all(c.topology_key in labels for c in self.constraints):
            return
        for index, constraint in enumerate(self.constraints):
            if not label_selector_matches(constraint.selector, placed.labels):
                continue
            if not _spread_includes(constraint, incoming, node):
                continue
            value = labels[constraint.topology_key]
            self.counts[index][value] = self.counts[index].get(value, 0) + 1
            self._minimum[index] = None


def spread_prefilter(pod: PodInfo, nodes: Iterable[NodeInfo]) -> SpreadState | None:
    constraints = pod.spread_constraints
    if not constraints:
        return None
    counts: list[dict[str, int]] = [{} for _ in constraints]
    keys = [c.topology_key for c in constraints]
    for info in nodes:
        labels = info.node.labels
        if not all(key in labels for key in keys):
            continue
        for index, constraint in enumerate(constraints):
            if not _spread_includes(constraint, pod, info):
                continue
            matching = 0
            for existing in info.pods:
                # Terminating pods are bypassed (kubernetes#87621).
                if existing.terminating or existing.namespace != pod.namespace:
                    continue
                if label_selector_matches(constraint.selector, existing.labels):
                    matching += 1
            value = labels[constraint.topology_key]
            counts[index][value] = counts[index].get(value, 0) + matching
    return SpreadState(constraints, counts, [None] * len(constraints))


def pod_topology_spread(pod: PodInfo, node: NodeInfo, state: SpreadState | None) -> Rejection | None:
    """PodTopologySpread: ``matching + self - global minimum <= maxSkew`` per DoNotSchedule rule."""
    if state is None:
        return None
    labels = node.node.labels
    for index, constraint in enumerate(state.constraints):
        value = labels.get(constraint.topology_key)
        if value is None:
            return Rejection("PodTopologySpread", (REASON_SPREAD_MISSING_LABEL,), unresolvable=True)
        self_match = 1 if label_selector_matches(constraint.selector, pod.labels) else 0
        skew = state.counts[index].get(value, 0) + self_match - state.minimum(index)
        if skew > constraint.max_skew:
            return Rejection("PodTopologySpread", (REASON_SPREAD,))
    return None
