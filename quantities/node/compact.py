"""Nodes (and the pods on them) in the compact form people and spreadsheets write.

* :func:`compact_node`: name, allocatable cpu, memory, pods, optional labels and
  taints, and other resources as keywords;
* :func:`node_from_compact`: the same from a mapping (a JSON/YAML object or a CSV row);
* :func:`node_from_fields` and :func:`allocation_from_fields`: one node (and its pods)
  written on one line each, as spreadsheet URL parameters carry them.

>>> node = compact_node("n1", cpu="4", memory="16Gi", pods=110, labels="zone=a", taints="gpu=true:NoSchedule")
>>> node.milli_cpu, node.memory, node.allowed_pods, node.labels["zone"], str(node.taints[0])
(4000, 17179869184, 110, 'a', 'gpu=true:NoSchedule')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from quantities.node.allocated import NodeAllocation, node_allocated
from quantities.node.model import CPU, HOSTNAME_LABEL, MEMORY, PODS, Node
from quantities.node.selectors import Taint, parse_taint
from quantities.pod.workloads import compact_workload
from quantities.quantity.quantity import Quantity, parse_quantity

__all__ = [
    "NODE_FIELDS",
    "POD_FIELDS",
    "allocation_from_fields",
    "compact_node",
    "node_from_compact",
    "node_from_fields",
]

#: Keys of the compact form that are not resources.
_COMPACT_FIELDS = frozenset({"name", "labels", "taints", "unschedulable", "kind"})


def _parse_labels(value: object) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, str):
        labels = {}
        for item in value.replace(";", ",").split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, label_value = item.partition("=")
            if not sep or not key:
                raise ValueError(f"invalid label {item!r}: expected key=value")
            labels[key.strip()] = label_value.strip()
        return labels
    raise ValueError(f"invalid labels {value!r}: expected a mapping or 'key=value,...'")


def _parse_taints(value: object) -> list[Taint]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [parse_taint(item) for item in value.replace(";", ",").split(",") if item.strip()]
    if isinstance(value, Iterable):
        return [item if isinstance(item, Taint) else parse_taint(item) for item in value]
    raise ValueError(f"invalid taints {value!r}")


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y")
    return bool(value)


def compact_node(
    name: str,
    cpu: str | int | None = None,
    memory: str | int | None = None,
    pods: str | int | None = 110,
    labels: Mapping[str, str] | str | None = None,
    taints: Iterable[Taint | str | Mapping[str, Any]] | str | None = None,
    unschedulable: bool | str = False,
    **resources: str | int | None,
) -> Node:
    """A node from the compact form: name, allocatable cpu, memory, pods, optional labels and taints.

    Labels are a mapping or ``key=value,key=value``; taints a list or
    ``key=value:Effect,...``. Further keyword arguments are other allocatable
    resources (``ephemeral_storage="100Gi"``, or ``**{"nvidia.com/gpu": 4}``).
    Like the kubelet, the node gets the ``kubernetes.io/hostname`` label.
    """
    allocatable: dict[str, Quantity] = {}
    named: dict[str, str | int | None] = {CPU: cpu, MEMORY: memory, PODS: pods}
    for key, value in resources.items():
        named[key.replace("_", "-") if key == "ephemeral_storage" else key] = value
    for resource, value in named.items():
        if value is None or value == "":
            continue
        allocatable[resource] = parse_quantity(str(value).strip())
    node_labels = {HOSTNAME_LABEL: name}
    node_labels.update(_parse_labels(labels))
    taint_list = _parse_taints(taints)
    return Node(
        name, allocatable, labels=node_labels, taints=taint_list, unschedulable=_truthy(unschedulable)
    )


def node_from_compact(row: Mapping[str, Any]) -> Node:
    """A compact node from a mapping (a JSON/YAML object or a CSV row).

    >>> node_from_compact({"name": "n1", "cpu": "2", "memory": "4Gi", "pods": "20"}).milli_cpu
    2000
    """
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"compact node without a name: {dict(row)!r}")
    resources: dict[str, str | int | None] = {}
    for key, value in row.items():
        if key in _COMPACT_FIELDS or key is None:
            continue
        if isinstance(value, Mapping) and key == "allocatable":
            resources.update({str(k): v for k, v in value.items()})
            continue
        resources[str(key).strip()] = value
    pods = resources.pop(PODS, 110)
    return compact_node(
        name.strip(),
        cpu=resources.pop(CPU, None),
        memory=resources.pop(MEMORY, None),
        pods=pods if pods not in (None, "") else 110,
        labels=row.get("labels"),
        taints=row.get("taints"),
        unschedulable=row.get("unschedulable") or False,
        **resources,
    )


#: The positions of a node written on one line (a spreadsheet URL parameter).
NODE_FIELDS = ("name", "cpu", "memory", "pods", "labels", "taints")


def node_from_fields(text: str) -> Node:
    """A compact node written ``name,cpu,memory,pods[,labels[,taints]]``.

    Labels and taints inside the line are separated by ``;``.

    >>> node = node_from_fields("n1,4,16Gi,110,zone=a")
    >>> node.name, node.milli_cpu, node.labels["zone"]
    ('n1', 4000, 'a')
    """
    values = [value.strip() for value in text.split(",")]
    if len(values) > len(NODE_FIELDS):
        raise ValueError(f"a node is {','.join(NODE_FIELDS)}; got {len(values)} fields in {text!r}")
    row: dict[str, Any] = dict(zip(NODE_FIELDS, values, strict=False))
    for key in ("labels", "taints"):
        if key in row:
            row[key] = row[key].replace(";", ",")
    return node_from_compact(row)


#: The positions of a pod written on one line (a spreadsheet URL parameter).
POD_FIELDS = ("name", "cpu", "memory", "cpu_limit", "memory_limit")


def allocation_from_fields(node_text: str, pod_texts: Iterable[str]) -> NodeAllocation:
    """:func:`node_allocated` for a node and its pods written on one line each.

    The node is ``name,cpu,memory,pods``, each pod ``name,cpu,memory[,cpu_limit[,memory_limit]]``.

    >>> allocation = allocation_from_fields("n1,4,8Gi,110", ["web,500m,1Gi", "db,1,2Gi,2,2Gi"])
    >>> [(row.resource, row.to_json()["requests"], row.requests_percent) for row in allocation.resources[:2]]
    [('cpu', '1500m', 37), ('memory', '3Gi', 37)]
    """
    node = node_from_fields(node_text)
    pods = []
    for text in pod_texts:
        values = [value.strip() for value in text.split(",")]
        if len(values) > len(POD_FIELDS):
            raise ValueError(f"a pod is {','.join(POD_FIELDS)}; got {len(values)} fields in {text!r}")
        pod = dict(compact_workload(dict(zip(POD_FIELDS, values, strict=False))).pod)
        pod["spec"] = {**pod["spec"], "nodeName": node.name}
        pod["status"] = {"phase": "Running"}
        pods.append(pod)
    return node_allocated(node, pods)
