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
    from quantities.fit import FitResult, check_fit
    from quantities.human import parse_human
    from quantities.nodes import Node, compact_node, parse_node
    from quantities.plan import PlanResult, max_replicas, plan
    from quantities.workloads import Workload, compact_workload

__all__ = [
    "KUBERNETES_VERSION",
    "FitResult",
    "Format",
    "Node",
    "NodeAllocation",
    "PlanResult",
    "Quantity",
    "QuantityError",
    "Workload",
    "check_fit",
    "compact_node",
    "compact_workload",
    "max_replicas",
    "node_allocated",
    "parse_human",
    "parse_node",
    "parse_quantity",
    "plan",
]

# Modules that import pint or fractions load on first use: `import quantities` stays cheap.
_LAZY = {
    "FitResult": "quantities.fit",
    "Node": "quantities.nodes",
    "NodeAllocation": "quantities.allocated",
    "PlanResult": "quantities.plan",
    "Workload": "quantities.workloads",
    "check_fit": "quantities.fit",
    "compact_node": "quantities.nodes",
    "compact_workload": "quantities.workloads",
    "max_replicas": "quantities.plan",
    "node_allocated": "quantities.allocated",
    "parse_node": "quantities.nodes",
    "parse_human": "quantities.human",
    "plan": "quantities.plan",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'quantities' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
