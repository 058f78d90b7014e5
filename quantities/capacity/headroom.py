"""Headroom: how many more of a pod fit on each node, what runs out first, and what is stranded.

Both answers come from the scheduler's own count,
:func:`quantities.scheduler.plan.copies_by_node` (what :func:`~quantities.scheduler.plan.max_replicas`
sums), and its filters:

* **replicas** per node: the copies of the pod the node takes (counted per node when copies
  do not constrain each other; placed one by one, as the scheduler would, when they spread or
  attract each other);
* **binding_resource**: on a node the filters let the pod onto, the resource that stops the
  next copy: the first resource with the fewest copies left in NodeResourcesFit's order (pods,
  cpu, memory, ephemeral-storage, then extended resources by name), so ties follow the
  order of the scheduler's own "Insufficient ..." reasons
  (:func:`~quantities.scheduler.plugins.noderesources.fit.copies_by_resource`);
  ``None`` where another filter blocks the node (a taint, a node selector, cordoned, topology
  spread...), with that filter's reason as the scheduler words it;
* **stranded**: per resource, what stays free on the node once it holds those copies: capacity
  that no further pod of this shape can use (free memory on a node whose cpu is exhausted for
  the shape; everything free on a node the pod may not use at all).

>>> from quantities.node.compact import compact_node
>>> nodes = [compact_node("a", cpu="4", memory="4Gi"), compact_node("b", cpu="2", memory="8Gi"),
...          compact_node("c", cpu="8", memory="8Gi", taints="gpu=true:NoSchedule")]
>>> detail = max_replicas_detail({"spec": {"containers": [{"name": "c", "resources": {
...     "requests": {"cpu": "1", "memory": "2Gi"}}}]}}, nodes, kubernetes_version="1.32")
>>> detail.total, [(n.name, n.replicas, n.binding_resource) for n in detail.nodes]
(4, [('a', 2, 'memory'), ('b', 2, 'cpu'), ('c', 0, None)])
>>> detail.nodes[2].reason
'node(s) had untolerated taint {gpu: true}'
>>> stranded = stranded_capacity(detail)
>>> [(n.name, n.stranded["memory"]) for n in stranded.nodes]
[('a', '0'), ('b', '4Gi'), ('c', '8Gi')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quantities.node.model import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, Node
from quantities.options import Options, resolve_options
from quantities.pod.workloads import Workload
from quantities.scheduler.fit import format_amount
from quantities.scheduler.framework.nodeinfo import NodeInfo, Snapshot
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.plan import copies_by_node
from quantities.scheduler.plugins.noderesources.fit import copies_by_resource
from quantities.scheduler.profile import run_filters

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.versions import KubernetesVersion

__all__ = [
    "MAX_REPLICAS_CSV_HEADER",
    "STRANDED_CSV_HEADER",
    "MaxReplicasDetail",
    "NodeReplicas",
    "NodeStranded",
    "StrandedCapacity",
    "max_replicas_detail",
    "stranded_capacity",
]

MAX_REPLICAS_CSV_HEADER = ("node", "replicas", "binding_resource", "reason")
STRANDED_CSV_HEADER = (
    "node", "replicas", "binding_resource", "resource", "free", "used_by_copies", "stranded"
)  # fmt: skip

MAX_REPLICAS_EXPLANATION = {
    "replicas": "copies of the pod the node takes, counted as kube-scheduler's filters allow "
    "(NodeResourcesFit solved for the count; copies that spread or attract each other are placed one by one)",
    "total": "the sum over the nodes: max_replicas()",
    "binding_resource": "the resource that stops the next copy: the first with the fewest copies left in "
    "NodeResourcesFit's order (pods, cpu, memory, ephemeral-storage, then extended resources by name); null "
    "where another filter blocks the node, whose reason is given",
}

STRANDED_EXPLANATION = {
    "free": "allocatable - requests of the pods on the node (kube-scheduler's NodeInfo.Requested)",
    "used_by_copies": "what the node's replicas of this pod would request",
    "stranded": "free - used_by_copies: left free once the node holds its replicas, so no further pod of "
    "this shape can use it; on a node the pod may not use at all, everything free",
}


def _resources(pod: PodInfo, node: Node) -> list[str]:
    """The resources to report: the standard ones, then the pod's and the node's extended ones by name."""
    extended = sorted(set(pod.scalars) | set(node.scalars))
    return [PODS, CPU, MEMORY, EPHEMERAL_STORAGE, *extended]


def _request(pod: PodInfo, resource: str) -> int:
    if resource == PODS:
        return 1
    if resource == CPU:
        return pod.cpu
    if resource == MEMORY:
        return pod.memory
    if resource == EPHEMERAL_STORAGE:
        return pod.ephemeral_storage
    return pod.scalars.get(resource, 0)


def _free(info: NodeInfo, resource: str) -> int:
    """NodeResourcesFit's free amount: allocatable minus NodeInfo.Requested (pods: slots minus pods)."""
    node = info.node
    if resource == PODS:
        return node.allowed_pods - len(info.pods)
    if resource == CPU:
        return node.milli_cpu - info.requested_cpu
    if resource == MEMORY:
        return node.memory - info.requested_memory
    if resource == EPHEMERAL_STORAGE:
        return node.ephemeral_storage - info.requested_ephemeral_storage
    return node.scalars.get(resource, 0) - info.requested_scalars.get(resource, 0)


@dataclass(frozen=True, slots=True)
class NodeReplicas:
    """One node: how many more copies it takes, and what stops the next one."""

    name: str
    replicas: int
    binding_resource: str | None
    reason: str | None
    #: Per resource (pods, cpu, memory, ephemeral-storage, extended): (free before the copies, what
    #: the copies take), in the scheduler's integer units (cpu in thousandths).
    amounts: tuple[tuple[str, int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "replicas": self.replicas,
            "binding_resource": self.binding_resource,
            "reason": self.reason,
        }

    def csv_row(self) -> tuple[str, ...]:
        return (self.name, str(self.replicas), self.binding_resource or "", self.reason or "")


@dataclass(frozen=True, slots=True)
class MaxReplicasDetail:
    """:func:`~quantities.scheduler.plan.max_replicas` node by node."""

    kubernetes_version: str
    pod: str
    requests: Mapping[str, str]
    total: int
    nodes: tuple[NodeReplicas, ...]

    CSV_HEADER = MAX_REPLICAS_CSV_HEADER

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "pod": self.pod,
            "requests": dict(self.requests),
            "total": self.total,
            "nodes": [node.to_json() for node in self.nodes],
            "explanation": dict(MAX_REPLICAS_EXPLANATION),
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        return [node.csv_row() for node in self.nodes]

    def text(self) -> str:
        from quantities.node.tabwriter import tabulate

        lines = ["NODE\tREPLICAS\tBINDING"]
        for node in self.nodes:
            binding = node.binding_resource or f"- ({node.reason})"
            lines.append(f"{node.name}\t{node.replicas}\t{binding}")
        lines.append(f"total\t{self.total}\t")
        return tabulate("".join(line + "\n" for line in lines), padding=3)


def _binding(pod: PodInfo, info: NodeInfo) -> str:
    """The first resource with the fewest copies left on ``info``, in NodeResourcesFit's order.

    Counted copies are not on the node and placed ones are: either way every resource loses
    the same number of copies, so the first with the fewest is the same resource."""
    left = copies_by_resource(pod, info)
    fewest = min(count for _, count in left)
    return next(resource for resource, count in left if count == fewest)


def _node_replicas(
    pod: PodInfo, info: NodeInfo, count: int, reason: str | None, placed: bool
) -> NodeReplicas:
    # Placed copies are already on the node: its free amounts before them add them back.
    extra = count if placed else 0
    amounts = tuple(
        (resource, _free(info, resource) + extra * _request(pod, resource), count * _request(pod, resource))
        for resource in _resources(pod, info.node)
    )
    binding = _binding(pod, info) if reason is None else None
    return NodeReplicas(info.node.name, count, binding, reason, amounts)


def max_replicas_detail(
    pod: PodInfo | Workload | Mapping[str, Any],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> MaxReplicasDetail:
    """Per node: how many more copies of ``pod`` fit, and the resource that binds (see the module).

    Arguments as for :func:`~quantities.scheduler.plan.max_replicas`, whose count is ``total``.
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    copies = copies_by_node(pod, nodes, pods, options=options)
    info = copies.pod
    rows = []
    for number, (node, count) in enumerate(zip(copies.snapshot.node_infos, copies.counts, strict=True)):
        if not number % 256:
            options.check_deadline(f'max-replicas detail of pod "{info.name}"', number, len(copies.counts))
        rejection = run_filters(info, node, copies.state)
        blocked = rejection is not None and rejection.plugin != "NodeResourcesFit"
        reason = rejection.message if blocked and rejection is not None else None
        rows.append(_node_replicas(info, node, count, reason, copies.placed))
    name = f"{info.namespace}/{info.name}" if info.name else info.namespace
    return MaxReplicasDetail(str(options.version), name, info.requests_json(), copies.total, tuple(rows))


@dataclass(frozen=True, slots=True)
class NodeStranded:
    """One node: per resource, what is free, what the node's copies take, and what stays stranded."""

    name: str
    replicas: int
    binding_resource: str | None
    free: Mapping[str, str]
    used_by_copies: Mapping[str, str]
    stranded: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "replicas": self.replicas,
            "binding_resource": self.binding_resource,
            "free": dict(self.free),
            "used_by_copies": dict(self.used_by_copies),
            "stranded": dict(self.stranded),
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        common = (self.name, str(self.replicas), self.binding_resource or "")
        return [
            (*common, resource, self.free[resource], self.used_by_copies[resource], self.stranded[resource])
            for resource in self.free
        ]


@dataclass(frozen=True, slots=True)
class StrandedCapacity:
    """Per node and in total: the free capacity that no further pod of one shape can use."""

    kubernetes_version: str
    pod: str
    requests: Mapping[str, str]
    replicas: int
    nodes: tuple[NodeStranded, ...]
    total: Mapping[str, str]

    CSV_HEADER = STRANDED_CSV_HEADER

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "pod": self.pod,
            "requests": dict(self.requests),
            "replicas": self.replicas,
            "nodes": [node.to_json() for node in self.nodes],
            "total": {"stranded": dict(self.total)},
            "explanation": dict(STRANDED_EXPLANATION),
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        rows = [row for node in self.nodes for row in node.csv_rows()]
        for resource, amount in self.total.items():
            rows.append(("total", str(self.replicas), "", resource, "", "", amount))
        return rows

    def text(self) -> str:
        from quantities.node.tabwriter import tabulate

        resources = list(self.total)
        lines = ["NODE\tREPLICAS\tBINDING\t" + "\t".join(f"STRANDED {r.upper()}" for r in resources)]
        for node in self.nodes:
            cells = [node.stranded.get(r, "0") for r in resources]
            lines.append(f"{node.name}\t{node.replicas}\t{node.binding_resource or '-'}\t" + "\t".join(cells))
        lines.append("total\t" + str(self.replicas) + "\t\t" + "\t".join(self.total[r] for r in resources))
        return tabulate("".join(line + "\n" for line in lines), padding=3)


def stranded_capacity(detail: MaxReplicasDetail) -> StrandedCapacity:
    """What stays free on each node once it holds its replicas of the pod of ``detail``."""
    totals: dict[str, int] = {}
    rows = []
    for node in detail.nodes:
        free: dict[str, str] = {}
        used: dict[str, str] = {}
        stranded: dict[str, str] = {}
        for resource, before, taken in node.amounts:
            left = max(0, before - taken)
            free[resource] = format_amount(resource, before)
            used[resource] = format_amount(resource, taken)
            stranded[resource] = format_amount(resource, left)
            totals[resource] = totals.get(resource, 0) + left
        rows.append(NodeStranded(node.name, node.replicas, node.binding_resource, free, used, stranded))
    total = {resource: format_amount(resource, amount) for resource, amount in totals.items()}
    return StrandedCapacity(
        detail.kubernetes_version, detail.pod, detail.requests, detail.total, tuple(rows), total
    )
