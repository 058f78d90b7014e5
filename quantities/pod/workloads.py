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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quantities.manifest.compact import WORKLOAD_FIELDS, WorkloadRow, read_workload, read_workload_fields
from quantities.manifest.fields import json_text, json_type
from quantities.manifest.kinds import is_list_object
from quantities.manifest.problems import ManifestError, PodValidationError, Problem, child, index
from quantities.pod.scheduling import Location, SchedulingReader

__all__ = [
    "WORKLOAD_FIELDS",
    "Workload",
    "compact_workload",
    "single_workload",
    "workload_from_row",
    "workloads_in",
]

_REPLICATED = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})


@dataclass(frozen=True, slots=True)
class Workload:
    """A pod template and how many copies of it to place (None: one per eligible node)."""

    name: str
    kind: str
    namespace: str
    replicas: int | None
    pod: Mapping[str, Any]
    #: Where the object was in the input (``workloads[0]``, ``items[2]``; ``""`` for the document itself).
    path: str = ""
    #: Where its pod spec is inside the object (``spec.template.spec``); ``pod["spec"]`` is a copy of it.
    spec_path: str = "spec"

    @property
    def is_daemonset(self) -> bool:
        return self.replicas is None


class _WorkloadReader(SchedulingReader):
    def count(self, value: object, where: Location, default: int) -> int:
        """An int32 count of pods (``replicas``, ``parallelism``, ``completions``): at least 0."""
        number = self.integer(value, where)
        if number is None:
            return default
        if number < 0:
            # ValidateNonnegativeField, as the apps/batch validation applies it.
            self.invalid_value(
                where,
                number,
                "must be greater than or equal to 0",
                f"{number}: a number of pods cannot be negative",
            )
            return 0
        return number


def _template_pod(template: Mapping[str, Any], namespace: str, name: str) -> dict[str, Any]:
    metadata = dict(template.get("metadata") or {}) if isinstance(template.get("metadata"), Mapping) else {}
    metadata["namespace"] = namespace
    metadata.setdefault("name", name)
    return {"kind": "Pod", "metadata": metadata, "spec": template.get("spec") or {}}


def _workload(obj: Mapping[str, Any], path: str) -> Workload | None:
    """The workload of one object; ManifestError (every problem, with paths) when it is malformed."""
    root = Location(path, "")
    reader = _WorkloadReader()
    kind = reader.text(obj.get("kind"), root.child("kind")) or ""
    metadata = reader.obj(obj.get("metadata"), root.child("metadata")) or {}
    name = reader.text(metadata.get("name"), root.child("metadata").child("name")) or ""
    generate_name = reader.text(metadata.get("generateName"), root.child("metadata").child("generateName"))
    namespace = reader.text(metadata.get("namespace"), root.child("metadata").child("namespace")) or "default"
    name = name or generate_name or kind.lower() or "pod"
    reader.source = f'{kind or "Pod"} "{name}"'
    spec_at = root.child("spec")
    spec = reader.obj(obj.get("spec"), spec_at) or {}
    found: Workload | None = None
    if kind == "Pod" or (not kind and "containers" in spec):
        pod = {"kind": "Pod", "metadata": {**metadata, "namespace": namespace}, "spec": spec}
        found = Workload(name, kind or "Pod", namespace, 1, pod, path, "spec")
    elif kind in ("CronJob", "Job"):
        job_path = ("spec", "jobTemplate", "spec") if kind == "CronJob" else ("spec",)
        job_at = root
        job: Mapping[str, Any] | None = obj
        for segment in job_path:
            job_at = job_at.child(segment)
            job = reader.obj(job.get(segment) if job is not None else None, job_at)
        job = job or {}
        template = reader.obj(job.get("template"), job_at.child("template"))
        if template is not None:
            parallelism = reader.count(job.get("parallelism"), job_at.child("parallelism"), 1)
            if job.get("completions") is not None:
                completions = reader.count(job.get("completions"), job_at.child("completions"), 1)
                parallelism = min(parallelism, completions)
            spec_path = ".".join((*job_path, "template", "spec"))
            pod = _template_pod(template, namespace, name)
            found = Workload(name, kind, namespace, parallelism, pod, path, spec_path)
    elif kind in _REPLICATED or kind == "DaemonSet":
        template = reader.obj(spec.get("template"), spec_at.child("template"))
        if template is not None:
            reader.obj(template.get("metadata"), spec_at.child("template").child("metadata"))
            replicas = None
            if kind != "DaemonSet":
                replicas = reader.count(spec.get("replicas"), spec_at.child("replicas"), 1)
            pod = _template_pod(template, namespace, name)
            found = Workload(name, kind, namespace, replicas, pod, path, "spec.template.spec")
    problems = [*reader.problems, *reader.invalid]
    if problems:
        raise PodValidationError(problems)
    return found


_MANIFEST_KEYS = frozenset({"kind", "apiVersion", "metadata", "spec", "items", "containers"})


def is_compact(obj: Mapping[str, Any]) -> bool:
    """A compact workload (``name``, ``replicas``, ``cpu``...) rather than a Kubernetes object.

    >>> is_compact({"name": "web", "cpu": "1"}), is_compact({"cpu": "1"}), is_compact({"kind": "Pod"})
    (True, True, False)
    """
    return not _MANIFEST_KEYS & obj.keys()


def workloads_in(obj: Mapping[str, Any] | Iterable[Mapping[str, Any]], *, path: str = "") -> list[Workload]:
    """Every workload in a manifest, a ``List`` or a sequence of documents; other kinds are skipped.

    Each workload remembers where it was (``path``, ``spec_path``). A malformed
    object (``replicas: "three"``, ``metadata`` that is a list, ``items`` that is not
    an array) raises :class:`~quantities.manifest.problems.PodValidationError` listing
    every problem with its JSON path; ``path`` prefixes them (``workloads``).
    """
    result: list[Workload] = []
    problems: list[Problem] = []
    _collect_workloads(obj, path, result, problems, top=True)
    if problems:
        raise PodValidationError(problems)
    return result


def _collect_workloads(
    obj: object, path: str, result: list[Workload], problems: list[Problem], top: bool = False
) -> None:
    if isinstance(obj, Mapping):
        items = obj.get("items")
        if is_list_object(obj):
            if not isinstance(items, list | tuple):
                message = f"expected an array, got {json_type(items)}"
                problems.append(Problem(child(path, "items"), message))
                return
            for position, item in enumerate(items):
                _collect_workloads(item, index(child(path, "items"), position), result, problems)
            return
        if is_compact(obj):
            try:
                result.append(compact_workload(obj, path))
            except ManifestError as error:
                problems.extend(error.problems)
            return
        try:
            found = _workload(obj, path)
        except ManifestError as error:
            problems.extend(error.problems)
            return
        if found is not None:
            result.append(found)
        return
    if top and isinstance(obj, list | tuple):
        for position, item in enumerate(obj):
            # One document needs no number; several are numbered as a JSON array's items.
            where = index(path, position) if path or len(obj) > 1 else ""
            _collect_workloads(item, where, result, problems)
        return
    message = f"expected a Kubernetes object, got {json_type(obj)}"
    problems.append(Problem(path, message, value=json_text(obj)))


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
    return Workload(row.name, row.kind, row.namespace, row.replicas, pod, path=row.path)


def compact_workload(row: Mapping[str, Any], path: str = "") -> Workload:
    """A workload from the compact form: name, replicas, cpu and memory requests and limits.

    Only ``name`` is required in an object (a pod without requests is a valid
    Kubernetes pod); a CSV row also needs ``cpu`` and ``memory``. Problems are
    ManifestErrors located under ``path`` (or the CSV row's own path).
    """
    return workload_from_row(read_workload(row, path))


def single_workload(objects: Mapping[str, Any] | Iterable[Any], *, path: str = "") -> Workload:
    """The one Pod, workload or compact workload in ``objects`` (an object or several; it remembers where
    it was). ManifestError when there is none or several, or when it is malformed.
    """
    given: Any = objects
    if not isinstance(objects, Mapping | str) and isinstance(objects, Iterable):
        given = list(objects)
    workloads = workloads_in(given, path=path)
    if len(workloads) != 1:
        message = f"expected one pod or workload, found {len(workloads)}"
        raise ManifestError([Problem(path, message)])
    return workloads[0]


def single_pod(objects: Iterable[Any]) -> dict[str, Any]:
    """The pod of the one Pod, workload or compact workload among ``objects``; ValueError otherwise."""
    return dict(single_workload(objects).pod)


def workload_from_fields(text: str, path: str = "workload") -> Workload:
    """A compact workload written ``name,replicas,cpu,memory[,cpu_limit[,memory_limit]]``.

    ``path`` names the GET parameter in problems (``workload[0].replicas``).

    >>> workload = workload_from_fields("web,3,500m,1Gi")
    >>> workload.name, workload.replicas
    ('web', 3)
    """
    return workload_from_row(read_workload_fields(text, path))
