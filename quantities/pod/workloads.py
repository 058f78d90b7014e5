"""Workloads to plan: how many pods of which template a controller would create.

* Deployment, ReplicaSet, ReplicationController, StatefulSet: ``spec.replicas``
  (default 1);
* Job: ``spec.parallelism`` (default 1), at most ``spec.completions``;
  CronJob: the same for its ``jobTemplate``;
* DaemonSet: one pod per eligible node (decided by the plan);
* Pod: one.

The compact form for people and spreadsheets is a row with ``name``,
``replicas``, ``cpu`` and ``memory`` (requests) and optionally
``cpu_limit``, ``memory_limit`` and ``namespace``.

>>> [(w.name, w.replicas) for w in workloads_in({"kind": "Deployment", "metadata": {"name": "web"},
...     "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "app"}]}}}})]
[('web', 3)]
>>> compact_workload({"name": "api", "replicas": "2", "cpu": "500m", "memory": "1Gi"}).pod["spec"]
{'containers': [{'name': 'api', 'resources': {'requests': {'cpu': '500m', 'memory': '1Gi'}}}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quantities.manifest.compact import WORKLOAD_FIELDS, WorkloadRow, read_workload, read_workload_fields
from quantities.manifest.problems import ManifestError, Problem, index

__all__ = ["WORKLOAD_FIELDS", "Workload", "compact_workload", "workload_from_row", "workloads_in"]

_REPLICATED = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})


@dataclass(frozen=True, slots=True)
class Workload:
    """A pod template and how many copies of it to place (None: one per eligible node)."""

    name: str
    kind: str
    namespace: str
    replicas: int | None
    pod: Mapping[str, Any]

    @property
    def is_daemonset(self) -> bool:
        return self.replicas is None


def _int(value: object, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ValueError(f"expected a number of replicas, got {value!r}")
    text = str(value).strip()
    if not isinstance(value, int) and not text.lstrip("+-").isdigit():
        raise ValueError(f"expected a whole number of replicas, got {json.dumps(text, ensure_ascii=False)}")
    number = int(text) if not isinstance(value, int) else value
    if number < 0:
        raise ValueError(f"a number of replicas cannot be negative: {value!r}")
    return number


def _template_pod(template: Mapping[str, Any], namespace: str, name: str) -> dict[str, Any]:
    metadata = dict(template.get("metadata") or {})
    metadata["namespace"] = namespace
    metadata.setdefault("name", name)
    return {"kind": "Pod", "metadata": metadata, "spec": template.get("spec") or {}}


def _workload(obj: Mapping[str, Any]) -> Workload | None:
    kind = str(obj.get("kind") or "")
    metadata = obj.get("metadata") or {}
    name = str(metadata.get("name") or metadata.get("generateName") or kind.lower())
    namespace = str(metadata.get("namespace") or "default")
    spec = obj.get("spec") or {}
    if kind == "Pod" or (not kind and "containers" in spec):
        pod = {"kind": "Pod", "metadata": {**metadata, "namespace": namespace}, "spec": spec}
        return Workload(name, kind or "Pod", namespace, 1, pod)
    if kind == "CronJob":
        job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
        return _job(name, kind, namespace, job_spec)
    if kind == "Job":
        return _job(name, kind, namespace, spec)
    template = spec.get("template")
    if not isinstance(template, Mapping):
        return None
    if kind in _REPLICATED:
        replicas = _int(spec.get("replicas"), 1)
        return Workload(name, kind, namespace, replicas, _template_pod(template, namespace, name))
    if kind == "DaemonSet":
        return Workload(name, kind, namespace, None, _template_pod(template, namespace, name))
    return None


def _job(name: str, kind: str, namespace: str, spec: Mapping[str, Any]) -> Workload | None:
    template = spec.get("template")
    if not isinstance(template, Mapping):
        return None
    parallelism = _int(spec.get("parallelism"), 1)
    completions = spec.get("completions")
    if completions is not None:
        parallelism = min(parallelism, _int(completions, 1))
    return Workload(name, kind, namespace, parallelism, _template_pod(template, namespace, name))


_MANIFEST_KEYS = frozenset({"kind", "apiVersion", "metadata", "spec", "items", "containers"})


def is_compact(obj: Mapping[str, Any]) -> bool:
    """A compact workload (``name``, ``replicas``, ``cpu``...) rather than a Kubernetes object.

    >>> is_compact({"name": "web", "cpu": "1"}), is_compact({"cpu": "1"}), is_compact({"kind": "Pod"})
    (True, True, False)
    """
    return not _MANIFEST_KEYS & obj.keys()


def workloads_in(obj: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[Workload]:
    """Every workload in a manifest, a ``List`` or a sequence of documents; other kinds are skipped."""
    if isinstance(obj, Mapping):
        items = obj.get("items")
        kind = obj.get("kind")
        if isinstance(items, list) and (kind is None or str(kind).endswith("List")):
            return workloads_in(items)
        if is_compact(obj):
            return [compact_workload(obj)]
        found = _workload(obj)
        return [found] if found is not None else []
    result: list[Workload] = []
    for item in obj:
        if isinstance(item, Mapping):
            result.extend(workloads_in(item))
    return result


def workload_from_row(row: WorkloadRow) -> Workload:
    """The workload of a checked compact row: one container named after it, its requests and limits."""
    resources: dict[str, Any] = {}
    if row.requests:
        resources["requests"] = {resource: str(q) for resource, q in row.requests}
    if row.limits:
        resources["limits"] = {resource: str(q) for resource, q in row.limits}
    labels = dict(row.labels) if row.labels is not None else {"app": row.name}
    # A container name is a DNS-1123 label (no dots); a workload name may be a subdomain.
    container = row.name if "." not in row.name and len(row.name) <= 63 else "app"
    pod = {
        "kind": "Pod",
        "metadata": {"name": row.name, "namespace": row.namespace, "labels": labels},
        "spec": {"containers": [{"name": container, "resources": resources}]},
    }
    return Workload(row.name, row.kind, row.namespace, row.replicas, pod)


def compact_workload(row: Mapping[str, Any], path: str = "") -> Workload:
    """A workload from the compact form: name, replicas, cpu and memory requests and limits.

    Only ``name`` is required in an object (a pod without requests is a valid
    Kubernetes pod); a CSV row also needs ``cpu`` and ``memory``. Problems are
    ManifestErrors located under ``path`` (or the CSV row's own path).
    """
    return workload_from_row(read_workload(row, path))


def single_pod(objects: Iterable[Any]) -> dict[str, Any]:
    """The pod of the one Pod, workload or compact workload among ``objects``; ValueError otherwise."""
    workloads = workloads_in([o for o in objects if isinstance(o, Mapping)])
    if len(workloads) != 1:
        raise ValueError(f"expected one pod or workload, found {len(workloads)}")
    return dict(workloads[0].pod)


def workload_from_fields(text: str, path: str = "workload") -> Workload:
    """A compact workload written ``name,replicas,cpu,memory[,cpu_limit[,memory_limit]]``.

    ``path`` names the GET parameter in problems (``workload[0].replicas``).

    >>> workload = workload_from_fields("web,3,500m,1Gi")
    >>> workload.name, workload.replicas
    ('web', 3)
    """
    return workload_from_row(read_workload_fields(text, path))


def split_compact_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[list[Workload], list[Mapping[str, Any]]]:
    """Rows of one spreadsheet table: ``kind`` Node rows are nodes (returned as they are), the others
    workloads; every workload problem is reported at ``rows[i].<column>``."""
    workloads: list[Workload] = []
    nodes: list[Mapping[str, Any]] = []
    problems: list[Problem] = []
    for position, row in enumerate(rows):
        kind = str(row.get("kind") or "").strip()
        if kind == "Node":
            nodes.append(row)
            continue
        try:
            workloads.append(compact_workload(row, index("rows", position)))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return workloads, nodes
