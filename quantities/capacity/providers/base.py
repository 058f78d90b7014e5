"""What a provider profile is: the kubelet settings a managed offering gives a node, and where they come from.

A profile turns a node's capacity (and max pods) into the three settings the kubelet
subtracts: ``--kube-reserved``, ``--system-reserved`` and ``--eviction-hard``, in the
kubelet's own flag syntax, with the published source of every figure and the releases it
applies to. The kubelet's arithmetic itself is :mod:`quantities.capacity.allocatable`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from quantities.quantity.quantity import Quantity
from quantities.quantity.suffix import Format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.instance_types import InstanceType
    from quantities.options import Options

__all__ = [
    "GIB",
    "MIB",
    "Profile",
    "ProfileInput",
    "ProfileSettings",
    "Source",
    "binary",
    "cpu_tiers",
    "milli",
    "regressive_memory_tiers",
]

MIB = 2**20
GIB = 2**30


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """Where a figure comes from: the document or code, what it gives, and the releases it applies to."""

    what: str
    document: str
    applies_to: str

    def to_json(self) -> dict[str, str]:
        return {"what": self.what, "document": self.document, "applies_to": self.applies_to}


@dataclasses.dataclass(frozen=True, slots=True)
class ProfileInput:
    """What a profile may look at: the node's capacity, its max pods, the release, the machine type."""

    capacity: Mapping[str, Quantity]
    max_pods: int
    options: Options
    instance: InstanceType | None = None
    #: openshift: ``static`` (the default) or ``auto`` (autoSizingReserved).
    sizing: str = "static"


@dataclasses.dataclass(frozen=True, slots=True)
class ProfileSettings:
    """The kubelet settings a profile gives: quantities, and the eviction thresholds in flag syntax."""

    kube_reserved: Mapping[str, Quantity]
    system_reserved: Mapping[str, Quantity]
    eviction_hard: str
    #: How each figure was reached, in words (``memory: 11 * 29 + 255 = 574Mi``).
    steps: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """A provider: its name, what it models, its settings, and its default max pods."""

    name: str
    title: str
    settings: Callable[[ProfileInput], ProfileSettings]
    #: Max pods when none is given, and why: from the machine type and the VPC CNI's custom
    #: networking and prefix delegation (eks), or a constant.
    default_max_pods: Callable[[InstanceType | None, bool, bool], tuple[int, str]]


def binary(value: int) -> Quantity:
    """Bytes as a BinarySI quantity (``574Mi``), as the kubelet writes memory."""
    return Quantity.from_int(value, Format.BINARY_SI)


def milli(value: int) -> Quantity:
    """Millicores as a quantity (``70m``)."""
    return Quantity.from_milli(value)


def regressive_memory_tiers(memory: int) -> tuple[int, str]:
    """25% of the first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112, 2% above 128 GiB.

    In whole bytes, each tier truncated as Gardener's implementation of the same table does
    (plugin/pkg/shoot/resourcereservation/admission.go ``calculateMemoryReservation``), which
    its tests check against the published table.

    >>> regressive_memory_tiers(4 * GIB)
    (1073741824, '25% of the first 4Gi')
    """
    reserved = min(memory, 4 * GIB) // 4
    parts = ["25% of the first 4Gi"]
    if memory >= 4 * GIB:
        reserved += (min(memory, 8 * GIB) - 4 * GIB) // 5
        if memory > 4 * GIB:
            parts.append("20% of the next 4Gi")
    if memory >= 8 * GIB:
        reserved += (min(memory, 16 * GIB) - 8 * GIB) // 10
        if memory > 8 * GIB:
            parts.append("10% of the next 8Gi")
    if memory >= 16 * GIB:
        reserved += (min(memory, 128 * GIB) - 16 * GIB) // 100 * 6
        if memory > 16 * GIB:
            parts.append("6% of the next 112Gi")
    if memory >= 128 * GIB:
        reserved += (memory - 128 * GIB) // 100 * 2
        if memory > 128 * GIB:
            parts.append("2% above 128Gi")
    return reserved, " + ".join(parts)


def cpu_tiers(milli_cpu: int) -> tuple[int, str]:
    """6% of the first core, 1% of the second, 0.5% of the next 2, 0.25% of every core above 4.

    In whole millicores per range, truncated: nodeadm's ``getCPUMillicoresToReserve``
    (``(reserved - start) * percentage / 10000`` per range, percentages 600/100/50/25), which
    for whole cores equals Gardener's ``calculateCPUReservation``.

    >>> cpu_tiers(2000)
    (70, '6% of the first core + 1% of the second')
    >>> cpu_tiers(5000)[0]
    82
    """
    ranges = (
        (0, 1000, 600, "6% of the first core"),
        (1000, 2000, 100, "1% of the second"),
        (2000, 4000, 50, "0.5% of cores 3-4"),
        (4000, None, 25, "0.25% above 4 cores"),
    )
    reserved = 0
    parts = []
    for start, end, percentage, words in ranges:
        if milli_cpu <= start:
            continue
        top = milli_cpu if end is None else min(milli_cpu, end)
        reserved += (top - start) * percentage // 10000
        parts.append(words)
    return reserved, " + ".join(parts)
