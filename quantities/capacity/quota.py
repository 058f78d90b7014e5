"""ResourceQuota admission: how many pods of a workload a namespace's quotas let in, and the refusal.

A namespace state is what ``kubectl get resourcequota,limitrange -o json`` prints. Each pod a
controller creates goes through, in the API server's order:

1. the API server's defaulting, then LimitRanger's defaults (:mod:`quantities.capacity.limitrange`);
2. the API server's validation of the completed pod;
3. LimitRanger's bounds;
4. ResourceQuota (``plugin/pkg/admission/resourcequota/controller.go``, ``CheckRequest``, and the
   pod evaluator ``pkg/quota/v1/evaluator/core/pods.go``, v1.28-v1.36):

   * a quota **matches** the pod when some of its ``status.hard`` names are pod resources
     (``MatchingResources``: ``pods``, ``count/pods``, ``cpu``, ``memory``, ``ephemeral-storage``,
     ``requests.*``, ``limits.*``, ``hugepages-*``, ``requests.hugepages-*`` and
     ``requests.<extended resource>``) and every scope matches (``podMatchesScopeFunc``:
     Terminating = ``activeDeadlineSeconds >= 0``, BestEffort = the QoS class, PriorityClass
     selectors on ``priorityClassName``, CrossNamespacePodAffinity);
   * for every matching quota first, the **"must specify"** constraint (``Constraints``): when the
     quota limits cpu or memory (``cpu``, ``memory``, ``requests.*``, ``limits.*``), every container
     and init container must set them: ``failed quota: NAME: must specify limits.cpu for: a,b;
     requests.memory for: c`` (none with pod-level resources under PodLevelResources); and
     ``status unknown for quota: NAME, resources: ...`` when ``status.used`` lacks a name;
   * the pod's **usage** (``PodUsageFunc``): ``count/pods`` 1, ``pods`` 1, and from
     ``resourcehelper.PodRequests``/``PodLimits`` (sidecars added, the largest init container
     as a floor, ``spec.overhead`` added, pod-level resources with the gate):
     ``requests.cpu`` and its alias ``cpu``, ``limits.cpu``, the same for memory and
     ephemeral-storage, ``hugepages-*`` with ``requests.hugepages-*``, and
     ``requests.<name>`` for extended resources;
   * then, quota by quota in list order, ``used + usage`` (masked to the quota's names) against
     ``hard``: the first quota exceeded refuses the pod with ``exceeded quota: NAME, requested:
     k=v,..., used: k=v,..., limited: k=v,...`` (only the exceeded names, sorted, canonical
     quantities); an admitted pod's usage is added to every matching quota's ``used``.

The workload is new: none of its pods are in ``status.used``, so the n-th pod is checked against
``status.used`` plus the usage of the n-1 admitted before it. A quota without ``status`` (a
manifest not yet applied) is taken as the quota controller would first record it in an empty
namespace: ``hard`` from ``spec.hard``, everything used 0.

Not modelled: the API server's ``--admission-control-config-file`` limited resources, a
PriorityClass admission default (``globalDefault``) for pods without ``priorityClassName``, and
quotas on objects other than pods (``count/deployments.apps``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quantities.capacity.limitrange import (
    FIELDS,
    LimitRange,
    LimitRangeItem,
    apply_limit_ranges,
    default_limit_range_item,
    limit_range_refusal,
    read_limit_range,
)
from quantities.capacity.rollout import Rollout, rollout, single_workload_object
from quantities.manifest.fields import parse_manifest_quantity
from quantities.manifest.kinds import is_list, located_items
from quantities.manifest.problems import ManifestError, Problem, child, index, key
from quantities.node.model import Node
from quantities.options import Options, resolve_options
from quantities.pod.defaults import apply_defaults, as_stored
from quantities.pod.model import Pod, ResourceList
from quantities.pod.qos import QOSClass, compute_qos
from quantities.pod.read import read_pod
from quantities.pod.requests import compute_limits, compute_requests, pod_level_resources_set
from quantities.pod.resource_names import is_extended, is_hugepages, is_native
from quantities.pod.scheduling import LABEL_SELECTOR_OPERATORS, Location, SchedulingReader
from quantities.pod.validation import check_pod
from quantities.pod.workloads import Workload, is_compact
from quantities.quantity.errors import QuantityError, quote
from quantities.quantity.quantity import Quantity
from quantities.scheduler.framework.nodeinfo import Snapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.versions import KubernetesVersion

__all__ = [
    "NamespaceState",
    "PodAdmission",
    "QuotaAnswer",
    "QuotaFigures",
    "ResourceQuota",
    "ScopeSelector",
    "check_request",
    "matching_resources",
    "namespace_state_from_fields",
    "pod_usage",
    "quota_check",
    "read_namespace_state",
    "read_resource_quota",
]

COUNT_PODS = "count/pods"
#: ``podResources``: the pod resources a quota may name.
POD_RESOURCES = (
    COUNT_PODS, "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
)  # fmt: skip
#: ``validationSet``: "if a quota tracks cpu or memory related resources, the incoming pod is
#: required to have those values set" (a mistake the evaluator keeps for compatibility).
_VALIDATION_SET = frozenset(
    {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
)
SCOPES = (
    "Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass",
    "CrossNamespacePodAffinity",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScopeSelector:
    """``ScopedResourceSelectorRequirement``: a ``spec.scopes`` entry is ``Exists`` on that scope."""

    scope_name: str
    operator: str = "Exists"
    values: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"scopeName": self.scope_name, "operator": self.operator}
        if self.values:
            result["values"] = list(self.values)
        return result


@dataclass(frozen=True, slots=True)
class ResourceQuota:
    """A ResourceQuota as the admission plugin reads it: ``status.hard`` and ``status.used``."""

    name: str
    namespace: str
    hard: ResourceList
    used: ResourceList
    scopes: tuple[ScopeSelector, ...] = ()
    path: str = ""
    #: False when the object had no ``status`` (``used`` is then 0 for every hard name).
    has_status: bool = True


@dataclass(frozen=True, slots=True)
class NamespaceState:
    """The ResourceQuota and LimitRange objects of a namespace, in the order given."""

    quotas: tuple[ResourceQuota, ...] = ()
    limit_ranges: tuple[LimitRange, ...] = ()

    @property
    def namespace(self) -> str:
        """The namespace the objects name (the first one that names one), ``""`` if none does."""
        names = [quota.namespace for quota in self.quotas] + [lr.namespace for lr in self.limit_ranges]
        return next((name for name in names if name), "")


# --- reading ------------------------------------------------------------------------------------


def _resource_list(reader: SchedulingReader, value: object, where: Location) -> dict[str, Quantity]:
    found: dict[str, Quantity] = {}
    for name, item in reader.entries(value, where, "resource names"):
        quantity = reader.quantity(item, where.json, name)
        if quantity is not None:
            found[name] = quantity
    return found


def _scope_selectors(reader: SchedulingReader, spec: Mapping[str, Any], at: Location) -> list[ScopeSelector]:
    """``getScopeSelectorsFromQuota``: ``spec.scopes`` as Exists, then ``scopeSelector.matchExpressions``."""
    selectors = [ScopeSelector(scope) for scope in reader.strings(spec.get("scopes"), at.child("scopes"))]
    selector = reader.obj(spec.get("scopeSelector"), at.child("scopeSelector")) or {}
    expressions_at = at.child("scopeSelector").child("matchExpressions")
    for where, expression in reader.objects(selector.get("matchExpressions"), expressions_at):
        scope = reader.text(expression.get("scopeName"), where.child("scopeName")) or ""
        operator = reader.text(expression.get("operator"), where.child("operator")) or ""
        if operator not in LABEL_SELECTOR_OPERATORS:
            reader.unsupported(where.child("operator"), operator, LABEL_SELECTOR_OPERATORS)
        values = reader.strings(expression.get("values"), where.child("values"))
        selectors.append(ScopeSelector(scope, operator, values))
    for position, chosen in enumerate(selectors):
        if chosen.scope_name not in SCOPES:
            reader.unsupported(at.child("scopes").index(position), chosen.scope_name, SCOPES)
    return selectors


def read_resource_quota(obj: Mapping[str, Any], path: str = "") -> ResourceQuota:
    """A ResourceQuota as ``kubectl get resourcequota -o json`` prints it; :class:`ManifestError`
    lists every problem with its path.

    >>> q = read_resource_quota({"kind": "ResourceQuota", "metadata": {"name": "team"},
    ...                          "spec": {"hard": {"requests.cpu": "4"}}})
    >>> q.hard["requests.cpu"], q.used["requests.cpu"], q.has_status
    (Quantity('4'), Quantity('0'), False)
    """
    root = Location(path, "")
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    label = f'ResourceQuota "{name}"' if isinstance(name, str) and name else "ResourceQuota"
    reader = SchedulingReader(label)
    meta = reader.obj(metadata, root.child("metadata")) or {}
    quota_name = reader.text(meta.get("name"), root.child("metadata").child("name")) or ""
    if not quota_name:
        reader.required(root.child("metadata").child("name"), "name or generateName is required",
                        "a ResourceQuota needs a name: it is named in the refusal")  # fmt: skip
    namespace = reader.text(meta.get("namespace"), root.child("metadata").child("namespace")) or ""
    spec_at = root.child("spec")
    spec = reader.obj(obj.get("spec"), spec_at) or {}
    spec_hard = _resource_list(reader, spec.get("hard"), spec_at.child("hard"))
    scopes = _scope_selectors(reader, spec, spec_at)
    status_at = root.child("status")
    status = reader.obj(obj.get("status"), status_at)
    if status is None:
        hard, used, has_status = spec_hard, {name: Quantity("0") for name in spec_hard}, False
    else:
        hard = spec_hard
        if "hard" in status:
            hard = _resource_list(reader, status.get("hard"), status_at.child("hard"))
        used = _resource_list(reader, status.get("used"), status_at.child("used"))
        has_status = True
    problems = [*reader.problems, *reader.invalid]
    if problems:
        raise ManifestError(problems)
    return ResourceQuota(
        quota_name, namespace, ResourceList(hard), ResourceList(used), tuple(scopes), path, has_status
    )


def read_namespace_state(documents: Mapping[str, Any] | Sequence[Any], path: str = "") -> NamespaceState:
    """The ResourceQuota and LimitRange objects in ``documents`` (a ``List``, an object, or several
    documents); other kinds are skipped. :class:`ManifestError` lists every problem.

    >>> state = read_namespace_state({"kind": "List", "items": [
    ...     {"kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "team"},
    ...      "spec": {"hard": {"pods": "10"}}},
    ...     {"kind": "LimitRange", "metadata": {"name": "lr"}, "spec": {"limits": []}}]})
    >>> [q.name for q in state.quotas], [lr.name for lr in state.limit_ranges], state.namespace
    (['q'], ['lr'], 'team')
    """
    given: Any = documents
    if isinstance(documents, list | tuple) and len(documents) == 1:
        given = documents[0]
    single = isinstance(given, Mapping) and not is_list(given)
    items = [(path, given)] if single else located_items(given, path)
    quotas: list[ResourceQuota] = []
    ranges: list[LimitRange] = []
    problems: list[Problem] = []
    for where, obj in items:
        if not isinstance(obj, Mapping):
            problems.append(Problem(where, "expected a Kubernetes object"))
            continue
        try:
            if obj.get("kind") == "ResourceQuota":
                quotas.append(read_resource_quota(obj, where))
            elif obj.get("kind") == "LimitRange":
                ranges.append(read_limit_range(obj, where))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return NamespaceState(tuple(quotas), tuple(ranges))


# --- the pod evaluator --------------------------------------------------------------------------


def matching_resources(names: Iterable[str]) -> list[str]:
    """``podEvaluator.MatchingResources``: the names a quota limits that a pod uses.

    >>> matching_resources(["services", "requests.cpu", "hugepages-2Mi", "requests.nvidia.com/gpu"])
    ['requests.cpu', 'hugepages-2Mi', 'requests.nvidia.com/gpu']
    """
    names = list(names)
    result = [name for name in names if name in POD_RESOURCES]
    for name in names:
        if name.startswith(("hugepages-", "requests.hugepages-")):
            result.append(name)
        # isExtendedResourceNameForQuota: "requests.<non-native name>".
        if not is_native(name) and name.startswith("requests."):
            result.append(name)
    return result


def _compute_usage(requests: Mapping[str, Quantity], limits: Mapping[str, Quantity]) -> dict[str, Quantity]:
    """``podComputeUsageHelper``."""
    result: dict[str, Quantity] = {"pods": Quantity("1")}
    for resource in ("cpu", "memory", "ephemeral-storage"):
        if resource in requests:
            result[resource] = requests[resource]
            result[f"requests.{resource}"] = requests[resource]
        if resource in limits:
            result[f"limits.{resource}"] = limits[resource]
    for resource, request in requests.items():
        if is_hugepages(resource):
            result[resource] = request
            result[f"requests.{resource}"] = request
        if is_extended(resource):
            # "only quota objects in format of "requests.resourceName" is allowed for extended resource."
            result[f"requests.{resource}"] = request
    return result


def pod_usage(pod: Pod, options: Options | None = None) -> dict[str, Quantity]:
    """``PodUsageFunc`` for a new pod (already defaulted and admitted): what it charges to a quota.

    >>> pod = apply_defaults(read_pod({"spec": {"containers": [{"name": "a", "resources": {
    ...     "limits": {"cpu": "500m", "memory": "1Gi"}}}]}}))
    >>> {name: str(q) for name, q in pod_usage(pod).items()}  # doctest: +NORMALIZE_WHITESPACE
    {'count/pods': '1', 'cpu': '500m', 'limits.cpu': '500m', 'limits.memory': '1Gi', 'memory': '1Gi',
     'pods': '1', 'requests.cpu': '500m', 'requests.memory': '1Gi'}
    """
    skip = not (options or Options()).pod_level_resources
    requests = compute_requests(pod, skip_pod_level_resources=skip)
    limits = compute_limits(pod, skip_pod_level_resources=skip)
    usage = {COUNT_PODS: Quantity("1"), **_compute_usage(requests, limits)}
    return dict(sorted(usage.items()))


def constraints_error(required: Iterable[str], pod: Pod, options: Options) -> str | None:
    """``podEvaluator.Constraints``: the containers that do not set a cpu or memory value the quota
    limits (``must specify ...``), or None."""
    if options.pod_level_resources and pod_level_resources_set(pod):
        return None
    wanted = set(required) & _VALIDATION_SET
    missing: dict[str, set[str]] = {}
    for container in (*pod.containers, *pod.init_containers):
        have = _compute_usage(container.resources.requests, container.resources.limits)
        for name in wanted - have.keys():
            missing.setdefault(name, set()).add(container.name)
    if not missing:
        return None
    parts = [f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)]
    return "must specify " + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class PodAdmission:
    """What the quota evaluator reads of a pod: its resources after admission and its scopes' facts."""

    pod: Pod
    usage: Mapping[str, Quantity]
    qos_class: QOSClass
    terminating: bool = False
    priority_class_name: str = ""
    cross_namespace_affinity: bool = False


def scope_matches(selector: ScopeSelector, pod: PodAdmission) -> bool:
    """``podMatchesScopeFunc`` (the operator only counts for PriorityClass)."""
    scope = selector.scope_name
    if scope == "Terminating":
        return pod.terminating
    if scope == "NotTerminating":
        return not pod.terminating
    if scope == "BestEffort":
        return pod.qos_class is QOSClass.BEST_EFFORT
    if scope == "NotBestEffort":
        return pod.qos_class is not QOSClass.BEST_EFFORT
    if scope == "CrossNamespacePodAffinity":
        return pod.cross_namespace_affinity
    if scope == "PriorityClass":
        # podMatchesSelector: the label set {"PriorityClass": name}, empty without a name.
        has = bool(pod.priority_class_name)
        if selector.operator == "Exists":
            return has
        if selector.operator == "DoesNotExist":
            return not has
        if selector.operator == "In":
            return has and pod.priority_class_name in selector.values
        if selector.operator == "NotIn":
            return not has or pod.priority_class_name not in selector.values
    return False


def quota_matches(quota: ResourceQuota, pod: PodAdmission) -> bool:
    """``generic.Matches``: the quota limits some pod resource, and every scope selector matches."""
    return bool(matching_resources(quota.hard)) and all(scope_matches(s, pod) for s in quota.scopes)


def _pretty(resources: Mapping[str, Quantity]) -> str:
    """``prettyPrint``: ``name=value`` sorted by name, canonical quantities, comma-separated."""
    return ",".join(f"{name}={resources[name]}" for name in sorted(resources))


def _mask(resources: Mapping[str, Quantity], names: Iterable[str]) -> dict[str, Quantity]:
    names = set(names)
    return {name: quantity for name, quantity in resources.items() if name in names}


def _add(used: Mapping[str, Quantity], more: Mapping[str, Quantity]) -> dict[str, Quantity]:
    """``quota.Add``: Kubernetes' ``Add`` per name (a name in only one list is copied)."""
    result = dict(used)
    for name, quantity in more.items():
        result[name] = result[name] + quantity if name in result else quantity
    return result


def check_request(
    quotas: Sequence[ResourceQuota], used: list[dict[str, Quantity]], pod: PodAdmission, options: Options
) -> str | None:
    """``CheckRequest`` for one new pod: the refusal, or None and ``used`` (one per quota) updated."""
    interesting: list[int] = []
    for position, quota in enumerate(quotas):
        if not quota_matches(quota, pod):
            continue
        restricted = matching_resources(quota.hard)
        error = constraints_error(restricted, pod.pod, options)
        if error is not None:
            return f"failed quota: {quota.name}: {error}"
        if any(name not in used[position] for name in quota.hard if name in restricted):
            return f"status unknown for quota: {quota.name}, resources: {','.join(sorted(restricted))}"
        interesting.append(position)
    updates: dict[int, dict[str, Quantity]] = {}
    for position in interesting:
        quota = quotas[position]
        requested = _mask(pod.usage, quota.hard)
        new_usage = _add(used[position], requested)
        masked = _mask(new_usage, requested)
        exceeded = [name for name, hard in quota.hard.items() if name in masked and masked[name] > hard]
        if exceeded:
            failed_requested = _pretty(_mask(requested, exceeded))
            failed_used = _pretty(_mask(used[position], exceeded))
            failed_hard = _pretty(_mask(quota.hard, exceeded))
            return (
                f"exceeded quota: {quota.name}, requested: {failed_requested}, used: {failed_used}, "
                f"limited: {failed_hard}"
            )
        updates[position] = new_usage
    for position, new_usage in updates.items():
        used[position] = new_usage
    return None


@dataclass(frozen=True, slots=True)
class QuotaFigures:
    """One quota's part in the answer: whether it matches the pod, what it limits, the room left."""

    name: str
    matches: bool
    reason: str
    hard: Mapping[str, Quantity]
    used: Mapping[str, Quantity]
    #: What one pod charges to the names this quota limits.
    per_pod: Mapping[str, Quantity]
    #: How many pods of the workload this quota alone lets in (None: it does not bound them).
    max_replicas: int | None
    #: The names that bound ``max_replicas`` (sorted).
    binding: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "matches": self.matches,
            "reason": self.reason,
            "hard": {name: str(q) for name, q in self.hard.items()},
            "used": {name: str(q) for name, q in self.used.items()},
            "per_pod": {name: str(q) for name, q in self.per_pod.items()},
            "max_replicas": self.max_replicas,
            "binding": list(self.binding),
        }


def _room(quota: ResourceQuota, usage: Mapping[str, Quantity]) -> tuple[int | None, tuple[str, ...]]:
    """How many pods of ``usage`` fit under ``quota`` from its ``used``: the least over the names the
    pod charges, ``floor((hard - used) / per pod)``; 0 for a name already over its hard limit."""
    best: int | None = None
    binding: list[str] = []
    for name in sorted(quota.hard):
        if name not in usage:
            continue
        hard, used, per_pod = quota.hard[name], quota.used.get(name, Quantity("0")), usage[name]
        left = hard.to_fraction() - used.to_fraction()
        if per_pod.is_zero():
            count = None if left >= 0 else 0
        else:
            count = max(0, int(left // per_pod.to_fraction()))
        if count is None:
            continue
        if best is None or count < best:
            best, binding = count, [name]
        elif count == best:
            binding.append(name)
    return best, tuple(binding)


@dataclass(frozen=True, slots=True)
class QuotaAnswer:
    """Whether a namespace's quotas admit every replica of a workload, and its rollout's peak."""

    name: str
    kind: str
    namespace: str
    replicas: int
    fits: bool
    rollout_fits: bool
    peak_pods: int
    max_replicas: int | None
    message: str | None
    admitted: int
    kubernetes_version: str
    explanation: tuple[str, ...]
    requests: Mapping[str, Quantity]
    limits: Mapping[str, Quantity]
    usage: Mapping[str, Quantity]
    qos_class: str
    limit_ranger: str | None
    quotas: tuple[QuotaFigures, ...]
    rollout: Rollout

    CSV_HEADER = (
        "workload", "namespace", "replicas", "peak_pods", "max_replicas", "admitted", "fits", "rollout_fits",
        "message",
    )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "fits": self.fits,
            "rollout_fits": self.rollout_fits,
            "peak_pods": self.peak_pods,
            "max_replicas": self.max_replicas,
            "message": self.message,
            "workload": {"name": self.name, "kind": self.kind, "namespace": self.namespace},
            "replicas": self.replicas,
            "admitted": self.admitted,
            "pod": {
                "requests": {name: str(q) for name, q in self.requests.items()},
                "limits": {name: str(q) for name, q in self.limits.items()},
                "qos_class": self.qos_class,
                "limit_ranger": self.limit_ranger,
            },
            "usage": {name: str(q) for name, q in self.usage.items()},
            "quotas": [quota.to_json() for quota in self.quotas],
            "rollout": self.rollout.to_json(),
            "explanation": list(self.explanation),
        }

    def csv_row(self) -> tuple[str, ...]:
        maximum = "" if self.max_replicas is None else str(self.max_replicas)
        return (
            self.name, self.namespace, str(self.replicas), str(self.peak_pods), maximum, str(self.admitted),
            "true" if self.fits else "false", "true" if self.rollout_fits else "false", self.message or "",
        )  # fmt: skip

    def text(self) -> str:
        """A few lines for people and spreadsheet cells: the verdicts first."""
        bound = "no quota bounds it" if self.max_replicas is None else f"the quotas admit {self.max_replicas}"
        lines = [
            f"fits: {'yes' if self.fits else 'no'} "
            f"({self.admitted} of {self.replicas} replicas admitted; {bound})",
            f"rollout fits: {'yes' if self.rollout_fits else 'no'} (peak {self.peak_pods} pods)",
        ]
        if self.message:
            lines.append(self.message)
        return "\n".join(lines)


def _admission_facts(workload: Workload, options: Options) -> tuple[Pod, Mapping[str, Any]]:
    """The pod as the release's API server stores and defaults it (``as_stored``: restartable init
    containers only with SidecarContainers, ``spec.resources`` only with PodLevelResources)."""
    behaviour = options.behaviour
    stored = as_stored(read_pod(workload.pod), behaviour)
    spec = workload.pod.get("spec")
    defaulted = apply_defaults(stored, pod_level_hugepages=behaviour.pod_level_hugepages)
    return defaulted, spec if isinstance(spec, Mapping) else {}


def _cross_namespace(spec: Mapping[str, Any]) -> bool:
    """``usesCrossNamespacePodAffinity``: a pod (anti-)affinity term naming namespaces or a namespace
    selector."""
    affinity = spec.get("affinity")
    if not isinstance(affinity, Mapping):
        return False
    for kind in ("podAffinity", "podAntiAffinity"):
        section = affinity.get(kind)
        if not isinstance(section, Mapping):
            continue
        terms = list(section.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
        for weighted in section.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
            if isinstance(weighted, Mapping):
                terms.append(weighted.get("podAffinityTerm"))
        for term in terms:
            if not isinstance(term, Mapping):
                continue
            if term.get("namespaces") or term.get("namespaceSelector") is not None:
                return True
    return False


def _explicit_namespace(obj: Mapping[str, Any]) -> str:
    if is_compact(obj):
        value = obj.get("namespace")
    else:
        metadata = obj.get("metadata")
        value = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) else ""


def quota_check(
    workload: Mapping[str, Any] | Iterable[Any],
    namespace_state: NamespaceState | Mapping[str, Any] | Sequence[Any],
    nodes: Iterable[Node | Mapping[str, Any]] | Snapshot | None = None,
    pods: Iterable[PodInfo | Mapping[str, Any]] = (),
    *,
    eligible_nodes: int | None = None,
    path: str = "",
    state_path: str = "",
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> QuotaAnswer:
    """Whether the namespace's quotas and limit ranges admit every replica of ``workload``, how many
    they admit, and whether the peak of its rollout is admitted (and fits ``nodes`` when given).

    ``workload`` is one workload manifest or compact workload; ``namespace_state`` the objects of
    ``kubectl get resourcequota,limitrange -o json`` (or a :class:`NamespaceState`). A workload
    without a namespace is created in the namespace the objects name; objects of another
    namespace do not apply. The template is validated as the API server would
    (:class:`~quantities.manifest.problems.PodValidationError`).

    >>> web = {"name": "web", "replicas": 4, "cpu": "500m", "memory": "1Gi"}
    >>> quota = {"kind": "ResourceQuota", "metadata": {"name": "team"},
    ...          "spec": {"hard": {"requests.cpu": "2", "pods": "10"}},
    ...          "status": {"hard": {"requests.cpu": "2", "pods": "10"},
    ...                     "used": {"requests.cpu": "500m", "pods": "1"}}}
    >>> answer = quota_check(web, [quota], kubernetes_version="1.32")
    >>> answer.fits, answer.max_replicas, answer.peak_pods, answer.rollout_fits
    (False, 3, 5, False)
    >>> answer.message
    'exceeded quota: team, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2'
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    state = (
        namespace_state
        if isinstance(namespace_state, NamespaceState)
        else read_namespace_state(namespace_state, state_path)
    )
    found, obj = single_workload_object(workload, path)
    # The template is what the user wrote: checked like any proposal (paths in its object).
    pod_info(found.pod, options=options, path=found.path, spec_path=found.spec_path)
    found, quotas, ranges, explanation = _in_namespace(found, obj, state)
    if found.is_daemonset and nodes is None and eligible_nodes is None:
        message = (
            f'DaemonSet "{found.name}" runs one pod per eligible node: '
            "give the nodes (a cluster) or their number"
        )
        raise ManifestError([Problem(found.path, message)])
    plan = rollout(obj, nodes, pods, eligible_nodes=eligible_nodes, path=found.path, options=options)
    plan = dataclasses.replace(plan, namespace=found.namespace)
    explanation.extend(plan.explanation)
    facts, annotation, refusal = _admitted_pod(found, ranges, options)
    if annotation:
        explanation.append(f"LimitRanger sets the annotation {annotation}")
    return _answer(found, plan, quotas, facts, annotation, refusal, explanation, options)


def _in_namespace(
    found: Workload, obj: Mapping[str, Any], state: NamespaceState
) -> tuple[Workload, list[ResourceQuota], list[LimitRange], list[str]]:
    """The workload in its namespace (its own, else the state's), and the objects of that namespace."""
    namespace = _explicit_namespace(obj) or state.namespace or "default"
    quotas = [q for q in state.quotas if not q.namespace or q.namespace == namespace]
    ranges = [r for r in state.limit_ranges if not r.namespace or r.namespace == namespace]
    skipped = len(state.quotas) + len(state.limit_ranges) - len(quotas) - len(ranges)
    explanation = (
        [f"{skipped} object(s) of another namespace than {namespace} do not apply"] if skipped else []
    )
    return dataclasses.replace(found, namespace=namespace), quotas, ranges, explanation


def _admitted_pod(
    found: Workload, ranges: Sequence[LimitRange], options: Options
) -> tuple[PodAdmission, str | None, str | None]:
    """The pod after defaulting and LimitRanger, what the quota evaluator reads of it, the
    annotation LimitRanger leaves, and the refusal before quotas (validation, LimitRange bounds)."""
    defaulted, spec = _admission_facts(found, options)
    pod, annotation = apply_limit_ranges(defaulted, ranges)
    deadline = spec.get("activeDeadlineSeconds")
    facts = PodAdmission(
        pod,
        pod_usage(pod, options),
        compute_qos(pod),
        isinstance(deadline, int) and not isinstance(deadline, bool) and deadline >= 0,
        pod.priority_class_name,
        _cross_namespace(spec),
    )
    return facts, annotation, _admission_refusal(pod, ranges, options)


def _answer(
    found: Workload,
    plan: Rollout,
    quotas: Sequence[ResourceQuota],
    facts: PodAdmission,
    annotation: str | None,
    refusal: str | None,
    explanation: list[str],
    options: Options,
) -> QuotaAnswer:
    """The quotas' verdict on the replicas and on the rollout's peak."""
    replicas = plan.replicas or 0
    peak = plan.peak_pods if plan.peak_pods is not None else replicas
    figures = tuple(_figures(quota, facts) for quota in quotas)
    maximum: int | None = 0
    message: str | None = refusal
    if refusal is not None:
        explanation.append("every pod is refused before the quotas are counted")
    else:
        maximum, message = _quota_outcome(quotas, figures, facts, peak, options)
        explanation.extend(_quota_lines(figures, maximum))
    admitted = replicas if maximum is None else min(maximum, replicas)
    skip = not options.pod_level_resources
    return QuotaAnswer(
        found.name,
        found.kind,
        found.namespace,
        replicas,
        refusal is None and admitted == replicas,
        refusal is None and (maximum is None or maximum >= peak) and plan.fits_nodes is not False,
        peak,
        maximum,
        message,
        admitted,
        str(options.version),
        tuple(explanation),
        compute_requests(facts.pod, skip_pod_level_resources=skip),
        compute_limits(facts.pod, skip_pod_level_resources=skip),
        facts.usage,
        str(facts.qos_class),
        annotation,
        figures,
        plan,
    )


def _admission_refusal(pod: Pod, ranges: Sequence[LimitRange], options: Options) -> str | None:
    """The API server's validation of the completed pod, then LimitRanger's bounds."""
    problems = check_pod(pod, pod_level_hugepages=options.behaviour.pod_level_hugepages)
    if problems:
        lines = list(dict.fromkeys(p.kubernetes or p.message for p in problems))
        return lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
    return limit_range_refusal(pod, ranges, options)


def _figures(quota: ResourceQuota, pod: PodAdmission) -> QuotaFigures:
    restricted = matching_resources(quota.hard)
    if not restricted:
        return QuotaFigures(quota.name, False, "limits no pod resource", quota.hard, quota.used, {}, None, ())
    unmatched = [s for s in quota.scopes if not scope_matches(s, pod)]
    if unmatched:
        scope = unmatched[0]
        reason = f"scope {scope.scope_name} does not match the pod"
        return QuotaFigures(quota.name, False, reason, quota.hard, quota.used, {}, None, ())
    per_pod = _mask(pod.usage, quota.hard)
    maximum, binding = _room(quota, per_pod)
    reason = "matches: " + ", ".join(sorted(set(restricted)))
    return QuotaFigures(quota.name, True, reason, quota.hard, quota.used, per_pod, maximum, binding)


def _quota_outcome(
    quotas: Sequence[ResourceQuota],
    figures: Sequence[QuotaFigures],
    pod: PodAdmission,
    peak: int,
    options: Options,
) -> tuple[int | None, str | None]:
    """(max_replicas, the refusal of the first pod refused within the peak, or None)."""
    used = [dict(quota.used) for quota in quotas]
    first = check_request(quotas, used, pod, options)
    if first is not None and not first.startswith("exceeded quota"):
        return 0, first  # "must specify" and "status unknown" refuse every pod
    bounds = [f.max_replicas for f in figures if f.matches and f.max_replicas is not None]
    maximum = min(bounds) if bounds else None
    if maximum is None or maximum >= peak:
        return maximum, None
    # The refused pod meets every quota's used plus the pods admitted before it.
    used = []
    for quota, figure in zip(quotas, figures, strict=True):
        admitted = {name: q * maximum for name, q in figure.per_pod.items()} if figure.matches else {}
        used.append(_add(quota.used, admitted))
    return maximum, check_request(quotas, used, pod, options)


def _quota_lines(figures: Sequence[QuotaFigures], maximum: int | None) -> list[str]:
    lines = []
    for figure in figures:
        if not figure.matches:
            lines.append(f"quota {figure.name}: {figure.reason}")
            continue
        if figure.max_replicas is None:
            lines.append(f"quota {figure.name}: does not bound this pod")
            continue
        name = figure.binding[0]
        hard, used, per_pod = figure.hard[name], figure.used.get(name, Quantity("0")), figure.per_pod[name]
        lines.append(
            f"quota {figure.name}: {name} ({hard} hard - {used} used) / {per_pod} per pod = "
            f"{figure.max_replicas} pods"
        )
    if maximum is None:
        lines.append("no quota bounds the workload's pods")
    return lines


# --- the compact form (GET parameters) -----------------------------------------------------------

_QUOTA_SYNTAX = "name,resource=quantity,...[,scope=Scope]"
_USED_SYNTAX = "quota name,resource=quantity,..."
_LIMITS_SYNTAX = (
    "Container|Pod,field.resource=quantity,... "
    "(field: max, min, default, defaultRequest, maxLimitRequestRatio)"
)


def _pairs(
    text: str, path: str, syntax: str, problems: list[Problem]
) -> tuple[str, list[tuple[str, str, str]]]:
    """The head field and the ``key=value`` fields of one parameter, each with its path."""
    fields = [field.strip() for field in text.split(",")]
    head = fields[0]
    if not head or "=" in head:
        problems.append(Problem(path, f"expected {syntax}: the first field is missing", value=quote(text)))
    pairs = []
    for field in fields[1:]:
        name, equals, value = field.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name or not value:
            problems.append(
                Problem(path, f"expected {syntax}: {quote(field)} is not name=quantity", value=quote(field))
            )
            continue
        pairs.append((name, value, key(path, name)))
    return head, pairs


def _quantity(value: str, where: str, problems: list[Problem]) -> Quantity | None:
    try:
        quantity = parse_manifest_quantity(value)
    except QuantityError as error:
        problems.append(Problem(where, str(error), value=quote(value)))
        return None
    if quantity.sign() < 0:
        problems.append(Problem(where, f"{value}: a quota or limit is never negative", value=quote(value)))
        return None
    return quantity


def namespace_state_from_fields(
    quotas: Sequence[str] = (), used: Sequence[str] = (), limits: Sequence[str] = ()
) -> NamespaceState:
    """A namespace state from compact GET parameters, every problem at its parameter and field.

    * ``quota=NAME,RESOURCE=HARD,...[,scope=SCOPE]`` (repeat for each quota, in order),
    * ``used=NAME,RESOURCE=USED,...``: what a quota's ``status.used`` says (0 for what is not given),
    * ``limits=TYPE,FIELD.RESOURCE=VALUE,...``: a LimitRange item of type Container or Pod, with
      FIELD one of max, min, default, defaultRequest, maxLimitRequestRatio.

    >>> state = namespace_state_from_fields(["team,requests.cpu=4,pods=10"], ["team,requests.cpu=1500m"],
    ...                                     ["Container,default.cpu=500m"])
    >>> quota = state.quotas[0]
    >>> quota.used["requests.cpu"], quota.used["pods"], state.limit_ranges[0].items[0].type
    (Quantity('1500m'), Quantity('0'), 'Container')
    """
    problems: list[Problem] = []
    hard_of: dict[str, dict[str, Quantity]] = {}
    scopes_of: dict[str, list[ScopeSelector]] = {}
    paths: dict[str, str] = {}
    for position, text in enumerate(quotas):
        path = index("quota", position)
        name, pairs = _pairs(text, path, _QUOTA_SYNTAX, problems)
        if name in hard_of:
            problems.append(
                Problem(child(path, "name"), f"a second quota named {quote(name)}", value=quote(name))
            )
        hard: dict[str, Quantity] = {}
        scopes: list[ScopeSelector] = []
        for resource, value, where in pairs:
            if resource == "scope":
                if value not in SCOPES:
                    message = f"{quote(value)} is not a scope: use one of {', '.join(SCOPES)}"
                    problems.append(Problem(where, message, value=quote(value)))
                scopes.append(ScopeSelector(value))
                continue
            quantity = _quantity(value, where, problems)
            if quantity is not None:
                hard[resource] = quantity
        hard_of[name], scopes_of[name], paths[name] = hard, scopes, path
    used_of: dict[str, dict[str, Quantity]] = {}
    for position, text in enumerate(used):
        path = index("used", position)
        name, pairs = _pairs(text, path, _USED_SYNTAX, problems)
        if name not in hard_of:
            known = ", ".join(quote(q) for q in hard_of) or "none"
            message = f"no quota named {quote(name)} (the quota= parameters name {known})"
            problems.append(Problem(child(path, "name"), message, value=quote(name)))
        counted = used_of.setdefault(name, {})
        for resource, value, where in pairs:
            quantity = _quantity(value, where, problems)
            if quantity is not None:
                counted[resource] = quantity
    items: list[LimitRangeItem] = []
    for position, text in enumerate(limits):
        items.append(_limit_item(text, index("limits", position), problems))
    if problems:
        raise ManifestError(problems)
    built = []
    for name, hard in hard_of.items():
        counted = {resource: Quantity("0") for resource in hard}
        counted.update(used_of.get(name, {}))
        built.append(
            ResourceQuota(
                name, "", ResourceList(hard), ResourceList(counted), tuple(scopes_of[name]), paths[name]
            )
        )
    ranges = (LimitRange("limits", "", tuple(items), "limits"),) if items else ()
    return NamespaceState(tuple(built), ranges)


def _limit_item(text: str, path: str, problems: list[Problem]) -> LimitRangeItem:
    kind, pairs = _pairs(text, path, _LIMITS_SYNTAX, problems)
    if kind and kind not in ("Container", "Pod"):
        message = f"{quote(kind)} is not a LimitRange type for pods: use Container or Pod"
        problems.append(Problem(child(path, "type"), message, value=quote(kind)))
    lists: dict[str, dict[str, Quantity]] = {field: {} for field in FIELDS}
    for name, value, where in pairs:
        field, dot, resource = name.partition(".")
        if not dot or field not in lists or not resource:
            message = f"{quote(name)}: expected field.resource with field one of {', '.join(FIELDS)}"
            problems.append(Problem(where, message, value=quote(name)))
            continue
        quantity = _quantity(value, where, problems)
        if quantity is not None:
            lists[field][resource] = quantity
    item = LimitRangeItem(kind, *(ResourceList(lists[field]) for field in FIELDS))
    return default_limit_range_item(item)
