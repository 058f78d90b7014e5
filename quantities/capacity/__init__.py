"""Capacity planning: above the scheduler (cli/present/api -> capacity -> scheduler -> node -> pod).

One module per concept:

* :func:`node_allocatable`: a node's allocatable from its capacity (or an EC2 instance type)
  under a provider's published reservations and the kubelet's rule
  (:mod:`quantities.capacity.allocatable`);
* :func:`template_node`: such a node as the scheduler sees it, for planning;
* :func:`instance_type`: the EC2 instance types the data file describes;
* the overview of every node (``overview``), how many more of a pod fit and what stays
  stranded (``headroom``), what happens when nodes go (``whatif``).
"""

from __future__ import annotations

from quantities.capacity.allocatable import NodeAllocatable, node_allocatable, template_node
from quantities.capacity.instance_types import InstanceType, instance_type, instance_types
from quantities.capacity.providers import PROFILES

__all__ = [
    "PROFILES",
    "InstanceType",
    "NodeAllocatable",
    "instance_type",
    "instance_types",
    "node_allocatable",
    "template_node",
]
