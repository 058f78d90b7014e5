"""kubectl's own sums of a pod's requests and limits, release by release (``kubectl describe node``).

kubectl does not call the cluster's resource helpers: up to 1.35 it keeps its own
copy, ``PodRequestsAndLimits`` in ``k8s.io/kubectl/pkg/util/resource`` (research
note D5), and reads no feature gates. What that copy counts changed with in-place
resize (D1-D6; checked against the release tags of kubectl and component-helpers and
against the kubectl binaries 1.27-1.33):

=========  ==============================================================================
release    a running container counts (``Behaviour.kubectl_status_resources``)
=========  ==============================================================================
<= 1.28    its spec; sidecars are plain init containers (``"none"``)
1.29-1.31  with a ``containerStatuses`` entry: ``max(spec, allocatedResources)``, a tie
           keeping the status copy; ``allocatedResources`` alone while ``status.resize``
           is ``Infeasible``, nothing when that is absent (``"allocated"``)
1.32       with ``containerStatuses[].resources`` set: ``max(spec, resources.requests)``,
           a tie keeping the status copy; the status alone while Infeasible (``"actual"``)
1.33-1.35  with ``resources`` set, sidecars too (``initContainerStatuses``):
           ``max(spec, resources.requests, allocatedResources)``, a tie keeping the spec;
           ``max(resources.requests, allocatedResources)`` while the ``PodResizePending``
           condition says ``Infeasible`` (``"max3"``)
1.36       component-helpers' ``PodRequests``/``PodLimits``: as 1.33 for requests, limits
           from the status too, pod-level ``spec.resources`` honoured; the "Allocated
           resources" totals do not read the status at all (``"component-helpers"``, D6)
=========  ==============================================================================

kubectl reads the objects as they are: no defaulting (``500u`` stays ``500u``, a limit
does not fill a missing request), no validation, no gate.

kubectl 1.33-1.35 crash on one shape (``panic: assignment to entry in nil map``,
kubernetes#136533, fixed in 1.36 by component-helpers' nil-safe ``max``): a container
whose first ``max`` operand is absent (no ``resources.requests`` in its spec, or in
its status while Infeasible) while a later one has entries. :attr:`KubectlPodResources.crash`
says so; the figures are then those kubectl would print without the crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quantities.manifest.fields import FieldReader, json_type
from quantities.manifest.kinds import pod_spec
from quantities.manifest.problems import ManifestError, Problem, child, index
from quantities.pod.model import Container, Pod
from quantities.pod.read import read_pod
from quantities.pod.resource_names import is_supported_pod_level
from quantities.quantity.quantity import Quantity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.versions import Behaviour

__all__ = ["KubectlPodResources", "PodStatusView", "kubectl_pod_resources", "read_status"]

_Lists = dict[str, Quantity]
_INFEASIBLE = "Infeasible"
_DECODE = 'Pod in version "v1" cannot be handled as a Pod: '
_CRASH = (
    "kubectl {release} crashes on this pod (panic: assignment to entry in nil map, kubernetes#136533, "
    "fixed in 1.36): {where} has no resources.requests while its status has values to compare; the "
    "figures are what kubectl would print without the crash"
)


@dataclass(frozen=True, slots=True)
class ContainerStatusView:
    """What kubectl reads of one ``containerStatuses[]`` entry; None is Go's nil (absent or null)."""

    path: str
    #: ``resources`` is set (kubectl 1.32+ reads nothing of a status without it).
    has_resources: bool
    requests: _Lists | None
    limits: _Lists | None
    allocated: _Lists | None


@dataclass(frozen=True, slots=True)
class PodStatusView:
    """The resize-related part of ``status``: what kubectl's sums read of it."""

    #: ``status.resize`` (1.29-1.32 read ``Infeasible`` there).
    resize: str
    #: The reason of the first ``PodResizePending`` condition (1.33+), None without one.
    resize_pending_reason: str | None
    containers: Mapping[str, ContainerStatusView]
    init_containers: Mapping[str, ContainerStatusView]

    def statuses(self, with_init: bool) -> Mapping[str, ContainerStatusView]:
        """By container name, the last entry winning as in Go's map; with ``with_init`` (1.33+) the
        ``initContainerStatuses`` entries are added over the ``containerStatuses`` ones."""
        if not with_init or not self.init_containers:
            return self.containers
        return {**self.containers, **self.init_containers}


_NO_STATUS = PodStatusView("", None, {}, {})


class _StatusReader(FieldReader):
    def resource_list(self, value: object, path: str) -> _Lists | None:
        entries = self.mapping(value, path)
        if entries is None:
            return None
        items: _Lists = {}
        for name, raw in entries.items():
            if not isinstance(name, str):
                self.fail(path, f"resource names are strings, got {json_type(name)}")
                continue
            quantity = self.quantity(raw, path, name)
            if quantity is not None:
                items[name] = quantity
        return items

    def container_status(self, value: object, path: str) -> tuple[str, ContainerStatusView] | None:
        fields = self.mapping(value, path)
        if fields is None:
            return None
        name = self.string(fields.get("name"), child(path, "name")) or ""
        resources_path = child(path, "resources")
        resources = self.mapping(fields.get("resources"), resources_path)
        requests = limits = None
        if resources is not None:
            requests = self.resource_list(resources.get("requests"), child(resources_path, "requests"))
            limits = self.resource_list(resources.get("limits"), child(resources_path, "limits"))
        allocated = self.resource_list(fields.get("allocatedResources"), child(path, "allocatedResources"))
        return name, ContainerStatusView(path, resources is not None, requests, limits, allocated)

    def statuses(self, value: object, path: str) -> dict[str, ContainerStatusView]:
        by_name: dict[str, ContainerStatusView] = {}
        for position, item in enumerate(self.array(value, path)):
            read = self.container_status(item, index(path, position))
            if read is not None:
                by_name[read[0]] = read[1]
        return by_name

    def pending_reason(self, value: object, path: str) -> str | None:
        for position, item in enumerate(self.array(value, path)):
            condition = self.mapping(item, index(path, position)) or {}
            kind = self.string(condition.get("type"), child(index(path, position), "type"))
            if kind == "PodResizePending":
                return self.string(condition.get("reason"), child(index(path, position), "reason")) or ""
        return None


def read_status(pod: Mapping[str, Any], label: str = "Pod") -> PodStatusView:
    """The resize-related fields of ``pod["status"]``; a field of the wrong type or a quantity kubectl
    could not decode raises :class:`~quantities.manifest.problems.ManifestError` with its path."""
    status = pod.get("status")
    if status is None:
        return _NO_STATUS
    reader = _StatusReader(label, _DECODE)
    fields = reader.mapping(status, "status")
    if fields is None:
        raise ManifestError(reader.problems)
    view = PodStatusView(
        reader.string(fields.get("resize"), "status.resize") or "",
        reader.pending_reason(fields.get("conditions"), "status.conditions"),
        reader.statuses(fields.get("containerStatuses"), "status.containerStatuses"),
        reader.statuses(fields.get("initContainerStatuses"), "status.initContainerStatuses"),
    )
    if reader.problems:
        raise ManifestError(reader.problems)
    return view


@dataclass(frozen=True, slots=True)
class KubectlPodResources:
    """One pod as kubectl's describe node sums it: its row, and what it adds to the totals."""

    requests: _Lists
    limits: _Lists
    #: What the pod adds to "Allocated resources"; the row's figures except on 1.36 (D6).
    total_requests: _Lists
    total_limits: _Lists
    #: kubectl 1.33-1.35 panic on this pod (see the module); None otherwise.
    crash: Problem | None = None


# --- Go's resource-list helpers, as kubectl's copies write them ----------------------------


def _add(total: _Lists, more: Mapping[str, Quantity]) -> None:
    """``addResourceList``: ``Quantity.Add`` keeps the first addend's format."""
    for name, quantity in more.items():
        total[name] = total[name] + quantity if name in total else quantity


def _raise(total: _Lists, more: Mapping[str, Quantity] | None) -> None:
    """``maxResourceList``: only a strictly larger value replaces, so a tie keeps what is there."""
    for name, quantity in (more or {}).items():
        if name not in total or quantity > total[name]:
            total[name] = quantity


def _max_tie_right(a: Mapping[str, Quantity], b: Mapping[str, Quantity] | None) -> _Lists:
    """kubectl 1.29-1.32's ``max(a, b)``: ``value.Cmp(other) <= 0`` takes ``b``'s copy, so a tie
    prints as the status wrote it (``1073741824`` for a spec ``1Gi``)."""
    other = b or {}
    result = {
        name: other[name] if name in other and value <= other[name] else value for name, value in a.items()
    }
    for name, value in other.items():
        result.setdefault(name, value)
    return result


def _max_first(a: Mapping[str, Quantity] | None, *others: Mapping[str, Quantity] | None) -> _Lists:
    """kubectl 1.33+'s ``max(a, b...)``: a copy of ``a`` raised by each of ``others``."""
    result = dict(a or {})
    for other in others:
        _raise(result, other)
    return result


def _panics(first: Mapping[str, Quantity] | None, *others: Mapping[str, Quantity] | None) -> bool:
    """kubectl 1.33-1.35's ``max``: ``a.DeepCopy()`` of a nil ``a`` is nil, and ``maxResourceList``
    assigns into it as soon as a later operand has an entry."""
    return first is None and any(others)


# --- one container -----------------------------------------------------------------------


def _spec_requests(raw: Mapping[str, Any], container: Container) -> _Lists | None:
    """The spec requests, None when the manifest has none (Go's nil map) rather than ``{}``."""
    resources = raw.get("resources")
    requests = resources.get("requests") if isinstance(resources, Mapping) else None
    return dict(container.resources.requests) if isinstance(requests, Mapping) else None


@dataclass(slots=True)
class _Summer:
    """kubectl's ``podRequests``/``podLimits`` of one release over one pod."""

    mode: str
    status: PodStatusView
    use_status: bool
    release: str
    #: 1.29-1.32's ``max(a, b)`` takes ``b`` on a tie (``Behaviour.kubectl_tie_keeps_status``).
    tie_keeps_status: bool
    crash: Problem | None = None
    label: str = "Pod"

    def requests(self, raw: Mapping[str, Any], container: Container) -> _Lists:
        spec = _spec_requests(raw, container)
        if not self.use_status or self.mode == "none":
            return dict(spec or {})
        if self.mode in ("allocated", "actual"):
            if container.is_sidecar:  # 1.29-1.32 read no initContainerStatuses
                return dict(spec or {})
            entry = self.status.containers.get(container.name)
            if entry is None:
                return dict(spec or {})
            infeasible = self.status.resize == _INFEASIBLE
            if self.mode == "allocated":
                # D2: no nil check, so Infeasible without allocatedResources counts nothing.
                return dict(entry.allocated or {}) if infeasible else self.pair(spec, entry.allocated)
            if not entry.has_resources:
                return dict(spec or {})
            return dict(entry.requests or {}) if infeasible else self.pair(spec, entry.requests)
        entry = self.status.statuses(with_init=True).get(container.name)
        if entry is None or not entry.has_resources:
            return dict(spec or {})
        infeasible = self.status.resize_pending_reason == _INFEASIBLE
        first: _Lists | None
        others: tuple[_Lists | None, ...]
        if infeasible:
            first, others = entry.requests, (entry.allocated,)
        else:
            first, others = spec, (entry.requests, entry.allocated)
        if self.mode == "max3" and self.crash is None and _panics(first, *others):
            missing = child(entry.path, "resources") if infeasible else child(container.path, "resources")
            where = f"{container.label} ({'its status while Infeasible' if infeasible else 'its spec'})"
            message = _CRASH.format(release=self.release, where=where)
            self.crash = Problem(child(missing, "requests"), message, None, self.label)
        return _max_first(first, *others)

    def pair(self, spec: _Lists | None, status: _Lists | None) -> _Lists:
        if self.tie_keeps_status:
            return _max_tie_right(spec or {}, status)
        return _max_first(spec, status)

    def limits(self, container: Container) -> _Lists:
        spec = dict(container.resources.limits)
        if not self.use_status or self.mode != "component-helpers":
            return spec
        entry = self.status.statuses(with_init=True).get(container.name)
        if entry is None or not entry.has_resources:
            return spec
        if self.status.resize_pending_reason == _INFEASIBLE:  # determineEffectiveLimits
            return dict(entry.limits or {})
        return _max_first(spec, entry.limits)


def _aggregate(pod: Pod, raw: Mapping[str, Any], summer: _Summer, sidecars: bool) -> tuple[_Lists, _Lists]:
    """The sidecar formula (1.29+), or 1.28's plain maximum over init containers."""
    spec = pod_spec(raw)
    raw_containers = _raw_list(spec.get("containers"))
    raw_inits = _raw_list(spec.get("initContainers"))
    requests: _Lists = {}
    limits: _Lists = {}
    for position, container in enumerate(pod.containers):
        _add(requests, summer.requests(_raw_at(raw_containers, position), container))
        _add(limits, summer.limits(container))
    if not sidecars:
        for container in pod.init_containers:
            _raise(requests, container.resources.requests)
            _raise(limits, container.resources.limits)
        return requests, limits
    sidecar_requests: _Lists = {}
    sidecar_limits: _Lists = {}
    init_requests: _Lists = {}
    init_limits: _Lists = {}
    for position, container in enumerate(pod.init_containers):
        if container.is_sidecar:
            own_requests = summer.requests(_raw_at(raw_inits, position), container)
            own_limits = summer.limits(container)
            _add(requests, own_requests)
            _add(limits, own_limits)
            _add(sidecar_requests, own_requests)
            _add(sidecar_limits, own_limits)
            use_requests, use_limits = dict(sidecar_requests), dict(sidecar_limits)
        else:
            use_requests = dict(container.resources.requests)
            _add(use_requests, sidecar_requests)
            use_limits = dict(container.resources.limits)
            _add(use_limits, sidecar_limits)
        _raise(init_requests, use_requests)
        _raise(init_limits, use_limits)
    _raise(requests, init_requests)
    _raise(limits, init_limits)
    return requests, limits


def _raw_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _raw_at(items: list[Any], position: int) -> Mapping[str, Any]:
    item = items[position] if position < len(items) else None
    return item if isinstance(item, Mapping) else {}


def _pod_level(pod: Pod, requests: _Lists, limits: _Lists) -> None:
    """component-helpers' pod-level step (kubectl 1.36): ``spec.resources`` replaces the containers'
    cpu, memory and hugepages (``IsPodLevelRequestsSet`` / ``IsPodLevelResourcesSet``)."""
    if pod.resources is None:
        return
    if any(map(is_supported_pod_level, pod.resources.requests)):
        requests.update((k, v) for k, v in pod.resources.requests.items() if is_supported_pod_level(k))
    if any(map(is_supported_pod_level, (*pod.resources.requests, *pod.resources.limits))):
        limits.update((k, v) for k, v in pod.resources.limits.items() if is_supported_pod_level(k))


def _overhead(pod: Pod, requests: _Lists, limits: _Lists) -> None:
    """Overhead adds to every request and to each limit that is set and not zero."""
    if pod.overhead is None:
        return
    _add(requests, pod.overhead)
    for name, quantity in pod.overhead.items():
        if name in limits and not limits[name].is_zero():
            limits[name] = limits[name] + quantity


def kubectl_pod_resources(
    raw: Mapping[str, Any], behaviour: Behaviour, pod: Pod | None = None, label: str = "Pod"
) -> KubectlPodResources:
    """The pod's requests and limits as ``kubectl describe node`` of ``behaviour``'s release sums them.

    ``raw`` is the pod object as the API server serves it; ``pod`` the same pod already
    read (:func:`~quantities.pod.read.read_pod`), to save reading it twice. Wrong JSON
    types and undecodable quantities raise :class:`~quantities.manifest.problems.ManifestError`.
    """
    if pod is None:
        pod = read_pod(raw)
    mode = behaviour.kubectl_status_resources
    # Every release decodes the status fields (kubectl fails on a bad quantity there), 1.28 reads none.
    status = read_status(raw, label)
    release = behaviour.version.release
    tie = behaviour.kubectl_tie_keeps_status
    rows = _Summer(mode, status, True, release, tie, label=label)
    requests, limits = _aggregate(pod, raw, rows, behaviour.kubectl_sidecars)
    if behaviour.kubectl_describe_pod_level:
        _pod_level(pod, requests, limits)
    _overhead(pod, requests, limits)
    if mode != "component-helpers" or not any(e.has_resources for e in status.statuses(True).values()):
        return KubectlPodResources(requests, limits, requests, limits, rows.crash)
    # D6: getPodsTotalRequestsAndLimits calls PodRequests/PodLimits without UseStatusResources.
    totals = _Summer(mode, status, False, release, tie, label=label)
    total_requests, total_limits = _aggregate(pod, raw, totals, True)
    _pod_level(pod, total_requests, total_limits)
    _overhead(pod, total_requests, total_limits)
    return KubectlPodResources(requests, limits, total_requests, total_limits, None)
