"""The checked entry points: read, default and validate a pod, then compute on it.

:mod:`quantities.pod.requests` holds the pure arithmetic on a typed, defaulted
:class:`~quantities.pod.model.Pod`; the functions here accept anything
:func:`~quantities.pod.read.read_pod` accepts and run the API server's
defaulting and validation first (:func:`~quantities.pod.validation.valid_pod`),
as component-helpers' callers always have a stored, valid pod.

Each answers for one Kubernetes release: ``kubernetes_version`` (default: the
process default, :func:`quantities.versions.default_kubernetes_version`) with its
feature-gate defaults, overridden by ``feature_gates``; or ``options``
(:class:`quantities.options.Options`), which the two keywords override.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from quantities.pod.defaults import pod_options
from quantities.pod.read import PodLike
from quantities.pod.requests import (
    aggregate,
    compute_limits,
    compute_requests,
    sorted_resources,
    status_selectors,
)
from quantities.pod.validation import valid_pod
from quantities.quantity.quantity import Quantity

if TYPE_CHECKING:
    from quantities.options import Options
    from quantities.versions import KubernetesVersion

__all__ = ["aggregate_container_limits", "aggregate_container_requests", "pod_limits", "pod_requests"]

Gates = str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None


def pod_requests(
    pod: PodLike,
    *,
    exclude_overhead: bool = False,
    skip_pod_level_resources: bool = False,
    non_missing_container_requests: Mapping[str, Quantity] | None = None,
    use_status_resources: bool = False,
    pod_level_resources: bool | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: Gates = None,
    options: Options | None = None,
) -> dict[str, Quantity]:
    """The pod's effective requests, per resource (component-helpers ``PodRequests``).

    ``pod`` is a Pod, PodSpec or workload mapping, or a :class:`~quantities.pod.model.Pod`;
    it is stored as the release's API server stores it, defaulted (a limit
    without a request sets the request) and validated first, raising
    :class:`~quantities.manifest.problems.PodValidationError` with every problem.

    ``exclude_overhead`` leaves ``spec.overhead`` out (``ExcludeOverhead``);
    ``skip_pod_level_resources`` ignores ``spec.resources``
    (``SkipPodLevelResources``); ``non_missing_container_requests`` fills the
    resources a container does not request (``NonMissingContainerRequests``:
    the scheduler's scoring passes cpu 100m and memory 200Mi).
    ``use_status_resources`` counts a running pod as the release's scheduler,
    quota and kubelet do (``UseStatusResources`` with the InPlacePodVerticalScaling
    gate; see :mod:`quantities.pod.requests`): from 1.33 a resized container counts
    ``max(spec, status.containerStatuses[].resources, allocatedResources)``.

    >>> pod = {"spec": {
    ...     "initContainers": [{"name": "setup", "resources": {"requests": {"cpu": "2"}}},
    ...                        {"name": "proxy", "restartPolicy": "Always",
    ...                         "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}],
    ...     "containers": [{"name": "app", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}]}}
    >>> {name: str(quantity) for name, quantity in pod_requests(pod).items()}
    {'cpu': '2', 'memory': '1088Mi'}

    Kubernetes 1.28 (SidecarContainers off) stores the sidecar as an ordinary init container:

    >>> {name: str(quantity) for name, quantity in pod_requests(pod, kubernetes_version="1.28").items()}
    {'cpu': '2', 'memory': '1Gi'}
    """
    resolved = pod_options(options, kubernetes_version, feature_gates, pod_level_resources)
    behaviour = resolved.behaviour
    return compute_requests(
        valid_pod(pod, options=resolved),
        exclude_overhead=exclude_overhead,
        skip_pod_level_resources=skip_pod_level_resources,
        non_missing_container_requests=non_missing_container_requests,
        status_resources=behaviour.status_resources if use_status_resources else "spec",
        pod_level_status=behaviour.pod_level_status_resources,
    )


def pod_limits(
    pod: PodLike,
    *,
    exclude_overhead: bool = False,
    skip_pod_level_resources: bool = False,
    use_status_resources: bool = False,
    pod_level_resources: bool | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: Gates = None,
    options: Options | None = None,
) -> dict[str, Quantity]:
    """The pod's effective limits, per resource (component-helpers ``PodLimits``).

    A resource some container leaves unlimited is still summed over the
    containers that do limit it; check :func:`quantities.qos_class` or the
    containers themselves to know whether the pod as a whole is bounded.
    The keywords are those of :func:`pod_requests`.

    >>> pod = {"spec": {"containers": [
    ...     {"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
    ...     {"name": "b", "resources": {"limits": {"cpu": "500m"}}}]}}
    >>> {name: str(quantity) for name, quantity in pod_limits(pod).items()}
    {'cpu': '1500m', 'memory': '1Gi'}
    """
    resolved = pod_options(options, kubernetes_version, feature_gates, pod_level_resources)
    behaviour = resolved.behaviour
    return compute_limits(
        valid_pod(pod, options=resolved),
        exclude_overhead=exclude_overhead,
        skip_pod_level_resources=skip_pod_level_resources,
        status_resources=behaviour.status_resources if use_status_resources else "spec",
        pod_level_status=behaviour.pod_level_status_resources,
    )


def aggregate_container_requests(
    pod: PodLike,
    *,
    use_status_resources: bool = False,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: Gates = None,
    options: Options | None = None,
) -> dict[str, Quantity]:
    """``AggregateContainerRequests``: the containers' requests combined.

    Pod-level resources and overhead are not included.
    """
    resolved = pod_options(options, kubernetes_version, feature_gates)
    checked = valid_pod(pod, options=resolved)
    mode = resolved.behaviour.status_resources if use_status_resources else "spec"
    return sorted_resources(aggregate(checked, status_selectors(checked, mode)[0]))


def aggregate_container_limits(
    pod: PodLike,
    *,
    use_status_resources: bool = False,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: Gates = None,
    options: Options | None = None,
) -> dict[str, Quantity]:
    """``AggregateContainerLimits``: the containers' limits combined.

    Pod-level resources and overhead are not included.
    """
    resolved = pod_options(options, kubernetes_version, feature_gates)
    checked = valid_pod(pod, options=resolved)
    mode = resolved.behaviour.status_resources if use_status_resources else "spec"
    return sorted_resources(aggregate(checked, status_selectors(checked, mode)[1]))
