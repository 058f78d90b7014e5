"""The kubelet's reservation flags, read as the kubelet reads them, and its eviction arithmetic.

* ``--kube-reserved`` / ``--system-reserved`` (``cpu=100m,memory=1Gi``): component-base's
  ``MapStringString.Set`` (pairs split on ``,``, key and value on the first ``=``, both
  trimmed; the first ``Set`` clears the defaults) and then ``parseResourceList`` in
  ``cmd/kubelet/app/server.go`` (only ``cpu``, ``memory``, ``ephemeral-storage`` and ``pid``;
  quantities not negative). Messages are the kubelet's: ``cannot reserve "gpu" resource``.
* ``--eviction-hard`` (``memory.available<100Mi,nodefs.available<10%``): component-base's
  ``LangleSeparatedMapStringString.Set``, which also *clears the defaults* on the first
  ``Set`` (so a partial flag replaces ``memory.available<100Mi,nodefs.available<10%,
  imagefs.available<15%,nodefs.inodesFree<5%``, it does not merge with it), then
  ``parseThresholdStatement`` in ``pkg/kubelet/eviction/helpers.go``.
* :func:`threshold_amount` is ``evictionapi.GetThresholdQuantity``: a percentage is a
  ``float32`` (``strconv.ParseFloat(s, 32)``, then ``float32(value) / 100``) and the amount
  is ``int64(float64(capacity.Value()) * float64(percentage))``. We do that arithmetic
  exactly, with integers, rounding where Go's floats round, so ``nodefs.available<10%`` of
  100Gi is the kubelet's 10737418400 bytes (``float32(0.1)`` is a little over 0.1), not 10Gi.

>>> hard = parse_eviction_hard("memory.available<500Mi, nodefs.available<10%")
>>> [str(threshold) for threshold in hard]
['memory.available<500Mi', 'nodefs.available<10%']
>>> threshold_amount(hard[1], parse_quantity("100Gi"))
Quantity('10737418400')
>>> parse_reserved("cpu=1, memory=2Gi", "kube_reserved")
{'cpu': Quantity('1'), 'memory': Quantity('2Gi')}
"""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction

from quantities.manifest.problems import ManifestError, Problem, key
from quantities.quantity.errors import QuantityError, quote
from quantities.quantity.quantity import Quantity, parse_quantity
from quantities.quantity.suffix import Format

__all__ = [
    "DEFAULT_EVICTION_HARD",
    "RESERVABLE",
    "SIGNALS",
    "EvictionThreshold",
    "eviction_reservation",
    "format_eviction_hard",
    "parse_eviction_hard",
    "parse_reserved",
    "round_float32",
    "round_float64",
    "threshold_amount",
]

#: What ``--kube-reserved`` and ``--system-reserved`` accept (``parseResourceList``).
RESERVABLE = ("cpu", "memory", "ephemeral-storage", "pid")

#: The eviction signals the kubelet knows (``signalToResource`` in pkg/kubelet/eviction/helpers.go).
SIGNALS = (
    "memory.available",
    "allocatableMemory.available",
    "nodefs.available",
    "nodefs.inodesFree",
    "imagefs.available",
    "imagefs.inodesFree",
    "containerfs.available",
    "containerfs.inodesFree",
    "pid.available",
)

#: The kubelet's default ``--eviction-hard`` on Linux (pkg/kubelet/eviction/defaults_linux.go).
DEFAULT_EVICTION_HARD = (
    "memory.available<100Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%"
)

#: Which node resource a hard threshold reserves (``hardEvictionReservation`` in pkg/kubelet/cm):
#: only these two signals take anything from allocatable.
_RESERVING = {"memory.available": "memory", "nodefs.available": "ephemeral-storage"}


def _problem(path: str, message: str, value: str | None = None, hint: str | None = None) -> ManifestError:
    return ManifestError([Problem(path, message, value=None if value is None else quote(value), hint=hint)])


def _pairs(text: str, separator: str, path: str) -> list[tuple[str, str]]:
    """component-base's map flags: ``k=v,k=v`` (or ``k<v``); a later key wins, as in the Go map."""
    pairs: dict[str, str] = {}
    for item in text.split(","):
        if separator == "=":
            item = item.strip()  # MapStringString trims the item; the "<" form only its two halves
        if not item:
            continue
        name, found, value = item.partition(separator)
        if not found:
            raise _problem(
                path,
                f"malformed pair, expect string{separator}string",
                item,
                hint=f"write name{separator}value pairs separated by commas, as in "
                + (
                    "cpu=100m,memory=1Gi"
                    if separator == "="
                    else "memory.available<100Mi,nodefs.available<10%"
                ),
            )
        pairs[name.strip()] = value.strip()
    return list(pairs.items())


def parse_reserved(text: str, path: str = "kube_reserved") -> dict[str, Quantity]:
    """``--kube-reserved`` / ``--system-reserved`` text as the kubelet reads it; problems at ``path``."""
    reserved: dict[str, Quantity] = {}
    for name, value in _pairs(text, "=", path):
        where = key(path, name) if name else path
        if name not in RESERVABLE:
            close = [r for r in RESERVABLE if r.startswith(name[:3])] if name else []
            raise _problem(
                where,
                f"cannot reserve {quote(name)} resource: only " + ", ".join(RESERVABLE) + " can be reserved",
                value,
                hint=f"did you mean {close[0]}?" if close else None,
            )
        try:
            quantity = parse_quantity(value)
        except QuantityError as error:
            raise ManifestError(
                [
                    Problem(
                        where,
                        f"failed to parse quantity {quote(value)} for {quote(name)} resource: {error.reason}",
                        kubernetes=error.kubernetes_message,
                        value=quote(value),
                        hint=error.hint,
                    )
                ]
            ) from None
        if quantity.sign() < 0:
            raise _problem(where, f"resource quantity for {quote(name)} cannot be negative: {value}", value)
        reserved[name] = quantity
    return reserved


# ---------------------------------------------------------------------------
# Go's floats, exactly: a value is a Fraction that a float32/float64 can hold.


def _round_binary(value: Fraction, mantissa: int, min_exponent: int) -> Fraction:
    """``value`` rounded to the nearest binary float with ``mantissa`` significant bits (ties to even),
    subnormals below ``2**min_exponent``. No overflow here: callers keep values far below the maximum."""
    if value == 0:
        return value
    sign = -1 if value < 0 else 1
    value = abs(value)
    exponent = value.numerator.bit_length() - value.denominator.bit_length()
    if Fraction(2) ** exponent > value:
        exponent -= 1
    exponent = max(exponent, min_exponent)
    ulp = Fraction(2) ** (exponent - mantissa + 1)
    units, remainder = divmod(value, ulp)
    if remainder * 2 > ulp or (remainder * 2 == ulp and units % 2 == 1):
        units += 1
    return sign * units * ulp


def round_float32(value: Fraction) -> Fraction:
    return _round_binary(value, 24, -126)


def round_float64(value: Fraction) -> Fraction:
    return _round_binary(value, 53, -1022)


# strconv.ParseFloat's decimal syntax (underscores are allowed only after a base prefix).
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SPECIAL = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, slots=True)
class EvictionThreshold:
    """One ``signal<value`` of ``--eviction-hard``: a quantity, or a percentage as the kubelet's float32."""

    signal: str
    text: str
    quantity: Quantity | None = None
    #: ``float32(value) / 100`` exactly, when the value is a percentage.
    percentage: Fraction | None = None

    def __str__(self) -> str:
        return f"{self.signal}<{self.text}"

    @property
    def resource(self) -> str | None:
        """The node resource this threshold reserves, or None (only memory and nodefs reserve)."""
        return _RESERVING.get(self.signal)


def _percentage(text: str, path: str) -> Fraction:
    """``parsePercentage``: ``strconv.ParseFloat(strings.TrimRight(input, "%"), 32) / 100`` in float32."""
    number = text.rstrip("%")
    if _SPECIAL.fullmatch(number):
        if number.lower().lstrip("+-").startswith("nan"):
            raise _problem(
                path, f"{quote(text)} is not a number", text, hint="write a percentage such as 10%"
            )
        bound = ">= 0%" if number.startswith("-") else "<= 100%"
        raise _problem(path, f"eviction percentage threshold must be {bound}: {text}", text)
    if not _DECIMAL.fullmatch(number):
        raise _problem(
            path,
            f"strconv.ParseFloat: parsing {quote(number)}: invalid syntax",
            text,
            hint="write a percentage such as 10% or a quantity such as 100Mi",
        )
    exact = Fraction(number)
    if abs(exact) >= Fraction(2) ** 128:  # past float32's range: ParseFloat's ErrRange
        raise _problem(path, f"strconv.ParseFloat: parsing {quote(number)}: value out of range", text)
    return round_float32(round_float32(exact) / 100)


def _threshold(signal: str, value: str, path: str) -> EvictionThreshold | None:
    """``parseThresholdStatement``: None for a threshold the kubelet ignores (``0%`` and ``100%``)."""
    if signal not in SIGNALS:
        close = [s for s in SIGNALS if s.split(".")[0] == signal.split(".")[0]]
        raise _problem(
            path,
            f"unsupported eviction signal {signal}: the signals are " + ", ".join(SIGNALS),
            f"{signal}<{value}",
            hint=f"did you mean {close[0]}?" if close else None,
        )
    if value.endswith("%"):
        if value in ("0%", "100%"):
            return None
        percentage = _percentage(value, path)
        if percentage < 0:
            raise _problem(path, f"eviction percentage threshold {signal} must be >= 0%: {value}", value)
        if percentage > 1:
            raise _problem(path, f"eviction percentage threshold {signal} must be <= 100%: {value}", value)
        return EvictionThreshold(signal, value, percentage=percentage)
    try:
        quantity = parse_quantity(value)
    except QuantityError as error:
        raise ManifestError(
            [
                Problem(
                    path,
                    f"invalid threshold {quote(value)} for {signal}: {error.reason}",
                    kubernetes=error.kubernetes_message,
                    value=quote(value),
                    hint=error.hint or "write a quantity such as 100Mi or a percentage such as 10%",
                )
            ]
        ) from None
    if quantity.sign() <= 0:
        raise _problem(path, f"eviction threshold {signal} must be positive: {quantity}", value)
    return EvictionThreshold(signal, value, quantity=quantity)


def parse_eviction_hard(text: str, path: str = "eviction_hard") -> tuple[EvictionThreshold, ...]:
    """``--eviction-hard`` as the kubelet reads it: ``signal<value`` pairs; the ones it ignores are left out.

    What is given is the whole set (the defaults are cleared, not merged):

    >>> [t.signal for t in parse_eviction_hard("memory.available<1Gi")]
    ['memory.available']
    """
    thresholds = []
    for signal, value in _pairs(text, "<", path):
        threshold = _threshold(signal, value, key(path, signal) if signal else path)
        if threshold is not None:
            thresholds.append(threshold)
    return tuple(thresholds)


def format_eviction_hard(thresholds: tuple[EvictionThreshold, ...]) -> dict[str, str]:
    """The thresholds as a ``signal: value`` map, as the kubelet's configuration file writes them."""
    return {threshold.signal: threshold.text for threshold in thresholds}


def threshold_amount(threshold: EvictionThreshold, capacity: Quantity | None) -> Quantity:
    """``GetThresholdQuantity``: the quantity itself, or ``int64(float64(capacity.Value()) * float64(p))``
    as a BinarySI quantity (the kubelet's arithmetic, reproduced exactly)."""
    if threshold.quantity is not None:
        return threshold.quantity
    assert threshold.percentage is not None
    value = 0 if capacity is None else capacity.value()
    product = round_float64(round_float64(Fraction(value)) * threshold.percentage)
    # int64() truncates toward zero.
    whole = (
        product.numerator // product.denominator
        if product >= 0
        else -((-product.numerator) // product.denominator)
    )
    return Quantity.from_int(whole, Format.BINARY_SI)


def eviction_reservation(
    thresholds: tuple[EvictionThreshold, ...], capacity: dict[str, Quantity]
) -> dict[str, Quantity]:
    """``hardEvictionReservation``: memory from ``memory.available``, ephemeral-storage from
    ``nodefs.available``; every other signal reserves nothing. A later threshold for the same
    resource wins, as in the kubelet's map."""
    reserved: dict[str, Quantity] = {}
    for threshold in thresholds:
        resource = threshold.resource
        if resource is not None:
            reserved[resource] = threshold_amount(threshold, capacity.get(resource))
    return reserved
