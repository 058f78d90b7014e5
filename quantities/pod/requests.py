"""A pod's effective requests and limits, as ``k8s.io/component-helpers/resource`` computes them.

This is the arithmetic behind the scheduler's NodeResourcesFit, the kubelet's
admission, ``kubectl describe node`` and ResourceQuota (``PodRequests`` and
``PodLimits``, Kubernetes v1.33/v1.34, without in-place resize or DRA status):

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

from quantities.pod.model import Container, Pod, ResourceList
from quantities.pod.resource_names import is_supported_pod_level

if TYPE_CHECKING:
    from quantities.quantity.quantity import Quantity

__all__ = [
    "aggregate",
    "compute_limits",
    "compute_requests",
    "container_limits",
    "container_requests",
    "pod_level_requests_set",
    "pod_level_resources_set",
    "sorted_resources",
]

ResourceSelector = Callable[[Container], ResourceList]


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
    lists: ResourceList, non_missing: Mapping[str, Quantity] | None
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


def compute_requests(
    pod: Pod,
    *,
    exclude_overhead: bool = False,
    skip_pod_level_resources: bool = False,
    non_missing_container_requests: Mapping[str, Quantity] | None = None,
) -> dict[str, Quantity]:
    """``PodRequests`` on a pod already defaulted and validated."""
    requests = aggregate(pod, container_requests, non_missing_container_requests)
    if not skip_pod_level_resources and pod_level_requests_set(pod):
        assert pod.resources is not None
        _set_pod_level(requests, pod.resources.requests)
    if not exclude_overhead and pod.overhead:
        _add(requests, pod.overhead)
    return sorted_resources(requests)


def compute_limits(
    pod: Pod, *, exclude_overhead: bool = False, skip_pod_level_resources: bool = False
) -> dict[str, Quantity]:
    """``PodLimits`` on a pod already defaulted and validated."""
    limits = aggregate(pod, container_limits)
    # The gate is IsPodLevelResourcesSet (requests or limits), but only limits are copied.
    if not skip_pod_level_resources and pod_level_resources_set(pod):
        assert pod.resources is not None
        _set_pod_level(limits, pod.resources.limits)
    if not exclude_overhead and pod.overhead:
        for name, quantity in pod.overhead.items():
            existing = limits.get(name)
            if existing is not None and not existing.is_zero():
                limits[name] = existing + quantity
    return sorted_resources(limits)
