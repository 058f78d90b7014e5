"""Physical units for quantities, through pint, with exact magnitudes.

A Kubernetes quantity has no unit: ``memory: 1Gi`` is a number of bytes because
the resource is memory. Here we let a person say which unit a number is in and
convert exactly (``Fraction`` magnitudes, never a float in between).

pint evaluates arithmetic inside the strings it parses, so user text never
reaches it: a unit name is first looked up in ``UNITS``, our own table, and
pint only ever sees the names in that table. The registry is built on first
use, so ``import quantities`` does not import pint.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from quantities.quantity.errors import QuantityError
from quantities.quantity.suffix import Format

if TYPE_CHECKING:
    import pint

__all__ = [
    "BINARY_UNITS",
    "UNITS",
    "convert",
    "exact_base_value",
    "exact_decimal",
    "registry",
]

_DECIMAL_PREFIXES = {"k": "kilo", "M": "mega", "G": "giga", "T": "tera", "P": "peta", "E": "exa"}
_BINARY_PREFIXES = {"Ki": "kibi", "Mi": "mebi", "Gi": "gibi", "Ti": "tebi", "Pi": "pebi", "Ei": "exbi"}

#: Every unit name we accept, mapped to the pint unit it stands for.
UNITS: dict[str, str] = {
    "B": "byte", "byte": "byte", "bytes": "byte",
    "core": "core", "cores": "core", "cpu": "core", "cpus": "core",
    "vCPU": "core", "vcpu": "core", "vcpus": "core",
    "millicore": "millicore", "millicores": "millicore", "millicpu": "millicore",
    "mcpu": "millicore",
}
for _symbol, _name in _DECIMAL_PREFIXES.items():
    UNITS[_symbol + "B"] = _name + "byte"
    UNITS[_name + "byte"] = _name + "byte"
    UNITS[_name + "bytes"] = _name + "byte"
UNITS["KB"] = "kilobyte"  # common, if not SI: a capital K still means 1000 here
for _symbol, _name in _BINARY_PREFIXES.items():
    UNITS[_symbol + "B"] = _name + "byte"
    UNITS[_name + "byte"] = _name + "byte"
    UNITS[_name + "bytes"] = _name + "byte"

#: The pint unit names with a binary prefix: their quantities come out in binary SI.
BINARY_UNITS = frozenset(name + "byte" for name in _BINARY_PREFIXES.values())

_DEFINITIONS = [
    "kilo- = 1000 = k-", "mega- = 1000**2 = M-", "giga- = 1000**3 = G-",
    "tera- = 1000**4 = T-", "peta- = 1000**5 = P-", "exa- = 1000**6 = E-",
    "kibi- = 2**10 = Ki-", "mebi- = 2**20 = Mi-", "gibi- = 2**30 = Gi-",
    "tebi- = 2**40 = Ti-", "pebi- = 2**50 = Pi-", "exbi- = 2**60 = Ei-",
    "milli- = 1/1000 = m-",
    "byte = [information] = B",
    "core = [cpu]",
]


@functools.cache
def registry() -> pint.UnitRegistry[Any]:
    """Our own small pint registry: bytes and cores, exact ``Fraction`` arithmetic."""
    import pint

    units: pint.UnitRegistry[Any] = pint.UnitRegistry(None, non_int_type=Fraction)
    for definition in _DEFINITIONS:
        units.define(definition)
    return units


def pint_unit(name: str) -> str:
    """The pint unit for a name a person typed, or a QuantityError."""
    unit = UNITS.get(name)
    if unit is None:
        known = ", ".join(sorted({k for k in UNITS if len(k) <= 3}))
        raise QuantityError(name, "unknown unit", hint=f"known units include {known}")
    return unit


def _base_unit(unit: str) -> str:
    return "core" if unit.endswith("core") else "byte"


def convert(value: Fraction, unit: str) -> pint.Quantity[Any]:
    """``value`` (bytes or cores, by the unit asked for) expressed in ``unit``, exactly."""
    target = pint_unit(unit)
    units = registry()
    return units.Quantity(value, _base_unit(target)).to(target)


def to_fraction(magnitude: object) -> Fraction:
    """An exact Fraction for a pint magnitude; floats by their shortest decimal form."""
    from decimal import Decimal

    if isinstance(magnitude, Fraction):
        return magnitude
    if isinstance(magnitude, bool) or not isinstance(magnitude, (int, float, Decimal)):
        raise QuantityError(repr(magnitude), "magnitude is not a number")
    if isinstance(magnitude, float):
        if magnitude != magnitude or magnitude in (float("inf"), float("-inf")):
            raise QuantityError(repr(magnitude), "quantities are finite numbers")
        return Fraction(repr(magnitude))
    if isinstance(magnitude, Decimal) and not magnitude.is_finite():
        raise QuantityError(str(magnitude), "quantities are finite numbers")
    return Fraction(magnitude)


def exact_base_value(quantity: pint.Quantity[Any]) -> tuple[Fraction, Format]:
    """A pint quantity of bytes or cores (from our registry or any other): its exact value in
    bytes or cores, and the format a Kubernetes quantity of it takes."""
    unit_name = str(quantity.units)
    target = pint_unit(unit_name)
    magnitude = to_fraction(quantity.magnitude)
    units = registry()
    base = _base_unit(target)
    exact = units.Quantity(magnitude, target).to(base).magnitude
    fmt = Format.BINARY_SI if target in BINARY_UNITS else Format.DECIMAL_SI
    return to_fraction(exact), fmt


def exact_decimal(value: object) -> str:
    """A Fraction or Decimal whose decimal expansion ends, written out in full.

    >>> from fractions import Fraction
    >>> exact_decimal(Fraction(3, 2)), exact_decimal(Fraction(1953125, 2097152))
    ('1.5', '0.931322574615478515625')
    """
    from decimal import Decimal
    from fractions import Fraction

    fraction = value if isinstance(value, Fraction) else Fraction(str(value))
    denominator, places = fraction.denominator, 0
    # Unit conversions only divide by powers of 2 and 5, so the expansion ends.
    while denominator % 10 == 0 or denominator % 2 == 0 or denominator % 5 == 0:
        if denominator % 10 == 0:
            denominator //= 10
        elif denominator % 2 == 0:
            denominator //= 2
        else:
            denominator //= 5
        places += 1
    if denominator != 1:
        raise ValueError(f"{fraction} has no finite decimal expansion")
    scaled = fraction * 10**places
    text = format(Decimal(scaled.numerator).scaleb(-places), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
