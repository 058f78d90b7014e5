"""The API server's defaulting that matters for resources (``pkg/apis/core/v1/defaults.go``, v1.34).

When a Pod is created, before it is validated or stored, the API server:

1. gives every container and init container (sidecars included) that sets a
   limit but no request for a resource a request equal to the limit
   (``SetDefaults_Pod``; ephemeral containers are not touched);
2. with pod-level resources (``PodLevelResources``, beta and on by default
   since v1.34), when ``spec.resources`` sets anything:

   a. a pod-level ``hugepages-*`` limit missing while containers limit it
      becomes the containers' aggregate limit, unless the pod requests that
      size (``defaultHugePagePodLimits``);
   b. when ``spec.resources.limits`` is set, a missing pod-level cpu or memory
      request becomes the containers' aggregate request, and any request still
      missing becomes the pod-level limit (``defaultPodRequests``);

3. rounds every quantity of every resource list up to a whole thousandth
   (``SetDefaults_ResourceList``: ``0.1m`` becomes ``1m``).

With the ``PodLevelResources`` gate off (the default before v1.34) the API
server drops ``spec.resources`` instead: ``pod_level_resources=False``.

It does this for Pods only; a template inside a Deployment is stored as
written, and each Pod created from it is defaulted. Every computation here
applies :func:`default_pod` first, so it answers for the pod a template would
create.

Not applied: ``defaultPodLimits`` (pod-level limits from the containers'
limits), which only newer releases (v1.36) have.
"""

from __future__ import annotations

from dataclasses import replace

from quantities.pod.model import Container, Pod, ResourceList, Resources
from quantities.pod.read import PodLike, read_pod
from quantities.pod.requests import aggregate
from quantities.pod.resource_names import is_hugepages, is_overcommit_allowed, is_supported_pod_level
from quantities.quantity.quantity import Quantity
from quantities.quantity.suffix import Format

__all__ = ["apply_defaults", "default_pod", "round_up_to_milli", "without_pod_level_resources"]


def round_up_to_milli(quantity: Quantity) -> Quantity:
    """Go's ``RoundUp(-3)``: away from zero to a whole thousandth; an exact value is returned unchanged.

    >>> from quantities import parse_quantity
    >>> round_up_to_milli(parse_quantity("0.1m")), round_up_to_milli(parse_quantity("-1.5m"))
    (Quantity('1m'), Quantity('-2m'))
    """
    # Quantities repeat across a manifest: remember the answer per (text, format),
    # which determines the value.
    cache_key = (str(quantity), quantity.format)
    cached = _ROUNDED.get(cache_key, _MISSING)
    if cached is _MISSING:
        exponent = quantity.to_decimal().as_tuple().exponent
        exact = not isinstance(exponent, int) or exponent >= -3
        cached = None if exact else Quantity.from_milli(quantity.milli_value(), quantity.format)
        if len(_ROUNDED) >= _CACHE_SIZE:
            _ROUNDED.clear()
        _ROUNDED[cache_key] = cached
    return quantity if cached is None else cached  # type: ignore[return-value]


_MISSING = object()
_CACHE_SIZE = 4096
_ROUNDED: dict[tuple[str, Format], object] = {}


def _round_list(resources: ResourceList) -> ResourceList:
    rounded = {name: round_up_to_milli(quantity) for name, quantity in resources.items()}
    if all(rounded[name] is resources[name] for name in resources):
        return resources
    return ResourceList(rounded)


def _round_resources(resources: Resources) -> Resources:
    requests, limits = _round_list(resources.requests), _round_list(resources.limits)
    if requests is resources.requests and limits is resources.limits:
        return resources
    return Resources(requests, limits)


def _round_containers(containers: tuple[Container, ...]) -> tuple[Container, ...]:
    result = []
    for container in containers:
        resources = _round_resources(container.resources)
        changed = resources is not container.resources
        result.append(replace(container, resources=resources) if changed else container)
    return tuple(result)


def _requests_from_limits(container: Container) -> Container:
    limits, requests = container.resources.limits, container.resources.requests
    missing = {name: quantity for name, quantity in limits.items() if name not in requests}
    if not missing:
        return container
    return replace(container, resources=Resources(ResourceList({**requests, **missing}), limits))


def _hugepage_pod_limits(pod: Pod, resources: Resources) -> Resources:
    """``defaultHugePagePodLimits``."""
    if not resources.limits and not resources.requests:
        return resources
    limits = dict(resources.limits)
    for name, quantity in aggregate(pod, lambda container: container.resources.limits).items():
        if is_hugepages(name) and name not in resources.requests:
            limits.setdefault(name, quantity)
    return Resources(resources.requests, ResourceList(limits))


def _pod_requests(pod: Pod, resources: Resources) -> Resources:
    """``defaultPodRequests``: only when pod-level limits are set."""
    if not resources.limits:
        return resources
    requests = dict(resources.requests)
    for name, quantity in aggregate(pod, lambda container: container.resources.requests).items():
        if name not in requests and is_supported_pod_level(name) and is_overcommit_allowed(name):
            requests[name] = quantity
    for name, quantity in resources.limits.items():
        if name not in requests and is_supported_pod_level(name):
            requests[name] = quantity
    return Resources(ResourceList(requests), resources.limits)


def apply_defaults(pod: Pod) -> Pod:
    """:func:`default_pod` for a :class:`~quantities.pod.model.Pod` already read (problems and all)."""
    if pod.defaulted:
        return pod
    containers = tuple(map(_requests_from_limits, pod.containers))
    init_containers = tuple(map(_requests_from_limits, pod.init_containers))
    if containers != pod.containers or init_containers != pod.init_containers:
        pod = replace(pod, containers=containers, init_containers=init_containers)
    if pod.resources is not None:
        resources = _hugepage_pod_limits(pod, pod.resources)
        resources = _pod_requests(pod, resources)
        pod = replace(pod, resources=resources)

    return replace(
        pod,
        containers=_round_containers(pod.containers),
        init_containers=_round_containers(pod.init_containers),
        ephemeral_containers=_round_containers(pod.ephemeral_containers),
        overhead=None if pod.overhead is None else _round_list(pod.overhead),
        resources=None if pod.resources is None else _round_resources(pod.resources),
        defaulted=True,
    )


def without_pod_level_resources(pod: Pod) -> Pod:
    """The pod as an API server with ``PodLevelResources`` off keeps it: ``spec.resources`` dropped.

    That gate is off by default before v1.34 (alpha in v1.32 and v1.33).
    """
    if pod.resources is None:
        return pod
    return replace(pod, resources=None, validated=False)


def default_pod(pod: PodLike, *, pod_level_resources: bool = True) -> Pod:
    """The pod as the API server stores it, as far as resources go.

    ``pod`` is a Pod, PodSpec or workload mapping (or a :class:`~quantities.pod.model.Pod`);
    reading problems raise :class:`~quantities.manifest.problems.ManifestError`.
    Defaulting does not validate: see :func:`quantities.validate_pod`.
    ``pod_level_resources=False`` answers for a cluster with the
    ``PodLevelResources`` gate off (the default before v1.34), whose API
    server drops ``spec.resources``.

    >>> pod = default_pod({"spec": {"containers": [
    ...     {"name": "app", "resources": {"requests": {"cpu": "100m"},
    ...                                   "limits": {"cpu": "1", "memory": "512Mi"}}}]}})
    >>> dict(pod.containers[0].resources.requests)
    {'cpu': Quantity('100m'), 'memory': Quantity('512Mi')}
    """
    read = read_pod(pod)
    return apply_defaults(read if pod_level_resources else without_pod_level_resources(read))
