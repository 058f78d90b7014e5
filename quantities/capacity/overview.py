"""The capacity overview: kube-capacity's table, with ``kubectl describe node``'s own figures.

Per node, and in total (and per group of nodes sharing a label value):

* **allocatable**: ``status.allocatable`` (``status.capacity`` when it is empty), as kubectl
  describe node reads it;
* **requests** and **limits**: exactly what ``kubectl describe node`` sums under "Allocated
  resources" for that node (:func:`quantities.node.allocated.node_allocated`: the non-terminated
  pods bound to it, for the Kubernetes release asked for), with kubectl's percentages
  (``int64(float64(requests) / float64(allocatable) * 100)``);
* **free** = allocatable − requests (negative when a node is overcommitted by stored pods);
* **pods**: the pod slots (``allocatable.pods``), the pods using them, and the slots free.

A node is **schedulable** unless it is cordoned (``spec.unschedulable``) or carries a
``NoSchedule`` or ``NoExecute`` taint: a new pod without a matching toleration cannot land
there (the NodeUnschedulable and TaintToleration filters). Totals add every node's
allocatable, requests and limits; the total **free** adds only the schedulable nodes' free,
unless ``include_unschedulable`` is asked for, so it is room new pods can actually use.

>>> node = {"kind": "Node", "metadata": {"name": "n1"},
...         "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}
>>> pod = {"kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
...        "spec": {"nodeName": "n1", "containers": [{"name": "c", "resources": {
...            "requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}}]}}
>>> overview = capacity_overview([node], [pod], kubernetes_version="1.32")
>>> row = overview.nodes[0].to_json()
>>> row["cpu"]["free"], row["memory"]["requests"], row["memory"]["limits_percent"], row["pods"]
('3500m', '1Gi', 25, {'allocatable': 110, 'used': 1, 'free': 109})
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quantities.capacity.selector import parse_label_selector
from quantities.manifest.fields import json_type
from quantities.manifest.problems import ManifestError, Problem
from quantities.node.allocated import ResourceAllocation, node_allocated, percent
from quantities.node.model import CPU, MEMORY, PODS, Node
from quantities.node.selectors import label_selector_matches
from quantities.options import Options, resolve_options
from quantities.quantity.quantity import Quantity
from quantities.scheduler.fit import make_snapshot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.versions import KubernetesVersion

__all__ = [
    "CSV_HEADER",
    "CapacityGroup",
    "CapacityOverview",
    "CapacityTotal",
    "NodeCapacity",
    "ResourceUse",
    "capacity_overview",
    "unschedulable_reasons",
]

_ZERO = Quantity.from_int(0)

#: One row per node (or group, or the total) and resource, pods included.
CSV_HEADER = (
    "scope", "name", "schedulable", "resource", "allocatable", "requests", "requests_percent",
    "limits", "limits_percent", "free",
)  # fmt: skip

EXPLANATION = {
    "allocatable": "status.allocatable (status.capacity when allocatable is empty), as kubectl describe "
    "node reads it",
    "requests": "what kubectl describe node sums under Allocated resources: the non-terminated pods bound "
    "to the node (spec.nodeName), each pod's requests as kubectl's PodRequestsAndLimits adds them",
    "limits": "the same pods' limits, as kubectl describe node sums them",
    "percent": "kubectl's int64(float64(value) / float64(allocatable) * 100); cpu in thousandths",
    "free": "allocatable - requests (negative when stored pods overcommit the node)",
    "pods": "allocatable: status.allocatable.pods; used: the non-terminated pods bound to the node",
    "schedulable": "false when the node is cordoned (spec.unschedulable) or has a NoSchedule or NoExecute "
    "taint: a pod without a matching toleration cannot be scheduled there",
    "total": "allocatable, requests and limits of every node listed; free only over the schedulable ones "
    "unless include_unschedulable",
}


def _scaled(resource: str, quantity: Quantity) -> int:
    # kubectl's percentages: cpu in thousandths, the rest in units.
    return quantity.int64_milli_value() if resource == CPU else quantity.int64_value()


def _sum(quantities: Iterable[Quantity]) -> Quantity:
    total: Quantity | int = sum(quantities)
    return total if isinstance(total, Quantity) else _ZERO


@dataclass(frozen=True, slots=True)
class ResourceUse:
    """One resource: allocatable, requests, limits, their percentages, and free = allocatable − requests."""

    resource: str
    allocatable: Quantity
    requests: Quantity
    limits: Quantity
    free: Quantity

    @staticmethod
    def of(row: ResourceAllocation) -> ResourceUse:
        allocatable = row.allocatable if row.allocatable is not None else _ZERO
        return ResourceUse(row.resource, allocatable, row.requests, row.limits, allocatable - row.requests)

    @property
    def requests_percent(self) -> int:
        return percent(_scaled(self.resource, self.requests), _scaled(self.resource, self.allocatable))

    @property
    def limits_percent(self) -> int:
        return percent(_scaled(self.resource, self.limits), _scaled(self.resource, self.allocatable))

    def to_json(self) -> dict[str, Any]:
        return {
            "allocatable": str(self.allocatable),
            "requests": str(self.requests),
            "limits": str(self.limits),
            "free": str(self.free),
            "requests_percent": self.requests_percent,
            "limits_percent": self.limits_percent,
        }

    def csv_cells(self) -> tuple[str, ...]:
        return (
            self.resource, str(self.allocatable), str(self.requests), str(self.requests_percent),
            str(self.limits), str(self.limits_percent), str(self.free),
        )  # fmt: skip


def unschedulable_reasons(node: Node) -> tuple[str, ...]:
    """Why a new pod without tolerations cannot land on ``node``: cordoned, NoSchedule/NoExecute taints.

    >>> from quantities.node.compact import compact_node
    >>> unschedulable_reasons(compact_node("n", cpu="1", memory="1Gi", taints="gpu=true:NoSchedule"))
    ('taint gpu=true:NoSchedule',)
    """
    reasons = ["cordoned (spec.unschedulable)"] if node.unschedulable else []
    reasons.extend(f"taint {taint}" for taint in node.taints if taint.effect in ("NoSchedule", "NoExecute"))
    return tuple(reasons)


@dataclass(frozen=True, slots=True)
class NodeCapacity:
    """One node's line of the overview."""

    name: str
    labels: Mapping[str, str]
    unschedulable: tuple[str, ...]
    pods_allocatable: int
    pods_used: int
    resources: tuple[ResourceUse, ...]

    @property
    def schedulable(self) -> bool:
        return not self.unschedulable

    @property
    def pods_free(self) -> int:
        return self.pods_allocatable - self.pods_used

    def resource(self, name: str) -> ResourceUse | None:
        return next((use for use in self.resources if use.resource == name), None)

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "name": self.name,
            "schedulable": self.schedulable,
            "pods": {"allocatable": self.pods_allocatable, "used": self.pods_used, "free": self.pods_free},
        }
        answer.update((use.resource, use.to_json()) for use in self.resources)
        return answer

    def csv_rows(self) -> list[tuple[str, ...]]:
        common = ("node", self.name, "true" if self.schedulable else "false")
        pods = (PODS, str(self.pods_allocatable), str(self.pods_used), "", "", "", str(self.pods_free))
        return [(*common, *pods), *((*common, *use.csv_cells()) for use in self.resources)]


@dataclass(frozen=True, slots=True)
class CapacityTotal:
    """Sums over nodes: allocatable, requests and limits of all; free of the schedulable ones (or all)."""

    nodes: int
    schedulable_nodes: int
    pods_allocatable: int
    pods_used: int
    pods_free: int
    resources: tuple[ResourceUse, ...]

    @staticmethod
    def of(nodes: Sequence[NodeCapacity], include_unschedulable: bool) -> CapacityTotal:
        counted = [node for node in nodes if include_unschedulable or node.schedulable]
        names: dict[str, None] = {}
        for node in nodes:
            names.update((use.resource, None) for use in node.resources)
        resources = []
        for name in names:
            uses = [use for node in nodes if (use := node.resource(name)) is not None]
            free = [use.free for node in counted if (use := node.resource(name)) is not None]
            resources.append(
                ResourceUse(
                    name,
                    _sum(use.allocatable for use in uses),
                    _sum(use.requests for use in uses),
                    _sum(use.limits for use in uses),
                    _sum(free),
                )
            )
        return CapacityTotal(
            len(nodes),
            sum(node.schedulable for node in nodes),
            sum(node.pods_allocatable for node in nodes),
            sum(node.pods_used for node in nodes),
            sum(node.pods_free for node in counted),
            tuple(resources),
        )

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "nodes": self.nodes,
            "schedulable_nodes": self.schedulable_nodes,
            "pods": {"allocatable": self.pods_allocatable, "used": self.pods_used, "free": self.pods_free},
        }
        answer.update((use.resource, use.to_json()) for use in self.resources)
        return answer

    def csv_rows(self, scope: str, name: str) -> list[tuple[str, ...]]:
        common = (scope, name, "")
        pods = (PODS, str(self.pods_allocatable), str(self.pods_used), "", "", "", str(self.pods_free))
        return [(*common, *pods), *((*common, *use.csv_cells()) for use in self.resources)]


@dataclass(frozen=True, slots=True)
class CapacityGroup:
    """The nodes sharing one value of the grouping label (None: nodes without the label)."""

    value: str | None
    nodes: tuple[str, ...]
    total: CapacityTotal

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "nodes": list(self.nodes), "total": self.total.to_json()}


@dataclass(frozen=True, slots=True)
class CapacityOverview:
    """The overview: every node selected, the groups (when grouped by a label), and the total."""

    kubernetes_version: str
    nodes: tuple[NodeCapacity, ...]
    total: CapacityTotal
    selector: str | None = None
    group_by: str | None = None
    groups: tuple[CapacityGroup, ...] = ()
    include_unschedulable: bool = False
    warnings: tuple[Problem, ...] = ()

    CSV_HEADER = CSV_HEADER

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "kubernetes_version": self.kubernetes_version,
            "nodes": [node.to_json() for node in self.nodes],
            "total": self.total.to_json(),
            "unschedulable": [
                {"name": node.name, "reasons": list(node.unschedulable)}
                for node in self.nodes
                if not node.schedulable
            ],
            "selector": self.selector,
            "group_by": self.group_by,
            "groups": [group.to_json() for group in self.groups],
            "include_unschedulable": self.include_unschedulable,
            "explanation": dict(EXPLANATION),
            "warnings": [problem.to_json() for problem in self.warnings],
        }
        return answer

    def csv_rows(self) -> list[tuple[str, ...]]:
        rows = [row for node in self.nodes for row in node.csv_rows()]
        for group in self.groups:
            rows.extend(group.total.csv_rows("group", group.value or ""))
        rows.extend(self.total.csv_rows("total", ""))
        return rows

    def text(self) -> str:
        """kube-capacity's table: pods, cpu and memory per node, then the groups and the total."""
        from quantities.node.tabwriter import tabulate

        header = ("NODE", "PODS", "CPU REQUESTS", "CPU LIMITS", "CPU FREE", "MEMORY REQUESTS",
                  "MEMORY LIMITS", "MEMORY FREE")  # fmt: skip
        lines = ["\t".join(header)]
        for node in self.nodes:
            mark = "" if node.schedulable else " (unschedulable)"
            lines.append(_text_row(node.name + mark, node.pods_used, node.pods_allocatable, node.resources))
        for group in self.groups:
            total = group.total
            name = f"{self.group_by}={group.value}" if group.value is not None else f"no {self.group_by}"
            lines.append(_text_row(f"[{name}]", total.pods_used, total.pods_allocatable, total.resources))
        total = self.total
        lines.append(_text_row("*", total.pods_used, total.pods_allocatable, total.resources))
        text = tabulate("".join(line + "\n" for line in lines), padding=3)
        for node in self.nodes:
            if not node.schedulable:
                text += f"{node.name}: unschedulable: {', '.join(node.unschedulable)}\n"
        scope = "every node" if self.include_unschedulable else "schedulable nodes only"
        return text + f"free = allocatable - requests; the total's free counts {scope}\n"


def _text_row(name: str, used: int, allowed: int, resources: Sequence[ResourceUse]) -> str:
    cells = [name, f"{used}/{allowed}"]
    for resource in (CPU, MEMORY):
        use = next((u for u in resources if u.resource == resource), None)
        if use is None:
            cells.extend(("-", "-", "-"))
            continue
        requests = f"{use.requests} ({use.requests_percent}%)"
        cells.extend((requests, f"{use.limits} ({use.limits_percent}%)", str(use.free)))
    return "\t".join(cells)


def _pods_by_node(pods: Iterable[Any], options: Options) -> dict[str, list[Mapping[str, Any]]]:
    """The pods bound to each node name (``spec.nodeName``); pods not bound to a node are not counted."""
    bound: dict[str, list[Mapping[str, Any]]] = {}
    problems: list[Problem] = []
    for position, pod in enumerate(pods):
        if not position % 1024:
            options.check_deadline("reading the pods", position)
        where = f"pods[{position}]"
        if not isinstance(pod, Mapping):
            problems.append(Problem(where, f"expected a Pod object, got {json_type(pod)}"))
            continue
        spec = pod.get("spec")
        name = spec.get("nodeName") if isinstance(spec, Mapping) else None
        if spec is not None and not isinstance(spec, Mapping):
            problems.append(Problem(f"{where}.spec", f"expected an object, got {json_type(spec)}"))
        elif name is not None and not isinstance(name, str):
            problems.append(Problem(f"{where}.spec.nodeName", f"expected a string, got {json_type(name)}"))
        elif name:
            bound.setdefault(name, []).append(pod)
    if problems:
        raise ManifestError(problems)
    return bound


def _node_capacity(node: Node, pods: list[Mapping[str, Any]], options: Options) -> tuple[NodeCapacity, Any]:
    allocation = node_allocated(node, pods, options=options)
    capacity = NodeCapacity(
        node.name,
        node.labels,
        unschedulable_reasons(node),
        node.allowed_pods,
        len(allocation.pods),
        tuple(ResourceUse.of(row) for row in allocation.resources),
    )
    return capacity, allocation.warnings


def _groups(
    nodes: Sequence[NodeCapacity], label: str, include_unschedulable: bool
) -> tuple[CapacityGroup, ...]:
    members: dict[str | None, list[NodeCapacity]] = {}
    for node in nodes:
        members.setdefault(node.labels.get(label), []).append(node)
    # Groups in order of their value; nodes without the label last.
    values = sorted(value for value in members if value is not None) + ([None] if None in members else [])
    return tuple(
        CapacityGroup(
            value,
            tuple(node.name for node in members[value]),
            CapacityTotal.of(members[value], include_unschedulable),
        )
        for value in values
    )


def capacity_overview(
    nodes: Iterable[Node | Mapping[str, Any]],
    pods: Iterable[Mapping[str, Any]] = (),
    *,
    selector: str | None = None,
    group_by: str | None = None,
    include_unschedulable: bool = False,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> CapacityOverview:
    """Every node's allocatable, requests, limits, free and pods, in total and per group (see the module).

    ``nodes`` are Node objects as kubectl prints them (or :class:`~quantities.node.model.Node`),
    ``pods`` the cluster's pods as ``kubectl get pods -A -o json`` prints them. ``selector`` keeps
    the nodes whose labels match (``pool=web,zone in (a,b)``); ``group_by`` adds one total per
    value of that label (``topology.kubernetes.io/zone``). Pods are state: what only today's
    validation refuses is summed as stored and reported in ``warnings``; what no API server could
    store raises :class:`~quantities.manifest.problems.ManifestError` with its path.
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    chosen = parse_label_selector(selector) if selector else None
    # The snapshot's reader: node problems located at nodes[i], nodes named twice refused.
    snapshot = make_snapshot(nodes, options=options)
    bound = _pods_by_node(pods, options)
    rows: list[NodeCapacity] = []
    warnings: list[Problem] = []
    for position, info in enumerate(snapshot.node_infos):
        if not position % 64:
            options.check_deadline("capacity of the nodes", position, len(snapshot.node_infos))
        node = info.node
        if chosen is not None and not label_selector_matches(chosen, node.labels):
            continue
        row, odd = _node_capacity(node, bound.get(node.name, []), options)
        rows.append(row)
        warnings.extend(odd)
    groups = _groups(rows, group_by, include_unschedulable) if group_by else ()
    return CapacityOverview(
        str(options.version),
        tuple(rows),
        CapacityTotal.of(rows, include_unschedulable),
        selector or None,
        group_by or None,
        groups,
        include_unschedulable,
        tuple(warnings),
    )
