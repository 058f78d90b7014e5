"""Units for quantities: bytes and cores, each kept in its own dimension, converted exactly.

A Kubernetes quantity has no unit: ``memory: 1Gi`` is a number of bytes because
the resource is memory. Here a person says which unit they want a number in,
and the way the number is written tells us what it counts:

* a binary suffix (``Ki`` ... ``Ei``) is only ever used for bytes;
* ``m``, ``u`` and ``n`` (thousandths, millionths, billionths) are only ever
  used for CPU: Kubernetes rounds a memory request up to whole bytes, so a
  fraction of a byte is never meant;
* a bare number, a decimal suffix (``k`` ... ``E``) or an exponent (``1e3``)
  can count either;
* a unit word (``2 GiB``, ``1.5 cores``) counts what its unit counts.

Converting a number to a unit of the other dimension is refused
(:class:`DimensionError`): ``1Gi`` in cores is a mistake, not 1073741824.

Unit names (:func:`find_unit`):

* Kubernetes suffixes alone keep Kubernetes' case and mean what they mean in
  a quantity: ``Gi`` is GiB, ``G`` is 10^9 of whatever the value counts,
  ``m`` is millicores (``M`` is a million, ``m`` a thousandth);
* unit words ignore case: ``GiB``, ``gib`` and ``GIB`` are all gibibytes;
  ``KB``, ``kb`` and ``kB`` are all 1000 bytes; there are no bits, so ``gb``
  is gigabytes;
* cores: ``cores``, ``core``, ``cpu``, ``vcpu``, ``millicores``, ``millicpu``,
  ``mcpu``, ``microcores``, ``nanocores``.

An unknown name gets the closest known names as a suggestion.

Conversions are exact: a value is a Fraction, every unit is a power of 2 or
10 of a byte or a core, so the answer's decimal expansion ends and
:func:`exact_decimal` writes it out in full with integer arithmetic (no
``decimal`` context, which would round to 28 digits).

pint evaluates arithmetic inside the strings it parses, so user text never
reaches it: a unit name is looked up in our own table and pint only ever sees
the names in that table. The registry is built on first use, so
``import quantities`` does not import pint.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from quantities.quantity.errors import QuantityError
from quantities.quantity.suffix import BINARY_SUFFIXES, Format

if TYPE_CHECKING:
    from decimal import Decimal

    import pint

__all__ = [
    "BINARY_UNITS",
    "BYTES",
    "CORES",
    "UNITS",
    "DimensionError",
    "Notation",
    "Unit",
    "UnitError",
    "check_dimension",
    "convert",
    "convert_exact",
    "exact_base_value",
    "exact_decimal",
    "find_unit",
    "notation_of",
    "registry",
]

Dimension = Literal["bytes", "cores"]
BYTES: Dimension = "bytes"
CORES: Dimension = "cores"


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: its usual ``symbol``, the ``pint`` unit it is, what it counts and how much.

    ``dimension`` is None for the bare decimal suffixes (``k`` ... ``E``), which
    scale bytes and cores alike; ``size`` is how many bytes or cores one unit is.
    """

    symbol: str
    pint: str
    dimension: Dimension | None
    size: Fraction

    def describe(self) -> str:
        """``"GiB is a unit of bytes"``, for messages."""
        what = {BYTES: "a unit of bytes (memory, storage)", CORES: "a unit of CPU"}
        return f"{self.symbol} is {what[self.dimension] if self.dimension else 'a plain multiplier'}"


_DECIMAL = [
    ("k", "kilo", 1),
    ("M", "mega", 2),
    ("G", "giga", 3),
    ("T", "tera", 4),
    ("P", "peta", 5),
    ("E", "exa", 6),
]
_BINARY = [("Ki", "kibi"), ("Mi", "mebi"), ("Gi", "gibi"), ("Ti", "tebi"), ("Pi", "pebi"), ("Ei", "exbi")]
_SCALE_WORDS = {1: "thousand", 2: "million", 3: "billion", 4: "trillion", 5: "quadrillion", 6: "quintillion"}

_BYTE = Unit("B", "byte", BYTES, Fraction(1))
_CORE = Unit("cores", "core", CORES, Fraction(1))
_MILLICORE = Unit("millicores", "millicore", CORES, Fraction(1, 1000))
_MICROCORE = Unit("microcores", "microcore", CORES, Fraction(1, 10**6))
_NANOCORE = Unit("nanocores", "nanocore", CORES, Fraction(1, 10**9))

#: Unit words, matched ignoring case (keys are lower case).
_WORDS: dict[str, Unit] = {
    "b": _BYTE,
    "byte": _BYTE,
    "bytes": _BYTE,
    "core": _CORE,
    "cores": _CORE,
    "cpu": _CORE,
    "cpus": _CORE,
    "vcpu": _CORE,
    "vcpus": _CORE,
    "millicore": _MILLICORE,
    "millicores": _MILLICORE,
    "millicpu": _MILLICORE,
    "millicpus": _MILLICORE,
    "mcpu": _MILLICORE,
    "microcore": _MICROCORE,
    "microcores": _MICROCORE,
    "nanocore": _NANOCORE,
    "nanocores": _NANOCORE,
}
#: Kubernetes suffixes alone, matched in their exact case as Kubernetes does.
_SUFFIXES: dict[str, Unit] = {"m": _MILLICORE, "u": _MICROCORE, "n": _NANOCORE}
for _symbol, _prefix, _power in _DECIMAL:
    _unit = Unit(_symbol + "B", _prefix + "byte", BYTES, Fraction(1000**_power))
    for _name in (_symbol + "B", _prefix + "byte", _prefix + "bytes"):
        _WORDS[_name.lower()] = _unit
    _SUFFIXES[_symbol] = Unit(_symbol, _SCALE_WORDS[_power], None, Fraction(1000**_power))
for _power, (_symbol, _prefix) in enumerate(_BINARY, start=1):
    _unit = Unit(_symbol + "B", _prefix + "byte", BYTES, Fraction(1024**_power))
    for _name in (_symbol + "B", _prefix + "byte", _prefix + "bytes"):
        _WORDS[_name.lower()] = _unit
    _SUFFIXES[_symbol] = _unit

#: Unit names in the spellings the old table had, each mapped to its pint unit name.
UNITS: dict[str, str] = {
    **{unit.symbol: unit.pint for unit in _WORDS.values()},
    **{name: unit.pint for name, unit in _WORDS.items() if name != "b"},
    "vCPU": "core",
    "KB": "kilobyte",
}

#: The pint unit names with a binary prefix: their quantities come out in binary SI.
BINARY_UNITS = frozenset(prefix + "byte" for _, prefix in _BINARY)

_BY_PINT = {unit.pint: unit for unit in _WORDS.values()}

_DEFINITIONS = [
    "kilo- = 1000 = k-",
    "mega- = 1000**2 = M-",
    "giga- = 1000**3 = G-",
    "tera- = 1000**4 = T-",
    "peta- = 1000**5 = P-",
    "exa- = 1000**6 = E-",
    "kibi- = 2**10 = Ki-",
    "mebi- = 2**20 = Mi-",
    "gibi- = 2**30 = Gi-",
    "tebi- = 2**40 = Ti-",
    "pebi- = 2**50 = Pi-",
    "exbi- = 2**60 = Ei-",
    "milli- = 1/1000 = m-",
    "micro- = 1/1000000 = u-",
    "nano- = 1/1000000000 = n-",
    "byte = [information] = B",
    "core = [cpu]",
    *(f"{word} = 1000**{power}" for power, word in _SCALE_WORDS.items()),
]


@functools.cache
def registry() -> pint.UnitRegistry[Any]:
    """Our own small pint registry: bytes and cores, exact ``Fraction`` arithmetic."""
    import pint

    units: pint.UnitRegistry[Any] = pint.UnitRegistry(None, non_int_type=Fraction)
    for definition in _DEFINITIONS:
        units.define(definition)
    return units


class UnitError(QuantityError):
    """A unit name we do not know, or one that cannot take the value; ``path`` says where it was."""

    def __init__(self, name: str, message: str, hint: str | None = None, path: str | None = "to") -> None:
        super().__init__(name, message, hint=hint)
        self.path = path
        self.args = (message + (f"; {hint}" if hint else ""),)

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> Any:
        return (_rebuild_unit_error, (type(self), self.text, self.reason, self.hint, self.path))


def _rebuild_unit_error(
    kind: type[UnitError], name: str, message: str, hint: str | None, path: str | None
) -> UnitError:
    error = UnitError.__new__(kind)
    UnitError.__init__(error, name, message, hint, path)
    return error


class DimensionError(UnitError):
    """A value converted to a unit of the other dimension: bytes to cores or cores to bytes."""


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _suggestion(name: str) -> str:
    import difflib

    # A Kubernetes suffix in the wrong case ("gi", "K") first, then names that look alike,
    # compared without case (a word's case does not matter) and given in their usual spelling.
    matches = [unit.symbol for suffix, unit in _SUFFIXES.items() if suffix.lower() == name.lower()]
    usual = {spelling.lower(): unit.symbol for spelling, unit in _WORDS.items()}
    usual.update({suffix.lower(): unit.symbol for suffix, unit in _SUFFIXES.items() if len(suffix) > 1})
    close = difflib.get_close_matches(name.lower()[:40], list(usual), n=6, cutoff=0.6)
    matches = list(dict.fromkeys([*matches, *(usual[key] for key in close)]))[:3]
    if matches:
        return "did you mean " + " or ".join(_quoted(match) for match in matches)
    return "use B, kB, MB, GB, KiB, MiB, GiB (or Ki, Mi, Gi), cores or millicores (m)"


def find_unit(name: str, path: str | None = "to") -> Unit:
    """The unit a person means by ``name``, or a :class:`UnitError` at ``path`` with a suggestion.

    >>> [find_unit(name).symbol for name in ("GiB", "gib", "Gi", "gb", "m", "cpu", "G")]
    ['GiB', 'GiB', 'GiB', 'GB', 'millicores', 'cores', 'G']
    >>> find_unit("gibs")
    Traceback (most recent call last):
    ...
    quantities.quantity.units.UnitError: unknown unit "gibs"; did you mean "GiB" or "GB"
    """
    if not isinstance(name, str):
        raise UnitError(str(name), "a unit is a name such as GiB or cores", path=path)
    unit = _SUFFIXES.get(name) or _WORDS.get(name.lower())
    if unit is None or not name:
        raise UnitError(name, f"unknown unit {_quoted(name[:60])}", hint=_suggestion(name), path=path)
    return unit


def pint_unit(name: str) -> str:
    """The pint unit for a name a person typed, or a :class:`UnitError`."""
    return find_unit(name).pint


@dataclass(frozen=True, slots=True)
class Notation:
    """What the way a value was written says it counts: ``dimension`` (None: either) and why."""

    text: str
    dimension: Dimension | None = None
    because: str = ""

    @property
    def shown(self) -> str:
        """The value as a message shows it: a 4000-digit value is cut short."""
        return self.text if len(self.text) <= 60 else f"{self.text[:40]}... ({len(self.text)} characters)"

    def describe(self) -> str:
        """``"1Gi is a number of bytes (binary suffix Gi)"``, for messages."""
        return f"{self.shown} is a number of {self.dimension} ({self.because})"


_FRACTION_SUFFIXES = {"m": "thousandths", "u": "millionths", "n": "billionths"}


def notation_of(text: str) -> Notation:
    """What a Kubernetes quantity's suffix says it counts.

    >>> [notation_of(text).dimension for text in ("1Gi", "500m", "2", "1G", "1e3")]
    ['bytes', 'cores', None, None, None]
    """
    stripped = text.strip()
    suffix = stripped.lstrip("+-").lstrip("0123456789.")
    if suffix in BINARY_SUFFIXES:
        return Notation(stripped, BYTES, f"binary suffix {suffix}")
    if suffix in _FRACTION_SUFFIXES:
        return Notation(stripped, CORES, f"suffix {suffix}: {_FRACTION_SUFFIXES[suffix]} of a core")
    return Notation(stripped)


def check_dimension(notation: Notation, unit: Unit, path: str | None = "to") -> None:
    """Refuse to convert a value written as bytes to a unit of CPU, or the other way round.

    >>> check_dimension(notation_of("1Gi"), find_unit("cores"))
    Traceback (most recent call last):
    ...
    quantities.quantity.units.DimensionError: cannot convert 1Gi to cores: 1Gi is a number of bytes \
(binary suffix Gi); cores is a unit of CPU; convert it to a unit of bytes such as GiB, MiB or B
    """
    if notation.dimension is None or unit.dimension is None or notation.dimension == unit.dimension:
        return
    examples = {BYTES: "bytes such as GiB, MiB or B", CORES: "CPU such as cores or millicores (m)"}
    kind = examples[notation.dimension]
    raise DimensionError(
        unit.symbol,
        f"cannot convert {notation.shown} to {unit.symbol}: {notation.describe()}; {unit.describe()}",
        hint=f"convert it to a unit of {kind}",
        path=path,
    )


def convert_exact(value: Fraction, unit: Unit) -> Fraction:
    """``value`` bytes or cores, in ``unit``: exact.

    >>> convert_exact(Fraction(3, 2) * 2**30, find_unit("GiB"))
    Fraction(3, 2)
    """
    return value / unit.size


def convert(value: Fraction, unit: str) -> pint.Quantity[Any]:
    """``value`` (bytes or cores, by the unit asked for) as a pint quantity in ``unit``, exactly.

    No dimension check: a bare value does not say how it was written (see
    :func:`check_dimension`).
    """
    target = find_unit(unit)
    return registry().Quantity(convert_exact(value, target), target.pint)


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
    unit = _BY_PINT.get(unit_name) or find_unit(unit_name, path=None)
    if unit.dimension is None:
        raise QuantityError(unit_name, "a quantity from pint must be in bytes or cores")
    magnitude = to_fraction(quantity.magnitude)
    fmt = Format.BINARY_SI if unit.pint in BINARY_UNITS else Format.DECIMAL_SI
    return magnitude * unit.size, fmt


def _power_of(factor: int, number: int, most: int) -> int:
    """How many times ``factor`` divides ``number`` (at most ``most``), in few big divisions."""
    count, step = 0, 64
    while step:
        chunk = factor**step
        while count + step <= most and number % chunk == 0:
            number //= chunk
            count += step
        step //= 2
    return count


def exact_decimal(value: Fraction | int | Decimal) -> str:
    """A Fraction (or int, or Decimal) whose decimal expansion ends, written out in full.

    Integer arithmetic only: no ``decimal`` context rounds anything.

    >>> from fractions import Fraction
    >>> exact_decimal(Fraction(3, 2)), exact_decimal(Fraction(1953125, 2097152))
    ('1.5', '0.931322574615478515625')
    >>> exact_decimal(Fraction(1, 2**60)), exact_decimal(Fraction(-10**40)), exact_decimal(0)
    ('0.000000000000000000867361737988403547205962240695953369140625', \
'-10000000000000000000000000000000000000000', '0')
    """
    fraction = value if isinstance(value, Fraction) else Fraction(value)
    denominator = fraction.denominator
    twos = (denominator & -denominator).bit_length() - 1
    fives = _power_of(5, denominator, denominator.bit_length())
    if denominator != 2**twos * 5**fives:
        raise ValueError(f"{fraction} has no finite decimal expansion")
    # n / (2^a 5^b) = n 2^(p-a) 5^(p-b) / 10^p with p = max(a, b): the fewest places.
    places = max(twos, fives)
    number = abs(fraction.numerator) * 2 ** (places - twos) * 5 ** (places - fives)
    zeros = 0
    if places == 0 and number:
        # A whole number's trailing zeros are counted, not converted: str() of a huge int is refused.
        zeros = _power_of(5, number, (number & -number).bit_length() - 1)
        number //= 10**zeros
    try:
        digits = str(number)
    except ValueError:
        raise OverflowError("the exact answer has too many digits to write out") from None
    sign = "-" if fraction < 0 else ""
    if places == 0:
        return sign + digits + "0" * zeros
    digits = digits.rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"
