"""PodTopologySpread: ``matching + self - global minimum <= maxSkew`` for every DoNotSchedule constraint.

Its PreFilter counts the matching pods per topology domain once per pod
(:class:`SpreadState`). As in the scheduler, the state then changes only through
``PreFilterExtensions``: ``AddPod`` when a plan places a replica, ``RemovePod`` when
preemption evicts the victims of one node (and ``AddPod`` again to put them back), each
touching one node's domains. The global minimum is kept up to date with the counts
(the scheduler's ``criticalPaths``): a histogram of the domains' counts, so that a
change costs the same whether there are three zones or five thousand hostnames.

>>> from quantities.node.compact import compact_node
>>> from quantities.scheduler.framework.nodeinfo import NodeInfo
>>> from quantities.scheduler.framework.podinfo import pod_info
>>> pod = pod_info({"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {
...     "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
...         "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}],
...     "containers": [{"name": "c", "image": "i"}]}})
>>> a, b = (NodeInfo(compact_node(n, cpu="4", memory="8Gi", labels={"zone": n})) for n in "ab")
>>> state = spread_prefilter(pod, [a, b])
>>> state.add_pod(pod, a, pod); state.minimum(0), pod_topology_spread(pod, a, state) is None
(0, False)
>>> state.remove_pod(pod, a, pod); state.minimum(0), pod_topology_spread(pod, a, state) is None
(0, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quantities.node.selectors import find_untolerated_taint, label_selector_matches
from quantities.options import Options
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo, SpreadConstraint
from quantities.scheduler.framework.status import Rejection
from quantities.scheduler.plugins.node_affinity import matches_node_selector_and_affinity
from quantities.scheduler.plugins.taint_toleration import DO_NOT_SCHEDULE

__all__ = [
    "REASON_SPREAD",
    "REASON_SPREAD_MISSING_LABEL",
    "Domains",
    "SpreadState",
    "pod_topology_spread",
    "spread_blocker",
    "spread_prefilter",
]

REASON_SPREAD = "node(s) didn't match pod topology spread constraints"
REASON_SPREAD_MISSING_LABEL = REASON_SPREAD + " (missing required label)"

#: Nodes between two looks at the deadline in the PreFilter's loop.
_CHECK_EVERY = 256


def _spread_includes(constraint: SpreadConstraint, pod: PodInfo, node: NodeInfo) -> bool:
    """nodeAffinityPolicy (default Honor) and nodeTaintsPolicy (default Ignore)."""
    if constraint.honor_node_affinity and not matches_node_selector_and_affinity(pod, node):
        return False
    return not (
        constraint.honor_node_taints
        and find_untolerated_taint(node.node.taints, pod.tolerations, DO_NOT_SCHEDULE) is not None
    )


class Domains:
    """One constraint's matching pods per topology domain, and their minimum kept exact as they change.

    ``histogram`` counts the domains per number of matching pods; a count moves by one
    pod at a time, so the minimum moves at most to the next number, found in the histogram.
    """

    __slots__ = ("counts", "histogram", "low", "min_domains")

    def __init__(self, counts: Mapping[str, int], min_domains: int) -> None:
        self.counts: dict[str, int] = dict(counts)
        self.min_domains = min_domains
        self.histogram: dict[int, int] = {}
        for count in self.counts.values():
            self.histogram[count] = self.histogram.get(count, 0) + 1
        self.low = min(self.histogram) if self.histogram else 0

    def __repr__(self) -> str:
        return f"Domains({self.counts!r}, min_domains={self.min_domains})"

    def minimum(self) -> int:
        """The global minimum; 0 while fewer domains than ``minDomains`` exist."""
        if not self.counts or len(self.counts) < self.min_domains:
            return 0
        return self.low

    def change(self, value: str, delta: int) -> None:
        """One pod more (``delta`` 1) or fewer (-1) in domain ``value``."""
        counts, histogram = self.counts, self.histogram
        old = counts.get(value)
        if old is None:  # a domain no node of the PreFilter had: it starts empty
            old = 0
            if not histogram or self.low > 0:
                self.low = 0
            histogram[0] = histogram.get(0, 0) + 1
        new = old + delta
        counts[value] = new
        left = histogram[old] - 1
        if left:
            histogram[old] = left
        else:
            del histogram[old]
        histogram[new] = histogram.get(new, 0) + 1
        if new < self.low or (old == self.low and not left):
            self.low = new


@dataclass(slots=True)
class SpreadState:
    """PodTopologySpread's PreFilter state: per constraint, matching pods per topology domain."""

    constraints: tuple[SpreadConstraint, ...]
    domains: list[Domains]

    @property
    def counts(self) -> list[dict[str, int]]:
        """Per constraint, the matching pods per domain (``TpPairToMatchNum``)."""
        return [domains.counts for domains in self.domains]

    def minimum(self, index: int) -> int:
        """The global minimum of constraint ``index``; 0 while fewer domains than ``minDomains`` exist."""
        return self.domains[index].minimum()

    def add_pod(self, placed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """PreFilterExtensions.AddPod (``updateWithPod(+1)``): a pod placed on ``node`` counts."""
        self._update(placed, node, incoming, 1)

    def remove_pod(self, removed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """PreFilterExtensions.RemovePod (``updateWithPod(-1)``): a pod taken off ``node`` no longer does."""
        self._update(removed, node, incoming, -1)

    def _update(self, pod: PodInfo, node: NodeInfo, incoming: PodInfo, delta: int) -> None:
        # The PreFilter skips terminating pods (kubernetes#87621): so must its updates, or a
        # victim that never counted would be taken off the counts.
        if pod.terminating or pod.namespace != incoming.namespace:
            return
        labels = node.node.labels
        if not all(c.topology_key in labels for c in self.constraints):
            return
        for constraint, domains in zip(self.constraints, self.domains, strict=True):
            if not label_selector_matches(constraint.selector, pod.labels):
                continue
            if not _spread_includes(constraint, incoming, node):
                continue
            domains.change(labels[constraint.topology_key], delta)


def _node_counts(
    pod: PodInfo,
    constraints: tuple[SpreadConstraint, ...],
    info: NodeInfo,
    counts: list[dict[str, int]],
    only: tuple[int, ...],
) -> None:
    """Add one node's matching pods to ``counts`` for the constraints numbered ``only``."""
    labels = info.node.labels
    if not all(c.topology_key in labels for c in constraints):
        return
    for index in only:
        constraint = constraints[index]
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


def spread_prefilter(
    pod: PodInfo,
    nodes: Iterable[NodeInfo],
    *,
    options: Options | None = None,
    shared: SpreadState | None = None,
    only_nodes: Iterable[NodeInfo] | None = None,
) -> SpreadState | None:
    """PreFilter: per constraint, the pods matching its selector in each topology domain.

    For a pod whose node affinity names its nodes (a DaemonSet pod pinned to one node),
    the constraints that honor node affinity count only on those nodes: ``only_nodes``
    gives them, and ``shared`` the state of the same pod without the pin, whose counts
    the other constraints (``nodeAffinityPolicy: Ignore``) share; both must come from the
    same cluster.
    """
    constraints = pod.spread_constraints
    if not constraints:
        return None
    counts: list[dict[str, int]] = [{} for _ in constraints]
    if shared is not None and only_nodes is not None:
        honoring = tuple(i for i, c in enumerate(constraints) if c.honor_node_affinity)
        for info in only_nodes:
            _node_counts(pod, constraints, info, counts, honoring)
        domains = [
            Domains(counts[i], c.min_domains) if c.honor_node_affinity else shared.domains[i]
            for i, c in enumerate(constraints)
        ]
        return SpreadState(constraints, domains)
    every = tuple(range(len(constraints)))
    for position, info in enumerate(nodes):
        if options is not None and not position % _CHECK_EVERY:
            options.check_deadline(f'topology spread of pod "{pod.name}"')
        _node_counts(pod, constraints, info, counts, every)
    return SpreadState(constraints, [Domains(counts[i], c.min_domains) for i, c in enumerate(constraints)])


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
        skew = state.domains[index].counts.get(value, 0) + self_match - state.minimum(index)
        if skew > constraint.max_skew:
            return Rejection("PodTopologySpread", (REASON_SPREAD,))
    return None


def spread_blocker(pod: PodInfo, node: NodeInfo, state: SpreadState) -> tuple[int, int] | None:
    """For a node PodTopologySpread rejects for skew: the first constraint that does, and the global
    minimum it needs before the node can fit (the node's counts can only grow while a plan places pods).

    None when no constraint rejects the node for skew.
    """
    labels = node.node.labels
    for index, constraint in enumerate(state.constraints):
        value = labels.get(constraint.topology_key)
        if value is None:
            return None
        self_match = 1 if label_selector_matches(constraint.selector, pod.labels) else 0
        needed = state.domains[index].counts.get(value, 0) + self_match - constraint.max_skew
        if state.minimum(index) < needed:
            return index, needed
    return None
