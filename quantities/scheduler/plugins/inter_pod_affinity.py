"""InterPodAffinity: required pod affinity, required anti-affinity, and existing pods' anti-affinity.

Its PreFilter counts matching pods per (topology key, value) once per pod
(:class:`AffinityState`); then, as in the scheduler's ``PreFilterExtensions``, a plan
updates the counts as it places replicas (``AddPod``) and preemption as it takes the
victims off one node (``RemovePod``) and puts them back. A count that falls to zero is
deleted (``topologyToMatchedTermCount.update``): "no pod matches anywhere" is an empty map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quantities.options import Options
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection

__all__ = [
    "REASON_AFFINITY",
    "REASON_ANTI_AFFINITY",
    "REASON_EXISTING_ANTI_AFFINITY",
    "AffinityState",
    "affinity_prefilter",
    "inter_pod_affinity",
]

REASON_AFFINITY = "node(s) didn't match pod affinity rules"
REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"


@dataclass(slots=True)
class AffinityState:
    """InterPodAffinity's PreFilter state: matching pods per (topology key, value)."""

    affinity_counts: dict[tuple[str, str], int]
    anti_affinity_counts: dict[tuple[str, str], int]
    existing_anti_affinity_counts: dict[tuple[str, str], int]
    matches_own_affinity: bool

    def add_pod(self, placed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """PreFilterExtensions.AddPod for a pod placed on ``node``."""
        self._update(placed, node, incoming, 1)

    def remove_pod(self, removed: PodInfo, node: NodeInfo, incoming: PodInfo) -> None:
        """PreFilterExtensions.RemovePod for a pod taken off ``node``."""
        self._update(removed, node, incoming, -1)

    def _update(self, pod: PodInfo, node: NodeInfo, incoming: PodInfo, delta: int) -> None:
        labels = node.node.labels
        _count_existing_anti_affinity(self.existing_anti_affinity_counts, pod, labels, incoming, delta)
        if incoming.affinity_terms and all(
            t.matches(pod.namespace, pod.labels) for t in incoming.affinity_terms
        ):
            for term in incoming.affinity_terms:
                _bump(self.affinity_counts, labels, term.topology_key, delta)
        for term in incoming.anti_affinity_terms:
            if term.matches(pod.namespace, pod.labels):
                _bump(self.anti_affinity_counts, labels, term.topology_key, delta)


def _bump(counts: dict[tuple[str, str], int], labels: Mapping[str, str], key: str, delta: int = 1) -> None:
    value = labels.get(key)
    if value is not None:
        pair = (key, value)
        count = counts.get(pair, 0) + delta
        if count:
            counts[pair] = count
        else:
            del counts[pair]


def _count_existing_anti_affinity(
    counts: dict[tuple[str, str], int],
    existing: PodInfo,
    labels: Mapping[str, str],
    incoming: PodInfo,
    delta: int = 1,
) -> None:
    for term in existing.anti_affinity_terms:
        if term.matches(incoming.namespace, incoming.labels):
            _bump(counts, labels, term.topology_key, delta)


def affinity_prefilter(
    pod: PodInfo, nodes: Iterable[NodeInfo], *, options: Options | None = None
) -> AffinityState:
    """PreFilter: pods matching the pod's terms, and existing pods whose anti-affinity the pod matches.

    The state exists even when nothing matches (all counts empty), so that ``AddPod`` can
    count a pod with anti-affinity placed later, as the scheduler's state does.
    """
    node_list = nodes if isinstance(nodes, list) else list(nodes)
    state = AffinityState({}, {}, {}, False)
    has_terms = bool(pod.affinity_terms or pod.anti_affinity_terms)
    for position, info in enumerate(node_list):
        if options is not None and not position % 256:
            options.check_deadline(f'inter-pod affinity of pod "{pod.name}"')
        labels = info.node.labels
        for existing in info.pods_with_anti_affinity:
            _count_existing_anti_affinity(state.existing_anti_affinity_counts, existing, labels, pod)
        if has_terms:
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
