"""``gke``: Google Kubernetes Engine Standard nodes.

kube-reserved memory: 255 MiB below 1 GiB of memory; otherwise 25% of the first 4 GiB,
20% of the next 4, 10% of the next 8, 6% of the next 112 and 2% above 128 GiB.
kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of the next 2, 0.25% of
every core above 4. Hard eviction at 100 MiB of memory and 10% of the boot disk.
"""

from __future__ import annotations

from quantities.capacity.providers.base import (
    GIB,
    MIB,
    Profile,
    ProfileInput,
    ProfileSettings,
    Source,
    binary,
    cpu_tiers,
    milli,
    regressive_memory_tiers,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.instance_types import InstanceType

__all__ = ["PROFILE"]

EVICTION_HARD = "memory.available<100Mi,nodefs.available<10%"
_DOC = "https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes"
_SOURCES = (
    Source(
        "kube-reserved memory and CPU tiers; eviction threshold memory.available<100Mi",
        _DOC + "#memory_and_cpu_reservations",
        "GKE Standard, Linux nodes, every release (1.28-1.36)",
    ),
    Source(
        "ephemeral storage: eviction threshold 10% of the boot disk (local ephemeral storage reservation)",
        _DOC,
        "GKE Standard, Linux nodes, every release (1.28-1.36)",
    ),
    Source(
        "the tiers in whole bytes and millicores, truncated per tier (the published table, tested)",
        "https://github.com/gardener/gardener/blob/master/plugin/pkg/shoot/resourcereservation/admission.go"
        " (calculateMemoryReservation, calculateCPUReservation; admission_test.go)",
        "the same table",
    ),
)


def _settings(given: ProfileInput) -> ProfileSettings:
    memory = given.capacity["memory"].value()
    cpu = given.capacity["cpu"].milli_value()
    if memory < GIB:
        memory_reserved, memory_how = 255 * MIB, "255Mi (less than 1Gi of memory)"
    else:
        memory_reserved, memory_how = regressive_memory_tiers(memory)
    cpu_reserved, cpu_how = cpu_tiers(cpu)
    kube = {"cpu": milli(cpu_reserved), "memory": binary(memory_reserved)}
    steps = (
        f"kube-reserved memory: {memory_how} of {binary(memory)} = {kube['memory']}",
        f"kube-reserved cpu: {cpu_how} of {milli(cpu)} = {kube['cpu']}",
    )
    notes = (
        "GKE also reserves ephemeral storage for the system by the boot disk's size; that is not modelled:"
        " give --system-reserved ephemeral-storage=... to include it",
    )
    return ProfileSettings(kube, {}, EVICTION_HARD, steps=steps, sources=_SOURCES, notes=notes)


def _max_pods(
    instance: InstanceType | None, custom_networking: bool, prefix_delegation: bool
) -> tuple[int, str]:
    return 110, "GKE Standard's default maximum pods per node"


PROFILE = Profile("gke", "Google Kubernetes Engine Standard", _settings, _max_pods)
