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

Before that, the API server drops what the release's feature gates turn off
(``dropDisabledPodFields``, :func:`as_stored`):

* ``spec.resources`` when ``PodLevelResources`` is off (the default before v1.34;
  before v1.32 the field does not exist): ``pod_level_resources=False``;
* ``restartPolicy`` of every init container when ``SidecarContainers`` is off (the
  default of v1.28): a sidecar becomes an ordinary init container, run before the
  app containers instead of beside them. Nothing is refused.

Hugepages are pod-level resources only from v1.33 (component-helpers v0.33,
``IsSupportedPodLevelResource``), so step 2a applies from v1.33 (inferred: it came
with that support).

It does this for Pods only; a template inside a Deployment is stored as
written, and each Pod created from it is defaulted. Every computation here
applies :func:`default_pod` first, so it answers for the pod a template would
create.

Not applied: ``defaultPodLimits`` (pod-level limits from the containers'
limits), which only newer releases (v1.36) have.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from quantities.options import Options, resolve_options
from quantities.pod.model import Container, Pod, ResourceList, Resources
from quantities.pod.read import PodLike, read_pod
from quantities.pod.requests import aggregate
from quantities.pod.resource_names import is_hugepages, is_overcommit_allowed, is_supported_pod_level
from quantities.quantity.quantity import Quantity
from quantities.quantity.suffix import Format

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from quantities.versions import Behaviour, KubernetesVersion

__all__ = [
    "apply_defaults",
    "as_stored",
    "default_pod",
    "pod_options",
    "round_up_to_milli",
    "storage_key",
    "without_pod_level_resources",
    "without_sidecars",
]


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


def apply_defaults(pod: Pod, *, pod_level_hugepages: bool = True) -> Pod:
    """:func:`default_pod` for a :class:`~quantities.pod.model.Pod` already read (problems and all).

    ``pod_level_hugepages`` False: as v1.32, whose pod-level resources know no hugepages.
    """
    if pod.defaulted:
        return pod
    containers = tuple(map(_requests_from_limits, pod.containers))
    init_containers = tuple(map(_requests_from_limits, pod.init_containers))
    if containers != pod.containers or init_containers != pod.init_containers:
        pod = replace(pod, containers=containers, init_containers=init_containers)
    if pod.resources is not None:
        resources = _hugepage_pod_limits(pod, pod.resources) if pod_level_hugepages else pod.resources
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


def without_sidecars(pod: Pod) -> Pod:
    """The pod as an API server with ``SidecarContainers`` off keeps it: init containers'
    ``restartPolicy`` dropped (``dropDisabledPodFields``; off by default in v1.28)."""
    if not any(container.restart_policy is not None for container in pod.init_containers):
        return pod
    init_containers = tuple(replace(container, restart_policy=None) for container in pod.init_containers)
    return replace(pod, init_containers=init_containers, validated=False)


def storage_key(behaviour: Behaviour) -> tuple[bool, bool, bool]:
    """What of a pod's resources the release's API server keeps: sidecars, ``spec.resources``,
    pod-level hugepages."""
    return (behaviour.sidecars, behaviour.pod_level_resources, behaviour.pod_level_hugepages)


def as_stored(pod: Pod, behaviour: Behaviour) -> Pod:
    """The pod after the API server's ``dropDisabledPodFields`` for ``behaviour``'s gates (not defaulted)."""
    if not behaviour.pod_level_resources:
        pod = without_pod_level_resources(pod)
    if not behaviour.sidecars:
        pod = without_sidecars(pod)
    return pod


def pod_options(
    options: Options | None,
    kubernetes_version: str | KubernetesVersion | None,
    feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None,
    pod_level_resources: bool | None = None,
) -> Options:
    """The options of a public pod computation: ``resolve_options``, then the older
    ``pod_level_resources=False`` as ``with_gate("PodLevelResources", False)``
    (True, the older default, leaves the release's gate as it is)."""
    resolved = resolve_options(options, kubernetes_version, feature_gates)
    if pod_level_resources is False:
        resolved = resolved.with_gate("PodLevelResources", False)
    return resolved


def default_pod(
    pod: PodLike,
    *,
    pod_level_resources: bool | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None = None,
    options: Options | None = None,
) -> Pod:
    """The pod as the API server of ``kubernetes_version`` (default: the process default,
    :func:`quantities.versions.default_kubernetes_version`) stores it, as far as resources go.

    ``pod`` is a Pod, PodSpec or workload mapping (or a :class:`~quantities.pod.model.Pod`);
    reading problems raise :class:`~quantities.manifest.problems.ManifestError`.
    Defaulting does not validate: see :func:`quantities.validate_pod`.
    ``feature_gates`` overrides the release's gate defaults; ``pod_level_resources=False``
    is ``feature_gates={"PodLevelResources": False}``: the API server drops ``spec.resources``.

    >>> pod = default_pod({"spec": {"containers": [
    ...     {"name": "app", "resources": {"requests": {"cpu": "100m"},
    ...                                   "limits": {"cpu": "1", "memory": "512Mi"}}}]}})
    >>> dict(pod.containers[0].resources.requests)
    {'cpu': Quantity('100m'), 'memory': Quantity('512Mi')}
    >>> sidecar = {"name": "proxy", "restartPolicy": "Always"}
    >>> default_pod({"spec": {"initContainers": [sidecar], "containers": [{"name": "app"}]}},
    ...             kubernetes_version="1.28").init_containers[0].is_sidecar
    False
    """
    behaviour = pod_options(options, kubernetes_version, feature_gates, pod_level_resources).behaviour
    stored = as_stored(read_pod(pod), behaviour)
    return apply_defaults(stored, pod_level_hugepages=behaviour.pod_level_hugepages)
