"""``aks``: Azure Kubernetes Service Linux nodes.

* kube-reserved CPU: the published table, 60m for 1 core, 100m for 2, 140m for 4, 180m for 8,
  260m for 16, 420m for 32, 740m for 64 cores. Between and beyond its columns the table's own
  steps are followed (60m for the first core, 40m for the second, 20m for each of cores 3-4,
  10m for each core above 4: every column of the table is exactly this).
* kube-reserved memory, by release (``Behaviour.aks_memory_reservation``):
  from 1.29, ``min(20 MB * max pods + 50 MB, 25% of memory)`` with a 100Mi hard eviction;
  before 1.29, 25% of the first 4 GB, 20% of the next 4, 10% of the next 8, 6% of the next
  112 and 2% above 128 GB, with a 750Mi hard eviction. The page writes MB and GB; the
  kubelet is given these as MiB and GiB (``--kube-reserved memory=...Mi``), which is how they
  are read here.
"""

from __future__ import annotations

from quantities.capacity.providers.base import (
    MIB,
    Profile,
    ProfileInput,
    ProfileSettings,
    Source,
    binary,
    milli,
    regressive_memory_tiers,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.instance_types import InstanceType

__all__ = ["PROFILE", "cpu_reserved"]

_DOC = "https://learn.microsoft.com/azure/aks/node-resource-reservations"
_TABLE = {1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740}
_NODEFS = (
    "nodefs.available<10% (the system default the kubelet custom configuration refers to)",
    "https://learn.microsoft.com/dotnet/api/azure.resourcemanager.containerservice.models.kubelethardevictionthreshold",
)


def cpu_reserved(cores: int) -> tuple[int, str]:
    """kube-reserved millicores for ``cores`` whole cores: the table's value, or its steps between columns.

    >>> [cpu_reserved(cores)[0] for cores in (1, 2, 4, 8, 16, 32, 64)]
    [60, 100, 140, 180, 260, 420, 740]
    >>> cpu_reserved(96)[0]
    1060
    """
    if cores in _TABLE:
        return _TABLE[cores], f"the table's column for {cores} core{'s' if cores > 1 else ''}"
    reserved = 60 + (40 if cores >= 2 else 0) + 20 * max(0, min(cores, 4) - 2) + 10 * max(0, cores - 4)
    how = (
        f"60m + 40m (2nd core) + 20m * {max(0, min(cores, 4) - 2)} (cores 3-4) + 10m * {max(0, cores - 4)}"
        " (cores above 4), the table's steps"
    )
    return reserved, how


def _settings(given: ProfileInput) -> ProfileSettings:
    memory = given.capacity["memory"].value()
    cores = max(1, given.capacity["cpu"].milli_value() // 1000)
    cpu, cpu_how = cpu_reserved(cores)
    rule = given.options.behaviour.aks_memory_reservation
    if rule == "max-pods":
        by_pods = (20 * given.max_pods + 50) * MIB
        quarter = memory // 4
        reserved = min(by_pods, quarter)
        memory_how = (
            f"min(20Mi * {given.max_pods} max pods + 50Mi = {binary(by_pods)}, 25% of {binary(memory)}"
            f" = {binary(quarter)}) = {binary(reserved)}"
        )
        eviction = "memory.available<100Mi,nodefs.available<10%"
        applies = "AKS 1.29 and later"
    else:
        reserved, tiers = regressive_memory_tiers(memory)
        memory_how = f"{tiers} of {binary(memory)} = {binary(reserved)}"
        eviction = "memory.available<750Mi,nodefs.available<10%"
        applies = "AKS before 1.29"
    version = str(given.options.version)
    kube = {"cpu": milli(cpu), "memory": binary(reserved)}
    steps = (
        f"kube-reserved cpu: {cpu_how} ({cores} cores) = {kube['cpu']}",
        f"kube-reserved memory ({applies}; Kubernetes {version}): {memory_how}",
    )
    sources = (
        Source("kube-reserved CPU table", _DOC + "#cpu-reservations", "every AKS release (1.28-1.36)"),
        Source(
            "kube-reserved memory and the memory.available hard eviction threshold",
            _DOC + "#memory-reservations",
            applies,
        ),
        Source(*_NODEFS, "every AKS release (1.28-1.36)"),
    )
    return ProfileSettings(kube, {}, eviction, steps=steps, sources=sources)


def _max_pods(
    instance: InstanceType | None, custom_networking: bool, prefix_delegation: bool
) -> tuple[int, str]:
    return 110, (
        "110, the kubelet's default; AKS's default depends on the network plugin (kubenet 110, Azure CNI 30,"
        " Azure CNI Overlay 250): give --max-pods"
    )


PROFILE = Profile("aks", "Azure Kubernetes Service, Linux nodes", _settings, _max_pods)
