"""The numbers a metrics endpoint exports about a cluster: allocation per node, totals, headroom.

Plain exact numbers (:class:`~fractions.Fraction`: cpu in cores, memory and storage in bytes,
pods and extended resources in units), computed from a cluster's objects as ``kubectl get
nodes,pods -A -o json`` prints them, with the definitions of the capacity overview and the
headroom (one definition each):

* per node and resource: **allocatable**, **requests**, **limits** and **free** =
  allocatable − requests, exactly the overview's (:func:`~quantities.capacity.overview.capacity_overview`:
  ``kubectl describe node``'s sums); ``pods`` counts pod slots (allocatable), the
  non-terminated pods bound to the node (requests) and the slots left (free), and has no limits;
* the **total** of the overview: allocatable, requests and limits of every node, free of the
  schedulable nodes only (room new pods can use);
* per probe shape (:mod:`quantities.capacity.probes`): the **headroom**, how many more pods of the
  shape the scheduler would place (:func:`~quantities.capacity.headroom.max_replicas_detail`,
  whose total is :func:`~quantities.scheduler.plan.max_replicas`), per node and in total, and
  the **stranded** capacity per resource (:func:`~quantities.capacity.headroom.stranded_capacity`).

Nothing here knows about Prometheus: the HTTP layer (``api/metrics.py``) writes these numbers as
metrics.

A cluster changes a few objects at a time, and a live cluster holds 150,000 pods. With a
:class:`GaugeMemo` passed from one call to the next, a node whose object and whose pods' objects
are unchanged (byte for byte, as JSON) keeps its row from the previous call, and a pod whose
object is unchanged keeps its scheduler reading: a new state costs what changed, not the cluster.

>>> node = {"kind": "Node", "metadata": {"name": "n1"},
...         "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}
>>> pod = {"kind": "Pod", "metadata": {"name": "a", "namespace": "default"},
...        "spec": {"nodeName": "n1", "containers": [{"name": "c", "resources": {
...            "requests": {"cpu": "1500m", "memory": "1Gi"}}}]}}
>>> from quantities.capacity.probes import parse_probe_shapes
>>> gauges = cluster_gauges([node, pod], parse_probe_shapes("web=500m/1Gi"), kubernetes_version="1.32")
>>> cpu = gauges.nodes[0].resource("cpu")
>>> cpu.allocatable, cpu.requests, cpu.free
(Fraction(4, 1), Fraction(3, 2), Fraction(5, 2))
>>> web = gauges.headroom[0]
>>> web.total, dict(web.stranded)["memory"] == 2 * 2**30
(5, True)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Protocol, cast, runtime_checkable

from quantities.capacity.headroom import max_replicas_detail
from quantities.capacity.overview import CapacityTotal, NodeCapacity, ResourceUse, capacity_overview
from quantities.capacity.probes import ProbeShape
from quantities.manifest.problems import ManifestError, Problem
from quantities.node.model import CPU, PODS, Node, read_node
from quantities.options import Options, resolve_options
from quantities.scheduler.framework.nodeinfo import Snapshot as SchedulerSnapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.versions import KubernetesVersion

__all__ = [
    "ClusterGauges",
    "GaugeMemo",
    "NodeGauges",
    "ResourceGauge",
    "ShapeHeadroom",
    "cluster_gauges",
    "unit_of",
]


def unit_of(resource: str) -> str:
    """The unit of a resource's numbers: ``core`` (cpu), ``byte`` (memory, storage), else ``integer``.

    >>> [unit_of(name) for name in ("cpu", "memory", "hugepages-2Mi", "pods", "nvidia.com/gpu")]
    ['core', 'byte', 'byte', 'integer', 'integer']
    """
    if resource == CPU:
        return "core"
    if resource in ("memory", "ephemeral-storage", "storage") or resource.startswith("hugepages-"):
        return "byte"
    return "integer"


@dataclass(frozen=True, slots=True)
class ResourceGauge:
    """One resource of a node (or of the total): its numbers in the resource's unit (:func:`unit_of`)."""

    resource: str
    allocatable: Fraction
    requests: Fraction
    #: None for pods (a pod slot has no limit).
    limits: Fraction | None
    free: Fraction

    @staticmethod
    def of(use: ResourceUse) -> ResourceGauge:
        return ResourceGauge(
            use.resource,
            use.allocatable.to_fraction(),
            use.requests.to_fraction(),
            use.limits.to_fraction(),
            use.free.to_fraction(),
        )


def _pods_gauge(allocatable: int, used: int, free: int) -> ResourceGauge:
    return ResourceGauge(PODS, Fraction(allocatable), Fraction(used), None, Fraction(free))


@dataclass(frozen=True, slots=True)
class NodeGauges:
    """One node: schedulable or not, and its resources (pods first, then as the overview lists them)."""

    name: str
    schedulable: bool
    resources: tuple[ResourceGauge, ...]

    @staticmethod
    def of(row: NodeCapacity) -> NodeGauges:
        pods = _pods_gauge(row.pods_allocatable, row.pods_used, row.pods_free)
        resources = (pods, *(ResourceGauge.of(use) for use in row.resources))
        return NodeGauges(row.name, row.schedulable, resources)

    def resource(self, name: str) -> ResourceGauge | None:
        return next((gauge for gauge in self.resources if gauge.resource == name), None)


@dataclass(frozen=True, slots=True)
class ShapeHeadroom:
    """How many more pods of one probe shape the scheduler would place, and what stays stranded."""

    shape: ProbeShape
    total: int
    #: (node name, copies it takes), every node.
    per_node: tuple[tuple[str, int], ...]
    #: (resource, amount summed over the nodes) in the resource's unit: free capacity no further
    #: pod of this shape can use.
    stranded: tuple[tuple[str, Fraction], ...]


@dataclass(frozen=True, slots=True)
class ClusterGauges:
    """Every number of one cluster state (see the module)."""

    kubernetes_version: str
    nodes: tuple[NodeGauges, ...]
    total: tuple[ResourceGauge, ...]
    schedulable_nodes: int
    headroom: tuple[ShapeHeadroom, ...]
    #: Objects left out because no API server could have stored them (a field of the wrong JSON type).
    skipped: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class _WithProblems:
    """A node's row computed without the pods listed in ``problems``."""

    row: NodeCapacity
    problems: tuple[Problem, ...]


_Row = NodeCapacity | tuple[Problem, ...] | _WithProblems


@dataclass
class GaugeMemo:
    """What one call of :func:`cluster_gauges` computed that the next may reuse (one generation's worth)."""

    #: Pod JSON -> its spec.nodeName ("" when unbound, None when the object is unreadable).
    node_of: dict[bytes, str | None] = field(default_factory=dict)
    #: (node JSON, its pods' JSON) -> the node's overview row, or why it was left out.
    rows: dict[tuple[bytes, tuple[bytes, ...]], _Row] = field(default_factory=dict)
    #: Pod JSON -> the scheduler's reading of it (or why it was left out).
    pod_infos: dict[bytes, PodInfo | tuple[Problem, ...]] = field(default_factory=dict)
    #: The release and feature gates the readings are for (another release reads afresh).
    release: tuple[str, tuple[tuple[str, bool], ...]] | None = None


@runtime_checkable
class _EncodedItems(Protocol):
    """A sequence of objects that keeps each as compact JSON, grouped by kind (a live snapshot's items)."""

    def encoded(self, index: int) -> bytes: ...

    def span(self, kind: str) -> range: ...


class _Objects:
    """The nodes and pods of a sequence of objects, each with its JSON (the memo's key)."""

    def __init__(self, items: Sequence[Mapping[str, Any]] | Iterable[Mapping[str, Any]]) -> None:
        self.nodes: list[tuple[bytes, Callable[[], Any]]] = []
        self.pods: list[tuple[bytes, Callable[[], Any]]] = []
        if isinstance(items, _EncodedItems) and isinstance(items, Sequence):
            encoded = cast(_EncodedItems, items)
            for name, found in (("Node", self.nodes), ("Pod", self.pods)):
                for position in encoded.span(name):
                    found.append((encoded.encoded(position), _loader(items, position)))
            return
        for obj in items:
            kind: object = obj.get("kind") if isinstance(obj, Mapping) else None
            target = self.nodes if kind == "Node" else self.pods if kind == "Pod" else None
            if target is not None:
                text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode()
                target.append((text, _constant(obj)))


def _loader(items: Sequence[Mapping[str, Any]], position: int) -> Callable[[], Any]:
    return lambda: items[position]


def _constant(obj: object) -> Callable[[], Any]:
    return lambda: obj


def _node_name(obj: object) -> str | None:
    metadata = obj.get("metadata") if isinstance(obj, Mapping) else None
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else None


def _bound_to(obj: object) -> str | None:
    """A pod's ``spec.nodeName`` ("" when unbound; None when the pod cannot be read that far)."""
    spec = obj.get("spec") if isinstance(obj, Mapping) else None
    if spec is None:
        return ""
    if not isinstance(spec, Mapping):
        return None
    name = spec.get("nodeName")
    if name is None:
        return ""
    return name if isinstance(name, str) else None


def _source(kind: str, obj: object) -> str:
    metadata = obj.get("metadata") if isinstance(obj, Mapping) else None
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str):
        return kind
    return f'{kind} "{namespace}/{name}"' if isinstance(namespace, str) and namespace else f'{kind} "{name}"'


def _located(kind: str, obj: object, error: ManifestError) -> tuple[Problem, ...]:
    source = _source(kind, obj)
    return tuple(replace(problem, source=problem.source or source) for problem in error.problems)


def _node_row(node: Any, pods: list[Any], options: Options) -> _Row:
    """The node's overview row; a pod no API server could have stored is left out (and reported)."""
    try:
        return capacity_overview([node], pods, options=options).nodes[0]
    except ManifestError as error:
        first = error
    try:
        alone = capacity_overview([node], [], options=options).nodes[0]
    except ManifestError:
        return _located("Node", node, first)  # the node itself cannot be read
    problems: list[Problem] = []
    kept = []
    for pod in pods:
        try:
            capacity_overview([node], [pod], options=options)
        except ManifestError as error:
            problems.extend(_located("Pod", pod, error))
        else:
            kept.append(pod)
    row = capacity_overview([node], kept, options=options).nodes[0] if kept else alone
    return _WithProblems(row, tuple(problems))


def _stranded(detail_nodes: Sequence[Any]) -> tuple[tuple[str, Fraction], ...]:
    totals: dict[str, int] = {}
    for node in detail_nodes:
        for resource, before, taken in node.amounts:
            totals[resource] = totals.get(resource, 0) + max(0, before - taken)
    # The scheduler counts cpu in thousandths of a core.
    return tuple(
        (resource, Fraction(amount, 1000) if resource == CPU else Fraction(amount))
        for resource, amount in totals.items()
    )


def cluster_gauges(
    items: Sequence[Mapping[str, Any]] | Iterable[Mapping[str, Any]],
    shapes: Sequence[ProbeShape] = (),
    *,
    scheduler: SchedulerSnapshot | None = None,
    memo: GaugeMemo | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> ClusterGauges:
    """The numbers of the cluster whose objects are ``items`` (nodes and pods; other kinds are ignored).

    ``shapes`` are the probe shapes whose headroom to count. ``scheduler`` is the scheduler's
    snapshot of the same objects when the caller has one already (a live cluster's view);
    without it one is built here. ``memo`` carries what a previous call computed into this one
    and is updated to this call's objects (pass the same memo to every call).

    Objects no API server could have stored (a field of the wrong JSON type) are left out and
    listed in ``skipped``, so one odd object cannot take every number away.
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    release = (str(options.version), options.feature_gates)
    previous = memo if memo is not None and memo.release == release else GaugeMemo()
    current = GaugeMemo(release=release)
    objects = _Objects(items)
    skipped: list[Problem] = []

    # Each pod's node, and the pods of each node, in item order.
    pods_of: dict[str, list[tuple[bytes, Callable[[], Any]]]] = {}
    # A pod is decoded here for its node name only, and again with its node's pods when that node
    # is computed: memory holds one node's pods at a time, never the cluster's.
    for text, load in objects.pods:
        if text in current.node_of:
            bound = current.node_of[text]
        elif text in previous.node_of:
            bound = previous.node_of[text]
        else:
            obj = load()
            bound = _bound_to(obj)
            if bound is None:
                message = "expected an object with a string nodeName"
                skipped.append(Problem("spec", message, source=_source("Pod", obj)))
        current.node_of[text] = bound
        if bound:
            pods_of.setdefault(bound, []).append((text, load))

    # Each node's row of the overview: reused when the node and its pods are unchanged.
    rows: list[NodeCapacity] = []
    names: set[str] = set()
    node_objects: list[Any] = []
    for text, load in objects.nodes:
        obj = load()
        name = _node_name(obj)
        if name is None or name in names:
            problem = "a Node needs a metadata.name" if name is None else f'node "{name}" is listed twice'
            skipped.append(Problem("metadata.name", problem, source=_source("Node", obj)))
            continue
        names.add(name)
        mine = pods_of.get(name, [])
        key = (text, tuple(pod for pod, _ in mine))
        row = previous.rows.get(key)
        if row is None:
            bound_pods = [pod_load() for _, pod_load in mine]
            row = _node_row(obj, bound_pods, options)
        current.rows[key] = row
        if isinstance(row, tuple):
            skipped.extend(row)
            continue
        if isinstance(row, _WithProblems):
            skipped.extend(row.problems)
            row = row.row
        rows.append(row)
        node_objects.append(obj)

    total = CapacityTotal.of(rows, include_unschedulable=False)
    headroom: list[ShapeHeadroom] = []
    if shapes:
        if scheduler is None:
            scheduler = _scheduler(node_objects, objects.pods, previous, current, options, skipped)
        for shape in shapes:
            detail = max_replicas_detail(shape.pod, scheduler, options=options)
            per_node = tuple((node.name, node.replicas) for node in detail.nodes)
            headroom.append(ShapeHeadroom(shape, detail.total, per_node, _stranded(detail.nodes)))
    if memo is not None:
        # Only this state's entries are kept: the memo holds one generation's worth.
        memo.node_of, memo.rows, memo.pod_infos, memo.release = (
            current.node_of,
            current.rows,
            current.pod_infos,
            release,
        )

    return ClusterGauges(
        str(options.version),
        tuple(NodeGauges.of(row) for row in rows),
        (_pods_gauge(total.pods_allocatable, total.pods_used, total.pods_free),
         *(ResourceGauge.of(use) for use in total.resources)),
        total.schedulable_nodes,
        tuple(headroom),
        tuple(skipped),
    )  # fmt: skip


def _scheduler(
    nodes: Sequence[Any],
    pods: Sequence[tuple[bytes, Callable[[], Any]]],
    previous: GaugeMemo,
    current: GaugeMemo,
    options: Options,
    skipped: list[Problem],
) -> SchedulerSnapshot:
    """The scheduler's snapshot of the nodes kept and every pod, each pod read once per distinct JSON."""
    read: list[Node] = []
    for obj in nodes:
        try:
            read.append(read_node(obj))
        except ManifestError as error:  # the overview read it; kept for safety, left out if not
            skipped.extend(error.problems)
    snapshot = SchedulerSnapshot(read)
    for text, load in pods:
        info = current.pod_infos.get(text) or previous.pod_infos.get(text)
        if info is None:
            obj = load()
            try:
                info = pod_info(obj, state=True, options=options)
            except ManifestError as error:
                info = _located("Pod", obj, error)
        current.pod_infos[text] = info
        if isinstance(info, PodInfo):
            snapshot.add_pod(info)
        else:
            skipped.extend(info)
    return snapshot
