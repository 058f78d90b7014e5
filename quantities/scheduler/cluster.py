"""Reading a cluster: nodes and pods as kubectl prints them, or in a compact form.

Inputs, in any mix:

* ``kubectl get nodes -o json|yaml`` and ``kubectl get pods -A -o json|yaml``
  output: ``List`` objects (or single objects), one or several documents
  (concatenated JSON, or YAML separated by ``---``);
* compact nodes for people and spreadsheets: objects without ``kind`` that
  have a ``name`` (``{"name": "n1", "cpu": "4", "memory": "16Gi", "pods": 110,
  "labels": "zone=a", "taints": "gpu=true:NoSchedule"}``), a ``{"nodes":
  [...]}`` object, or CSV with a header line (``name,cpu,memory,pods,...``).

JSON is read one ``items`` element at a time (:func:`iter_json_objects`), so a
cluster at Kubernetes' published limits (5,000 nodes, 150,000 pods) never
exists as one tree of Python objects: each pod is reduced to a
:class:`~quantities.scheduler.framework.podinfo.PodInfo` as soon as it is decoded.

A cluster is *state*: objects the API server stored, perhaps under older rules.
What only today's validation refuses (a request above its limit, a taint effect
it does not know) is computed on as Kubernetes computes on it and listed in
``cluster.warnings``; what no API server could have stored (a field of the wrong
JSON type, ``items`` that is not an array) raises
:class:`~quantities.manifest.problems.ManifestError` naming every such problem
with its path (``items[3].spec.taints[0].effect``). Past ``options.limits.max_nodes``
or ``max_pods``, or past the deadline of ``options``, reading stops with
:class:`~quantities.options.WorkLimitExceeded`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quantities.manifest.fields import json_text, json_type
from quantities.manifest.kinds import is_list_object
from quantities.manifest.problems import ManifestError, Problem, child, index
from quantities.manifest.stream import iter_located_objects
from quantities.node.compact import node_from_compact
from quantities.node.model import Node, read_node
from quantities.options import DEFAULT_OPTIONS, Options, WorkLimitExceeded, resolve_options
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.versions import KubernetesVersion

__all__ = ["Cluster", "load_cluster"]


@dataclass(slots=True)
class Cluster:
    """The nodes and pods read from a cluster dump (``raw_pods`` only when asked for).

    ``warnings`` lists the oddities of the stored objects read so far.
    """

    nodes: list[Node] = field(default_factory=list)
    pods: list[PodInfo] = field(default_factory=list)
    raw_pods: list[Mapping[str, Any]] = field(default_factory=list)
    others: list[Mapping[str, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    options: Options = DEFAULT_OPTIONS

    def add(self, obj: Any, keep_raw_pods: bool = False, *, path: str = "") -> None:
        """Read one object (a Node, a Pod, a List of them, compact nodes) found at ``path`` of the input.

        Raises :class:`~quantities.manifest.problems.ManifestError` listing every problem
        of ``obj`` (the objects read before it stay added).
        """
        problems: list[Problem] = []
        self._add(obj, keep_raw_pods, path, problems)
        if problems:
            raise ManifestError(problems)

    def _add(self, obj: Any, keep_raw_pods: bool, path: str, problems: list[Problem]) -> None:
        read = len(self.nodes) + len(self.pods)
        if not read % 64:
            self.options.check_deadline("reading the cluster", read)
        if not isinstance(obj, Mapping):
            problems.append(
                Problem(
                    path,
                    f"expected a Kubernetes object or a compact node, got {json_type(obj)}",
                    value=json_text(obj),
                )
            )
            return
        kind = obj.get("kind")
        if kind is not None and not isinstance(kind, str):
            problems.append(
                Problem(
                    child(path, "kind"),
                    f"expected a string, got {json_type(kind)}",
                    value=json_text(kind),
                )
            )
            return
        try:
            if kind == "Node":
                self._check_limit(len(self.nodes), self.options.limits.max_nodes, "nodes", path)
                node = read_node(obj, path=path)
                self.nodes.append(node)
                self.warnings.extend(node.warnings)
            elif kind == "Pod":
                self._check_limit(len(self.pods), self.options.limits.max_pods, "pods", path)
                info = pod_info(obj, state=True, options=self.options, path=path)
                self.pods.append(info)
                self.warnings.extend(info.warnings)
                if keep_raw_pods:
                    self.raw_pods.append(obj)
            elif is_list_object(obj):
                for at, item in _entries(obj, "items", "objects", path, problems):
                    self._add(item, keep_raw_pods, at, problems)
            elif kind is None and "nodes" in obj:
                for at, item in _entries(obj, "nodes", "nodes", path, problems):
                    self._compact(item, at, problems)
            elif kind is None and "name" in obj and "spec" not in obj and "metadata" not in obj:
                self._compact(obj, path, problems)
            else:
                self.others.append(obj)
        except ManifestError as error:
            problems.extend(error.problems)

    def _compact(self, row: object, path: str, problems: list[Problem]) -> None:
        if not isinstance(row, Mapping):
            problems.append(
                Problem(
                    path,
                    f"expected a compact node (an object with a name), got {json_type(row)}",
                    value=json_text(row),
                )
            )
            return
        self._check_limit(len(self.nodes), self.options.limits.max_nodes, "nodes", path)
        if not len(self.nodes) % 64:
            self.options.check_deadline("reading the cluster", len(self.nodes) + len(self.pods))
        try:
            self.nodes.append(node_from_compact(row))
        except ManifestError:
            raise
        except ValueError as error:  # the compact reader's own errors (QuantityError included)
            problems.append(Problem(path, str(error)))

    @staticmethod
    def _check_limit(count: int, limit: int, what: str, path: str) -> None:
        if count >= limit:
            raise WorkLimitExceeded(f"the cluster has more than {limit:,} {what}", path, count, None)


def load_cluster(
    text: str | Iterable[Any],
    keep_raw_pods: bool = False,
    *,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
    path: str = "",
) -> Cluster:
    """Nodes and pods from text (JSON, YAML or CSV) or from objects already decoded.

    Every problem of every object is collected before :class:`~quantities.manifest.problems.ManifestError`
    is raised; the oddities of stored objects are in ``cluster.warnings``. Objects
    already decoded are located as ``path[i]`` (``cluster[2].items[0]...``) when
    ``path`` is given, as ``[i]`` when there are several, else from their root.

    Pods are read as the API server of ``kubernetes_version`` (with ``feature_gates``, over those
    of ``options``) would have stored them; ``cluster.options`` keeps that release for the
    computations that follow.

    >>> cluster = load_cluster('name,cpu,memory,pods\\nn1,4,16Gi,110\\nn2,2,8Gi,110\\n')
    >>> [(node.name, node.milli_cpu) for node in cluster.nodes]
    [('n1', 4000), ('n2', 2000)]
    """
    cluster = Cluster(options=resolve_options(options, kubernetes_version, feature_gates))
    located: Iterable[tuple[str, Any]]
    if isinstance(text, str):
        located = ((child(path, where) if where else path, obj) for where, obj in iter_located_objects(text))
    else:
        objects = list(text)
        numbered = bool(path) or len(objects) > 1
        located = ((index(path, position) if numbered else path, obj) for position, obj in enumerate(objects))
    problems: list[Problem] = []
    for where, obj in located:
        try:
            cluster.add(obj, keep_raw_pods, path=where)
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return cluster


def _entries(
    obj: Mapping[str, Any], field: str, what: str, path: str, problems: list[Problem]
) -> list[tuple[str, Any]]:
    """The entries of the array ``obj[field]`` with their paths; a problem (and none) when it is not one."""
    entries = obj.get(field)
    at = child(path, field)
    if not isinstance(entries, list | tuple):
        message = f"expected an array of {what}, got {json_type(entries)}"
        problems.append(Problem(at, message, value=json_text(entries)))
        return []
    return [(index(at, position), entry) for position, entry in enumerate(entries)]
