"""A lenient reader for quantities written by people and spreadsheets.

``parse_human`` accepts everything ``parse_quantity`` accepts, and also a number
followed by a unit word: ``2 GiB``, ``512MB``, ``1.5 cores``, ``250 millicores``.
The text is tokenised here; pint only ever receives an exact number and a unit
name from our own table (see ``quantities.quantity.units``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from quantities.quantity.errors import QuantityError
from quantities.quantity.quantity import Quantity, parse_quantity
from quantities.quantity.suffix import Format
from quantities.quantity.units import BINARY_UNITS, UNITS, registry

__all__ = ["parse_human"]

# Exponents are kept short so that a number stays cheap to make exact.
_NUMBER_AND_UNIT = re.compile(
    r"\s*([+-]?(?:[0-9]{1,100}(?:\.[0-9]{0,100})?|\.[0-9]{1,100})(?:[eE][+-]?[0-9]{1,3})?)"
    r"\s*([A-Za-z]{1,12})?\s*"
)

_FOLDED_UNITS = {name.lower(): unit for name, unit in UNITS.items()}
# Kubernetes suffixes typed in the wrong case.
_FOLDED_UNITS.update({
    "ki": "kibibyte", "mi": "mebibyte", "gi": "gibibyte",
    "ti": "tebibyte", "pi": "pebibyte", "ei": "exbibyte",
})
# A lone "m" after a space is milli, in this case only: folded, "1 M" would be
# read as one millicore rather than a million.
_EXACT_CASE_UNITS = {"m": "millicore"}


def parse_human(text: str) -> Quantity:
    """Read a quantity the way a person writes it.

    >>> str(parse_human("2 GiB")), str(parse_human("512MB")), str(parse_human("1.5 cores"))
    ('2Gi', '512M', '1500m')
    >>> str(parse_human("250 millicores")), str(parse_human("1.5Gi"))
    ('250m', '1536Mi')
    """
    if not isinstance(text, str):
        raise QuantityError(text, f"expected a string, got {type(text).__name__}")
    stripped = text.strip()
    try:
        return parse_quantity(stripped)
    except QuantityError as error:
        strict_error = error
    match = _NUMBER_AND_UNIT.fullmatch(text)
    if match is None:
        raise strict_error
    number, word = match.groups()
    if not word:
        raise QuantityError(text, "not a number", hint="write a plain number such as '1.5'")
    unit = UNITS.get(word) or _EXACT_CASE_UNITS.get(word) or _FOLDED_UNITS.get(word.lower())
    if unit is None:
        if strict_error.hint and "did you mean" in strict_error.hint:
            raise strict_error  # "1K": the strict parser has a checked suggestion
        raise QuantityError(
            text,
            f"unknown unit {word!r}",
            position=match.start(2),
            hint="use B, kB, MB, GB, KiB, MiB, GiB, cores or millicores",
        )
    base = "core" if unit.endswith("core") else "byte"
    exact = registry().Quantity(Fraction(number), unit).to(base).magnitude
    fmt = Format.BINARY_SI if unit in BINARY_UNITS else Format.DECIMAL_SI
    return Quantity.from_fraction(Fraction(exact), fmt)
