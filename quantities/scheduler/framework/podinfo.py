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
  (``schedutil.DefaultMilliCPURequest``, ``DefaultMemoryRequest``);
* tolerations, ``nodeSelector`` and required node affinity, required pod
  (anti-)affinity terms, and ``DoNotSchedule`` topology spread constraints;
* ``spec.priority`` and ``preemptionPolicy`` for the preemption sentence.

Kubernetes 1.32 semantics: in-place resize and pod-level resources are alpha
(off), so the scheduler reads the spec only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quantities.manifest.kinds import pod_spec
from quantities.node.model import CPU, EPHEMERAL_STORAGE, MEMORY, is_scalar_resource_name
from quantities.quantity.quantity import Quantity

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

    selector: Mapping[str, Any] | None
    namespaces: frozenset[str] | None
    namespace_selector: Mapping[str, Any] | None
    topology_key: str

    def matches(self, namespace: str, labels: Mapping[str, str]) -> bool:
        """``AffinityTerm.Matches``: the pod's namespace is selected and its labels match."""
        from quantities.node.selectors import label_selector_matches

        if not self._namespace_matches(namespace):
            return False
        return label_selector_matches(self.selector, labels)

    def _namespace_matches(self, namespace: str) -> bool:
        if self.namespaces is None:
            return True
        if namespace in self.namespaces:
            return True
        if self.namespace_selector is not None:
            from quantities.node.selectors import label_selector_matches

            # Namespace labels are not in our inputs; every namespace carries its name label.
            return label_selector_matches(self.namespace_selector, {_NAMESPACE_NAME_LABEL: namespace})
        return False


@dataclass(frozen=True, slots=True)
class SpreadConstraint:
    """A ``DoNotSchedule`` topology spread constraint with the scheduler's defaults applied."""

    max_skew: int
    topology_key: str
    selector: Mapping[str, Any] | None
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
    tolerations: Sequence[Mapping[str, Any]]
    node_selector: Mapping[str, str]
    required_node_terms: Sequence[Mapping[str, Any]] | None
    affinity_terms: tuple[AffinityTerm, ...]
    anti_affinity_terms: tuple[AffinityTerm, ...]
    spread_constraints: tuple[SpreadConstraint, ...]

    def __repr__(self) -> str:
        return f"PodInfo({self.namespace}/{self.name}, cpu={self.cpu}m, memory={self.memory})"

    @property
    def has_requests(self) -> bool:
        """False for the zero-request shortcut of NodeResourcesFit."""
        return bool(self.cpu or self.memory or self.ephemeral_storage or self.scalars)

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
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _resource_key(spec: Mapping[str, Any]) -> object:
    """Everything in a pod spec that its requests and limits depend on (pod-level resources aside)."""
    containers = tuple(_freeze(c.get("resources")) for c in spec.get("containers") or ())
    init = tuple(
        (c.get("restartPolicy"), _freeze(c.get("resources"))) for c in spec.get("initContainers") or ()
    )
    return (containers, init, _freeze(spec.get("overhead")))


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


_AMOUNTS_CACHE: dict[object, _Amounts] = {}
_AMOUNTS_CACHE_SIZE = 65536


def _milli(resources: Mapping[str, Quantity], name: str) -> int:
    q = resources.get(name)
    return q.int64_milli_value() if q is not None else 0


def _units(resources: Mapping[str, Quantity], name: str) -> int:
    q = resources.get(name)
    return q.int64_value() if q is not None else 0


def _amounts(pod: Mapping[str, Any], spec: Mapping[str, Any]) -> _Amounts:
    """The pod's requests, non-zero requests and cpu/memory limits as integers (cached by shape).

    Requests and limits come from :func:`quantities.pod.requests.pod_requests` and
    ``pod_limits`` on the defaulted, validated pod; pod-level resources are
    skipped (the PodLevelResources gate is alpha and off in 1.32).
    """
    key = _resource_key(spec)
    cached = _AMOUNTS_CACHE.get(key)
    if cached is not None:
        return cached
    from quantities.pod.checked import pod_limits, pod_requests
    from quantities.pod.validation import valid_pod

    valid = valid_pod({"kind": "Pod", "metadata": pod.get("metadata") or {}, "spec": spec})
    requests = pod_requests(valid, skip_pod_level_resources=True)
    limits = pod_limits(valid, skip_pod_level_resources=True)
    if _needs_non_zero_defaults(spec):
        non0 = pod_requests(valid, skip_pod_level_resources=True, non_missing_container_requests=_NON_MISSING)
    else:
        non0 = requests
    amounts = _Amounts(
        cpu=_milli(requests, CPU),
        memory=_units(requests, MEMORY),
        ephemeral_storage=_units(requests, EPHEMERAL_STORAGE),
        scalars={name: q.int64_value() for name, q in requests.items() if is_scalar_resource_name(name)},
        non0_cpu=_milli(non0, CPU),
        non0_memory=_units(non0, MEMORY),
        cpu_limit=_milli(limits, CPU),
        memory_limit=_units(limits, MEMORY),
    )
    if len(_AMOUNTS_CACHE) >= _AMOUNTS_CACHE_SIZE:
        _AMOUNTS_CACHE.clear()
    _AMOUNTS_CACHE[key] = amounts
    return amounts


def _needs_non_zero_defaults(spec: Mapping[str, Any]) -> bool:
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            resources = container.get("resources") or {}
            requests = resources.get("requests") or {}
            limits = resources.get("limits") or {}
            for name in (CPU, MEMORY):
                if name not in requests and name not in limits:
                    return True
    return False


_NON_MISSING = {
    CPU: Quantity.from_milli(DEFAULT_MILLI_CPU_REQUEST),
    MEMORY: Quantity.from_int(DEFAULT_MEMORY_REQUEST),
}


# --- placement rules ----------------------------------------------------------------------------


def _merge_match_label_keys(
    selector: Mapping[str, Any] | None, keys: Sequence[str] | None, labels: Mapping[str, str]
) -> Mapping[str, Any] | None:
    # matchLabelKeys: the pod's own values for those keys are ANDed into the selector.
    if not keys or selector is None:
        return selector
    expressions = list(selector.get("matchExpressions") or [])
    for key in keys:
        if key in labels:
            expressions.append({"key": key, "operator": "In", "values": [labels[key]]})
    return {**selector, "matchExpressions": expressions}


def _affinity_terms(
    terms: Sequence[Mapping[str, Any]] | None, namespace: str, labels: Mapping[str, str]
) -> tuple[AffinityTerm, ...]:
    result = []
    for term in terms or []:
        namespaces = term.get("namespaces") or []
        namespace_selector = term.get("namespaceSelector")
        resolved: frozenset[str] | None
        if (
            namespace_selector is not None
            and not namespace_selector.get("matchLabels")
            and not (namespace_selector.get("matchExpressions"))
        ):
            resolved = None  # an empty namespaceSelector selects every namespace
        elif namespace_selector is None and not namespaces:
            resolved = frozenset({namespace})
        else:
            resolved = frozenset(namespaces)
        selector = _merge_match_label_keys(term.get("labelSelector"), term.get("matchLabelKeys"), labels)
        result.append(
            AffinityTerm(
                selector=selector,
                namespaces=resolved,
                namespace_selector=namespace_selector if resolved is not None else None,
                topology_key=str(term.get("topologyKey") or ""),
            )
        )
    return tuple(result)


def _spread_constraints(
    constraints: Sequence[Mapping[str, Any]] | None, labels: Mapping[str, str]
) -> tuple[SpreadConstraint, ...]:
    result = []
    for constraint in constraints or []:
        if constraint.get("whenUnsatisfiable") != "DoNotSchedule":
            continue
        result.append(
            SpreadConstraint(
                max_skew=int(constraint.get("maxSkew") or 1),
                topology_key=str(constraint.get("topologyKey") or ""),
                selector=_merge_match_label_keys(
                    constraint.get("labelSelector"), constraint.get("matchLabelKeys"), labels
                ),
                min_domains=int(constraint.get("minDomains") or 1),
                honor_node_affinity=(constraint.get("nodeAffinityPolicy") or "Honor") == "Honor",
                honor_node_taints=(constraint.get("nodeTaintsPolicy") or "Ignore") == "Honor",
            )
        )
    return tuple(result)


_EMPTY: Mapping[str, str] = {}
_TOLERATIONS_CACHE: dict[object, tuple[Mapping[str, Any], ...]] = {}


def _shared_tolerations(tolerations: Sequence[Mapping[str, Any]] | None) -> tuple[Mapping[str, Any], ...]:
    # Most pods carry the same default tolerations: share one tuple (150,000 pods, one copy).
    if not tolerations:
        return ()
    key = _freeze(tolerations)
    shared = _TOLERATIONS_CACHE.get(key)
    if shared is None:
        if len(_TOLERATIONS_CACHE) >= _AMOUNTS_CACHE_SIZE:
            _TOLERATIONS_CACHE.clear()
        shared = _TOLERATIONS_CACHE[key] = tuple(tolerations)
    return shared


def pod_info(pod: Mapping[str, Any]) -> PodInfo:
    """Read a Pod (or a workload's pod template) into a :class:`PodInfo`.

    Malformed input raises the pod model's ManifestError, naming the JSON path
    of what is wrong (or ValueError when it is not an object at all).

    >>> info = pod_info({"metadata": {"name": "web"}, "spec": {"containers": [
    ...     {"name": "c", "resources": {"requests": {"cpu": "250m"}, "limits": {"memory": "1Gi"}}}]}})
    >>> info.cpu, info.memory, info.non0_cpu, info.non0_memory
    (250, 1073741824, 250, 1073741824)
    """
    if not isinstance(pod, Mapping):
        raise ValueError(f"expected a pod object, got {type(pod).__name__}")
    try:
        return _pod_info(pod)
    except (AttributeError, TypeError, KeyError, IndexError) as error:
        # This reader trusts the shape for speed; on a malformed pod, let the pod model
        # (which checks every field) say what is wrong and where.
        from quantities.pod.validation import valid_pod

        valid_pod(pod)
        raise ValueError(f"not a valid pod: {error}") from None


def _pod_info(pod: Mapping[str, Any]) -> PodInfo:
    metadata = pod.get("metadata") or {}
    spec = pod_spec(pod)
    if pod.get("kind") not in (None, "Pod") and spec is not pod.get("spec"):
        template_metadata = ((pod.get("spec") or {}).get("template") or {}).get("metadata") or {}
        metadata = {**template_metadata, "namespace": metadata.get("namespace", "default")}
    status = pod.get("status") or {}
    info = object.__new__(PodInfo)
    namespace = str(metadata.get("namespace") or "default")
    labels = metadata.get("labels") or {}
    info.namespace = namespace
    info.name = str(metadata.get("name") or metadata.get("generateName") or "")
    info.node_name = str(spec.get("nodeName") or "")
    info.phase = str(status.get("phase") or "")
    info.labels = labels
    info.priority = int(spec.get("priority") or 0)
    info.preemption_never = spec.get("preemptionPolicy") == "Never"
    info.terminating = bool(metadata.get("deletionTimestamp"))
    info.creation_timestamp = metadata.get("creationTimestamp")

    amounts = _amounts(pod, spec)
    info.cpu = amounts.cpu
    info.memory = amounts.memory
    info.ephemeral_storage = amounts.ephemeral_storage
    info.scalars = amounts.scalars
    info.non0_cpu = amounts.non0_cpu
    info.non0_memory = amounts.non0_memory
    info.cpu_limit = amounts.cpu_limit
    info.memory_limit = amounts.memory_limit

    info.tolerations = _shared_tolerations(spec.get("tolerations"))
    info.node_selector = spec.get("nodeSelector") or _EMPTY
    affinity = spec.get("affinity") or {}
    node_affinity = (affinity.get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution")
    info.required_node_terms = (
        node_affinity.get("nodeSelectorTerms") or [] if isinstance(node_affinity, Mapping) else None
    )
    info.affinity_terms = _affinity_terms(
        (affinity.get("podAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution"),
        namespace,
        labels,
    )
    info.anti_affinity_terms = _affinity_terms(
        (affinity.get("podAntiAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution"),
        namespace,
        labels,
    )
    info.spread_constraints = _spread_constraints(spec.get("topologySpreadConstraints"), labels)
    return info
