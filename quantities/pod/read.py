"""Kubernetes manifests in, pods out.

What people have is a Pod, a bare PodSpec, or an object that carries a pod
template: Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job, CronJob, PodTemplate; a ``List`` of those (what
``kubectl get ... -o json`` prints); multi-document YAML. This module reads
all of them:

* text becomes plain data in :mod:`quantities.manifest.decode`, and fields
  are read with :mod:`quantities.manifest.fields`;
* :func:`pods_in` finds every pod spec in an object, with its JSON path;
  :func:`read_pod` expects exactly one; :func:`load_pods` does both for text.

Unknown fields are ignored, as the API server ignores them. A known field of
the wrong type is a :class:`~quantities.manifest.problems.Problem` naming its JSON path
(``spec.template.spec.containers[1].resources.limits.memory``); so is a string
that is not a quantity, with the :class:`~quantities.QuantityError` message.
Reading never stops at the first problem.

Objects of other kinds (Service, ConfigMap...) hold no pod and are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeAlias

from quantities.manifest.decode import load_documents
from quantities.manifest.fields import FieldReader, json_type
from quantities.manifest.kinds import POD_TEMPLATE_PATHS, is_list
from quantities.manifest.problems import ManifestError, Problem, child, index, key
from quantities.pod.model import (
    EMPTY,
    NO_STATUS,
    Container,
    ContainerKind,
    ContainerStatus,
    Pod,
    PodStatus,
    ResourceList,
    Resources,
)
from quantities.quantity.quantity import Quantity

__all__ = ["PodLike", "as_pod", "load_pods", "pods_in", "read_pod"]

#: A pod as callers hand it over: a parsed :class:`Pod`, or a mapping as
#: ``json.load`` / ``yaml.safe_load`` return it.
PodLike: TypeAlias = "Pod | Mapping[str, Any]"


class _Reader(FieldReader):
    """A pod's fields: resource lists, containers, annotations."""

    def resource_list(self, value: object, path: str) -> ResourceList | None:
        entries = self.mapping(value, path)
        if entries is None:
            return None
        items: dict[str, Quantity] = {}
        for name, raw in entries.items():
            if not isinstance(name, str):
                self.fail(path, f"resource names are strings, got {json_type(name)}")
                continue
            quantity = self.quantity(raw, path, name)
            if quantity is not None:
                items[name] = quantity
        return ResourceList(items)

    def resources(self, value: object, path: str) -> Resources | None:
        fields = self.mapping(value, path)
        if fields is None:
            return None
        requests = self.resource_list(fields.get("requests"), child(path, "requests"))
        limits = self.resource_list(fields.get("limits"), child(path, "limits"))
        return Resources(requests or EMPTY, limits or EMPTY)

    def container(self, value: object, path: str, kind: ContainerKind) -> Container:
        fields = self.mapping(value, path) or {}
        name = self.string(fields.get("name"), child(path, "name")) or ""
        restart_policy = self.string(fields.get("restartPolicy"), child(path, "restartPolicy"))
        resources = self.resources(fields.get("resources"), child(path, "resources"))
        return Container(name, resources or Resources(), kind, restart_policy, path)

    def containers(self, value: object, path: str, kind: ContainerKind) -> tuple[Container, ...]:
        items = self.array(value, path)
        return tuple(self.container(item, index(path, i), kind) for i, item in enumerate(items))

    def container_statuses(self, value: object, path: str) -> tuple[ContainerStatus, ...]:
        """``containerStatuses`` / ``initContainerStatuses``: name, ``allocatedResources``, ``resources``."""
        statuses = []
        for position, item in enumerate(self.array(value, path)):
            at = index(path, position)
            fields = self.mapping(item, at) or {}
            name = self.string(fields.get("name"), child(at, "name")) or ""
            allocated = self.resource_list(fields.get("allocatedResources"), child(at, "allocatedResources"))
            resources = self.resources(fields.get("resources"), child(at, "resources"))
            statuses.append(ContainerStatus(name, allocated, resources, at))
        return tuple(statuses)

    def resize_pending(self, value: object, path: str) -> str | None:
        """The ``reason`` of the first ``PodResizePending`` condition (``IsPodResizeInfeasible`` reads
        only the first), None when there is none."""
        found: str | None = None
        for position, item in enumerate(self.array(value, path)):
            at = index(path, position)
            fields = self.mapping(item, at) or {}
            kind = self.string(fields.get("type"), child(at, "type"))
            reason = self.string(fields.get("reason"), child(at, "reason"))
            if kind == "PodResizePending" and found is None:
                found = reason or ""
        return found

    def annotations(self, value: object, path: str) -> dict[str, str]:
        entries = self.mapping(value, path) or {}
        result: dict[str, str] = {}
        for name, text in entries.items():
            if isinstance(name, str) and isinstance(text, str):
                result[name] = text
            else:
                self.fail(key(path, str(name)), f"expected a string, got {json_type(text)}")
        return result


def _walk(reader: _Reader, value: object, segments: Sequence[str], path: str) -> tuple[object, str]:
    """Follow ``segments`` from ``value``; a missing step gives None, a wrong type is recorded."""
    for segment in segments:
        fields = reader.mapping(value, path)
        path = child(path, segment)
        value = fields.get(segment) if fields is not None else None
    return value, path


def _locate(obj: Mapping[Any, Any]) -> tuple[str, tuple[str, ...]] | None:
    """``(kind, path of the PodSpec)`` for an object that holds a pod, else None."""
    kind = obj.get("kind")
    if isinstance(kind, str) and kind:
        segments = POD_TEMPLATE_PATHS.get(kind)
        return (kind, segments) if segments is not None else None
    # No kind: recognise the shape.
    if "containers" in obj:
        return ("PodSpec", ())
    spec = obj.get("spec")
    if isinstance(spec, Mapping):
        if "containers" in spec:
            return ("Pod", ("spec",))
        if "template" in spec:
            return ("object", ("spec", "template", "spec"))
        if "jobTemplate" in spec:
            return ("CronJob", POD_TEMPLATE_PATHS["CronJob"])
    if isinstance(obj.get("template"), Mapping):
        return ("PodTemplate", ("template", "spec"))
    return None


def _read(
    obj: Mapping[Any, Any], kind: str, segments: tuple[str, ...], prefix: str, document: int | None
) -> Pod:
    """The pod whose ``PodSpec`` is at ``segments`` in ``obj`` (``prefix`` is the path of ``obj``)."""
    name, namespace = _name_and_namespace(obj)
    version = obj.get("apiVersion")
    version = version.rsplit("/", 1)[-1] if isinstance(version, str) and version else "v1"
    decode_prefix = f'{kind} in version "{version}" cannot be handled as a {kind}: '
    label = Pod(kind=kind, name=name, document=document).label
    reader = _Reader(label, decode_prefix if kind in POD_TEMPLATE_PATHS else "")

    spec_value, path = _walk(reader, obj, segments, prefix)
    spec = reader.mapping(spec_value, path) or {}
    # Read in this order so that problems are listed in it: metadata, status, then the spec.
    annotations = _annotations(reader, obj, segments, prefix)
    status_qos_class = _status_qos_class(reader, obj, segments, prefix)
    status = _resize_status(reader, obj, segments, prefix)
    return Pod(
        containers=reader.containers(
            spec.get("containers"), child(path, "containers"), ContainerKind.CONTAINER
        ),
        init_containers=reader.containers(
            spec.get("initContainers"), child(path, "initContainers"), ContainerKind.INIT
        ),
        ephemeral_containers=reader.containers(
            spec.get("ephemeralContainers"), child(path, "ephemeralContainers"), ContainerKind.EPHEMERAL
        ),
        overhead=reader.resource_list(spec.get("overhead"), child(path, "overhead")),
        resources=reader.resources(spec.get("resources"), child(path, "resources")),
        priority=reader.int32(spec.get("priority"), child(path, "priority")),
        priority_class_name=reader.string(spec.get("priorityClassName"), child(path, "priorityClassName"))
        or "",
        annotations=annotations,
        status_qos_class=status_qos_class,
        status=status,
        kind=kind,
        name=name,
        namespace=namespace,
        document=document,
        path=path,
        object_path=".".join(segments),
        problems=tuple(reader.problems),
        replicas=_replicas(obj, kind),
    )


#: The kinds whose ``spec.replicas`` counts copies of the pod template (defaulted to 1).
_REPLICATED_KINDS = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})


def _replicas(obj: Mapping[Any, Any], kind: str) -> int | None:
    """How many copies of the pod the object asks for, where it says (None: not a replicated kind, or
    a ``spec.replicas`` that is not a whole number, which the workload readers report)."""
    if kind not in _REPLICATED_KINDS:
        return None
    spec = obj.get("spec")
    replicas = spec.get("replicas") if isinstance(spec, Mapping) else None
    if replicas is None:
        return 1
    return replicas if type(replicas) is int and replicas >= 0 else None


def _name_and_namespace(obj: Mapping[Any, Any]) -> tuple[str, str]:
    """``metadata.name`` and ``metadata.namespace`` of the object, ``""`` when absent or not strings."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return "", ""
    name, namespace = metadata.get("name"), metadata.get("namespace")
    return (name if isinstance(name, str) else ""), (namespace if isinstance(namespace, str) else "")


def _annotations(
    reader: _Reader, obj: Mapping[Any, Any], segments: tuple[str, ...], prefix: str
) -> dict[str, str]:
    """The pod's own annotations: the object's for a Pod, the template's otherwise (none for a PodSpec)."""
    if not segments:
        return {}
    meta_value, meta_path = _walk(reader, obj, (*segments[:-1], "metadata"), prefix)
    pod_meta = reader.mapping(meta_value, meta_path) or {}
    return reader.annotations(pod_meta.get("annotations"), child(meta_path, "annotations"))


def _status_qos_class(reader: _Reader, obj: Mapping[Any, Any], segments: tuple[str, ...], prefix: str) -> str:
    """``status.qosClass`` of a Pod (a template has no status)."""
    if segments != ("spec",):
        return ""
    status = reader.mapping(obj.get("status"), child(prefix, "status")) or {}
    return reader.string(status.get("qosClass"), child(child(prefix, "status"), "qosClass")) or ""


_RESIZE_FIELDS = (
    "containerStatuses",
    "initContainerStatuses",
    "resize",
    "conditions",
    "resources",
    "allocatedResources",
)


def _resize_status(
    reader: _Reader, obj: Mapping[Any, Any], segments: tuple[str, ...], prefix: str
) -> PodStatus:
    """What a Pod's ``status`` says of in-place resize (a template has no status)."""
    if segments != ("spec",):
        return NO_STATUS
    raw = obj.get("status")
    if not isinstance(raw, Mapping) or not any(name in raw for name in _RESIZE_FIELDS):
        return NO_STATUS
    path = child(prefix, "status")
    return PodStatus(
        container_statuses=reader.container_statuses(
            raw.get("containerStatuses"), child(path, "containerStatuses")
        ),
        init_container_statuses=reader.container_statuses(
            raw.get("initContainerStatuses"), child(path, "initContainerStatuses")
        ),
        resize=reader.string(raw.get("resize"), child(path, "resize")) or "",
        resize_pending=reader.resize_pending(raw.get("conditions"), child(path, "conditions")),
        resources=reader.resources(raw.get("resources"), child(path, "resources")),
        allocated=reader.resource_list(raw.get("allocatedResources"), child(path, "allocatedResources")),
    )


def pods_in(obj: object, *, document: int | None = None) -> list[Pod]:
    """Every pod spec in a Kubernetes object (a ``List`` is searched item by item).

    Each :class:`~quantities.pod.model.Pod` carries the problems found while reading
    it; kinds that hold no pod (Service, ConfigMap...) give nothing. Raises
    :class:`~quantities.manifest.problems.ManifestError` when ``obj`` is not an object.

    >>> [pod.name for pod in pods_in({"kind": "List", "items": [
    ...     {"kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": []}},
    ...     {"kind": "Service", "metadata": {"name": "b"}}]})]
    ['a']
    """
    structural: list[Problem] = []
    pods: list[Pod] = []
    _collect(obj, "", document, pods, structural)
    if structural:
        raise ManifestError(structural)
    return pods


def _collect(
    obj: object, prefix: str, document: int | None, pods: list[Pod], problems: list[Problem]
) -> None:
    if not isinstance(obj, Mapping):
        problems.append(Problem(prefix, f"expected a Kubernetes object, got {json_type(obj)}"))
        return
    kind = obj.get("kind")
    if kind is not None and not isinstance(kind, str):
        problems.append(Problem(child(prefix, "kind"), f"expected a string, got {json_type(kind)}"))
        return
    if is_list(obj):
        for position, item in enumerate(obj["items"]):
            _collect(item, index(child(prefix, "items"), position), document, pods, problems)
        return
    located = _locate(obj)
    if located is not None:
        pods.append(_read(obj, located[0], located[1], prefix, document))


def read_pod(obj: object, *, strict: bool = True) -> Pod:
    """The one pod held by ``obj`` (a Pod, PodSpec, workload, or a :class:`Pod` already read).

    With ``strict`` (the default), problems found while reading raise
    :class:`~quantities.manifest.problems.ManifestError` listing all of them; otherwise
    they stay in ``pod.problems``.

    >>> pod = read_pod({"kind": "Deployment", "metadata": {"name": "web"},
    ...                 "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}})
    >>> pod.kind, pod.name, pod.path, pod.containers[0].name
    ('Deployment', 'web', 'spec.template.spec', 'app')
    """
    if isinstance(obj, Pod):
        pod = obj
    else:
        pods = pods_in(obj)
        if len(pods) != 1:
            kind = obj.get("kind") if isinstance(obj, Mapping) else None
            if not pods:
                what = f"a {kind}" if isinstance(kind, str) and kind else "this object"
                message = (
                    f"{what} holds no pod: expected a Pod, a PodSpec or an object with a pod template "
                    f"({', '.join(sorted(set(POD_TEMPLATE_PATHS) - {'Pod'}))})"
                )
            else:
                message = f"found {len(pods)} pods; pass one object, or use pods_in() for all of them"
            raise ManifestError([Problem("", message)])
        pod = pods[0]
    if strict and pod.problems:
        raise ManifestError(pod.problems)
    return pod


def as_pod(pod: PodLike) -> Pod:
    """``read_pod(pod, strict=False)``: a :class:`Pod` that may still carry reading problems."""
    return read_pod(pod, strict=False)


def load_pods(text: str) -> list[Pod]:
    """Every pod in JSON or YAML text (several documents, ``List`` objects), in order.

    Each pod's ``document`` is its index in the stream when there are several;
    its reading problems stay in ``pod.problems``. Documents that are not
    objects raise :class:`~quantities.manifest.problems.ManifestError` (all of them).
    """
    documents = load_documents(text)
    numbered = len(documents) > 1
    pods: list[Pod] = []
    problems: list[Problem] = []
    for number, document in enumerate(documents):
        try:
            pods.extend(pods_in(document, document=number if numbered else None))
        except ManifestError as error:
            where = f"document {number + 1}" if numbered else ""
            problems.extend(replace(problem, source=where) for problem in error.problems)
    if problems:
        raise ManifestError(problems)
    return pods
