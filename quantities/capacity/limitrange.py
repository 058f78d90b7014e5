"""LimitRange admission: the defaults a namespace gives each container, and the bounds it enforces.

The LimitRanger admission plugin (``plugin/pkg/admission/limitranger/admission.go``, v1.28-v1.36)
runs on every Pod created in a namespace with LimitRange objects, after the API server's own
defaulting (a container's limit without a request already set the request):

1. **Defaults** (``PodMutateLimitFunc``): the ``default`` (limits) and ``defaultRequest``
   (requests) of the LimitRange's ``Container`` items fill, in every container and init container
   (sidecars too, never ephemeral containers), each resource that container does not set
   (``mergeContainerResources``); the pod is annotated ``kubernetes.io/limit-ranger:
   LimitRanger plugin set: cpu, memory request for container app; ...``. A LimitRange as stored
   is itself defaulted (``SetDefaults_LimitRangeItem``): a missing ``default`` is the ``max``, a
   missing ``defaultRequest`` the ``default``, then the ``min``.
2. The pod so completed is **validated** by the API server: a default limit below the
   container's own request makes the pod invalid (``must be less than or equal to cpu limit``).
3. **Bounds** (``PodValidateLimitFunc``): for each ``Container`` item, every container and init
   container against ``min`` (``minConstraint``), ``max`` (``maxConstraint``) and
   ``maxLimitRequestRatio`` (``limitRequestRatioConstraint``); for each ``Pod`` item the same on
   the pod's requests and limits (``podRequests``/``podLimits``: the containers' sum, sidecars
   added, the largest init container as a floor, *no* overhead; with PodLevelResources, the
   pod-level cpu and memory). The errors of one LimitRange are aggregated
   (``utilerrors.NewAggregate``: one message alone, several as ``[a, b]``); the first LimitRange
   with an error refuses the pod.

Values are compared as the plugin does (``requestLimitEnforcedValues``): in thousandths rounded
up, or in units when a value is beyond int64 thousandths. Go iterates the resources of an item in
map order (random); here they go in name order.

>>> lr = read_limit_range({"kind": "LimitRange", "metadata": {"name": "lr"}, "spec": {"limits": [
...     {"type": "Container", "max": {"cpu": "1"}, "defaultRequest": {"cpu": "100m"}}]}})
>>> lr.items[0].default["cpu"], lr.items[0].default_request["cpu"]
(Quantity('1'), Quantity('100m'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from quantities.manifest.problems import ManifestError
from quantities.options import Options
from quantities.pod.defaults import round_up_to_milli
from quantities.pod.model import Container, Pod, ResourceList, Resources
from quantities.pod.requests import aggregate, container_limits, container_requests, sorted_resources
from quantities.pod.resource_names import CPU, MEMORY
from quantities.pod.scheduling import Location, SchedulingReader
from quantities.quantity.goint import INT64_MAX
from quantities.quantity.quantity import Quantity

__all__ = [
    "LIMIT_RANGER_ANNOTATION",
    "LimitRange",
    "LimitRangeItem",
    "apply_limit_ranges",
    "default_limit_range_item",
    "limit_range_errors",
    "limit_range_refusal",
    "pod_requests_and_limits",
    "read_limit_range",
]

#: The annotation the plugin leaves on a pod it completed.
LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"

CONTAINER = "Container"
POD = "Pod"
PERSISTENT_VOLUME_CLAIM = "PersistentVolumeClaim"
TYPES = (POD, CONTAINER, PERSISTENT_VOLUME_CLAIM)
#: The fields of a LimitRangeItem, in the order of :class:`LimitRangeItem`.
FIELDS = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")
#: ``resource.MaxMilliValue``: the largest value whose thousandths fit in an int64.
_MAX_MILLI_VALUE = INT64_MAX // 1000

_EMPTY = ResourceList()


@dataclass(frozen=True, slots=True)
class LimitRangeItem:
    """One ``spec.limits`` entry, defaulted as stored."""

    type: str
    max: ResourceList = _EMPTY
    min: ResourceList = _EMPTY
    default: ResourceList = _EMPTY
    default_request: ResourceList = _EMPTY
    max_limit_request_ratio: ResourceList = _EMPTY

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"type": self.type}
        for name, values in (
            ("max", self.max), ("min", self.min), ("default", self.default),
            ("defaultRequest", self.default_request), ("maxLimitRequestRatio", self.max_limit_request_ratio),
        ):  # fmt: skip
            if values:
                result[name] = {resource: str(quantity) for resource, quantity in values.items()}
        return result


@dataclass(frozen=True, slots=True)
class LimitRange:
    """A LimitRange object: its name, namespace (``""`` when not given) and items."""

    name: str
    namespace: str
    items: tuple[LimitRangeItem, ...]
    path: str = ""

    def container_defaults(self) -> Resources:
        """``defaultContainerResourceRequirements``: the Container items' defaults, later items winning."""
        requests: dict[str, Quantity] = {}
        limits: dict[str, Quantity] = {}
        for item in self.items:
            if item.type == CONTAINER:
                requests.update(item.default_request)
                limits.update(item.default)
        return Resources(ResourceList(requests), ResourceList(limits))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "items": [item.to_json() for item in self.items]}


def _resource_list(reader: SchedulingReader, value: object, where: Location) -> ResourceList:
    found: dict[str, Quantity] = {}
    for name, item in reader.entries(value, where, "resource names"):
        quantity = reader.quantity(item, where.json, name)
        if quantity is not None:
            # SetDefaults_ResourceList: stored values are rounded up to a whole thousandth.
            found[name] = round_up_to_milli(quantity)
    return ResourceList(found)


def default_limit_range_item(item: LimitRangeItem) -> LimitRangeItem:
    """``SetDefaults_LimitRangeItem`` for Container items: default from max, defaultRequest from
    default, then from min."""
    if item.type != CONTAINER:
        return item
    default = dict(item.default)
    for name, quantity in item.max.items():
        default.setdefault(name, quantity)
    default_request = dict(item.default_request)
    for name, quantity in default.items():
        default_request.setdefault(name, quantity)
    for name, quantity in item.min.items():
        default_request.setdefault(name, quantity)
    return replace(item, default=ResourceList(default), default_request=ResourceList(default_request))


def read_limit_range(obj: Mapping[str, Any], path: str = "") -> LimitRange:
    """A LimitRange as ``kubectl get limitrange -o json`` prints it (or as written: it is defaulted
    here as the API server stores it). :class:`ManifestError` lists every problem with its path."""
    root = Location(path, "")
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    reader = SchedulingReader(f'LimitRange "{name}"' if isinstance(name, str) and name else "LimitRange")
    meta = reader.obj(metadata, root.child("metadata")) or {}
    text_name = reader.text(meta.get("name"), root.child("metadata").child("name")) or ""
    namespace = reader.text(meta.get("namespace"), root.child("metadata").child("namespace")) or ""
    spec = reader.obj(obj.get("spec"), root.child("spec")) or {}
    items: list[LimitRangeItem] = []
    for at, entry in reader.objects(spec.get("limits"), root.child("spec").child("limits")):
        kind = reader.text(entry.get("type"), at.child("type")) or ""
        if kind not in TYPES:
            reader.unsupported(at.child("type"), kind, TYPES)
        lists = [_resource_list(reader, entry.get(field), at.child(field)) for field in FIELDS]
        items.append(default_limit_range_item(LimitRangeItem(kind, *lists)))
    problems = [*reader.problems, *reader.invalid]
    if problems:
        raise ManifestError(problems)
    return LimitRange(text_name, namespace, tuple(items), path)


# --- defaults ---------------------------------------------------------------------------------


def _merge_container(container: Container, defaults: Resources, what: str, notes: list[str]) -> Container:
    """``mergeContainerResources``: fill what the container does not set; note what was set."""
    limits = dict(container.resources.limits)
    requests = dict(container.resources.requests)
    set_limits = [name for name in defaults.limits if name not in limits]
    set_requests = [name for name in defaults.requests if name not in requests]
    for name in set_limits:
        limits[name] = defaults.limits[name]
    for name in set_requests:
        requests[name] = defaults.requests[name]
    if set_requests:
        notes.append(", ".join(sorted(set_requests)) + f" request for {what} {container.name}")
    if set_limits:
        notes.append(", ".join(sorted(set_limits)) + f" limit for {what} {container.name}")
    if not set_limits and not set_requests:
        return container
    return replace(container, resources=Resources(ResourceList(requests), ResourceList(limits)))


def apply_limit_ranges(pod: Pod, limit_ranges: Iterable[LimitRange]) -> tuple[Pod, str | None]:
    """The pod after every LimitRange's defaults (``PodMutateLimitFunc``, in order), and the
    ``kubernetes.io/limit-ranger`` annotation the last one that set something leaves (None if none).

    ``pod`` is a pod already read and defaulted by the API server's rules.
    """
    annotation: str | None = None
    for limit_range in limit_ranges:
        defaults = limit_range.container_defaults()
        if not defaults:
            continue
        notes: list[str] = []
        containers = tuple(_merge_container(c, defaults, "container", notes) for c in pod.containers)
        init = tuple(_merge_container(c, defaults, "init container", notes) for c in pod.init_containers)
        pod = replace(pod, containers=containers, init_containers=init, validated=False)
        if notes:
            annotation = "LimitRanger plugin set: " + "; ".join(notes)
    return pod, annotation


# --- bounds -----------------------------------------------------------------------------------


def _values(request: Quantity | None, limit: Quantity | None, enforced: Quantity) -> tuple[int, int, int]:
    """``requestLimitEnforcedValues``: thousandths when all three fit in int64 thousandths, else units."""
    zero = Quantity("0")
    request, limit = request or zero, limit or zero
    units = (request.int64_value(), limit.int64_value(), enforced.int64_value())
    if all(value <= _MAX_MILLI_VALUE for value in units):
        return request.int64_milli_value(), limit.int64_milli_value(), enforced.int64_milli_value()
    return units


def _min_error(kind: str, name: str, enforced: Quantity, requests: Mapping[str, Quantity],
               limits: Mapping[str, Quantity]) -> str | None:  # fmt: skip
    """``minConstraint``."""
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, value = _values(request, limit, enforced)
    if request is None:
        return f"minimum {name} usage per {kind} is {enforced}.  No request is specified"
    if observed_request < value:
        return f"minimum {name} usage per {kind} is {enforced}, but request is {request}"
    if limit is not None and observed_limit < value:
        return f"minimum {name} usage per {kind} is {enforced}, but limit is {limit}"
    return None


def _max_error(kind: str, name: str, enforced: Quantity, requests: Mapping[str, Quantity],
               limits: Mapping[str, Quantity]) -> str | None:  # fmt: skip
    """``maxConstraint``."""
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, value = _values(request, limit, enforced)
    if limit is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No limit is specified"
    if observed_limit > value:
        return f"maximum {name} usage per {kind} is {enforced}, but limit is {limit}"
    if request is not None and observed_request > value:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {request}"
    return None


def _ratio_error(kind: str, name: str, enforced: Quantity, requests: Mapping[str, Quantity],
                 limits: Mapping[str, Quantity]) -> str | None:  # fmt: skip
    """``limitRequestRatioConstraint``.

    Go compares ``float64(limit)/float64(request)*1000`` with the enforced thousandths; the
    ratio here is exact (the two agree unless the ratio is within a rounding error of the
    bound). The message prints the float64 ratio with ``%f``, as Go does.
    """
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, _ = _values(request, limit, enforced)
    head = f"{name} max limit to request ratio per {kind} is {enforced}"
    if request is None or observed_request == 0:
        return f"{head}, but no request is specified or request is 0"
    if limit is None or observed_limit == 0:
        return f"{head}, but no limit is specified or limit is 0"
    ratio = Fraction(observed_limit, observed_request)
    if enforced.int64_value() <= _MAX_MILLI_VALUE:
        exceeded = ratio * 1000 > enforced.int64_milli_value()
    else:
        exceeded = ratio > enforced.int64_value()
    if exceeded:
        # Display only: Go's %f of the float64 quotient (both operands are exact in a float64
        # below 2**53, and the division is correctly rounded in both languages).
        shown = "%f" % (observed_limit / observed_request)
        return f"{head}, but provided ratio is {shown}"
    return None


_CHECKS = (("min", _min_error), ("max", _max_error), ("max_limit_request_ratio", _ratio_error))


def _check(item: LimitRangeItem, requests: Mapping[str, Quantity], limits: Mapping[str, Quantity],
           errors: list[str]) -> None:  # fmt: skip
    for field, check in _CHECKS:
        bounds: ResourceList = getattr(item, field)
        for name in sorted(bounds):
            error = check(item.type, name, bounds[name], requests, limits)
            if error is not None:
                errors.append(error)


def pod_requests_and_limits(pod: Pod, options: Options) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """The plugin's own ``podRequests``/``podLimits``: the containers' aggregate (sidecars added,
    init containers as a floor), no overhead, and with PodLevelResources the pod-level cpu and
    memory in their place."""
    requests = aggregate(pod, container_requests)
    limits = aggregate(pod, container_limits)
    if options.pod_level_resources and pod.resources is not None:
        for source, target in ((pod.resources.requests, requests), (pod.resources.limits, limits)):
            for name in (CPU, MEMORY):
                if name in source:
                    target[name] = source[name]
    return sorted_resources(requests), sorted_resources(limits)


def _aggregate_message(errors: Sequence[str]) -> str:
    """``utilerrors.NewAggregate(errs).Error()``: one message alone, several distinct in brackets."""
    unique = list(dict.fromkeys(errors))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def limit_range_errors(limit_range: LimitRange, pod: Pod, options: Options) -> list[str]:
    """Every error ``PodValidateLimitFunc`` finds for ``pod`` (already completed with the defaults)."""
    errors: list[str] = []
    for item in limit_range.items:
        if item.type == CONTAINER:
            for container in (*pod.containers, *pod.init_containers):
                _check(item, container.resources.requests, container.resources.limits, errors)
        if item.type == POD:
            requests, limits = pod_requests_and_limits(pod, options)
            _check(item, requests, limits, errors)
    return errors


def limit_range_refusal(pod: Pod, limit_ranges: Iterable[LimitRange], options: Options) -> str | None:
    """The plugin's error for ``pod`` (the first LimitRange that refuses it), or None.

    >>> from quantities.pod.read import read_pod
    >>> lr = read_limit_range({"metadata": {"name": "lr"}, "spec": {"limits": [
    ...     {"type": "Container", "min": {"memory": "64Mi"}, "max": {"cpu": "2"}}]}})
    >>> pod = read_pod({"spec": {"containers": [{"name": "app", "resources": {
    ...     "requests": {"memory": "32Mi"}, "limits": {"cpu": "4"}}}]}})
    >>> limit_range_refusal(pod, [lr], Options())
    '[minimum memory usage per Container is 64Mi, but request is 32Mi, maximum cpu usage per Container is 2, \
but limit is 4]'
    """
    for limit_range in limit_ranges:
        errors = limit_range_errors(limit_range, pod, options)
        if errors:
            return _aggregate_message(errors)
    return None
