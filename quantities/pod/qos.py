"""A pod's QoS class, as the API server writes it into ``status.qosClass``, and why.

Ported from ``pkg/apis/core/v1/helper/qos`` (``ComputePodQOS``, v1.34 with
``PodLevelResources`` on), applied to the defaulted pod as the API server does
at creation:

* Only ``cpu`` and ``memory`` count; a missing quantity and a zero one are
  the same.
* A container is *Guaranteed* when its cpu request equals its cpu limit and
  its memory request equals its memory limit, all non-zero; *BestEffort* when
  it sets neither cpu nor memory at all; *Burstable* otherwise. Because a
  limit without a request sets the request, limits alone make it Guaranteed.
* The pod is Guaranteed when every container and init container (sidecars
  included) is, BestEffort when every one is, Burstable for any mixture.
  Ephemeral containers do not count.
* When pod-level ``spec.resources`` is present, it alone decides, by the
  same rule; container resources are then ignored (even an empty
  ``resources: {}`` makes the pod BestEffort in v1.34).

``kubectl describe pod`` prints the same class (its ``QoS Class:`` line), and
the kubelet orders evictions and OOM scores by it (:mod:`quantities.pod.oom`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from quantities.pod.model import Container, Pod, Resources
from quantities.pod.read import PodLike, as_pod
from quantities.pod.resource_names import QOS_RESOURCES
from quantities.pod.validation import valid_pod

__all__ = ["QOSClass", "QoSExplanation", "compute_qos", "explain_qos", "qos_class", "resources_qos"]


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


def qos_class(pod: PodLike) -> QOSClass:
    """The QoS class the API server gives this pod (``status.qosClass``).

    ``pod`` is defaulted and validated first (see :func:`quantities.valid_pod`).

    >>> qos_class({"spec": {"containers": [{"name": "app",
    ...     "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}})
    <QOSClass.GUARANTEED: 'Guaranteed'>
    >>> qos_class({"spec": {"containers": [{"name": "app",
    ...     "resources": {"requests": {"cpu": "1000m", "memory": "1024Mi"},
    ...                   "limits": {"cpu": "1", "memory": "1Gi"}}}]}}) == "Guaranteed"
    True
    """
    return compute_qos(valid_pod(pod))


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

    def to_json(self) -> dict[str, Any]:
        """The explanation as JSON: what ``kq qos -o json`` and ``POST /v1/pods/qos`` answer per pod.

        >>> explain_qos({"spec": {"containers": [{"name": "app"}]}}).to_json()["qos_class"]
        'BestEffort'
        """
        return {
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


def explain_qos(pod: PodLike) -> QoSExplanation:
    """The QoS class with the reasons for it and what would make the pod Guaranteed.

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
    checked = valid_pod(pod)
    read = checked if isinstance(pod, Pod) and pod.defaulted else as_pod(pod)
    computed = compute_qos(checked)
    notes = _notes(read, checked, computed)
    if checked.resources is not None:
        return _explain_pod_level(checked.resources, computed, notes)
    return _explain_containers(checked, computed, notes)


def _explain_pod_level(resources: Resources, computed: QOSClass, notes: list[str]) -> QoSExplanation:
    """Pod-level ``spec.resources`` alone decides."""
    verdict = _judge("spec.resources", resources)
    notes.insert(
        0,
        "spec.resources (pod-level resources) is set, so it alone decides; container resources are ignored",
    )
    if not resources:
        notes.insert(
            1, "an empty spec.resources still decides in Kubernetes v1.34 (newer releases ignore it)"
        )
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
