"""A lenient reader for quantities written by people and spreadsheets.

``parse_human`` accepts everything ``parse_quantity`` accepts, and also a number
followed by a unit word: ``2 GiB``, ``512MB``, ``1.5 cores``, ``250 millicores``.
The text is tokenised here; pint only ever receives an exact number and a unit
name from our own table (see ``quantities.quantity.units``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from quantities.quantity.errors import QuantityError, json_kind, quote
from quantities.quantity.quantity import Quantity, parse_quantity
from quantities.quantity.suffix import Format
from quantities.quantity.units import BINARY_UNITS, Notation, Unit, find_unit, notation_of, registry

__all__ = ["parse_human", "read_human"]

# Exponents are kept short so that a number stays cheap to make exact.
_NUMBER_AND_UNIT = re.compile(
    r"\s*([+-]?(?:[0-9]{1,100}(?:\.[0-9]{0,100})?|\.[0-9]{1,100})(?:[eE][+-]?[0-9]{1,3})?)"
    r"\s*([A-Za-z]{1,12})?\s*"
)

# Kubernetes' binary suffixes typed in the wrong case ("2 gi"): this reader is lenient.
# ("m" is not folded: "1 M" is not one millicore.)
_FOLDED_SUFFIXES = {suffix.lower(): suffix for suffix in ("Ki", "Mi", "Gi", "Ti", "Pi", "Ei")}


def parse_human(text: str) -> Quantity:
    """Read a quantity the way a person writes it.

    >>> str(parse_human("2 GiB")), str(parse_human("512MB")), str(parse_human("1.5 cores"))
    ('2Gi', '512M', '1500m')
    >>> str(parse_human("250 millicores")), str(parse_human("1.5Gi"))
    ('250m', '1536Mi')
    """
    return read_human(text)[0]


def _unit(word: str) -> Unit | None:
    try:
        unit = find_unit(_FOLDED_SUFFIXES.get(word.lower(), word))
    except QuantityError:
        return None
    # A bare decimal suffix after a space ("2 G") says nothing about what is counted,
    # and "1 M" is too easily meant as milli: it is refused, as before.
    return unit if unit.dimension is not None else None


def read_human(text: str) -> tuple[Quantity, Notation]:
    """Read a quantity as :func:`parse_human` does, and what its notation says it counts.

    >>> quantity, notation = read_human("2 GiB")
    >>> str(quantity), notation.describe()
    ('2Gi', '2 GiB is a number of bytes (unit GiB)')
    >>> read_human("1500m")[1].dimension, read_human("2")[1].dimension
    ('cores', None)
    """
    if not isinstance(text, str):
        raise QuantityError(text, f"expected a string, got {json_kind(text)}")
    stripped = text.strip()
    try:
        return parse_quantity(stripped), notation_of(stripped)
    except QuantityError as error:
        strict_error = error
    match = _NUMBER_AND_UNIT.fullmatch(text)
    if match is None:
        raise strict_error
    number, word = match.groups()
    if not word:
        raise QuantityError(text, "not a number", hint='write a plain number such as "1.5"')
    unit = _unit(word)
    if unit is None:
        if strict_error.hint and "did you mean" in strict_error.hint:
            raise strict_error  # "1K": the strict parser has a checked suggestion
        raise QuantityError(
            text,
            f"unknown unit {quote(word)}",
            position=match.start(2),
            hint="use B, kB, MB, GB, KiB, MiB, GiB, cores or millicores",
        )
    base = "core" if unit.dimension == "cores" else "byte"
    exact = registry().Quantity(Fraction(number), unit.pint).to(base).magnitude
    fmt = Format.BINARY_SI if unit.pint in BINARY_UNITS else Format.DECIMAL_SI
    quantity = Quantity.from_fraction(Fraction(exact), fmt)
    return quantity, Notation(stripped, unit.dimension, f"unit {unit.symbol}")
