"""A pod as the scheduler sees it: its requests as integers and its placement rules.

:func:`pod_info` reads a Pod (or anything with a pod ``spec``) once and keeps
what the filters and scores need, so that the hot loops of a plan over
thousands of nodes never touch a ``Quantity`` again:

* requests (component-helpers ``PodRequests``: containers, init containers
  and sidecars, overhead, requests defaulted from limits) as integers: cpu in
  thousandths, memory, ephemeral-storage and scalar resources in units
  (``framework.Resource``);
* the *non-zero* cpu and memory the scores use: every container (init ones
  too) that lacks a cpu or memory request counts 100m / 200Mi
  (``schedutil.DefaultMilliCPURequest``, ``DefaultMemoryRequest``); when the
  pod sets pod-level requests, only a resource neither the pod level nor any
  container requests gets the default (``getNonMissingContainerRequests``,
  research note S2);
* tolerations, ``nodeSelector`` and required node affinity, required pod
  (anti-)affinity terms, and ``DoNotSchedule`` topology spread constraints;
* ``spec.priority`` and ``preemptionPolicy`` for the preemption sentence.

Each answer is for the release in ``options`` (:attr:`~quantities.options.Options.behaviour`):

* the pod is stored as that release's API server stores it
  (:func:`quantities.pod.defaults.as_stored`: ``spec.resources`` only with
  PodLevelResources, sidecars only with SidecarContainers, pod affinity
  ``matchLabelKeys``/``mismatchLabelKeys`` only with MatchLabelKeysInPodAffinity);
* the pod asked about (``state=False``) counts its spec (``computePodResourceRequest``:
  the pod has not run, research note S1);
* a pod already on a node (``state=True``) counts what in-place resize reports in
  its status, by the release's rule (``PodInfo.calculateResource`` with
  ``UseStatusResources``: :attr:`~quantities.versions.Behaviour.status_resources`,
  research note P2), as ``NodeInfo.Requested`` does.

**Proposals strictly, state leniently.** The pod a user asks about (``state=False``,
the default) is validated with every rule of the API server
(:func:`quantities.pod.validation.check_pod` for resources,
:mod:`quantities.pod.scheduling` for the scheduling fields): any problem raises
:class:`~quantities.manifest.problems.PodValidationError` listing all of them,
each with its JSON path. A pod already stored in a cluster (``state=True``) is
computed on as kube-scheduler computes on it: a request above its limit is summed
as stored, hugepages without cpu or memory count, resources on an ephemeral
container are ignored (``PodRequests`` never reads ephemeral containers); each
such oddity becomes a warning in ``info.warnings``. A field of the wrong JSON type
cannot be stored by any API server, so it raises
:class:`~quantities.manifest.problems.ManifestError` in both cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from quantities.manifest.fields import json_type
from quantities.manifest.kinds import POD_TEMPLATE_PATHS
from quantities.manifest.problems import ManifestError, PodValidationError, Problem, child
from quantities.node.model import CPU, EPHEMERAL_STORAGE, MEMORY, is_scalar_resource_name
from quantities.node.selectors import label_selector_matches
from quantities.options import DEFAULT_OPTIONS, Options
from quantities.pod.defaults import apply_defaults, as_stored, storage_key
from quantities.pod.model import Pod
from quantities.pod.read import read_pod
from quantities.pod.requests import (
    ResourceSelector,
    compute_limits,
    compute_requests,
    pod_level_requests_set,
    status_selectors,
)
from quantities.pod.scheduling import (
    LabelSelector,
    Location,
    NodeSelectorTerm,
    PodAffinityTerm,
    Requirement,
    SchedulingFields,
    Toleration,
    TopologySpreadConstraint,
    read_scheduling,
)
from quantities.pod.validation import check_pod
from quantities.quantity.quantity import Quantity
from quantities.versions import Behaviour

__all__ = [
    "DEFAULT_MEMORY_REQUEST",
    "DEFAULT_MILLI_CPU_REQUEST",
    "AffinityTerm",
    "PodInfo",
    "SpreadConstraint",
    "pod_info",
]

#: schedutil.DefaultMilliCPURequest: 0.1 core for a container without a cpu request (scoring only).
DEFAULT_MILLI_CPU_REQUEST = 100
#: schedutil.DefaultMemoryRequest: 200 MiB for a container without a memory request (scoring only).
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

_NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True, slots=True)
class AffinityTerm:
    """A required pod (anti-)affinity term, resolved as the scheduler's ``framework.AffinityTerm``.

    ``namespaces`` is None when the term applies to every namespace (an empty
    ``namespaceSelector``).
    """

    selector: LabelSelector | None
    namespaces: frozenset[str] | None
    namespace_selector: LabelSelector | None
    topology_key: str

    def matches(self, namespace: str, labels: Mapping[str, str]) -> bool:
        """``AffinityTerm.Matches``: the pod's namespace is selected and its labels match."""
        if not self._namespace_matches(namespace):
            return False
        return label_selector_matches(self.selector, labels)

    def _namespace_matches(self, namespace: str) -> bool:
        if self.namespaces is None:
            return True
        if namespace in self.namespaces:
            return True
        if self.namespace_selector is not None:
            # Namespace labels are not in our inputs; every namespace carries its name label.
            return label_selector_matches(self.namespace_selector, {_NAMESPACE_NAME_LABEL: namespace})
        return False


@dataclass(frozen=True, slots=True)
class SpreadConstraint:
    """A ``DoNotSchedule`` topology spread constraint with the scheduler's defaults applied."""

    max_skew: int
    topology_key: str
    selector: LabelSelector | None
    min_domains: int
    honor_node_affinity: bool
    honor_node_taints: bool


class PodInfo:
    """The scheduler's view of one pod (see the module docstring)."""

    __slots__ = (
        "affinity_terms",
        "anti_affinity_terms",
        "cpu",
        "cpu_limit",
        "creation_timestamp",
        "ephemeral_storage",
        "host_network",
        "labels",
        "memory",
        "memory_limit",
        "name",
        "namespace",
        "node_name",
        "node_selector",
        "non0_cpu",
        "non0_memory",
        "phase",
        "preemption_never",
        "priority",
        "required_node_terms",
        "scalars",
        "spread_constraints",
        "terminating",
        "tolerations",
        "warnings",
    )

    namespace: str
    name: str
    node_name: str
    phase: str
    labels: Mapping[str, str]
    priority: int
    preemption_never: bool
    terminating: bool
    creation_timestamp: str | None
    cpu: int
    memory: int
    ephemeral_storage: int
    scalars: Mapping[str, int]
    non0_cpu: int
    non0_memory: int
    cpu_limit: int
    memory_limit: int
    tolerations: tuple[Toleration, ...]
    node_selector: Mapping[str, str]
    required_node_terms: tuple[NodeSelectorTerm, ...] | None
    affinity_terms: tuple[AffinityTerm, ...]
    anti_affinity_terms: tuple[AffinityTerm, ...]
    spread_constraints: tuple[SpreadConstraint, ...]
    host_network: bool
    #: What is odd about the pod: API-server rules a stored pod breaks, fields the scheduler cannot use.
    warnings: tuple[Problem, ...]

    def __repr__(self) -> str:
        return f"PodInfo({self.namespace}/{self.name}, cpu={self.cpu}m, memory={self.memory})"

    @property
    def has_requests(self) -> bool:
        """False for the zero-request shortcut of NodeResourcesFit."""
        return bool(self.cpu or self.memory or self.ephemeral_storage or self.scalars)

    def copy(self, **changes: Any) -> PodInfo:
        """A copy with some slots changed (a replica's name, a DaemonSet pod's tolerations)."""
        result = object.__new__(PodInfo)
        for slot in PodInfo.__slots__:
            object.__setattr__(result, slot, changes[slot] if slot in changes else getattr(self, slot))
        return result

    def requests_json(self) -> dict[str, str]:
        """The requests in Kubernetes notation (cpu in canonical milli form)."""
        result: dict[str, str] = {}
        if self.cpu:
            result[CPU] = str(Quantity.from_milli(self.cpu))
        if self.memory:
            result[MEMORY] = str(Quantity.from_int(self.memory, "BinarySI"))
        if self.ephemeral_storage:
            result[EPHEMERAL_STORAGE] = str(Quantity.from_int(self.ephemeral_storage, "BinarySI"))
        for resource, value in sorted(self.scalars.items()):
            result[resource] = str(Quantity.from_int(value))
        return result


# --- requests ---------------------------------------------------------------------------------


def _freeze(value: object) -> object:
    """A hashable copy of decoded JSON in which values of different types never compare equal.

    ``false`` and ``0`` (or ``"1"`` and ``1``) are equal in Python; tagging each
    scalar with its type keeps them apart, so a cached answer is only ever reused
    for the same input.
    """
    if isinstance(value, Mapping):
        return ("o", tuple((_freeze(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("a", tuple(_freeze(v) for v in value))
    text = getattr(value, "text", None)
    if isinstance(text, str):  # ExactNumber: the number as written
        return ("n", text)
    return (type(value).__name__, repr(value))


_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_CONTAINER_FIELDS = ("name", "restartPolicy", "resources")


def _containers_key(value: object) -> object:
    if not isinstance(value, list | tuple):
        return _freeze(value)
    return tuple(
        tuple(_freeze(item.get(name)) for name in _CONTAINER_FIELDS)
        if isinstance(item, Mapping)
        else _freeze(item)
        for item in value
    )


_STATUS_FIELDS = ("name", "allocatedResources", "resources")


def _statuses_key(value: object) -> object:
    if not isinstance(value, list | tuple):
        return _freeze(value)
    return tuple(
        tuple(_freeze(item.get(name)) for name in _STATUS_FIELDS)
        if isinstance(item, Mapping)
        else _freeze(item)
        for item in value
    )


def _conditions_key(value: object) -> object:
    if not isinstance(value, list | tuple):
        return _freeze(value)
    return tuple(
        (_freeze(item.get("type")), _freeze(item.get("reason")))
        if isinstance(item, Mapping)
        else _freeze(item)
        for item in value
    )


def _plain_statuses(value: object) -> bool:
    """Container statuses that say nothing of resources, with well-typed names."""
    if value is None:
        return True
    if type(value) is not list:
        return False
    for item in value:
        if type(item) is not dict or type(item.get("name")) is not str:
            return False
        if "allocatedResources" in item or "resources" in item:
            return False
    return True


def _plain_conditions(value: object) -> bool:
    """Conditions without ``PodResizePending``, with well-typed types and reasons."""
    if value is None:
        return True
    if type(value) is not list:
        return False
    for item in value:
        if type(item) is not dict:
            return False
        kind, reason = item.get("type"), item.get("reason")
        if type(kind) is not str or kind == "PodResizePending" or not (reason is None or type(reason) is str):
            return False
    return True


def _status_key(status: object) -> object:
    """What :func:`quantities.pod.read.read_pod` reads of a Pod's status for in-place resize.

    A status that reports no resize (most pods) has the key None: reading it finds nothing and
    no problem, whatever else it holds.
    """
    if not isinstance(status, Mapping):
        return None
    if (
        "resize" not in status
        and "resources" not in status
        and "allocatedResources" not in status
        and _plain_statuses(status.get("containerStatuses"))
        and _plain_statuses(status.get("initContainerStatuses"))
        and _plain_conditions(status.get("conditions"))
    ):
        return None
    return (
        _statuses_key(status.get("containerStatuses")),
        _statuses_key(status.get("initContainerStatuses")),
        _freeze(status.get("resize")),
        _conditions_key(status.get("conditions")),
        _freeze(status.get("resources")),
        _freeze(status.get("allocatedResources")),
    )


def _resource_key(spec: Mapping[str, Any], setting: object, status: object) -> object:
    """Everything in a pod that its requests, limits and their validation depend on, and the
    release's rules for them (``setting``)."""
    return (
        setting,
        tuple(_containers_key(spec.get(name)) for name in _CONTAINER_LISTS),
        _freeze(spec.get("overhead")),
        _freeze(spec.get("resources")),
        _status_key(status),
    )


@dataclass(frozen=True, slots=True)
class _Amounts:
    cpu: int
    memory: int
    ephemeral_storage: int
    scalars: Mapping[str, int]
    non0_cpu: int
    non0_memory: int
    cpu_limit: int
    memory_limit: int


#: Amounts of pods whose resources were read and validated without any problem, by exact input.
_AMOUNTS_CACHE: dict[object, _Amounts] = {}
_AMOUNTS_CACHE_SIZE = 65536


def _milli(resources: Mapping[str, Quantity], name: str) -> int:
    q = resources.get(name)
    return q.int64_milli_value() if q is not None else 0


def _units(resources: Mapping[str, Quantity], name: str) -> int:
    q = resources.get(name)
    return q.int64_value() if q is not None else 0


def _compute_amounts(pod: Pod, pod_level_resources: bool, mode: str, pod_level_status: bool) -> _Amounts:
    """``calculateResource``: ``PodRequests`` (with and without the scoring defaults) and ``PodLimits``
    of a defaulted pod, counting its status by the rule ``mode`` (``"spec"`` for a proposal)."""
    skip = not pod_level_resources

    def requests_with(non_missing: Mapping[str, Quantity] | None) -> dict[str, Quantity]:
        return compute_requests(
            pod,
            skip_pod_level_resources=skip,
            non_missing_container_requests=non_missing,
            status_resources=mode,
            pod_level_status=pod_level_status,
        )

    requests = requests_with(None)
    limits = compute_limits(
        pod, skip_pod_level_resources=skip, status_resources=mode, pod_level_status=pod_level_status
    )
    non_missing: Mapping[str, Quantity]
    if pod_level_resources and pod_level_requests_set(pod):
        # getNonMissingContainerRequests: with pod-level requests, a default only where neither the
        # pod level nor any container requests the resource (overhead included: it is in requests).
        non_missing = {name: value for name, value in _NON_MISSING.items() if name not in requests}
    elif _needs_non_zero_defaults(pod, status_selectors(pod, mode)[0]):
        non_missing = _NON_MISSING
    else:
        non_missing = {}
    non0 = requests_with(non_missing) if non_missing else requests
    return _Amounts(
        cpu=_milli(requests, CPU),
        memory=_units(requests, MEMORY),
        ephemeral_storage=_units(requests, EPHEMERAL_STORAGE),
        scalars={name: q.int64_value() for name, q in requests.items() if is_scalar_resource_name(name)},
        non0_cpu=_milli(non0, CPU),
        non0_memory=_units(non0, MEMORY),
        cpu_limit=_milli(limits, CPU),
        memory_limit=_units(limits, MEMORY),
    )


def _needs_non_zero_defaults(pod: Pod, select: ResourceSelector) -> bool:
    """Whether some container's counted requests lack cpu or memory (else the defaults change nothing)."""
    for container in (*pod.containers, *pod.init_containers):
        requests = select(container)
        if CPU not in requests or MEMORY not in requests:
            return True
    return False


_NON_MISSING = {
    CPU: Quantity.from_milli(DEFAULT_MILLI_CPU_REQUEST),
    MEMORY: Quantity.from_int(DEFAULT_MEMORY_REQUEST),
}


# --- placement rules ----------------------------------------------------------------------------


def _merge_match_label_keys(
    selector: LabelSelector | None,
    keys: Sequence[str],
    labels: Mapping[str, str],
    mismatch_keys: Sequence[str] = (),
) -> LabelSelector | None:
    # matchLabelKeys: the pod's own values for those keys are ANDed into the selector (In);
    # mismatchLabelKeys (pod affinity only): NotIn. Keys the pod lacks add nothing. From 1.31
    # (affinity) and 1.34 (spreading) the API server merges them at creation; merging a stored
    # pod's selector again only repeats a requirement.
    if (not keys and not mismatch_keys) or selector is None:
        return selector
    extra = tuple(Requirement(key, "In", (labels[key],)) for key in keys if key in labels)
    extra += tuple(Requirement(key, "NotIn", (labels[key],)) for key in mismatch_keys if key in labels)
    if not extra:
        return selector
    return LabelSelector(selector.match_labels, selector.match_expressions + extra)


def _affinity_terms(
    terms: Sequence[PodAffinityTerm], namespace: str, labels: Mapping[str, str]
) -> tuple[AffinityTerm, ...]:
    result = []
    for term in terms:
        namespace_selector = term.namespace_selector
        resolved: frozenset[str] | None
        if namespace_selector is not None and namespace_selector.empty:
            resolved = None  # an empty namespaceSelector selects every namespace
        elif namespace_selector is None and not term.namespaces:
            resolved = frozenset({namespace})
        else:
            resolved = frozenset(term.namespaces)
        result.append(
            AffinityTerm(
                selector=_merge_match_label_keys(
                    term.label_selector, term.match_label_keys, labels, term.mismatch_label_keys
                ),
                namespaces=resolved,
                namespace_selector=namespace_selector if resolved is not None else None,
                topology_key=term.topology_key,
            )
        )
    return tuple(result)


def _spread_constraints(
    constraints: Sequence[TopologySpreadConstraint], labels: Mapping[str, str]
) -> tuple[SpreadConstraint, ...]:
    return tuple(
        SpreadConstraint(
            max_skew=constraint.max_skew,
            topology_key=constraint.topology_key,
            selector=_merge_match_label_keys(constraint.label_selector, constraint.match_label_keys, labels),
            min_domains=constraint.min_domains or 1,
            honor_node_affinity=(constraint.node_affinity_policy or "Honor") == "Honor",
            honor_node_taints=(constraint.node_taints_policy or "Ignore") == "Honor",
        )
        for constraint in constraints
        if constraint.when_unsatisfiable == "DoNotSchedule"
    )


_EMPTY: Mapping[str, str] = {}
_TOLERATIONS_CACHE: dict[tuple[Toleration, ...], tuple[Toleration, ...]] = {}


def _shared_tolerations(tolerations: tuple[Toleration, ...]) -> tuple[Toleration, ...]:
    # Most pods carry the same default tolerations: share one tuple (150,000 pods, one copy).
    if not tolerations:
        return ()
    shared = _TOLERATIONS_CACHE.get(tolerations)
    if shared is None:
        if len(_TOLERATIONS_CACHE) >= _AMOUNTS_CACHE_SIZE:
            _TOLERATIONS_CACHE.clear()
        shared = _TOLERATIONS_CACHE[tolerations] = tolerations
    return shared


# --- reading -------------------------------------------------------------------------------------


def _locate(obj: Mapping[Any, Any]) -> tuple[str, ...] | None:
    """The path of the pod spec in ``obj`` (as :func:`quantities.pod.read.pods_in` finds it)."""
    kind = obj.get("kind")
    if isinstance(kind, str) and kind:
        return POD_TEMPLATE_PATHS.get(kind)
    if "containers" in obj:
        return ()
    spec = obj.get("spec")
    if isinstance(spec, Mapping):
        if "containers" in spec or "template" not in spec:
            return ("spec",)
        return ("spec", "template", "spec")
    return ("spec",)


def _walk(obj: Mapping[Any, Any], segments: Sequence[str]) -> object:
    value: object = obj
    for segment in segments:
        value = value.get(segment) if isinstance(value, Mapping) else None
    return value


def _relocated(problem: Problem, path: str, spec_json: str | None, spec_k8s: str | None) -> Problem:
    """A problem of :mod:`quantities.pod.read`/``validation`` moved to where the pod is in the input."""
    where = problem.path
    kubernetes = problem.kubernetes
    if spec_json is not None and (where == "spec" or where.startswith(("spec.", "spec["))):
        where = spec_json + where[4:]
        if kubernetes is not None and spec_k8s is not None and kubernetes.startswith(("spec.", "spec[")):
            kubernetes = spec_k8s + kubernetes[4:]
    elif path:
        where = child(path, where) if where else path
    return replace(problem, path=where, kubernetes=kubernetes)


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    result = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            result.append(problem)
    return result


def _peripheral_fields_typed(pod: Mapping[str, Any], metadata: object, spec: object) -> bool:
    """The fields :func:`~quantities.pod.read.read_pod` checks outside the cache key have their JSON types.

    When one does not, the pod is read in full (and the problem reported) instead of
    being answered from the cache.
    """
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    if annotations is not None and not (
        isinstance(annotations, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in annotations.items())
    ):
        return False
    status = pod.get("status")
    if status is not None and not (
        isinstance(status, Mapping) and isinstance(status.get("qosClass", ""), str)
    ):
        return False
    return not isinstance(spec, Mapping) or isinstance(spec.get("priorityClassName", ""), str)


def pod_info(
    pod: Mapping[str, Any],
    *,
    state: bool = False,
    options: Options | None = None,
    path: str = "",
    spec_path: str | None = None,
    source: str | None = None,
) -> PodInfo:
    """Read a Pod (or a workload's pod template) into a :class:`PodInfo`.

    ``state=False`` (a proposal) raises :class:`~quantities.manifest.problems.PodValidationError`
    on anything the API server would refuse; ``state=True`` (a pod stored in a
    cluster) computes as the scheduler does and lists the oddities in
    ``info.warnings`` (see the module docstring). ``path`` is where the object is
    in the input (``items[3]``); ``spec_path``, when ``pod`` is a Pod built from a
    workload's template, is where that template's pod spec was in its object
    (``spec.template.spec``), so that problems name the place the user wrote.

    >>> info = pod_info({"metadata": {"name": "web"}, "spec": {"containers": [
    ...     {"name": "c", "resources": {"requests": {"cpu": "250m"}, "limits": {"memory": "1Gi"}}}]}})
    >>> info.cpu, info.memory, info.non0_cpu, info.non0_memory
    (250, 1073741824, 250, 1073741824)
    """
    behaviour = (options or DEFAULT_OPTIONS).behaviour
    error_type = ManifestError if state else PodValidationError
    if not isinstance(pod, Mapping):
        raise error_type([Problem(path, f"expected a pod object, got {json_type(pod)}")])
    segments = ("spec",) if spec_path is not None else _locate(pod)
    if segments is None:
        kind = pod.get("kind")
        raise error_type(
            [
                Problem(
                    child(path, "kind"),
                    f"a {kind} holds no pod: expected a Pod or an object with a pod "
                    f"template ({', '.join(sorted(POD_TEMPLATE_PATHS))})",
                )
            ]
        )
    where = _where(pod, segments, path, spec_path)
    namespace, label = _owner_and_label(pod, segments, where.metadata, source, state)
    fields, shape, invalid, notes = read_scheduling(
        where.metadata,
        where.spec,
        pod.get("status") if segments == ("spec",) else None,
        metadata_at=where.metadata_at,
        spec_at=where.spec_at,
        status_at=where.status_at,
        source=label,
        namespace=namespace,
        behaviour=behaviour,
    )
    amounts, resource_problems = _checked_amounts(
        pod, where, shape, path, spec_path, label, behaviour, error_type, state
    )
    refused = [*resource_problems, *invalid]
    if refused and not state:
        raise PodValidationError(refused)
    return _assemble(fields, amounts, (*refused, *notes) if state else tuple(notes))


class _Where(NamedTuple):
    """Where a pod's parts are: in the input (``json``) and in Kubernetes' own paths (``k8s``)."""

    spec_at: Location
    metadata_at: Location
    status_at: Location
    metadata: Any
    spec: Any


def _where(pod: Mapping[str, Any], segments: tuple[str, ...], path: str, spec_path: str | None) -> _Where:
    metadata_segments = (*segments[:-1], "metadata") if segments else ("metadata",)
    if spec_path is not None:
        k8s_spec = spec_path
        k8s_metadata = ".".join((*spec_path.split(".")[:-1], "metadata")) if "." in spec_path else "metadata"
    else:
        k8s_spec = ".".join(segments)
        k8s_metadata = ".".join(metadata_segments)
    return _Where(
        Location(child(path, k8s_spec), k8s_spec),
        Location(child(path, k8s_metadata), k8s_metadata),
        Location(child(path, "status"), "status"),
        _walk(pod, metadata_segments),
        _walk(pod, segments) if segments else pod,
    )


def _owner_and_label(
    pod: Mapping[str, Any], segments: tuple[str, ...], raw_metadata: Any, source: str | None, state: bool
) -> tuple[str | None, str]:
    """The namespace a template's owner gives its pods (None for a Pod), and how messages name the pod."""
    object_metadata = pod.get("metadata")
    namespace: str | None = None
    if segments not in (("spec",), ()) and isinstance(object_metadata, Mapping):
        owner = object_metadata.get("namespace")
        namespace = owner if isinstance(owner, str) and owner else "default"
    name_of = raw_metadata if segments in (("spec",), ()) else object_metadata
    name = name_of.get("name") if isinstance(name_of, Mapping) else None
    kind = pod.get("kind") if isinstance(pod.get("kind"), str) and pod.get("kind") else "Pod"
    label = source
    if label is None:
        label = f'{kind} "{name}"' if isinstance(name, str) and name else str(kind)
        own = raw_metadata.get("namespace") if isinstance(raw_metadata, Mapping) else None
        if state and isinstance(name, str) and name:
            label = f'{kind} "{own if isinstance(own, str) and own else "default"}/{name}"'
    return namespace, label


def _checked_amounts(
    pod: Mapping[str, Any],
    where: _Where,
    shape: Sequence[Problem],
    path: str,
    spec_path: str | None,
    label: str,
    behaviour: Behaviour,
    error_type: type[ManifestError],
    state: bool = False,
) -> tuple[_Amounts, list[Problem]]:
    """The pod's requests as integers, and what the API server's resource validation says of them.

    A shape problem (a field of the wrong JSON type) raises ``error_type``; the amounts of a pod
    read without any problem are cached by their exact input, so no cached answer skips a check.
    """
    relocate_json = where.spec_at.json if spec_path is not None else None
    relocate_k8s = where.spec_at.k8s if spec_path is not None else None
    spec_fields = where.spec if isinstance(where.spec, Mapping) else {}
    # A proposal has not run: its spec counts (S1); a pod on a node counts its status by the rule (P2).
    mode = behaviour.status_resources if state else "spec"
    pod_level_status = behaviour.pod_level_status_resources and state
    setting = (storage_key(behaviour), mode, pod_level_status)
    key = _resource_key(spec_fields, setting, pod.get("status"))
    if not shape and _peripheral_fields_typed(pod, where.metadata, where.spec):
        cached = _AMOUNTS_CACHE.get(key)
        if cached is not None:
            return cached, []
    try:
        read = read_pod(pod, strict=False)
    except ManifestError as error:
        read_problems = [_relocated(p, path, relocate_json, relocate_k8s) for p in error.problems]
        raise error_type(_unique([*read_problems, *shape])) from None
    read_shape = [
        replace(_relocated(p, path, relocate_json, relocate_k8s), source=label) for p in read.problems
    ]
    if read_shape or shape:
        raise error_type(_unique([*read_shape, *shape]))
    defaulted = apply_defaults(as_stored(read, behaviour), pod_level_hugepages=behaviour.pod_level_hugepages)
    resource_problems = [
        replace(_relocated(p, path, relocate_json, relocate_k8s), source=label)
        for p in check_pod(defaulted, pod_level_hugepages=behaviour.pod_level_hugepages)
    ]
    amounts = _compute_amounts(defaulted, behaviour.pod_level_resources, mode, pod_level_status)
    if not resource_problems:
        if len(_AMOUNTS_CACHE) >= _AMOUNTS_CACHE_SIZE:
            _AMOUNTS_CACHE.clear()
        _AMOUNTS_CACHE[key] = amounts
    return amounts, resource_problems


def _assemble(fields: SchedulingFields, amounts: _Amounts, warnings: tuple[Problem, ...]) -> PodInfo:
    info = object.__new__(PodInfo)
    info.namespace = fields.namespace
    info.name = fields.name
    info.node_name = fields.node_name
    info.phase = fields.phase
    info.labels = fields.labels
    info.priority = fields.priority
    info.preemption_never = fields.preemption_policy == "Never"
    info.terminating = fields.terminating
    info.creation_timestamp = fields.creation_timestamp
    info.cpu = amounts.cpu
    info.memory = amounts.memory
    info.ephemeral_storage = amounts.ephemeral_storage
    info.scalars = amounts.scalars
    info.non0_cpu = amounts.non0_cpu
    info.non0_memory = amounts.non0_memory
    info.cpu_limit = amounts.cpu_limit
    info.memory_limit = amounts.memory_limit
    info.tolerations = _shared_tolerations(fields.tolerations)
    info.node_selector = fields.node_selector or _EMPTY
    info.required_node_terms = fields.required_node_terms
    info.affinity_terms = _affinity_terms(fields.affinity_terms, fields.namespace, fields.labels)
    info.anti_affinity_terms = _affinity_terms(fields.anti_affinity_terms, fields.namespace, fields.labels)
    info.spread_constraints = _spread_constraints(fields.spread_constraints, fields.labels)
    info.host_network = fields.host_network
    info.warnings = warnings
    return info
