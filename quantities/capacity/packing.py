"""Packing replicas onto new nodes of a template, with the scheduler's own filters.

Every placement here is made by :class:`~quantities.scheduler.plan.Placer`, the placement of
``kq plan``: the same PreFilter state kept up to date as pods land, the same filters
(NodeResourcesFit, taints, node affinity and selectors, pod (anti-)affinity, topology spread,
max pods) and the same DaemonSet rules. Only the order in which the feasible nodes are tried
differs (a :data:`~quantities.scheduler.plan.NodeKey`):

* :func:`first_fit`: the first feasible node in node order, as cluster-autoscaler's
  estimator takes it;
* :func:`~quantities.scheduler.plan.scheduler_key`: kube-scheduler's score (LeastAllocated and
  BalancedAllocation), which balances cpu against memory;
* :func:`best_fit`: the feasible node with the least room left.

Two ways of packing:

* :func:`first_fit_decreasing` is cluster-autoscaler's ``BinpackingNodeEstimator.Estimate``
  (cluster-autoscaler/estimator/binpacking_estimator.go): pod groups in the order of
  :func:`autoscaler_order` (decreasing_pod_orderer.go); each group's pods go first to the nodes
  already there (``tryToScheduleOnExistingNodes``), then a new node is added whenever none fits
  (``tryToScheduleOnNewNodes``); when a node just added cannot take the pod, the pod fits no new
  node and the rest of its group stays pending.
* :func:`pack_fixed` places every group on a fixed set of new nodes added up front (with their
  DaemonSet pods), as they would all exist when the replicas are created.

Before either, the pods that fit the existing nodes go there, first fit in the same order
(cluster-autoscaler filters out the pods the existing nodes can take before it estimates).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from quantities.node.model import HOSTNAME_LABEL, Node
from quantities.options import Options
from quantities.pod.workloads import Workload
from quantities.scheduler.framework.nodeinfo import NodeInfo, Snapshot
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.plan import (
    NodeKey,
    Placer,
    daemonset_nodes,
    plan_daemonset,
    replica,
)

__all__ = [
    "Daemon",
    "Group",
    "Packing",
    "Template",
    "autoscaler_order",
    "autoscaler_score",
    "best_fit",
    "first_fit",
    "first_fit_decreasing",
    "pack_fixed",
]


@dataclass(frozen=True, slots=True)
class Template:
    """A kind of new node: its allocatable, labels and taints (``node``), and its price, if known."""

    name: str
    node: Node
    price: Fraction | None = None

    def new_node(self, name: str) -> Node:
        """A new node of this template named ``name``, labelled with its hostname as the kubelet does."""
        labels = {**self.node.labels, HOSTNAME_LABEL: name}
        return Node(name, self.node.allocatable, labels=labels, taints=self.node.taints)


@dataclass(frozen=True, slots=True)
class Group:
    """The replicas of one workload: its pod and how many copies to place."""

    workload: Workload
    pod: PodInfo
    count: int
    #: Position in the input (the plan lists workloads in input order).
    position: int


@dataclass(frozen=True, slots=True)
class Daemon:
    """A DaemonSet: its pod with the controller's tolerations, one per eligible new node."""

    workload: Workload
    pod: PodInfo


def autoscaler_score(pod: Workload, template: Node) -> Fraction:
    """``DecreasingPodOrderer.calculatePodScore``: the sum of the requests of the pod's
    ``spec.containers`` (init containers and overhead are not counted) as a fraction of the
    template's allocatable, cpu plus memory; exact here, a float64 there."""
    from quantities.pod.read import read_pod

    spec = read_pod(dict(pod.pod), strict=False)
    cpu = sum(
        c.resources.requests["cpu"].milli_value() for c in spec.containers if "cpu" in c.resources.requests
    )
    memory = sum(
        c.resources.requests["memory"].value() for c in spec.containers if "memory" in c.resources.requests
    )
    score = Fraction(0)
    if template.milli_cpu > 0:
        score += Fraction(cpu, template.milli_cpu)
    if template.memory > 0:
        score += Fraction(memory, template.memory)
    return score


def autoscaler_order(groups: Iterable[Group], template: Node) -> list[Group]:
    """The groups by :func:`autoscaler_score`, largest first (``sort.Slice`` there is not stable;
    here equal scores keep the input order)."""
    scored = [(autoscaler_score(group.workload, template), group) for group in groups]
    return [group for _, group in sorted(scored, key=lambda pair: -pair[0])]


def first_fit(pod: PodInfo, info: NodeInfo, options: Options) -> int:
    """Every feasible node ranks the same: the first in node order wins (first fit)."""
    return 0


_SCALE = 1 << 20


def best_fit(pod: PodInfo, info: NodeInfo, options: Options) -> int:
    """The node with the least room left once the pod is on it (cpu and memory, each as a
    fraction of the node's allocatable) first: best fit."""
    node = info.node
    cpu = (node.milli_cpu - info.requested_cpu - pod.cpu) * _SCALE // max(node.milli_cpu, 1)
    memory = (node.memory - info.requested_memory - pod.memory) * _SCALE // max(node.memory, 1)
    return cpu + memory


@dataclass(slots=True)
class Packing:
    """Where the pods went: the snapshot (existing nodes first, then the new ones), the new nodes
    with their templates, each group's placements and pending count."""

    snapshot: Snapshot
    groups: Sequence[Group]
    daemons: Sequence[Daemon]
    options: Options
    existing: int
    new_nodes: list[tuple[Template, NodeInfo]] = field(default_factory=list)
    #: Per group (by position): node name to copies placed there.
    placements: dict[int, dict[str, int]] = field(default_factory=dict)
    #: Per DaemonSet: node name to 1, and the messages of the nodes it could not run on.
    daemon_placements: list[dict[str, int]] = field(default_factory=list)
    daemon_messages: list[dict[str, str]] = field(default_factory=list)
    _names: set[str] = field(default_factory=set)
    _numbers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(
        cls, base: Snapshot, groups: Sequence[Group], daemons: Sequence[Daemon], options: Options
    ) -> Packing:
        snapshot = base.clone()
        packing = cls(snapshot, groups, daemons, options, len(snapshot))
        packing.placements = {group.position: {} for group in groups}
        packing.daemon_placements = [{} for _ in daemons]
        packing.daemon_messages = [{} for _ in daemons]
        packing._names = set(snapshot.by_name)
        return packing

    def placed(self, group: Group) -> int:
        return sum(self.placements[group.position].values())

    def pending(self, group: Group) -> int:
        return group.count - self.placed(group)

    @property
    def total_pending(self) -> int:
        return sum(self.pending(group) for group in self.groups)

    def counts(self) -> dict[str, int]:
        """New nodes per template name."""
        result: dict[str, int] = {}
        for template, _ in self.new_nodes:
            result[template.name] = result.get(template.name, 0) + 1
        return result

    def cost(self) -> Fraction | None:
        """The sum of the new nodes' prices; None when a template has no price."""
        total = Fraction(0)
        for template, _ in self.new_nodes:
            if template.price is None:
                return None
            total += template.price
        return total

    def _name(self, template: Template) -> str:
        number = self._numbers.get(template.name, 0)
        while True:
            number += 1
            name = f"{template.name}-{number}"
            if name not in self._names:
                self._numbers[template.name] = number
                self._names.add(name)
                return name

    def add_node(self, template: Template) -> NodeInfo:
        """A new node of ``template`` at the end of the node list, with its DaemonSet pods (placed first,
        as the DaemonSet controller creates them when the node joins)."""
        snapshot = self.snapshot
        node = template.new_node(self._name(template))
        info = NodeInfo(node)
        snapshot.position[node.name] = len(snapshot.node_infos)
        snapshot.node_infos.append(info)
        snapshot.by_name[node.name] = info
        self.new_nodes.append((template, info))
        for number, daemon in enumerate(self.daemons):
            if not daemonset_nodes(daemon.pod, Snapshot([node])):
                continue
            result = plan_daemonset(daemon.workload, snapshot, daemon.pod, [info], self.options)
            self.daemon_placements[number].update(result.placements)
            if result.message is not None:
                self.daemon_messages[number][node.name] = result.message
        return info

    def remove_new_node(self, info: NodeInfo) -> None:
        """Take a new node that holds no replica out again (with its DaemonSet pods)."""
        snapshot = self.snapshot
        name = info.node.name
        snapshot.node_infos.remove(info)
        del snapshot.by_name[name]
        snapshot.position = {node.node.name: i for i, node in enumerate(snapshot.node_infos)}
        self.new_nodes = [(t, i) for t, i in self.new_nodes if i is not info]
        for placements in self.daemon_placements:
            placements.pop(name, None)
        for messages in self.daemon_messages:
            messages.pop(name, None)

    def place(self, group: Group, key: NodeKey, grow: Callable[[], NodeInfo] | None = None) -> int:
        """Place the group's pending copies, best node by ``key`` first; how many were placed.

        With ``grow``, a node is added (``grow()``) whenever no node fits, until a node just added
        cannot take the pod: that node is taken out again and the rest stays pending.
        """
        left = self.pending(group)
        if not left:
            return 0
        placements = self.placements[group.position]
        # One copy stands for every replica: a pod's name changes no filter's verdict.
        pod = replica(group.pod, f"{group.workload.name}-{self.placed(group)}")
        placer = Placer(pod, self.snapshot, self.options, key)
        placed = 0
        fresh: NodeInfo | None = None
        while placed < left:
            chosen = placer.place_one()
            if chosen is None:
                if grow is None or fresh is not None:
                    if fresh is not None:
                        self.remove_new_node(fresh)
                    break
                fresh = grow()
                if not placer.add_node(fresh):
                    placer = Placer(pod, self.snapshot, self.options, key)
                continue
            if chosen is fresh:
                fresh = None
            placements[chosen.node.name] = placements.get(chosen.node.name, 0) + 1
            placed += 1
        return placed

    def holds_replicas(self, info: NodeInfo) -> bool:
        name = info.node.name
        return any(name in placements for placements in self.placements.values())

    def trim(self) -> None:
        """Remove the new nodes no replica went to: fewer nodes only relax the spread constraints
        the placements were checked against (a domain with no pods is the minimum)."""
        for _, info in list(self.new_nodes):
            if not self.holds_replicas(info):
                self.remove_new_node(info)


def _existing_first(packing: Packing, order: Sequence[Group]) -> None:
    for group in order:
        packing.options.check_deadline(f'placing "{group.workload.name}" on the existing nodes')
        packing.place(group, first_fit)


def first_fit_decreasing(
    base: Snapshot, order: Sequence[Group], daemons: Sequence[Daemon], template: Template, options: Options
) -> Packing:
    """cluster-autoscaler's estimate for one node group: first fit decreasing, a node added when none fits.

    The existing nodes take what they can first; then, group by group in ``order``, the new
    nodes already added (first fit), then one new node at a time. A group whose pod a node
    just added cannot take stays pending (``tryToScheduleOnNewNodes`` stops there too).
    """
    packing = Packing.start(base, order, daemons, options)
    _existing_first(packing, order)
    for group in order:
        options.check_deadline(f'estimating new nodes for "{group.workload.name}"')
        packing.place(group, first_fit, lambda: packing.add_node(template))
    return packing


def pack_fixed(
    base: Snapshot,
    order: Sequence[Group],
    daemons: Sequence[Daemon],
    counts: Sequence[tuple[Template, int]],
    key: NodeKey,
    options: Options,
) -> Packing:
    """Every group in ``order`` placed (by ``key``) on the existing nodes plus ``counts`` new nodes
    added up front; the new nodes that hold no replica are removed at the end."""
    packing = Packing.start(base, order, daemons, options)
    _existing_first(packing, order)
    for template, count in counts:
        for _ in range(count):
            packing.add_node(template)
    for group in order:
        options.check_deadline(f'placing "{group.workload.name}" on the new nodes')
        packing.place(group, key)
    packing.trim()
    return packing


def with_replicas(workload: Workload, count: int | None) -> Workload:
    """``workload`` with another replica count (None: one per eligible node, as a DaemonSet)."""
    return dataclasses.replace(workload, replicas=count)
