"""EC2 instance types: their published size, their network interfaces, and what EKS makes of them.

The data is ``data/ec2_instance_types.csv`` (read once through :mod:`importlib.resources`):
vCPUs and memory from the published instance specifications, and the ENI limits the EKS
AMI's ``nodeadm`` ships (``instance-info.jsonl``, from which ``eni-max-pods.txt`` is made).
Every row names both sources.

Two capacity models turn a type into a node's capacity (the kubelet measures the real one;
a node that does not exist yet has to be estimated, and the answer says which model it used):

* ``nominal``: the published vCPUs and memory, as they are;
* ``karpenter`` (the default): Karpenter's estimate, ``--vm-memory-overhead-percent``
  (0.075) of the memory taken off for the hypervisor and firmware, and 64 MiB more on
  Graviton (arm64) for the CMA area (karpenter-provider-aws,
  ``pkg/providers/instancetype/types.go`` ``memory()``).

>>> m5 = instance_type("m5.large")
>>> m5.vcpus, m5.memory_mib, eni_max_pods(m5)
(2, 8192, 29)
>>> str(capacity_memory(m5, "karpenter")), str(capacity_memory(m5, "nominal"))
('7577Mi', '8Gi')
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import io
from fractions import Fraction
from importlib import resources

from quantities.capacity.kubelet_flags import round_float64
from quantities.manifest.problems import ManifestError, Problem
from quantities.quantity.errors import quote
from quantities.quantity.quantity import Quantity
from quantities.quantity.suffix import Format

__all__ = [
    "CAPACITY_MODELS",
    "KARPENTER_VM_MEMORY_OVERHEAD",
    "InstanceType",
    "capacity_memory",
    "eni_max_pods",
    "instance_type",
    "instance_types",
    "max_pods_calculator",
]

#: Karpenter's default ``--vm-memory-overhead-percent`` (a fraction, despite the name).
KARPENTER_VM_MEMORY_OVERHEAD = "0.075"

#: The ways a machine type becomes a node capacity (see the module docstring).
CAPACITY_MODELS = ("karpenter", "nominal")

KARPENTER_SOURCE = (
    "https://github.com/aws/karpenter-provider-aws/blob/main/pkg/providers/instancetype/types.go"
    " (memory(): SizeInMiB, minus 64Mi on arm64, minus ceil(memory * vm-memory-overhead-percent) Mi;"
    " pkg/operator/options/options.go: vm-memory-overhead-percent defaults to 0.075)"
)
NODEADM_SOURCE = (
    "https://github.com/awslabs/amazon-eks-ami/blob/main/nodeadm/internal/kubelet/eni_max_pods.go"
    " (calculateStandardMaxPods: default ENIs * (IPv4 per ENI - 1) + 2)"
)
CALCULATOR_SOURCE = (
    "https://github.com/awslabs/amazon-eks-ami/blob/main/templates/al2023/runtime/max-pods-calculator.sh"
    " (custom networking: one ENI fewer; prefix delegation on Nitro: ENIs * ((IPs - 1) * 16) + 2;"
    " recommended value capped at 110, or 250 above 30 vCPUs)"
)


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceType:
    """One EC2 instance type, as the data file describes it."""

    name: str
    vcpus: int
    memory_mib: int
    architecture: str
    #: ``nitro``, or empty for bare metal (DescribeInstanceTypes gives no hypervisor there).
    hypervisor: str
    gpus: int
    #: ENIs on the default network card, and IPv4 addresses per ENI.
    max_enis: int
    ipv4_per_eni: int
    spec_source: str
    eni_source: str

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


@functools.cache
def instance_types() -> dict[str, InstanceType]:
    """Every instance type of the data file, by name."""
    text = resources.files("quantities.capacity").joinpath("data/ec2_instance_types.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    types: dict[str, InstanceType] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        types[row["instance_type"]] = InstanceType(
            name=row["instance_type"],
            vcpus=int(row["vcpus"]),
            memory_mib=int(row["memory_mib"]),
            architecture=row["architecture"],
            hypervisor=row["hypervisor"],
            gpus=int(row["gpus"]),
            max_enis=int(row["max_enis"]),
            ipv4_per_eni=int(row["ipv4_per_eni"]),
            spec_source=row["spec_source"],
            eni_source=row["eni_source"],
        )
    return types


def instance_type(name: str, path: str = "instance_type") -> InstanceType:
    """The instance type called ``name``; an unknown one is a located problem with the closest names."""
    types = instance_types()
    found = types.get(name.strip().lower()) if isinstance(name, str) else None
    if found is not None:
        return found
    text = name if isinstance(name, str) else str(name)
    close = difflib.get_close_matches(text.strip().lower(), list(types), n=3, cutoff=0.6)
    families = sorted({known.split(".")[0] for known in types})
    hint = ("did you mean " + " or ".join(close) + "?") if close else None
    raise ManifestError(
        [
            Problem(
                path,
                f"unknown instance type {quote(text)}: the data file covers the families "
                + ", ".join(families)
                + "; for another type give its capacity with --cpu and --memory (and --max-pods)",
                value=quote(text),
                hint=hint,
            )
        ]
    )


def eni_max_pods(instance: InstanceType) -> int:
    """nodeadm's default max pods (and eni-max-pods.txt's): ``ENIs * (IPv4 per ENI - 1) + 2``."""
    return instance.max_enis * (instance.ipv4_per_eni - 1) + 2


def max_pods_calculator(
    instance: InstanceType, *, custom_networking: bool = False, prefix_delegation: bool = False
) -> tuple[int, str]:
    """max-pods-calculator.sh's recommended value (a VPC CNI of 1.9 or later) and how it was reached.

    >>> max_pods_calculator(instance_type("m5.large"), prefix_delegation=True)
    (110, 'prefix delegation: 3 ENIs * ((10 - 1) * 16) + 2 = 434, capped at 110 (30 vCPUs or fewer)')
    """
    enis = instance.max_enis - (1 if custom_networking else 0)
    enis_text = f"{enis} ENIs" + (" (one fewer: custom networking)" if custom_networking else "")
    nitro = instance.hypervisor == "nitro"
    if prefix_delegation and nitro:
        pods = enis * ((instance.ipv4_per_eni - 1) * 16) + 2
        how = f"prefix delegation: {enis_text} * (({instance.ipv4_per_eni} - 1) * 16) + 2 = {pods}"
    else:
        pods = enis * (instance.ipv4_per_eni - 1) + 2
        how = f"secondary IPs: {enis_text} * ({instance.ipv4_per_eni} - 1) + 2 = {pods}"
        if prefix_delegation:
            how += " (prefix delegation needs a Nitro hypervisor; bare metal has none)"
    ceiling, which = (250, "more than 30 vCPUs") if instance.vcpus > 30 else (110, "30 vCPUs or fewer")
    if pods > ceiling:
        how += f", capped at {ceiling} ({which})"
        pods = ceiling
    return pods, how


def _float64_ceiling(value: Fraction) -> int:
    """``math.Ceil`` of the float64 nearest ``value`` (Go's product is rounded before the ceiling)."""
    rounded = round_float64(value)
    return -((-rounded.numerator) // rounded.denominator)


def capacity_memory(
    instance: InstanceType, model: str, overhead: str = KARPENTER_VM_MEMORY_OVERHEAD
) -> Quantity:
    """The memory capacity a node of this type is estimated to have under ``model``.

    ``karpenter``: ``SizeInMiB`` (less 64 on arm64) ``Mi``, less ``ceil(bytes * overhead / 2**20) Mi``,
    computed as Karpenter computes it in float64.
    """
    if model == "nominal":
        return Quantity.from_int(instance.memory_mib * 2**20, Format.BINARY_SI)
    mib = instance.memory_mib - (64 if instance.architecture == "arm64" else 0)
    fraction = _float64_overhead(overhead)
    # float64(mem.Value()) * overhead, then /1024/1024 (exact: powers of two), then math.Ceil.
    product = round_float64(Fraction(mib * 2**20) * fraction)
    overhead_mib = _float64_ceiling(product / 2**20)
    return Quantity.from_int((mib - overhead_mib) * 2**20, Format.BINARY_SI)


def _float64_overhead(text: str) -> Fraction:
    return round_float64(Fraction(text))
