"""Capacity plans: where the default scheduler would put each replica, and how many more fit.

:func:`plan` places the replicas of each workload one at a time, in order,
as kube-scheduler would: the filters of :mod:`quantities.scheduler.plugins` (including
required pod anti-affinity and ``DoNotSchedule`` topology spread, updated as
replicas land), then the scores of :mod:`quantities.scheduler.profile`; among the
nodes with the highest score it takes the first in input order (the
scheduler picks one at random). A replica that fits nowhere stays Pending
with the FailedScheduling message of :mod:`quantities.scheduler.fit`; since nothing
changes after a failure, the later replicas of that workload fail the same
way. A DaemonSet gets one pod per node whose node affinity, node selector and
taints allow it (with the tolerations the DaemonSet controller adds), pinned
to that node as the controller pins it.

Differences from a live scheduler: every node is considered (the scheduler
samples a percentage of nodes above 100), and scores that do not depend on
resources (taint and affinity preferences, default topology spreading, image
locality) are left out.

Only one node's score changes when a replica lands on it, so the plan keeps
the feasible nodes in a heap keyed by score: a 1,000-replica workload on
5,000 nodes costs a few thousand filter calls, not five million. The PreFilter
state is updated as replicas land (``AddPod``), and a node that topology spread
rejects waits aside until the global minimum it needs is reached, so a plan grows
linearly in nodes and in replicas.

It answers for one Kubernetes release (``kubernetes_version=``): the filters' reasons, the
FailedScheduling message and the BalancedAllocation score follow that release.

>>> from quantities.node.compact import compact_node
>>> from quantities.pod.workloads import compact_workload
>>> nodes = [compact_node("kind-control-plane", cpu="10", memory="8029368Ki")]
>>> big = compact_workload({"name": "big", "replicas": 3, "memory": "5Gi"})
>>> w = plan([big], nodes, [], kubernetes_version="1.32").workloads[0]
>>> w.placed, w.pending, w.placements, w.message
(1, 2, {'kind-control-plane': 1}, '0/1 nodes are available: 1 Insufficient memory. \
preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.')
>>> result = plan([big], nodes, [], kubernetes_version="1.36")
>>> result.kubernetes_version, result.workloads[0].message
('1.36', '0/1 nodes are available: 1 Insufficient memory. no new claims to deallocate, \
preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.')
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quantities.manifest.problems import ManifestError, PodValidationError, Problem, child
from quantities.node.model import CPU, MEMORY, Node
from quantities.options import DEFAULT_OPTIONS, InputTooLarge, Options, resolve_options
from quantities.pod.scheduling import NodeSelectorTerm, Requirement, Toleration
from quantities.pod.workloads import Workload, workloads_in
from quantities.scheduler.fit import (
    CHECK_EVERY,
    evaluate,
    failure_message,
    format_amount,
    make_snapshot,
    proposal_info,
    snapshot_warnings,
)
from quantities.scheduler.framework.nodeinfo import NodeInfo, Snapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.scheduler.framework.status import Rejection
from quantities.scheduler.plugins.node_affinity import node_affinity
from quantities.scheduler.plugins.noderesources.fit import copies_that_fit
from quantities.scheduler.plugins.pod_topology_spread import spread_blocker
from quantities.scheduler.plugins.taint_toleration import taint_toleration
from quantities.scheduler.profile import (
    CycleState,
    cycle_options,
    pinned_prefilter,
    prefilter,
    run_dynamic_filters,
    run_filters,
    run_static_filters,
    score,
)
from quantities.versions import KubernetesVersion, default_kubernetes_version

__all__ = [
    "Copies",
    "NodeKey",
    "NodeUsage",
    "Placer",
    "PlanResult",
    "TooManyPods",
    "WorkloadPlan",
    "copies_by_node",
    "daemonset_nodes",
    "daemonset_pod",
    "max_replicas",
    "plan",
    "plan_daemonset",
    "replica",
    "replicas_path",
    "scheduler_key",
]

#: Tolerations the DaemonSet controller adds to its pods (util.AddOrUpdateDaemonPodTolerations, 1.32).
_DAEMONSET_TOLERATIONS: tuple[Toleration, ...] = (
    Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute"),
    Toleration("node.kubernetes.io/unreachable", "Exists", "", "NoExecute"),
    Toleration("node.kubernetes.io/disk-pressure", "Exists", "", "NoSchedule"),
    Toleration("node.kubernetes.io/memory-pressure", "Exists", "", "NoSchedule"),
    Toleration("node.kubernetes.io/pid-pressure", "Exists", "", "NoSchedule"),
    Toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule"),
)
_NETWORK_UNAVAILABLE = Toleration("node.kubernetes.io/network-unavailable", "Exists", "", "NoSchedule")


class TooManyPods(InputTooLarge):
    """A plan asks for more pods than ``options.limits`` allow (``max_replicas`` for one workload,
    ``max_pods`` in all); ``where`` is the JSON path of the count (``workloads[0].spec.replicas``)."""


@dataclass(frozen=True, slots=True)
class WorkloadPlan:
    """One workload's outcome: how many replicas were placed where, and why the rest are Pending."""

    name: str
    kind: str
    namespace: str
    replicas: int
    placed: int
    placements: Mapping[str, int]
    message: str | None
    requests: Mapping[str, str]
    messages: tuple[str, ...] = ()

    CSV_HEADER = ("workload", "kind", "replicas", "placed", "pending", "node", "count", "message")

    @property
    def pending(self) -> int:
        return self.replicas - self.placed

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "namespace": self.namespace,
            "replicas": self.replicas,
            "placed": self.placed,
            "pending": self.pending,
            "placements": dict(self.placements),
            "message": self.message,
            "messages": list(self.messages),
            "requests": dict(self.requests),
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        common = (self.name, self.kind, str(self.replicas), str(self.placed), str(self.pending))
        rows: list[tuple[str, ...]] = [
            (*common, node, str(count), "") for node, count in self.placements.items()
        ]
        if self.pending or not rows:
            rows.append((*common, "", "0", self.message or ""))
        return rows


@dataclass(frozen=True, slots=True)
class NodeUsage:
    """A node's allocation after the plan: requests and limits against allocatable, pod count."""

    name: str
    pods: int
    allowed_pods: int
    cpu_allocatable: int
    cpu_requests: int
    cpu_limits: int
    memory_allocatable: int
    memory_requests: int
    memory_limits: int
    placed: int

    CSV_HEADER = (
        "node", "pods", "allowed_pods", "placed",
        "cpu_requests", "cpu_requests_percent", "cpu_limits", "cpu_limits_percent", "cpu_allocatable",
        "memory_requests", "memory_requests_percent", "memory_limits", "memory_limits_percent",
        "memory_allocatable",
    )  # fmt: skip

    @staticmethod
    def of(info: NodeInfo, placed: int) -> NodeUsage:
        node = info.node
        return NodeUsage(
            node.name,
            len(info.pods),
            node.allowed_pods,
            node.milli_cpu,
            info.requested_cpu,
            info.limits_cpu,
            node.memory,
            info.requested_memory,
            info.limits_memory,
            placed,
        )

    def _percent(self, value: int, total: int) -> int:
        from quantities.node.allocated import percent

        return percent(value, total)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pods": self.pods,
            "allowed_pods": self.allowed_pods,
            "placed": self.placed,
            "cpu": {
                "allocatable": format_amount(CPU, self.cpu_allocatable),
                "requests": format_amount(CPU, self.cpu_requests),
                "requests_percent": self._percent(self.cpu_requests, self.cpu_allocatable),
                "limits": format_amount(CPU, self.cpu_limits),
                "limits_percent": self._percent(self.cpu_limits, self.cpu_allocatable),
            },
            "memory": {
                "allocatable": format_amount(MEMORY, self.memory_allocatable),
                "requests": format_amount(MEMORY, self.memory_requests),
                "requests_percent": self._percent(self.memory_requests, self.memory_allocatable),
                "limits": format_amount(MEMORY, self.memory_limits),
                "limits_percent": self._percent(self.memory_limits, self.memory_allocatable),
            },
        }

    def csv_row(self) -> tuple[str, ...]:
        data = self.to_json()
        cpu, memory = data["cpu"], data["memory"]
        return (
            self.name, str(self.pods), str(self.allowed_pods), str(self.placed),
            cpu["requests"], str(cpu["requests_percent"]), cpu["limits"], str(cpu["limits_percent"]),
            cpu["allocatable"],
            memory["requests"], str(memory["requests_percent"]), memory["limits"],
            str(memory["limits_percent"]), memory["allocatable"],
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlanResult:
    """Every workload's placements and every node's resulting allocation."""

    workloads: tuple[WorkloadPlan, ...]
    nodes: tuple[NodeUsage, ...]
    #: Oddities of the input that did not stop the plan (stored objects that break today's rules).
    warnings: tuple[Problem, ...] = ()
    #: The Kubernetes release the plan is for ("1.36", "1.34.1").
    kubernetes_version: str = field(default_factory=lambda: str(default_kubernetes_version()))

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "workloads": [w.to_json() for w in self.workloads],
            "nodes": [n.to_json() for n in self.nodes],
            "warnings": [problem.to_json() for problem in self.warnings],
        }


#: How a placer ranks the feasible nodes: the lowest key wins, ties to the first node in input order.
NodeKey = Callable[[PodInfo, NodeInfo, Options], int]


def scheduler_key(pod: PodInfo, info: NodeInfo, options: Options) -> int:
    """kube-scheduler's choice: the highest score (:func:`~quantities.scheduler.profile.score`) first."""
    return -score(pod, info, options)


@dataclass(slots=True)
class _Placer:
    """Places copies of one pod on a snapshot, best score first (see the module docstring).

    A node a filter rejects leaves the heap. NodeResourcesFit, required anti-affinity
    and a missing topology label reject it for good (placing pods only adds to what
    they count). A node rejected for spread skew waits, per constraint, for the global
    minimum it needs (:func:`spread_blocker`): its own domain's count can only grow, so
    only a higher minimum can let it in. A node rejected for lack of pods matching its
    required pod affinity waits until a new topology domain gets matching pods. So each
    replica costs the nodes that change, not every node the filters once rejected.

    ``key`` orders the feasible nodes (default: the scheduler's score); capacity planning
    passes another order (first fit) and keeps the same filters.
    """

    pod: PodInfo
    snapshot: Snapshot
    options: Options | None = None
    key: NodeKey = scheduler_key
    state: CycleState = field(init=False)
    heap: list[tuple[int, int, int]] = field(init=False)
    version: list[int] = field(init=False)
    index_of: dict[int, int] = field(init=False)
    #: Per spread constraint: the nodes waiting for its minimum, as (minimum needed, heap entry).
    waiting: list[list[tuple[int, tuple[int, int, int]]]] = field(init=False)
    minimums: list[int] = field(init=False)
    #: Nodes waiting for pods matching the pod's required affinity in a new domain.
    waiting_affinity: list[tuple[int, int, int]] = field(init=False)
    affinity_domains: int = field(init=False)
    pops: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        nodes = self.snapshot.node_infos
        self.state = prefilter(self.pod, nodes, options=self.options)
        self.version = [0] * len(nodes)
        self.index_of = {id(info): index for index, info in enumerate(nodes)}
        self.heap = []
        pod = self.pod
        for index, info in enumerate(nodes):
            if self.options is not None and not index % CHECK_EVERY:
                self.options.check_deadline(f'filters for pod "{pod.name}"', index, len(nodes))
            if run_static_filters(pod, info, self.state):
                continue
            self.heap.append((self.key(pod, info, self.state.options), index, 0))
        heapq.heapify(self.heap)
        spread = self.state.spread
        count = len(spread.constraints) if spread is not None else 0
        self.waiting = [[] for _ in range(count)]
        self.minimums = [spread.minimum(i) for i in range(count)] if spread is not None else []
        self.waiting_affinity = []
        self.affinity_domains = self._affinity_domains()

    def _affinity_domains(self) -> int:
        affinity = self.state.affinity
        return len(affinity.affinity_counts) if affinity is not None else 0

    def _set_aside(self, entry: tuple[int, int, int], info: NodeInfo, rejection: Rejection) -> None:
        """Keep a rejected node where it waits for what could let it in, or drop it for good."""
        if rejection.plugin == "PodTopologySpread" and not rejection.unresolvable:
            assert self.state.spread is not None
            blocker = spread_blocker(self.pod, info, self.state.spread)
            if blocker is not None:
                constraint, needed = blocker
                heapq.heappush(self.waiting[constraint], (needed, entry))
        elif rejection.plugin == "InterPodAffinity" and rejection.unresolvable:
            self.waiting_affinity.append(entry)

    def _wake(self) -> None:
        """Back to the heap: the nodes whose wait may be over after a placement."""
        heap = self.heap
        spread = self.state.spread
        if spread is not None:
            for constraint, waiting in enumerate(self.waiting):
                minimum = spread.minimum(constraint)
                if minimum == self.minimums[constraint]:
                    continue
                self.minimums[constraint] = minimum
                while waiting and waiting[0][0] <= minimum:
                    heapq.heappush(heap, heapq.heappop(waiting)[1])
        domains = self._affinity_domains()
        if domains != self.affinity_domains:
            self.affinity_domains = domains
            for entry in self.waiting_affinity:
                heapq.heappush(heap, entry)
            self.waiting_affinity = []

    def place_one(self) -> NodeInfo | None:
        """Bind one more copy to the best feasible node; None when no node fits."""
        nodes = self.snapshot.node_infos
        chosen: NodeInfo | None = None
        heap = self.heap
        pod = self.pod
        while heap:
            self.pops += 1
            if self.options is not None and not self.pops % CHECK_EVERY:
                self.options.check_deadline(f'placement of pod "{pod.name}"')
            entry = heapq.heappop(heap)
            _, index, version = entry
            if version != self.version[index]:
                continue
            info = nodes[index]
            rejection = run_dynamic_filters(pod, info, self.state)
            if rejection is None:
                chosen = info
                break
            self._set_aside(entry, info, rejection)
        if chosen is None:
            return None
        index = self.index_of[id(chosen)]
        chosen.add_pod(pod)
        self.state.add_pod(pod, chosen, pod)
        self.version[index] += 1
        heapq.heappush(heap, (self.key(pod, chosen, self.state.options), index, self.version[index]))
        self._wake()
        return chosen

    def add_node(self, info: NodeInfo) -> bool:
        """Take in a node just appended to the snapshot, with its pods (``AddPod`` for each).

        A new node is a new topology domain, which the spread state cannot take in: for a pod
        with spread constraints nothing changes and the answer is False (make a new placer).
        """
        if self.state.spread is not None:
            return False
        index = len(self.version)
        if index >= len(self.snapshot.node_infos) or self.snapshot.node_infos[index] is not info:
            return False
        self.version.append(0)
        self.index_of[id(info)] = index
        for existing in info.pods:
            self.state.add_pod(existing, info, self.pod)
        if run_static_filters(self.pod, info, self.state) is None:
            heapq.heappush(self.heap, (self.key(self.pod, info, self.state.options), index, 0))
        self._wake()
        return True

    def failure(self) -> tuple[str, list[str]]:
        """The FailedScheduling message of the pod that fits nowhere (its PreFilter state is up to date)."""
        evaluation = evaluate(self.pod, self.snapshot, options=self.options, state=self.state)
        return failure_message(self.pod, self.snapshot, evaluation, options=self.options)


def _replica(pod: PodInfo, name: str) -> PodInfo:
    return pod.copy(name=name)


def _daemon_pod(template: PodInfo) -> PodInfo:
    """util.AddOrUpdateDaemonPodTolerations: the tolerations the DaemonSet controller adds."""
    tolerations = list(template.tolerations)
    extra = list(_DAEMONSET_TOLERATIONS)
    if template.host_network:
        extra.append(_NETWORK_UNAVAILABLE)
    for toleration in extra:
        if not any(t.key == toleration.key and t.effect == toleration.effect for t in tolerations):
            tolerations.append(toleration)
    return template.copy(tolerations=tuple(tolerations))


def _pin(pod: PodInfo, node: str) -> PodInfo:
    # util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become "metadata.name In [node]".
    term = NodeSelectorTerm((), (Requirement("metadata.name", "In", (node,)),))
    return pod.copy(required_node_terms=(term,))


def _daemonset_nodes(unpinned: PodInfo, snapshot: Snapshot) -> list[NodeInfo]:
    """The nodes the DaemonSet controller would create a pod for: node selector and affinity match,
    and no NoSchedule/NoExecute taint is left untolerated."""
    return [
        info
        for info in snapshot.node_infos
        if not node_affinity(unpinned, info) and not taint_toleration(unpinned, info)
    ]


def _plan_daemonset(
    workload: Workload,
    snapshot: Snapshot,
    unpinned: PodInfo,
    eligible: list[NodeInfo],
    options: Options | None,
) -> WorkloadPlan:
    """One pod pinned to each eligible node, in node order.

    The pinned pods differ from the template only by their node affinity, so they share
    one PreFilter state, updated as each pod lands (``AddPod``); only the spread
    constraints that honor node affinity count on the pinned node alone
    (:func:`~quantities.scheduler.profile.pinned_prefilter`).
    """
    placements: dict[str, int] = {}
    messages: dict[str, None] = {}
    shared = prefilter(unpinned, snapshot.node_infos, options=options)
    for number, info in enumerate(eligible):
        if options is not None:
            options.check_deadline(f'plan of DaemonSet "{workload.name}"', number, len(eligible))
        pinned = _pin(unpinned, info.node.name)
        pinned.name = f"{workload.name}-{info.node.name}"
        state = pinned_prefilter(pinned, shared, (info,))
        evaluation = evaluate(pinned, snapshot, options=options, state=state)
        if evaluation.feasible:
            info.add_pod(pinned)
            shared.add_pod(pinned, info, unpinned)
            placements[info.node.name] = 1
        else:
            message, _ = failure_message(pinned, snapshot, evaluation, options=options)
            messages.setdefault(message)
    first = next(iter(messages), None)
    return WorkloadPlan(
        workload.name,
        workload.kind,
        workload.namespace,
        len(eligible),
        len(placements),
        placements,
        first,
        unpinned.requests_json(),
        tuple(messages),
    )


def _plan_replicas(
    workload: Workload, snapshot: Snapshot, template: PodInfo, options: Options | None
) -> WorkloadPlan:
    replicas = workload.replicas or 0
    placements: dict[str, int] = {}
    message: str | None = None
    if replicas:
        placer = _Placer(_replica(template, f"{workload.name}-0"), snapshot, options)
        for number in range(replicas):
            if options is not None and not number % 16:
                options.check_deadline(f'plan of {workload.kind} "{workload.name}"', number, replicas)
            placer.pod = _replica(template, f"{workload.name}-{number}")
            chosen = placer.place_one()
            if chosen is None:
                message, _ = placer.failure()
                break
            placements[chosen.node.name] = placements.get(chosen.node.name, 0) + 1
    placed = sum(placements.values())
    return WorkloadPlan(
        workload.name,
        workload.kind,
        workload.namespace,
        replicas,
        placed,
        placements,
        message,
        template.requests_json(),
        (message,) if message else (),
    )


def replicas_path(workload: Workload) -> str:
    """Where a workload's number of pods is in the input: ``spec.replicas``, a Job's
    ``spec.parallelism``, a compact row's ``replicas``, or the object itself (a DaemonSet, a Pod).

    >>> from quantities.pod.workloads import workloads_in
    >>> [replicas_path(w) for w in workloads_in([{"kind": "Deployment", "metadata": {"name": "web"},
    ...     "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}},
    ...     {"kind": "CronJob", "metadata": {"name": "nightly"}, "spec": {"jobTemplate": {"spec":
    ...      {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}}}], path="workloads")]
    ['workloads[0].spec.replicas', 'workloads[1].spec.jobTemplate.spec.parallelism']
    """
    if workload.is_daemonset or workload.kind == "Pod":
        return workload.path
    if workload.spec_path.endswith("template.spec"):
        field_name = "parallelism" if workload.kind in ("Job", "CronJob") else "replicas"
        return child(workload.path, workload.spec_path[: -len("template.spec")] + field_name)
    return child(workload.path, "replicas")


def _check_caps(workloads: list[Workload], counts: list[int], existing: int, options: Options | None) -> None:
    """At most ``limits.max_replicas`` pods per workload and ``limits.max_pods`` pods in all (those
    already running included): past a cap, :class:`~quantities.options.WorkLimitExceeded` at the count."""
    limits = (options or DEFAULT_OPTIONS).limits
    total = existing
    for workload, count in zip(workloads, counts, strict=True):
        what = "eligible nodes" if workload.is_daemonset else "replicas"
        where = replicas_path(workload)
        if count > limits.max_replicas:
            raise TooManyPods(
                f'{workload.kind} "{workload.name}" has {count:,} {what}, more than the '
                f"{limits.max_replicas:,} one plan places pod by pod; to ask how many would fit, "
                "use max-replicas",
                where,
                count,
                limits.max_replicas,
            )
        total += count
        if total > limits.max_pods:
            raise TooManyPods(
                f"the plan would hold {total:,} pods (those running included) by {workload.kind} "
                f'"{workload.name}", more than the {limits.max_pods:,} one plan handles',
                where,
                total,
                limits.max_pods,
            )


def _workloads(workloads: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any]) -> list[Workload]:
    if isinstance(workloads, Mapping):
        return workloads_in(workloads)
    result: list[Workload] = []
    problems: list[Problem] = []
    items = list(workloads)
    for position, item in enumerate(items):
        if isinstance(item, Workload):
            result.append(item)
            continue
        try:
            result.extend(workloads_in(item, path=f"[{position}]" if len(items) > 1 else ""))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise PodValidationError(problems)
    return result


def _templates(workloads: list[Workload], options: Options | None) -> list[PodInfo]:
    """Every workload's pod, validated as a proposal; one error lists the problems of all of them."""
    templates: list[PodInfo] = []
    problems: list[Problem] = []
    for workload in workloads:
        try:
            templates.append(
                pod_info(workload.pod, options=options, path=workload.path, spec_path=workload.spec_path)
            )
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise PodValidationError(problems)
    return templates


def plan(
    workloads: Iterable[Workload | Mapping[str, Any]] | Mapping[str, Any],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> PlanResult:
    """Place every replica of every workload, in order, as the default scheduler would.

    ``workloads`` are :class:`~quantities.pod.workloads.Workload` objects or
    manifests (possibly a ``List``): the proposal, validated as the API server would
    (:class:`~quantities.manifest.problems.PodValidationError` lists every problem of
    every workload). ``nodes`` and ``pods`` are state, as for
    :func:`~quantities.scheduler.fit.check_fit`; their oddities become ``result.warnings``.
    The input snapshot is not modified.

    ``kubernetes_version`` and ``feature_gates`` choose the release and its gates, over those
    of ``options`` (:func:`~quantities.options.resolve_options`); the result says which release
    it is for. ``options`` also bounds the work. A workload may ask for at most
    ``options.limits.max_replicas`` pods (a DaemonSet counts its eligible nodes), and the plan
    may hold at most ``max_pods`` pods, those running included: past them, :class:`TooManyPods`
    names the count (``where``: ``spec.replicas``...) before any work is done. Past the deadline,
    :class:`~quantities.options.WorkLimitExceeded` says where the work stopped.

    >>> from quantities.node.compact import compact_node
    >>> from quantities.options import Deadline, Options, ReadLimits
    >>> from quantities.pod.workloads import compact_workload
    >>> web = compact_workload({"name": "web", "replicas": 3, "cpu": "1"})
    >>> nodes = [compact_node("n1", cpu="2", memory="1Gi"), compact_node("n2", cpu="2", memory="1Gi")]
    >>> plan([web], nodes, options=Options(deadline=Deadline.after(5))).workloads[0].placements
    {'n1': 2, 'n2': 1}
    >>> plan([web], nodes, options=Options(limits=ReadLimits(max_replicas=2)))
    Traceback (most recent call last):
      ...
    quantities.scheduler.plan.TooManyPods: Deployment "web" has 3 replicas, more than the 2 one plan \
places pod by pod; to ask how many would fit, use max-replicas
    """
    options = cycle_options(resolve_options(options, kubernetes_version, feature_gates))
    chosen = _workloads(workloads)
    templates = _templates(chosen, options)
    snapshot = make_snapshot(nodes, pods, options=options)
    warnings = [warning for template in templates for warning in template.warnings]
    warnings.extend(snapshot_warnings(snapshot))
    before = {info.node.name: len(info.pods) for info in snapshot.node_infos}
    daemon_pods = [_daemon_pod(t) if w.is_daemonset else None for w, t in zip(chosen, templates, strict=True)]
    eligible = [_daemonset_nodes(d, snapshot) if d is not None else [] for d in daemon_pods]
    counts = [len(e) if w.is_daemonset else w.replicas or 0 for w, e in zip(chosen, eligible, strict=True)]
    _check_caps(chosen, counts, sum(before.values()), options)
    results = []
    for workload, template, daemon_pod, nodes_of in zip(
        chosen, templates, daemon_pods, eligible, strict=True
    ):
        if options is not None:
            options.check_deadline(f'plan of "{workload.name}"')
        if daemon_pod is not None:
            results.append(_plan_daemonset(workload, snapshot, daemon_pod, nodes_of, options))
        else:
            results.append(_plan_replicas(workload, snapshot, template, options))
    usage = tuple(NodeUsage.of(info, len(info.pods) - before[info.node.name]) for info in snapshot.node_infos)
    return PlanResult(tuple(results), usage, tuple(warnings), str(options.version))


@dataclass(frozen=True, slots=True)
class Copies:
    """Where :func:`max_replicas` counts the copies of a pod: how many per node, in snapshot order.

    ``placed`` says whether the copies are on ``snapshot`` (copies that spread or attract each
    other, placed one by one) or only counted per node (copies that do not constrain each
    other: the snapshot is as given). ``state`` is the PreFilter state of ``pod`` on that
    snapshot, so ``run_filters(pod, node, state)`` says what stops one more copy on a node.
    """

    pod: PodInfo
    snapshot: Snapshot
    counts: tuple[int, ...]
    state: CycleState
    placed: bool

    @property
    def total(self) -> int:
        return sum(self.counts)


def copies_by_node(
    pod: PodInfo | Workload | Mapping[str, Any],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> Copies:
    """:func:`max_replicas` node by node: how many more copies of ``pod`` each node takes.

    >>> from quantities.node.compact import compact_node
    >>> pod = {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m"}}}]}}
    >>> nodes = [compact_node("a", cpu="4", memory="1Gi"), compact_node("b", cpu="2", memory="1Gi")]
    >>> copies_by_node(pod, nodes).counts
    (2, 1)
    """
    options = cycle_options(resolve_options(options, kubernetes_version, feature_gates))
    info = proposal_info(pod, options)
    snapshot = make_snapshot(nodes, pods, options=options)
    if not (info.spread_constraints or info.affinity_terms or info.anti_affinity_terms):
        return _independent_copies(info, snapshot, options)
    return _simulated_copies(info, snapshot, options)


def max_replicas(
    pod: PodInfo | Workload | Mapping[str, Any],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> int:
    """How many more copies of ``pod`` the cluster would accept, placed one by one as the scheduler would.

    ``pod`` is the proposal (validated as for :func:`~quantities.scheduler.fit.check_fit`), on the
    release of ``kubernetes_version`` / ``feature_gates`` / ``options``.
    The count is bounded by the free pod slots only: ``options`` with a deadline bounds the
    time (:class:`~quantities.options.WorkLimitExceeded` past it). :func:`copies_by_node`
    gives the count per node.

    >>> from quantities.node.compact import compact_node
    >>> pod = {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m"}}}]}}
    >>> nodes = [compact_node("a", cpu="4", memory="1Gi"), compact_node("b", cpu="2", memory="1Gi")]
    >>> max_replicas(pod, nodes)
    3
    """
    return copies_by_node(
        pod, nodes, pods, kubernetes_version=kubernetes_version, feature_gates=feature_gates, options=options
    ).total


def _independent_copies(info: PodInfo, snapshot: Snapshot, options: Options | None) -> Copies:
    """Copies of a pod whose copies do not constrain each other (no spread constraints, no pod
    (anti-)affinity of its own): each node takes copies until a resource or its pod slots run
    out, whatever the order the scores give, so the count is per node, computed without placing
    a billion pods one by one when a node allows a billion."""
    state = prefilter(info, snapshot.node_infos, options=options)
    where = f'max-replicas of pod "{info.name}"' if info.name else "max-replicas"
    counts: list[int] = []
    for position, node in enumerate(snapshot.node_infos):
        if options is not None and not position % 256:
            options.check_deadline(where, position, len(snapshot.node_infos))
        rejection = run_filters(info, node, state)
        fits = rejection is None or rejection.plugin == "NodeResourcesFit"
        counts.append(copies_that_fit(info, node) if fits else 0)
    return Copies(info, snapshot, tuple(counts), state, placed=False)


def _simulated_copies(info: PodInfo, snapshot: Snapshot, options: Options | None) -> Copies:
    """Copies placed one by one, as the scheduler would (copies that spread or attract each
    other change where the next may go)."""
    # Each copy takes a pod slot, so the pod counts bound the loop.
    limit = sum(max(0, i.node.allowed_pods - len(i.pods)) for i in snapshot.node_infos)
    placer = _Placer(_replica(info, f"{info.name}-0"), snapshot, options)
    where = f'max-replicas of pod "{info.name}"' if info.name else "max-replicas"
    counts = [0] * len(snapshot.node_infos)
    count = 0
    while count < limit:
        if options is not None and not count % 16:
            options.check_deadline(where, count, limit)
        placer.pod = _replica(info, f"{info.name}-{count}")
        chosen = placer.place_one()
        if chosen is None:
            break
        counts[snapshot.position[chosen.node.name]] += 1
        count += 1
    return Copies(info, snapshot, tuple(counts), placer.state, placed=True)


# The placement pieces capacity planning (quantities.capacity) reuses, so that it places pods
# with the same filters and the same DaemonSet rules as the plan.
Placer = _Placer
replica = _replica
daemonset_pod = _daemon_pod
daemonset_nodes = _daemonset_nodes
plan_daemonset = _plan_daemonset
