"""Kubernetes resource arithmetic, exactly as Kubernetes does it.

>>> from quantities import parse_quantity
>>> str(parse_quantity("1.5Gi") + parse_quantity("512Mi"))
'2Gi'

Every computation that depends on the Kubernetes release answers for one, 1.28 to
1.36 (:mod:`quantities.versions`): the keyword ``kubernetes_version="1.30"``, else the
process default, :func:`set_default_kubernetes_version` or the environment variable
``KQ_KUBERNETES_VERSION``, else the newest. ``KUBERNETES_VERSION`` is that newest
release (``"1.36"``), the default when nothing is set:

>>> from quantities import KUBERNETES_VERSION, KubernetesVersion
>>> KUBERNETES_VERSION, str(KubernetesVersion.parse("v1.30.4-gke.1348000"))
('1.36', '1.30.4')
"""

from __future__ import annotations

from quantities.quantity.errors import QuantityError
from quantities.quantity.quantity import Quantity, parse_quantity
from quantities.quantity.suffix import Format

TYPE_CHECKING = False  # typing is not imported at run time: see quantities.quantity.quantity
if TYPE_CHECKING:
    from typing import Any

    #: The newest Kubernetes release modelled, the default when none is set ("1.36").
    KUBERNETES_VERSION: str

    from quantities.manifest.decode import load_documents, load_json, load_yaml
    from quantities.manifest.fields import parse_manifest_quantity
    from quantities.manifest.problems import ManifestError, PodValidationError, Problem
    from quantities.node.allocated import NodeAllocation, node_allocated
    from quantities.node.compact import compact_node
    from quantities.node.model import Node, parse_node
    from quantities.options import Deadline, Options, ReadLimits, WorkLimitExceeded, resolve_options
    from quantities.pod.checked import (
        aggregate_container_limits,
        aggregate_container_requests,
        pod_limits,
        pod_requests,
    )
    from quantities.pod.defaults import default_pod
    from quantities.pod.model import Container, Pod, ResourceList, Resources
    from quantities.pod.oom import ContainerOOMScore, OOMExplanation, explain_oom, oom_score_adj
    from quantities.pod.qos import QOSClass, QoSExplanation, explain_qos, qos_class
    from quantities.pod.read import load_pods, pods_in, read_pod
    from quantities.pod.validation import valid_pod, validate_pod
    from quantities.pod.workloads import Workload, compact_workload
    from quantities.quantity.human import parse_human
    from quantities.scheduler.fit import FitResult, check_fit
    from quantities.scheduler.plan import PlanResult, max_replicas, plan
    from quantities.versions import (
        FeatureGateError,
        KubernetesVersion,
        UnsupportedVersion,
        default_kubernetes_version,
        set_default_kubernetes_version,
    )

__all__ = [
    "KUBERNETES_VERSION",
    "Container",
    "ContainerOOMScore",
    "Deadline",
    "FeatureGateError",
    "FitResult",
    "Format",
    "KubernetesVersion",
    "ManifestError",
    "Node",
    "NodeAllocation",
    "OOMExplanation",
    "Options",
    "PlanResult",
    "Pod",
    "PodValidationError",
    "Problem",
    "QOSClass",
    "QoSExplanation",
    "Quantity",
    "QuantityError",
    "ReadLimits",
    "ResourceList",
    "Resources",
    "UnsupportedVersion",
    "WorkLimitExceeded",
    "Workload",
    "aggregate_container_limits",
    "aggregate_container_requests",
    "check_fit",
    "compact_node",
    "compact_workload",
    "default_kubernetes_version",
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
    "resolve_options",
    "set_default_kubernetes_version",
    "valid_pod",
    "validate_pod",
]

# Modules that import pint or fractions load on first use: `import quantities` stays cheap.
_LAZY = {
    "Deadline": "quantities.options",
    "Options": "quantities.options",
    "ReadLimits": "quantities.options",
    "WorkLimitExceeded": "quantities.options",
    "resolve_options": "quantities.options",
    "FeatureGateError": "quantities.versions",
    "KubernetesVersion": "quantities.versions",
    "UnsupportedVersion": "quantities.versions",
    "default_kubernetes_version": "quantities.versions",
    "set_default_kubernetes_version": "quantities.versions",
    "Container": "quantities.pod.model",
    "ContainerOOMScore": "quantities.pod.oom",
    "FitResult": "quantities.scheduler.fit",
    "ManifestError": "quantities.manifest.problems",
    "Node": "quantities.node.model",
    "NodeAllocation": "quantities.node.allocated",
    "OOMExplanation": "quantities.pod.oom",
    "PlanResult": "quantities.scheduler.plan",
    "Pod": "quantities.pod.model",
    "PodValidationError": "quantities.manifest.problems",
    "Problem": "quantities.manifest.problems",
    "QOSClass": "quantities.pod.qos",
    "QoSExplanation": "quantities.pod.qos",
    "ResourceList": "quantities.pod.model",
    "Resources": "quantities.pod.model",
    "Workload": "quantities.pod.workloads",
    "aggregate_container_limits": "quantities.pod.checked",
    "aggregate_container_requests": "quantities.pod.checked",
    "check_fit": "quantities.scheduler.fit",
    "compact_node": "quantities.node.compact",
    "compact_workload": "quantities.pod.workloads",
    "default_pod": "quantities.pod.defaults",
    "explain_oom": "quantities.pod.oom",
    "explain_qos": "quantities.pod.qos",
    "load_documents": "quantities.manifest.decode",
    "load_json": "quantities.manifest.decode",
    "load_pods": "quantities.pod.read",
    "load_yaml": "quantities.manifest.decode",
    "max_replicas": "quantities.scheduler.plan",
    "node_allocated": "quantities.node.allocated",
    "oom_score_adj": "quantities.pod.oom",
    "parse_human": "quantities.quantity.human",
    "parse_manifest_quantity": "quantities.manifest.fields",
    "parse_node": "quantities.node.model",
    "plan": "quantities.scheduler.plan",
    "pod_limits": "quantities.pod.checked",
    "pod_requests": "quantities.pod.checked",
    "pods_in": "quantities.pod.read",
    "qos_class": "quantities.pod.qos",
    "read_pod": "quantities.pod.read",
    "valid_pod": "quantities.pod.validation",
    "validate_pod": "quantities.pod.validation",
}


def __getattr__(name: str) -> Any:
    if name == "KUBERNETES_VERSION":
        from quantities.versions import NEWEST

        globals()[name] = str(NEWEST)
        return globals()[name]
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'quantities' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
