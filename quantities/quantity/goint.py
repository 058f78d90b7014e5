"""Go's fixed-width integers, where Kubernetes' behaviour depends on them.

Kubernetes reads a quantity's exponent with ``strconv.ParseInt(s, 10, 64)`` and
then converts it to ``int32`` without a range check (apimachinery
``suffix.go``); ``inf.Dec`` keeps its scale in an ``int32`` that wraps; the
scheduler and the kubelet work in ``int64``; ``spec.priority`` is an ``int32``;
a node selector's ``Gt``/``Lt`` value is read with ``strconv.ParseInt``. This
module is the one place that knows those widths.

>>> parse_go_int64("+42"), parse_go_int64("0x10"), wrap_int32(INT32_MAX + 1) == INT32_MIN
(42, None, True)
"""

from __future__ import annotations

# typing costs more to import than this whole package; mypy is told TYPE_CHECKING is true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "INT64_MAX",
    "INT64_MIN",
    "parse_go_int64",
    "saturate_int64",
    "wrap_int32",
]

INT32_MIN: Final = -(1 << 31)
INT32_MAX: Final = (1 << 31) - 1
INT64_MIN: Final = -(1 << 63)
INT64_MAX: Final = (1 << 63) - 1


def wrap_int32(value: int) -> int:
    """Reduce ``value`` to a signed 32-bit integer, as a Go ``int32`` conversion does.

    >>> wrap_int32(4294967297), wrap_int32(-(1 << 31) - 1)
    (1, 2147483647)
    """
    return ((value + 0x80000000) & 0xFFFFFFFF) - 0x80000000  # literals: 2^31, folded at compile time


def saturate_int64(value: int) -> int:
    """``value`` clamped to the int64 range (where we must not reproduce Go's silent overflow).

    >>> saturate_int64(1 << 70) == INT64_MAX, saturate_int64(-5)
    (True, -5)
    """
    return INT64_MIN if value < INT64_MIN else INT64_MAX if value > INT64_MAX else value


def parse_go_int64(text: object) -> int | None:
    """Go's ``strconv.ParseInt(text, 10, 64)``, None where Go returns an error.

    One optional ``+`` or ``-``, then one or more ASCII digits (leading zeros
    allowed), within the int64 range: no spaces, no underscores (base 10 does
    not take them), no ``0x`` prefix, no Unicode digits. Anything that is not a
    string is None too. Any number of leading zeros is fine, as in Go.

    >>> [parse_go_int64(text) for text in ("-0", "007", " 1", "1_000", "", "-")]
    [0, 7, None, None, None, None]
    """
    if not isinstance(text, str):
        return None
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    significant = body.lstrip("0")
    if len(significant) > 19:  # past int64, and maybe past what int() converts from text
        return None
    value = int(significant or "0")
    if text[0] == "-":
        value = -value
    return value if INT64_MIN <= value <= INT64_MAX else None
