"""The scheduling fields of a pod, read as typed values and validated as the API server validates them.

What kube-scheduler reads from a pod besides its resources: ``metadata.labels``
and ``namespace``, ``spec.nodeName``, ``nodeSelector``, ``tolerations``,
required node affinity, required pod (anti-)affinity, topology spread
constraints, ``priority`` and ``preemptionPolicy``. :func:`read_scheduling`
reads them into immutable values (:class:`SchedulingFields`) and sorts what is
wrong into two kinds of :class:`~quantities.manifest.problems.Problem`:

* ``shape``: a field of the wrong JSON type (``tolerations: "oops"``, a label
  value ``5``). The API server cannot even decode such an object, so no stored
  object has one: always an error;
* ``invalid``: a value the API server's validation refuses
  (``pkg/apis/core/validation/validation.go`` and apimachinery's
  ``metav1/validation``, Kubernetes 1.32): ``maxSkew: 0``, ``operator: Near``.
  A proposal (the pod a user asks about) with one is refused, as ``kubectl
  apply`` would be; an object already stored in a cluster may have been
  created under older rules, so there it is a warning and the scheduler's own
  reading applies (an unknown operator matches nothing).

What the release's API server drops or merges follows ``options``
(:attr:`quantities.versions.Behaviour.pod_affinity_match_label_keys`, research
note S11): pod (anti-)affinity ``matchLabelKeys``/``mismatchLabelKeys`` are
decoded, then dropped while MatchLabelKeysInPodAffinity is off (1.28-1.30) and
validated (``validateMatchLabelKeysAndMismatchLabelKeys``) while it is on; the
scheduler's view merges them into the selector
(:mod:`quantities.scheduler.framework.podinfo`).

``notes`` holds what the API server accepts but the scheduler cannot use (a
``Gt`` bound that is not an integer: ``labels.NewRequirement`` refuses it at
scheduling time and the term matches no node); they are always warnings.

Every problem carries our JSON path (``spec.tolerations[0].operator``) and,
where the API server has one, its error line in ``kubernetes``
(``spec.tolerations[0].operator: Unsupported value: "Near": supported values:
"Equal", "Exists"``).

>>> fields, shape, invalid, notes = read_scheduling(
...     {"name": "web", "labels": {"app": "web"}},
...     {"tolerations": [{"key": "k", "operator": "Exists"}],
...      "topologySpreadConstraints": [{"maxSkew": 0, "topologyKey": "zone",
...                                     "whenUnsatisfiable": "DoNotSchedule"}]})
>>> fields.tolerations[0].operator, shape
('Exists', ())
>>> print(invalid[0].kubernetes)
spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from quantities.manifest.fields import FieldReader, json_text, json_type
from quantities.manifest.names import (
    dns1123_label_errors,
    dns1123_subdomain_errors,
    label_value_errors,
    qualified_name_errors,
)
from quantities.manifest.problems import Problem, child, index, key
from quantities.options import DEFAULT_OPTIONS, Options
from quantities.quantity.errors import quote
from quantities.quantity.goint import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, parse_go_int64
from quantities.versions import Behaviour

__all__ = [
    "LABEL_SELECTOR_OPERATORS",
    "NODE_SELECTOR_OPERATORS",
    "TAINT_EFFECTS",
    "LabelSelector",
    "Location",
    "NodeSelectorTerm",
    "PodAffinityTerm",
    "Requirement",
    "SchedulingFields",
    "SchedulingReader",
    "Toleration",
    "TopologySpreadConstraint",
    "dns1123_label_errors",
    "dns1123_subdomain_errors",
    "go_value",
    "label_value_errors",
    "read_scheduling",
]

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
TOLERATION_OPERATORS = ("Equal", "Exists")
NODE_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
LABEL_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")
NODE_INCLUSION_POLICIES = ("Honor", "Ignore")
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")


def go_value(value: object) -> str:
    """A bad value as ``field.Error`` prints it: strings quoted (``%q``), numbers bare."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _supported(values: Sequence[str]) -> str:
    return "supported values: " + ", ".join(json.dumps(value) for value in values)


class Location:
    """Where a field is: our JSON path in the document, and the API server's path in its object.

    Paths are written out only when a problem asks for them: reading a well-formed pod
    builds no path text.

    >>> Location("items[2].spec", "spec").child("tolerations").index(0).key("nvidia.com/gpu")
    Location(json='items[2].spec.tolerations[0][nvidia.com/gpu]', k8s='spec.tolerations[0][nvidia.com/gpu]')
    """

    __slots__ = ("_json", "_k8s", "_parent", "_step")

    def __init__(self, json: str = "", k8s: str = "", *, parent: Location | None = None,
                 step: tuple[str, object] | None = None) -> None:  # fmt: skip
        self._json: str | None = json if parent is None else None
        self._k8s: str | None = k8s if parent is None else None
        self._parent = parent
        self._step = step

    def _resolve(self) -> None:
        parent, step = self._parent, self._step
        assert parent is not None and step is not None
        kind, value = step
        if kind == "child":
            name = str(value)
            self._json = child(parent.json, name)
            self._k8s = f"{parent.k8s}.{name}" if parent.k8s else name
        elif kind == "index":
            self._json = index(parent.json, int(str(value)))
            self._k8s = f"{parent.k8s}[{value}]"
        else:
            self._json = key(parent.json, str(value))
            self._k8s = f"{parent.k8s}[{value}]"

    @property
    def json(self) -> str:
        if self._json is None:
            self._resolve()
        assert self._json is not None
        return self._json

    @property
    def k8s(self) -> str:
        if self._k8s is None:
            self._resolve()
        assert self._k8s is not None
        return self._k8s

    def child(self, name: str) -> Location:
        return Location(parent=self, step=("child", name))

    def index(self, position: int) -> Location:
        return Location(parent=self, step=("index", position))

    def key(self, name: str) -> Location:
        return Location(parent=self, step=("key", name))

    def __repr__(self) -> str:
        return f"Location(json={self.json!r}, k8s={self.k8s!r})"


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Toleration:
    """core/v1 ``Toleration``; ``operator`` is ``Equal`` when the manifest leaves it empty."""

    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""
    toleration_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    """A ``matchExpressions`` (or ``matchFields``) entry: ``key operator values``."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeSelectorTerm:
    """One of the ORed ``nodeSelectorTerms``: its expressions and fields are ANDed."""

    match_expressions: tuple[Requirement, ...] = ()
    match_fields: tuple[Requirement, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """``metav1.LabelSelector``: ``matchLabels`` and ``matchExpressions``, ANDed.

    An empty selector (``{}``) matches every label set.
    """

    match_labels: Mapping[str, str] = field(default_factory=dict)
    match_expressions: tuple[Requirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.match_labels.items())), self.match_expressions))


@dataclass(frozen=True, slots=True)
class PodAffinityTerm:
    """A required pod (anti-)affinity term as written in the manifest."""

    label_selector: LabelSelector | None
    namespaces: tuple[str, ...]
    topology_key: str
    namespace_selector: LabelSelector | None
    match_label_keys: tuple[str, ...] = ()
    #: Empty when the release drops the field (MatchLabelKeysInPodAffinity off).
    mismatch_label_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopologySpreadConstraint:
    """A topology spread constraint as written (``min_domains`` and policies None when absent)."""

    max_skew: int
    topology_key: str
    when_unsatisfiable: str
    label_selector: LabelSelector | None
    min_domains: int | None = None
    node_affinity_policy: str | None = None
    node_taints_policy: str | None = None
    match_label_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchedulingFields:
    """Everything the scheduler reads from a pod besides its resources."""

    name: str = ""
    namespace: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    terminating: bool = False
    creation_timestamp: str | None = None
    node_name: str = ""
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()
    #: None when the pod has no required node affinity.
    required_node_terms: tuple[NodeSelectorTerm, ...] | None = None
    affinity_terms: tuple[PodAffinityTerm, ...] = ()
    anti_affinity_terms: tuple[PodAffinityTerm, ...] = ()
    spread_constraints: tuple[TopologySpreadConstraint, ...] = ()
    priority: int = 0
    preemption_policy: str = "PreemptLowerPriority"
    host_network: bool = False
    phase: str = ""


class _ObjectMeta(NamedTuple):
    """The metadata fields the scheduler reads (``name``: the name, or else ``generateName``)."""

    name: str
    namespace: str
    labels: dict[str, str]
    terminating: bool
    creation_timestamp: str | None


# --- reading ------------------------------------------------------------------------------------


class SchedulingReader(FieldReader):
    """Typed fields with located problems: ``problems`` (wrong JSON types), ``invalid`` (API server
    validation), ``notes`` (accepted by the API server, unusable by the scheduler)."""

    def __init__(
        self, source: str = "", options: Options | None = None, behaviour: Behaviour | None = None
    ) -> None:
        super().__init__(source, "")
        self.invalid: list[Problem] = []
        self.notes: list[Problem] = []
        #: MatchLabelKeysInPodAffinity: the fields are kept (and validated) or dropped.
        behaviour = behaviour or (options or DEFAULT_OPTIONS).behaviour
        self.affinity_label_keys = behaviour.pod_affinity_match_label_keys
        #: MatchLabelKeysInPodTopologySpread (on since 1.27): kept, or dropped.
        self.spread_label_keys = behaviour.spread_match_label_keys
        #: The pod's labels, which the API server merges into affinity selectors before validating.
        self.pod_labels: Mapping[str, str] = {}

    # -- recording ----------------------------------------------------------------------------

    def shape(self, where: Location, expected: str, value: object) -> None:
        self.problems.append(
            Problem(
                where.json,
                f"expected {expected}, got {json_type(value)}",
                None,
                self.source,
                json_text(value),
            )
        )

    def refuse(
        self,
        where: Location,
        message: str,
        kubernetes: str,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        """A value the API server refuses, with its ``field.Error`` line."""
        self.invalid.append(Problem(where.json, message, kubernetes, self.source, json_text(value), hint))

    def invalid_value(self, where: Location, value: object, detail: str, message: str | None = None) -> None:
        self.refuse(
            where,
            message or f"{go_value(value)}: {detail}",
            f"{where.k8s}: Invalid value: {go_value(value)}: {detail}",
            value,
        )

    def required(self, where: Location, detail: str, message: str) -> None:
        line = f"{where.k8s}: Required value: {detail}" if detail else f"{where.k8s}: Required value"
        self.refuse(where, message, line)

    def unsupported(self, where: Location, value: str, supported: Sequence[str]) -> None:
        self.refuse(
            where,
            f"{quote(value)} is not one of " + ", ".join(supported),
            f"{where.k8s}: Unsupported value: {go_value(value)}: {_supported(supported)}",
            value,
        )

    def note(self, where: Location, message: str, value: object = None) -> None:
        self.notes.append(Problem(where.json, message, None, self.source, json_text(value)))

    # -- JSON types ---------------------------------------------------------------------------

    def obj(self, value: object, where: Location) -> Mapping[Any, Any] | None:
        if value is None or isinstance(value, Mapping):
            return value
        self.shape(where, "an object", value)
        return None

    def arr(self, value: object, where: Location) -> Sequence[Any]:
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            return value
        self.shape(where, "an array", value)
        return ()

    def text(self, value: object, where: Location) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.shape(where, "a string", value)
        return None

    def boolean(self, value: object, where: Location) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.shape(where, "true or false", value)
        return None

    def integer(self, value: object, where: Location, bits: int = 32) -> int | None:
        if value is None:
            return None
        low, high = (INT32_MIN, INT32_MAX) if bits == 32 else (INT64_MIN, INT64_MAX)
        if isinstance(value, int) and not isinstance(value, bool):
            if low <= value <= high:
                return value
            self.problems.append(
                Problem(
                    where.json, f"{value} does not fit in a {bits}-bit integer", None, self.source, str(value)
                )
            )
            return None
        self.shape(where, "an integer", value)
        return None

    def items(self, value: object, where: Location) -> Iterator[tuple[Location, Any]]:
        """The elements of an array, each with its location."""
        for position, item in enumerate(self.arr(value, where)):
            yield where.index(position), item

    def objects(self, value: object, where: Location) -> Iterator[tuple[Location, Mapping[Any, Any]]]:
        """The elements of an array of objects; ``null`` ones are skipped, other non-objects recorded."""
        for at, item in self.items(value, where):
            fields = self.obj(item, at)
            if fields is not None:
                yield at, fields

    def entries(self, value: object, where: Location, keys: str = "string keys") -> Iterator[tuple[str, Any]]:
        """The entries of an object whose keys are strings (``keys`` names them in the problem otherwise)."""
        for name, item in (self.obj(value, where) or {}).items():
            if isinstance(name, str):
                yield name, item
            else:
                self.shape(where, keys, name)

    def strings(self, value: object, where: Location) -> tuple[str, ...]:
        texts = (self.text(item, at) for at, item in self.items(value, where))
        return tuple(text for text in texts if text is not None)

    def string_map(self, value: object, where: Location) -> dict[str, str]:
        result: dict[str, str] = {}
        for name, text in self.entries(value, where):
            read = self.text(text, where.key(name))
            if read is not None:
                result[name] = read
        return result

    # -- validated values -----------------------------------------------------------------------

    def label_name(self, name: str, where: Location) -> None:
        """``ValidateLabelName``: a qualified name."""
        for detail in qualified_name_errors(name):
            self.invalid_value(where, name, detail)

    def labels(self, value: object, where: Location) -> dict[str, str]:
        """``ValidateLabels``: the API server names the map, not the key, in its lines."""
        labels = self.string_map(value, where)
        for name, text in labels.items():
            for detail in qualified_name_errors(name):
                self.refuse(
                    where.key(name),
                    f"label key {quote(name)}: {detail}",
                    f"{where.k8s}: Invalid value: {go_value(name)}: {detail}",
                    name,
                )
            for detail in label_value_errors(text):
                self.refuse(
                    where.key(name),
                    f"label value {quote(text)}: {detail}",
                    f"{where.k8s}: Invalid value: {go_value(text)}: {detail}",
                    text,
                )
        return labels

    def enum(self, value: object, where: Location, allowed: Sequence[str]) -> str | None:
        text = self.text(value, where)
        if text is not None and text not in allowed:
            self.unsupported(where, text, allowed)
        return text

    # -- metadata and pod spec fields -------------------------------------------------------------

    def _object_meta(self, meta: Mapping[Any, Any], at: Location) -> _ObjectMeta:
        """What the scheduler reads of ``metadata``; of ``ValidateObjectMeta``, the namespace
        (``ValidateNamespaceName``: a DNS-1123 label) and the labels (``ValidateLabels``)."""
        name = self.text(meta.get("name"), at.child("name")) or ""
        generate_name = self.text(meta.get("generateName"), at.child("generateName")) or ""
        namespace = self.text(meta.get("namespace"), at.child("namespace")) or ""
        if namespace:
            for detail in dns1123_label_errors(namespace):
                self.invalid_value(at.child("namespace"), namespace, detail)
        labels = self.labels(meta.get("labels"), at.child("labels"))
        deletion = self.text(meta.get("deletionTimestamp"), at.child("deletionTimestamp"))
        created = self.text(meta.get("creationTimestamp"), at.child("creationTimestamp"))
        return _ObjectMeta(name or generate_name, namespace, labels, bool(deletion), created)

    def _node_name(self, value: object, where: Location) -> str:
        """``spec.nodeName``: ``ValidateNodeName`` (a DNS-1123 subdomain) when set."""
        node_name = self.text(value, where) or ""
        if node_name:
            for detail in dns1123_subdomain_errors(node_name):
                self.invalid_value(where, node_name, detail)
        return node_name

    def _preemption_policy(self, value: object, where: Location) -> str | None:
        """``ValidatePreemptionPolicy``: PreemptLowerPriority or Never; set but empty is required."""
        preemption = self.text(value, where)
        if preemption is not None and preemption not in PREEMPTION_POLICIES:
            if preemption:
                self.unsupported(where, preemption, PREEMPTION_POLICIES)
            else:
                self.required(where, "", "preemptionPolicy cannot be empty")
        return preemption

    def _affinity(
        self, value: object, where: Location
    ) -> tuple[tuple[NodeSelectorTerm, ...] | None, tuple[PodAffinityTerm, ...], tuple[PodAffinityTerm, ...]]:
        """``validateAffinity``: the required node affinity, then the required pod affinity and
        anti-affinity terms (the preferred ones do not decide where a pod may run)."""
        affinity = self.obj(value, where) or {}
        node_affinity_at = where.child("nodeAffinity")
        node_affinity = self.obj(affinity.get("nodeAffinity"), node_affinity_at) or {}
        required_at = node_affinity_at.child("requiredDuringSchedulingIgnoredDuringExecution")
        required_node_terms = self.node_selector(
            node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution"), required_at
        )
        affinity_terms = self._required_pod_terms(affinity.get("podAffinity"), where.child("podAffinity"))
        anti_affinity_terms = self._required_pod_terms(
            affinity.get("podAntiAffinity"), where.child("podAntiAffinity")
        )
        return required_node_terms, affinity_terms, anti_affinity_terms

    def _required_pod_terms(self, value: object, where: Location) -> tuple[PodAffinityTerm, ...]:
        """``validatePodAffinity`` / ``validatePodAntiAffinity``: their required terms."""
        fields = self.obj(value, where) or {}
        terms_at = where.child("requiredDuringSchedulingIgnoredDuringExecution")
        return self.affinity_terms(fields.get("requiredDuringSchedulingIgnoredDuringExecution"), terms_at)

    # -- tolerations -----------------------------------------------------------------------------

    def tolerations(self, value: object, where: Location) -> tuple[Toleration, ...]:
        """The tolerations; those without any problem are remembered by their exact JSON (types included),
        as most pods of a cluster carry the same few."""
        if not value:
            return self._tolerations(value, where)
        cache_key = _exact(value)
        cached = _TOLERATIONS.get(cache_key)
        if cached is not None:
            return cached
        before = (len(self.problems), len(self.invalid), len(self.notes))
        result = self._tolerations(value, where)
        if (len(self.problems), len(self.invalid), len(self.notes)) == before:
            if len(_TOLERATIONS) >= 4096:
                _TOLERATIONS.clear()
            _TOLERATIONS[cache_key] = result
        return result

    def _tolerations(self, value: object, where: Location) -> tuple[Toleration, ...]:
        result = []
        for at, fields in self.objects(value, where):
            tol_key = self.text(fields.get("key"), at.child("key")) or ""
            operator = self.text(fields.get("operator"), at.child("operator")) or ""
            tol_value = self.text(fields.get("value"), at.child("value")) or ""
            effect = self.text(fields.get("effect"), at.child("effect")) or ""
            seconds = self.integer(fields.get("tolerationSeconds"), at.child("tolerationSeconds"), 64)
            self._validate_toleration(
                at, tol_key, operator, tol_value, effect, fields.get("tolerationSeconds")
            )
            result.append(Toleration(tol_key, operator or "Equal", tol_value, effect, seconds))
        return tuple(result)

    def _validate_toleration(
        self, at: Location, tol_key: str, operator: str, value: str, effect: str, seconds: object
    ) -> None:
        """``ValidateTolerations`` (1.32)."""
        if tol_key:
            self.label_name(tol_key, at.child("key"))
        if not tol_key and operator != "Exists":
            self.refuse(
                at.child("operator"),
                'a toleration without a key must use operator "Exists" (it then tolerates every taint)',
                f"{at.child('operator').k8s}: Invalid value: {go_value(operator)}: operator must be Exists "
                'when `key` is empty, which means "match all values and all keys"',
                operator,
            )
        if seconds is not None and effect != "NoExecute":
            self.refuse(
                at.child("effect"),
                'tolerationSeconds needs effect "NoExecute"',
                f"{at.child('effect').k8s}: Invalid value: {go_value(effect)}: "
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
                effect,
            )
        if operator in ("Equal", ""):
            errors = label_value_errors(value)
            if errors:
                # The API server names the operator field for a bad value (1.32).
                self.refuse(
                    at.child("value"),
                    f"{quote(value)} is not a valid label value: {';'.join(errors)}",
                    f"{at.child('operator').k8s}: Invalid value: {go_value(value)}: {';'.join(errors)}",
                    value,
                )
        elif operator == "Exists":
            if value:
                self.refuse(
                    at.child("value"),
                    'a toleration with operator "Exists" has no value',
                    f"{at.child('operator').k8s}: Invalid value: "
                    f"{_go_toleration(at, operator, value, effect)}: "
                    "value must be empty when `operator` is 'Exists'",
                    value,
                )
        else:
            self.unsupported(at.child("operator"), operator, TOLERATION_OPERATORS)
        if effect and effect not in TAINT_EFFECTS:
            self.unsupported(at.child("effect"), effect, TAINT_EFFECTS)

    # -- selectors ----------------------------------------------------------------------------------

    def requirement(
        self, value: object, at: Location, operators: Sequence[str], node: bool
    ) -> Requirement | None:
        """``validateNodeSelectorRequirement`` (``node``) or ``ValidateLabelSelectorRequirement``."""
        fields = self.obj(value, at)
        if fields is None:
            return None
        req_key = self.text(fields.get("key"), at.child("key")) or ""
        operator = self.text(fields.get("operator"), at.child("operator")) or ""
        values = self.strings(fields.get("values"), at.child("values"))
        values_at = at.child("values")
        self._requirement_operator(at, operator, values, operators, node)
        self.label_name(req_key, at.child("key"))
        for position, text in enumerate(values):
            for detail in label_value_errors(text):
                self.invalid_value(values_at.index(position), text, detail)
        return Requirement(req_key, operator, values)

    def _requirement_operator(
        self, at: Location, operator: str, values: tuple[str, ...], operators: Sequence[str], node: bool
    ) -> None:
        """The operator and the number of values it takes (the requirement validators' switch)."""
        values_at = at.child("values")
        if operator in ("In", "NotIn"):
            if not values:
                self.required(
                    values_at,
                    "must be specified when `operator` is 'In' or 'NotIn'",
                    f'operator "{operator}" needs at least one value',
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                self.refuse(
                    values_at,
                    f'operator "{operator}" takes no values',
                    f"{values_at.k8s}: Forbidden: may not be specified when `operator` is 'Exists' or "
                    "'DoesNotExist'",
                )
        elif operator in ("Gt", "Lt") and node:
            self._bound_values(values_at, operator, values)
        else:
            self.refuse(
                at.child("operator"),
                f"{quote(operator)} is not an operator: use one of " + ", ".join(operators),
                f"{at.child('operator').k8s}: Invalid value: {go_value(operator)}: "
                "not a valid selector operator",
                operator,
            )

    def _bound_values(self, values_at: Location, operator: str, values: tuple[str, ...]) -> None:
        """``Gt``/``Lt``: one value; the API server stops there, the scheduler needs an integer."""
        if len(values) != 1:
            self.required(
                values_at,
                "must be specified single value when `operator` is 'Lt' or 'Gt'",
                f'operator "{operator}" needs exactly one value, an integer',
            )
        elif parse_go_int64(values[0]) is None:
            # Accepted by the API server; the scheduler's labels.NewRequirement refuses it.
            self.note(
                values_at.index(0),
                f'the bound of "{operator}" must be an integer; the scheduler matches no node with this term',
                values[0],
            )

    def field_requirement(self, value: object, at: Location) -> Requirement | None:
        """``ValidateNodeFieldSelectorRequirement``: ``metadata.name In|NotIn [one name]``."""
        fields = self.obj(value, at)
        if fields is None:
            return None
        req_key = self.text(fields.get("key"), at.child("key")) or ""
        operator = self.text(fields.get("operator"), at.child("operator")) or ""
        values = self.strings(fields.get("values"), at.child("values"))
        if operator in ("In", "NotIn"):
            if len(values) != 1:
                self.required(
                    at.child("values"),
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                    f'matchFields with "{operator}" takes exactly one node name',
                )
        else:
            self.invalid_value(
                at.child("operator"),
                operator,
                "not a valid selector operator",
                f"{quote(operator)} is not an operator: use In or NotIn",
            )
        if req_key != "metadata.name":
            self.invalid_value(
                at.child("key"),
                req_key,
                "not a valid field selector key",
                f"{quote(req_key)} is not a field: only metadata.name can be selected",
            )
        else:
            for position, text in enumerate(values):
                for detail in dns1123_subdomain_errors(text):
                    self.invalid_value(at.child("values").index(position), text, detail)
        return Requirement(req_key, operator, values)

    def node_selector(self, value: object, where: Location) -> tuple[NodeSelectorTerm, ...] | None:
        """A ``NodeSelector`` (``nodeSelectorTerms``); None when absent."""
        fields = self.obj(value, where)
        if fields is None:
            return None
        terms_at = where.child("nodeSelectorTerms")
        raw_terms = self.arr(fields.get("nodeSelectorTerms"), terms_at)
        if not raw_terms and isinstance(fields.get("nodeSelectorTerms"), list | tuple | type(None)):
            self.required(
                terms_at,
                "must have at least one node selector term",
                "required node affinity needs at least one node selector term",
            )
        terms = []
        for at, term in self.objects(raw_terms, terms_at):
            expressions = [
                self.requirement(item, item_at, NODE_SELECTOR_OPERATORS, True)
                for item_at, item in self.items(term.get("matchExpressions"), at.child("matchExpressions"))
            ]
            fields_ = [
                self.field_requirement(item, item_at)
                for item_at, item in self.items(term.get("matchFields"), at.child("matchFields"))
            ]
            terms.append(
                NodeSelectorTerm(
                    tuple(r for r in expressions if r is not None), tuple(r for r in fields_ if r is not None)
                )
            )
        return tuple(terms)

    def label_selector(self, value: object, where: Location) -> LabelSelector | None:
        """``metav1.LabelSelector`` with ``ValidateLabelSelector``; None when absent."""
        fields = self.obj(value, where)
        if fields is None:
            return None
        match_labels = self.labels(fields.get("matchLabels"), where.child("matchLabels"))
        expressions_at = where.child("matchExpressions")
        expressions = [
            self.requirement(item, at, LABEL_SELECTOR_OPERATORS, False)
            for at, item in self.items(fields.get("matchExpressions"), expressions_at)
        ]
        return LabelSelector(match_labels, tuple(r for r in expressions if r is not None))

    # -- pod affinity and spreading ----------------------------------------------------------------------

    def label_keys(self, value: object, where: Location) -> tuple[str, ...]:
        keys = self.strings(value, where)
        for position, name in enumerate(keys):
            self.label_name(name, where.index(position))
        return keys

    def affinity_terms(self, value: object, where: Location) -> tuple[PodAffinityTerm, ...]:
        terms = []
        for at, fields in self.objects(value, where):
            selector = self.label_selector(fields.get("labelSelector"), at.child("labelSelector"))
            namespace_selector = self.label_selector(
                fields.get("namespaceSelector"), at.child("namespaceSelector")
            )
            namespaces = self.strings(fields.get("namespaces"), at.child("namespaces"))
            for i, name in enumerate(namespaces):
                for detail in dns1123_label_errors(name):
                    # The API server names "namespace" (singular) here.
                    self.refuse(
                        at.child("namespaces").index(i),
                        f"namespace {quote(name)}: {detail}",
                        f"{at.child('namespace').k8s}: Invalid value: {go_value(name)}: {detail}",
                        name,
                    )
            match_label_keys, mismatch_label_keys = self._affinity_label_keys(fields, at, selector)
            topology_key = self.text(fields.get("topologyKey"), at.child("topologyKey")) or ""
            key_at = at.child("topologyKey")
            if not topology_key:
                self.required(
                    key_at, "can not be empty", "a required pod (anti-)affinity term needs a topologyKey"
                )
            self.label_name(topology_key, key_at)
            terms.append(
                PodAffinityTerm(
                    selector,
                    namespaces,
                    topology_key,
                    namespace_selector,
                    match_label_keys,
                    mismatch_label_keys,
                )
            )
        return tuple(terms)

    def _affinity_label_keys(
        self, fields: Mapping[Any, Any], at: Location, selector: LabelSelector | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``matchLabelKeys`` and ``mismatchLabelKeys`` of a pod affinity term, as the release keeps them."""
        match_at, mismatch_at = at.child("matchLabelKeys"), at.child("mismatchLabelKeys")
        match = self.strings(fields.get("matchLabelKeys"), match_at)
        mismatch = self.strings(fields.get("mismatchLabelKeys"), mismatch_at)
        if not self.affinity_label_keys:
            # Decoded (so a wrong JSON type is still refused), then dropped by
            # dropDisabledMatchLabelKeysFieldInPodAffinity: the scheduler never sees them.
            return (), ()
        # validateMatchLabelKeysAndMismatchLabelKeys, 1: validateLabelKeys for each list.
        for keys, where in ((match, match_at), (mismatch, mismatch_at)):
            if keys and selector is None:
                self.refuse(
                    where,
                    f"{where.json.rsplit('.', 1)[-1]} needs a labelSelector",
                    f"{where.k8s}: Forbidden: must not be specified when labelSelector is not set",
                )
                continue
            for position, name in enumerate(keys):
                self.label_name(name, where.index(position))
        if selector is not None and match:
            self._keys_in_selector(at, match, mismatch, selector)
        # 3: no key in both lists.
        mismatched = set(mismatch)
        for position, name in enumerate(match):
            if name in mismatched:
                self.invalid_value(
                    match_at.index(position), name, "exists in both matchLabelKeys and mismatchLabelKeys"
                )
        return match, mismatch

    def _keys_in_selector(
        self, at: Location, match: tuple[str, ...], mismatch: tuple[str, ...], selector: LabelSelector
    ) -> None:
        """2: a matchLabelKeys key already in the labelSelector. The API server checks the selector
        after merging the pod's label values into it (``In`` for matchLabelKeys, ``NotIn`` for
        mismatchLabelKeys, for keys the pod has), and names the term's path indexed by the key's
        position (``...requiredDuringSchedulingIgnoredDuringExecution[0][1]``)."""
        positions = {name: position for position, name in enumerate(match)}
        merged = [requirement.key for requirement in selector.match_expressions]
        merged += [name for name in (*match, *mismatch) if name in self.pod_labels]
        seen = set(selector.match_labels)
        for name in merged:
            position = positions.get(name)
            if position is not None and name in seen:
                where = at.child("matchLabelKeys").index(position)
                self.refuse(
                    where,
                    f"{quote(name)} is both in matchLabelKeys and in the labelSelector",
                    f"{at.index(position).k8s}: Invalid value: {go_value(name)}: "
                    "exists in both matchLabelKeys and labelSelector",
                    name,
                )
            seen.add(name)

    def spread_constraints(self, value: object, where: Location) -> tuple[TopologySpreadConstraint, ...]:
        """``validateTopologySpreadConstraints`` (1.32): each constraint, and no two alike."""
        seen: dict[tuple[str, str], Location] = {}
        return tuple(self._spread_constraint(fields, at, seen) for at, fields in self.objects(value, where))

    def _spread_constraint(
        self, fields: Mapping[Any, Any], at: Location, seen: dict[tuple[str, str], Location]
    ) -> TopologySpreadConstraint:
        """One constraint, its checks in ``validateTopologySpreadConstraints``' order, except that the
        label selector is read before ``matchLabelKeys``, which are checked against it."""
        max_skew = self._max_skew(fields.get("maxSkew"), at.child("maxSkew"))
        topology_key = self._spread_topology_key(fields.get("topologyKey"), at.child("topologyKey"))
        when = self._when_unsatisfiable(fields.get("whenUnsatisfiable"), at.child("whenUnsatisfiable"))
        self._spread_constraint_not_repeat(at, topology_key, when, seen)
        min_domains = self._min_domains(fields.get("minDomains"), at.child("minDomains"), when)
        affinity_policy, taints_policy = (
            self.enum(fields.get(name), at.child(name), NODE_INCLUSION_POLICIES)
            for name in ("nodeAffinityPolicy", "nodeTaintsPolicy")
        )
        selector = self.label_selector(fields.get("labelSelector"), at.child("labelSelector"))
        match_label_keys = self._spread_match_label_keys(
            fields.get("matchLabelKeys"), at.child("matchLabelKeys"), selector
        )
        return TopologySpreadConstraint(
            max_skew,
            topology_key,
            when,
            selector,
            min_domains,
            affinity_policy,
            taints_policy,
            match_label_keys,
        )

    def _max_skew(self, value: object, where: Location) -> int:
        """``ValidateMaxSkew``: greater than zero (absent, it is Go's zero)."""
        max_skew = self.integer(value, where)
        if (max_skew is not None and max_skew <= 0) or value is None:
            skew = max_skew if max_skew is not None else 0
            self.invalid_value(
                where,
                skew,
                "must be greater than zero",
                f"maxSkew must be an integer of at least 1, not {skew}",
            )
        return max_skew if max_skew is not None else 0

    def _spread_topology_key(self, value: object, where: Location) -> str:
        """``ValidateTopologyKey``: not empty."""
        topology_key = self.text(value, where) or ""
        if not topology_key:
            self.required(where, "can not be empty", "a topology spread constraint needs a topologyKey")
        return topology_key

    def _when_unsatisfiable(self, value: object, where: Location) -> str:
        """``ValidateWhenUnsatisfiable``: DoNotSchedule or ScheduleAnyway (absent: Go's empty string)."""
        when = self.text(value, where) or ""
        if when not in WHEN_UNSATISFIABLE:
            self.unsupported(where, when, WHEN_UNSATISFIABLE)
        return when

    def _spread_constraint_not_repeat(
        self, at: Location, topology_key: str, when: str, seen: dict[tuple[str, str], Location]
    ) -> None:
        """``ValidateSpreadConstraintNotRepeat``: one constraint per {topologyKey, whenUnsatisfiable},
        reported at the first of the two, as the API server does."""
        pair = (topology_key, when)
        if pair in seen:
            first = seen[pair].child("{topologyKey, whenUnsatisfiable}")
            self.refuse(
                first,
                f"two constraints spread on {topology_key} with whenUnsatisfiable {when}",
                f'{first.k8s}: Duplicate value: "{{{topology_key}, {when}}}"',
            )
        else:
            seen[pair] = at

    def _min_domains(self, value: object, where: Location, when: str) -> int | None:
        """``validateMinDomains``: greater than zero, and only with whenUnsatisfiable=DoNotSchedule."""
        min_domains = self.integer(value, where)
        if min_domains is not None:
            if min_domains <= 0:
                self.invalid_value(where, min_domains, "must be greater than zero")
            if when != "DoNotSchedule":
                self.invalid_value(
                    where,
                    min_domains,
                    f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {when}",
                )
        return min_domains

    def _spread_match_label_keys(
        self, value: object, where: Location, selector: LabelSelector | None
    ) -> tuple[str, ...]:
        """``validateMatchLabelKeysInTopologySpread``: label names, only with a labelSelector, none of
        them among the selector's keys. Dropped, after decoding, when MatchLabelKeysInPodTopologySpread
        is off (``dropDisabledMatchLabelKeysFieldInTopologySpread``)."""
        if not self.spread_label_keys:
            self.strings(value, where)
            return ()
        match_label_keys = self.label_keys(value, where)
        if match_label_keys:
            if selector is None:
                self.refuse(
                    where,
                    "matchLabelKeys needs a labelSelector",
                    f"{where.k8s}: Forbidden: must not be specified when labelSelector is not set",
                )
            else:
                in_selector = set(selector.match_labels) | {r.key for r in selector.match_expressions}
                for i, name in enumerate(match_label_keys):
                    if name in in_selector:
                        self.invalid_value(
                            where.index(i), name, "exists in both matchLabelKeys and labelSelector"
                        )
        return match_label_keys


_TOLERATIONS: dict[object, tuple[Toleration, ...]] = {}


def _exact(value: object) -> object:
    """Decoded JSON as a hashable value in which ``false``, ``0`` and ``"0"`` all differ."""
    if isinstance(value, Mapping):
        return ("o", tuple((_exact(k), _exact(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("a", tuple(_exact(v) for v in value))
    text = getattr(value, "text", None)
    if isinstance(text, str):  # ExactNumber: the number as written
        return ("n", text)
    return (type(value).__name__, repr(value))


def _go_toleration(at: Location, operator: str, value: str, effect: str) -> str:
    return (
        f'core.Toleration{{Key:"", Operator:{go_value(operator)}, Value:{go_value(value)}, '
        f"Effect:{go_value(effect)}, TolerationSeconds:(*int64)(nil)}}"
    )


_METADATA = Location("metadata", "metadata")
_SPEC = Location("spec", "spec")
_STATUS = Location("status", "status")


def read_scheduling(
    metadata: object,
    spec: object,
    status: object = None,
    *,
    metadata_at: Location = _METADATA,
    spec_at: Location = _SPEC,
    status_at: Location = _STATUS,
    source: str = "",
    namespace: str | None = None,
    options: Options | None = None,
    behaviour: Behaviour | None = None,
) -> tuple[SchedulingFields, tuple[Problem, ...], tuple[Problem, ...], tuple[Problem, ...]]:
    """The scheduling fields, and the ``shape``, ``invalid`` and ``notes`` problems (module docstring).

    ``namespace``, when given, overrides ``metadata.namespace`` (a template's pods get their
    owner's namespace). ``options`` is the release whose API server decides what is kept
    (``behaviour``, when given, is its :attr:`~quantities.options.Options.behaviour`, already looked up).
    """
    reader = SchedulingReader(source, options, behaviour)
    meta = reader.obj(metadata, metadata_at) or {}
    fields = reader.obj(spec, spec_at) or {}
    state = reader.obj(status, status_at) or {}
    identity = reader._object_meta(meta, metadata_at)
    reader.pod_labels = identity.labels
    node_name = reader._node_name(fields.get("nodeName"), spec_at.child("nodeName"))
    node_selector = reader.labels(fields.get("nodeSelector"), spec_at.child("nodeSelector"))
    tolerations = reader.tolerations(fields.get("tolerations"), spec_at.child("tolerations"))
    required_node_terms, affinity_terms, anti_affinity_terms = reader._affinity(
        fields.get("affinity"), spec_at.child("affinity")
    )
    spread = reader.spread_constraints(
        fields.get("topologySpreadConstraints"), spec_at.child("topologySpreadConstraints")
    )
    priority = reader.integer(fields.get("priority"), spec_at.child("priority"))
    preemption = reader._preemption_policy(fields.get("preemptionPolicy"), spec_at.child("preemptionPolicy"))
    host_network = reader.boolean(fields.get("hostNetwork"), spec_at.child("hostNetwork"))
    phase = reader.text(state.get("phase"), status_at.child("phase")) or ""

    result = SchedulingFields(
        name=identity.name,
        namespace=namespace if namespace is not None else (identity.namespace or "default"),
        labels=identity.labels,
        terminating=identity.terminating,
        creation_timestamp=identity.creation_timestamp,
        node_name=node_name,
        node_selector=node_selector,
        tolerations=tolerations,
        required_node_terms=required_node_terms,
        affinity_terms=affinity_terms,
        anti_affinity_terms=anti_affinity_terms,
        spread_constraints=spread,
        priority=priority or 0,
        preemption_policy=preemption or "PreemptLowerPriority",
        host_network=bool(host_network),
        phase=phase,
    )
    return result, tuple(reader.problems), tuple(reader.invalid), tuple(reader.notes)
