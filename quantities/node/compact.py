"""Nodes (and the pods on them) in the compact form people and spreadsheets write.

The rows are read, strictly and with every problem located, by
:mod:`quantities.manifest.compact`; this module builds nodes from them:

* :func:`compact_node`: name, allocatable cpu, memory, pods, optional labels and
  taints, and other resources as keywords;
* :func:`node_from_compact`: the same from a mapping (a JSON/YAML object or a CSV row);
* :func:`node_from_fields` and :func:`allocation_from_fields`: one node (and its pods)
  written on one line each, as spreadsheet URL parameters carry them;
* :func:`plan_table`: the workloads and nodes of one CSV table (``kind=Node`` rows are nodes).

A node needs ``name``, ``cpu`` and ``memory``; ``pods`` defaults to 110 (the
kubelet's default ``--max-pods``).

>>> node = compact_node("n1", cpu="4", memory="16Gi", pods=110, labels="zone=a", taints="gpu=true:NoSchedule")
>>> node.milli_cpu, node.memory, node.allowed_pods, node.labels["zone"], str(node.taints[0])
(4000, 17179869184, 110, 'a', 'gpu=true:NoSchedule')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from quantities.manifest.compact import (
    NODE_FIELDS,
    POD_FIELDS,
    NodeRow,
    read_node,
    read_node_fields,
    read_pod_fields,
)
from quantities.manifest.problems import ManifestError, Problem, index
from quantities.node.allocated import NodeAllocation, node_allocated
from quantities.node.model import HOSTNAME_LABEL, Node
from quantities.node.selectors import Taint
from quantities.options import Options
from quantities.pod.workloads import Workload, compact_workload, workload_from_row

T = TypeVar("T")

__all__ = [
    "NODE_FIELDS",
    "POD_FIELDS",
    "allocation_from_fields",
    "compact_node",
    "node_from_compact",
    "node_from_fields",
    "node_from_row",
    "plan_table",
]


def node_from_row(row: NodeRow) -> Node:
    """The node of a checked compact row; like the kubelet, it gets the ``kubernetes.io/hostname`` label."""
    labels = {HOSTNAME_LABEL: row.name, **dict(row.labels)}
    taints = [Taint(taint.key, taint.value, taint.effect) for taint in row.taints]
    return Node(row.name, row.allocatable(), labels=labels, taints=taints, unschedulable=row.unschedulable)


def _taint_value(taint: Taint | str | Mapping[str, Any]) -> str | Mapping[str, Any]:
    return taint.to_json() if isinstance(taint, Taint) else taint


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

    ``cpu`` and ``memory`` are required (a ManifestError names each one missing).
    Labels are a mapping or ``key=value;key=value``; taints a list or
    ``key=value:Effect;...``. Further keyword arguments are other allocatable
    resources (``ephemeral_storage="100Gi"``, or ``**{"nvidia.com/gpu": 4}``).
    """
    row: dict[str, Any] = {"name": name, "cpu": cpu, "memory": memory, "pods": pods, "labels": labels}
    if taints is not None and not isinstance(taints, str):
        row["taints"] = [_taint_value(taint) for taint in taints]
    else:
        row["taints"] = taints
    row["unschedulable"] = unschedulable
    row.update(resources)
    return node_from_row(read_node(row))


def node_from_compact(row: Mapping[str, Any], path: str = "") -> Node:
    """A compact node from a mapping (a JSON/YAML object or a CSV row); ``path`` locates its problems.

    >>> node_from_compact({"name": "n1", "cpu": "2", "memory": "4Gi", "pods": "20"}).milli_cpu
    2000
    """
    return node_from_row(read_node(row, path))


def node_from_fields(text: str, path: str = "node") -> Node:
    """A compact node written ``name,cpu,memory[,pods[,labels[,taints]]]``.

    Labels and taints inside the line are separated by ``;``. ``path`` names the
    GET parameter in problems (``node[1]``).

    >>> node = node_from_fields("n1,4,16Gi,110,zone=a")
    >>> node.name, node.milli_cpu, node.labels["zone"]
    ('n1', 4000, 'a')
    """
    return node_from_row(read_node_fields(text, path))


def _collect(results: list[T], problems: list[Problem], make: Callable[..., T], *arguments: Any) -> None:
    """``make(*arguments)`` into ``results``, or its problems into ``problems``: every row is read."""
    try:
        results.append(make(*arguments))
    except ManifestError as error:
        problems.extend(error.problems)


def _pod_workload(text: str, path: str) -> Workload:
    return workload_from_row(read_pod_fields(text, path))


def allocation_from_fields(
    node_text: str,
    pod_texts: Iterable[str],
    node_path: str = "node",
    pod_path: str = "pod",
    *,
    options: Options | None = None,
) -> NodeAllocation:
    """:func:`node_allocated` for a node and its pods written on one line each.

    The node is ``name,cpu,memory[,pods]``, each pod ``name,cpu,memory[,cpu_limit[,memory_limit]]``;
    problems name ``node.cpu``, ``pod[1].memory``... counted as the kubectl of ``options``' release
    counts them.

    >>> allocation = allocation_from_fields("n1,4,8Gi,110", ["web,500m,1Gi", "db,1,2Gi,2,2Gi"])
    >>> [(row.resource, row.to_json()["requests"], row.requests_percent) for row in allocation.resources[:2]]
    [('cpu', '1500m', 37), ('memory', '3Gi', 37)]
    """
    problems: list[Problem] = []
    nodes: list[Node] = []
    _collect(nodes, problems, node_from_fields, node_text, node_path)
    workloads: list[Workload] = []
    for position, text in enumerate(pod_texts):
        _collect(workloads, problems, _pod_workload, text, index(pod_path, position))
    if problems:
        raise ManifestError(problems)
    (node,) = nodes
    pods = []
    for workload in workloads:
        pod = dict(workload.pod)
        pod["spec"] = {**pod["spec"], "nodeName": node.name}
        pod["status"] = {"phase": "Running"}
        pods.append(pod)
    return node_allocated(node, pods, options=options)


def plan_table(rows: Iterable[Mapping[str, Any]]) -> tuple[list[Workload], list[Node]]:
    """The workloads and nodes of one table (CSV rows): ``kind`` Node rows are nodes, the others workloads.

    Every problem of every row is reported, each at ``rows[i].<column>``.

    >>> from quantities.manifest.compact import read_csv_table
    >>> table = "kind,name,replicas,cpu,memory\\nNode,n1,,4,8Gi\\n,web,3,1,1Gi\\n"
    >>> workloads, nodes = plan_table(read_csv_table(table))
    >>> [(w.name, w.replicas) for w in workloads], [n.name for n in nodes]
    ([('web', 3)], ['n1'])
    """
    problems: list[Problem] = []
    workloads: list[Workload] = []
    nodes: list[Node] = []
    for position, row in enumerate(rows):
        path = index("rows", position)
        if str(row.get("kind") or "").strip() == "Node":
            _collect(nodes, problems, node_from_compact, row, path)
        else:
            _collect(workloads, problems, compact_workload, row, path)
    if problems:
        raise ManifestError(problems)
    return workloads, nodes
