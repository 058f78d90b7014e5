"""How many new nodes of given templates make every replica schedulable.

:func:`nodes_needed` answers with a plan in the shape of ``kq plan`` over the existing
nodes and the new ones, every placement checked by the scheduler's own filters
(:mod:`quantities.capacity.packing` places pods with :class:`~quantities.scheduler.plan.Placer`):

1. The pods the existing nodes can take go there (first fit, largest first).
2. Per template, cluster-autoscaler's estimate: its ``BinpackingNodeEstimator`` (first fit
   decreasing, pod groups ordered by cpu/allocatable + memory/allocatable, a new node added
   when no node fits). Every new node carries its DaemonSet pods, placed first.
3. Fewer nodes where a better packing exists: the smallest count between the resource lower
   bound and that estimate for which the replicas fit on that many new nodes added up front,
   packed first fit, best fit, or as kube-scheduler scores nodes (a binary search, each step
   checked by placing every replica).
4. With several templates: the best single template, then mixes of templates (fewer of one,
   more of another) while the total price (or, without prices, the node count) drops.

The answer is never worse than the estimate (2) of the template cluster-autoscaler's price
expander would pick, and says how far it is from the lower bound: for each resource, the
replicas' total request less what the existing nodes have free, over the most a new node
offers once its DaemonSet pods are on it (pods counted as a resource, against max pods).

>>> from quantities.pod.workloads import compact_workload
>>> web = compact_workload({"name": "web", "replicas": 5, "cpu": "1500m", "memory": "1Gi"})
>>> result = nodes_needed([web], ["n,4,16Gi,110"])
>>> result.new_nodes, result.by_template, result.lower_bound, result.binding_resource
(3, {'n': 3}, 2, 'cpu')
>>> result.plan.workloads[0].placements
{'n-1': 2, 'n-2': 2, 'n-3': 1}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from quantities.capacity.packing import (
    Daemon,
    Group,
    Packing,
    Template,
    autoscaler_order,
    best_fit,
    first_fit,
    first_fit_decreasing,
    pack_fixed,
)
from quantities.capacity.providers.base import Source
from quantities.manifest.problems import ManifestError, PodValidationError, Problem, child, index
from quantities.node.compact import node_from_compact, node_from_fields
from quantities.node.model import Node
from quantities.options import Options, resolve_options
from quantities.pod.workloads import Workload, workloads_in
from quantities.quantity.quantity import Quantity
from quantities.scheduler.fit import check_fit, make_snapshot, snapshot_warnings
from quantities.scheduler.framework.nodeinfo import NodeInfo, Snapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.scheduler.plan import (
    NodeKey,
    NodeUsage,
    PlanResult,
    TooManyPods,
    WorkloadPlan,
    daemonset_pod,
    replicas_path,
    scheduler_key,
)
from quantities.scheduler.profile import cycle_options
from quantities.versions import KubernetesVersion

__all__ = [
    "FORMULA",
    "SOURCES",
    "NodesNeeded",
    "TemplateUse",
    "instance_template",
    "node_template",
    "nodes_needed",
]

FORMULA = (
    "new nodes = the fewest new nodes of the templates (with prices: the cheapest mix) on which every "
    "replica passes kube-scheduler's filters, each new node carrying its DaemonSet pods; never more "
    "than cluster-autoscaler's first-fit-decreasing estimate; lower bound = max over resources r of "
    "ceil((total request_r of the replicas placed - free r on the existing nodes) / (largest "
    "allocatable_r of a template - its DaemonSet pods' requests_r)), pods counted against max pods"
)

_CA = "https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/"
SOURCES = (
    Source(
        "first-fit-decreasing estimate: pod groups in order; each group first on the new nodes already "
        "added (tryToScheduleOnExistingNodes), then on the last node added, a new node when it does not "
        "fit; a pod a fresh node cannot take ends the group (tryToScheduleOnNewNodes)",
        _CA + "estimator/binpacking_estimator.go (BinpackingNodeEstimator.Estimate)",
        "cluster-autoscaler 1.28-1.36",
    ),
    Source(
        "pod groups ordered by score = sum of spec.containers cpu requests / template cpu allocatable + "
        "memory requests / template memory allocatable, decreasing",
        _CA + "estimator/decreasing_pod_orderer.go (DecreasingPodOrderer.calculatePodScore)",
        "cluster-autoscaler 1.28-1.36 (DecreasingPodOrderer is the default EstimationPodOrderer)",
    ),
    Source(
        "a pod fits a node when the scheduler's PreFilter and Filter plugins pass (FitsAnyNodeMatching,"
        " CheckPredicates); FitsAnyNodeMatching starts after the node that last fitted (lastIndex), which"
        " depends on its history: here the search starts at the first node",
        _CA + "simulator/predicatechecker/schedulerbased.go",
        "cluster-autoscaler 1.28-1.36",
    ),
)

#: The fit plugin's resource order (pods, cpu, memory, ephemeral-storage), then other resources by name.
_FIRST_RESOURCES = ("pods", "cpu", "memory", "ephemeral-storage")
#: Packings tried on a fixed set of new nodes, in order: the first that places the replicas wins.
_POLICIES: tuple[tuple[str, NodeKey], ...] = (
    ("best fit", best_fit),
    ("kube-scheduler's scores", scheduler_key),
    ("first fit", first_fit),
)
#: On nodes of one template first fit is cluster-autoscaler's packing again: not tried.
_ALONE = _POLICIES[:2]
#: On mixed templates: best fit, and first fit (which fills the large nodes, listed first, first).
_MIXED = (_POLICIES[0], _POLICIES[2])
#: The most sets of new nodes one mix search may try (each tried with :data:`_MIXED` packings).
_MIX_BUDGET = 16


@dataclasses.dataclass(frozen=True, slots=True)
class TemplateUse:
    """One template: what a new node of it offers, and what it alone would need."""

    name: str
    allocatable: Mapping[str, Quantity]
    price: Fraction | None
    #: New nodes of this template in the answer.
    count: int
    #: The pods and requests its DaemonSet pods take on each new node.
    daemonset_pods: int
    daemonset_requests: Mapping[str, str]
    #: This template alone: the lower bound (None: it cannot hold the replicas' requests),
    #: cluster-autoscaler's estimate, and the count found.
    lower_bound: int | None
    first_fit_decreasing: int
    alone: int
    #: Replicas this template alone leaves pending (pods that fit none of its nodes).
    alone_pending: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "allocatable": {resource: str(q) for resource, q in self.allocatable.items()},
            "price": _price_text(self.price),
            "count": self.count,
            "cost": _price_text(self.price * self.count) if self.price is not None else None,
            "daemonset_pods": self.daemonset_pods,
            "daemonset_requests": dict(self.daemonset_requests),
            "lower_bound": self.lower_bound,
            "first_fit_decreasing": self.first_fit_decreasing,
            "alone": self.alone,
            "alone_pending": self.alone_pending,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class NodesNeeded:
    """How many new nodes, of which templates, the plan over existing and new nodes, and how close
    the count is to the lower bound."""

    new_nodes: int
    by_template: Mapping[str, int]
    plan: PlanResult
    lower_bound: int
    binding_resource: str | None
    #: cluster-autoscaler's estimate for the template its price expander would pick.
    first_fit_decreasing: int
    first_fit_decreasing_template: str | None
    templates: tuple[TemplateUse, ...]
    cost: Fraction | None
    #: Replicas that cannot be placed, per workload: ``(name, count, message)``.
    unplaceable: tuple[tuple[str, int, str], ...]
    #: How the placements were found (which packing).
    method: str
    kubernetes_version: str
    warnings: tuple[Problem, ...] = ()

    CSV_HEADER = (
        "template", "new_nodes", "price", "cost", "cpu", "memory", "pods",
        "lower_bound", "first_fit_decreasing",
    )  # fmt: skip

    @property
    def placed_all(self) -> bool:
        return not self.unplaceable

    def explanation(self) -> dict[str, Any]:
        steps = []
        for use in self.templates:
            bound = "cannot hold them" if use.lower_bound is None else f"lower bound {use.lower_bound}"
            pending = f", {use.alone_pending} replicas pending" if use.alone_pending else ""
            steps.append(
                f"{use.name} alone: {bound}, first-fit-decreasing {use.first_fit_decreasing}, "
                f"packed in {use.alone}{pending}"
            )
        gap = self.new_nodes - self.lower_bound
        steps.append(
            f"answer: {self.new_nodes} new nodes ({self.method}); lower bound {self.lower_bound}"
            + (f" ({self.binding_resource})" if self.binding_resource else "")
            + (", reached" if gap == 0 else f", {gap} above it")
            + f"; cluster-autoscaler's estimate {self.first_fit_decreasing}"
        )
        return {
            "formula": FORMULA,
            "steps": steps,
            "sources": [source.to_json() for source in SOURCES],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "new_nodes": self.new_nodes,
            "by_template": dict(self.by_template),
            "cost": _price_text(self.cost),
            "lower_bound": self.lower_bound,
            "binding_resource": self.binding_resource,
            "first_fit_decreasing": self.first_fit_decreasing,
            "first_fit_decreasing_template": self.first_fit_decreasing_template,
            "placed_all": self.placed_all,
            "unplaceable": [
                {"workload": name, "replicas": count, "message": message}
                for name, count, message in self.unplaceable
            ],
            "templates": [use.to_json() for use in self.templates],
            "plan": self.plan.to_json(),
            "explanation": self.explanation(),
            "warnings": [problem.to_json() for problem in self.warnings],
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        """One row per template, then a ``total`` row."""
        rows: list[tuple[str, ...]] = []
        for use in self.templates:
            data = use.to_json()
            rows.append(
                (
                    use.name,
                    str(use.count),
                    data["price"] or "",
                    data["cost"] or "",
                    data["allocatable"].get("cpu", ""),
                    data["allocatable"].get("memory", ""),
                    data["allocatable"].get("pods", ""),
                    "" if use.lower_bound is None else str(use.lower_bound),
                    str(use.first_fit_decreasing),
                )
            )
        rows.append(
            (
                "total",
                str(self.new_nodes),
                "",
                _price_text(self.cost) or "",
                "",
                "",
                "",
                str(self.lower_bound),
                str(self.first_fit_decreasing),
            )
        )
        return rows

    def summary(self) -> str:
        """One line: the count, and what cannot be placed (for a spreadsheet cell, the count alone)."""
        if self.placed_all:
            return str(self.new_nodes)
        pending = "; ".join(
            f"{name}: {count} cannot be placed: {message}" for name, count, message in self.unplaceable
        )
        return f"{self.new_nodes}; {pending}"

    def describe(self) -> str:
        """The answer for people: the count per template, the bound, and where the replicas go."""
        from quantities.node.tabwriter import tabulate

        lines = [f"new nodes: {self.new_nodes} (Kubernetes {self.kubernetes_version})"]
        header = "TEMPLATE\tNEW NODES\tPRICE\tCPU\tMEMORY\tPODS\tLOWER BOUND\tFIRST-FIT-DECREASING\n"
        body = "".join(
            "\t".join((row[0], row[1], row[2] or "-", row[4], row[5], row[6], row[7] or "-", row[8])) + "\n"
            for row in self.csv_rows()[:-1]
        )
        lines.append(tabulate(header + body, padding=3).rstrip("\n"))
        lines.extend(self.explanation()["steps"])
        if self.cost is not None:
            lines.append(f"cost: {_price_text(self.cost)} per hour (the prices given, per node)")
        for name, count, message in self.unplaceable:
            lines.append(f"{name}: {count} replicas cannot be placed: {message}")
        placements = []
        for workload in self.plan.workloads:
            where = ", ".join(f"{node}={count}" for node, count in workload.placements.items()) or "-"
            placements.append(f"  {workload.name}: {workload.placed}/{workload.replicas} on {where}")
        lines.append("placements:")
        lines.extend(placements)
        return "\n".join(lines) + "\n"


def _price_text(price: Fraction | None) -> str | None:
    """An exact decimal (prices are decimals, so their sums and multiples are too)."""
    if price is None:
        return None
    text = str(Decimal(price.numerator) / Decimal(price.denominator))
    return text


# -- templates -------------------------------------------------------------------------------------


def _price(value: object, path: str) -> Fraction:
    exact = hasattr(value, "text")  # a JSON number read exactly (ExactNumber)
    if isinstance(value, bool) or not (exact or isinstance(value, str | int | float | Decimal)):
        raise ManifestError([Problem(path, "expected a price per node, a decimal number such as 0.096")])
    text = str(getattr(value, "text", value)).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        raise ManifestError(
            [
                Problem(
                    path,
                    f'expected a price per node, a decimal number such as 0.096 (not negative), got "{text}"',
                    value=f'"{text}"',
                )
            ]
        )
    return Fraction(number)


def node_template(spec: Template | Node | Mapping[str, Any] | str, path: str = "template") -> Template:
    """A template from a :class:`Template`, a Node, a compact node (``{"name", "cpu", "memory", "pods",
    "labels", "taints", "price"}``), or one line ``name,cpu,memory[,pods[,labels[,taints]]][,price=P]``.

    Its cpu and memory are the new node's allocatable; ``price`` is per node (any currency and
    period, the same for every template). Problems are located under ``path`` (``template[1].cpu``).

    >>> t = node_template("big,8,32Gi,110,zone=a,,price=0.384")
    >>> t.name, t.node.milli_cpu, t.node.labels["zone"], t.price
    ('big', 8000, 'a', Fraction(48, 125))
    """
    if isinstance(spec, Template):
        return spec
    if isinstance(spec, Node):
        return Template(spec.name, spec)
    if isinstance(spec, str):
        fields = spec.split(",")
        price = None
        if len(fields) > 1 and fields[-1].strip().startswith("price="):
            price = _price(fields[-1].strip()[len("price=") :], child(path, "price"))
            fields = fields[:-1]
            while len(fields) > 4 and not fields[-1].strip():
                fields = fields[:-1]
        node = node_from_fields(",".join(fields), path)
        return Template(node.name, node, price)
    if isinstance(spec, Mapping):
        row = {key: value for key, value in spec.items() if key != "price"}
        price = _price(spec["price"], child(path, "price")) if spec.get("price") is not None else None
        node = node_from_compact(row, path)
        return Template(node.name, node, price)
    raise ManifestError([Problem(path, "expected a node template: name,cpu,memory[,pods[,labels[,taints]]]")])


def instance_template(
    instance_type: str,
    provider: str = "eks",
    *,
    price: object = None,
    path: str = "instance_type",
    options: Options | None = None,
) -> Template:
    """A template for an instance type: the allocatable :func:`~quantities.capacity.node_allocatable`
    gives for it under ``provider`` (for ``eks``: cpu, memory and max pods from the data file).

    >>> t = instance_template("m5.large", options=Options.of("1.32"))
    >>> t.name, t.node.milli_cpu, t.node.allowed_pods
    ('m5.large', 1930, 29)
    """
    from quantities.capacity.allocatable import template_node

    node = template_node(provider, instance_type, name=instance_type, options=options)
    return Template(instance_type, node, None if price is None else _price(price, child(path, "price")))


def _templates(specs: Iterable[Template | Node | Mapping[str, Any] | str]) -> list[Template]:
    templates: list[Template] = []
    problems: list[Problem] = []
    given = list(specs)
    for position, spec in enumerate(given):
        try:
            templates.append(node_template(spec, index("template", position)))
        except ManifestError as error:
            problems.extend(error.problems)
    if not given:
        problems.append(Problem("template", "give at least one node template (the kind of node to add)"))
    names = [template.name for template in templates]
    for position, name in enumerate(names):
        if name in names[:position]:
            problems.append(Problem(index("template", position), f'template "{name}" is given twice'))
    priced = [template.price is not None for template in templates]
    if any(priced) and not all(priced):
        missing = [template.name for template in templates if template.price is None]
        problems.append(
            Problem(
                "template",
                "give a price for every template or for none: "
                + ", ".join(f'"{n}"' for n in missing)
                + " has none",
            )
        )
    if problems:
        raise ManifestError(problems)
    return templates


# -- workloads -------------------------------------------------------------------------------------


def _workload_list(
    given: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any], path: str
) -> list[Workload]:
    if isinstance(given, Mapping):
        return workloads_in(given, path=path)
    result: list[Workload] = []
    problems: list[Problem] = []
    items = list(given)
    for position, item in enumerate(items):
        if isinstance(item, Workload):
            result.append(item)
            continue
        try:
            result.extend(workloads_in(item, path=index(path, position) if path else f"[{position}]"))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise PodValidationError(problems)
    return result


def _read_workloads(
    workloads: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any],
    daemonsets: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any],
    options: Options,
) -> tuple[list[Group], list[Daemon]]:
    """The replicated workloads as groups and the DaemonSets (those given as such, and every workload of
    ``daemonsets`` whatever its kind: one pod per eligible new node); every problem of every one at once."""
    replicated: list[Workload] = []
    daemons: list[Workload] = []
    problems: list[Problem] = []
    for given, path, as_daemon in ((workloads, "workloads", False), (daemonsets, "daemonsets", True)):
        try:
            found = _workload_list(given, path)
        except ManifestError as error:
            problems.extend(error.problems)
            continue
        for workload in found:
            if as_daemon or workload.is_daemonset:
                daemons.append(dataclasses.replace(workload, replicas=None, kind="DaemonSet"))
            else:
                replicated.append(workload)
    infos: dict[int, PodInfo] = {}
    for number, workload in enumerate([*replicated, *daemons]):
        try:
            infos[number] = pod_info(
                workload.pod, options=options, path=workload.path, spec_path=workload.spec_path
            )
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise PodValidationError(problems)
    limits = options.limits
    groups = []
    total = 0
    for number, workload in enumerate(replicated):
        count = workload.replicas or 0
        total += count
        if count > limits.max_replicas or total > limits.max_pods:
            cap = limits.max_replicas if count > limits.max_replicas else limits.max_pods
            raise TooManyPods(
                f'{workload.kind} "{workload.name}" brings the replicas to place to {total:,}, more than the '
                f"{cap:,} one answer places pod by pod",
                replicas_path(workload),
                total,
                cap,
            )
        groups.append(Group(workload, infos[number], count, number))
    offset = len(replicated)
    return groups, [Daemon(w, daemonset_pod(infos[offset + i])) for i, w in enumerate(daemons)]


# -- bounds ----------------------------------------------------------------------------------------


def _amounts(pod: PodInfo) -> dict[str, int]:
    amounts = {"pods": 1, "cpu": pod.cpu, "memory": pod.memory, "ephemeral-storage": pod.ephemeral_storage}
    amounts.update(pod.scalars)
    return amounts


def _capacity(node: Node) -> dict[str, int]:
    capacity = {
        "pods": node.allowed_pods,
        "cpu": node.milli_cpu,
        "memory": node.memory,
        "ephemeral-storage": node.ephemeral_storage,
    }
    capacity.update(node.scalars)
    return capacity


def _used(info: NodeInfo) -> dict[str, int]:
    used = {
        "pods": len(info.pods),
        "cpu": info.requested_cpu,
        "memory": info.requested_memory,
        "ephemeral-storage": info.requested_ephemeral_storage,
    }
    used.update(info.requested_scalars)
    return used


def _resource_order(names: Iterable[str]) -> list[str]:
    rest = sorted(name for name in names if name not in _FIRST_RESOURCES)
    return [*_FIRST_RESOURCES, *rest]


def _demand(groups: Sequence[Group], placed: Callable[[Group], int]) -> dict[str, int]:
    demand: dict[str, int] = {}
    for group in groups:
        count = placed(group)
        for resource, amount in _amounts(group.pod).items():
            demand[resource] = demand.get(resource, 0) + amount * count
    return demand


def _free(base: Snapshot) -> dict[str, int]:
    """What the existing schedulable nodes have left, per resource."""
    free: dict[str, int] = {}
    for info in base.node_infos:
        if info.node.unschedulable:
            continue
        used = _used(info)
        for resource, amount in _capacity(info.node).items():
            free[resource] = free.get(resource, 0) + max(0, amount - used.get(resource, 0))
    return free


def _lower_bound(
    demand: Mapping[str, int], free: Mapping[str, int], offers: Sequence[Mapping[str, int]]
) -> tuple[int | None, str | None]:
    """max over resources of ceil((demand - free) / the most a new node offers); None when no template
    offers a resource that is needed. The binding resource is the first with the largest bound."""
    best, binding = 0, None
    for resource in _resource_order(demand):
        need = demand.get(resource, 0) - free.get(resource, 0)
        if need <= 0:
            continue
        offer = max((o.get(resource, 0) for o in offers), default=0)
        if offer <= 0:
            return None, resource
        bound = -(-need // offer)
        if bound > best:
            best, binding = bound, resource
    return best, binding


# -- the search ------------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Search:
    base: Snapshot
    groups: list[Group]
    daemons: list[Daemon]
    templates: list[Template]
    options: Options
    priced: bool
    methods: dict[int, str] = dataclasses.field(default_factory=dict)

    def objective(self, packing: Packing) -> tuple[int, Fraction, int]:
        nodes = len(packing.new_nodes)
        cost = packing.cost() if self.priced else None
        return packing.total_pending, cost if cost is not None else Fraction(nodes), nodes

    def order(self, template: Template) -> list[Group]:
        return autoscaler_order(self.groups, template.node)

    def fixed(
        self,
        counts: Sequence[tuple[Template, int]],
        order: list[Group],
        pending: int,
        policies: Sequence[tuple[str, NodeKey]] = _POLICIES,
    ) -> Packing | None:
        """The first packing on these new nodes that leaves at most ``pending`` replicas pending."""
        for name, key in policies:
            packing = pack_fixed(self.base, order, self.daemons, counts, key, self.options)
            if packing.total_pending <= pending:
                self.methods[id(packing)] = f"{name} on {_counts_text(counts)} new nodes added up front"
                return packing
        return None

    def estimate(self, template: Template) -> Packing:
        """cluster-autoscaler's estimate for ``template`` alone."""
        packing = first_fit_decreasing(self.base, self.order(template), self.daemons, template, self.options)
        self.methods[id(packing)] = f"cluster-autoscaler's first fit decreasing on {template.name}"
        return packing

    def improve(self, template: Template, estimate: Packing, low: int, best: Packing) -> Packing:
        """The fewest nodes of ``template`` alone at or above ``low`` that hold what ``estimate`` holds:
        first one node fewer than the estimate, then a binary search down to ``low``. Skipped when
        even ``low`` nodes would not beat ``best``."""
        if self._hoped(template, estimate.total_pending, low) >= self.objective(best):
            return estimate
        order = self.order(template)
        found = estimate
        high = len(estimate.new_nodes)
        probe = high - 1
        while low <= probe:
            attempt = self.fixed([(template, probe)], order, estimate.total_pending, _ALONE)
            if attempt is None:
                if probe == high - 1:
                    break  # not even one node fewer: stop here
                low = probe + 1
            else:
                found = attempt if self.objective(attempt) < self.objective(found) else found
                high = len(attempt.new_nodes)
            probe = (low + high - 1) // 2 if low < high else low - 1
        return found

    def _hoped(self, template: Template, pending: int, nodes: int) -> tuple[int, Fraction, int]:
        """The objective of ``nodes`` nodes of ``template`` (the best it could do)."""
        if self.priced and template.price is not None:
            return pending, template.price * nodes, nodes
        return pending, Fraction(nodes), nodes

    def mix(
        self,
        start: Packing,
        offers: Mapping[str, Mapping[str, int]],
        free: Mapping[str, int],
        demand: Mapping[str, int],
    ) -> Packing:
        """Fewer nodes of one template, more of another, while the objective improves (a bounded search)."""
        best = start
        budget = _MIX_BUDGET
        order = autoscaler_order(self.groups, _largest(self.templates).node)
        improved = True
        while improved and budget > 0:
            improved = False
            counts = best.counts()
            for out in self.templates:
                for into in self.templates:
                    if into is out:
                        continue
                    have = counts.get(out.name, 0)
                    for removed in range(0 if best.total_pending else 1, have + 1):
                        proposal = dict(counts)
                        proposal[out.name] = have - removed
                        added = _fill(demand, free, offers, proposal, into)
                        if added is None:
                            break
                        candidate = self._ordered(proposal, into, added)
                        if self._cost_of(candidate) >= self.objective(best)[1] and not best.total_pending:
                            continue
                        for extra in (0, 1):
                            budget -= 1
                            attempt = [(t, n + (extra if t is into else 0)) for t, n in candidate]
                            found = self.fixed(
                                [(t, n) for t, n in attempt if n], order, best.total_pending, _MIXED
                            )
                            if found is not None and self.objective(found) < self.objective(best):
                                best, improved = found, True
                                break
                        if improved or budget <= 0:
                            break
                    if improved or budget <= 0:
                        break
                if improved or budget <= 0:
                    break
        return best

    def _ordered(self, counts: Mapping[str, int], into: Template, added: int) -> list[tuple[Template, int]]:
        """The templates largest first (first fit fills the large nodes first), ``added`` more of ``into``."""
        result = []
        for template in sorted(self.templates, key=lambda t: -_size(t, self.templates)):
            result.append((template, counts.get(template.name, 0) + (added if template is into else 0)))
        return result

    def _cost_of(self, counts: Sequence[tuple[Template, int]]) -> Fraction:
        if self.priced:
            return sum((t.price or Fraction(0)) * n for t, n in counts) or Fraction(0)
        return Fraction(sum(n for _, n in counts))


def _counts_text(counts: Sequence[tuple[Template, int]]) -> str:
    return " + ".join(f"{n} {t.name}" for t, n in counts if n)


def _size(template: Template, templates: Sequence[Template]) -> Fraction:
    cpu = max(t.node.milli_cpu for t in templates) or 1
    memory = max(t.node.memory for t in templates) or 1
    return Fraction(template.node.milli_cpu, cpu) + Fraction(template.node.memory, memory)


def _largest(templates: Sequence[Template]) -> Template:
    return max(templates, key=lambda t: _size(t, templates))


def _fill(
    demand: Mapping[str, int],
    free: Mapping[str, int],
    offers: Mapping[str, Mapping[str, int]],
    counts: Mapping[str, int],
    into: Template,
) -> int | None:
    """How many nodes of ``into`` the resources left over need at least, beside ``counts``; None when
    ``into`` lacks a resource that is still needed."""
    needed = 0
    offer = offers[into.name]
    for resource, amount in demand.items():
        left = amount - free.get(resource, 0)
        left -= sum(offers[name].get(resource, 0) * count for name, count in counts.items())
        if left <= 0:
            continue
        if offer.get(resource, 0) <= 0:
            return None
        needed = max(needed, -(-left // offer[resource]))
    return needed


def _offers(
    templates: Sequence[Template], daemons: Sequence[Daemon], options: Options
) -> dict[str, dict[str, int]]:
    """Per template: what a new node offers once its DaemonSet pods are on it, and those pods' share."""
    offers: dict[str, dict[str, int]] = {}
    for template in templates:
        scratch = Packing.start(Snapshot([]), [], daemons, options)
        info = scratch.add_node(template)
        used = _used(info)
        offers[template.name] = {r: a - used.get(r, 0) for r, a in _capacity(template.node).items()}
    return offers


def _daemonset_share(
    template: Template, daemons: Sequence[Daemon], options: Options
) -> tuple[int, dict[str, str]]:
    scratch = Packing.start(Snapshot([]), [], daemons, options)
    info = scratch.add_node(template)
    requests = {}
    if info.requested_cpu:
        requests["cpu"] = str(Quantity.from_milli(info.requested_cpu))
    if info.requested_memory:
        requests["memory"] = str(Quantity.from_int(info.requested_memory, "BinarySI"))
    if info.requested_ephemeral_storage:
        requests["ephemeral-storage"] = str(Quantity.from_int(info.requested_ephemeral_storage, "BinarySI"))
    for resource, amount in sorted(info.requested_scalars.items()):
        if amount:
            requests[resource] = str(Quantity.from_int(amount))
    return len(info.pods), requests


def _why_not(
    group: Group, templates: Sequence[Template], daemons: Sequence[Daemon], options: Options
) -> str | None:
    """The scheduler's message for the pod on one fresh node of each template (with its DaemonSet pods),
    or None when some template's fresh node takes it."""
    scratch = Packing.start(Snapshot([]), [], daemons, options)
    for template in templates:
        scratch.add_node(template)
    result = check_fit(group.pod, scratch.snapshot, options=options)
    if result.fits:
        return None
    return f"fits no template: {result.message}"


def _message(group: Group, packing: Packing, options: Options) -> str:
    """The FailedScheduling message of the group's next copy on the nodes of ``packing``."""
    return check_fit(group.pod, packing.snapshot, options=options).message or ""


# -- the answer ------------------------------------------------------------------------------------


def _plan_result(
    packing: Packing,
    groups: Sequence[Group],
    base: Snapshot,
    version: str,
    warnings: tuple[Problem, ...],
    messages: Mapping[int, str],
) -> PlanResult:
    node_order = [info.node.name for info in packing.snapshot.node_infos]
    workloads = []
    for daemon, placed, failed in zip(
        packing.daemons, packing.daemon_placements, packing.daemon_messages, strict=True
    ):
        ordered = {name: 1 for name in node_order if name in placed}
        notes = tuple(dict.fromkeys(failed.values()))
        workload = daemon.workload
        workloads.append(
            WorkloadPlan(
                workload.name, workload.kind, workload.namespace, len(placed) + len(failed), len(placed),
                ordered, notes[0] if notes else None, daemon.pod.requests_json(), notes,
            )
        )  # fmt: skip
    for group in sorted(groups, key=lambda g: g.position):
        placed = packing.placements[group.position]
        ordered = {name: placed[name] for name in node_order if name in placed}
        message = messages.get(group.position) if packing.pending(group) else None
        workload = group.workload
        workloads.append(
            WorkloadPlan(
                workload.name, workload.kind, workload.namespace, group.count, sum(placed.values()),
                ordered, message, group.pod.requests_json(), (message,) if message else (),
            )
        )  # fmt: skip
    before = {info.node.name: len(info.pods) for info in base.node_infos}
    usage = tuple(
        NodeUsage.of(info, len(info.pods) - before.get(info.node.name, 0))
        for info in packing.snapshot.node_infos
    )
    return PlanResult(tuple(workloads), usage, warnings, version)


def nodes_needed(
    workloads: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any],
    templates: Iterable[Template | Node | Mapping[str, Any] | str],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot = (),
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    daemonsets: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any] = (),
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> NodesNeeded:
    """How many new nodes of ``templates`` make every replica of ``workloads`` schedulable.

    ``workloads`` are manifests, compact workloads or :class:`~quantities.pod.workloads.Workload`
    objects (DaemonSets among them run one pod per eligible new node, as do all of
    ``daemonsets``). ``templates`` are the kinds of node that may be added: compact nodes
    whose cpu and memory are allocatable, ``name,cpu,memory,pods[,labels[,taints]][,price=P]``
    lines, Nodes, or :func:`instance_template`. ``nodes`` and ``pods`` are the existing
    cluster (optional), read as for :func:`~quantities.scheduler.plan.plan`; the DaemonSets'
    pods on the existing nodes are expected among ``pods``.

    Bad input raises :class:`~quantities.manifest.problems.ManifestError` (templates, at
    ``template[i].field``) or :class:`~quantities.manifest.problems.PodValidationError`
    (workloads), every problem located. The result says for which release it is.
    """
    work = cycle_options(resolve_options(options, kubernetes_version, feature_gates))
    chosen, groups, daemons = _inputs(templates, workloads, daemonsets, work)
    base = make_snapshot(nodes, pods, options=work)
    warnings = tuple(w for group in groups for w in group.pod.warnings) + snapshot_warnings(base)
    search = _Search(base, groups, daemons, chosen, work, all(t.price is not None for t in chosen))
    offers = _offers(chosen, daemons, work)
    free = _free(base)
    estimates, alone, best = _best(search, offers, free)
    messages, unplaceable = _unplaceable(search, best)
    bound, binding = _lower_bound(_demand(groups, best.placed), free, list(offers.values()))
    counts = best.counts()
    picked = min(range(len(chosen)), key=lambda i: search.objective(estimates[i]))
    version = str(work.version)
    return NodesNeeded(
        new_nodes=len(best.new_nodes),
        by_template={template.name: counts.get(template.name, 0) for template in chosen},
        plan=_plan_result(best, groups, base, version, warnings, messages),
        lower_bound=bound or 0,
        binding_resource=binding,
        first_fit_decreasing=len(estimates[picked].new_nodes),
        first_fit_decreasing_template=chosen[picked].name,
        templates=_uses(search, estimates, alone, best, offers, free),
        cost=best.cost() if search.priced else None,
        unplaceable=tuple(unplaceable),
        method=search.methods.get(id(best), "first fit"),
        kubernetes_version=version,
        warnings=warnings,
    )


def _inputs(
    templates: Iterable[Template | Node | Mapping[str, Any] | str],
    workloads: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any],
    daemonsets: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any],
    options: Options,
) -> tuple[list[Template], list[Group], list[Daemon]]:
    """The templates, groups and DaemonSets; the problems of all of them in one error."""
    template_problems: list[Problem] = []
    chosen: list[Template] = []
    try:
        chosen = _templates(templates)
    except ManifestError as error:
        template_problems.extend(error.problems)
    try:
        groups, daemons = _read_workloads(workloads, daemonsets, options)
    except PodValidationError as error:
        raise PodValidationError([*template_problems, *error.problems]) from None
    if template_problems:
        raise ManifestError(template_problems)
    return chosen, groups, daemons


def _best(
    search: _Search, offers: Mapping[str, Mapping[str, int]], free: Mapping[str, int]
) -> tuple[list[Packing], list[Packing], Packing]:
    """Per template cluster-autoscaler's estimate and the fewest nodes found for it alone, and the best
    answer: the best estimate, improved template by template, then by mixing templates."""
    estimates = [search.estimate(template) for template in search.templates]
    best = min(estimates, key=search.objective)
    alone: list[Packing] = []
    for template, estimate in zip(search.templates, estimates, strict=True):
        low, _ = _lower_bound(_demand(search.groups, estimate.placed), free, [offers[template.name]])
        found = search.improve(template, estimate, low or 0, best)
        alone.append(found)
        if search.objective(found) < search.objective(best):
            best = found
    if len(search.templates) > 1:
        placeable = [
            g for g in search.groups if _why_not(g, search.templates, search.daemons, search.options) is None
        ]
        best = search.mix(best, offers, free, _demand(placeable, lambda group: group.count))
    return estimates, alone, best


def _unplaceable(search: _Search, best: Packing) -> tuple[dict[int, str], list[tuple[str, int, str]]]:
    """The groups left pending, with why: the pod fits no template, or the scheduler's message."""
    messages: dict[int, str] = {}
    unplaceable = []
    for group in sorted(search.groups, key=lambda g: g.position):
        pending = best.pending(group)
        if pending:
            reason = _why_not(group, search.templates, search.daemons, search.options)
            reason = reason or _message(group, best, search.options)
            messages[group.position] = reason
            unplaceable.append((group.workload.name, pending, reason))
    return messages, unplaceable


def _uses(
    search: _Search,
    estimates: Sequence[Packing],
    alone: Sequence[Packing],
    best: Packing,
    offers: Mapping[str, Mapping[str, int]],
    free: Mapping[str, int],
) -> tuple[TemplateUse, ...]:
    counts = best.counts()
    only = [name for name, count in counts.items() if count]
    uses = []
    for template, estimate, found in zip(search.templates, estimates, alone, strict=True):
        own, _ = _lower_bound(_demand(search.groups, estimate.placed), free, [offers[template.name]])
        if only == [template.name] and best.total_pending <= found.total_pending:
            found = best if len(best.new_nodes) < len(found.new_nodes) else found  # the mix search did better
        pods, requests = _daemonset_share(template, search.daemons, search.options)
        uses.append(
            TemplateUse(
                template.name, dict(template.node.allocatable), template.price, counts.get(template.name, 0),
                pods, requests, own, len(estimate.new_nodes), len(found.new_nodes), found.total_pending,
            )
        )  # fmt: skip
    return tuple(uses)
