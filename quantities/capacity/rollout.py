"""Rollouts: the most pods a Deployment, StatefulSet or DaemonSet runs at once while it rolls out.

The controllers' rules (``pkg/controller``, unchanged from v1.28 to v1.36):

* **Deployment, RollingUpdate** (the default): at most ``replicas + maxSurge`` pods exist
  (``NewRSNewReplicas``: ``maxTotalPods := *(deployment.Spec.Replicas) + maxSurge``).
  ``maxSurge`` and ``maxUnavailable`` are integers or percentages of ``replicas``, 25% each when
  absent (``SetDefaults_Deployment``). ``ResolveFenceposts`` (``deployment/util/deployment_util.go``)
  resolves them together with ``intstr.GetScaledValueFromIntOrPercent``: a percentage rounds
  *up* for maxSurge and *down* for maxUnavailable, and when both come to 0 maxUnavailable
  becomes 1 ("on the theory that surge might not work due to quota").
* **Deployment, Recreate**: every old pod is gone before a new one is created: ``replicas``.
* **StatefulSet**: pods are replaced in place, one ordinal after another (RollingUpdate, ordinals
  below ``partition`` left alone) or when deleted (OnDelete); a StatefulSet never surges, so the
  peak is ``replicas``.
* **DaemonSet, RollingUpdate**: with ``maxSurge`` (0 by default, ``SetDefaults_DaemonSet``) that
  many nodes at a time run the new pod *beside* the old one (``daemon/util.SurgeCount``: a
  percentage of the eligible nodes rounded *up*); with ``maxUnavailable`` (1 by default) the old
  pod goes first. Peak: ``nodes + min(surge, nodes)``, and every node must hold two copies when its
  turn comes. OnDelete: ``nodes``.
* Other kinds (ReplicaSet, ReplicationController, Job, CronJob, Pod) do not roll out: the peak is
  their pod count.

Whether the peak fits the nodes is the plan of :func:`quantities.scheduler.plan.plan` with the
peak's pods: old and new pods are taken to have the same resources (the same template).

>>> web = {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 10,
...        "template": {"spec": {"containers": [{"name": "app", "image": "nginx"}]}}}}
>>> r = rollout(web)
>>> r.max_surge, r.max_unavailable, r.peak_pods
(3, 2, 13)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quantities.manifest.exact_number import ExactNumber
from quantities.manifest.kinds import is_list, located_items
from quantities.manifest.problems import ManifestError, PodValidationError, Problem
from quantities.node.model import Node
from quantities.options import Options, resolve_options
from quantities.pod.scheduling import Location, SchedulingReader, go_value
from quantities.pod.workloads import Workload, is_compact, workloads_in
from quantities.quantity.goint import INT32_MAX, INT32_MIN
from quantities.scheduler.framework.nodeinfo import Snapshot
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.plan import plan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.versions import KubernetesVersion

__all__ = [
    "IntOrPercent",
    "Rollout",
    "RolloutStrategy",
    "read_int_or_percent",
    "read_strategy",
    "resolve_fenceposts",
    "rollout",
    "single_workload_object",
]

#: ``validation.IsValidPercent`` (apimachinery ``util/validation``): its regular expression and message.
_PERCENT = re.compile(r"[0-9]+%")
PERCENT_MESSAGE = (
    "a valid percent string must be a numeric string followed by an ending '%' "
    "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
)

RECREATE = "Recreate"
ROLLING_UPDATE = "RollingUpdate"
ON_DELETE = "OnDelete"
_STRATEGY_TYPES = {
    "Deployment": (RECREATE, ROLLING_UPDATE),
    "StatefulSet": (ON_DELETE, ROLLING_UPDATE),
    "DaemonSet": (ON_DELETE, ROLLING_UPDATE),
}
_ROLLING_KINDS = frozenset(_STRATEGY_TYPES)


@dataclass(frozen=True, slots=True)
class IntOrPercent:
    """``intstr.IntOrString`` as the rollout fields use it: a count, or a percentage (``"25%"``).

    >>> IntOrPercent(25, True).scaled(10, round_up=True), IntOrPercent(25, True).scaled(10, round_up=False)
    (3, 2)
    """

    amount: int
    percent: bool = False

    def __str__(self) -> str:
        return f"{self.amount}%" if self.percent else str(self.amount)

    def to_json(self) -> int | str:
        """As the API server prints it: a JSON number, or the percentage string."""
        return str(self) if self.percent else self.amount

    def scaled(self, total: int, *, round_up: bool) -> int:
        """``intstr.GetScaledValueFromIntOrPercent``: a percentage of ``total``, rounded up or down.

        Go computes ``math.Ceil(float64(value) * float64(total) / 100)``; for int32 operands the
        product is exact and a non-multiple of 100 divided by 100 is never rounded to an
        integer, so integer division gives the same number.
        """
        if not self.percent:
            return self.amount
        product = self.amount * total
        return -(-product // 100) if round_up else product // 100


def resolve_fenceposts(
    max_surge: IntOrPercent | None, max_unavailable: IntOrPercent | None, desired: int
) -> tuple[int, int]:
    """``ResolveFenceposts``: (surge, unavailable) pods for ``desired`` replicas.

    A missing value counts as 0 (``intstr.ValueOrDefault(..., FromInt32(0))``).

    >>> resolve_fenceposts(IntOrPercent(39, True), IntOrPercent(39, True), 10)
    (4, 3)
    >>> resolve_fenceposts(IntOrPercent(0, True), IntOrPercent(0, True), 0)
    (0, 1)
    """
    surge = (max_surge or IntOrPercent(0)).scaled(desired, round_up=True)
    unavailable = (max_unavailable or IntOrPercent(0)).scaled(desired, round_up=False)
    if surge == 0 and unavailable == 0:
        # "If both fenceposts resolve to zero, then we should set maxUnavailable to 1 on the
        # theory that surge might not work due to quota."
        unavailable = 1
    return surge, unavailable


def _intorstr_go(value: IntOrPercent | object) -> str:
    """An IntOrString as ``field.Invalid`` prints it (``%#v`` of the struct)."""
    if isinstance(value, IntOrPercent):
        if value.percent:
            return f'intstr.IntOrString{{Type:1, IntVal:0, StrVal:"{value.amount}%"}}'
        return f'intstr.IntOrString{{Type:0, IntVal:{value.amount}, StrVal:""}}'
    return f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_value(str(value))}}}"


@dataclass(frozen=True, slots=True)
class RolloutStrategy:
    """A workload's update strategy after the API server's defaulting."""

    type: str
    max_surge: IntOrPercent | None = None
    max_unavailable: IntOrPercent | None = None
    #: StatefulSet ``rollingUpdate.partition``: ordinals below it keep their old pods.
    partition: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The strategy's fields; maxSurge and maxUnavailable as text (``"25%"``, ``"1"``)."""
        result: dict[str, Any] = {"type": self.type}
        if self.max_surge is not None:
            result["maxSurge"] = str(self.max_surge)
        if self.max_unavailable is not None:
            result["maxUnavailable"] = str(self.max_unavailable)
        if self.partition is not None:
            result["partition"] = self.partition
        return result


class _StrategyReader(SchedulingReader):
    def int_or_percent(self, value: object, where: Location) -> IntOrPercent | None:
        """An IntOrString field, validated as ``ValidatePositiveIntOrPercent`` does."""
        if value is None:
            return None
        if isinstance(value, bool) or (isinstance(value, ExactNumber) and value != int(value)):
            self.shape(where, 'an integer or a percentage string such as "25%"', value)
            return None
        if isinstance(value, int | ExactNumber):
            number = int(value)
            if not INT32_MIN <= number <= INT32_MAX:
                self.shape(where, "an integer that fits in 32 bits", value)
                return None
            if number < 0:
                self.refuse(
                    where,
                    f"{number}: must be greater than or equal to 0",
                    f"{where.k8s}: Invalid value: {number}: must be greater than or equal to 0",
                    value,
                )
                return None
            return IntOrPercent(number)
        if isinstance(value, str):
            if not _PERCENT.fullmatch(value):
                hint = None
                if value.isdigit():
                    hint = f"write {value}% for a percentage, or the number {value} unquoted"
                self.refuse(
                    where,
                    f"{go_value(value)}: {PERCENT_MESSAGE}",
                    f"{where.k8s}: Invalid value: {_intorstr_go(value)}: {PERCENT_MESSAGE}",
                    value,
                    hint,
                )
                return None
            return IntOrPercent(int(value[:-1]), True)
        self.shape(where, 'an integer or a percentage string such as "25%"', value)
        return None

    def at_most_100_percent(self, value: IntOrPercent | None, where: Location) -> None:
        """``IsNotMoreThan100Percent``."""
        if value is not None and value.percent and value.amount > 100:
            self.refuse(
                where,
                f"{value}: must not be greater than 100%",
                f"{where.k8s}: Invalid value: {_intorstr_go(value)}: must not be greater than 100%",
                str(value),
            )


def read_int_or_percent(value: object, path: str) -> IntOrPercent | None:
    """A maxSurge/maxUnavailable value given by itself (a GET parameter ``max_surge=25%``):
    an integer (JSON number or digits) or a percentage; :class:`ManifestError` at ``path`` otherwise.

    >>> read_int_or_percent("25%", "max_surge"), read_int_or_percent("2", "max_surge")
    (IntOrPercent(amount=25, percent=True), IntOrPercent(amount=2, percent=False))
    """
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    reader = _StrategyReader()
    found = reader.int_or_percent(value, Location(path, path))
    problems = [*reader.problems, *reader.invalid]
    if problems:
        raise ManifestError(problems)
    return found


def read_strategy(obj: Mapping[str, Any], kind: str, path: str = "") -> RolloutStrategy:
    """The update strategy of a Deployment, StatefulSet or DaemonSet, defaulted and validated
    as the API server does (``SetDefaults_*``, ``ValidateDeploymentStrategy``,
    ``ValidateRollingUpdateDeployment``, ``ValidateRollingUpdateDaemonSet``, the StatefulSet's
    ``partition``); :class:`ManifestError` lists every problem. Other kinds have none.

    >>> read_strategy({"spec": {"updateStrategy": {"rollingUpdate": {"maxSurge": 1}}}}, "DaemonSet")
    Traceback (most recent call last):
    ...
    quantities.manifest.problems.ManifestError: DaemonSet: spec.updateStrategy.rollingUpdate.maxSurge: \
1: may not be set when maxUnavailable is non-zero
    """
    if kind not in _ROLLING_KINDS:
        return RolloutStrategy("")
    reader = _StrategyReader(f'{kind} "{_name(obj)}"' if _name(obj) else kind)
    root = Location(path, "")
    spec_at = root.child("spec")
    spec = reader.obj(obj.get("spec"), spec_at) or {}
    field_name = "strategy" if kind == "Deployment" else "updateStrategy"
    strategy_at = spec_at.child(field_name)
    strategy = reader.obj(spec.get(field_name), strategy_at) or {}
    type_at = strategy_at.child("type")
    chosen = reader.text(strategy.get("type"), type_at) or ROLLING_UPDATE
    rolling_at = strategy_at.child("rollingUpdate")
    rolling = reader.obj(strategy.get("rollingUpdate"), rolling_at)
    result = RolloutStrategy(chosen)
    if chosen not in _STRATEGY_TYPES[kind]:
        reader.unsupported(type_at, chosen, _STRATEGY_TYPES[kind])
    elif chosen != ROLLING_UPDATE:
        if rolling is not None:
            # ValidateDeploymentStrategy; the StatefulSet and DaemonSet validation say the same.
            detail = f"may not be specified when strategy `type` is '{chosen}'"
            reader.refuse(rolling_at, detail, f"{rolling_at.k8s}: Forbidden: {detail}")
    elif kind == "Deployment":
        result = _deployment_rolling(reader, rolling or {}, rolling_at)
    elif kind == "DaemonSet":
        result = _daemonset_rolling(reader, rolling or {}, rolling_at)
    else:
        result = _statefulset_rolling(reader, rolling or {}, rolling_at)
    problems = [*reader.problems, *reader.invalid]
    if problems:
        raise ManifestError(problems)
    return result


def _name(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else ""


def _deployment_rolling(reader: _StrategyReader, rolling: Mapping[str, Any], at: Location) -> RolloutStrategy:
    """``SetDefaults_Deployment`` (25% and 25%) and ``ValidateRollingUpdateDeployment``."""
    surge_at, unavailable_at = at.child("maxSurge"), at.child("maxUnavailable")
    given_surge = reader.int_or_percent(rolling.get("maxSurge"), surge_at)
    given_unavailable = reader.int_or_percent(rolling.get("maxUnavailable"), unavailable_at)
    surge = given_surge if rolling.get("maxSurge") is not None else IntOrPercent(25, True)
    unavailable = given_unavailable if rolling.get("maxUnavailable") is not None else IntOrPercent(25, True)
    if surge is not None and unavailable is not None and surge.amount == 0 and unavailable.amount == 0:
        detail = "may not be 0 when `maxSurge` is 0"
        reader.refuse(
            unavailable_at,
            f"{unavailable}: {detail}",
            f"{unavailable_at.k8s}: Invalid value: {_intorstr_go(unavailable)}: {detail}",
            unavailable.to_json(),
        )
    reader.at_most_100_percent(unavailable, unavailable_at)
    return RolloutStrategy(ROLLING_UPDATE, surge, unavailable)


def _daemonset_rolling(reader: _StrategyReader, rolling: Mapping[str, Any], at: Location) -> RolloutStrategy:
    """``SetDefaults_DaemonSet`` (maxUnavailable 1, maxSurge 0) and ``ValidateRollingUpdateDaemonSet``."""
    surge_at, unavailable_at = at.child("maxSurge"), at.child("maxUnavailable")
    given_surge = reader.int_or_percent(rolling.get("maxSurge"), surge_at)
    given_unavailable = reader.int_or_percent(rolling.get("maxUnavailable"), unavailable_at)
    surge = given_surge if rolling.get("maxSurge") is not None else IntOrPercent(0)
    unavailable = given_unavailable if rolling.get("maxUnavailable") is not None else IntOrPercent(1)
    reader.at_most_100_percent(unavailable, unavailable_at)
    reader.at_most_100_percent(surge, surge_at)
    if surge is not None and unavailable is not None:
        # "Validate exactly one of MaxSurge or MaxUnavailable is non-zero".
        if surge.amount and unavailable.amount:
            detail = "may not be set when maxUnavailable is non-zero"
            reader.refuse(
                surge_at,
                f"{surge}: {detail}",
                f"{surge_at.k8s}: Invalid value: {_intorstr_go(surge)}: {detail}",
                surge.to_json(),
            )
        elif not surge.amount and not unavailable.amount:
            detail = "cannot be 0 when maxSurge is 0"
            reader.required(unavailable_at, detail, detail)
    return RolloutStrategy(ROLLING_UPDATE, surge, unavailable)


def _statefulset_rolling(
    reader: _StrategyReader, rolling: Mapping[str, Any], at: Location
) -> RolloutStrategy:
    """``SetDefaults_StatefulSet`` (partition 0); a StatefulSet does not surge. ``maxUnavailable``
    (MaxUnavailableStatefulSet) only changes how many ordinals are replaced at once."""
    partition_at = at.child("partition")
    partition = reader.integer(rolling.get("partition"), partition_at)
    if partition is not None and partition < 0:
        reader.invalid_value(partition_at, partition, "must be greater than or equal to 0")
    unavailable = reader.int_or_percent(rolling.get("maxUnavailable"), at.child("maxUnavailable"))
    return RolloutStrategy(ROLLING_UPDATE, None, unavailable, partition or 0)


def single_workload_object(
    objects: Mapping[str, Any] | Iterable[Any], path: str = ""
) -> tuple[Workload, Mapping[str, Any]]:
    """The one workload in ``objects`` (an object, a ``List`` or several documents) and the object
    that holds it; :class:`ManifestError` when there is none or several.

    A compact workload (``{"name": "web", "replicas": 3, "cpu": "500m"}``) is a Deployment with
    the default strategy.
    """
    given: Any = objects
    if not isinstance(objects, Mapping) and isinstance(objects, Iterable) and not isinstance(objects, str):
        given = list(objects)
        if len(given) == 1:
            given = given[0]
    found: list[tuple[Workload, Mapping[str, Any]]] = []
    problems: list[Problem] = []
    single = isinstance(given, Mapping) and not is_list(given)
    for where, obj in [(path, given)] if single else located_items(given, path):
        if not isinstance(obj, Mapping):
            problems.append(Problem(where, "expected a Kubernetes object"))
            continue
        try:
            workloads = workloads_in(obj, path=where)
        except ManifestError as error:
            problems.extend(error.problems)
            continue
        found.extend((workload, obj) for workload in workloads)
    if problems:
        raise PodValidationError(problems)
    if len(found) != 1:
        message = f"expected one pod or workload, found {len(found)}"
        raise ManifestError([Problem(path, message)])
    return found[0]


@dataclass(frozen=True, slots=True)
class Rollout:
    """How many pods a workload runs at the peak of a rollout, and whether the nodes take them."""

    name: str
    kind: str
    namespace: str
    strategy: RolloutStrategy
    #: The pods the workload runs when no rollout is under way (a DaemonSet: its eligible nodes;
    #: None when they are not known).
    replicas: int | None
    #: The resolved fenceposts (None where the strategy has none).
    max_surge: int | None
    max_unavailable: int | None
    #: The most pods at once during a rollout (None for a DaemonSet whose nodes are not known).
    peak_pods: int | None
    explanation: tuple[str, ...]
    kubernetes_version: str
    #: Whether the peak's pods all fit the nodes (None when no nodes were given).
    fits_nodes: bool | None = None
    #: The scheduler's FailedScheduling message for the first peak pod that fits nowhere.
    nodes_message: str | None = None
    #: How many of the peak's pods the plan placed (None when no nodes were given).
    placed: int | None = None

    CSV_HEADER = (
        "workload", "kind", "strategy", "replicas", "max_surge", "max_unavailable", "peak_pods",
        "placed", "fits_nodes", "message",
    )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "name": self.name,
            "kind": self.kind,
            "namespace": self.namespace,
            "strategy": self.strategy.to_json(),
            "replicas": self.replicas,
            "max_surge": self.max_surge,
            "max_unavailable": self.max_unavailable,
            "peak_pods": self.peak_pods,
            "fits_nodes": self.fits_nodes,
            "placed": self.placed,
            "message": self.nodes_message,
            "explanation": list(self.explanation),
        }

    def csv_row(self) -> tuple[str, ...]:
        def cell(value: object) -> str:
            if value is None:
                return ""
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        return tuple(
            cell(value)
            for value in (
                self.name, self.kind, self.strategy.type, self.replicas, self.max_surge,
                self.max_unavailable, self.peak_pods, self.placed, self.fits_nodes, self.nodes_message,
            )
        )  # fmt: skip

    def text(self) -> str:
        """One line for people and spreadsheet cells."""
        if self.peak_pods is None:
            return f"{self.kind} {self.name}: one pod per eligible node; give the nodes to count them"
        head = f"peak {self.peak_pods} pods"
        if self.fits_nodes is None:
            return head
        if self.fits_nodes:
            return f"{head}: fits the nodes"
        return f"{head}: {self.placed} placed; {self.nodes_message}"


def _peak(
    workload: Workload, strategy: RolloutStrategy, replicas: int | None
) -> tuple[int | None, int | None, int | None, list[str]]:
    """(surge, unavailable, peak, explanation) for ``replicas`` pods."""
    kind = workload.kind
    if replicas is None:
        return (
            None,
            None,
            None,
            [
                "a DaemonSet runs one pod per eligible node: give the nodes (or their number) "
                "to count its peak"
            ],
        )
    if kind == "Deployment" and strategy.type == ROLLING_UPDATE:
        surge, unavailable = resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, replicas)
        lines = [
            f"RollingUpdate: maxSurge {strategy.max_surge} of {replicas} replicas is {surge} "
            "(ResolveFenceposts: a percentage rounds up), "
            f"maxUnavailable {strategy.max_unavailable} is {unavailable} (a percentage rounds down"
            + ("; both 0, so maxUnavailable is 1" if unavailable == 1 and surge == 0 else "")
            + ")",
            f"peak = replicas + maxSurge = {replicas} + {surge} = {replicas + surge} pods (NewRSNewReplicas)",
        ]
        # MaxUnavailable(deployment) is never more than the replicas.
        return surge, min(unavailable, replicas), replicas + surge, lines
    if kind == "Deployment":
        line = f"Recreate: the old pods are deleted before new ones start: {replicas} pods"
        return 0, replicas, replicas, [line]
    if kind == "DaemonSet" and strategy.type == ROLLING_UPDATE:
        assert strategy.max_surge is not None and strategy.max_unavailable is not None
        surge = min(strategy.max_surge.scaled(replicas, round_up=True), replicas)
        unavailable = strategy.max_unavailable.scaled(replicas, round_up=True)
        if surge:
            lines = [
                f"RollingUpdate with maxSurge {strategy.max_surge}: {surge} of {replicas} nodes at a time "
                "run the new pod beside the old one (SurgeCount: a percentage rounds up)",
                f"peak = nodes + surge = {replicas} + {surge} = {replicas + surge} pods; every node "
                "must hold two copies when its turn comes",
            ]
        else:
            lines = [
                f"RollingUpdate with maxUnavailable {strategy.max_unavailable}: the old pod is deleted "
                f"before the new one starts, {unavailable} node(s) at a time: {replicas} pods"
            ]
        return surge, unavailable, replicas + surge, lines
    if kind == "StatefulSet":
        if strategy.type == ROLLING_UPDATE:
            kept = (
                f" (ordinals below partition {strategy.partition} keep their pods)"
                if strategy.partition
                else ""
            )
            line = (
                f"RollingUpdate: each pod is deleted before its replacement starts{kept}: "
                f"never more than {replicas} pods"
            )
        else:
            line = f"OnDelete: a pod is replaced only after it is deleted: {replicas} pods"
        return 0, None, replicas, [line]
    if kind == "DaemonSet":
        return 0, None, replicas, [f"OnDelete: a pod is replaced only after it is deleted: {replicas} pods"]
    return None, None, replicas, [f"a {kind} has no rollout: its {replicas} pods"]


def rollout(
    workload: Mapping[str, Any] | Iterable[Any],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot | None = None,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    eligible_nodes: int | None = None,
    path: str = "",
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> Rollout:
    """The peak pod count of ``workload``'s rollout and, given ``nodes``, whether it fits them.

    ``workload`` is one Deployment, StatefulSet, DaemonSet (or other workload) manifest, or a
    compact workload (a Deployment with the default strategy). A DaemonSet's pod count is its
    eligible nodes: from ``nodes``, or ``eligible_nodes`` when no nodes are given. ``pods`` are
    the pods already running on the nodes. The template is validated as the API server would
    (:class:`PodValidationError`), the strategy too.

    >>> from quantities.node.compact import compact_node
    >>> web = {"name": "web", "replicas": 4, "cpu": "1"}
    >>> r = rollout(web, [compact_node("n1", cpu="4", memory="8Gi")])
    >>> r.peak_pods, r.fits_nodes, r.placed
    (5, False, 4)
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    found, obj = single_workload_object(workload, path)
    strategy = RolloutStrategy(ROLLING_UPDATE, IntOrPercent(25, True), IntOrPercent(25, True))
    if found.kind in _ROLLING_KINDS and not is_compact(obj):
        strategy = read_strategy(obj, found.kind, found.path)
    elif found.kind not in _ROLLING_KINDS:
        strategy = RolloutStrategy("")
    replicas = found.replicas
    node_list: list[Any] | Snapshot | None = None
    if nodes is not None:
        node_list = nodes if isinstance(nodes, Snapshot) else list(nodes)
        pods = list(pods)
    if found.is_daemonset:
        if node_list is not None:
            replicas = plan([found], node_list, pods, options=options).workloads[0].replicas
        else:
            replicas = eligible_nodes
    surge, unavailable, peak, lines = _peak(found, strategy, replicas)
    result = Rollout(
        found.name,
        found.kind,
        found.namespace,
        strategy,
        replicas,
        surge,
        unavailable,
        peak,
        tuple(lines),
        str(options.version),
    )
    if node_list is None or peak is None:
        return result
    return _check_nodes(result, found, node_list, pods, options)


def _check_nodes(
    result: Rollout, found: Workload, nodes: list[Any] | Snapshot, pods: Iterable[Any], options: Options
) -> Rollout:
    """The plan of the peak's pods on the nodes."""
    assert result.peak_pods is not None
    if found.is_daemonset:
        copies = [found]
        if result.max_surge:
            copies.append(dataclasses.replace(found, name=f"{found.name}-surge"))
        outcome = plan(copies, nodes, pods, options=options).workloads
        placed = sum(w.placed for w in outcome)
        message = next((w.message for w in outcome if w.message), None)
        wanted = sum(w.replicas for w in outcome)
        line = (
            f"the nodes take {placed} of the {wanted} pods (two per node while surging)"
            if result.max_surge
            else f"the nodes take {placed} of the {wanted} pods"
        )
    else:
        peak_workload = dataclasses.replace(found, replicas=result.peak_pods)
        outcome = plan([peak_workload], nodes, pods, options=options).workloads
        placed, message, wanted = outcome[0].placed, outcome[0].message, result.peak_pods
        line = f"the scheduler places {placed} of the {wanted} peak pods (old and new pods alike)"
    return dataclasses.replace(
        result,
        fits_nodes=placed >= wanted,
        nodes_message=message if placed < wanted else None,
        placed=placed,
        explanation=(*result.explanation, line),
    )
