"""``openshift``: OpenShift Container Platform nodes, configured by the Machine Config Operator.

The kubelet gets ``--system-reserved=cpu=${SYSTEM_RESERVED_CPU},memory=${SYSTEM_RESERVED_MEMORY},
ephemeral-storage=${SYSTEM_RESERVED_ES}`` from ``/etc/node-sizing.env``, which the MCO's
``dynamic-system-reserved-calc.sh`` writes (templates/common/_base/files/kubelet-auto-sizing.yaml):

* static (``autoSizingReserved: false``): ``500m``, ``1Gi``, ``1Gi``;
* auto-sizing (``autoSizingReserved: true``, ``--sizing auto``): memory is 1 GiB up to 8 GiB,
  plus 6% of the next 120 GiB, plus 2% above (the script's own arithmetic: whole GiB as
  ``free -g`` reports them, then rounded to a whole GiB); CPU (sizing version 2) is
  ``0.06 + 0.012 * (cores - 1)`` cores to two decimals, at least ``0.5``.

No kube-reserved; no ``evictionHard`` in the kubelet configuration, so the kubelet's defaults
apply; ``maxPods: 250`` (templates/*/01-*-kubelet/_base/files/kubelet.yaml).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from quantities.capacity.kubelet_flags import DEFAULT_EVICTION_HARD
from quantities.capacity.providers.base import GIB, Profile, ProfileInput, ProfileSettings, Source, binary
from quantities.quantity.quantity import Quantity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.instance_types import InstanceType

__all__ = ["PROFILE", "auto_sizing"]

_MCO = "https://github.com/openshift/machine-config-operator/blob/main/"
_SCRIPT = _MCO + "templates/common/_base/files/kubelet-auto-sizing.yaml (dynamic-system-reserved-calc.sh)"
_APPLIES = "OpenShift 4.15 and later (Kubernetes 1.28-1.36)"


def _decimal(value: Fraction) -> str:
    """A fraction whose denominator is a power of ten, as its decimal text (``1.48``)."""
    return str(Decimal(value.numerator) / Decimal(value.denominator))


def auto_sizing(memory_bytes: int, cores: int) -> tuple[Quantity, Quantity, str]:
    """The auto-sizing script's system-reserved memory and CPU for a node.

    >>> [str(q) for q in auto_sizing(16 * GIB, 4)[:2]]
    ['1Gi', '500m']
    >>> [str(q) for q in auto_sizing(256 * GIB, 64)[:2]]
    ['10Gi', '820m']
    """
    total = memory_bytes // GIB  # free -g: whole GiB
    if total <= 8:
        gib = Fraction(1)
    elif total - 8 <= 120:
        gib = 1 + Fraction(6, 100) * (total - 8)
    else:
        # The script adds 6.72 (6% of 112) and then 2% of what is left after taking 112, not 120.
        gib = 1 + Fraction(672, 100) + Fraction(2, 100) * (total - 8 - 112)
    rounded = int(gib + Fraction(1, 2))  # awk printf("%d", x + 0.5)
    cpu = Fraction(6, 100) + Fraction(12, 1000) * (cores - 1) if cores > 1 else Fraction(6, 100)
    hundredths = round(cpu * 100)  # printf "%.2f" (the third decimal is never a tie here)
    cpu_value = max(Fraction(hundredths, 100), Fraction(1, 2))
    how = (
        f"memory: {total}Gi by free -g -> {_decimal(gib)} -> {rounded}Gi; cpu: 0.06 + 0.012 * ({cores} - 1)"
        f" = {_decimal(cpu)} -> {_decimal(Fraction(hundredths, 100))}, at least 0.5"
    )
    return binary(rounded * GIB), Quantity.from_fraction(cpu_value), how


def _settings(given: ProfileInput) -> ProfileSettings:
    if given.sizing == "auto":
        memory, cpu, how = auto_sizing(
            given.capacity["memory"].value(), given.capacity["cpu"].milli_value() // 1000
        )
        system = {"cpu": cpu, "ephemeral-storage": Quantity("1Gi"), "memory": memory}
        steps = (f"system-reserved (auto-sizing): {how}; ephemeral-storage 1Gi",)
        what = "system-reserved by autoSizingReserved (dynamic_node_sizing, sizing version 2)"
    else:
        system = {"cpu": Quantity("500m"), "ephemeral-storage": Quantity("1Gi"), "memory": Quantity("1Gi")}
        steps = ("system-reserved (static): cpu 500m, memory 1Gi, ephemeral-storage 1Gi",)
        what = "system-reserved static defaults (static_node_sizing: 500m, 1Gi, 1Gi)"
    sources = (
        Source(what, _SCRIPT, _APPLIES),
        Source(
            "maxPods 250, no evictionHard (the kubelet's defaults apply), no kube-reserved",
            _MCO + "templates/worker/01-worker-kubelet/_base/files/kubelet.yaml",
            _APPLIES,
        ),
    )
    return ProfileSettings({}, system, DEFAULT_EVICTION_HARD, steps=steps, sources=sources)


def _max_pods(
    instance: InstanceType | None, custom_networking: bool, prefix_delegation: bool
) -> tuple[int, str]:
    return 250, "the MCO's kubelet configuration (maxPods: 250)"


PROFILE = Profile("openshift", "OpenShift Container Platform (Machine Config Operator)", _settings, _max_pods)
