"""``eks``: Amazon EKS nodes from the EKS-optimized Amazon Linux 2023 AMI (``nodeadm``).

nodeadm writes the kubelet configuration (nodeadm/internal/kubelet/config.go):

* ``maxPods``: the instance type's ENIs on the default network card ``* (IPv4 per ENI - 1) + 2``
  (``CalcMaxPods``; these are the figures of ``eni-max-pods.txt``). With the VPC CNI's custom
  networking or prefix delegation the figure is ``max-pods-calculator.sh``'s recommended one:
  one ENI fewer for custom networking; ``ENIs * ((IPs - 1) * 16) + 2`` with prefixes on Nitro;
  capped at 110, or 250 on more than 30 vCPUs.
* ``kubeReserved``: ``memory = 11 * maxPods + 255`` Mi, ``cpu`` 6% of the first core, 1% of
  the second, 0.5% of the next two and 0.25% of every core above 4 (in whole millicores per
  range), ``ephemeral-storage = 1Gi``.
* ``evictionHard``: ``memory.available<100Mi``, ``nodefs.available<10%``, ``nodefs.inodesFree<5%``.
"""

from __future__ import annotations

from quantities.capacity.instance_types import (
    CALCULATOR_SOURCE,
    NODEADM_SOURCE,
    eni_max_pods,
    max_pods_calculator,
)
from quantities.capacity.providers.base import (
    MIB,
    Profile,
    ProfileInput,
    ProfileSettings,
    Source,
    binary,
    cpu_tiers,
    milli,
)
from quantities.quantity.quantity import Quantity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.instance_types import InstanceType

__all__ = ["EVICTION_HARD", "PROFILE"]

EVICTION_HARD = "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%"
_CONFIG = "https://github.com/awslabs/amazon-eks-ami/blob/main/nodeadm/internal/kubelet/config.go"
_APPLIES = (
    "EKS-optimized Amazon Linux 2023 AMIs (nodeadm), every EKS release 1.28-1.36"
    " (the AL2 AMIs' bootstrap.sh, up to 1.32, used the same figures)"
)
_SOURCES = (
    Source(
        "kubeReserved: cpu tiers (getCPUMillicoresToReserve), memory 11 * maxPods + 255 Mi"
        " (getMemoryMebibytesToReserve), ephemeral-storage 1Gi (withDefaultReservedResources)",
        _CONFIG,
        _APPLIES,
    ),
    Source(
        "evictionHard: " + EVICTION_HARD + " (defaultKubeletSubConfig)",
        _CONFIG,
        _APPLIES,
    ),
)


def _settings(given: ProfileInput) -> ProfileSettings:
    cpu = given.capacity["cpu"].milli_value()
    cpu_reserved, cpu_how = cpu_tiers(cpu)
    memory_mib = 11 * given.max_pods + 255
    kube = {
        "cpu": milli(cpu_reserved),
        "ephemeral-storage": Quantity("1Gi"),
        "memory": binary(memory_mib * MIB),
    }
    steps = (
        f"kube-reserved cpu: {cpu_how} of {milli(cpu)} = {kube['cpu']}",
        f"kube-reserved memory: 11 * {given.max_pods} max pods + 255 = {memory_mib}Mi",
        "kube-reserved ephemeral-storage: 1Gi",
    )
    return ProfileSettings(kube, {}, EVICTION_HARD, steps=steps, sources=_SOURCES)


def _max_pods(
    instance: InstanceType | None, custom_networking: bool, prefix_delegation: bool
) -> tuple[int, str]:
    if instance is None:
        return 110, "nodeadm's fallback when the instance type is unknown (110, the kubelet's default)"
    if custom_networking or prefix_delegation:
        pods, how = max_pods_calculator(
            instance, custom_networking=custom_networking, prefix_delegation=prefix_delegation
        )
        return pods, f"max-pods-calculator.sh for {instance.name}: {how} ({CALCULATOR_SOURCE})"
    pods = eni_max_pods(instance)
    return pods, (
        f"nodeadm for {instance.name}: {instance.max_enis} ENIs * ({instance.ipv4_per_eni} IPv4 per ENI - 1)"
        f" + 2 = {pods} ({NODEADM_SOURCE})"
    )


PROFILE = Profile("eks", "Amazon EKS, Amazon Linux 2023 AMI (nodeadm)", _settings, _max_pods)
