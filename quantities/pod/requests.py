"""A pod's effective requests and limits, as ``k8s.io/component-helpers/resource`` computes them.

This is the arithmetic behind the scheduler's NodeResourcesFit, the kubelet's
admission, ``kubectl describe node`` and ResourceQuota (``PodRequests`` and
``PodLimits``, component-helpers v0.32-v0.36 and, before, ``pkg/api/v1/resource``;
DRA status is not modelled):

* App containers run together, so their requests add up.
* Init containers run one at a time before them, so the pod needs, per
  resource, the largest init container *plus the sidecars started before it*
  (restartable init containers, ``restartPolicy: Always``, keep running).
* Sidecars run beside the app containers, so they also add to the app sum.
* Per resource: ``max(sum(app) + sum(sidecars), max over init containers of
  InitUse(i))`` where ``InitUse(i)`` is the init container plus the sidecars
  before it (for a sidecar: itself plus the sidecars before it).
* Pod-level ``spec.resources`` (cpu, memory, hugepages-*) replaces the
  aggregate for each resource it sets.
* ``spec.overhead`` is added to every request (a resource only in the overhead
  appears with the overhead's value) and to every limit that is present and
  non-zero.
* A missing limit is absent, not infinite: the pod limit is the sum over the
  containers that set one.

A *running* pod may count other values than its spec (in-place resize,
KEP-1287, ``UseStatusResources``): ``status_resources`` picks the rule of the
release (:attr:`quantities.versions.Behaviour.status_resources`, research note P2):

* ``"spec"``: the spec only (InPlacePodVerticalScaling off: before 1.33 by default);
* ``"allocated"`` (1.29-1.31, gate on): a regular container with a status counts
  ``max(spec, allocatedResources)``, only ``allocatedResources`` while
  ``status.resize`` is ``Infeasible``; limits stay the spec's;
* ``"actual"`` (1.32, gate on): the same with ``status.containerStatuses[].resources``
  (what the runtime applied) in place of ``allocatedResources``, for requests and
  limits, and only where ``resources`` is present;
* ``"max3"`` (1.33+): ``max(spec, resources, allocatedResources)``, or
  ``max(resources, allocatedResources)`` under a ``PodResizePending`` condition with
  reason ``Infeasible`` (limits: the actual ones then, else ``max(spec, actual)``);
  sidecars use ``initContainerStatuses`` too; ``status.resize`` is ignored. With
  ``pod_level_status`` (InPlacePodLevelResourcesVerticalScaling, 1.36) the pod-level
  values follow ``status.resources``/``status.allocatedResources`` the same way.

Where spec and status are equal the two ``max`` of Kubernetes keep different
operands (research note P4): v0.32's keeps the status copy, v0.33's the first
argument, which only shows in how the sum prints (``1073741824`` or ``1Gi``).

Every resource name works: cpu, memory, ephemeral-storage, hugepages-2Mi,
nvidia.com/gpu... Results are ``dict[str, Quantity]`` sorted by name, with
Kubernetes' canonical strings (``str(q)``).

The public functions read, default and validate their argument first (see
:func:`quantities.valid_pod`); pass the result of ``valid_pod`` to skip that
work when computing many things for one pod.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from quantities.pod.model import Container, ContainerKind, ContainerStatus, Pod, ResourceList
from quantities.pod.resource_names import is_supported_pod_level
from quantities.quantity.quantity import Quantity

if TYPE_CHECKING:
    from quantities.pod.model import PodStatus

__all__ = [
    "aggregate",
    "compute_limits",
    "compute_requests",
    "container_limits",
    "container_requests",
    "pod_level_requests_set",
    "pod_level_resources_set",
    "sorted_resources",
    "status_selectors",
]

#: The ``status_resources`` rules (:attr:`quantities.versions.Behaviour.status_resources`).
STATUS_MODES = ("spec", "allocated", "actual", "max3")
_ZERO = Quantity.from_int(0)

ResourceSelector = Callable[[Container], Mapping[str, "Quantity"]]


def container_requests(container: Container) -> ResourceList:
    return container.resources.requests


def container_limits(container: Container) -> ResourceList:
    return container.resources.limits


def _add(total: dict[str, Quantity], more: Mapping[str, Quantity]) -> None:
    """``addResourceList``: the sum keeps the format of the first non-zero addend, as Go's ``Add``."""
    for name, quantity in more.items():
        existing = total.get(name)
        total[name] = quantity if existing is None else existing + quantity


def _max(total: dict[str, Quantity], more: Mapping[str, Quantity]) -> None:
    """``maxResourceList``: an equal value does not replace the one already there."""
    for name, quantity in more.items():
        existing = total.get(name)
        if existing is None or quantity > existing:
            total[name] = quantity


def _with_non_missing(
    lists: Mapping[str, Quantity], non_missing: Mapping[str, Quantity] | None
) -> Mapping[str, Quantity]:
    """``applyNonMissing``: fill resources the container does not set; an explicit 0 stays."""
    if not non_missing:
        return lists
    filled = dict(lists)
    for name, quantity in non_missing.items():
        if name not in lists:
            filled[name] = quantity
    return filled


def aggregate(
    pod: Pod, select: ResourceSelector, non_missing: Mapping[str, Quantity] | None = None
) -> dict[str, Quantity]:
    """``AggregateContainerRequests``/``Limits`` on a pod already read and defaulted (no validation)."""
    total: dict[str, Quantity] = {}
    for container in pod.containers:
        _add(total, _with_non_missing(select(container), non_missing))
    sidecars: dict[str, Quantity] = {}
    init_peak: dict[str, Quantity] = {}
    for container in pod.init_containers:
        own = _with_non_missing(select(container), non_missing)
        if container.is_sidecar:
            _add(total, own)
            _add(sidecars, own)
            use = dict(sidecars)
        else:
            use = dict(own)
            _add(use, sidecars)
        _max(init_peak, use)
    _max(total, init_peak)
    return total


def _max_status_on_tie(spec: Mapping[str, Quantity], status: Mapping[str, Quantity]) -> dict[str, Quantity]:
    """v0.32's (and pkg/api/v1/resource's) ``max(a, b)``: on a tie the second operand, the status, is kept."""
    result: dict[str, Quantity] = {}
    for name, value in spec.items():
        other = status.get(name)
        result[name] = other if other is not None and value <= other else value
    for name, value in status.items():
        result.setdefault(name, value)
    return result


def _max_first_on_tie(
    first: Mapping[str, Quantity] | None, *others: Mapping[str, Quantity] | None
) -> dict[str, Quantity]:
    """v0.33+'s ``max(a, b...)``: a copy of ``a`` raised by ``maxResourceList`` (a tie keeps what is
    there)."""
    result = dict(first or {})
    for other in others:
        if other:
            _max(result, other)
    return result


def _status_map(status: PodStatus, mode: str) -> dict[str, ContainerStatus]:
    statuses = {container.name: container for container in status.container_statuses}
    if mode == "max3":
        # v0.33+: sidecars' statuses too, added after the regular ones (a same name overwrites).
        statuses.update((container.name, container) for container in status.init_container_statuses)
    return statuses


def status_selectors(pod: Pod, mode: str) -> tuple[ResourceSelector, ResourceSelector]:
    """The (requests, limits) each container counts under the ``status_resources`` rule ``mode``.

    ``"spec"`` gives the spec's; the other rules are in the module docstring.
    """
    if mode == "spec" or not pod.status:
        return container_requests, container_limits
    if mode not in STATUS_MODES:
        raise ValueError(f"status_resources must be one of {', '.join(STATUS_MODES)}, not {mode!r}")
    status = pod.status
    statuses = _status_map(status, mode)

    def found(container: Container) -> ContainerStatus | None:
        if container.kind is ContainerKind.EPHEMERAL:
            return None
        if container.kind is ContainerKind.INIT and not (mode == "max3" and container.is_sidecar):
            return None
        return statuses.get(container.name)

    def requests(container: Container) -> Mapping[str, Quantity]:
        spec = container.resources.requests
        cs = found(container)
        if cs is None:
            return spec
        if mode == "allocated":
            # No nil check on allocatedResources: Infeasible with none counts nothing (research note D2).
            if status.resize == "Infeasible":
                return cs.allocated or {}
            return _max_status_on_tie(spec, cs.allocated or {})
        if cs.resources is None:
            return spec
        actual = cs.resources.requests
        if mode == "actual":
            return dict(actual) if status.resize == "Infeasible" else _max_status_on_tie(spec, actual)
        if status.resize_pending == "Infeasible":
            return _max_first_on_tie(actual, cs.allocated)
        return _max_first_on_tie(spec, actual, cs.allocated)

    def limits(container: Container) -> Mapping[str, Quantity]:
        spec = container.resources.limits
        cs = found(container)
        # pkg/api/v1/resource PodLimits (1.29-1.31) never read the status.
        if cs is None or mode == "allocated" or cs.resources is None:
            return spec
        actual = cs.resources.limits
        if mode == "actual":
            return dict(actual) if status.resize == "Infeasible" else _max_status_on_tie(spec, actual)
        if status.resize_pending == "Infeasible":
            return dict(actual)
        return _max_first_on_tie(spec, actual)

    return requests, limits


def pod_level_requests_set(pod: Pod) -> bool:
    """``IsPodLevelRequestsSet``: ``spec.resources.requests`` names cpu, memory or hugepages."""
    return pod.resources is not None and any(map(is_supported_pod_level, pod.resources.requests))


def pod_level_resources_set(pod: Pod) -> bool:
    """``IsPodLevelResourcesSet``: ``spec.resources`` sets cpu, memory or hugepages at all."""
    if pod.resources is None:
        return False
    names = (*pod.resources.requests, *pod.resources.limits)
    return any(map(is_supported_pod_level, names))


def _set_pod_level(total: dict[str, Quantity], pod_level: ResourceList) -> None:
    """The pod-level value of cpu, memory and each hugepage size replaces the containers' aggregate."""
    for name, quantity in pod_level.items():
        if is_supported_pod_level(name):
            total[name] = quantity


def sorted_resources(resources: Mapping[str, Quantity]) -> dict[str, Quantity]:
    return dict(sorted(resources.items()))


def _pod_level_effective(pod: Pod, spec: ResourceList, requests: bool) -> Mapping[str, Quantity] | None:
    """``determineEffectiveRequests``/``Limits`` on the pod-level values (v0.35+), None without
    ``status.resources``."""
    status = pod.status
    if status.resources is None:
        return None
    infeasible = status.resize_pending == "Infeasible"
    if requests:
        actual = status.resources.requests
        if infeasible:
            return _max_first_on_tie(actual, status.allocated)
        return _max_first_on_tie(spec, actual, status.allocated)
    actual = status.resources.limits
    return dict(actual) if infeasible else _max_first_on_tie(spec, actual)


def _set_effective_pod_level(
    total: dict[str, Quantity], spec: ResourceList, effective: Mapping[str, Quantity] | None
) -> None:
    if effective is None:
        _set_pod_level(total, spec)
        return
    for name in spec:
        if is_supported_pod_level(name):
            # Go's map lookup gives a zero Quantity for a resource the effective list lacks.
            total[name] = effective.get(name, _ZERO)


def compute_requests(
    pod: Pod,
    *,
    exclude_overhead: bool = False,
    skip_pod_level_resources: bool = False,
    non_missing_container_requests: Mapping[str, Quantity] | None = None,
    status_resources: str = "spec",
    pod_level_status: bool = False,
) -> dict[str, Quantity]:
    """``PodRequests`` on a pod already defaulted and validated.

    ``status_resources`` is the in-place resize rule (module docstring; ``"spec"`` is
    ``UseStatusResources: false``); ``pod_level_status`` is
    ``InPlacePodLevelResourcesVerticalScalingEnabled``.
    """
    select_requests = status_selectors(pod, status_resources)[0]
    requests = aggregate(pod, select_requests, non_missing_container_requests)
    if not skip_pod_level_resources and pod_level_requests_set(pod):
        assert pod.resources is not None
        effective = None
        if pod_level_status and status_resources != "spec":
            effective = _pod_level_effective(pod, pod.resources.requests, requests=True)
        _set_effective_pod_level(requests, pod.resources.requests, effective)
    if not exclude_overhead and pod.overhead:
        _add(requests, pod.overhead)
    return sorted_resources(requests)


def compute_limits(
    pod: Pod,
    *,
    exclude_overhead: bool = False,
    skip_pod_level_resources: bool = False,
    status_resources: str = "spec",
    pod_level_status: bool = False,
) -> dict[str, Quantity]:
    """``PodLimits`` on a pod already defaulted and validated (``status_resources`` and
    ``pod_level_status`` as for :func:`compute_requests`)."""
    limits = aggregate(pod, status_selectors(pod, status_resources)[1])
    # The gate is IsPodLevelResourcesSet (requests or limits), but only limits are copied.
    if not skip_pod_level_resources and pod_level_resources_set(pod):
        assert pod.resources is not None
        effective = None
        if pod_level_status and status_resources != "spec":
            effective = _pod_level_effective(pod, pod.resources.limits, requests=False)
        _set_effective_pod_level(limits, pod.resources.limits, effective)
    if not exclude_overhead and pod.overhead:
        for name, quantity in pod.overhead.items():
            existing = limits.get(name)
            if existing is not None and not existing.is_zero():
                limits[name] = existing + quantity
    return sorted_resources(limits)
