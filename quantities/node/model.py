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

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from quantities.node.selectors import Taint, parse_taint
from quantities.quantity.quantity import Quantity, parse_quantity

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
]

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"
HOSTNAME_LABEL = "kubernetes.io/hostname"
ZONE_LABEL = "topology.kubernetes.io/zone"

# apimachinery validation.IsQualifiedName: an optional DNS-subdomain prefix and "/", then a
# name of at most 63 characters, alphanumeric at both ends.
_QUALIFIED_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _is_qualified_name(value: str) -> bool:
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix):
            return False
    else:
        return False
    return 0 < len(name) <= 63 and _QUALIFIED_NAME.fullmatch(name) is not None


def is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _is_extended(name: str) -> bool:
    # v1helper.IsExtendedResourceName: qualified, outside the native (no "/" or kubernetes.io/) names.
    if "/" not in name or "kubernetes.io/" in name or name.startswith("requests."):
        return False
    return _is_qualified_name("requests." + name)


@functools.lru_cache(maxsize=1024)
def is_scalar_resource_name(name: str) -> bool:
    """schedutil.IsScalarResourceName: what NodeResourcesFit counts besides cpu, memory and storage.

    Extended resources, ``hugepages-*``, prefixed native resources
    (``kubernetes.io/...``) and ``attachable-volumes-*``; any other name
    (``storage``, an unknown bare word) is ignored by the scheduler.

    >>> is_scalar_resource_name("nvidia.com/gpu"), is_scalar_resource_name("storage")
    (True, False)
    """
    return (
        _is_extended(name)
        or is_hugepages(name)
        or "kubernetes.io/" in name
        or name.startswith("attachable-volumes-")
    )


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


def _resource_list(value: object, where: str) -> dict[str, Quantity]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected a mapping of resource names to quantities")
    return {str(name): parse_quantity(str(q)) for name, q in value.items()}


def parse_node(obj: Mapping[str, Any]) -> Node:
    """A Node object as ``kubectl get node -o json`` prints it.

    >>> node = parse_node({"kind": "Node", "metadata": {"name": "kind-control-plane"},
    ...     "status": {"allocatable": {"cpu": "10", "memory": "8029368Ki", "pods": "110"}}})
    >>> node.name, node.milli_cpu, node.memory
    ('kind-control-plane', 10000, 8222072832)
    """
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("Node without metadata.name")
    allocatable = _resource_list(status.get("allocatable"), f"node {name} status.allocatable")
    if not allocatable:
        allocatable = _resource_list(status.get("capacity"), f"node {name} status.capacity")
    taints = [parse_taint(t) for t in spec.get("taints") or []]
    return Node(
        name,
        allocatable,
        labels={str(k): str(v) for k, v in (metadata.get("labels") or {}).items()},
        taints=taints,
        unschedulable=bool(spec.get("unschedulable")),
    )
