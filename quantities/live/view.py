"""What a snapshot computes once: its nodes and pods read for the scheduler, and where each pod runs.

Reading 150,000 pods into :class:`~quantities.scheduler.framework.podinfo.PodInfo` takes
seconds; a request must not pay that. :class:`Views` keeps, per process, the
:class:`ClusterView` of the newest snapshot generation (per Kubernetes release asked for)
and builds the next one when the generation changes, reusing the PodInfo of every pod whose
trimmed JSON is byte for byte unchanged. Each request then runs only its own computation on
a copy of the prepared scheduler snapshot, exactly as the offline endpoints compute on the
same objects.

Objects no API server could have stored (a field of the wrong JSON type) are left out of
the view and listed in ``view.skipped``, instead of making every answer fail.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quantities.capacity.headroom import MaxReplicasDetail, max_replicas_detail
from quantities.capacity.nodes_needed import NodesNeeded, nodes_needed
from quantities.capacity.overview import CapacityOverview, capacity_overview
from quantities.capacity.packing import Template
from quantities.capacity.quota import QuotaAnswer, quota_check
from quantities.live.source import Snapshot
from quantities.manifest.problems import ManifestError, Problem
from quantities.node.allocated import NodeAllocation, node_allocated
from quantities.node.model import Node, read_node
from quantities.options import Options
from quantities.pod.workloads import Workload
from quantities.scheduler.fit import FitResult, check_fit, make_snapshot
from quantities.scheduler.framework.nodeinfo import Snapshot as SchedulerSnapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.scheduler.plan import PlanResult, max_replicas, plan

__all__ = ["ClusterView", "NoSuchNode", "Views"]


class NoSuchNode(LookupError):
    """The cluster has no node of that name."""


@dataclass(frozen=True, slots=True)
class ClusterView:
    """The computations' form of one snapshot generation, for one release (``options``)."""

    snapshot: Snapshot
    options: Options
    nodes: tuple[Node, ...]
    pods: tuple[PodInfo, ...]
    scheduler: SchedulerSnapshot
    #: Node name -> position of the Node in ``snapshot.items``.
    node_items: Mapping[str, int]
    #: Node name -> positions of the pods bound to it (``spec.nodeName``), in item order.
    pod_items: Mapping[str, tuple[int, ...]]
    #: Objects left out (of a shape no API server stores), with why.
    skipped: tuple[Problem, ...] = ()
    #: PodInfo by trimmed JSON: what the next generation may reuse.
    memo: Mapping[bytes, PodInfo] = field(default_factory=dict, repr=False)
    #: Overviews already computed on this generation, by their choices (dashboards repeat them).
    overviews: dict[tuple[str | None, str | None, bool], CapacityOverview] = field(
        default_factory=dict, repr=False
    )

    @property
    def generation(self) -> int:
        return self.snapshot.generation

    def allocated(self, name: str, options: Options) -> NodeAllocation:
        """``kubectl describe node NAME``'s two sections (:class:`NoSuchNode` when there is none)."""
        position = self.node_items.get(name)
        if position is None:
            raise NoSuchNode(name)
        items = self.snapshot.items
        pods = [items[p] for p in self.pod_items.get(name, ())]
        return node_allocated(items[position], pods, options=options)

    def fit(self, pod: PodInfo | Workload | Mapping[str, Any], options: Options) -> FitResult:
        return check_fit(pod, self.scheduler, options=options)

    def max_replicas(self, pod: PodInfo | Workload | Mapping[str, Any], options: Options) -> int:
        return max_replicas(pod, self.scheduler, options=options)

    def plan(self, workloads: Sequence[Workload | Mapping[str, Any]], options: Options) -> PlanResult:
        return plan(workloads, self.scheduler, options=options)

    def max_replicas_detail(
        self, pod: PodInfo | Workload | Mapping[str, Any], options: Options
    ) -> MaxReplicasDetail:
        return max_replicas_detail(pod, self.scheduler, options=options)

    def nodes_needed(
        self,
        workloads: Sequence[Workload | Mapping[str, Any]],
        templates: Sequence[Template | Node | Mapping[str, Any] | str],
        daemonsets: Sequence[Workload | Mapping[str, Any]],
        options: Options,
    ) -> NodesNeeded:
        """How many new nodes of ``templates`` the workloads need, this cluster being the existing one."""
        return nodes_needed(workloads, templates, self.scheduler, daemonsets=daemonsets, options=options)

    def namespace_objects(self, namespace: str) -> list[Mapping[str, Any]]:
        """The ResourceQuota and LimitRange objects of ``namespace``, in the API server's order."""
        items = self.snapshot.items
        return [
            obj
            for kind in ("ResourceQuota", "LimitRange")
            for obj in items.objects(kind)
            if (obj.get("metadata") or {}).get("namespace") == namespace
        ]

    def quota(self, workload: Mapping[str, Any], namespace: str, path: str, options: Options) -> QuotaAnswer:
        """The quota check of ``workload`` against ``namespace``'s ResourceQuotas and LimitRanges,
        its rollout's peak placed on this cluster."""
        state = self.namespace_objects(namespace)
        return quota_check(workload, state, self.scheduler, path=path, options=options)

    def capacity(
        self,
        options: Options,
        selector: str | None = None,
        group_by: str | None = None,
        unschedulable: bool = False,
    ) -> CapacityOverview:
        """kube-capacity's overview of this generation (computed once per choices)."""
        key = (selector, group_by, unschedulable)
        found = self.overviews.get(key)
        if found is None:
            items = self.snapshot.items
            pods = [items[position] for position in items.span("Pod")]
            found = capacity_overview(
                self.nodes, pods, selector=selector, group_by=group_by,
                include_unschedulable=unschedulable, options=options,
            )  # fmt: skip
            if len(self.overviews) >= 64:
                self.overviews.clear()
            self.overviews[key] = found
        return found


def _key(options: Options) -> tuple[str, tuple[tuple[str, bool], ...]]:
    return str(options.version), options.feature_gates


def build_view(
    snapshot: Snapshot, options: Options, memo: Mapping[bytes, PodInfo] | None = None
) -> ClusterView:
    """Read the snapshot's nodes and pods as the offline endpoints read a cluster dump (state, leniently)."""
    options = options.replace(deadline=None)
    memo = memo or {}
    items = snapshot.items
    nodes: list[Node] = []
    node_items: dict[str, int] = {}
    skipped: list[Problem] = []
    for position in items.span("Node"):
        try:
            node = read_node(items[position])
        except ManifestError as error:
            skipped.extend(error.problems)
            continue
        nodes.append(node)
        node_items[node.name] = position
    pods: list[PodInfo] = []
    pod_items: dict[str, list[int]] = {}
    kept: dict[bytes, PodInfo] = {}
    for position in items.span("Pod"):
        encoded = items.encoded(position)
        info = memo.get(encoded)
        if info is None:
            try:
                info = pod_info(items[position], state=True, options=options)
            except ManifestError as error:
                skipped.extend(error.problems)
                continue
        kept[encoded] = info
        pods.append(info)
        if info.node_name:
            pod_items.setdefault(info.node_name, []).append(position)
    scheduler = make_snapshot(nodes, pods, options=options)
    return ClusterView(
        snapshot, options, tuple(nodes), tuple(pods), scheduler, node_items,
        {name: tuple(positions) for name, positions in pod_items.items()}, tuple(skipped), kept,
    )  # fmt: skip


class Views:
    """The views of the newest generation, one per release; built once, shared by the requests.

    A request that finds a newer generation builds its view (reusing the PodInfo of unchanged
    pods); requests arriving meanwhile answer from the previous view rather than wait.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._views: dict[tuple[str, tuple[tuple[str, bool], ...]], ClusterView] = {}

    def view(self, snapshot: Snapshot, options: Options) -> ClusterView:
        """The view of ``snapshot``'s generation for ``options``' release (built now if needed)."""
        key = _key(options)
        found = self._views.get(key)
        if found is not None and found.generation == snapshot.generation:
            return found
        # While another request builds the newer view, answer from the one there is (its own
        # snapshot says which state it is); only the very first view is waited for.
        if not self._lock.acquire(blocking=found is None):
            assert found is not None
            return found
        try:
            found = self._views.get(key)
            if found is not None and found.generation >= snapshot.generation:
                return found
            previous = found.memo if found is not None else None
            built = build_view(snapshot, options, previous)
            # Views of older generations (other releases) are dropped: memory holds one generation.
            for other in [k for k, v in self._views.items() if v.generation < built.generation]:
                del self._views[other]
            self._views[key] = built
            return built
        finally:
            self._lock.release()
