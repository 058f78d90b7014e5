"""A pod's QoS class, as the API server writes it into ``status.qosClass``, and why.

Two answers, because two pieces of Kubernetes compute the class:

* :func:`qos_class` / :func:`explain_qos` answer the **cluster's** class (research
  note QC1): the API server of the chosen release (``kubernetes_version``, with its
  feature gates) stores the pod, drops what its gates drop, and computes
  ``status.qosClass`` once, at creation; the kubelet evicts and sets OOM scores by
  it, and every ``kubectl describe pod`` from 1.28 on prints that stored value. So
  for a pod created on a cluster of that release this is also what its kubectl
  prints.
* :func:`kubectl_qos_class` answers what a release's ``kubectl describe pod``
  prints for an object **as stored** (QC2): ``status.qosClass`` when set, else
  kubectl's own copy of ``ComputePodQOS``, on the object as it is (no defaulting),
  with no gate: up to 1.31 it ignores ``spec.resources``, from 1.32 any
  ``spec.resources`` (even ``{}``) decides. The two differ only for objects that
  a cluster of that release would not have stored that way.

The cluster's class is ported from ``pkg/apis/core/v1/helper/qos``
(``ComputePodQOS``), applied to the defaulted pod as the API server does at
creation:

* Only ``cpu`` and ``memory`` count; a missing quantity and a zero one are
  the same.
* A container is *Guaranteed* when its cpu request equals its cpu limit and
  its memory request equals its memory limit, all non-zero; *BestEffort* when
  it sets neither cpu nor memory at all; *Burstable* otherwise. Because a
  limit without a request sets the request, limits alone make it Guaranteed.
* The pod is Guaranteed when every container and init container (sidecars
  included) is, BestEffort when every one is, Burstable for any mixture.
  Ephemeral containers do not count.
* When pod-level ``spec.resources`` is present and kept (the
  ``PodLevelResources`` gate: off by default in 1.32 and 1.33, when the API
  server drops the field; on from 1.34), it alone decides, by the same rule;
  container resources are then ignored (even an empty ``resources: {}`` makes
  the pod BestEffort, up to 1.36).

The kubelet orders evictions and OOM scores by this class (:mod:`quantities.pod.oom`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from quantities.manifest.fields import FieldReader, json_type
from quantities.manifest.kinds import pod_spec
from quantities.manifest.problems import ManifestError, Problem, child, index
from quantities.options import Options, resolve_options
from quantities.pod.model import Container, Pod, Resources
from quantities.pod.read import PodLike, as_pod
from quantities.pod.resource_names import QOS_RESOURCES
from quantities.pod.validation import valid_pod
from quantities.quantity.quantity import Quantity
from quantities.versions import KubernetesVersion

__all__ = [
    "QOSClass",
    "QoSExplanation",
    "compute_qos",
    "explain_qos",
    "kubectl_qos_class",
    "qos_class",
    "resources_qos",
]


class QOSClass(enum.StrEnum):
    """The three QoS classes; each compares equal to its name (``QOSClass.GUARANTEED == "Guaranteed"``)."""

    GUARANTEED = "Guaranteed"
    BURSTABLE = "Burstable"
    BEST_EFFORT = "BestEffort"

    def __str__(self) -> str:
        return self.value


def resources_qos(resources: Resources) -> QOSClass:
    """``resourceQOS``: the class of one container's (or the pod-level) requests and limits."""
    if not resources.requests and not resources.limits:
        return QOSClass.BEST_EFFORT
    kinds = set()
    for name in QOS_RESOURCES:
        request, limit = resources.requests.get(name), resources.limits.get(name)
        request_set = request is not None and not request.is_zero()
        limit_set = limit is not None and not limit.is_zero()
        if request_set != limit_set or (request_set and request != limit):
            return QOSClass.BURSTABLE
        kinds.add(request_set)
    if len(kinds) > 1:
        return QOSClass.BURSTABLE
    return QOSClass.GUARANTEED if kinds == {True} else QOSClass.BEST_EFFORT


def compute_qos(pod: Pod) -> QOSClass:
    """``ComputePodQOS`` on a pod already defaulted (``status.qosClass`` is not consulted)."""
    if pod.resources is not None:
        return resources_qos(pod.resources)
    classes = {resources_qos(container.resources) for container in _counted(pod)}
    if not classes:
        return QOSClass.BEST_EFFORT
    if len(classes) > 1:
        return QOSClass.BURSTABLE
    return classes.pop()


def _checked(pod: PodLike, options: Options) -> Pod:
    """The pod as the release's API server stores it: ``spec.resources`` dropped without the
    ``PodLevelResources`` gate, defaulted, validated."""
    return valid_pod(pod, pod_level_resources=options.pod_level_resources)


def qos_class(
    pod: PodLike,
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> QOSClass:
    """The QoS class the API server of ``kubernetes_version`` gives this pod (``status.qosClass``).

    ``pod`` is stored as that release's API server stores it (``spec.resources`` is
    dropped without the ``PodLevelResources`` gate, off by default before 1.34),
    defaulted and validated first (see :func:`quantities.valid_pod`). kubectl
    describe pod prints this class for the stored pod.

    >>> qos_class({"spec": {"containers": [{"name": "app",
    ...     "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}})
    <QOSClass.GUARANTEED: 'Guaranteed'>
    >>> qos_class({"spec": {"containers": [{"name": "app",
    ...     "resources": {"requests": {"cpu": "1000m", "memory": "1024Mi"},
    ...                   "limits": {"cpu": "1", "memory": "1Gi"}}}]}}) == "Guaranteed"
    True
    >>> pod_level = {"spec": {"containers": [{"name": "app"}],
    ...     "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}}
    >>> [str(qos_class(pod_level, kubernetes_version=release)) for release in ("1.33", "1.34")]
    ['BestEffort', 'Guaranteed']
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    return compute_qos(_checked(pod, options))


@dataclass(frozen=True)
class QoSExplanation:
    """A QoS class with the reasons a person needs.

    ``reasons`` say why the pod has this class; ``to_guaranteed`` what to
    change to make it Guaranteed (empty when it is); ``notes`` what was
    ignored or changed on the way (ephemeral containers, other resources,
    requests defaulted from limits, a ``status.qosClass`` that disagrees).
    ``decided_by`` is ``"spec.resources"`` or ``"containers"``.
    """

    qos_class: QOSClass
    decided_by: str
    reasons: tuple[str, ...]
    to_guaranteed: tuple[str, ...]
    notes: tuple[str, ...] = ()
    #: The release whose API server computed the class (``"1.34"``).
    kubernetes_version: str = ""

    def to_json(self) -> dict[str, Any]:
        """The explanation as JSON: what ``kq qos -o json`` and ``POST /v1/pods/qos`` answer per pod.

        >>> explain_qos({"spec": {"containers": [{"name": "app"}]}}).to_json()["qos_class"]
        'BestEffort'
        """
        return {
            "kubernetes_version": self.kubernetes_version,
            "qos_class": str(self.qos_class),
            "decided_by": self.decided_by,
            "reasons": list(self.reasons),
            "to_guaranteed": list(self.to_guaranteed),
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        lines = [f"QoS class: {self.qos_class}"]
        lines.extend(f"  - {reason}" for reason in self.reasons)
        if self.to_guaranteed:
            lines.append("To make it Guaranteed:")
            lines.extend(f"  - {change}" for change in self.to_guaranteed)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  - {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass(frozen=True)
class _Verdict:
    qos_class: QOSClass
    label: str
    reasons: tuple[str, ...]
    fixes: tuple[str, ...]
    summary: str


def _judge(label: str, resources: Resources) -> _Verdict:
    """``resourceQOS`` with the reasons spelled out."""
    reasons: list[str] = []
    fixes: list[str] = []
    unset: list[str] = []
    equal: list[str] = []
    for name in QOS_RESOURCES:
        request = resources.requests.get(name)
        limit = resources.limits.get(name)
        request = None if request is None or request.is_zero() else request
        limit = None if limit is None or limit.is_zero() else limit
        if request is None and limit is None:
            unset.append(name)
        elif limit is None:
            reasons.append(f"{label} has no {name} limit (requests.{name} is {request})")
            fixes.append(f"set limits.{name} of {label} to {request}, equal to its request")
        elif request is None:
            reasons.append(f"{label}: requests.{name} is 0 but limits.{name} is {limit}")
            fixes.append(
                f"remove requests.{name} from {label} (a missing request defaults to the limit) "
                f"or set it to {limit}"
            )
        elif request != limit:
            reasons.append(f"{label}: requests.{name} {request} differs from limits.{name} {limit}")
            fixes.append(
                f"set requests.{name} and limits.{name} of {label} to the same value ({request} or {limit})"
            )
        else:
            equal.append(f"{name} {limit}")
    if reasons:
        return _Verdict(QOSClass.BURSTABLE, label, tuple(reasons), tuple(fixes), "")
    if len(unset) == len(QOS_RESOURCES):
        return _Verdict(
            QOSClass.BEST_EFFORT,
            label,
            (f"{label} sets no cpu or memory request or limit",),
            (f"set limits.cpu and limits.memory of {label} (the requests default to the limits)",),
            "",
        )
    if unset:
        (missing,) = unset
        return _Verdict(
            QOSClass.BURSTABLE,
            label,
            (f"{label} has no {missing} request or limit (it sets {equal[0]} as request and limit)",),
            (f"set limits.{missing} of {label} (its request defaults to the limit)",),
            "",
        )
    return _Verdict(
        QOSClass.GUARANTEED, label, (), (), f"{label}: requests = limits for {' and '.join(equal)}"
    )


def _notes(read: Pod, pod: Pod, computed: QOSClass) -> list[str]:
    notes: list[str] = []
    if pod.ephemeral_containers:
        notes.append("ephemeral containers do not count for the QoS class")
    units = [container.resources for container in _counted(pod)]
    if pod.resources is not None:
        units = [pod.resources]
    others = sorted(
        {name for resources in units for name in (*resources.requests, *resources.limits)}
        - set(QOS_RESOURCES)
    )
    if others:
        notes.append(f"only cpu and memory count for the QoS class, not {', '.join(others)}")
    zeros = any(
        quantity.is_zero()
        for resources in units
        for lists in (resources.requests, resources.limits)
        for name, quantity in lists.items()
        if name in QOS_RESOURCES
    )
    if zeros:
        notes.append("a cpu or memory quantity of 0 counts as not set")
    before = {container.path: container for container in _counted(read)}
    for container in _counted(pod):
        original = before[container.path]  # the same pod before defaulting: the same paths
        for name in QOS_RESOURCES:
            if name in container.resources.requests and name not in original.resources.requests:
                notes.append(
                    f"{container.label}: requests.{name} defaults to its limit "
                    f"{container.resources.requests[name]} (API server defaulting)"
                )
    if pod.status_qos_class and pod.status_qos_class != computed:
        notes.append(
            f"status.qosClass says {pod.status_qos_class}: the API server sets it once, at creation, "
            "and the kubelet trusts it; the spec as given computes differently"
        )
    return notes


def explain_qos(
    pod: PodLike,
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> QoSExplanation:
    """The QoS class (:func:`qos_class`) with the reasons for it and what would make the pod Guaranteed.

    >>> explanation = explain_qos({"spec": {"containers": [{"name": "app", "resources": {
    ...     "requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": "500m"}}}]}})
    >>> print(explanation)
    QoS class: Burstable
      - container "app": requests.cpu 250m differs from limits.cpu 500m
      - container "app" has no memory limit (requests.memory is 1Gi)
    To make it Guaranteed:
      - set requests.cpu and limits.cpu of container "app" to the same value (250m or 500m)
      - set limits.memory of container "app" to 1Gi, equal to its request
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    checked = _checked(pod, options)
    read = checked if isinstance(pod, Pod) and pod.defaulted else as_pod(pod)
    computed = compute_qos(checked)
    notes = _notes(read, checked, computed)
    if read.resources is not None and checked.resources is None:
        notes.insert(
            0,
            f"spec.resources is dropped: the API server of Kubernetes {options.version} keeps pod-level "
            "resources only with the PodLevelResources feature gate (off by default before 1.34), "
            "so the containers decide",
        )
    if checked.resources is not None:
        explanation = _explain_pod_level(checked.resources, computed, notes)
    else:
        explanation = _explain_containers(checked, computed, notes)
    return replace(explanation, kubernetes_version=str(options.version))


def _explain_pod_level(resources: Resources, computed: QOSClass, notes: list[str]) -> QoSExplanation:
    """Pod-level ``spec.resources`` alone decides."""
    verdict = _judge("spec.resources", resources)
    notes.insert(
        0,
        "spec.resources (pod-level resources) is set, so it alone decides; container resources are ignored",
    )
    if not resources:
        notes.insert(1, "an empty spec.resources still decides up to Kubernetes 1.36 (1.37 ignores it)")
    reasons = verdict.reasons or (verdict.summary,)
    return QoSExplanation(computed, "spec.resources", reasons, verdict.fixes, tuple(notes))


def _explain_containers(pod: Pod, computed: QOSClass, notes: list[str]) -> QoSExplanation:
    """The init and app containers decide together."""
    verdicts = [_judge(container.label, container.resources) for container in _counted(pod)]
    fixes = tuple(fix for verdict in verdicts for fix in verdict.fixes)
    if computed is QOSClass.GUARANTEED:
        reasons = (
            "every container sets cpu and memory requests equal to its limits",
            *(verdict.summary for verdict in verdicts),
        )
        return QoSExplanation(computed, "containers", reasons, (), tuple(notes))
    if computed is QOSClass.BEST_EFFORT:
        reasons = ("no container sets a cpu or memory request or limit",)
        return QoSExplanation(computed, "containers", reasons, fixes, tuple(notes))
    reasons_list = [reason for verdict in verdicts for reason in verdict.reasons]
    kinds = {verdict.qos_class for verdict in verdicts}
    if QOSClass.GUARANTEED in kinds and QOSClass.BEST_EFFORT in kinds:
        guaranteed = [verdict.label for verdict in verdicts if verdict.qos_class is QOSClass.GUARANTEED]
        reasons_list.append(
            f"{', '.join(guaranteed)} {'is' if len(guaranteed) == 1 else 'are'} Guaranteed on its own, "
            "but a pod is Guaranteed only when every container is, "
            "and BestEffort only when none sets cpu or memory"
        )
    return QoSExplanation(computed, "containers", tuple(reasons_list), fixes, tuple(notes))


def _counted(pod: Pod) -> tuple[Container, ...]:
    """The containers that count for the QoS class: init containers (sidecars too) and app containers."""
    return (*pod.init_containers, *pod.containers)


# ---------------------------------------------------------------------------
# kubectl's own copy (k8s.io/kubectl/pkg/util/qos), on the object as stored.

_KUBECTL_DECODE = 'Pod in version "v1" cannot be handled as a Pod: '


class _KubectlSums:
    """``ComputePodQOS`` of kubectl: sums of the positive cpu and memory requests and limits."""

    def __init__(self, reader: FieldReader) -> None:
        self.reader = reader
        self.requests: dict[str, Quantity] = {}
        self.limits: dict[str, Quantity] = {}
        self.guaranteed = True

    def _positive(self, value: object, path: str) -> dict[str, Quantity]:
        """``processResourceList``/``getQOSResources``: the cpu and memory quantities above zero."""
        found: dict[str, Quantity] = {}
        for name, raw in (self.reader.mapping(value, path) or {}).items():
            if not isinstance(name, str):
                self.reader.fail(path, f"resource names are strings, got {json_type(name)}")
                continue
            quantity = self.reader.quantity(raw, path, name)  # kubectl decodes every entry
            if quantity is not None and name in QOS_RESOURCES and quantity.sign() > 0:
                found[name] = quantity
        return found

    def add(self, resources: Mapping[str, Any], path: str, limits_required: bool) -> None:
        requests = self._positive(resources.get("requests"), child(path, "requests"))
        limits = self._positive(resources.get("limits"), child(path, "limits"))
        for total, more in ((self.requests, requests), (self.limits, limits)):
            for name, quantity in more.items():
                total[name] = quantity + total[name] if name in total else quantity
        if limits_required and not set(QOS_RESOURCES) <= set(limits):
            self.guaranteed = False

    def verdict(self) -> QOSClass:
        if not self.requests and not self.limits:
            return QOSClass.BEST_EFFORT
        guaranteed = self.guaranteed and all(
            name in self.limits and self.limits[name] == request for name, request in self.requests.items()
        )
        if guaranteed and len(self.requests) == len(self.limits):
            return QOSClass.GUARANTEED
        return QOSClass.BURSTABLE


def kubectl_qos_class(
    pod: Mapping[str, Any],
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> str:
    """The "QoS Class:" line of ``kubectl describe pod`` of ``kubernetes_version`` for ``pod`` as stored.

    kubectl prints ``status.qosClass`` when it is set (every release we model), else its
    own ``ComputePodQOS`` on the object as it is, without defaulting or gates
    (research note QC2): containers and init containers up to 1.31; from 1.32 a
    ``spec.resources`` that is present (even ``{}``) decides alone, with missing pod-level
    limits not counting against Guaranteed. A field of the wrong type or a quantity kubectl
    cannot decode raises :class:`~quantities.manifest.problems.ManifestError`.

    >>> limits = {"limits": {"cpu": "1", "memory": "1Gi"}}
    >>> pod = {"spec": {"containers": [{"name": "app", "resources": limits}]}}
    >>> kubectl_qos_class(pod, kubernetes_version="1.30")  # not defaulted: no requests
    <QOSClass.BURSTABLE: 'Burstable'>
    >>> kubectl_qos_class({**pod, "status": {"qosClass": "Guaranteed"}}, kubernetes_version="1.30")
    'Guaranteed'
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    if not isinstance(pod, Mapping):
        raise ManifestError([Problem("", f"expected a Pod object, got {json_type(pod)}")])
    reader = FieldReader("Pod", _KUBECTL_DECODE)
    status = reader.mapping(pod.get("status"), "status") or {}
    printed = reader.string(status.get("qosClass"), "status.qosClass")
    spec = pod_spec(pod)
    sums = _KubectlSums(reader)
    pod_level = spec.get("resources")
    if options.behaviour.kubectl_pod_level_qos and pod_level is not None:
        # A nil spec.resources.limits does not count against Guaranteed (kubectl v0.32 qos.go).
        resources = reader.mapping(pod_level, "spec.resources") or {}
        sums.add(resources, "spec.resources", resources.get("limits") is not None)
    else:
        for field in ("containers", "initContainers"):
            for position, item in enumerate(reader.array(spec.get(field), f"spec.{field}")):
                path = index(f"spec.{field}", position)
                container = reader.mapping(item, path) or {}
                resources = reader.mapping(container.get("resources"), child(path, "resources")) or {}
                sums.add(resources, child(path, "resources"), True)
    if reader.problems:
        raise ManifestError(reader.problems)
    if printed and options.behaviour.kubectl_prints_status_qos:
        return printed
    return sums.verdict()
