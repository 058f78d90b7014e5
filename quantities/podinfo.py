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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quantities.nodes import CPU, EPHEMERAL_STORAGE, MEMORY, is_scalar_resource_name
from quantities.quantity import Quantity, parse_quantity

__all__ = [
    "DEFAULT_MEMORY_REQUEST",
    "DEFAULT_MILLI_CPU_REQUEST",
    "AffinityTerm",
    "PodInfo",
    "SpreadConstraint",
    "aggregate_resources",
    "container_resources",
    "pod_info",
    "pod_spec",
    "scheduler_requests",
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
        from quantities.selectors import label_selector_matches

        if not self._namespace_matches(namespace):
            return False
        return label_selector_matches(self.selector, labels)

    def _namespace_matches(self, namespace: str) -> bool:
        if self.namespaces is None:
            return True
        if namespace in self.namespaces:
            return True
        if self.namespace_selector is not None:
            from quantities.selectors import label_selector_matches

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


def pod_spec(pod: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pod spec of a Pod, or of a pod template's owner (``spec.template.spec``)."""
    spec = pod.get("spec")
    if not isinstance(spec, Mapping):
        return {}
    template = spec.get("template")
    if "containers" not in spec and isinstance(template, Mapping):
        inner = template.get("spec")
        if isinstance(inner, Mapping):
            return inner
    return spec


# --- requests ---------------------------------------------------------------------------------


def container_resources(container: Mapping[str, Any], field: str) -> dict[str, Quantity]:
    """A container's ``requests`` or ``limits``; a missing request takes the limit (API defaulting)."""
    resources = container.get("resources") or {}
    result = {name: parse_quantity(str(q)) for name, q in (resources.get(field) or {}).items()}
    if field == "requests":
        for name, q in (resources.get("limits") or {}).items():
            if name not in result:
                result[name] = parse_quantity(str(q))
    return result


def _add(total: dict[str, Quantity], other: Mapping[str, Quantity]) -> None:
    for name, q in other.items():
        total[name] = total[name] + q if name in total else q


def _max(total: dict[str, Quantity], other: Mapping[str, Quantity]) -> None:
    for name, q in other.items():
        if name not in total or q > total[name]:
            total[name] = q


ContainerFn = Callable[[Mapping[str, Any], dict[str, Quantity]], dict[str, Quantity]]


def aggregate_resources(
    pod: Mapping[str, Any],
    field: str = "requests",
    non_missing: Mapping[str, Quantity] | None = None,
    regular_container_fn: ContainerFn | None = None,
) -> dict[str, Quantity]:
    """component-helpers ``PodRequests``/``PodLimits``: sidecar-aware sums, init-container maxima, overhead.

    ``field`` is ``requests`` or ``limits``. ``non_missing`` fills requests a
    container lacks (``NonMissingContainerRequests``); ``regular_container_fn``
    may replace a regular container's list (kubectl's in-place-resize view).
    Overhead is added to every request, but only to limits already non-zero.
    """
    spec = pod_spec(pod)
    total: dict[str, Quantity] = {}
    for container in spec.get("containers") or []:
        values = container_resources(container, field)
        if regular_container_fn is not None:
            values = regular_container_fn(container, values)
        if non_missing:
            values = {**{k: v for k, v in non_missing.items() if k not in values}, **values}
        _add(total, values)
    sidecars: dict[str, Quantity] = {}
    init_max: dict[str, Quantity] = {}
    for container in spec.get("initContainers") or []:
        values = container_resources(container, field)
        if non_missing:
            values = {**{k: v for k, v in non_missing.items() if k not in values}, **values}
        if container.get("restartPolicy") == "Always":
            _add(total, values)
            _add(sidecars, values)
            use = dict(sidecars)
        else:
            use = dict(values)
            _add(use, sidecars)
        _max(init_max, use)
    _max(total, init_max)
    overhead = spec.get("overhead")
    if overhead:
        for name, text in overhead.items():
            q = parse_quantity(str(text))
            if field == "requests":
                _add(total, {name: q})
            elif total.get(name):
                total[name] = total[name] + q
    return total


def scheduler_requests(
    pod: Mapping[str, Any], non_missing: Mapping[str, Quantity] | None = None
) -> dict[str, Quantity]:
    """The scheduler's ``PodRequests``, optionally with ``NonMissingContainerRequests``."""
    return aggregate_resources(pod, "requests", non_missing)


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
        if namespace_selector is not None and not namespace_selector.get("matchLabels") and not (
            namespace_selector.get("matchExpressions")
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


def pod_info(pod: Mapping[str, Any]) -> PodInfo:
    """Read a Pod (or a workload's pod template) into a :class:`PodInfo`.

    >>> info = pod_info({"metadata": {"name": "web"}, "spec": {"containers": [
    ...     {"name": "c", "resources": {"requests": {"cpu": "250m"}, "limits": {"memory": "1Gi"}}}]}})
    >>> info.cpu, info.memory, info.non0_cpu, info.non0_memory
    (250, 1073741824, 250, 1073741824)
    """
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

    requests = scheduler_requests(pod)
    cpu = requests.get(CPU)
    memory = requests.get(MEMORY)
    ephemeral = requests.get(EPHEMERAL_STORAGE)
    info.cpu = cpu.milli_value() if cpu is not None else 0
    info.memory = memory.value() if memory is not None else 0
    info.ephemeral_storage = ephemeral.value() if ephemeral is not None else 0
    info.scalars = {
        name: q.value() for name, q in requests.items() if is_scalar_resource_name(name)
    }
    if _needs_non_zero_defaults(spec):
        non0 = scheduler_requests(pod, _NON_MISSING)
        info.non0_cpu = non0[CPU].milli_value()
        info.non0_memory = non0[MEMORY].value()
    else:
        info.non0_cpu, info.non0_memory = info.cpu, info.memory

    limits = aggregate_resources(pod, "limits")
    cpu_limit = limits.get(CPU)
    memory_limit = limits.get(MEMORY)
    info.cpu_limit = cpu_limit.milli_value() if cpu_limit is not None else 0
    info.memory_limit = memory_limit.value() if memory_limit is not None else 0

    info.tolerations = tuple(spec.get("tolerations") or ())
    info.node_selector = spec.get("nodeSelector") or {}
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
