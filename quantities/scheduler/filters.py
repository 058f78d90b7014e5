"""kube-scheduler's filter plugins, one small function each (Kubernetes 1.32).

Each filter answers one question for one pod and one node — may the pod go
there, and if not, why — in the scheduler's own words, and returns ``None``
(it fits) or a :class:`Rejection`. Running them in order, stopping at the
first rejection, and turning rejections into a FailedScheduling message is
the job of :mod:`quantities.scheduler.fit`.

A rejection is *unresolvable* (``UnschedulableAndUnresolvable``) when
evicting pods could not help; preemption then calls the node "not helpful".

Filters that depend on the other pods of the cluster (PodTopologySpread,
InterPodAffinity) read a state computed once per pod by their PreFilter
(:class:`SpreadState`, :class:`AffinityState`), which a plan updates as it
places replicas, exactly as the scheduler's ``AddPod`` extensions do.

Reasons are verbatim from kubernetes/kubernetes v1.32. Kubernetes 1.35
replaced the taint reason by the generic ``node(s) had untolerated taint(s)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from quantities.node.model import CPU, EPHEMERAL_STORAGE, MEMORY, PODS
from quantities.node.selectors import (
    NO_EXECUTE,
    NO_SCHEDULE,
    Taint,
    find_untolerated_taint,
    label_selector_matches,
    node_selector_terms_match,
    tolerates,
)
from quantities.scheduler.nodeinfo import NodeInfo
from quantities.scheduler.podinfo import PodInfo, SpreadConstraint

__all__ = [
    "FILTERS",
    "REASON_AFFINITY",
    "REASON_ANTI_AFFINITY",
    "REASON_EXISTING_ANTI_AFFINITY",
    "REASON_NODE_AFFINITY",
    "REASON_NODE_NAME",
    "REASON_SPREAD",
    "REASON_SPREAD_MISSING_LABEL",
    "REASON_TOO_MANY_PODS",
    "REASON_UNSCHEDULABLE",
    "AffinityState",
    "CycleState",
    "InsufficientResource",
    "Rejection",
    "SpreadState",
    "insufficient_resources",
    "inter_pod_affinity",
    "node_affinity",
    "node_name",
    "node_resources_fit",
    "node_unschedulable",
    "pod_topology_spread",
    "prefilter",
    "taint_reason",
    "taint_toleration",
]

REASON_UNSCHEDULABLE = "node(s) were unschedulable"
REASON_NODE_NAME = "node(s) didn't match the requested node name"
REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_TOO_MANY_PODS = "Too many pods"
REASON_SPREAD = "node(s) didn't match pod topology spread constraints"
REASON_SPREAD_MISSING_LABEL = REASON_SPREAD + " (missing required label)"
REASON_AFFINITY = "node(s) didn't match pod affinity rules"
REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"

_UNSCHEDULABLE_TAINT = Taint("node.kubernetes.io/unschedulable", "", NO_SCHEDULE)
_DO_NOT_SCHEDULE = (NO_SCHEDULE, NO_EXECUTE)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A filter's verdict against a node: the plugin, its reasons, and whether preemption could help."""

    plugin: str
    reasons: tuple[str, ...]
    unresolvable: bool = False

    @property
    def message(self) -> str:
        """``Status.Message()``: the reasons joined with ", "."""
        return ", ".join(self.reasons)


def taint_reason(taint: Taint) -> str:
    """The TaintToleration reason of Kubernetes 1.26-1.34 (1.35: ``node(s) had untolerated taint(s)``).

    >>> taint_reason(Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"))
    'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'
    """
    return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"


# --- node-only filters ---------------------------------------------------------------------------


def node_unschedulable(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeUnschedulable: a cordoned node, unless the pod tolerates ``node.kubernetes.io/unschedulable``."""
    if node.node.unschedulable and not any(tolerates(t, _UNSCHEDULABLE_TAINT) for t in pod.tolerations):
        return Rejection("NodeUnschedulable", (REASON_UNSCHEDULABLE,), unresolvable=True)
    return None


def node_name(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeName: a pod with ``spec.nodeName`` fits only that node."""
    if pod.node_name and pod.node_name != node.node.name:
        return Rejection("NodeName", (REASON_NODE_NAME,), unresolvable=True)
    return None


def taint_toleration(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """TaintToleration: the first NoSchedule/NoExecute taint, in node order, that no toleration tolerates."""
    if not node.node.taints:
        return None
    taint = find_untolerated_taint(node.node.taints, pod.tolerations, _DO_NOT_SCHEDULE)
    if taint is None:
        return None
    return Rejection("TaintToleration", (taint_reason(taint),), unresolvable=True)


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


# --- NodeResourcesFit ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InsufficientResource:
    """noderesources.InsufficientResource: what the pod asks, what the node's pods use, what it has."""

    resource: str
    reason: str
    requested: int
    used: int
    capacity: int

    @property
    def free(self) -> int:
        return self.capacity - self.used

    @property
    def shortfall(self) -> int:
        return self.requested - self.free


def insufficient_resources(pod: PodInfo, node: NodeInfo) -> list[InsufficientResource]:
    """NodeResourcesFit's ``fitsRequest``: every resource the node lacks for this pod.

    The pod count comes first, then cpu, memory, ephemeral-storage, then the
    scalar resources (sorted by name: the scheduler iterates a Go map). A
    zero request never fails; a node without a requested extended resource has
    0 of it. cpu is in thousandths, the rest in units.
    """
    result: list[InsufficientResource] = []
    allowed = node.node.allowed_pods
    used_pods = len(node.pods)
    if used_pods + 1 > allowed:
        result.append(InsufficientResource(PODS, REASON_TOO_MANY_PODS, 1, used_pods, allowed))
    if not pod.has_requests:
        return result
    allocatable = node.node
    if pod.cpu > 0 and pod.cpu > allocatable.milli_cpu - node.requested_cpu:
        result.append(
            InsufficientResource(CPU, "Insufficient cpu", pod.cpu, node.requested_cpu, allocatable.milli_cpu)
        )
    if pod.memory > 0 and pod.memory > allocatable.memory - node.requested_memory:
        result.append(
            InsufficientResource(
                MEMORY, "Insufficient memory", pod.memory, node.requested_memory, allocatable.memory
            )
        )
    if pod.ephemeral_storage > 0 and (
        pod.ephemeral_storage > allocatable.ephemeral_storage - node.requested_ephemeral_storage
    ):
        result.append(
            InsufficientResource(
                EPHEMERAL_STORAGE,
                "Insufficient ephemeral-storage",
                pod.ephemeral_storage,
                node.requested_ephemeral_storage,
                allocatable.ephemeral_storage,
            )
        )
    for name in sorted(pod.scalars):
        value = pod.scalars[name]
        if value == 0:
            continue
        capacity = allocatable.scalars.get(name, 0)
        used = node.requested_scalars.get(name, 0)
        if value > capacity - used:
            result.append(InsufficientResource(name, f"Insufficient {name}", value, used, capacity))
    return result


def node_resources_fit(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeResourcesFit: requests against allocatable minus what the node's pods request.

    Kubernetes 1.32 reports every shortage as ``Unschedulable`` (preemption is
    tried); 1.34 made a request larger than the whole allocatable unresolvable.
    """
    # Fast path: the common fitting case without building the list.
    n = node.node
    if (
        len(node.pods) < n.allowed_pods
        and pod.cpu <= n.milli_cpu - node.requested_cpu
        and pod.memory <= n.memory - node.requested_memory
        and pod.ephemeral_storage <= n.ephemeral_storage - node.requested_ephemeral_storage
        and not pod.scalars
    ):
        return None
    missing = insufficient_resources(pod, node)
    if not missing:
        return None
    return Rejection("NodeResourcesFit", tuple(item.reason for item in missing))


# --- PodTopologySpread ---------------------------------------------------------------------------


def _spread_includes(constraint: SpreadConstraint, pod: PodInfo, node: NodeInfo) -> bool:
    """nodeAffinityPolicy (default Honor) and nodeTaintsPolicy (default Ignore)."""
    if constraint.honor_node_affinity and not matches_node_selector_and_affinity(pod, node):
        return False
    return not (
        constraint.honor_node_taints
        and find_untolerated_taint(node.node.taints, pod.tolerations, _DO_NOT_SCHEDULE) is not None
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


def _spread_prefilter(pod: PodInfo, nodes: Iterable[NodeInfo]) -> SpreadState | None:
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


# --- InterPodAffinity ----------------------------------------------------------------------------


@dataclass(slots=True)
class AffinityState:
    """InterPodAffinity's PreFilter state: matching pods per (topology key, value)."""

    affinity_counts: dict[tuple[str, str], int]
    anti_affinity_counts: dict[tuple[str, str], int]
    existing_anti_affinity_counts: dict[tuple[str, str], int]
    matches_own_affinity: bool

    def add_pod(self, placed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """PreFilterExtensions.AddPod for a pod placed on ``node``."""
        labels = node.node.labels
        _count_existing_anti_affinity(self.existing_anti_affinity_counts, placed, labels, incoming)
        if incoming.affinity_terms and all(
            t.matches(placed.namespace, placed.labels) for t in incoming.affinity_terms
        ):
            for term in incoming.affinity_terms:
                _bump(self.affinity_counts, labels, term.topology_key)
        for term in incoming.anti_affinity_terms:
            if term.matches(placed.namespace, placed.labels):
                _bump(self.anti_affinity_counts, labels, term.topology_key)


def _bump(counts: dict[tuple[str, str], int], labels: Mapping[str, str], key: str) -> None:
    value = labels.get(key)
    if value is not None:
        pair = (key, value)
        counts[pair] = counts.get(pair, 0) + 1


def _count_existing_anti_affinity(
    counts: dict[tuple[str, str], int], existing: PodInfo, labels: Mapping[str, str], incoming: PodInfo
) -> None:
    for term in existing.anti_affinity_terms:
        if term.matches(incoming.namespace, incoming.labels):
            _bump(counts, labels, term.topology_key)


def _affinity_prefilter(pod: PodInfo, nodes: Iterable[NodeInfo]) -> AffinityState | None:
    node_list = list(nodes)
    has_existing = any(info.pods_with_anti_affinity for info in node_list)
    if not pod.affinity_terms and not pod.anti_affinity_terms and not has_existing:
        return None
    state = AffinityState({}, {}, {}, False)
    for info in node_list:
        labels = info.node.labels
        for existing in info.pods_with_anti_affinity:
            _count_existing_anti_affinity(state.existing_anti_affinity_counts, existing, labels, pod)
        if pod.affinity_terms or pod.anti_affinity_terms:
            for existing in info.pods:
                if pod.affinity_terms and all(
                    t.matches(existing.namespace, existing.labels) for t in pod.affinity_terms
                ):
                    for term in pod.affinity_terms:
                        _bump(state.affinity_counts, labels, term.topology_key)
                for term in pod.anti_affinity_terms:
                    if term.matches(existing.namespace, existing.labels):
                        _bump(state.anti_affinity_counts, labels, term.topology_key)
    state.matches_own_affinity = bool(pod.affinity_terms) and all(
        t.matches(pod.namespace, pod.labels) for t in pod.affinity_terms
    )
    return state


def inter_pod_affinity(pod: PodInfo, node: NodeInfo, state: AffinityState | None) -> Rejection | None:
    """InterPodAffinity: required affinity, required anti-affinity, then existing pods' anti-affinity."""
    if state is None:
        return None
    labels = node.node.labels
    if pod.affinity_terms:
        pods_exist = True
        for term in pod.affinity_terms:
            value = labels.get(term.topology_key)
            if value is None:
                return Rejection("InterPodAffinity", (REASON_AFFINITY,), unresolvable=True)
            if state.affinity_counts.get((term.topology_key, value), 0) <= 0:
                pods_exist = False
        # The first pod of a group with affinity to itself may go anywhere.
        if not pods_exist and not (not state.affinity_counts and state.matches_own_affinity):
            return Rejection("InterPodAffinity", (REASON_AFFINITY,), unresolvable=True)
    if state.anti_affinity_counts:
        for term in pod.anti_affinity_terms:
            value = labels.get(term.topology_key)
            if value is not None and state.anti_affinity_counts.get((term.topology_key, value), 0) > 0:
                return Rejection("InterPodAffinity", (REASON_ANTI_AFFINITY,))
    if state.existing_anti_affinity_counts:
        for key, value in labels.items():
            if state.existing_anti_affinity_counts.get((key, value), 0) > 0:
                return Rejection("InterPodAffinity", (REASON_EXISTING_ANTI_AFFINITY,))
    return None


# --- running them --------------------------------------------------------------------------------


@dataclass(slots=True)
class CycleState:
    """What the PreFilters computed for one pod."""

    spread: SpreadState | None = None
    affinity: AffinityState | None = None

    def add_pod(self, placed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        if self.spread is not None:
            self.spread.add_pod(placed, node, incoming)
        if self.affinity is not None:
            self.affinity.add_pod(placed, node, incoming)


def prefilter(pod: PodInfo, nodes: Iterable[NodeInfo]) -> CycleState:
    """Run the PreFilters that look at the whole cluster."""
    node_list = nodes if isinstance(nodes, list) else list(nodes)
    return CycleState(_spread_prefilter(pod, node_list), _affinity_prefilter(pod, node_list))


Filter = Callable[[PodInfo, NodeInfo, CycleState], "Rejection | None"]

#: The default profile's filters in their order (Kubernetes 1.32 default_plugins.go), limited to those
#: we implement: NodePorts and the volume filters are not modelled.
FILTERS: tuple[tuple[str, Filter], ...] = (
    ("NodeUnschedulable", lambda pod, node, state: node_unschedulable(pod, node)),
    ("NodeName", lambda pod, node, state: node_name(pod, node)),
    ("TaintToleration", lambda pod, node, state: taint_toleration(pod, node)),
    ("NodeAffinity", lambda pod, node, state: node_affinity(pod, node)),
    ("NodeResourcesFit", lambda pod, node, state: node_resources_fit(pod, node)),
    ("PodTopologySpread", lambda pod, node, state: pod_topology_spread(pod, node, state.spread)),
    ("InterPodAffinity", lambda pod, node, state: inter_pod_affinity(pod, node, state.affinity)),
)


def run_filters(pod: PodInfo, node: NodeInfo, state: CycleState) -> Rejection | None:
    """``RunFilterPlugins``: the first rejection, or None when every filter passes."""
    for _, plugin in FILTERS:
        rejection = plugin(pod, node, state)
        if rejection is not None:
            return rejection
    return None
