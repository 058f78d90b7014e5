"""Nodes: what the scheduler and ``kubectl describe node`` read from a Node object.

A :class:`Node` holds the node's name, labels, taints, ``spec.unschedulable``
and its allocatable resources, as Kubernetes reads them:

* allocatable is ``status.allocatable``, or ``status.capacity`` when
  allocatable is empty (kubectl describe does exactly this; the scheduler reads
  allocatable only, which the kubelet always fills);
* the scheduler's integer view (``framework.NewResource``): cpu in
  thousandths (``MilliValue()``), memory, ephemeral-storage and scalar
  resources in whole units (``Value()``), ``pods`` as the pod-count limit.

Nodes come from ``kubectl get nodes -o json|yaml`` (:func:`parse_node`) or
from a compact form for people and spreadsheets (:mod:`quantities.node.compact`).

>>> from quantities.node.compact import compact_node
>>> node = compact_node("n1", cpu="4", memory="16Gi", pods=110, labels="zone=a", taints="gpu=true:NoSchedule")
>>> node.milli_cpu, node.memory, node.allowed_pods, node.labels["zone"], str(node.taints[0])
(4000, 17179869184, 110, 'a', 'gpu=true:NoSchedule')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from quantities.manifest.fields import json_text, json_type
from quantities.manifest.names import label_value_errors
from quantities.manifest.problems import ManifestError, Problem
from quantities.node.selectors import Taint
from quantities.pod.resource_names import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    PODS,
    is_hugepages,
    is_scalar_resource_name,
)
from quantities.pod.scheduling import TAINT_EFFECTS, Location, SchedulingReader
from quantities.quantity.quantity import Quantity

__all__ = [
    "CPU",
    "EPHEMERAL_STORAGE",
    "HOSTNAME_LABEL",
    "MEMORY",
    "PODS",
    "ZONE_LABEL",
    "Node",
    "is_hugepages",
    "is_scalar_resource_name",
    "parse_node",
    "read_node",
]

HOSTNAME_LABEL = "kubernetes.io/hostname"
ZONE_LABEL = "topology.kubernetes.io/zone"


class Node:
    """A node as the scheduler sees it (immutable once built)."""

    __slots__ = (
        "allocatable",
        "allowed_pods",
        "ephemeral_storage",
        "labels",
        "memory",
        "milli_cpu",
        "name",
        "scalars",
        "taints",
        "unschedulable",
        "warnings",
    )

    name: str
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    unschedulable: bool
    allocatable: Mapping[str, Quantity]
    milli_cpu: int
    memory: int
    ephemeral_storage: int
    allowed_pods: int
    scalars: Mapping[str, int]
    #: What is odd about the Node object it was read from (see :func:`read_node`).
    warnings: tuple[Problem, ...]

    def __init__(
        self,
        name: str,
        allocatable: Mapping[str, Quantity],
        labels: Mapping[str, str] | None = None,
        taints: Iterable[Taint] = (),
        unschedulable: bool = False,
    ) -> None:
        self.name = name
        self.labels = dict(labels or {})
        self.taints = tuple(taints)
        self.unschedulable = unschedulable
        self.warnings = ()
        for resource, quantity in allocatable.items():
            if quantity.sign() < 0:
                # The API server's ValidateResourceQuantityValue for a node's status.
                raise ValueError(
                    f"node {name}: allocatable {resource} {quantity} must be greater than or equal to 0"
                )
        self.allocatable = dict(allocatable)
        cpu = self.allocatable.get(CPU)
        memory = self.allocatable.get(MEMORY)
        ephemeral = self.allocatable.get(EPHEMERAL_STORAGE)
        pods = self.allocatable.get(PODS)
        self.milli_cpu = _int64(cpu, milli=True)
        self.memory = _int64(memory)
        self.ephemeral_storage = _int64(ephemeral)
        self.allowed_pods = _int64(pods)
        self.scalars = {
            resource: _int64(quantity)
            for resource, quantity in self.allocatable.items()
            if is_scalar_resource_name(resource)
        }

    def __repr__(self) -> str:
        resources = ", ".join(f"{k}={v}" for k, v in self.allocatable.items())
        return f"Node({self.name!r}, {resources})"

    def to_json(self) -> dict[str, Any]:
        """The compact form as a JSON-ready dict."""
        return {
            "name": self.name,
            "allocatable": {resource: str(q) for resource, q in self.allocatable.items()},
            "labels": dict(self.labels),
            "taints": [taint.to_json() for taint in self.taints],
            "unschedulable": self.unschedulable,
        }


def _int64(quantity: Quantity | None, milli: bool = False) -> int:
    """The scheduler's int64 view of an allocatable amount (``Value``/``MilliValue``), saturated."""
    if quantity is None:
        return 0
    return quantity.int64_milli_value() if milli else quantity.int64_value()


class _NodeReader(SchedulingReader):
    def resources(self, value: object, where: Location) -> dict[str, Quantity]:
        result: dict[str, Quantity] = {}
        for name, raw in self.entries(value, where, "resource names that are strings"):
            quantity = self.quantity(raw, where.json, name)
            if quantity is None:
                continue
            if quantity.sign() < 0:
                # ValidateResourceQuantityValue on a node's status: the Node constructor refuses it too.
                self.problems.append(
                    Problem(
                        where.key(name).json,
                        f"{name} {quantity} is negative",
                        f'{where.key(name).k8s}: Invalid value: "{quantity}": '
                        "must be greater than or equal to 0",
                        self.source,
                        f'"{quantity}"',
                    )
                )
                continue
            result[name] = quantity
        return result

    def taints(self, value: object, where: Location) -> list[Taint]:
        """``validateNodeTaints``: a qualified key, a label value, an effect; unique by key and effect."""
        result: list[Taint] = []
        seen: set[tuple[str, str]] = set()
        for at, fields in self.objects(value, where):
            taint_key = self.text(fields.get("key"), at.child("key")) or ""
            taint_value = self.text(fields.get("value"), at.child("value")) or ""
            effect = self.text(fields.get("effect"), at.child("effect"))
            if fields.get("effect") in (None, ""):
                self.required(at.child("effect"), "", "a taint needs an effect: " + ", ".join(TAINT_EFFECTS))
            elif effect is not None and effect not in TAINT_EFFECTS:
                self.unsupported(at.child("effect"), effect, TAINT_EFFECTS)
            self.label_name(taint_key, at.child("key"))
            errors = label_value_errors(taint_value)
            if errors:
                self.invalid_value(at.child("value"), taint_value, ";".join(errors))
            if (taint_key, effect or "") in seen:
                self.refuse(
                    at,
                    f"a second taint {taint_key} with effect {effect}",
                    f"{at.k8s}: Duplicate value: taints must be unique by key and effect pair",
                )
            seen.add((taint_key, effect or ""))
            result.append(Taint(taint_key, taint_value, effect or ""))
        return result


def read_node(obj: object, *, path: str = "", source: str | None = None) -> Node:
    """A Node object as ``kubectl get node -o json`` prints it, with its oddities in ``node.warnings``.

    A field of the wrong JSON type, a quantity that does not parse, a missing
    name or a negative amount raise :class:`~quantities.manifest.problems.ManifestError`
    listing every problem with its path (``items[3].spec.taints[0].effect``);
    what only the API server's validation refuses (a taint effect it does not
    know, a label value with a space) becomes a warning, as such a Node may
    have been stored under older rules: the scheduler ignores a taint whose
    effect is neither NoSchedule nor NoExecute.
    """
    root = Location(path, "")
    label = source
    if label is None:
        metadata = obj.get("metadata") if isinstance(obj, Mapping) else None
        name = metadata.get("name") if isinstance(metadata, Mapping) else None
        label = f'Node "{name}"' if isinstance(name, str) and name else "Node"
    reader = _NodeReader(label)
    if not isinstance(obj, Mapping):
        reader.shape(root, "a Node object", obj)
        raise ManifestError(reader.problems)
    fields = obj
    kind = fields.get("kind")
    if kind is not None and kind != "Node":
        shown = f"a {kind}" if isinstance(kind, str) else f"kind {json_text(kind) or json_type(kind)}"
        message = f"expected a Node, got {shown}"
        raise ManifestError([Problem(root.child("kind").json, message, value=json_text(kind), source=label)])
    metadata_at, spec_at, status_at = root.child("metadata"), root.child("spec"), root.child("status")
    metadata = reader.obj(fields.get("metadata"), metadata_at) or {}
    spec = reader.obj(fields.get("spec"), spec_at) or {}
    status = reader.obj(fields.get("status"), status_at) or {}
    name = reader.text(metadata.get("name"), metadata_at.child("name")) or ""
    if metadata.get("name") in (None, ""):
        reader.problems.append(
            Problem(
                metadata_at.child("name").json,
                "a Node needs a name (metadata.name)",
                "metadata.name: Required value: name or generateName is required",
                label,
            )
        )
    labels = reader.labels(metadata.get("labels"), metadata_at.child("labels"))
    taints = reader.taints(spec.get("taints"), spec_at.child("taints"))
    unschedulable = reader.boolean(spec.get("unschedulable"), spec_at.child("unschedulable"))
    allocatable = reader.resources(status.get("allocatable"), status_at.child("allocatable"))
    capacity = reader.resources(status.get("capacity"), status_at.child("capacity"))
    if reader.problems:
        raise ManifestError(reader.problems)
    node = Node(
        name, allocatable or capacity, labels=labels, taints=taints, unschedulable=bool(unschedulable)
    )
    node.warnings = tuple(reader.invalid)
    return node


def parse_node(obj: Mapping[str, Any], *, path: str = "") -> Node:
    """A Node object as ``kubectl get node -o json`` prints it (:func:`read_node`).

    >>> node = parse_node({"kind": "Node", "metadata": {"name": "kind-control-plane"},
    ...     "status": {"allocatable": {"cpu": "10", "memory": "8029368Ki", "pods": "110"}}})
    >>> node.name, node.milli_cpu, node.memory
    ('kind-control-plane', 10000, 8222072832)
    """
    return read_node(obj, path=path)
