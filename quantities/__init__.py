"""Kubernetes resource arithmetic, exactly as Kubernetes does it.

>>> from quantities import parse_quantity
>>> str(parse_quantity("1.5Gi") + parse_quantity("512Mi"))
'2Gi'
"""

from __future__ import annotations

from quantities.errors import QuantityError
from quantities.quantity import KUBERNETES_VERSION, Quantity, parse_quantity
from quantities.suffix import Format

TYPE_CHECKING = False  # typing is not imported at run time: see quantities.quantity
if TYPE_CHECKING:
    from typing import Any

    from quantities.allocated import NodeAllocation, node_allocated
    from quantities.defaults import default_pod
    from quantities.fit import FitResult, check_fit
    from quantities.human import parse_human
    from quantities.manifests import (
        load_documents,
        load_json,
        load_pods,
        load_yaml,
        parse_manifest_quantity,
        pods_in,
        read_pod,
    )
    from quantities.nodes import Node, compact_node, parse_node
    from quantities.oom import ContainerOOMScore, OOMExplanation, explain_oom, oom_score_adj
    from quantities.plan import PlanResult, max_replicas, plan
    from quantities.pod import Container, Pod, ResourceList, Resources
    from quantities.problems import ManifestError, PodValidationError, Problem
    from quantities.qos import QOSClass, QoSExplanation, explain_qos, qos_class
    from quantities.requests import (
        aggregate_container_limits,
        aggregate_container_requests,
        pod_limits,
        pod_requests,
    )
    from quantities.validation import valid_pod, validate_pod
    from quantities.workloads import Workload, compact_workload

__all__ = [
    "KUBERNETES_VERSION",
    "Container",
    "ContainerOOMScore",
    "FitResult",
    "Format",
    "ManifestError",
    "Node",
    "NodeAllocation",
    "OOMExplanation",
    "PlanResult",
    "Pod",
    "PodValidationError",
    "Problem",
    "QOSClass",
    "QoSExplanation",
    "Quantity",
    "QuantityError",
    "ResourceList",
    "Resources",
    "Workload",
    "aggregate_container_limits",
    "aggregate_container_requests",
    "check_fit",
    "compact_node",
    "compact_workload",
    "default_pod",
    "explain_oom",
    "explain_qos",
    "load_documents",
    "load_json",
    "load_pods",
    "load_yaml",
    "max_replicas",
    "node_allocated",
    "oom_score_adj",
    "parse_human",
    "parse_manifest_quantity",
    "parse_node",
    "parse_quantity",
    "plan",
    "pod_limits",
    "pod_requests",
    "pods_in",
    "qos_class",
    "read_pod",
    "valid_pod",
    "validate_pod",
]

# Modules that import pint or fractions load on first use: `import quantities` stays cheap.
_LAZY = {
    "Container": "quantities.pod",
    "ContainerOOMScore": "quantities.oom",
    "FitResult": "quantities.fit",
    "ManifestError": "quantities.problems",
    "Node": "quantities.nodes",
    "NodeAllocation": "quantities.allocated",
    "OOMExplanation": "quantities.oom",
    "PlanResult": "quantities.plan",
    "Pod": "quantities.pod",
    "PodValidationError": "quantities.problems",
    "Problem": "quantities.problems",
    "QOSClass": "quantities.qos",
    "QoSExplanation": "quantities.qos",
    "ResourceList": "quantities.pod",
    "Resources": "quantities.pod",
    "Workload": "quantities.workloads",
    "aggregate_container_limits": "quantities.requests",
    "aggregate_container_requests": "quantities.requests",
    "check_fit": "quantities.fit",
    "compact_node": "quantities.nodes",
    "compact_workload": "quantities.workloads",
    "default_pod": "quantities.defaults",
    "explain_oom": "quantities.oom",
    "explain_qos": "quantities.qos",
    "load_documents": "quantities.manifests",
    "load_json": "quantities.manifests",
    "load_pods": "quantities.manifests",
    "load_yaml": "quantities.manifests",
    "max_replicas": "quantities.plan",
    "node_allocated": "quantities.allocated",
    "oom_score_adj": "quantities.oom",
    "parse_human": "quantities.human",
    "parse_manifest_quantity": "quantities.manifests",
    "parse_node": "quantities.nodes",
    "plan": "quantities.plan",
    "pod_limits": "quantities.requests",
    "pod_requests": "quantities.requests",
    "pods_in": "quantities.manifests",
    "qos_class": "quantities.qos",
    "read_pod": "quantities.manifests",
    "valid_pod": "quantities.validation",
    "validate_pod": "quantities.validation",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'quantities' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
