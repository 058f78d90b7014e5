"""What a node has left: the "Non-terminated Pods" and "Allocated resources" of ``kubectl describe node``.

:func:`node_allocated` computes both sections figure for figure as kubectl of
the chosen Kubernetes release does (``describeNodeResource``; ``kubernetes_version``,
default the process default):

* the pods are those bound to the node (``spec.nodeName``) whose phase is
  not ``Succeeded`` or ``Failed``, in the API server's order (by
  ``namespace/name``);
* a pod's requests and limits are kubectl's own ``PodRequestsAndLimits`` of
  that release (:mod:`quantities.node.kubectl_requests`): the containers' sum,
  sidecars added (1.29+), init containers as a maximum, overhead added to
  requests and to non-zero limits; running containers count their resize
  status as that release reads it (``allocatedResources`` 1.29-1.31,
  ``status.resources`` 1.32, the larger of both and the spec 1.33-1.35); on
  1.36 pod-level ``spec.resources`` counts and the rows (not the totals) read
  the status;
* the pod is summed as stored: kubectl applies no defaulting, so ``500u``
  stays ``500u`` and a limit does not stand in for a missing request;
* totals add the pods' quantities, and a sum is written in the notation of
  its first term (``Quantity.Add`` keeps the receiver's format);
* a percentage is ``int64(float64(value) / float64(allocatable) * 100)``:
  divide first, truncate toward zero; cpu in thousandths, the rest in units.
  Totals print 0% when allocatable is 0; per-pod rows do not guard and print
  what Go does on amd64 (-9223372036854775808);
* allocatable is ``status.allocatable``, or ``status.capacity`` if empty.

:meth:`NodeAllocation.describe` writes the two sections in kubectl's layout,
aligned as kubectl aligns them, Age column included.

>>> node = {"metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "10", "memory": "8029368Ki"}}}
>>> pod = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"nodeName": "n1",
...     "containers": [{"name": "c", "resources": {"requests": {"cpu": "10m", "memory": "5Gi"}}}]}}
>>> allocation = node_allocated(node, [pod])
>>> allocation.total("memory").requests_text
'5Gi (65%)'
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from quantities.manifest.fields import json_type
from quantities.manifest.kinds import is_list_object
from quantities.manifest.problems import ManifestError, Problem
from quantities.node.kubectl_requests import KubectlPodResources, kubectl_pod_resources
from quantities.node.model import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, Node, is_hugepages, read_node
from quantities.node.tabwriter import tabulate
from quantities.options import DEFAULT_OPTIONS, InputTooLarge, Options, resolve_options
from quantities.pod.defaults import apply_defaults, without_pod_level_resources
from quantities.pod.read import read_pod
from quantities.pod.scheduling import Location, SchedulingReader
from quantities.pod.validation import check_pod
from quantities.quantity.goint import INT64_MIN
from quantities.quantity.quantity import Quantity
from quantities.versions import KubernetesVersion

__all__ = [
    "NodeAllocation",
    "PodAllocation",
    "ResourceAllocation",
    "human_duration",
    "kubectl_pod_requests_and_limits",
    "node_allocated",
    "percent",
]

_ZERO = Quantity.from_int(0)
_STANDARD = (CPU, MEMORY, EPHEMERAL_STORAGE)

# kubectl describe node writes these "System Info" lines right before the pods table, in the same
# tabwriter block: the widest, "  Container Runtime Version:", sets the first column's width.
_SYSTEM_INFO_LABELS = (
    "  Machine ID:",
    "  System UUID:",
    "  Boot ID:",
    "  Kernel Version:",
    "  OS Image:",
    "  Operating System:",
    "  Architecture:",
    "  Container Runtime Version:",
    "  Kubelet Version:",
    "  Kube-Proxy Version:",
)


def percent(value: int, total: int, guard: bool = True) -> int:
    """``int64(float64(value) / float64(total) * 100)``, as Go computes it on amd64.

    >>> percent(960, 10000), percent(29, 100), percent(1, 0), percent(1, 0, guard=False)
    (9, 28, 0, -9223372036854775808)
    """
    if total == 0:
        return 0 if guard else INT64_MIN
    fraction = float(value) / float(total) * 100
    if fraction != fraction or abs(fraction) >= 2.0**63:
        return INT64_MIN
    return int(fraction)


def human_duration(seconds_elapsed: float) -> str:
    """apimachinery ``duration.HumanDuration``: kubectl's Age column.

    >>> [human_duration(s) for s in (5, 119, 150, 600, 3 * 3600 + 120, 50 * 3600, 400 * 86400)]
    ['5s', '119s', '2m30s', '10m', '3h2m', '2d2h', '400d']
    """
    seconds = int(seconds_elapsed)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def _parse_timestamp(text: object) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _stored_requests_and_limits(
    pod: Mapping[str, Any], label: str, options: Options
) -> tuple[KubectlPodResources, tuple[Problem, ...]]:
    """kubectl's sums on a pod as stored, and what today's validation would refuse in it (warnings).

    A stored pod is summed as it is: a request above its limit, hugepages alone,
    resources on an ephemeral container (never summed) are what the cluster runs.
    Fields of the wrong JSON type raise :class:`~quantities.manifest.problems.ManifestError`.
    """
    read = read_pod(pod, strict=False)
    if read.problems:
        raise ManifestError([replace(problem, source=label) for problem in read.problems])
    checked = read if options.pod_level_resources else without_pod_level_resources(read)
    warnings = [replace(problem, source=label) for problem in check_pod(apply_defaults(checked))]
    summed = kubectl_pod_resources(pod, options.behaviour, read, label)
    if summed.crash is not None:
        warnings.append(summed.crash)
    return summed, tuple(warnings)


def kubectl_pod_requests_and_limits(
    pod: Mapping[str, Any],
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """The row of ``pod`` in ``kubectl describe node``: kubectl's own ``PodRequestsAndLimits``
    of the release (:mod:`quantities.node.kubectl_requests`).

    The pod is summed as stored (no defaulting: ``500u`` stays ``500u``), with the
    status fields that release's kubectl reads.

    >>> pod = {"metadata": {"name": "web"}, "spec": {"containers": [
    ...     {"name": "c", "resources": {"requests": {"cpu": "100m"}}}]}, "status": {"containerStatuses": [
    ...     {"name": "c", "allocatedResources": {"cpu": "250m"},
    ...      "resources": {"requests": {"cpu": "200m"}}}]}}
    >>> releases = ("1.28", "1.31", "1.32", "1.33")
    >>> [str(kubectl_pod_requests_and_limits(pod, kubernetes_version=v)[0]["cpu"]) for v in releases]
    ['100m', '250m', '200m', '250m']
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    summed, _ = _stored_requests_and_limits(pod, "Pod", options)
    return summed.requests, summed.limits


@dataclass(frozen=True, slots=True)
class ResourceAllocation:
    """One resource's requests and limits against allocatable, with kubectl's percentages."""

    resource: str
    requests: Quantity
    limits: Quantity
    allocatable: Quantity | None
    requests_percent: int | None
    limits_percent: int | None

    @property
    def requests_text(self) -> str:
        """As kubectl prints it: ``960m (9%)``, or ``1`` for an extended resource."""
        if self.requests_percent is None:
            return str(self.requests)
        return f"{self.requests} ({self.requests_percent}%)"

    @property
    def limits_text(self) -> str:
        if self.limits_percent is None:
            return str(self.limits)
        return f"{self.limits} ({self.limits_percent}%)"

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "requests": str(self.requests),
            "limits": str(self.limits),
            "allocatable": str(self.allocatable) if self.allocatable is not None else None,
            "requests_percent": self.requests_percent,
            "limits_percent": self.limits_percent,
        }


def _scaled(resource: str, quantity: Quantity) -> int:
    return quantity.int64_milli_value() if resource == CPU else quantity.int64_value()


def _allocation(
    resource: str, requests: Quantity, limits: Quantity, allocatable: Mapping[str, Quantity], guard: bool
) -> ResourceAllocation:
    total = allocatable.get(resource)
    amount = _scaled(resource, total) if total is not None else 0
    return ResourceAllocation(
        resource,
        requests,
        limits,
        total,
        percent(_scaled(resource, requests), amount, guard),
        percent(_scaled(resource, limits), amount, guard),
    )


@dataclass(frozen=True, slots=True)
class PodAllocation:
    """A row of "Non-terminated Pods": the pod's cpu and memory requests and limits."""

    namespace: str
    name: str
    cpu: ResourceAllocation
    memory: ResourceAllocation
    requests: Mapping[str, Quantity]
    limits: Mapping[str, Quantity]
    created: dt.datetime | None

    def age(self, now: dt.datetime | None = None) -> str:
        """kubectl's Age column; ``<unknown>`` without a creationTimestamp."""
        if self.created is None:
            return "<unknown>"
        now = now or dt.datetime.now(dt.UTC)
        return human_duration((now - self.created).total_seconds())

    def to_json(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "name": self.name,
            "cpu": self.cpu.to_json(),
            "memory": self.memory.to_json(),
            "requests": {name: str(q) for name, q in self.requests.items()},
            "limits": {name: str(q) for name, q in self.limits.items()},
            "created": self.created.isoformat() if self.created else None,
        }


@dataclass(frozen=True, slots=True)
class NodeAllocation:
    """The "Non-terminated Pods" and "Allocated resources" sections of one node."""

    node: str
    allocatable: Mapping[str, Quantity]
    pods: tuple[PodAllocation, ...]
    resources: tuple[ResourceAllocation, ...]
    #: Oddities of the Node and of its pods as stored (rules only today's API server enforces), and
    #: pods the release's kubectl crashes on.
    warnings: tuple[Problem, ...] = ()
    #: The Kubernetes release whose kubectl these figures are (``"1.32"``).
    kubernetes_version: str = ""

    CSV_HEADER = (
        "node", "resource", "requests", "requests_percent", "limits", "limits_percent", "allocatable"
    )  # fmt: skip

    def total(self, resource: str) -> ResourceAllocation:
        """The "Allocated resources" row of ``resource``."""
        for row in self.resources:
            if row.resource == resource:
                return row
        raise KeyError(resource)

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "name": self.node,
            "allocatable": {name: str(q) for name, q in self.allocatable.items()},
            "pods": [pod.to_json() for pod in self.pods],
            "allocated": [row.to_json() for row in self.resources],
            "warnings": [problem.to_json() for problem in self.warnings],
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        return [
            (
                self.node,
                row.resource,
                str(row.requests),
                "" if row.requests_percent is None else str(row.requests_percent),
                str(row.limits),
                "" if row.limits_percent is None else str(row.limits_percent),
                "" if row.allocatable is None else str(row.allocatable),
            )
            for row in self.resources
        ]

    def describe(self, now: dt.datetime | None = None) -> str:
        """The two sections exactly as ``kubectl describe node`` of the release prints them.

        Column widths are those of the full ``describe`` output, where the pods
        table shares its first column with the "System Info" lines above it.
        """
        lines = [f"{label}\t" for label in _SYSTEM_INFO_LABELS]
        hidden = len(lines)
        lines.append(f"Non-terminated Pods:\t({len(self.pods)} in total)")
        lines.append("  Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge")
        lines.append("  ---------\t----\t\t------------\t----------\t---------------\t-------------\t---")
        for pod in self.pods:
            lines.append(
                f"  {pod.namespace}\t{pod.name}\t\t{pod.cpu.requests_text}\t{pod.cpu.limits_text}\t"
                f"{pod.memory.requests_text}\t{pod.memory.limits_text}\t{pod.age(now)}"
            )
        lines.append("Allocated resources:")
        lines.append("  (Total limits may be over 100 percent, i.e., overcommitted.)")
        lines.append("  Resource\tRequests\tLimits")
        lines.append("  --------\t--------\t------")
        for row in self.resources:
            lines.append(f"  {row.resource}\t{row.requests_text}\t{row.limits_text}")
        text = "\n".join(_escape(line) for line in lines) + "\n"
        return "\n".join(tabulate(text).split("\n")[hidden:])


def _escape(text: str) -> str:
    # printers.WriteEscaped: only ESC and CR are escaped.
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def _sum(total: dict[str, Quantity], values: Mapping[str, Quantity]) -> None:
    for name, q in values.items():
        total[name] = total[name] + q if name in total else q


class _Bound:
    """What kubectl reads to choose and name a pod: its node, phase, namespace, name, age."""

    __slots__ = ("created", "label", "name", "namespace", "node_name", "phase", "pod")

    def __init__(self, pod: object, position: int) -> None:
        where = Location("", "")
        reader = SchedulingReader(f"pods[{position}]")
        fields = reader.obj(pod, where)
        if fields is None:
            message = f"expected a Pod object, got {json_type(pod)}"
            raise ManifestError([Problem("", message, source=reader.source)])
        metadata = reader.obj(fields.get("metadata"), where.child("metadata")) or {}
        spec = reader.obj(fields.get("spec"), where.child("spec")) or {}
        status = reader.obj(fields.get("status"), where.child("status")) or {}
        meta_at = where.child("metadata")
        self.namespace = reader.text(metadata.get("namespace"), meta_at.child("namespace")) or ""
        self.name = reader.text(metadata.get("name"), meta_at.child("name")) or ""
        created = reader.text(metadata.get("creationTimestamp"), meta_at.child("creationTimestamp"))
        self.node_name = reader.text(spec.get("nodeName"), where.child("spec").child("nodeName")) or ""
        self.phase = reader.text(status.get("phase"), where.child("status").child("phase")) or ""
        self.label = f'Pod "{self.namespace}/{self.name}"' if self.name else reader.source
        if reader.problems:
            raise ManifestError([replace(problem, source=self.label) for problem in reader.problems])
        self.created = _parse_timestamp(created)
        self.pod: Mapping[str, Any] = fields


def node_allocated(
    node: Node | Mapping[str, Any],
    pods: Iterable[Mapping[str, Any]],
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> NodeAllocation:
    """The "Non-terminated Pods" and "Allocated resources" of ``node``, as kubectl describe computes them.

    ``kubernetes_version`` (default: the process default) chooses the kubectl release
    whose figures these are; kubectl reads no feature gates, so ``feature_gates`` only
    changes which oddities are warned about.

    ``pods`` may hold every pod of the cluster (``kubectl get pods -A -o
    json`` items): only those bound to the node and not terminated count. Node and
    pods are state: a pod that today's API server would refuse (a request above its
    limit...) is summed as stored, as kubectl sums it, and reported in
    ``allocation.warnings``; a field of the wrong JSON type raises
    :class:`~quantities.manifest.problems.ManifestError` with every problem. Past the
    deadline of ``options``, :class:`~quantities.options.WorkLimitExceeded`.
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    parsed = node if isinstance(node, Node) else read_node(node)
    mine, problems = _pods_on(parsed, pods, options)
    rows: list[PodAllocation] = []
    warnings: list[Problem] = list(parsed.warnings)
    total_requests: dict[str, Quantity] = {}
    total_limits: dict[str, Quantity] = {}
    for number, bound in enumerate(mine):
        if not number % 64:
            options.check_deadline(f'requests of the pods of node "{parsed.name}"', number, len(mine))
        try:
            summed, odd = _stored_requests_and_limits(bound.pod, bound.label, options)
        except ManifestError as error:
            problems.extend(error.problems)
            continue
        warnings.extend(odd)
        _sum(total_requests, summed.total_requests)
        _sum(total_limits, summed.total_limits)
        rows.append(_pod_row(bound, summed.requests, summed.limits, parsed.allocatable))
    if problems:
        raise ManifestError(problems)
    resources = _resource_rows(parsed.allocatable, total_requests, total_limits)
    return NodeAllocation(
        parsed.name, parsed.allocatable, tuple(rows), resources, tuple(warnings), str(options.version)
    )


def _pods_on(
    node: Node, pods: Iterable[Mapping[str, Any]], options: Options
) -> tuple[list[_Bound], list[Problem]]:
    """The pods bound to ``node`` and not terminated, in the API server's order (namespace/name)."""
    problems: list[Problem] = []
    mine: list[_Bound] = []
    for position, pod in enumerate(pods):
        if position >= options.limits.max_pods:
            raise InputTooLarge(f"more than {options.limits.max_pods:,} pods", "pods", position, None)
        if not position % 256:
            options.check_deadline(f'pods of node "{node.name}"', position)
        try:
            bound = _Bound(pod, position)
        except ManifestError as error:
            problems.extend(error.problems)
            continue
        if bound.node_name == node.name and bound.phase not in ("Succeeded", "Failed"):
            mine.append(bound)
    mine.sort(key=lambda bound: f"{bound.namespace}/{bound.name}")
    return mine, problems


def _pod_row(
    bound: _Bound,
    requests: Mapping[str, Quantity],
    limits: Mapping[str, Quantity],
    allocatable: Mapping[str, Quantity],
) -> PodAllocation:
    return PodAllocation(
        namespace=bound.namespace,
        name=bound.name,
        cpu=_allocation(CPU, requests.get(CPU, _ZERO), limits.get(CPU, _ZERO), allocatable, False),
        memory=_allocation(
            MEMORY, requests.get(MEMORY, _ZERO), limits.get(MEMORY, _ZERO), allocatable, False
        ),
        requests=requests,
        limits=limits,
        created=bound.created,
    )


def _resource_rows(
    allocatable: Mapping[str, Quantity], requests: Mapping[str, Quantity], limits: Mapping[str, Quantity]
) -> tuple[ResourceAllocation, ...]:
    """kubectl's "Allocated resources" rows: cpu, memory, ephemeral-storage, hugepages, then extended
    resources (without percentages)."""
    hugepages = sorted(name for name in allocatable if is_hugepages(name))
    extended = sorted(
        name for name in allocatable if name not in _STANDARD and not is_hugepages(name) and name != PODS
    )
    rows = [
        _allocation(name, requests.get(name, _ZERO), limits.get(name, _ZERO), allocatable, True)
        for name in (*_STANDARD, *hugepages)
    ]
    rows.extend(
        ResourceAllocation(
            name, requests.get(name, _ZERO), limits.get(name, _ZERO), allocatable[name], None, None
        )
        for name in extended
    )
    return tuple(rows)


def _object_name(obj: Mapping[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else None


def node_and_pods(
    objects: Iterable[Any],
    node_name: str | None = None,
    how_to_choose: str = "by name",
    *,
    options: Options | None = None,
) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]]:
    """The one Node (or the one named ``node_name``) among ``objects``, and every Pod.

    What ``kubectl get node N -o json`` and ``kubectl get pods -A -o json``
    print, as a List or as several documents; ValueError when the node is not
    found or is ambiguous (the message says to pick one ``how_to_choose``), and
    :class:`~quantities.manifest.problems.ManifestError` when a List's ``items`` is
    not an array. Past the deadline of ``options``, :class:`~quantities.options.WorkLimitExceeded`.
    """
    options = options or DEFAULT_OPTIONS
    nodes: list[Mapping[str, Any]] = []
    pods: list[Mapping[str, Any]] = []
    # A queue in document order: a List's items go to its front (popping the front of a list
    # would cost the whole list for each object).
    pending: deque[tuple[str, Any]] = deque(("", obj) for obj in objects)
    problems: list[Problem] = []
    seen = 0
    while pending:
        seen += 1
        if not seen % 1024:
            options.check_deadline("reading the nodes and pods", seen)
        path, obj = pending.popleft()
        if not isinstance(obj, Mapping):
            continue
        kind = obj.get("kind")
        if kind == "Node":
            nodes.append(obj)
        elif kind == "Pod":
            pods.append(obj)
        elif is_list_object(obj):
            items = obj.get("items")
            items_path = f"{path}.items" if path else "items"
            if not isinstance(items, list):
                message = f"expected an array of objects, got {json_type(items)}"
                problems.append(Problem(items_path, message))
                continue
            pending.extendleft(reversed([(f"{items_path}[{i}]", item) for i, item in enumerate(items)]))
    if problems:
        raise ManifestError(problems)
    if node_name:
        nodes = [n for n in nodes if _object_name(n) == node_name]
        if not nodes:
            raise ValueError(f'no node named "{node_name}"')
    if len(nodes) != 1:
        names = ", ".join(str(_object_name(n)) for n in nodes)
        raise ValueError(
            f"expected one Node, found {len(nodes)}"
            + (f" ({names}); pick one {how_to_choose}" if nodes else "")
        )
    return nodes[0], pods
