"""Does a pod fit: every node's verdict, and the FailedScheduling message kube-scheduler would write.

:func:`check_fit` runs the filters of :mod:`quantities.scheduler.plugins` on every node,
in the default profile's order, stopping at a node's first rejection
(``RunFilterPlugins``), and reports per node the verdict, the reasons and,
per resource, what the pod requests, what is free and the shortfall. It answers for one
Kubernetes release (``kubernetes_version=``, default the process default, 1.36 unless set).

When no node fits, the message is built as kube-scheduler builds it
(``FitError.Error()``, unchanged from 1.29 to 1.36)::

    0/<all nodes> nodes are available: <histogram>. <post-filter message>

The histogram counts each reason over the nodes (``"<count> <reason>"``),
sorted as strings — the count is part of the string, so ``"10 ..."`` sorts
before ``"2 ..."`` — and joined with ", ". The post-filter message is the reasons of the
PostFilter plugins joined with ", " (``RunPostFilterPlugins``):

* from 1.34 (the ``DynamicResourceAllocation`` gate, on by default) the DRA plugin comes
  first and says ``no new claims to deallocate`` for a pod without resource claims (we
  model no claims);
* then DefaultPreemption: ``preemption: not eligible due to preemptionPolicy=Never.``,
  or another ``0/N nodes are available: ...`` histogram in which nodes rejected
  as unresolvable (taints, affinity, cordoned, and from 1.34 a request larger than the
  node's allocatable) count as ``Preemption is not helpful for scheduling`` and nodes
  without a pod of lower priority as ``No preemption victims found for incoming pod``.

When evicting lower-priority pods would make room on some node, preemption succeeds and
the message has no post-filter part at all.

>>> from quantities.node.compact import compact_node
>>> pod = {"metadata": {"name": "big"},
...        "spec": {"containers": [{"name": "c", "resources": {"requests": {"memory": "5Gi"}}}]}}
>>> nodes = [compact_node("n1", cpu="1", memory="4Gi")]
>>> check_fit(pod, nodes, kubernetes_version="1.32").message
'0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: \
1 No preemption victims found for incoming pod.'
>>> result = check_fit(pod, nodes, kubernetes_version="1.34")
>>> result.fits, result.kubernetes_version, result.message
(False, '1.34', '0/1 nodes are available: 1 Insufficient memory. no new claims to deallocate, \
preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quantities.manifest.problems import ManifestError, Problem
from quantities.node.model import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, Node, read_node
from quantities.options import DEFAULT_OPTIONS, Options, WorkLimitExceeded, resolve_options
from quantities.pod.workloads import Workload
from quantities.quantity.quantity import Quantity
from quantities.scheduler.framework.nodeinfo import NodeInfo, Snapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.scheduler.framework.status import Rejection
from quantities.scheduler.profile import CycleState, cycle_options, prefilter, run_filters
from quantities.versions import KubernetesVersion, default_kubernetes_version

__all__ = [
    "NO_CLAIMS_TO_DEALLOCATE",
    "NO_NODES_MESSAGE",
    "FitResult",
    "NodeFit",
    "ResourceCheck",
    "check_fit",
    "evaluate",
    "fit_error_message",
    "make_snapshot",
    "proposal_info",
    "snapshot_warnings",
]

NO_NODE_AVAILABLE = "0/{} nodes are available"
#: ErrNoNodesAvailable: the scheduler's error when the cluster has no node at all.
NO_NODES_MESSAGE = "no nodes available to schedule pods"
#: The DRA plugin's PostFilter reason for a pod without claims (1.34+, DynamicResourceAllocation).
NO_CLAIMS_TO_DEALLOCATE = "no new claims to deallocate"
NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never."
AFFINITY_CONFLICT = "pod affinity terms conflict"
NOT_IN_PREFILTER_RESULT = "node(s) didn't satisfy plugin(s) [NodeAffinity]"

CSV_HEADER = ("node", "fits", "plugin", "reasons", "resource", "requested", "free", "shortfall")


def fit_error_message(
    num_all_nodes: int,
    reasons: Iterable[Sequence[str]],
    absent: tuple[int, str] | None = None,
    post_filter: str | None = None,
    pre_filter: str | None = None,
) -> str:
    """``FitError.Error()``: the histogram of reasons over nodes, then the post-filter message.

    ``reasons`` holds one sequence of reasons per node that has a status;
    ``absent`` counts nodes without one and the reason they get.

    >>> fit_error_message(3, [["Insufficient cpu"],
    ...     ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]] * 1 +
    ...     [["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]])
    '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint \
{node-role.kubernetes.io/control-plane: }.'
    """
    message = NO_NODE_AVAILABLE.format(num_all_nodes) + ":"
    if pre_filter:
        message += f" {pre_filter}."
    else:
        histogram: Counter[str] = Counter()
        for node_reasons in reasons:
            histogram.update(node_reasons)
        if absent is not None and absent[0] > 0:
            histogram[absent[1]] += absent[0]
        entries = sorted(f"{count} {reason}" for reason, count in histogram.items())
        if entries:
            message += f" {', '.join(entries)}."
    if post_filter:
        message += f" {post_filter}"
    return message


# --- results -------------------------------------------------------------------------------------


def format_amount(resource: str, amount: int) -> str:
    """An integer amount of ``resource`` in Kubernetes notation (cpu is in thousandths)."""
    if resource == CPU:
        return str(Quantity.from_milli(amount))
    if resource == PODS:
        return str(amount)
    if resource in (MEMORY, EPHEMERAL_STORAGE) or resource.startswith("hugepages-"):
        return str(Quantity.from_int(amount, "BinarySI"))
    return str(Quantity.from_int(amount))


@dataclass(frozen=True, slots=True)
class ResourceCheck:
    """One resource on one node: the pod's request, what is free, and how much is missing."""

    resource: str
    requested: int
    free: int

    @property
    def shortfall(self) -> int:
        return max(0, self.requested - self.free)

    def to_json(self) -> dict[str, str]:
        return {
            "requested": format_amount(self.resource, self.requested),
            "free": format_amount(self.resource, self.free),
            "shortfall": format_amount(self.resource, self.shortfall),
        }


def resource_checks(pod: PodInfo, node: NodeInfo) -> tuple[ResourceCheck, ...]:
    """Per resource the pod requests (and the pod count): requested, free, shortfall."""
    n = node.node
    checks = [ResourceCheck(PODS, 1, n.allowed_pods - len(node.pods))]
    if pod.cpu:
        checks.append(ResourceCheck(CPU, pod.cpu, n.milli_cpu - node.requested_cpu))
    if pod.memory:
        checks.append(ResourceCheck(MEMORY, pod.memory, n.memory - node.requested_memory))
    if pod.ephemeral_storage:
        checks.append(
            ResourceCheck(
                EPHEMERAL_STORAGE,
                pod.ephemeral_storage,
                n.ephemeral_storage - node.requested_ephemeral_storage,
            )
        )
    for name in sorted(pod.scalars):
        if pod.scalars[name]:
            free = n.scalars.get(name, 0) - node.requested_scalars.get(name, 0)
            checks.append(ResourceCheck(name, pod.scalars[name], free))
    return tuple(checks)


@dataclass(frozen=True, slots=True)
class NodeFit:
    """One node's verdict for the pod."""

    name: str
    fits: bool
    plugin: str | None
    reasons: tuple[str, ...]
    unresolvable: bool
    resources: tuple[ResourceCheck, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "fits": self.fits,
            "plugin": self.plugin,
            "reasons": list(self.reasons),
            "resources": {check.resource: check.to_json() for check in self.resources},
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        """One row per resource, in :data:`CSV_HEADER` order."""
        common = (self.name, "true" if self.fits else "false", self.plugin or "", "; ".join(self.reasons))
        return [
            (*common, c.resource, *(c.to_json()[k] for k in ("requested", "free", "shortfall")))
            for c in self.resources
        ]


@dataclass(frozen=True, slots=True)
class FitResult:
    """Every node's verdict, and the FailedScheduling message when none fits."""

    pod: str
    fits: bool
    message: str | None
    nodes: tuple[NodeFit, ...]
    preemption_nodes: tuple[str, ...] = ()
    #: Oddities of the input that did not stop the answer (stored objects that break today's rules).
    warnings: tuple[Problem, ...] = ()
    #: The Kubernetes release the answer is for ("1.36", "1.34.1").
    kubernetes_version: str = field(default_factory=lambda: str(default_kubernetes_version()))

    CSV_HEADER = CSV_HEADER

    @property
    def feasible(self) -> list[str]:
        return [node.name for node in self.nodes if node.fits]

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "pod": self.pod,
            "fits": self.fits,
            "message": self.message,
            "feasible": self.feasible,
            "preemption_nodes": list(self.preemption_nodes),
            "nodes": [node.to_json() for node in self.nodes],
            "warnings": [problem.to_json() for problem in self.warnings],
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        return [row for node in self.nodes for row in node.csv_rows()]


# --- evaluation ----------------------------------------------------------------------------------


def _prefilter_node_names(pod: PodInfo) -> set[str] | None:
    """NodeAffinity's PreFilterResult: terms that all pin ``metadata.name In [...]`` restrict the nodes."""
    terms = pod.required_node_terms
    if not terms:
        return None
    names: set[str] | None = None
    for term in terms:
        term_names: set[str] | None = None
        for requirement in term.match_fields:
            if requirement.key == "metadata.name" and requirement.operator == "In":
                values = set(requirement.values)
                term_names = values if term_names is None else term_names & values
        if term_names is None:
            return None
        names = term_names if names is None else names | term_names
    return names


@dataclass(slots=True)
class Evaluation:
    """The outcome of one scheduling attempt's filtering over a snapshot."""

    state: CycleState
    rejections: dict[str, Rejection]
    feasible: list[NodeInfo]
    absent: tuple[int, str] | None
    pre_filter: str | None


#: Loop iterations between two looks at the deadline: a look costs a clock read, an iteration
#: a filter or more.
CHECK_EVERY = 256


def evaluate(
    pod: PodInfo, snapshot: Snapshot, *, options: Options | None = None, state: CycleState | None = None
) -> Evaluation:
    """PreFilter then Filter on every node (not only a percentage of them, as large clusters do).

    ``state`` is the PreFilter state when the caller already has it (kept up to date by
    ``AddPod``); otherwise the PreFilters run on the whole snapshot.
    """
    nodes = snapshot.node_infos
    allowed = _prefilter_node_names(pod)
    if allowed is not None and not allowed:
        return Evaluation(CycleState(options=cycle_options(options)), {}, [], None, AFFINITY_CONFLICT)
    absent: tuple[int, str] | None = None
    candidates: list[NodeInfo]
    if allowed is not None:
        # NodeAffinity's PreFilterResult names the nodes: only they are looked at, in input order.
        position = snapshot.position
        named = sorted(allowed & position.keys(), key=position.__getitem__)
        candidates = [snapshot.by_name[name] for name in named]
        absent = (len(nodes) - len(candidates), NOT_IN_PREFILTER_RESULT)
    else:
        candidates = nodes
    if state is None:
        state = prefilter(pod, nodes, options=options)
    rejections: dict[str, Rejection] = {}
    feasible: list[NodeInfo] = []
    for number, info in enumerate(candidates):
        if options is not None and not number % CHECK_EVERY:
            options.check_deadline(f'filters for pod "{pod.name}"', number, len(candidates))
        rejection = run_filters(pod, info, state)
        if rejection is None:
            feasible.append(info)
        else:
            rejections[info.node.name] = rejection
    return Evaluation(state, rejections, feasible, absent, None)


def _preemption(
    pod: PodInfo, snapshot: Snapshot, evaluation: Evaluation, options: Options | None = None
) -> tuple[str | None, list[str]]:
    """DefaultPreemption's PostFilter: its message, and the nodes where evicting would make room.

    For each node, the victims (every pod of lower priority) are taken off a copy of the
    node and off the PreFilter state (``RemovePod``), the filters run, and the victims are
    put back in the state (``AddPod``): the cost is the node's pods, not the cluster's.
    """
    if pod.preemption_never:
        return "preemption: " + NOT_ELIGIBLE_NEVER, []
    statuses: list[tuple[str, ...]] = []
    candidates: list[str] = []
    state = evaluation.state
    total = len(evaluation.rejections)
    for number, (name, rejection) in enumerate(evaluation.rejections.items()):
        if options is not None:
            options.check_deadline(f'preemption for pod "{pod.name}"', number, total)
        if rejection.unresolvable:
            continue
        info = snapshot.by_name[name]
        victims = [p for p in info.pods if p.priority < pod.priority]
        if not victims:
            statuses.append((NO_VICTIMS,))
            continue
        trial_info = info.without(victims)
        for victim in victims:
            state.remove_pod(victim, info, pod)
        try:
            after = run_filters(pod, trial_info, state)
        finally:
            for victim in victims:
                state.add_pod(victim, info, pod)
        if after is None:
            candidates.append(name)
        else:
            statuses.append(after.reasons)
    if candidates:
        return None, candidates
    num_all = len(snapshot)
    message = fit_error_message(num_all, statuses, (num_all - len(statuses), NOT_HELPFUL))
    return "preemption: " + message, []


def failure_message(
    pod: PodInfo, snapshot: Snapshot, evaluation: Evaluation, *, options: Options | None = None
) -> tuple[str, list[str]]:
    """The FailedScheduling message for a pod that fits on no node, and the nodes preemption would use.

    ``RunPostFilterPlugins``: the DRA plugin (1.34+) then DefaultPreemption; the first success
    ends the phase with no message, otherwise their reasons are joined with ", ".
    """
    if len(snapshot) == 0:
        return NO_NODES_MESSAGE, []
    preemption, candidates = _preemption(pod, snapshot, evaluation, options)
    post_filter = None
    if preemption is not None:
        reasons = [preemption]
        if evaluation.state.options.behaviour.dra_postfilter_message:
            # DynamicResources.PostFilter runs before DefaultPreemption and, for a pod without
            # claims, is Unschedulable with this reason (dynamicresources.go, the fast path).
            # Not modelled: after an unresolvable PreFilter rejection ("pod affinity terms
            # conflict") the DRA PreFilter has not run, and its PostFilter may fail reading its
            # state instead; no real event of that case was found, so the usual words are kept.
            reasons.insert(0, NO_CLAIMS_TO_DEALLOCATE)
        post_filter = ", ".join(reasons)
    message = fit_error_message(
        len(snapshot),
        (r.reasons for r in evaluation.rejections.values()),
        evaluation.absent,
        post_filter,
        evaluation.pre_filter,
    )
    return message, candidates


def make_snapshot(
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    options: Options | None = None,
) -> Snapshot:
    """A :class:`Snapshot` from Node objects or ``kubectl get nodes`` items, and pods bound to them.

    Nodes and pods are cluster state: read leniently (:func:`~quantities.node.model.read_node`,
    ``pod_info(..., state=True)``), their oddities kept in their ``warnings``.
    """
    snapshot = nodes.clone() if isinstance(nodes, Snapshot) else Snapshot(_nodes(nodes, options))
    for pod in _pods(pods, options):
        snapshot.add_pod(pod)
    return snapshot


def _nodes(nodes: Iterable[Node | Mapping[str, Any]], options: Options | None) -> list[Node]:
    limit = (options or DEFAULT_OPTIONS).limits.max_nodes
    result: list[Node] = []
    problems: list[Problem] = []
    for position, node in enumerate(nodes):
        if position >= limit:
            raise WorkLimitExceeded(f"more than {limit:,} nodes", "nodes", position, None)
        if options is not None and not position % 64:
            options.check_deadline("reading the nodes", position)
        if isinstance(node, Node):
            result.append(node)
            continue
        try:
            result.append(read_node(node, path=f"nodes[{position}]"))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return result


def _pods(pods: Iterable[PodInfo | Mapping[str, Any]], options: Options | None) -> list[PodInfo]:
    limit = (options or DEFAULT_OPTIONS).limits.max_pods
    result: list[PodInfo] = []
    problems: list[Problem] = []
    for position, pod in enumerate(pods):
        if position >= limit:
            raise WorkLimitExceeded(f"more than {limit:,} pods", "pods", position, None)
        if options is not None and not position % 64:
            options.check_deadline("reading the pods", position)
        if isinstance(pod, PodInfo):
            result.append(pod)
            continue
        try:
            result.append(pod_info(pod, state=True, options=options, path=f"pods[{position}]"))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return result


def snapshot_warnings(snapshot: Snapshot) -> tuple[Problem, ...]:
    """The warnings of every node and every pod bound to one, in snapshot order."""
    warnings: list[Problem] = []
    for info in snapshot.node_infos:
        warnings.extend(info.node.warnings)
        for pod in info.pods:
            warnings.extend(pod.warnings)
    return tuple(warnings)


def proposal_info(pod: PodInfo | Workload | Mapping[str, Any], options: Options | None = None) -> PodInfo:
    """The pod a user asks about, validated with every API-server rule (PodValidationError otherwise)."""
    if isinstance(pod, PodInfo):
        return pod
    if isinstance(pod, Workload):
        return pod_info(pod.pod, options=options, path=pod.path, spec_path=pod.spec_path)
    return pod_info(pod, options=options)


def check_fit(
    pod: PodInfo | Workload | Mapping[str, Any],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> FitResult:
    """For each node, the scheduler filters' verdict for ``pod``; the FailedScheduling message if none fits.

    ``pod`` is the proposal: a Pod or workload manifest (or a :class:`~quantities.pod.workloads.Workload`),
    validated as the API server would (:class:`~quantities.manifest.problems.PodValidationError`
    lists every problem). ``nodes`` are :class:`~quantities.node.model.Node` objects or Node
    objects as kubectl prints them; ``pods`` are the cluster's pods (``kubectl get pods
    -A``): those bound to a node and not Succeeded/Failed count against it. Nodes and
    pods are state: what only today's validation refuses becomes ``result.warnings``.

    ``kubernetes_version`` (``"1.30"``, ``"1.34.1"``) and ``feature_gates``
    (``"DynamicResourceAllocation=false"`` or a mapping) choose the release and its gates,
    over those of ``options`` (:func:`~quantities.options.resolve_options`); the result says
    which release it answers for. ``options`` also bounds the work: past its deadline
    (checked in every loop over nodes, pods and preemption candidates) or its read limits,
    :class:`~quantities.options.WorkLimitExceeded` says where the work stopped.

    >>> from quantities.node.compact import compact_node
    >>> from quantities.options import Deadline, Options
    >>> pod = {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]}}
    >>> nodes = [compact_node(f"n{i}", cpu="2", memory="1Gi") for i in range(3)]
    >>> check_fit(pod, nodes, options=Options(deadline=Deadline.after(5))).feasible
    ['n0', 'n1', 'n2']
    >>> spent = Deadline(at=0.0, seconds=0.001)  # a deadline already past
    >>> check_fit(pod, nodes, options=Options(deadline=spent))
    Traceback (most recent call last):
      ...
    quantities.options.WorkLimitExceeded: the work took longer than the 0.001 s allowed in reading the nodes
    """
    options = cycle_options(resolve_options(options, kubernetes_version, feature_gates))
    version = str(options.version)
    info = proposal_info(pod, options)
    snapshot = make_snapshot(nodes, pods, options=options)
    warnings = (*info.warnings, *snapshot_warnings(snapshot))
    evaluation = evaluate(info, snapshot, options=options)
    feasible = {node.node.name for node in evaluation.feasible}
    results = []
    for number, node in enumerate(snapshot.node_infos):
        if not number % CHECK_EVERY:
            options.check_deadline(f'fit of pod "{info.name}"', number, len(snapshot))
        name = node.node.name
        rejection = evaluation.rejections.get(name)
        if rejection is not None:
            results.append(
                NodeFit(
                    name,
                    False,
                    rejection.plugin,
                    rejection.reasons,
                    rejection.unresolvable,
                    resource_checks(info, node),
                )
            )
        elif name in feasible:
            results.append(NodeFit(name, True, None, (), False, resource_checks(info, node)))
        else:
            reason = evaluation.pre_filter or NOT_IN_PREFILTER_RESULT
            results.append(NodeFit(name, False, "NodeAffinity", (reason,), True, resource_checks(info, node)))
    pod_name = f"{info.namespace}/{info.name}"
    if feasible:
        return FitResult(pod_name, True, None, tuple(results), warnings=warnings, kubernetes_version=version)
    message, candidates = failure_message(info, snapshot, evaluation, options=options)
    return FitResult(pod_name, False, message, tuple(results), tuple(candidates), warnings, version)
