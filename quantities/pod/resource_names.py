"""Resource names and the rules the API server attaches to them (for pods).

Ported from ``pkg/apis/core/helper/helpers.go`` and
``k8s.io/component-helpers/resource`` (v1.34):

* native resources have no ``/`` or live under ``kubernetes.io/``; every
  other qualified name is an *extended* resource (``nvidia.com/gpu``), counted
  in whole units and never overcommitted (request must equal limit);
* ``hugepages-<size>`` are native but not overcommittable either;
* only ``cpu``, ``memory`` and ``hugepages-*`` may be set at pod level
  (``spec.resources``), and only ``cpu`` and ``memory`` decide the QoS class;
* the scheduler counts, besides cpu, memory, ephemeral-storage and pods, the
  *scalar* resources (``schedutil.IsScalarResourceName``).

This is the one home of these rules: the node and scheduler layers import them.
"""

from __future__ import annotations

import functools

# Re-exported: resource names are qualified names; the check itself lives with the other name rules.
from quantities.manifest.names import is_qualified_name, qualified_name_errors

__all__ = [
    "CPU",
    "EPHEMERAL_STORAGE",
    "HUGEPAGES_PREFIX",
    "MEMORY",
    "PODS",
    "QOS_RESOURCES",
    "is_attachable_volume",
    "is_extended",
    "is_hugepages",
    "is_integer_resource",
    "is_native",
    "is_overcommit_allowed",
    "is_prefixed_native",
    "is_qualified_name",
    "is_scalar_resource_name",
    "is_standard_container_resource",
    "is_standard_resource",
    "is_supported_pod_level",
    "qualified_name_errors",
]

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"
HUGEPAGES_PREFIX = "hugepages-"
_REQUESTS_PREFIX = "requests."
#: ``v1.ResourceDefaultNamespacePrefix``: names under it are native though they have a ``/``.
_NATIVE_DOMAIN = "kubernetes.io/"
#: ``v1.ResourceAttachableVolumesPrefix``.
_ATTACHABLE_VOLUMES_PREFIX = "attachable-volumes-"

#: The resources that decide the QoS class (``supportedQoSComputeResources``).
QOS_RESOURCES = (CPU, MEMORY)

_STANDARD_CONTAINER = frozenset({CPU, MEMORY, EPHEMERAL_STORAGE})
_STANDARD = frozenset(
    {
        CPU, MEMORY, EPHEMERAL_STORAGE,
        "requests.cpu", "requests.memory", "requests.ephemeral-storage", "requests.storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage",
        "pods", "quotas", "services", "replicationcontrollers", "secrets", "configmaps",
        "persistentvolumeclaims", "storage", "services.nodeports", "services.loadbalancers",
    }
)  # fmt: skip
_INTEGER = frozenset(
    {
        "pods", "quotas", "services", "replicationcontrollers", "secrets", "configmaps",
        "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
    }
)  # fmt: skip


def is_hugepages(name: str) -> bool:
    """``IsHugePageResourceName``: ``hugepages-<size>``."""
    return name.startswith(HUGEPAGES_PREFIX)


def is_prefixed_native(name: str) -> bool:
    """``IsPrefixedNativeResource``: the name contains ``kubernetes.io/`` (anywhere, as in Go)."""
    return _NATIVE_DOMAIN in name


def is_native(name: str) -> bool:
    """``IsNativeResource``: no domain, or a ``kubernetes.io/`` one."""
    return "/" not in name or _NATIVE_DOMAIN in name


def is_attachable_volume(name: str) -> bool:
    """``IsAttachableVolumeResourceName``: ``attachable-volumes-<plugin>``."""
    return name.startswith(_ATTACHABLE_VOLUMES_PREFIX)


def is_overcommit_allowed(name: str) -> bool:
    """``IsOvercommitAllowed``: may the request be below the limit?"""
    return is_native(name) and not is_hugepages(name)


@functools.lru_cache(maxsize=1024)
def is_extended(name: str) -> bool:
    """``IsExtendedResourceName``: a qualified, non-native name such as ``nvidia.com/gpu``.

    It must still be a qualified name once prefixed with ``requests.`` (its quota name).

    >>> is_extended("nvidia.com/gpu"), is_extended("cpu"), is_extended("foo.kubernetes.io/bar")
    (True, False, False)
    """
    if is_native(name) or name.startswith(_REQUESTS_PREFIX):
        return False
    return is_qualified_name(_REQUESTS_PREFIX + name)


@functools.lru_cache(maxsize=1024)
def is_scalar_resource_name(name: str) -> bool:
    """``schedutil.IsScalarResourceName``: what NodeResourcesFit counts besides cpu, memory and storage.

    Extended resources, ``hugepages-*``, prefixed native resources
    (``kubernetes.io/...``) and ``attachable-volumes-*``; any other name
    (``storage``, an unknown bare word) is ignored by the scheduler.

    >>> is_scalar_resource_name("nvidia.com/gpu"), is_scalar_resource_name("storage")
    (True, False)
    """
    return is_extended(name) or is_hugepages(name) or is_prefixed_native(name) or is_attachable_volume(name)


def is_integer_resource(name: str) -> bool:
    """``IsIntegerResourceName``: counted in whole units (extended resources, object counts)."""
    return name in _INTEGER or is_extended(name)


def is_standard_resource(name: str) -> bool:
    """``IsStandardResourceName`` (includes the quota names and every ``hugepages-`` name)."""
    return name in _STANDARD or is_hugepages(name) or name.startswith("requests." + HUGEPAGES_PREFIX)


def is_standard_container_resource(name: str) -> bool:
    """``IsStandardContainerResourceName``: cpu, memory, ephemeral-storage and hugepages."""
    return name in _STANDARD_CONTAINER or is_hugepages(name)


def is_supported_pod_level(name: str) -> bool:
    """``IsSupportedPodLevelResource``: cpu, memory and hugepages."""
    return name in (CPU, MEMORY) or is_hugepages(name)
