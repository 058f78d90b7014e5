"""The one table of Kubernetes kinds: where each keeps its pod, and how lists hold items.

What people hand over is a Pod, a bare PodSpec, an object with a pod template
(Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
CronJob, PodTemplate), a ``List`` of those (what ``kubectl get ... -o json``
prints), or several documents. Every reader of the package finds pods and list
items through this module, so a kind is added in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from quantities.manifest.problems import child, index

__all__ = ["POD_TEMPLATE_PATHS", "is_list", "is_list_object", "list_items", "located_items", "pod_spec"]

#: Where each kind keeps its ``PodSpec``.
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def is_list_object(obj: Mapping[Any, Any]) -> bool:
    """Shaped as a ``List`` (``kind: List``, ``PodList``..., or no kind, with an ``items`` key),
    whether or not its ``items`` is really an array: readers report the ones that are not.

    >>> is_list_object({"kind": "List", "items": {}}), is_list_object({"kind": "Pod", "items": []})
    (True, False)
    """
    kind = obj.get("kind")
    return "items" in obj and (kind is None or (isinstance(kind, str) and kind.endswith("List")))


def is_list(obj: Mapping[Any, Any]) -> bool:
    """A ``List`` object (``kind: List``, ``PodList``..., or no kind) with an ``items`` array.

    >>> is_list({"kind": "List", "items": []}), is_list({"items": []}), is_list({"kind": "Pod", "items": []})
    (True, True, False)
    """
    return is_list_object(obj) and isinstance(obj["items"], list)


def list_items(documents: Any) -> Iterator[Any]:
    """The objects of documents, lists flattened (nested lists too), in order.

    ``documents`` is one decoded document or a sequence of them.

    >>> [o["n"] for o in list_items([{"kind": "List", "items": [{"n": 1}, {"items": [{"n": 2}]}]}, {"n": 3}])]
    [1, 2, 3]
    """
    if isinstance(documents, Mapping):
        if is_list(documents):
            for item in documents["items"]:
                yield from list_items(item)
        else:
            yield documents
    elif isinstance(documents, list | tuple):
        for document in documents:
            yield from list_items(document)
    elif documents is not None:
        yield documents


def located_items(documents: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """:func:`list_items` with each object's JSON path (``items[1].items[0]``, ``[2]``).

    >>> documents = [{"kind": "List", "items": [{"n": 1}, {"items": [{"n": 2}]}]}, {"n": 3}]
    >>> [path for path, _ in located_items(documents)]
    ['[0].items[0]', '[0].items[1].items[0]', '[1]']
    """
    if isinstance(documents, Mapping):
        if is_list(documents):
            for position, item in enumerate(documents["items"]):
                yield from located_items(item, index(child(path, "items"), position))
        else:
            yield path, documents
    elif isinstance(documents, list | tuple):
        for position, document in enumerate(documents):
            yield from located_items(document, index(path, position))
    elif documents is not None:
        yield path, documents


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
