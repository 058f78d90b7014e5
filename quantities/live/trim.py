"""Keep only the fields the computations read: a cluster's objects, small enough for 150,000 pods.

A Pod as the API server returns it carries ``managedFields``, annotations such as
``kubectl.kubernetes.io/last-applied-configuration``, images, commands, environment,
probes, volumes and a status with one entry per condition and container state: several
kilobytes, most of it never read by the scheduler's filters, ``kubectl describe node``'s
sums or the capacity features. :func:`trim` keeps what they read (the fields
:mod:`quantities.pod.read`, :mod:`quantities.pod.scheduling`,
:mod:`quantities.scheduler.framework.podinfo` and :mod:`quantities.node.model` look at)
and drops the rest, so a trimmed pod is a few hundred bytes of JSON.

A trimmed object is also *stable*: it holds no ``resourceVersion``, no heartbeat times and
no conditions other than those read, so an update that changes nothing the computations
read (a readiness probe flipping, a node's heartbeat) leaves it byte for byte the same and
does not make a new snapshot generation.

Each trimmed object has ``kind`` and ``apiVersion`` (a list's items lack them), so a list
of them is what ``kubectl get nodes,pods -A -o json`` would print, minus the fields dropped.

>>> pod = {"metadata": {"name": "web", "namespace": "default", "managedFields": [{}],
...        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}"}},
...        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx",
...        "resources": {"requests": {"cpu": "1"}}}]}, "status": {"phase": "Running"}}
>>> trim("Pod", pod)  # doctest: +NORMALIZE_WHITESPACE
{'kind': 'Pod', 'apiVersion': 'v1', 'metadata': {'name': 'web', 'namespace': 'default'},
 'spec': {'nodeName': 'n1', 'containers': [{'name': 'c', 'resources': {'requests': {'cpu': '1'}}}]},
 'status': {'phase': 'Running'}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["API_VERSIONS", "KINDS", "object_key", "trim"]

#: The kinds a live cluster source keeps, in the order a snapshot lists them, with their apiVersion.
API_VERSIONS: dict[str, str] = {
    "Node": "v1",
    "Pod": "v1",
    "ResourceQuota": "v1",
    "LimitRange": "v1",
    "DaemonSet": "apps/v1",
}
KINDS = tuple(API_VERSIONS)

# The kubelet reads these two annotations (quantities.pod.oom: static and mirror pods); no other
# annotation is read by any computation.
_ANNOTATIONS = frozenset({"kubernetes.io/config.source", "kubernetes.io/config.mirror"})
# In-place resize reports itself in these conditions (podinfo reads their type and reason).
_RESIZE_CONDITIONS = frozenset({"PodResizePending", "PodResizeInProgress"})


def _pick(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The ``fields`` of ``obj`` that are present (not null), in that order; {} when obj is no object."""
    if not isinstance(obj, Mapping):
        return {}
    return {name: obj[name] for name in fields if obj.get(name) is not None}


def _each(value: object, keep: Callable[[object], object]) -> object:
    """``keep`` applied to every entry of an array; any other JSON value as it is (the readers report it)."""
    if isinstance(value, list):
        return [keep(entry) for entry in value]
    return value


def _with(target: dict[str, Any], name: str, value: object) -> None:
    if value is not None and value != {}:
        target[name] = value


def _metadata(metadata: object, *, namespaced: bool = True, labels: bool = True) -> dict[str, Any]:
    fields: tuple[str, ...] = ("name", "generateName", "namespace") if namespaced else ("name",)
    if labels:
        fields += ("labels",)
    kept = _pick(metadata, (*fields, "creationTimestamp", "deletionTimestamp"))
    if isinstance(metadata, Mapping):
        annotations = metadata.get("annotations")
        if isinstance(annotations, Mapping):
            _with(kept, "annotations", {k: v for k, v in annotations.items() if k in _ANNOTATIONS})
        elif annotations is not None:
            kept["annotations"] = annotations  # of the wrong type: the reader says so
        owners = metadata.get("ownerReferences")
        if owners is not None:
            kept["ownerReferences"] = _each(owners, lambda o: _pick(o, ("kind", "name", "controller")))
    return kept


def _container(container: object) -> object:
    if not isinstance(container, Mapping):
        return container
    return _pick(container, ("name", "resources", "restartPolicy"))


def _container_status(status: object) -> object:
    if not isinstance(status, Mapping):
        return status
    return _pick(status, ("name", "allocatedResources", "resources"))


def _pod_spec(spec: object) -> object:
    if not isinstance(spec, Mapping):
        return spec
    kept = _pick(
        spec,
        (
            "nodeName", "schedulerName", "priority", "priorityClassName", "preemptionPolicy",
            "nodeSelector", "affinity", "tolerations", "topologySpreadConstraints", "overhead",
            "resources", "hostNetwork", "restartPolicy", "activeDeadlineSeconds",
        ),
    )  # fmt: skip
    for name in ("initContainers", "containers", "ephemeralContainers"):
        if spec.get(name) is not None:
            kept[name] = _each(spec[name], _container)
    return kept


def _pod_status(status: object) -> object:
    if not isinstance(status, Mapping):
        return status
    kept = _pick(status, ("phase", "qosClass", "resize", "nominatedNodeName"))
    conditions = status.get("conditions")
    if isinstance(conditions, list):
        resize = [
            _pick(c, ("type", "status", "reason"))
            for c in conditions
            if isinstance(c, Mapping) and c.get("type") in _RESIZE_CONDITIONS
        ]
        _with(kept, "conditions", resize or None)
    for name in ("initContainerStatuses", "containerStatuses"):
        if status.get(name) is not None:
            kept[name] = _each(status[name], _container_status)
    return kept


def _pod(obj: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"metadata": _metadata(obj.get("metadata"))}
    _with(kept, "spec", _pod_spec(obj.get("spec")))
    _with(kept, "status", _pod_status(obj.get("status")))
    return kept


def _node(obj: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"metadata": _metadata(obj.get("metadata"), namespaced=False)}
    _with(kept, "spec", _pick(obj.get("spec"), ("taints", "unschedulable")))
    status = obj.get("status")
    node_status = _pick(status, ("capacity", "allocatable"))
    if isinstance(status, Mapping) and isinstance(status.get("conditions"), list):
        # Type and status only: the times change with every heartbeat.
        conditions = [_pick(c, ("type", "status")) for c in status["conditions"] if isinstance(c, Mapping)]
        _with(node_status, "conditions", conditions or None)
    _with(kept, "status", node_status)
    return kept


def _daemonset(obj: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"metadata": _metadata(obj.get("metadata"))}
    spec = obj.get("spec")
    if isinstance(spec, Mapping):
        trimmed: dict[str, Any] = _pick(spec, ("selector",))
        template = spec.get("template")
        if isinstance(template, Mapping):
            trimmed["template"] = {
                "metadata": _metadata(template.get("metadata"), namespaced=False),
                "spec": _pod_spec(template.get("spec")),
            }
            if not trimmed["template"]["metadata"]:
                del trimmed["template"]["metadata"]
        _with(kept, "spec", trimmed)
    status = _pick(
        obj.get("status"), ("desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled")
    )
    _with(kept, "status", status)
    return kept


def _whole_spec(obj: Mapping[str, Any]) -> dict[str, Any]:
    # ResourceQuota (spec.hard, scopes, scopeSelector; status.hard, used) and LimitRange (spec.limits):
    # small objects, every field of their spec and status read.
    kept: dict[str, Any] = {
        "metadata": _pick(obj.get("metadata"), ("name", "namespace", "creationTimestamp"))
    }
    _with(kept, "spec", obj.get("spec"))
    _with(kept, "status", obj.get("status"))
    return kept


_TRIMMERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "Node": _node,
    "Pod": _pod,
    "ResourceQuota": _whole_spec,
    "LimitRange": _whole_spec,
    "DaemonSet": _daemonset,
}


def trim(kind: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` (a ``kind`` as the API server returns it) with only the fields computations read.

    The result is new data (nothing of ``obj`` is modified), led by ``kind`` and ``apiVersion``.
    """
    body = _TRIMMERS[kind](obj)
    return {"kind": kind, "apiVersion": API_VERSIONS[kind], **body}


def object_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    """``(namespace, name)``: where the API server keeps an object, and the order it lists them in."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return "", ""
    namespace, name = metadata.get("namespace"), metadata.get("name")
    return (namespace if isinstance(namespace, str) else "", name if isinstance(name, str) else "")
