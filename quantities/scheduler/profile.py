"""The default profile: which plugins run, in which order, with which weights.

``FILTERS`` is ``default_plugins.go``'s filter list limited to the plugins we
implement (NodePorts and the volume filters are not modelled); fit, plan and every
capacity computation run this one list, so no caller re-lists the filters. The list is
the same on every release we model (1.28-1.36); what the filters say and score varies with
the release, read from the ``options`` the PreFilter state carries (:class:`CycleState`).
:func:`score` is the weighted sum of the scores we model: LeastAllocated and
BalancedAllocation, weight 1 each. Other default scores (TaintToleration and
NodeAffinity preferences, PodTopologySpread's system default spreading,
InterPodAffinity preferences, ImageLocality) are not modelled.

>>> from quantities.node.compact import compact_node
>>> from quantities.options import DEFAULT_OPTIONS, Options
>>> from quantities.scheduler.framework.nodeinfo import NodeInfo
>>> from quantities.scheduler.framework.podinfo import pod_info
>>> node = NodeInfo(compact_node("n1", cpu="4", memory="8Gi"))
>>> pod = pod_info({"spec": {"containers": [
...     {"name": "c", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}})
>>> old, new = Options.of("1.35"), Options.of("1.36")
>>> least_allocated(pod, node), balanced_allocation(pod, node, old), score(pod, node, old)
(81, 93, 174)
>>> balanced_allocation(pod, node, new), score(pod, node, new)
(71, 152)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from quantities.options import DEFAULT_OPTIONS, Options
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection
from quantities.scheduler.plugins.inter_pod_affinity import (
    AffinityState,
    affinity_prefilter,
    inter_pod_affinity,
)
from quantities.scheduler.plugins.node_affinity import node_affinity
from quantities.scheduler.plugins.node_name import node_name
from quantities.scheduler.plugins.node_unschedulable import node_unschedulable
from quantities.scheduler.plugins.noderesources.balanced_allocation import balanced_allocation
from quantities.scheduler.plugins.noderesources.fit import node_resources_fit
from quantities.scheduler.plugins.noderesources.least_allocated import least_allocated
from quantities.scheduler.plugins.pod_topology_spread import (
    SpreadState,
    pod_topology_spread,
    spread_prefilter,
)
from quantities.scheduler.plugins.taint_toleration import taint_toleration

__all__ = [
    "DYNAMIC_FILTERS",
    "FILTERS",
    "STATIC_FILTERS",
    "CycleState",
    "cycle_options",
    "pinned_prefilter",
    "prefilter",
    "run_dynamic_filters",
    "run_filters",
    "run_static_filters",
    "score",
]


@dataclass(slots=True)
class CycleState:
    """What the PreFilters computed for one pod, kept up to date by ``PreFilterExtensions``.

    :meth:`add_pod` and :meth:`remove_pod` (the scheduler's ``AddPod``/``RemovePod``)
    change the state as if the PreFilter had run on a cluster with one pod more or
    fewer on ``node``, at the cost of that one pod rather than of the whole cluster.

    ``options`` are those of the scheduling cycle: the filters read their release's behaviour
    from it (:func:`cycle_options` pins the process default release once per cycle).
    """

    spread: SpreadState | None = None
    affinity: AffinityState | None = None
    options: Options = DEFAULT_OPTIONS

    def add_pod(self, placed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """AddPod: ``placed`` now runs on ``node``; ``incoming`` is the pod being scheduled."""
        if self.spread is not None:
            self.spread.add_pod(placed, node, incoming)
        if self.affinity is not None:
            self.affinity.add_pod(placed, node, incoming)

    def remove_pod(self, removed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """RemovePod: ``removed`` no longer runs on ``node`` (a preemption victim)."""
        if self.spread is not None:
            self.spread.remove_pod(removed, node, incoming)
        if self.affinity is not None:
            self.affinity.remove_pod(removed, node, incoming)


def cycle_options(options: Options | None) -> Options:
    """``options`` with the release pinned (the process default when it names none), so that
    the filters of one cycle agree on the release and read its behaviour cheaply."""
    base = options or DEFAULT_OPTIONS
    if base.kubernetes_version is not None:
        return base
    return base.replace(kubernetes_version=base.version)


def prefilter(pod: PodInfo, nodes: Iterable[NodeInfo], *, options: Options | None = None) -> CycleState:
    """Run the PreFilters that look at the whole cluster (the deadline of ``options`` checked as they go)."""
    node_list = nodes if isinstance(nodes, list) else list(nodes)
    return CycleState(
        spread_prefilter(pod, node_list, options=options),
        affinity_prefilter(pod, node_list, options=options),
        cycle_options(options),
    )


def pinned_prefilter(pod: PodInfo, shared: CycleState, nodes: Iterable[NodeInfo]) -> CycleState:
    """The PreFilter state of ``pod`` pinned by node affinity to ``nodes``, from ``shared``: the state of
    the same pod unpinned, on the same cluster (a DaemonSet pod and its template).

    Inter-pod affinity does not look at node affinity: its state is ``shared``'s. Spread
    constraints that honor node affinity count on ``nodes`` only; the others share ``shared``'s
    counts. Equal to ``prefilter(pod, cluster)`` at the cost of ``nodes``.
    """
    spread = None
    if shared.spread is not None:
        spread = spread_prefilter(pod, (), shared=shared.spread, only_nodes=nodes)
    return CycleState(spread, shared.affinity, shared.options)


Filter = Callable[[PodInfo, NodeInfo, CycleState], "Rejection | None"]

#: The default profile's node-only filters, in order: their verdict for a node never changes
#: while a plan places pods, so a plan runs them once per node.
STATIC_FILTERS: tuple[tuple[str, Filter], ...] = (
    ("NodeUnschedulable", lambda pod, node, state: node_unschedulable(pod, node)),
    ("NodeName", lambda pod, node, state: node_name(pod, node)),
    ("TaintToleration", lambda pod, node, state: taint_toleration(pod, node, state.options)),
    ("NodeAffinity", lambda pod, node, state: node_affinity(pod, node)),
)
#: The filters that read the pods already placed, in order after the static ones.
DYNAMIC_FILTERS: tuple[tuple[str, Filter], ...] = (
    ("NodeResourcesFit", lambda pod, node, state: node_resources_fit(pod, node, state.options)),
    ("PodTopologySpread", lambda pod, node, state: pod_topology_spread(pod, node, state.spread)),
    ("InterPodAffinity", lambda pod, node, state: inter_pod_affinity(pod, node, state.affinity)),
)
#: The default profile's filters in their order (default_plugins.go, 1.28-1.36), limited to those
#: we implement: NodePorts and the volume filters are not modelled.
FILTERS = STATIC_FILTERS + DYNAMIC_FILTERS


def _first_rejection(
    filters: tuple[tuple[str, Filter], ...], pod: PodInfo, node: NodeInfo, state: CycleState
) -> Rejection | None:
    for _, plugin in filters:
        rejection = plugin(pod, node, state)
        if rejection is not None:
            return rejection
    return None


def run_filters(pod: PodInfo, node: NodeInfo, state: CycleState) -> Rejection | None:
    """``RunFilterPlugins``: the first rejection, or None when every filter passes."""
    return _first_rejection(FILTERS, pod, node, state)


def run_static_filters(pod: PodInfo, node: NodeInfo, state: CycleState) -> Rejection | None:
    """The node-only filters of :data:`FILTERS`: the first rejection, or None."""
    return _first_rejection(STATIC_FILTERS, pod, node, state)


def run_dynamic_filters(pod: PodInfo, node: NodeInfo, state: CycleState) -> Rejection | None:
    """The filters of :data:`FILTERS` that depend on placed pods: the first rejection, or None."""
    return _first_rejection(DYNAMIC_FILTERS, pod, node, state)


def score(pod: PodInfo, node: NodeInfo, options: Options | None = None) -> int:
    """The weighted sum of the scores we model (both weight 1) on the release of ``options``."""
    return least_allocated(pod, node) + balanced_allocation(pod, node, options)
