"""Every resource problem the API server would reject a pod for, with its JSON path.

Ported from ``pkg/apis/core/validation/validation.go`` (v1.33 source, with the
v1.34 fixes to pod-level resources), run, as the API server runs it, on the
pod *after* defaulting (:func:`quantities.default_pod`):

* each container, init container and ephemeral container, and
  ``spec.overhead``: resource names (``cpu``, ``memory``, ``ephemeral-storage``,
  ``hugepages-<size>`` or a qualified extended name such as ``nvidia.com/gpu``),
  no negative quantity, whole numbers for extended resources, hugepages in
  whole pages, request not above the limit, request equal to the limit for
  resources that cannot be overcommitted (extended resources, hugepages) and a
  limit whenever they are requested, hugepages only together with cpu or
  memory;
* pod-level ``spec.resources`` (``PodLevelResources``, on by default since
  v1.34): the same rules for cpu, memory and hugepages only (cpu and memory only
  in v1.32, whose ``SupportedPodLevelResources`` has no hugepages); the pod-level
  request of a resource at least the containers' aggregate request; a
  pod-level hugepage limit at least the containers' aggregate limit; no
  container limit above the pod-level limit;
* the fields the computations rely on: at least one container, container
  names present and unique, ``restartPolicy`` only on init containers and only
  ``Always``, no resources on ephemeral containers;
* everything found while reading: wrong types and invalid quantity strings.

Before validating, the API server drops what the release's gates turn off
(:func:`quantities.pod.defaults.as_stored`): ``spec.resources`` without
``PodLevelResources``, init containers' ``restartPolicy`` without
``SidecarContainers`` (v1.28). The release is the ``kubernetes_version``
keyword (default: the process default) with ``feature_gates`` overrides.

Other rules of the API server (images, ports, probes, volumes...) are not
resource arithmetic and are not checked. Each :class:`~quantities.manifest.problems.Problem`
has our JSON path and message, and in ``kubernetes`` the API server's line
(its ``field.Path`` form: ``spec.containers[0].resources.limits[cpu]``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from quantities.manifest.problems import PodValidationError, Problem, child, key
from quantities.pod.defaults import apply_defaults, as_stored, pod_options, storage_key
from quantities.pod.model import Container, ContainerKind, Pod, ResourceList, Resources
from quantities.pod.read import PodLike, as_pod
from quantities.pod.requests import ResourceSelector, aggregate, container_limits, container_requests
from quantities.pod.resource_names import (
    QOS_RESOURCES,
    is_extended,
    is_hugepages,
    is_integer_resource,
    is_native,
    is_overcommit_allowed,
    is_standard_container_resource,
    is_standard_resource,
    is_supported_pod_level,
    qualified_name_errors,
)
from quantities.quantity.errors import QuantityError, quote
from quantities.quantity.quantity import Quantity, parse_quantity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from quantities.options import Options
    from quantities.versions import Behaviour, KubernetesVersion

__all__ = ["check_pod", "valid_pod", "validate_pod"]

_SUPPORTED_POD_LEVEL = '"cpu", "hugepages-", "memory"'
# component-helpers v0.32: SupportedPodLevelResources is {cpu, memory}.
_SUPPORTED_POD_LEVEL_V32 = '"cpu", "memory"'


def _supported_at_pod_level(name: str, hugepages: bool) -> bool:
    return is_supported_pod_level(name) and (hugepages or not is_hugepages(name))


def _kchild(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kkey(path: str, name: str) -> str:
    return f"{path}[{name}]"


def _field_error(path: str, kind: str, value: str | None = None, detail: str = "") -> str:
    """``field.Error.Error()``: ``path: Kind: value: detail``."""
    body = kind if value is None else f"{kind}: {value}"
    return f"{path}: {body}: {detail}" if detail else f"{path}: {body}"


@functools.lru_cache(maxsize=1024)
def _resource_name_errors(name: str) -> tuple[str, ...]:
    """``validateResourceName``."""
    errors = qualified_name_errors(name)
    if errors:
        return tuple(errors)
    if "/" not in name and not is_standard_resource(name):
        return ("must be a standard resource type or fully qualified",)
    return ()


@functools.lru_cache(maxsize=1024)
def _container_resource_name_errors(name: str) -> tuple[str, ...]:
    """``validateContainerResourceName``."""
    errors = _resource_name_errors(name)
    if "/" not in name:
        if not is_standard_container_resource(name):
            return (*errors, "must be a standard resource for containers")
    elif not is_native(name) and not is_extended(name):
        return (*errors, "doesn't follow extended resource name standard")
    return errors


def _hugepage_multiple_error(name: str, quantity: Quantity) -> str | None:
    """``IsHugePageResourceValueDivisible``; None when the value is a whole number of pages."""
    try:
        page = parse_quantity(name[len("hugepages-") :])
    except QuantityError:
        return f"{name} does not name a page size"
    if page.sign() <= 0 or page.int64_milli_value() % 1000:
        return f"{name} does not name a positive whole page size"
    if quantity.int64_value() % page.int64_value():
        return f"{quantity} is not a whole number of {page} pages"
    return None


@dataclass(frozen=True, slots=True)
class _Place:
    """Where one ``ResourceRequirements`` is: our JSON paths and the API server's field path.

    ``json_limits`` and ``json_requests`` are the same for ``spec.overhead``,
    which is a bare resource list (the API server still names it ``overhead.limits``).
    """

    json_base: str
    k8s_base: str
    json_limits: str
    json_requests: str
    pod_level: bool = False

    @classmethod
    def of(cls, json_base: str, k8s_base: str, pod_level: bool = False) -> _Place:
        return cls(json_base, k8s_base, child(json_base, "limits"), child(json_base, "requests"), pod_level)


class _Checker:
    def __init__(self, pod: Pod, pod_level_hugepages: bool = True) -> None:
        self.pod = pod
        self.pod_level_hugepages = pod_level_hugepages
        self.problems: list[Problem] = []

    def supported_at_pod_level(self, name: str) -> bool:
        return _supported_at_pod_level(name, self.pod_level_hugepages)

    def fail(self, path: str, message: str, kubernetes: str) -> None:
        self.problems.append(Problem(path, message, kubernetes, self.pod.label))

    # -- one ResourceRequirements -------------------------------------------------

    def requirements(self, resources: Resources, place: _Place) -> None:
        """``validateResourceRequirements``: limits first, then requests, then the hugepages rule."""
        k8s_limits, k8s_requests = _kchild(place.k8s_base, "limits"), _kchild(place.k8s_base, "requests")
        for name, quantity in resources.limits.items():
            self.entry(name, quantity, place.json_limits, k8s_limits, place.pod_level)
        for name, quantity in resources.requests.items():
            self.entry(name, quantity, place.json_requests, k8s_requests, place.pod_level, check_pages=False)
            self.request_within_limit(name, quantity, resources.limits.get(name), place)
            if is_hugepages(name):
                self.hugepage_value(name, quantity, key(place.json_requests, name), _kkey(k8s_requests, name))
        limits, requests = resources.limits, resources.requests
        cpu_or_memory = any(name in limits or name in requests for name in QOS_RESOURCES)
        if not cpu_or_memory and any(map(is_hugepages, (*limits, *requests))):
            self.fail(
                place.json_base,
                "hugepages need a cpu or memory request or limit beside them",
                _field_error(place.k8s_base, "Forbidden", None, "HugePages require cpu or memory"),
            )

    def request_within_limit(
        self, name: str, request: Quantity, limit: Quantity | None, place: _Place
    ) -> None:
        """A request is at most its limit, and equal to it where the resource cannot be overcommitted."""
        overcommit = is_overcommit_allowed(name)
        if limit is None:
            if not overcommit:
                self.fail(
                    key(place.json_limits, name),
                    f"{key('requests', name)} {request} needs {key('limits', name)} set to the same value: "
                    f"{name} cannot be overcommitted",
                    _field_error(
                        _kchild(place.k8s_base, "limits"),
                        "Required value",
                        None,
                        "Limit must be set for non overcommitable resources",
                    ),
                )
            return
        if request == limit or (overcommit and request < limit):
            return
        if overcommit:
            message = f"{key('requests', name)} {request} is above {key('limits', name)} {limit}"
            detail = f"must be less than or equal to {name} limit of {limit}"
        else:
            shown = f"{key('requests', name)} {request}"
            message = f"{shown} must equal {key('limits', name)} {limit}: {name} cannot be overcommitted"
            detail = f"must be equal to {name} limit of {limit}"
        self.fail(
            key(place.json_requests, name),
            message,
            _field_error(_kchild(place.k8s_base, "requests"), "Invalid value", quote(str(request)), detail),
        )

    def entry(
        self,
        name: str,
        quantity: Quantity,
        json_list: str,
        k8s_list: str,
        pod_level: bool,
        check_pages: bool = True,
    ) -> None:
        """Name and value checks of one ``name: quantity`` entry of the list at ``json_list``."""
        name_errors = _resource_name_errors(name) if pod_level else _container_resource_name_errors(name)
        negative = quantity.sign() < 0
        fractional = is_integer_resource(name) and quantity.int64_milli_value() % 1000 != 0
        pages = check_pages and is_hugepages(name)
        unsupported = pod_level and not name_errors and not self.supported_at_pod_level(name)
        if not (name_errors or negative or fractional or pages or unsupported):
            return
        json_path, k8s_path = key(json_list, name), _kkey(k8s_list, name)
        for detail in name_errors:
            self.fail(
                json_path,
                f"invalid resource name: {detail}",
                _field_error(k8s_path, "Invalid value", name, detail),
            )
        if unsupported:
            hugepages = self.pod_level_hugepages
            self.fail(
                json_path,
                f"{name} cannot be set at pod level: only cpu, memory"
                + (" and hugepages-<size> can" if hugepages else " can (hugepages from Kubernetes 1.33)"),
                _field_error(
                    k8s_path,
                    "Unsupported value",
                    name,
                    f"supported values: {_SUPPORTED_POD_LEVEL if hugepages else _SUPPORTED_POD_LEVEL_V32}",
                ),
            )
        if negative:
            self.fail(
                json_path,
                f"{quantity} is negative",
                _field_error(
                    k8s_path, "Invalid value", quote(str(quantity)), "must be greater than or equal to 0"
                ),
            )
        if fractional:
            self.fail(
                json_path,
                f"{name} is counted in whole units; {quantity} is not an integer",
                _field_error(k8s_path, "Invalid value", str(quantity), "must be an integer"),
            )
        if pages:
            self.hugepage_value(name, quantity, json_path, k8s_path)

    def hugepage_value(self, name: str, quantity: Quantity, json_path: str, k8s_path: str) -> None:
        error = _hugepage_multiple_error(name, quantity)
        if error is not None:
            self.fail(
                json_path,
                error,
                _field_error(
                    k8s_path,
                    "Invalid value",
                    quote(str(quantity)),
                    f"{quantity} is not positive integer multiple of {name}",
                ),
            )

    # -- containers ------------------------------------------------------------------

    def containers(self) -> None:
        """``validateContainers``, ``validateInitContainers``, ``validateEphemeralContainers``.

        Names are unique across the three lists; an empty name is reported once
        (as missing), except that a second unnamed regular container is also a duplicate.
        """
        pod = self.pod
        if not pod.containers:
            self.fail(
                child(pod.path, "containers"),
                "a pod needs at least one container",
                _field_error(_kchild(pod.object_path, "containers"), "Required value"),
            )
        names: set[str] = set()
        for kind, containers in (
            (ContainerKind.CONTAINER, pod.containers),
            (ContainerKind.INIT, pod.init_containers),
            (ContainerKind.EPHEMERAL, pod.ephemeral_containers),
        ):
            k8s_list = _kchild(pod.object_path, kind.value)  # the list's field name
            for position, container in enumerate(containers):
                k8s_path = f"{k8s_list}[{position}]"
                self.container_common(container, k8s_path)
                if kind is ContainerKind.CONTAINER:  # its name is checked before its restart policy
                    self.unique_name(container, k8s_path, names)
                self.kind_rules(container, k8s_path)
                if kind is not ContainerKind.CONTAINER:
                    self.unique_name(container, k8s_path, names)

    def container_common(self, container: Container, k8s_path: str) -> None:
        if not container.name:
            self.fail(
                child(container.path, "name"),
                "every container needs a name",
                _field_error(_kchild(k8s_path, "name"), "Required value"),
            )
        self.requirements(
            container.resources, _Place.of(child(container.path, "resources"), _kchild(k8s_path, "resources"))
        )

    def unique_name(self, container: Container, k8s_path: str, names: set[str]) -> None:
        if container.name in names:
            self.fail(
                child(container.path, "name"),
                f'the name "{container.name}" is already used by another container of this pod',
                _field_error(_kchild(k8s_path, "name"), "Duplicate value", quote(container.name)),
            )
        elif container.name or container.kind is ContainerKind.CONTAINER:
            names.add(container.name)

    def kind_rules(self, container: Container, k8s_path: str) -> None:
        """What only one list allows: restartPolicy (init containers, Always), resources (not ephemeral)."""
        if container.kind is ContainerKind.EPHEMERAL:
            if container.resources:
                self.fail(
                    child(container.path, "resources"),
                    "ephemeral containers cannot set resources",
                    _field_error(
                        _kchild(k8s_path, "resources"),
                        "Forbidden",
                        None,
                        "cannot be set for an Ephemeral Container",
                    ),
                )
        elif container.restart_policy is None:
            return
        elif container.kind is ContainerKind.CONTAINER:
            self.fail(
                child(container.path, "restartPolicy"),
                "restartPolicy may only be set on init containers "
                "(an init container with restartPolicy: Always is a sidecar)",
                _field_error(
                    _kchild(k8s_path, "restartPolicy"),
                    "Forbidden",
                    None,
                    "may not be set for non-init containers",
                ),
            )
        elif container.restart_policy != "Always":
            self.fail(
                child(container.path, "restartPolicy"),
                "an init container's restartPolicy can only be Always (a sidecar), "
                f"not {quote(container.restart_policy)}",
                _field_error(
                    _kchild(k8s_path, "restartPolicy"),
                    "Unsupported value",
                    quote(container.restart_policy),
                    'supported values: "Always"',
                ),
            )

    # -- pod level ----------------------------------------------------------------------

    def pod_resources(self) -> None:
        """``validatePodResources`` with the v1.34 ``validatePodResourceConsistency``."""
        pod, resources = self.pod, self.pod.resources
        if resources is None:
            return
        place = _Place.of(child(pod.path, "resources"), _kchild(pod.object_path, "resources"), pod_level=True)
        self.requirements(resources, place)
        # Pod-level requests cover the containers' aggregate, for the resources
        # set at pod level (v1.34 skips the others: kubernetes#132449).
        self.covers_containers("requests", container_requests, self.supported_at_pod_level, place)
        # Hugepages cannot be overcommitted at pod level either (kubernetes#131089, v1.34).
        self.covers_containers("limits", container_limits, is_hugepages, place)
        for position, container in enumerate(pod.containers):
            for name, limit in container.resources.limits.items():
                pod_limit = resources.limits.get(name)
                if pod_limit is None or limit <= pod_limit:
                    continue
                # The API server builds this odd path from the pod-level resources path.
                containers = _kchild(place.k8s_base, "containers")
                k8s_path = _kchild(_kkey(f"{containers}[{position}]", name), "limits")
                self.fail(
                    key(child(child(container.path, "resources"), "limits"), name),
                    f"{container.label}: {key('limits', name)} {limit} is above "
                    f"the pod-level limit {pod_limit}",
                    _field_error(
                        k8s_path,
                        "Invalid value",
                        quote(str(limit)),
                        f"must be less than or equal to pod limits of {pod_limit}",
                    ),
                )

    def covers_containers(
        self, field: str, select: ResourceSelector, applies: Callable[[str], bool], place: _Place
    ) -> None:
        """The pod-level ``field`` (requests or limits) is at least the containers' aggregate."""
        assert self.pod.resources is not None
        pod_level: ResourceList = getattr(self.pod.resources, field)
        json_list = place.json_requests if field == "requests" else place.json_limits
        for name, total in aggregate(self.pod, select).items():
            value = pod_level.get(name)
            if not applies(name) or value is None or total <= value:
                continue
            self.fail(
                key(json_list, name),
                f"pod-level {key(field, name)} {value} is below "
                f"the containers' aggregate {field[:-1]} {total}",
                _field_error(
                    _kkey(_kchild(place.k8s_base, field), name),
                    "Invalid value",
                    quote(str(value)),
                    f"must be greater than or equal to aggregate container {field} of {total}",
                ),
            )

    def overhead(self, overhead: ResourceList) -> None:
        json_base = child(self.pod.path, "overhead")
        place = _Place(json_base, _kchild(self.pod.object_path, "overhead"), json_base, json_base)
        self.requirements(Resources(limits=overhead), place)


def check_pod(pod: Pod, *, pod_level_hugepages: bool = True) -> list[Problem]:
    """The API server's resource validation of a pod already defaulted (reading problems not included).

    ``pod_level_hugepages`` False: as v1.32, where hugepages are not pod-level resources.
    """
    checker = _Checker(pod, pod_level_hugepages)
    checker.containers()
    checker.pod_resources()
    if pod.overhead is not None:
        checker.overhead(pod.overhead)
    return checker.problems


def _stored_and_defaulted(read: Pod, behaviour: Behaviour) -> Pod:
    return apply_defaults(as_stored(read, behaviour), pod_level_hugepages=behaviour.pod_level_hugepages)


def validate_pod(
    pod: PodLike,
    *,
    pod_level_resources: bool | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None = None,
    options: Options | None = None,
) -> list[Problem]:
    """Every problem the API server of ``kubernetes_version`` would reject this pod for (empty if none).

    Reading problems (wrong types, invalid quantity strings) come first, then
    the validation of the pod as that release stores and defaults it. A template
    is checked as the pod it would create. ``feature_gates`` overrides the release's
    gate defaults; ``pod_level_resources=False`` is ``{"PodLevelResources": False}``
    (the API server drops ``spec.resources``).

    >>> for problem in validate_pod({"kind": "Pod", "spec": {"containers": [{"name": "app",
    ...         "resources": {"requests": {"cpu": "2", "memory": "1GB"}, "limits": {"cpu": "1"}}}]}}):
    ...     print(problem.path)
    ...     print("  ", problem.kubernetes)  # doctest: +ELLIPSIS
    spec.containers[0].resources.requests.memory
       Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression ...
    spec.containers[0].resources.requests.cpu
       spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1
    """
    behaviour = pod_options(options, kubernetes_version, feature_gates, pod_level_resources).behaviour
    read = as_pod(pod)
    stored = _stored_and_defaulted(read, behaviour)
    return [*read.problems, *check_pod(stored, pod_level_hugepages=behaviour.pod_level_hugepages)]


def _unchanged_by(pod: Pod, behaviour: Behaviour) -> bool:
    """Whether the release's API server would keep everything of this (checked) pod."""
    if pod.resources is not None:
        if not behaviour.pod_level_resources:
            return False
        if not behaviour.pod_level_hugepages and any(
            map(is_hugepages, (*pod.resources.requests, *pod.resources.limits))
        ):
            return False
    return behaviour.sidecars or all(container.restart_policy is None for container in pod.init_containers)


def valid_pod(
    pod: PodLike,
    *,
    pod_level_resources: bool | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None = None,
    options: Options | None = None,
) -> Pod:
    """The pod as the API server of ``kubernetes_version`` stores it (default: the process
    default), or :class:`~quantities.manifest.problems.PodValidationError` listing every problem.

    Every computation starts here; the result is marked as checked, so passing
    it on to several computations does the work once:
    ``qos_class(valid_pod(manifest, kubernetes_version="1.32"))``.
    ``feature_gates`` overrides the release's gate defaults; ``pod_level_resources=False``
    is ``{"PodLevelResources": False}``.
    """
    behaviour = pod_options(options, kubernetes_version, feature_gates, pod_level_resources).behaviour
    if (
        isinstance(pod, Pod)
        and pod.validated
        and (pod.stored_as == storage_key(behaviour) or _unchanged_by(pod, behaviour))
    ):
        return pod
    read = as_pod(pod)
    defaulted = _stored_and_defaulted(read, behaviour)
    problems = [*read.problems, *check_pod(defaulted, pod_level_hugepages=behaviour.pod_level_hugepages)]
    if problems:
        raise PodValidationError(problems)
    return replace(defaulted, validated=True, stored_as=storage_key(behaviour))
