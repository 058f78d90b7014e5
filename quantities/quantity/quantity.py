"""Kubernetes resource quantities as an exact, immutable Python value.

Grammar (what Kubernetes' ``ParseQuantity`` accepts)::

    <quantity>        ::= <sign>? <number> <suffix>
    <number>          ::= <digits> | <digits> "." <digits>? | "." <digits>? | ""
    <suffix>          ::= <binarySI> | <decimalSI> | <decimalExponent>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= ("e" | "E") <sign>? <digits>

Kubernetes is more lenient than its own documentation: a number may be empty
(``"-"``, ``"."`` and ``"Ki"`` are zero, though ``"Pi"`` is not), leading zeros
are kept, and the exponent is read as int64 and cut to int32 without a check.

The value (Kubernetes' rules, in our words):

* It is exact: a decimal number, never a float.
* A value finer than a nano (10^-9) is rounded away from zero to a whole
  number of nanos, so a non-zero request never becomes zero.
* Only binary-SI values are capped, at 2^63-1; decimal values are not.
* A binary-SI value between -1 and 1 is remembered as decimal SI.

The canonical form ``str(q)`` (what the API server and kubectl print):

* No precision is lost and no fractional digits are written.
* The suffix is as large as possible: decimal SI and exponent suffixes step in
  powers of 1000, binary SI in powers of 1024.
* A binary-SI value is written in decimal SI when it lies strictly between
  -1024 and 1024, or is not a whole number: ``0.9765625Ki`` (1000) prints ``1k``.
* Kubernetes has no decimal suffix above ``E`` (10^18) and no binary suffix
  above ``Ei``; it then drops the suffix, so ``2000E`` prints as ``2``
  (kubectl 1.32; newer sources write ``2e21``).
* A string that Kubernetes' fast path finds already canonical is printed back
  verbatim, sign and leading zeros included: ``+1``, ``01``, ``1e0``,
  ``1.500``, ``1.G`` and ``+1Ki`` print as typed, while ``1000m`` prints ``1``.

>>> str(parse_quantity("1.5Gi")), str(parse_quantity("0.1")), str(parse_quantity("1000"))
('1536Mi', '100m', '1k')
>>> parse_quantity("1") == parse_quantity("1000m")
True
"""

from __future__ import annotations

from quantities.quantity._mypyc import mypyc_attr
from quantities.quantity.errors import (
    KUBERNETES_FORMAT_MESSAGE,
    KUBERNETES_NUMERIC_MESSAGE,
    KUBERNETES_SUFFIX_MESSAGE,
    QuantityError,
    json_kind,
    quote,
)
from quantities.quantity.goint import INT64_MAX, INT64_MIN, saturate_int64, wrap_int32
from quantities.quantity.hints import hint_for
from quantities.quantity.suffix import (
    BINARY_SUFFIX_FOR_EXPONENT,
    BINARY_SUFFIXES,
    DECIMAL_SUFFIX_FOR_EXPONENT,
    DECIMAL_SUFFIXES,
    Format,
    interpret_suffix,
)

# typing costs more to import than this whole package; mypy is told TYPE_CHECKING is true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from decimal import Decimal
    from fractions import Fraction
    from typing import Any, Final, NoReturn

    import pint

__all__ = ["MAX_LENGTH", "Quantity", "parse_quantity"]

#: Longest string we parse. Kubernetes has no limit, but Python refuses to
#: convert integers of more than 4300 digits to and from text; no real
#: manifest comes near this.
MAX_LENGTH: Final = 4096

#: Most digits an exact result may need (arithmetic, value(), to_fraction()).
MAX_DIGITS: Final = 4200

_NANO_EXPONENT: Final = -9
_BINARY_SI: Final = Format.BINARY_SI
_DECIMAL_SI: Final = Format.DECIMAL_SI
_DECIMAL_EXPONENT: Final = Format.DECIMAL_EXPONENT

# Possessive quantifiers: a failed match must not backtrack, so that every
# string fails in linear time.
# (Compiled on first use by the re module's own cache, keeping import cheap.)
_GRAMMAR = r"([+-]?)(0*+)([0-9]*+)(?:\.([0-9]*+))?([eEinumkKMGTP]*+[+-]?[0-9]*+)"
_compiled_grammar: re.Pattern[str] | None = None


def _grammar() -> re.Pattern[str]:
    global _compiled_grammar
    if _compiled_grammar is None:
        import re  # not at module level: `import quantities` stays cheap

        _compiled_grammar = re.compile(_GRAMMAR)
    return _compiled_grammar


_SCANNABLE_PREFIX = r"[+-]?0*+[0-9]*+(?:\.[0-9]*+)?[eEinumkKMGTP]*+[+-]?[0-9]*+"


def _go_rem(value: int, divisor: int) -> int:
    """Go's ``%``: the remainder takes the sign of the dividend."""
    remainder = abs(value) % divisor
    return -remainder if value < 0 else remainder


def _strip_zeros(coefficient: int, exponent: int) -> tuple[int, int]:
    """Move the factors of ten of ``coefficient`` into ``exponent``."""
    if coefficient == 0:
        return 0, 0
    if coefficient % 10:
        return coefficient, exponent
    digits = str(abs(coefficient))
    significant = digits.rstrip("0")
    coefficient = int(significant) if coefficient > 0 else -int(significant)
    return coefficient, exponent + len(digits) - len(significant)


def _check_digits(exponent_span: int, what: str) -> None:
    if exponent_span > MAX_DIGITS:
        raise OverflowError(f"{what} needs more than {MAX_DIGITS} digits to be exact")


# acyclic: a Quantity holds only integers and strings, so it can never be part of a reference
# cycle; compiled, it is then allocated without the garbage collector's bookkeeping.
@mypyc_attr(acyclic=True)
class Quantity:
    """A Kubernetes resource quantity: an exact number and the notation it came in.

    Build one with ``parse_quantity(text)`` or ``Quantity(text)``. It is
    immutable and hashable; ``==`` and ``<`` compare values across notations.

    >>> Quantity("1.5Gi")
    Quantity('1536Mi')
    >>> Quantity("1Gi") == Quantity("1024Mi"), Quantity("100m") < Quantity("1")
    (True, True)
    >>> Quantity("1Gi").format
    <Format.BINARY_SI: 'BinarySI'>
    """

    __slots__ = ("_coefficient", "_exponent", "_format", "_key", "_text")

    _coefficient: int
    _exponent: int
    _format: Format
    _text: str | None
    _key: tuple[int, int]

    def __new__(cls, text: object) -> Quantity:
        # text: object, not str: a compiled build checks argument types, and a non-string
        # must get the parser's QuantityError, as in pure Python (__init__ says str to mypy).
        if text is _BLANK:  # a blank instance for the compiled parser (see _BLANK)
            return object.__new__(cls)
        return _cache[text]  # type: ignore[index]  # the parser refuses a non-string

    def __init__(self, text: str) -> None:
        # Nothing to do: __new__ returned the value. Declaring the signature lets a compiled
        # build call __new__ and __init__ directly, without packing the arguments in a tuple.
        pass

    @classmethod
    def from_int(cls, value: int, fmt: Format | str = Format.DECIMAL_SI) -> Quantity:
        """Kubernetes' ``NewQuantity``: an integer in the given notation.

        >>> str(Quantity.from_int(2048, "BinarySI"))
        '2Ki'
        """
        return _new(value, 0, Format(fmt))

    @classmethod
    def from_milli(cls, value: int, fmt: Format | str = Format.DECIMAL_SI) -> Quantity:
        """Kubernetes' ``NewMilliQuantity``: ``value`` thousandths.

        >>> str(Quantity.from_milli(1500))
        '1500m'
        """
        return _new(value, -3, Format(fmt))

    @classmethod
    def from_decimal(cls, value: Decimal | int, fmt: Format | str = Format.DECIMAL_SI) -> Quantity:
        """An exact decimal value, rounded away from zero to nanos as parsing does."""
        from decimal import Decimal

        decimal_value = Decimal(value)
        if not decimal_value.is_finite():
            raise QuantityError(str(value), "quantities are finite numbers")
        sign, digits, exponent = decimal_value.as_tuple()
        assert isinstance(exponent, int)
        coefficient = int("".join(map(str, digits)) or "0")
        coefficient, exponent = _round_to_nano(coefficient, exponent)
        return _new(-coefficient if sign else coefficient, exponent, Format(fmt))

    @classmethod
    def from_pint(cls, quantity: pint.Quantity[Any]) -> Quantity:
        """A pint quantity of bytes or cores as a Kubernetes quantity.

        Binary-prefixed units give binary SI, others decimal SI.
        """
        from quantities.quantity.units import exact_base_value

        value, fmt = exact_base_value(quantity)
        return cls.from_fraction(value, fmt)

    @classmethod
    def from_fraction(cls, value: Fraction, fmt: Format | str = Format.DECIMAL_SI) -> Quantity:
        """An exact value, rounded away from zero to nanos as parsing rounds.

        A binary value below one is written in decimal SI, as Kubernetes writes it.

        >>> from fractions import Fraction
        >>> Quantity.from_fraction(Fraction(3, 2), "BinarySI"), Quantity.from_fraction(Fraction(1, 3))
        (Quantity('1500m'), Quantity('333333334n'))
        """
        fmt = Format(fmt)
        nanos, remainder = divmod(abs(value.numerator) * 10**9, value.denominator)
        if remainder:
            nanos += 1
        coefficient = nanos if value >= 0 else -nanos
        if fmt is Format.BINARY_SI and 0 < abs(value) < 1:
            fmt = Format.DECIMAL_SI
        return _new(coefficient, -9, fmt)

    # -- what it is -----------------------------------------------------------

    @property
    def format(self) -> Format:
        """``BinarySI``, ``DecimalSI`` or ``DecimalExponent``, as Kubernetes remembers it."""
        return self._format

    def _normal(self) -> tuple[int, int]:
        try:
            return self._key
        except AttributeError:  # computed on first use: parsing is the hot path
            key = self._key = _strip_zeros(self._coefficient, self._exponent)
        return key

    def to_decimal(self) -> Decimal:
        """The exact value as a ``decimal.Decimal`` (no context rounding).

        >>> Quantity("1.5Gi").to_decimal()
        Decimal('1610612736')
        """
        from decimal import Decimal

        coefficient, exponent = self._normal()
        if exponent > 0 and exponent <= 6:
            return Decimal(coefficient * 10**exponent)
        return Decimal(f"{coefficient}E{exponent}")

    def to_fraction(self) -> Fraction:
        """The exact value as a ``fractions.Fraction``.

        >>> Quantity("250m").to_fraction()
        Fraction(1, 4)
        """
        from fractions import Fraction

        coefficient, exponent = self._normal()
        _check_digits(abs(exponent), "this value")
        if exponent >= 0:
            return Fraction(coefficient * 10**exponent)
        return Fraction(coefficient, 10**-exponent)

    def _scaled_ceiling(self, scale: int) -> int:
        coefficient, exponent = self._normal()
        exponent += scale
        _check_digits(exponent, "this value")
        if exponent >= 0:
            scaled: int = coefficient * 10**exponent
            return scaled
        if -exponent > len(str(abs(coefficient))):
            return 0 if coefficient == 0 else (1 if coefficient > 0 else -1)
        divisor: int = 10**-exponent
        quotient, remainder = divmod(abs(coefficient), divisor)
        if remainder:
            quotient += 1
        return quotient if coefficient >= 0 else -quotient

    def value(self) -> int:
        """Kubernetes' ``Value()``: the value rounded up (away from zero) to an integer.

        Unlike Go's int64 it never overflows.

        >>> Quantity("1500m").value(), Quantity("1Ki").value()
        (2, 1024)
        """
        return self._scaled_ceiling(0)

    def milli_value(self) -> int:
        """Kubernetes' ``MilliValue()``: the value in thousandths, rounded up.

        >>> Quantity("1.5").milli_value(), Quantity("1n").milli_value()
        (1500, 1)
        """
        return self._scaled_ceiling(3)

    def int64_value(self) -> int:
        """``value()`` as the int64 Kubernetes code works with, saturated at the int64 bounds.

        Go's ``Value()`` silently overflows past int64 (the result is undefined);
        where we reproduce Go code that uses it (the scheduler, validation, the
        kubelet), an out-of-range value saturates instead, and never raises.

        >>> Quantity("1e999999999").int64_value(), Quantity("-1e30").int64_value()
        (9223372036854775807, -9223372036854775808)
        """
        return self._int64(0)

    def int64_milli_value(self) -> int:
        """``milli_value()`` saturated at the int64 bounds, like :meth:`int64_value`."""
        return self._int64(3)

    def _int64(self, scale: int) -> int:
        if self._exponent + scale + len(str(abs(self._coefficient))) > 20:
            return INT64_MAX if self._coefficient > 0 else INT64_MIN
        return saturate_int64(self._scaled_ceiling(scale))

    def is_zero(self) -> bool:
        return self._coefficient == 0

    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self._coefficient > 0) - (self._coefficient < 0)

    def to(self, unit: str) -> pint.Quantity[Any]:
        """Convert exactly to a unit of bytes (``GiB``, ``MB``...) or cores (``millicore``).

        The magnitude is a ``Fraction``.

        >>> Quantity("1.5Gi").to("GiB").magnitude
        Fraction(3, 2)
        """
        from quantities.quantity.units import convert

        return convert(self.to_fraction(), unit)

    # -- text ------------------------------------------------------------------

    def __str__(self) -> str:
        text = self._text
        if text is None:
            text = self._text = _canonical(self._coefficient, self._exponent, self._format)
        return text

    def canonical(self) -> str:
        """The canonical form even where Kubernetes would echo the input verbatim.

        >>> Quantity("+1").canonical(), str(Quantity("+1"))
        ('1', '+1')
        """
        return _canonical(self._coefficient, self._exponent, self._format)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    # -- comparison -------------------------------------------------------------

    def _compare(self, other: Quantity) -> int:
        a, b = self._coefficient, other._coefficient
        sign_a, sign_b = (a > 0) - (a < 0), (b > 0) - (b < 0)
        if sign_a != sign_b or sign_a == 0:
            return (sign_a > sign_b) - (sign_a < sign_b)
        (a, ea), (b, eb) = self._normal(), other._normal()
        size_a, size_b = len(str(abs(a))) + ea, len(str(abs(b))) + eb
        if size_a != size_b:
            return sign_a if size_a > size_b else -sign_a
        low = min(ea, eb)
        aligned_a: int = a * 10 ** (ea - low)
        aligned_b: int = b * 10 ** (eb - low)
        return (aligned_a > aligned_b) - (aligned_a < aligned_b)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._normal() == other._normal()

    def __hash__(self) -> int:
        return hash(self._normal())

    def __lt__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._compare(other) < 0

    def __le__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._compare(other) <= 0

    def __gt__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._compare(other) > 0

    def __ge__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._compare(other) >= 0

    def __bool__(self) -> bool:
        return self._coefficient != 0

    # -- arithmetic ---------------------------------------------------------------

    def _combine(self, other: Quantity, negate_other: bool) -> Quantity:
        a, ea = self._coefficient, self._exponent
        b, eb = other._coefficient, other._exponent
        if negate_other:
            b = -b
        if a == 0:
            return _new(b, eb, other._format)
        if b == 0:
            return _new(a, ea, self._format)
        low = min(ea, eb)
        _check_digits(max(ea, eb) - low, "this sum")
        return _new(a * 10 ** (ea - low) + b * 10 ** (eb - low), low, self._format)

    def __add__(self, other: Quantity) -> Quantity:
        """Kubernetes' ``Add``: the result keeps the left format unless the left is zero.

        >>> str(Quantity("1Gi") + Quantity("512Mi")), str(Quantity("1") + Quantity("1Ki"))
        ('1536Mi', '1025')
        """
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(other, negate_other=False)

    def __radd__(self, other: object) -> Quantity:
        # sum() starts from the integer 0, like Go's zero Quantity{}.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return _new(self._coefficient, self._exponent, self._format)
        return NotImplemented

    def __sub__(self, other: Quantity) -> Quantity:
        """Kubernetes' ``Sub``: like ``Add`` with the right operand negated."""
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(other, negate_other=True)

    def __neg__(self) -> Quantity:
        return _new(-self._coefficient, self._exponent, self._format)

    def __pos__(self) -> Quantity:
        return self

    def __abs__(self) -> Quantity:
        return _new(abs(self._coefficient), self._exponent, self._format)

    def __mul__(self, factor: int) -> Quantity:
        """Kubernetes' ``Mul`` by an integer; the format is kept.

        >>> str(Quantity("512Mi") * 3)
        '1536Mi'
        """
        if not isinstance(factor, int) or isinstance(factor, bool):
            return NotImplemented
        return _new(self._coefficient * factor, self._exponent, self._format)

    def __rmul__(self, factor: int) -> Quantity:
        return self.__mul__(factor)

    # -- copying and pickling -------------------------------------------------------

    def __copy__(self) -> Quantity:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Quantity:
        return self

    def __reduce__(self) -> tuple[Any, tuple[int, int, str, str | None]]:
        return (_restore, (self._coefficient, self._exponent, self._format.value, self._text))


# Blank instances (slots unset) for the parser to fill. In pure Python, object.__new__
# makes one without a Python frame. A class compiled by mypyc refuses object.__new__ from
# outside its own __new__; there Quantity(_BLANK) is a direct C call into that __new__,
# which makes one when handed this private string (no string a caller passes is this object).
_BLANK: Final = chr(0) * 2
_object_new: Final = object.__new__


def _compiled() -> bool:
    """Whether this module runs compiled by mypyc: its class then refuses object.__new__."""
    try:
        object.__new__(Quantity)
    except TypeError:
        return True
    return False


_COMPILED: Final = _compiled()


def _digits(text: str) -> int:
    """The value of at most 18 ASCII digits, for the compiled build's lanes.

    Compiled, this loop is a few machine instructions a digit, where int() first looks for
    signs, spaces, underscores and other scripts' digits; in pure Python int() is faster.
    """
    value = 0
    for index in range(len(text)):
        value = value * 10 + ord(text[index]) - 48
    return value


def _new(coefficient: int, exponent: int, fmt: Format, text: str | None = None) -> Quantity:
    """The value ``coefficient * 10**exponent``; ``text`` is its verbatim form, if any."""
    # Plain slot assignment: a Quantity has no setters, and this is the hot path.
    self = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
    self._coefficient = coefficient
    self._exponent = exponent
    self._format = fmt
    self._text = text
    return self


def _restore(coefficient: int, exponent: int, fmt: str, text: str | None) -> Quantity:
    return _new(coefficient, exponent, Format(fmt), text)


def _round_to_nano(coefficient: int, exponent: int) -> tuple[int, int]:
    """Round ``coefficient * 10**exponent`` away from zero to a whole number of nanos."""
    if coefficient == 0 or exponent >= _NANO_EXPONENT:
        return coefficient, exponent
    drop = _NANO_EXPONENT - exponent
    magnitude = abs(coefficient)
    if drop > len(str(magnitude)):
        rounded = 1
    else:
        rounded, remainder = divmod(magnitude, 10**drop)
        if remainder:
            rounded += 1
    return (rounded if coefficient > 0 else -rounded), _NANO_EXPONENT


def _canonical(coefficient: int, exponent: int, fmt: Format) -> str:
    """Kubernetes' ``CanonicalizeBytes`` for the value ``coefficient * 10**exponent``."""
    if coefficient == 0:
        return "0"
    coefficient, exponent = _strip_zeros(coefficient, exponent)
    if fmt is Format.BINARY_SI:
        # CanonicalizeBytes: binary SI only for a whole value outside (-1024, 1024), compared
        # by value (CmpInt64), whatever the representation: 1000 = 1 * 10^3 prints "1k".
        if exponent < 0 or (exponent <= 3 and -1024 < coefficient * 10**exponent < 1024):
            fmt = Format.DECIMAL_SI
        elif exponent <= MAX_DIGITS:
            return _canonical_binary(coefficient * 10**exponent)
        else:
            # Go would build this integer; we do not, and write it in decimal.
            fmt = Format.DECIMAL_SI
    exponent = wrap_int32(exponent)
    remainder = _go_rem(exponent, 3)
    if remainder in (1, -2):
        coefficient, exponent = coefficient * 10, wrap_int32(exponent - 1)
    elif remainder in (2, -1):
        coefficient, exponent = coefficient * 100, wrap_int32(exponent - 2)
    if fmt is Format.DECIMAL_EXPONENT:
        return f"{coefficient}e{exponent}" if exponent else str(coefficient)
    return str(coefficient) + DECIMAL_SUFFIX_FOR_EXPONENT.get(exponent, "")


def _canonical_binary(value: int) -> str:
    magnitude, power = abs(value), 0
    while magnitude >= 1024 and magnitude % 1024 == 0:
        magnitude //= 1024
        power += 10
    number = str(magnitude if value > 0 else -magnitude)
    return number + BINARY_SUFFIX_FOR_EXPONENT.get(power, "")


def _parses(candidate: str) -> bool:
    try:
        parse_quantity(candidate)
    except QuantityError:
        return False
    return True


def _fail(text: str, kubernetes_message: str, reason: str, position: int) -> NoReturn:
    raise QuantityError(
        text, reason, position=position, hint=hint_for(text, _parses), kubernetes_message=kubernetes_message
    )


# The lanes below take the decisions of Kubernetes' ParseQuantity for the shapes real
# manifests are made of, in as few Python steps as possible (this is the hot path; every
# step costs tens of nanoseconds). They accept a string only when it is plain ASCII of the
# shape the lane knows; anything else, and anything a lane is unsure about, goes to
# _parse_quantity, which follows Kubernetes step by step. Where a lane finishes a value
# itself, it computes what _int64_amount would for the same parts (the tests compare the
# lanes with the step-by-step path on every table row and on generated strings).

# Decimal SI suffix letter -> its power of ten (the empty suffix is the plain-integer lane).
_DECIMAL_LETTERS: Final[dict[str, int]] = {
    letter: power for letter, power in DECIMAL_SUFFIXES.items() if letter
}
# Binary SI suffix -> (power of two, most digits Kubernetes' int64 fast path takes):
# precision = 15 - len(num) - exponent*3/10 - 1 must not be negative.
_BINARY_LANES: Final[dict[str, tuple[int, int]]] = {
    suffix: (exponent, 14 - exponent * 3 // 10) for suffix, exponent in BINARY_SUFFIXES.items()
}
# Longest string the fractional and exponent lanes take; longer ones go the long way.
_LANE_LENGTH: Final = 40
# The exponents the exponent lane reads, as written: nano and up, a sign only when negative,
# no leading zero (anything else takes the long way, which reads it as Go's ParseInt does).
_EXPONENTS: Final[dict[str, int]] = {str(exponent): exponent for exponent in range(_NANO_EXPONENT, 100)}
# 10^n and (2^63-1) * 10^n for the n <= 9 fraction digits of the fractional binary lane.
_POWERS_OF_TEN: Final = tuple(10**digits for digits in range(10))
_INT64_MAX_SCALED: Final = tuple(INT64_MAX * 10**digits for digits in range(10))


def _fraction_lane(text: str, number: str, exponent: int) -> Quantity | None:
    """``12.5`` and ``1.5k``: Kubernetes' int64 fast path for digits, a dot and digits, or None.

    ParseQuantity keeps at most 18 digits at a scale no finer than nano in an int64, and
    reuses the text when it is canonical. ``0`` is what Kubernetes strips a zero whole
    part to; ``00.5`` and ``.5`` go the long way.
    """
    whole, dot, fraction = number.partition(".")
    if not (dot and whole.isdigit() and fraction.isdigit()) or (whole[0] == "0" and whole != "0"):
        return None
    scale = exponent - len(fraction)
    if len(whole) + len(fraction) > 18 or scale < _NANO_EXPONENT:
        return None
    shifted = whole + fraction
    coefficient = int(shifted)
    quantity = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
    quantity._coefficient = coefficient
    quantity._exponent = scale
    quantity._format = _DECIMAL_SI
    quantity._text = text if scale % 3 == 0 and shifted[0] != "0" and coefficient % 1000 else None
    return quantity


def _exponent_lane(text: str) -> Quantity | None:
    """``12e3``, ``1.5e-3``: digits (a dot and digits) then an exponent, or None.

    The parts are the ones parseQuantityString finds; the value is then Kubernetes' int64
    fast path, or its exact slow path.
    """
    at = text.find("e")
    if at < 0:
        at = text.find("E")
    if at <= 0:
        return None
    number, suffix = text[:at], text[at:]
    digits = suffix[2:] if suffix[1:2] in ("+", "-") else suffix[1:]
    if not digits.isdigit():
        return None
    whole, dot, fraction = number.partition(".")
    if not whole.isdigit() or (dot and not fraction.isdigit()):
        return None
    interpreted = interpret_suffix(suffix)
    if interpreted is None:
        return None
    whole = whole.lstrip("0") or "0"
    _, exponent, fmt = interpreted
    quantity = _int64_amount(text, False, whole, fraction, 10, exponent, fmt)
    if quantity is None:
        quantity = _dec_amount(False, whole, fraction, 10, exponent, fmt)
    return quantity


def _parse_quantity(text: object) -> Quantity:
    """``ParseQuantity``, step by step, for what the lane of :func:`_parse` leaves.

    Split the string (``parseQuantityString``), interpret the suffix, then hold
    the value in an int64 with a scale when it fits (the fast path) or in an
    exact decimal (the slow path).
    """
    if not isinstance(text, str):
        raise QuantityError(text, f"expected a string, got {json_kind(text)}")
    if text == "0":
        return _ZERO
    if not text:
        _fail(text, KUBERNETES_FORMAT_MESSAGE, "empty string", 0)
    if len(text) > MAX_LENGTH:
        raise QuantityError(text, f"longer than {MAX_LENGTH} characters", position=MAX_LENGTH)
    negative, has_digits, number, fraction, suffix, suffix_at = _parse_quantity_string(text)
    interpreted = interpret_suffix(suffix)  # quantitySuffixer.interpret
    if interpreted is None:
        _fail(text, KUBERNETES_SUFFIX_MESSAGE, f"unknown suffix {quote(suffix)}", suffix_at)
    base, exponent, fmt = interpreted
    quantity = _int64_amount(text, negative, number, fraction, base, exponent, fmt)
    if quantity is not None:
        return quantity
    if not has_digits:  # inf.Dec's SetString refuses a number without digits
        _fail(text, KUBERNETES_NUMERIC_MESSAGE, "no digits before the suffix", suffix_at)
    return _dec_amount(negative, number, fraction, base, exponent, fmt)


def _parse_quantity_string(text: str) -> tuple[bool, bool, str, str, str, int]:
    """``parseQuantityString``: the parts of ``text``, or the format error.

    Returns whether it is negative, whether it has any digit, the whole
    number without leading zeros (``"0"`` when empty), the fraction digits,
    the suffix and the position where the suffix starts.
    """
    match = (_compiled_grammar or _grammar()).fullmatch(text)
    if match is None:
        import re

        prefix = re.match(_SCANNABLE_PREFIX, text)
        position = prefix.end() if prefix else 0
        _fail(text, KUBERNETES_FORMAT_MESSAGE, f"unexpected character {quote(text[position])}", position)
    sign, zeros, number, fraction, suffix = match.groups()
    fraction = fraction or ""
    has_digits = bool(zeros or number or fraction)
    return sign == "-", has_digits, number or "0", fraction, suffix, len(text) - len(suffix)


def _int64_amount(
    text: str, negative: bool, number: str, fraction: str, base: int, exponent: int, fmt: Format
) -> Quantity | None:
    """Kubernetes' fast path: at most 18 digits held in an int64 with a decimal scale, or None.

    Binary SI takes it only for whole numbers, with fewer digits the larger the
    suffix (``1Mi`` has about six digits of precision); a scale below nano
    leaves it for the slow path, which rounds.
    """
    if fmt is Format.BINARY_SI:
        if fraction:
            return None
        precision, scale = 14 - len(number) - exponent * 3 // 10, 0
    else:
        precision, scale = 18 - len(number) - len(fraction), exponent
    if precision < 0:
        return None
    scale -= len(fraction)
    if scale < _NANO_EXPONENT:
        # Go's int32 scale wraps: an exponent near -2^31 lands far above nano.
        scale = wrap_int32(scale)
        if scale < _NANO_EXPONENT:
            return None
    shifted = number + fraction
    magnitude = int(shifted)
    # When the string is already canonical, Kubernetes keeps it as typed.
    if base == 2:
        coefficient, reusable = magnitude << exponent, magnitude & 7 != 0
    else:
        coefficient = magnitude
        reusable = scale % 3 == 0 and shifted[0] != "0" and not shifted.endswith("000")
    return _new(-coefficient if negative else coefficient, scale, fmt, text if reusable else None)


def _dec_amount(
    negative: bool, number: str, fraction: str, base: int, exponent: int, fmt: Format
) -> Quantity:
    """Kubernetes' slow path: an exact ``inf.Dec``, rounded up to nanos, binary SI kept in bounds."""
    coefficient = int(number + fraction)
    if base == 10:
        # inf.Dec scale arithmetic is int32 and wraps, as in Go.
        value_exponent = -wrap_int32(len(fraction) + wrap_int32(-exponent))
    else:
        coefficient <<= exponent
        value_exponent = -len(fraction)
    coefficient, value_exponent = _round_to_nano(coefficient, value_exponent)
    if fmt is Format.BINARY_SI:
        coefficient, value_exponent, fmt = _binary_bounds(coefficient, value_exponent)
    return _new(-coefficient if negative else coefficient, value_exponent, fmt)


def _binary_bounds(magnitude: int, exponent: int) -> tuple[int, int, Format]:
    """A binary-SI magnitude is capped at 2^63-1; one below 1 is remembered as decimal SI."""
    one = 10**-exponent  # binary values have no positive decimal exponent
    if magnitude > INT64_MAX * one:
        return INT64_MAX, 0, Format.BINARY_SI
    if 0 < magnitude < one:
        return magnitude, exponent, Format.DECIMAL_SI
    return magnitude, exponent, Format.BINARY_SI


_ZERO: Final = _new(0, 0, Format.DECIMAL_SI, "0")


#: How many distinct strings parse_quantity remembers; real clusters use a few hundred.
CACHE_SIZE: Final = 8192


class _ParseCache(dict[str, Quantity]):
    """Remembers parses; a hit is a dict lookup in C, with no Python frame at all.

    A miss is the parser itself: the lanes for ``1234``, ``500m``, ``512Mi``, ``12.5``,
    ``1.5Gi`` and ``12e3`` are written out here rather than called, because a call costs
    as much as a lane; everything else takes Kubernetes' steps, :func:`_parse_quantity`.
    """

    def __missing__(self, text: object) -> Quantity:
        # text: object, as dict hands it over (see Quantity.__new__); _parse_quantity refuses
        # anything but a string.
        quantity: Quantity | None = None
        if type(text) is str and text.isascii():
            if text.isdigit():
                if len(text) <= 18 and text[0] != "0":
                    # int64Amount{value, 0}; the text is reused unless it ends in 000.
                    coefficient = _digits(text) if _COMPILED else int(text)
                    quantity = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
                    quantity._coefficient = coefficient
                    quantity._exponent = 0
                    quantity._format = _DECIMAL_SI
                    quantity._text = text if coefficient % 1000 else None
            else:
                last = text[-1:]
                if last == "i":
                    lane = _BINARY_LANES.get(text[-2:])
                    if lane is not None:
                        number = text[:-2]
                        if number.isdigit():
                            if len(number) <= lane[1] and number[0] != "0":
                                # int64Amount{value << exponent, 0}; the text is reused when
                                # the number is not a multiple of 8 (the suffix cannot grow).
                                magnitude = _digits(number) if _COMPILED else int(number)
                                quantity = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
                                quantity._coefficient = magnitude << lane[0]
                                quantity._exponent = 0
                                quantity._format = _BINARY_SI
                                quantity._text = text if magnitude & 7 else None
                        else:
                            whole, dot, fraction = number.partition(".")
                            if (
                                dot
                                and fraction.isdigit()
                                and (whole.isdigit() or not whole)
                                and len(fraction) <= 9
                                and len(whole) <= _LANE_LENGTH
                            ):
                                # A binary fraction never takes the int64 path: an exact inf.Dec
                                # (no rounding at nine digits or fewer), capped at 2^63-1 and
                                # remembered as decimal SI below 1 (_dec_amount, _binary_bounds).
                                coefficient = int(whole + fraction) << lane[0]
                                quantity = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
                                quantity._text = None
                                if coefficient > _INT64_MAX_SCALED[len(fraction)]:
                                    quantity._coefficient = INT64_MAX
                                    quantity._exponent = 0
                                    quantity._format = _BINARY_SI
                                else:
                                    quantity._coefficient = coefficient
                                    quantity._exponent = -len(fraction)
                                    quantity._format = (
                                        _DECIMAL_SI
                                        if 0 < coefficient < _POWERS_OF_TEN[len(fraction)]
                                        else _BINARY_SI
                                    )
                elif last > "9":
                    exponent = _DECIMAL_LETTERS.get(last)
                    if exponent is not None:
                        number = text[:-1]
                        if number.isdigit():
                            if len(number) <= 18 and number[0] != "0":
                                coefficient = _digits(number) if _COMPILED else int(number)
                                quantity = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
                                quantity._coefficient = coefficient
                                quantity._exponent = exponent
                                quantity._format = _DECIMAL_SI
                                quantity._text = text if coefficient % 1000 else None
                        elif len(number) <= _LANE_LENGTH:
                            quantity = _fraction_lane(text, number, exponent)
                else:
                    at = text.find(".")
                    if at >= 0:
                        digits = text.replace(".", "", 1)
                        places = len(digits) - at
                        if (
                            digits.isdigit()
                            and at > 0
                            and 0 < places <= 9
                            and len(digits) <= 18
                            and (text[0] != "0" or at == 1)
                        ):
                            # int64Amount{whole and fraction digits, -places}: at most 18 digits,
                            # no finer than nano; "0" is a stripped zero whole part.
                            coefficient = _digits(digits) if _COMPILED else int(digits)
                            quantity = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
                            quantity._coefficient = coefficient
                            quantity._exponent = -places
                            quantity._format = _DECIMAL_SI
                            quantity._text = (
                                text if places % 3 == 0 and digits[0] != "0" and coefficient % 1000 else None
                            )
                        elif len(text) <= _LANE_LENGTH:
                            quantity = _exponent_lane(text)
                    else:
                        at = text.find("e")
                        if 0 < at <= 18:
                            # int64Amount{number, exponent} for an exponent no finer than nano;
                            # the exponents of _EXPONENTS need no int32 conversion.
                            exponent = _EXPONENTS.get(text[at + 1 :])
                            number = text[:at]
                            if exponent is not None and number.isdigit() and number[0] != "0":
                                coefficient = _digits(number) if _COMPILED else int(number)
                                quantity = Quantity(_BLANK) if _COMPILED else _object_new(Quantity)
                                quantity._coefficient = coefficient
                                quantity._exponent = exponent
                                quantity._format = _DECIMAL_EXPONENT
                                quantity._text = text if exponent % 3 == 0 and coefficient % 1000 else None
                        if quantity is None and len(text) <= _LANE_LENGTH:
                            quantity = _exponent_lane(text)
        if quantity is None:
            quantity = _parse_quantity(text)
        if len(self) >= CACHE_SIZE:
            # Dropping everything at once is cheaper than tracking recency, and a
            # cluster's working set refills the cache within one manifest.
            self.clear()
        self[text] = quantity  # type: ignore[index]  # a str: _parse_quantity refused the rest
        return quantity


class _Uncached(_ParseCache):
    """The same parser, remembering nothing."""

    def __setitem__(self, text: str, quantity: Quantity) -> None:
        pass


_uncached: Final = _Uncached()


def _parse(text: object) -> Quantity:
    """Parse ``text`` exactly as apimachinery's ``ParseQuantity`` does (uncached).

    A non-string gets a QuantityError (``object``: a compiled build checks argument types).
    """
    return _uncached.__missing__(text)


_cache: Final = _ParseCache()

#: Parse a Kubernetes quantity exactly as the API server does, remembering the
#: result (quantities are immutable). ``parse_quantity_uncached`` is the parser
#: itself; an unhashable argument raises TypeError.
#:
#: >>> parse_quantity("1.5Gi")
#: Quantity('1536Mi')
parse_quantity = _cache.__getitem__


def clear_cache() -> None:
    """Forget every remembered parse (for benchmarks and tests)."""
    _cache.clear()


parse_quantity_uncached = _parse
