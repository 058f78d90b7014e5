"""A node's allocatable from its capacity: the kubelet's rule, with a provider's settings.

The kubelet publishes ``status.allocatable`` as (pkg/kubelet/nodestatus/setters.go
``MachineInfo``, with ``GetNodeAllocatableReservation`` and ``hardEvictionReservation`` of
pkg/kubelet/cm):

* for every resource of the capacity: ``capacity - (system-reserved + kube-reserved +
  hard eviction)``, clamped at 0;
* only two eviction signals reserve anything: ``memory.available`` (memory) and
  ``nodefs.available`` (ephemeral-storage), each a quantity or a percentage of the capacity;
* then every hugepages capacity is taken from allocatable memory (clamped at 0 again);
* ``pods`` is the max pods; nothing is reserved from it.

A provider profile (:mod:`quantities.capacity.providers`) supplies the three settings; any of
them given explicitly replaces the profile's, as a kubelet flag would (a partial
``--eviction-hard`` replaces *all* default thresholds).

>>> node = node_allocatable("eks", instance_type="m5.large", kubernetes_version="1.32")
>>> {name: str(value) for name, value in node.allocatable.items()}
{'cpu': '1930m', 'memory': '6903Mi', 'pods': '29'}
>>> node.to_json()["reserved"]["kube_reserved"]
{'cpu': '70m', 'memory': '574Mi', 'ephemeral-storage': '1Gi'}
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, TypeVar

from quantities.capacity.instance_types import (
    CAPACITY_MODELS,
    KARPENTER_SOURCE,
    KARPENTER_VM_MEMORY_OVERHEAD,
    InstanceType,
    capacity_memory,
    instance_type,
)
from quantities.capacity.kubelet_flags import (
    EvictionThreshold,
    eviction_reservation,
    format_eviction_hard,
    parse_eviction_hard,
    parse_reserved,
)
from quantities.capacity.providers import PROFILES, Profile, ProfileInput, ProfileSettings, Source
from quantities.manifest.exact_number import ExactNumber
from quantities.manifest.problems import ManifestError, Problem
from quantities.node.model import HOSTNAME_LABEL, Node
from quantities.options import Options, resolve_options
from quantities.pod.resource_names import is_hugepages
from quantities.quantity.errors import QuantityError, quote
from quantities.quantity.quantity import Quantity, parse_quantity
from quantities.quantity.suffix import Format
from quantities.versions import FeatureGateError, KubernetesVersion, UnsupportedVersion

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from quantities.node.selectors import Taint

__all__ = [
    "FORMULA",
    "KUBELET_SOURCES",
    "NodeAllocatable",
    "node_allocatable",
    "template_node",
]

T = TypeVar("T")

FORMULA = (
    "allocatable = capacity - kube-reserved - system-reserved - hard eviction thresholds, per resource,"
    " clamped at 0; only memory.available (memory) and nodefs.available (ephemeral-storage) thresholds"
    " reserve anything, as quantities or percentages of the capacity; every hugepages capacity is then"
    " taken from allocatable memory; pods = max pods"
)

_K8S = "https://github.com/kubernetes/kubernetes/blob/master/"
#: The kubelet code this module follows.
KUBELET_SOURCES = (
    Source(
        "allocatable = capacity - reservation, clamped at 0; hugepages capacity taken from memory",
        _K8S + "pkg/kubelet/nodestatus/setters.go (MachineInfo)",
        "every release (1.28-1.36)",
    ),
    Source(
        "reservation = system-reserved + kube-reserved + hard eviction (GetNodeAllocatableReservation);"
        " only memory.available and nodefs.available reserve (hardEvictionReservation); a reservation"
        " above the capacity stops the kubelet (validateNodeAllocatable)",
        _K8S + "pkg/kubelet/cm/node_container_manager_linux.go, pkg/kubelet/cm/helpers.go",
        "every release (1.28-1.36)",
    ),
    Source(
        "a percentage threshold is int64(float64(capacity.Value()) * float64(float32 percentage))"
        " (GetThresholdQuantity; parsePercentage, parseThresholdStatement: 0% and 100% are ignored)",
        _K8S + "pkg/kubelet/eviction/api/types.go, pkg/kubelet/eviction/helpers.go (ParseThresholdConfig)",
        "every release (1.28-1.36)",
    ),
    Source(
        "--kube-reserved/--system-reserved: cpu, memory, ephemeral-storage, pid (parseResourceList);"
        " --eviction-hard pairs are signal<value, and the first use of a flag clears its defaults",
        _K8S + "cmd/kubelet/app/server.go (parseResourceList); staging/src/k8s.io/component-base/cli/flag/"
        "map_string_string.go, langle_separated_map_string_string.go",
        "every release (1.28-1.36)",
    ),
)

#: The resources every reserved part names, "0" when nothing is reserved.
_RESERVED_KEYS = ("cpu", "memory", "ephemeral-storage")
_EVICTION_KEYS = ("memory", "ephemeral-storage")
SIZINGS = ("static", "auto")


@dataclasses.dataclass(frozen=True, slots=True)
class NodeAllocatable:
    """A node's capacity, what is reserved from it, its allocatable, and how each figure was reached."""

    provider: str
    kubernetes_version: str
    instance_type: str | None
    capacity: Mapping[str, Quantity]
    kube_reserved: Mapping[str, Quantity]
    system_reserved: Mapping[str, Quantity]
    #: What the hard eviction thresholds reserve, by resource (memory, ephemeral-storage).
    eviction_hard: Mapping[str, Quantity]
    allocatable: Mapping[str, Quantity]
    max_pods: int
    #: The thresholds as given to the kubelet (``signal: value``).
    eviction_thresholds: Mapping[str, str]
    explanation: Mapping[str, Any]
    warnings: tuple[Problem, ...] = ()

    CSV_HEADER = ("resource", "capacity", "kube_reserved", "system_reserved", "eviction_hard", "allocatable")

    def reserved_json(self) -> dict[str, dict[str, str]]:
        """The three reserved parts, each naming every resource it can reserve ("0" where nothing is)."""
        return {
            "kube_reserved": _named(self.kube_reserved, _RESERVED_KEYS),
            "system_reserved": _named(self.system_reserved, _RESERVED_KEYS),
            "eviction_hard": _named(self.eviction_hard, _EVICTION_KEYS),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "provider": self.provider,
            "instance_type": self.instance_type,
            "capacity": _strings(self.capacity),
            "reserved": self.reserved_json(),
            "allocatable": _strings(self.allocatable),
            "max_pods": self.max_pods,
            "explanation": dict(self.explanation),
            "warnings": [problem.to_json() for problem in self.warnings],
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        """One row per resource of the capacity."""
        zero = Quantity("0")
        return [
            (
                resource,
                str(capacity),
                str(self.kube_reserved.get(resource, zero)),
                str(self.system_reserved.get(resource, zero)),
                str(self.eviction_hard.get(resource, zero)),
                str(self.allocatable[resource]),
            )
            for resource, capacity in self.capacity.items()
        ]

    def describe(self) -> str:
        """The figures as a table, then how they were reached."""
        from quantities.node.tabwriter import tabulate

        header = "RESOURCE\tCAPACITY\tKUBE-RESERVED\tSYSTEM-RESERVED\tEVICTION-HARD\tALLOCATABLE\n"
        table = tabulate(header + "".join("\t".join(row) + "\n" for row in self.csv_rows()), padding=3)
        title = self.provider + (f" {self.instance_type}" if self.instance_type else "")
        lines = [f"{title} (Kubernetes {self.kubernetes_version})", table.rstrip("\n"), ""]
        explanation = self.explanation
        lines.append(f"capacity: {explanation['capacity_model']['model']}")
        lines.append(f"max pods: {self.max_pods} ({explanation['max_pods']['how']})")
        flags = explanation["flags"]
        lines.append(
            "kubelet flags: "
            + " ".join(f"--{name}={quote(value) if ' ' in value else value}" for name, value in flags.items())
        )
        lines.extend(f"  {step}" for step in explanation["steps"])
        lines.extend(f"note: {note}" for note in explanation["notes"])
        lines.append("sources:")
        lines.extend(
            f"  {source['what']}: {source['document']} [{source['applies_to']}]"
            for source in explanation["sources"]
        )
        return "\n".join(lines) + "\n"

    def compact(self, name: str) -> dict[str, str]:
        """The compact node form (``name``, ``cpu``, ``memory``, ``pods`` and the other resources)."""
        return {"name": name, **_strings(self.allocatable)}

    def node(
        self,
        name: str,
        labels: Mapping[str, str] | None = None,
        taints: Iterable[Taint] = (),
    ) -> Node:
        """A :class:`~quantities.node.model.Node` with this allocatable, for the scheduler.

        It carries ``kubernetes.io/hostname`` and, for an instance type,
        ``node.kubernetes.io/instance-type``, as the kubelet labels a node.
        """
        node_labels = {HOSTNAME_LABEL: name}
        if self.instance_type:
            node_labels["node.kubernetes.io/instance-type"] = self.instance_type
        node_labels.update(labels or {})
        return Node(name, self.allocatable, labels=node_labels, taints=taints)


def _strings(quantities: Mapping[str, Quantity]) -> dict[str, str]:
    return {resource: str(quantity) for resource, quantity in quantities.items()}


def _named(quantities: Mapping[str, Quantity], keys: tuple[str, ...]) -> dict[str, str]:
    named = {resource: str(quantities.get(resource, Quantity("0"))) for resource in keys}
    named.update({resource: str(q) for resource, q in quantities.items() if resource not in named})
    return named


# ---------------------------------------------------------------------------
# Reading the inputs: every problem located at its field name (the CLI names its flag).


class _Problems:
    """Collects located problems so that every bad input is reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def run(self, call: Callable[[], T]) -> T | None:
        try:
            return call()
        except ManifestError as error:
            self.problems.extend(error.problems)
            return None

    def add(self, path: str, message: str, value: object = None, hint: str | None = None) -> None:
        self.problems.append(Problem(path, message, value=None if value is None else _json(value), hint=hint))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ManifestError(self.problems)


def _json(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return quote(str(value))


def _number_text(value: object) -> object:
    """A JSON number as its exact text (bodies decode numbers as ExactNumber)."""
    return value.text if isinstance(value, ExactNumber) else value


def _quantity(value: object, path: str) -> Quantity:
    value = _number_text(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ManifestError(
            [
                Problem(
                    path, 'expected a quantity (a string such as "8Gi" or a whole number)', value=_json(value)
                )
            ]
        )
    text = str(value).strip()
    try:
        quantity = parse_quantity(text)
    except QuantityError as error:
        raise ManifestError(
            [
                Problem(
                    path,
                    f"invalid quantity {quote(text, shorten=True)}: {error.reason}",
                    kubernetes=error.kubernetes_message,
                    value=_json(value),
                    hint=error.hint,
                )
            ]
        ) from None
    if quantity.sign() < 0:
        raise ManifestError([Problem(path, f"must not be negative, got {quantity}", value=_json(value))])
    return quantity


_INT64_MAX = 2**63 - 1


def _bytes(value: object, path: str) -> Quantity:
    """A memory or storage capacity as the kubelet holds it: whole bytes, BinarySI (the parser
    clamps a quantity at 2^63-1, so it fits the kubelet's int64)."""
    return Quantity.from_int(_quantity(value, path).value(), Format.BINARY_SI)


def _millicores(value: object, path: str) -> Quantity:
    """A cpu capacity as the kubelet holds it: ``NewMilliQuantity(cores * 1000, DecimalSI)``."""
    millis = _quantity(value, path).milli_value()
    if millis > _INT64_MAX:
        raise ManifestError([Problem(path, _TOO_LARGE, value=_json(_number_text(value)))])
    return Quantity.from_milli(millis)


_TOO_LARGE = "more than a node can have: the kubelet holds a capacity as a 64-bit integer"


def _max_pods(value: object, path: str) -> int:
    value = _number_text(value)
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is None or not text.isdigit() or int(text) > 2**31 - 1:
        raise ManifestError(
            [
                Problem(
                    path,
                    "expected a whole number of pods (the kubelet's --max-pods, 0 to 2147483647)",
                    value=_json(value),
                )
            ]
        )
    return int(text)


def _pairs(value: object, separator: str, path: str) -> str:
    """Reservations or thresholds as flag text: the text, or a mapping (the configuration file's form)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        for name, text in value.items():
            if "," in name or "," in text or separator in name:
                raise ManifestError([Problem(path, f"{quote(name)}: names and values cannot hold commas")])
        return ",".join(f"{name}{separator}{text}" for name, text in value.items())
    example = "cpu=100m,memory=1Gi" if separator == "=" else "memory.available<100Mi"
    raise ManifestError(
        [
            Problem(
                path, f"expected the kubelet's flag text ({example}) or a map of strings", value=_json(value)
            )
        ]
    )


def _hugepages(value: object, path: str) -> dict[str, Quantity]:
    text = _pairs(value, "=", path)
    pages: dict[str, Quantity] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, found, amount = item.partition("=")
        name = name.strip()
        where = f"{path}[{name}]" if name else path
        if not found or not is_hugepages(name):
            raise ManifestError(
                [
                    Problem(
                        where,
                        "expected hugepages-<size>=<quantity> pairs",
                        value=quote(item),
                        hint="for example hugepages-2Mi=1Gi,hugepages-1Gi=2Gi",
                    )
                ]
            )
        pages[name] = _bytes(amount, where)
    return pages


def _options(
    options: Options | None, kubernetes_version: str | KubernetesVersion | None, feature_gates: object
) -> Options:
    try:
        return resolve_options(options, kubernetes_version, feature_gates)  # type: ignore[arg-type]
    except (UnsupportedVersion, FeatureGateError) as error:
        path = "kubernetes_version" if isinstance(error, UnsupportedVersion) else "feature_gates"
        raise ManifestError([Problem(path, str(error))]) from None


# ---------------------------------------------------------------------------
# The capacity, and which model it came from.


@dataclasses.dataclass(frozen=True, slots=True)
class _Capacity:
    resources: dict[str, Quantity]
    model: dict[str, Any]


def _capacity(
    problems: _Problems,
    instance: InstanceType | None,
    given: Mapping[str, object],
    model: str | None,
    overhead: str,
) -> _Capacity:
    """The node's capacity, resource by resource, and where each figure came from."""
    resources: dict[str, Quantity] = {}
    origin: dict[str, str] = {}
    chosen = model or ("karpenter" if instance is not None and given.get("memory") is None else "node")
    for resource, read in (("cpu", _cpu_capacity), ("memory", _memory_capacity)):
        found = read(problems, instance, given.get(resource), chosen, overhead)
        if found is not None:
            resources[resource], origin[resource] = found
    if given.get("ephemeral_storage") is not None:
        storage = problems.run(lambda: _bytes(given["ephemeral_storage"], "ephemeral_storage"))
        if storage is not None:
            resources["ephemeral-storage"], origin["ephemeral-storage"] = storage, "given"
    if given.get("hugepages") is not None:
        pages = problems.run(lambda: _hugepages(given["hugepages"], "hugepages"))
        for name, amount in (pages or {}).items():
            resources[name], origin[name] = amount, "given"
    return _Capacity(
        resources, {"model": _described(origin, chosen, overhead), "name": chosen, "resources": origin}
    )


def _cpu_capacity(
    problems: _Problems, instance: InstanceType | None, given: object, model: str, overhead: str
) -> tuple[Quantity, str] | None:
    if given is not None:
        cpu = problems.run(lambda: _millicores(given, "cpu"))
        return None if cpu is None else (cpu, "given")
    if instance is not None:
        return Quantity.from_int(
            instance.vcpus
        ), f"{instance.name}: {instance.vcpus} vCPUs ({instance.spec_source})"
    problems.add("cpu", "the node's cpu capacity is needed: give cpu (4) or an instance type")
    return None


def _memory_capacity(
    problems: _Problems, instance: InstanceType | None, given: object, model: str, overhead: str
) -> tuple[Quantity, str] | None:
    if given is not None:
        memory = problems.run(lambda: _bytes(given, "memory"))
        return None if memory is None else (memory, "given")
    if instance is None:
        problems.add("memory", "the node's memory capacity is needed: give memory (16Gi) or an instance type")
        return None
    memory = capacity_memory(instance, model, overhead)
    if model != "karpenter":
        return memory, f"{instance.name}: {instance.memory_mib}Mi nominal ({instance.spec_source})"
    arm = " - 64Mi (arm64)" if instance.architecture == "arm64" else ""
    how = (
        f"{instance.name}: {instance.memory_mib}Mi{arm} - ceil({overhead} VM memory overhead) = {memory}"
        f" ({instance.spec_source}; {KARPENTER_SOURCE})"
    )
    return memory, how


def _described(origin: Mapping[str, str], model: str, overhead: str) -> str:
    """Which capacity model was used, in words."""
    if all(how == "given" for how in origin.values()):
        return "node capacity given"
    words = {
        "karpenter": f"machine type nominal size minus Karpenter's declared VM memory overhead ({overhead})",
        "nominal": "machine type nominal size (no VM overhead: the node will report less)",
        "node": "machine type nominal size",
    }[model]
    return f"{words}; given values win" if "given" in origin.values() else words


# ---------------------------------------------------------------------------


def _quantities_flag(quantities: Mapping[str, Quantity]) -> str:
    return ",".join(f"{resource}={quantity}" for resource, quantity in quantities.items())


def _reservation_steps(
    capacity: Mapping[str, Quantity],
    kube: Mapping[str, Quantity],
    system: Mapping[str, Quantity],
    eviction: Mapping[str, Quantity],
    allocatable: Mapping[str, Quantity],
) -> list[str]:
    zero = Quantity("0")
    steps = []
    for resource, amount in capacity.items():
        if resource == "pods":
            continue
        steps.append(
            f"{resource}: {amount} - {kube.get(resource, zero)} (kube-reserved)"
            f" - {system.get(resource, zero)} (system-reserved) - {eviction.get(resource, zero)} (eviction)"
            f" = {allocatable[resource]}"
            if not is_hugepages(resource)
            else f"{resource}: {amount}, taken from allocatable memory"
        )
    steps.append(f"pods: {capacity['pods']} (max pods)")
    return steps


def _eviction_steps(thresholds: tuple[EvictionThreshold, ...], capacity: Mapping[str, Quantity]) -> list[str]:
    steps = []
    for threshold in thresholds:
        if threshold.resource is None:
            continue
        if threshold.percentage is not None:
            base = capacity.get(threshold.resource)
            if base is None:
                steps.append(
                    f"eviction {threshold}: no {threshold.resource} capacity was given, so it reserves 0"
                )
                continue
            amount = eviction_reservation((threshold,), dict(capacity))[threshold.resource]
            steps.append(
                f"eviction {threshold}: int64(float64({base.value()}) * float32 {threshold.text}) = {amount}"
                " (the kubelet's float arithmetic)"
            )
        else:
            steps.append(f"eviction {threshold}: {threshold.quantity} of {threshold.resource}")
    return steps


def _validation_warnings(
    capacity: Mapping[str, Quantity], reservation: Mapping[str, Quantity]
) -> list[Problem]:
    """``validateNodeAllocatable``: a real kubelet refuses to start when a reservation exceeds the capacity
    (its message, with the quantities written canonically)."""
    warnings = []
    for resource, reserved in reservation.items():
        if (capacity[resource] - reserved).sign() < 0:
            warnings.append(
                Problem(
                    f"reserved.{resource}",
                    f"the reservations exceed the {resource} capacity: allocatable is clamped at 0, and a"
                    " real kubelet refuses to start: invalid Node Allocatable configuration. Resource"
                    f' "{resource}" has a reservation of {reserved} but capacity of {capacity[resource]}.'
                    " Expected capacity >= reservation.",
                )
            )
    return warnings


def node_allocatable(
    provider: str = "kubelet",
    *,
    instance_type: str | None = None,
    cpu: str | int | None = None,
    memory: str | int | None = None,
    ephemeral_storage: str | int | None = None,
    hugepages: str | Mapping[str, str] | None = None,
    max_pods: int | str | None = None,
    kube_reserved: str | Mapping[str, str] | None = None,
    system_reserved: str | Mapping[str, str] | None = None,
    eviction_hard: str | Mapping[str, str] | None = None,
    capacity_model: str | None = None,
    vm_memory_overhead: str | None = None,
    custom_networking: bool = False,
    prefix_delegation: bool = False,
    sizing: str | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> NodeAllocatable:
    """The allocatable the kubelet would publish for a node of ``provider``.

    The capacity is the node's (``cpu``, ``memory``, ``ephemeral_storage``, ``hugepages``),
    or an EC2 ``instance_type``'s under ``capacity_model`` (``karpenter``, the default:
    nominal memory less Karpenter's ``vm_memory_overhead``, 0.075; or ``nominal``); values
    given win over the instance type's. ``max_pods`` defaults to the provider's (for
    ``eks``, the instance type's ENI limit; ``custom_networking`` and ``prefix_delegation``
    follow the VPC CNI's max-pods calculator). ``kube_reserved``, ``system_reserved`` and
    ``eviction_hard`` are the kubelet's flag text (``cpu=100m,memory=1Gi``,
    ``memory.available<100Mi``) or maps; each replaces the profile's setting whole.
    ``sizing`` (openshift): ``static`` or ``auto`` (autoSizingReserved).

    Bad input raises :class:`~quantities.manifest.problems.ManifestError` with every
    problem located at its argument's name (``memory``, ``kube_reserved.cpu``).
    """
    problems = _Problems()
    work = problems.run(lambda: _options(options, kubernetes_version, feature_gates))
    profile = _profile(problems, provider)
    instance = problems.run(lambda: _instance(instance_type)) if instance_type is not None else None
    if instance_type is not None and instance is None:
        # The unknown type is the problem: do not also ask for its cpu and memory.
        cpu, memory = cpu or "0", memory or "0"
    model, overhead = _capacity_model(problems, instance_type, capacity_model, vm_memory_overhead)
    _provider_options(problems, provider, custom_networking, prefix_delegation, sizing)
    given = {"cpu": cpu, "memory": memory, "ephemeral_storage": ephemeral_storage, "hugepages": hugepages}
    capacity = _capacity(problems, instance, given, model, overhead)
    pods = problems.run(lambda: _max_pods(max_pods, "max_pods")) if max_pods is not None else None
    overrides = _Overrides(
        problems.run(lambda: _reserved(kube_reserved, "kube_reserved")),
        problems.run(lambda: _reserved(system_reserved, "system_reserved")),
        problems.run(lambda: _eviction(eviction_hard)),
    )
    problems.raise_if_any()
    assert profile is not None and capacity is not None and work is not None
    if pods is None:
        pods, pods_how = profile.default_max_pods(instance, custom_networking, prefix_delegation)
    else:
        pods_how = "given"
    resources = {**capacity.resources, "pods": Quantity.from_int(pods)}
    settings = profile.settings(ProfileInput(resources, pods, work, instance, sizing or "static"))
    kube, system, thresholds = overrides.in_force(settings)
    eviction = eviction_reservation(thresholds, resources)
    reservation = _reservation(resources, (system, kube, eviction))
    allocatable, warnings = _subtract(resources, reservation)
    explanation = _explanation(
        settings,
        overrides,
        capacity.model,
        (pods, pods_how),
        (kube, system, thresholds, eviction),
        resources,
        allocatable,
    )
    return NodeAllocatable(
        provider=provider,
        kubernetes_version=str(work.version),
        instance_type=instance.name if instance else None,
        capacity=resources,
        kube_reserved=kube,
        system_reserved=system,
        eviction_hard=eviction,
        allocatable=allocatable,
        max_pods=pods,
        eviction_thresholds=format_eviction_hard(thresholds),
        explanation=explanation,
        warnings=tuple(warnings),
    )


# -- the arguments, checked ---------------------------------------------------------------------


def _profile(problems: _Problems, provider: object) -> Profile | None:
    profile = PROFILES.get(provider) if isinstance(provider, str) else None
    if profile is None:
        close = difflib.get_close_matches(str(provider).lower(), list(PROFILES), n=1)
        problems.add(
            "provider",
            f"unknown provider {_json(provider)}: one of " + ", ".join(PROFILES),
            provider,
            hint=f"did you mean {close[0]}?" if close else None,
        )
    return profile


def _instance(name: object) -> InstanceType:
    if not isinstance(name, str):
        raise ManifestError([Problem("instance_type", "expected an instance type name such as m5.large")])
    return instance_type(name)


def _capacity_model(
    problems: _Problems, instance_type: str | None, model: str | None, vm_memory_overhead: str | None
) -> tuple[str | None, str]:
    """The capacity model asked for (None: the default) and Karpenter's overhead fraction."""
    if model is not None and model not in CAPACITY_MODELS:
        problems.add("capacity_model", "expected " + " or ".join(CAPACITY_MODELS), model)
        model = None
    elif model is not None and instance_type is None:
        problems.add("capacity_model", "a capacity model applies to an instance type: give one", model)
    overhead = KARPENTER_VM_MEMORY_OVERHEAD if vm_memory_overhead is None else str(vm_memory_overhead).strip()
    if vm_memory_overhead is not None and not _is_fraction(overhead):
        problems.add(
            "vm_memory_overhead",
            "expected Karpenter's --vm-memory-overhead-percent: a fraction from 0 to below 1 (0.075 is 7.5%)",
            vm_memory_overhead,
        )
        overhead = KARPENTER_VM_MEMORY_OVERHEAD
    return model, overhead


def _provider_options(
    problems: _Problems, provider: str, custom_networking: bool, prefix_delegation: bool, sizing: str | None
) -> None:
    """The options that belong to one provider: the VPC CNI's (eks) and the sizing (openshift)."""
    if (custom_networking or prefix_delegation) and provider != "eks":
        name = "custom_networking" if custom_networking else "prefix_delegation"
        problems.add(name, "the VPC CNI's max pods apply to the eks provider only")
    if sizing is not None and (provider != "openshift" or sizing not in SIZINGS):
        problems.add("sizing", "openshift only: static or auto (autoSizingReserved)", sizing)


def _is_fraction(text: str) -> bool:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return False
    return 0 <= value < 1 and "/" not in text and "_" not in text


def _reserved(value: object, path: str) -> dict[str, Quantity] | None:
    return None if value is None else parse_reserved(_pairs(value, "=", path), path)


def _eviction(value: object) -> tuple[EvictionThreshold, ...] | None:
    return None if value is None else parse_eviction_hard(_pairs(value, "<", "eviction_hard"))


@dataclasses.dataclass(frozen=True, slots=True)
class _Overrides:
    """The settings given explicitly; each replaces the profile's whole, as a kubelet flag does."""

    kube_reserved: dict[str, Quantity] | None
    system_reserved: dict[str, Quantity] | None
    eviction_hard: tuple[EvictionThreshold, ...] | None

    def in_force(
        self, settings: ProfileSettings
    ) -> tuple[dict[str, Quantity], dict[str, Quantity], tuple[EvictionThreshold, ...]]:
        kube = self.kube_reserved if self.kube_reserved is not None else dict(settings.kube_reserved)
        system = self.system_reserved if self.system_reserved is not None else dict(settings.system_reserved)
        thresholds = self.eviction_hard
        if thresholds is None:
            thresholds = parse_eviction_hard(settings.eviction_hard)
        return kube, system, thresholds

    def flags(self) -> list[str]:
        given = (
            ("kube-reserved", self.kube_reserved),
            ("system-reserved", self.system_reserved),
            ("eviction-hard", self.eviction_hard),
        )
        return [f"--{name}" for name, value in given if value is not None]


# -- the kubelet's arithmetic -------------------------------------------------------------------


def _reservation(
    capacity: Mapping[str, Quantity], parts: tuple[Mapping[str, Quantity], ...]
) -> dict[str, Quantity]:
    """``GetNodeAllocatableReservation``: for every resource of the capacity, system-reserved +
    kube-reserved + hard eviction; resources with nothing reserved are left out."""
    reservation: dict[str, Quantity] = {}
    for resource in capacity:
        total = Quantity("0")
        for part in parts:
            if resource in part:
                total = total + part[resource]
        if not total.is_zero():
            reservation[resource] = total
    return reservation


def _subtract(
    capacity: Mapping[str, Quantity], reservation: Mapping[str, Quantity]
) -> tuple[dict[str, Quantity], list[Problem]]:
    """``MachineInfo``: capacity - reservation, clamped at 0; then every hugepages capacity is taken
    from allocatable memory, clamped at 0 again."""
    allocatable: dict[str, Quantity] = {}
    for resource, amount in capacity.items():
        value = amount - reservation[resource] if resource in reservation else amount
        allocatable[resource] = value if value.sign() >= 0 else Quantity.from_int(0, amount.format)
    warnings = _validation_warnings(capacity, reservation)
    for resource, amount in capacity.items():
        if is_hugepages(resource):
            memory = allocatable["memory"] - amount
            if memory.sign() < 0:
                message = f"{resource} ({amount}) is more than the allocatable memory left: it is 0"
                warnings.append(Problem("hugepages", message))
                memory = Quantity.from_int(0, allocatable["memory"].format)
            allocatable["memory"] = memory
    return allocatable, warnings


# -- the explanation ----------------------------------------------------------------------------


def _notes(
    settings: ProfileSettings,
    overrides: _Overrides,
    thresholds: tuple[EvictionThreshold, ...],
    capacity: Mapping[str, Quantity],
) -> list[str]:
    notes = list(settings.notes)
    if given := overrides.flags():
        notes.append(
            "given " + ", ".join(given) + ": replaces the profile's setting whole, as the kubelet flag does"
            " (a partial --eviction-hard keeps none of the defaults)"
        )
    if ignored := [str(t) for t in thresholds if t.resource is None]:
        notes.append("thresholds that reserve nothing from allocatable: " + ", ".join(ignored))
    if "ephemeral-storage" not in capacity:
        notes.append(
            "no ephemeral-storage capacity given: its allocatable is not computed (give ephemeral_storage)"
        )
    return notes


def _explanation(
    settings: ProfileSettings,
    overrides: _Overrides,
    model: dict[str, Any],
    max_pods: tuple[int, str],
    in_force: tuple[
        Mapping[str, Quantity], Mapping[str, Quantity], tuple[EvictionThreshold, ...], Mapping[str, Quantity]
    ],
    capacity: Mapping[str, Quantity],
    allocatable: Mapping[str, Quantity],
) -> dict[str, Any]:
    """Formula, capacity model, max pods, the kubelet flags, every step, the sources, the notes."""
    kube, system, thresholds, eviction = in_force
    pods, pods_how = max_pods
    flags = {
        "kube-reserved": _quantities_flag(kube),
        "system-reserved": _quantities_flag(system),
        "eviction-hard": ",".join(str(t) for t in thresholds),
        "max-pods": str(pods),
    }
    karpenter = (
        (Source("capacity estimate for a machine type", KARPENTER_SOURCE, "Karpenter v1"),)
        if model.get("name") == "karpenter"
        else ()
    )
    steps = [*settings.steps, *_eviction_steps(thresholds, capacity)]
    steps += _reservation_steps(capacity, kube, system, eviction, allocatable)
    return {
        "formula": FORMULA,
        "capacity_model": model,
        "max_pods": {"value": pods, "how": pods_how},
        "flags": flags,
        "eviction_thresholds": format_eviction_hard(thresholds),
        "steps": steps,
        "sources": [source.to_json() for source in (*settings.sources, *KUBELET_SOURCES, *karpenter)],
        "notes": _notes(settings, overrides, thresholds, capacity),
    }


def template_node(
    provider: str,
    instance_type: str | None = None,
    *,
    name: str | None = None,
    labels: Mapping[str, str] | None = None,
    taints: Iterable[Taint] = (),
    options: Options | None = None,
    **settings: Any,
) -> Node:
    """A new node of ``provider`` (and ``instance_type``) as the scheduler sees it: allocatable, max pods.

    ``settings`` are :func:`node_allocatable`'s keywords (``cpu``, ``memory``, ``max_pods``,
    ``prefix_delegation``...). The node is named ``name`` (default: the instance type, or the
    provider) and labelled as the kubelet labels it.

    >>> node = template_node("eks", "m5.large", name="new-1", kubernetes_version="1.32")
    >>> node.milli_cpu, node.memory, node.allowed_pods, node.labels["node.kubernetes.io/instance-type"]
    (1930, 7238320128, 29, 'm5.large')
    """
    result = node_allocatable(provider, instance_type=instance_type, options=options, **settings)
    return result.node(name or instance_type or provider, labels=labels, taints=taints)
