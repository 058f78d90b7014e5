"""The checked entry points: read, default and validate a pod, then compute on it.

:mod:`quantities.pod.requests` holds the pure arithmetic on a typed, defaulted
:class:`~quantities.pod.model.Pod`; the functions here accept anything
:func:`~quantities.pod.read.read_pod` accepts and run the API server's
defaulting and validation first (:func:`~quantities.pod.validation.valid_pod`),
as component-helpers' callers always have a stored, valid pod.
"""

from __future__ import annotations

from collections.abc import Mapping

from quantities.pod.read import PodLike
from quantities.pod.requests import (
    aggregate,
    compute_limits,
    compute_requests,
    container_limits,
    container_requests,
    sorted_resources,
)
from quantities.pod.validation import valid_pod
from quantities.quantity.quantity import Quantity

__all__ = ["aggregate_container_limits", "aggregate_container_requests", "pod_limits", "pod_requests"]


def pod_requests(
    pod: PodLike,
    *,
    exclude_overhead: bool = False,
    skip_pod_level_resources: bool = False,
    non_missing_container_requests: Mapping[str, Quantity] | None = None,
) -> dict[str, Quantity]:
    """The pod's effective requests, per resource (component-helpers ``PodRequests``).

    ``pod`` is a Pod, PodSpec or workload mapping, or a :class:`~quantities.pod.model.Pod`;
    it is defaulted (a limit without a request sets the request) and
    validated first, raising :class:`~quantities.manifest.problems.PodValidationError`
    with every problem.

    ``exclude_overhead`` leaves ``spec.overhead`` out (``ExcludeOverhead``);
    ``skip_pod_level_resources`` ignores ``spec.resources``
    (``SkipPodLevelResources``); ``non_missing_container_requests`` fills the
    resources a container does not request (``NonMissingContainerRequests``:
    the scheduler's scoring passes cpu 100m and memory 200Mi).

    >>> pod = {"spec": {
    ...     "initContainers": [{"name": "setup", "resources": {"requests": {"cpu": "2"}}},
    ...                        {"name": "proxy", "restartPolicy": "Always",
    ...                         "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}],
    ...     "containers": [{"name": "app", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}]}}
    >>> {name: str(quantity) for name, quantity in pod_requests(pod).items()}
    {'cpu': '2', 'memory': '1088Mi'}
    """
    return compute_requests(
        valid_pod(pod),
        exclude_overhead=exclude_overhead,
        skip_pod_level_resources=skip_pod_level_resources,
        non_missing_container_requests=non_missing_container_requests,
    )


def pod_limits(
    pod: PodLike, *, exclude_overhead: bool = False, skip_pod_level_resources: bool = False
) -> dict[str, Quantity]:
    """The pod's effective limits, per resource (component-helpers ``PodLimits``).

    A resource some container leaves unlimited is still summed over the
    containers that do limit it; check :func:`quantities.qos_class` or the
    containers themselves to know whether the pod as a whole is bounded.

    >>> pod = {"spec": {"containers": [
    ...     {"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
    ...     {"name": "b", "resources": {"limits": {"cpu": "500m"}}}]}}
    >>> {name: str(quantity) for name, quantity in pod_limits(pod).items()}
    {'cpu': '1500m', 'memory': '1Gi'}
    """
    return compute_limits(
        valid_pod(pod), exclude_overhead=exclude_overhead, skip_pod_level_resources=skip_pod_level_resources
    )


def aggregate_container_requests(pod: PodLike) -> dict[str, Quantity]:
    """``AggregateContainerRequests``: the containers' requests combined.

    Pod-level resources and overhead are not included.
    """
    return sorted_resources(aggregate(valid_pod(pod), container_requests))


def aggregate_container_limits(pod: PodLike) -> dict[str, Quantity]:
    """``AggregateContainerLimits``: the containers' limits combined.

    Pod-level resources and overhead are not included.
    """
    return sorted_resources(aggregate(valid_pod(pod), container_limits))
