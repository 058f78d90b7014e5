"""The suffix tables of Kubernetes quantities.

Kubernetes knows three notations (apimachinery ``suffix.go``):

* decimal SI: ``n u m "" k M G T P E`` for 10^-9 ... 10^18;
* binary SI: ``Ki Mi Gi Ti Pi Ei`` for 2^10 ... 2^60;
* decimal exponent: ``e`` or ``E`` followed by a signed integer.

A suffix is looked up in the decimal table first, then the binary table, and
only then read as an exponent, so ``E`` alone means exa, not "exponent".
"""

from __future__ import annotations

from quantities.quantity.errors import quote
from quantities.quantity.goint import parse_go_int64, wrap_int32

__all__ = ["BINARY_SUFFIXES", "DECIMAL_SUFFIXES", "Format", "interpret_suffix"]


class Format(str):
    """How a quantity is written; remembered from its input as Kubernetes does.

    One of three interned strings, ``Format.BINARY_SI`` (``"BinarySI"``),
    ``Format.DECIMAL_SI`` and ``Format.DECIMAL_EXPONENT``. (A plain ``str``
    subclass rather than an ``enum.Enum``: importing ``enum`` would double the
    cost of ``import quantities``.)

    >>> Format("BinarySI") is Format.BINARY_SI, Format.BINARY_SI == "BinarySI"
    (True, True)
    """

    __slots__ = ()

    BINARY_SI: Format
    DECIMAL_SI: Format
    DECIMAL_EXPONENT: Format
    _members: dict[str, Format]

    def __new__(cls, value: str) -> Format:
        try:
            return cls._members[value]
        except (KeyError, TypeError):
            raise ValueError(f"{quote(value)} is not a quantity format") from None

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        name = {"BinarySI": "BINARY_SI", "DecimalSI": "DECIMAL_SI"}.get(self, "DECIMAL_EXPONENT")
        return f"<Format.{name}: {str.__repr__(self)}>"

    def __reduce__(self) -> tuple[type[Format], tuple[str]]:
        return (Format, (self.value,))


Format._members = {
    value: str.__new__(Format, value) for value in ("BinarySI", "DecimalSI", "DecimalExponent")
}
Format.BINARY_SI = Format._members["BinarySI"]
Format.DECIMAL_SI = Format._members["DecimalSI"]
Format.DECIMAL_EXPONENT = Format._members["DecimalExponent"]


DECIMAL_SUFFIXES: dict[str, int] = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
BINARY_SUFFIXES: dict[str, int] = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}

DECIMAL_SUFFIX_FOR_EXPONENT: dict[int, str] = {e: s for s, e in DECIMAL_SUFFIXES.items()}
BINARY_SUFFIX_FOR_EXPONENT: dict[int, str] = {e: s for s, e in BINARY_SUFFIXES.items()}


def interpret_suffix(suffix: str) -> tuple[int, int, Format] | None:
    """Return ``(base, exponent, format)`` for a suffix, or None when Kubernetes rejects it.

    >>> interpret_suffix("Mi")
    (2, 20, <Format.BINARY_SI: 'BinarySI'>)
    >>> interpret_suffix("e3")
    (10, 3, <Format.DECIMAL_EXPONENT: 'DecimalExponent'>)

    Kubernetes reads the exponent as an int64 and then converts it to int32
    without a range check, so ``e4294967297`` means ``e1``.
    """
    exponent = DECIMAL_SUFFIXES.get(suffix)
    if exponent is not None:
        return 10, exponent, Format.DECIMAL_SI
    exponent = BINARY_SUFFIXES.get(suffix)
    if exponent is not None:
        return 2, exponent, Format.BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        parsed = parse_go_int64(suffix[1:])
        if parsed is None:
            return None
        return 10, wrap_int32(parsed), Format.DECIMAL_EXPONENT
    return None
