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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quantities.manifest.stream import iter_objects
from quantities.node.compact import node_from_compact
from quantities.node.model import Node, parse_node
from quantities.scheduler.framework.podinfo import PodInfo, pod_info

__all__ = ["Cluster", "load_cluster"]

@dataclass(slots=True)
class Cluster:
    """The nodes and pods read from a cluster dump (``raw_pods`` only when asked for)."""

    nodes: list[Node] = field(default_factory=list)
    pods: list[PodInfo] = field(default_factory=list)
    raw_pods: list[Mapping[str, Any]] = field(default_factory=list)
    others: list[Mapping[str, Any]] = field(default_factory=list)

    def add(self, obj: Any, keep_raw_pods: bool = False) -> None:
        if not isinstance(obj, Mapping):
            raise ValueError(f"expected a Kubernetes object or a compact node, got {type(obj).__name__}")
        kind = obj.get("kind")
        if kind == "Node":
            self.nodes.append(parse_node(obj))
        elif kind == "Pod":
            self.pods.append(pod_info(obj))
            if keep_raw_pods:
                self.raw_pods.append(obj)
        elif isinstance(kind, str) and kind.endswith("List") and isinstance(obj.get("items"), list):
            for item in obj["items"]:
                self.add(item, keep_raw_pods)
        elif kind is None and isinstance(obj.get("nodes"), list):
            for item in obj["nodes"]:
                self.nodes.append(node_from_compact(item))
        elif kind is None and "name" in obj and "spec" not in obj and "metadata" not in obj:
            self.nodes.append(node_from_compact(obj))
        else:
            self.others.append(obj)


def load_cluster(text: str | Iterable[Any], keep_raw_pods: bool = False) -> Cluster:
    """Nodes and pods from text (JSON, YAML or CSV) or from objects already decoded.

    >>> cluster = load_cluster('name,cpu,memory,pods\\nn1,4,16Gi,110\\nn2,2,8Gi,110\\n')
    >>> [(node.name, node.milli_cpu) for node in cluster.nodes]
    [('n1', 4000), ('n2', 2000)]
    """
    cluster = Cluster()
    objects = iter_objects(text) if isinstance(text, str) else text
    for obj in objects:
        cluster.add(obj, keep_raw_pods)
    return cluster
