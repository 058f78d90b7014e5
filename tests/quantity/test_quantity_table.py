"""The quantity table: input, canonical form or error, one row each.

Modelled on apimachinery's ``quantity_test.go``: one loop, many rows, and a bug
becomes a new row. Every row of ``ROWS`` is also checked against the installed
kubectl by ``test_kubectl_differential.py``, so an expectation here is what
Kubernetes (kubectl 1.32) prints, not what we think it should print.

Go rules cited below live in apimachinery ``pkg/api/resource``: ``ParseQuantity``
and ``parseQuantityString`` (quantity.go), ``interpret``/``constructBytes``
(suffix.go) and ``AsCanonicalBytes``/``AsCanonicalBase1024Bytes`` (amount.go).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

import pytest

from quantities import Format, Quantity, QuantityError, parse_quantity
from quantities.quantity.errors import (
    KUBERNETES_FORMAT_MESSAGE,
    KUBERNETES_NUMERIC_MESSAGE,
    KUBERNETES_SUFFIX_MESSAGE,
)


class Rejected(NamedTuple):
    """An expected error: which of Kubernetes' three messages."""

    message: str


FORMAT_ERROR = Rejected(KUBERNETES_FORMAT_MESSAGE)
SUFFIX_ERROR = Rejected(KUBERNETES_SUFFIX_MESSAGE)
NUMERIC_ERROR = Rejected(KUBERNETES_NUMERIC_MESSAGE)

INT64_MAX = "9223372036854775807"

ROWS: list[tuple[str, str | Rejected]] = [
    # -- Zero. ParseQuantity special-cases "0"; parseQuantityString returns num "0" when
    # only zeros follow the sign; CanonicalizeBytes prints every zero as "0".
    ("0", "0"),
    ("00", "0"),
    ("000000000000000000000000000000", "0"),
    ("-0", "0"),
    ("+0", "0"),
    ("0.0", "0"),
    ("-0.0", "0"),
    ("0.", "0"),
    (".0", "0"),
    ("0m", "0"),
    ("0n", "0"),
    ("0k", "0"),
    ("0E", "0"),
    ("0Ki", "0"),
    ("0Pi", "0"),
    ("0Ei", "0"),
    ("-0Mi", "0"),
    ("0e0", "0"),
    ("0e100", "0"),
    ("0e-100", "0"),
    ("-0e-100", "0"),
    ("00.e-100", "0"),
    ("0.000m", "0"),
    ("00.00Gi", "0"),
    # -- An empty number is zero when the int64 fast path takes it: "if we stripped all
    # numerator positions, always return 0" (parseQuantityString).
    ("-", "0"),
    ("+", "0"),
    (".", "0"),
    ("-.", "0"),
    ("+.", "0"),
    ("n", "0"),
    ("u", "0"),
    ("m", "0"),
    ("k", "0"),
    ("M", "0"),
    ("G", "0"),
    ("T", "0"),
    ("P", "0"),
    ("E", "0"),
    ("Ki", "0"),
    ("Mi", "0"),
    ("Gi", "0"),
    ("Ti", "0"),
    ("-Ki", "0"),
    (".Ki", "0"),
    ("-.Ki", "0"),
    ("-.m", "0"),
    ("e3", "0"),
    ("E3", "0"),
    ("e-3", "0"),
    ("e-9", "0"),
    ("+e3", "0"),
    (".e3", "0"),
    ("e100", "0"),
    # ... but the slow path hands the text before the suffix to inf.Dec.SetString, which
    # needs a digit: Pi and Ei are too big for the fast path (precision < 0), and so is
    # a decimal scale below nano.
    ("Pi", NUMERIC_ERROR),
    ("Ei", NUMERIC_ERROR),
    ("+Pi", NUMERIC_ERROR),
    ("-Ei", NUMERIC_ERROR),
    (".Pi", NUMERIC_ERROR),
    (".Ei", NUMERIC_ERROR),
    ("-.Ei", NUMERIC_ERROR),
    ("+.Pi", NUMERIC_ERROR),
    ("e-10", NUMERIC_ERROR),
    ("e-100", NUMERIC_ERROR),
    ("-e-20", NUMERIC_ERROR),
    (".e-10", NUMERIC_ERROR),
    # -- Plain integers: no fractional digits, the largest suffix that keeps the value
    # exact (AsCanonicalBytes moves factors of ten into a multiple-of-3 exponent).
    ("1", "1"),
    ("7", "7"),
    ("12", "12"),
    ("999", "999"),
    ("1000", "1k"),
    ("1001", "1001"),
    ("1010", "1010"),
    ("1100", "1100"),
    ("1500", "1500"),
    ("10000", "10k"),
    ("100000", "100k"),
    ("123000", "123k"),
    ("1000000", "1M"),
    ("1500000", "1500k"),
    ("1000000000", "1G"),
    ("1000000000000", "1T"),
    ("1000000000000000", "1P"),
    ("1000000000000000000", "1E"),
    ("1024", "1024"),
    ("1073741824", "1073741824"),
    ("-1", "-1"),
    ("-1000", "-1k"),
    ("-1500", "-1500"),
    ("123456789012345678", "123456789012345678"),
    ("999999999999999999", "999999999999999999"),
    # -- More than 18 digits take the arbitrary-precision path; only BinarySI is capped,
    # so decimal values above int64 stay exact ("The max is just a simple cap" applies
    # to format == BinarySI only).
    ("1234567890123456789", "1234567890123456789"),
    (INT64_MAX, INT64_MAX),
    ("9223372036854775808", "9223372036854775808"),
    ("-9223372036854775808", "-9223372036854775808"),
    ("-9223372036854775809", "-9223372036854775809"),
    ("18446744073709551616", "18446744073709551616"),
    ("99999999999999999999", "99999999999999999999"),
    ("12345678901234567890", "12345678901234567890"),
    ("10000000000000000000", "10E"),
    ("100000000000000000000", "100E"),
    ("9223372036854775808000", "9223372036854775808k"),
    ("1234567890123456789000000", "1234567890123456789M"),
    ("9223372036854775807000m", INT64_MAX),
    ("8E", "8E"),
    ("10E", "10E"),
    ("9.223372036854775808E", "9223372036854775808"),
    # -- Every decimal SI suffix (suffix.go: n u m "" k M G T P E), and 1000 of each
    # becoming the next one.
    ("1n", "1n"),
    ("1u", "1u"),
    ("1m", "1m"),
    ("1k", "1k"),
    ("1M", "1M"),
    ("1G", "1G"),
    ("1T", "1T"),
    ("1P", "1P"),
    ("1E", "1E"),
    ("999n", "999n"),
    ("1000n", "1u"),
    ("1000u", "1m"),
    ("1000m", "1"),
    ("1000k", "1M"),
    ("1000M", "1G"),
    ("1000G", "1T"),
    ("1000T", "1P"),
    ("1000P", "1E"),
    ("1500n", "1500n"),
    ("1500m", "1500m"),
    ("1500k", "1500k"),
    ("2500M", "2500M"),
    ("10m", "10m"),
    ("100m", "100m"),
    ("-100m", "-100m"),
    ("250m", "250m"),
    ("500m", "500m"),
    ("1000000u", "1"),
    ("1000000000n", "1"),
    # -- Decimal fractions: never fractional digits, so a smaller suffix.
    ("0.5", "500m"),
    ("0.25", "250m"),
    ("0.1", "100m"),
    ("0.01", "10m"),
    ("0.001", "1m"),
    ("0.0001", "100u"),
    ("0.000001", "1u"),
    ("0.000000001", "1n"),
    ("1.5", "1500m"),
    ("-1.5", "-1500m"),
    ("+1.5", "1500m"),
    ("1.50", "1500m"),
    ("1.5000", "1500m"),
    ("1.0", "1"),
    ("1.000", "1"),
    ("2.5k", "2500"),
    ("1.5k", "1500"),
    ("1.234k", "1.234k"),
    ("1.2340k", "1234"),
    ("12.34k", "12340"),
    ("1.5M", "1500k"),
    ("1.5G", "1500M"),
    ("1.5T", "1500G"),
    ("1.5P", "1500T"),
    ("1.5E", "1500P"),
    ("0.5m", "500u"),
    ("0.5u", "500n"),
    ("0.1u", "100n"),
    ("1.5u", "1500n"),
    ("0.0001m", "100n"),
    ("00.5", "500m"),
    ("+0.5", "500m"),
    # -- Every binary SI suffix (Ki Mi Gi Ti Pi Ei); AsCanonicalBase1024Bytes divides
    # out factors of 1024.
    ("1Ki", "1Ki"),
    ("1Mi", "1Mi"),
    ("1Gi", "1Gi"),
    ("1Ti", "1Ti"),
    ("1Pi", "1Pi"),
    ("1Ei", "1Ei"),
    ("1023Ki", "1023Ki"),
    ("1024Ki", "1Mi"),
    ("1024Mi", "1Gi"),
    ("1024Gi", "1Ti"),
    ("1024Ti", "1Pi"),
    ("1024Pi", "1Ei"),
    ("2048Ki", "2Mi"),
    ("1536Ki", "1536Ki"),
    ("3Gi", "3Gi"),
    ("100Mi", "100Mi"),
    ("128Mi", "128Mi"),
    ("512Mi", "512Mi"),
    ("1000Mi", "1000Mi"),
    ("4096Mi", "4Gi"),
    ("1048576Ki", "1Gi"),
    ("-1Ki", "-1Ki"),
    ("-1024Ki", "-1Mi"),
    ("-3Gi", "-3Gi"),
    ("7Ei", "7Ei"),
    ("8191Pi", "8191Pi"),
    ("9007199254740991Ki", "9007199254740991Ki"),
    ("99999999999Ki", "99999999999Ki"),
    ("999999999999Ki", "999999999999Ki"),
    ("10Ti", "10Ti"),
    ("100Ti", "100Ti"),
    # A binary value strictly between -1024 and 1024 is written in decimal SI.
    ("0.5Ki", "512"),
    ("-0.5Ki", "-512"),
    ("0.125Ki", "128"),
    ("1.5Ki", "1536"),
    # The comparison is by value (CmpInt64), not by representation: a binary value of
    # exactly 1000 (only reachable through the fractional, inf.Dec, path) is 1 * 10^3 and
    # prints "1k", and so does its negative. 1010 and 1020 have no factor 1000 to move.
    ("0.9765625Ki", "1k"),
    ("-0.9765625Ki", "-1k"),
    ("+0.9765625Ki", "1k"),
    (".9765625Ki", "1k"),
    ("-.9765625Ki", "-1k"),
    ("00000.9765625Ki", "1k"),
    ("0.976562500000000000000000Ki", "1k"),
    ("0.9765625000000000000000000000001Ki", "1000000000001n"),
    ("0.97656249999999999Ki", "1k"),
    ("-0.97656249999999999Ki", "-1k"),
    ("0.976562499999999999999999999999Ki", "1k"),
    ("0.9765624999990234375Ki", "999999999999n"),
    ("0.00095367431640625Mi", "1k"),
    ("-0.00095367431640625Mi", "-1k"),
    ("0.000000931322574615478515625Gi", "1k"),
    ("0.0000000009094947017729282379150390625Ti", "1k"),
    ("0.00000000000088817841970012523233890533447265625Pi", "1k"),
    ("-0.000000000000000867361737988403547205962240695953369140625Ei", "-1k"),
    ("0.0000000000008881784197001252323389053344726562Pi", "1k"),
    ("0.9863281250Ki", "1010"),
    ("0.99609375Ki", "1020"),
    ("0.009765625Ki", "10"),
    ("0.09765625Ki", "100"),
    ("0.9990234375Ki", "1023"),
    ("-0.9990234375Ki", "-1023"),
    ("0.0000095367431640625Mi", "10"),
    # -- Fractional binary: exact in binary when a whole number, else decimal SI
    # ("Don't lose precision-- show as DecimalSI", CanonicalizeBytes).
    ("1.5Gi", "1536Mi"),
    ("-1.5Gi", "-1536Mi"),
    ("0.5Mi", "512Ki"),
    ("0.25Gi", "256Mi"),
    ("0.5Gi", "512Mi"),
    ("2.5Gi", "2560Mi"),
    ("1.5Mi", "1536Ki"),
    ("0.75Ti", "768Gi"),
    ("1.5Ei", "1536Pi"),
    ("7.5Ei", "7680Pi"),
    ("1.0Ki", "1Ki"),
    ("1.00Mi", "1Mi"),
    ("1.1Ki", "1126400m"),
    ("0.1Ki", "102400m"),
    ("0.001Ki", "1024m"),
    ("0.0001Ki", "102400u"),
    ("0.0000000001Ki", "103n"),
    # -- Rounding: a value finer than a nano rounds away from zero to whole nanos
    # (amount.Round(amount, Nano.infScale(), inf.RoundUp)), so a request never becomes 0.
    ("0.9n", "1n"),
    ("0.1n", "1n"),
    ("0.5n", "1n"),
    ("1.1n", "2n"),
    ("1.9n", "2n"),
    ("1.5n", "2n"),
    ("-0.1n", "-1n"),
    ("-1.1n", "-2n"),
    ("0.001u", "1n"),
    ("0.0001u", "1n"),
    ("0.000000001m", "1n"),
    ("0.0000000001", "1n"),
    ("0.0000000015", "2n"),
    ("0.000000000000000000001", "1n"),
    ("1.0000000001", "1000000001n"),
    ("-1.0000000001", "-1000000001n"),
    ("1e-10", "1e-9"),
    ("9e-10", "1e-9"),
    ("11e-10", "2e-9"),
    ("1e-1000", "1e-9"),
    ("-1e-1000", "-1e-9"),
    ("123456789012345678901234567890e-5000", "1e-9"),
    # -- BinarySI is capped at 2^63-1 ("The max is just a simple cap"), the sign applied
    # after the cap; the capped value has no binary suffix.
    ("8Ei", INT64_MAX),
    ("-8Ei", "-" + INT64_MAX),
    ("8.0Ei", INT64_MAX),
    ("16Ei", INT64_MAX),
    ("1000Ei", INT64_MAX),
    ("8192Pi", INT64_MAX),
    ("9007199254740992Ki", INT64_MAX),
    ("9223372036854775807Ki", INT64_MAX),
    ("99999999999999999999Ei", INT64_MAX),
    ("-99999999999999999999Ei", "-" + INT64_MAX),
    # -- Verbatim echo: when the int64 fast path finds the input already canonical
    # (scale % 3 == 0, no leading "0" digit, no trailing "000"; for BinarySI
    # value & 7 != 0) the Quantity keeps the string and marshals it back as typed.
    ("+1", "+1"),
    ("01", "01"),
    ("007", "007"),
    ("010", "010"),
    ("0010m", "0010m"),
    ("001000", "1k"),
    ("1e0", "1e0"),
    ("1E0", "1E0"),
    ("1e00", "1e00"),
    ("1e+0", "1e+0"),
    ("1e-0", "1e-0"),
    ("1.500", "1.500"),
    ("-1.500", "-1.500"),
    ("1.500k", "1.500k"),
    ("1.", "1."),
    ("+1.", "+1."),
    ("1.m", "1.m"),
    ("1.G", "1.G"),
    ("+100m", "+100m"),
    ("+1Ki", "+1Ki"),
    ("01Ki", "01Ki"),
    ("0001Mi", "0001Mi"),
    ("00000000000001Ki", "00000000000001Ki"),
    ("08Ki", "8Ki"),
    ("1.Ki", "1.Ki"),
    ("+10Ti", "+10Ti"),
    ("+99999999999Ki", "+99999999999Ki"),
    # ... and only there: the arbitrary-precision path never keeps the input.
    ("+100Ti", "100Ti"),
    ("+999999999999Ki", "999999999999Ki"),
    ("01Pi", "1Pi"),
    ("+1Pi", "1Pi"),
    ("+1Ei", "1Ei"),
    ("-01Ei", "-1Ei"),
    ("+1234567890123456789", "1234567890123456789"),
    # -- Decimal exponent ("e" or "E" and a signed integer, after the SI tables): printed
    # as <digits>e<multiple of 3>, or bare digits when the exponent is 0.
    ("1E3", "1E3"),
    ("1e+3", "1e+3"),
    ("1e3", "1e3"),
    ("+1e3", "+1e3"),
    ("-1e3", "-1e3"),
    ("1e6", "1e6"),
    ("1e-3", "1e-3"),
    ("1e-6", "1e-6"),
    ("1e-9", "1e-9"),
    ("1e18", "1e18"),
    ("1e21", "1e21"),
    ("1e99", "1e99"),
    ("1e100", "10e99"),
    ("1e1", "10"),
    ("1e2", "100"),
    ("1e4", "10e3"),
    ("1e5", "100e3"),
    ("1e19", "10e18"),
    ("1e-1", "100e-3"),
    ("1e-2", "10e-3"),
    ("10e3", "10e3"),
    ("1000e3", "1e6"),
    ("1000e0", "1e3"),
    ("1000e-3", "1"),
    ("100e-3", "100e-3"),
    ("12e-1", "1200e-3"),
    ("1.5e3", "1500"),
    ("1.5e-3", "1500e-6"),
    ("0.5e3", "500"),
    ("0.1e3", "100"),
    ("1e999999999", "1e999999999"),
    ("1e1000000000", "10e999999999"),
    # -- The exponent is strconv.ParseInt(.., 10, 64) then int32(...) without a check,
    # so it wraps modulo 2^32; scale arithmetic wraps too.
    ("1e4294967296", "1e4294967296"),
    ("1E4294967297", "10"),
    ("1e4294967297", "10"),
    ("1e4294967298", "100"),
    ("1e4294967299", "1e4294967299"),
    ("1e4294967295", "100e-3"),
    ("1e-4294967296", "1e-4294967296"),
    ("1e2147483647", "10e2147483646"),
    ("1e-2147483649", "10e2147483646"),
    ("1.5e-2147483648", "150e2147483646"),
    ("1e9223372036854775807", "100e-3"),
    ("1e-9223372036854775808", "1e-9223372036854775808"),
    # ... and an exponent outside int64 is not a number at all.
    ("1e9223372036854775808", SUFFIX_ERROR),
    ("1e-9223372036854775809", SUFFIX_ERROR),
    ("1e18446744073709551616", SUFFIX_ERROR),
    # -- No decimal suffix above E: constructBytes finds none for 10^21 and kubectl 1.32
    # prints the bare digits (see test_suffix_above_exa_is_dropped below).
    ("2000E", "2"),
    ("10000E", "10"),
    ("1000E", "1"),
    ("-2000E", "-2"),
    ("15000E", "15"),
    ("1500E", "1500E"),
    ("1000000E", "1"),
    ("2000000P", "2"),
    ("1000000000000000000000", "1"),
    ("1000000000000000000000m", "1E"),
    # -- Format errors: parseQuantityString meets a character outside
    # [+-]?[0-9]*(.[0-9]*)?[eEinumkKMGTP]*[+-]?[0-9]* (ErrFormatWrong).
    ("", FORMAT_ERROR),
    ("1 Gi", FORMAT_ERROR),
    ("1 1", FORMAT_ERROR),
    ("1e 3", FORMAT_ERROR),
    ("1.5.5", FORMAT_ERROR),
    ("1..5", FORMAT_ERROR),
    ("..", FORMAT_ERROR),
    ("1.5.5Gi", FORMAT_ERROR),
    ("1,5", FORMAT_ERROR),
    ("1,5Gi", FORMAT_ERROR),
    ("1,000", FORMAT_ERROR),
    ("0x10", FORMAT_ERROR),
    ("1/2", FORMAT_ERROR),
    ("1_000", FORMAT_ERROR),
    ("1KB", FORMAT_ERROR),
    ("1Kb", FORMAT_ERROR),
    ("1kb", FORMAT_ERROR),
    ("1KI", FORMAT_ERROR),
    ("1MB", FORMAT_ERROR),
    ("1GB", FORMAT_ERROR),
    ("1.5GB", FORMAT_ERROR),
    ("1GiB", FORMAT_ERROR),
    ("1Mib", FORMAT_ERROR),
    ("1g", FORMAT_ERROR),
    ("1b", FORMAT_ERROR),
    ("1x", FORMAT_ERROR),
    ("x", FORMAT_ERROR),
    ("abc", FORMAT_ERROR),
    ("inf", FORMAT_ERROR),
    ("-inf", FORMAT_ERROR),
    ("nan", FORMAT_ERROR),
    ("NaN", FORMAT_ERROR),
    ("Infinity", FORMAT_ERROR),
    ("1e3.5", FORMAT_ERROR),
    ("1e3e3", FORMAT_ERROR),
    ("1E3E3", FORMAT_ERROR),
    ("1e3k", FORMAT_ERROR),
    ("1e3Ki", FORMAT_ERROR),
    ("1e--3", FORMAT_ERROR),
    ("1e+-3", FORMAT_ERROR),
    ("\uff11", FORMAT_ERROR),
    ("\u22121", FORMAT_ERROR),
    ("1\u00b5", FORMAT_ERROR),
    # -- Suffix errors: the letters/sign/digits after the number are not in the SI tables
    # and not "e"/"E" with an int64 (ErrSuffix).
    ("1K", SUFFIX_ERROR),
    ("1.5K", SUFFIX_ERROR),
    ("K", SUFFIX_ERROR),
    ("1mi", SUFFIX_ERROR),
    ("mi", SUFFIX_ERROR),
    ("1ki", SUFFIX_ERROR),
    ("1kk", SUFFIX_ERROR),
    ("1mm", SUFFIX_ERROR),
    ("1Mm", SUFFIX_ERROR),
    ("1Kii", SUFFIX_ERROR),
    ("1iK", SUFFIX_ERROR),
    ("i", SUFFIX_ERROR),
    ("KiKi", SUFFIX_ERROR),
    ("1Ki1", SUFFIX_ERROR),
    ("1k3", SUFFIX_ERROR),
    ("1e", SUFFIX_ERROR),
    ("1.5e", SUFFIX_ERROR),
    ("e", SUFFIX_ERROR),
    ("-e", SUFFIX_ERROR),
    ("ee", SUFFIX_ERROR),
    ("1ee3", SUFFIX_ERROR),
    ("1e-", SUFFIX_ERROR),
    ("1e+", SUFFIX_ERROR),
    ("1-", SUFFIX_ERROR),
    ("1+", SUFFIX_ERROR),
    ("--1", SUFFIX_ERROR),
    ("+-1", SUFFIX_ERROR),
    ("++", SUFFIX_ERROR),
    ("++1", SUFFIX_ERROR),
]

# Rows whose input has white space at an end. kubectl's JSON decoder trims it
# (Quantity.UnmarshalJSON calls strings.TrimSpace) while ParseQuantity rejects it,
# so the differential test cannot ask kubectl about these.
UNTRIMMED_ROWS: list[tuple[str, str | Rejected]] = [
    (" ", FORMAT_ERROR),
    (" 1", FORMAT_ERROR),
    ("1 ", FORMAT_ERROR),
    ("1\t", FORMAT_ERROR),
    ("\n1Gi", FORMAT_ERROR),
    ("1.5k ", FORMAT_ERROR),
]


def _row_id(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=_row_id(text)) for text, expected in ROWS + UNTRIMMED_ROWS],
)
def test_parse(text: str, expected: str | Rejected) -> None:
    if isinstance(expected, Rejected):
        with pytest.raises(QuantityError) as raised:
            parse_quantity(text)
        assert raised.value.kubernetes_message == expected.message
        assert raised.value.text == text
    else:
        assert str(parse_quantity(text)) == expected


def test_table_is_large_and_has_no_duplicates() -> None:
    texts = [text for text, _ in ROWS + UNTRIMMED_ROWS]
    assert len(texts) >= 300
    assert len(texts) == len(set(texts))


def test_suffix_above_exa_is_dropped_as_kubectl_1_32_does() -> None:
    # Two answers exist for 2000E (= 2 * 10^21). Kubernetes has no decimal suffix above
    # E, and constructBytes returns no suffix at all for 10^21:
    #   * kubectl 1.32 (the release we follow, KUBERNETES_VERSION) prints "2";
    #     the differential test confirms it against the installed kubectl.
    #   * the newer apimachinery source kept in our reference index writes "2e21"
    #     instead, which would at least keep the value.
    # Our library follows kubectl 1.32; the value itself is kept exactly.
    quantity = parse_quantity("2000E")
    assert str(quantity) == "2"
    assert str(quantity) != "2e21"
    assert quantity.to_decimal() == Decimal("2E21")
    assert str(parse_quantity("10000E")) == "10"


class Reading(NamedTuple):
    """What Kubernetes' accessors return for one input."""

    text: str
    format: Format
    value: int
    milli_value: int
    decimal: str


# Value() and MilliValue() round up, away from zero (ScaledValue: "ceil(q / 10^scale)");
# Go's int64 overflow is not reproduced: our integers are exact.
READINGS: list[Reading] = [
    Reading("0", Format.DECIMAL_SI, 0, 0, "0"),
    Reading("1", Format.DECIMAL_SI, 1, 1000, "1"),
    Reading("1500m", Format.DECIMAL_SI, 2, 1500, "1.5"),
    Reading("-1500m", Format.DECIMAL_SI, -2, -1500, "-1.5"),
    Reading("100m", Format.DECIMAL_SI, 1, 100, "0.1"),
    Reading("0.1m", Format.DECIMAL_SI, 1, 1, "0.0001"),
    Reading("1n", Format.DECIMAL_SI, 1, 1, "1E-9"),
    Reading("-1n", Format.DECIMAL_SI, -1, -1, "-1E-9"),
    Reading("1u", Format.DECIMAL_SI, 1, 1, "0.000001"),
    Reading("1001u", Format.DECIMAL_SI, 1, 2, "0.001001"),
    Reading("1k", Format.DECIMAL_SI, 1000, 1000000, "1000"),
    Reading("1E", Format.DECIMAL_SI, 10**18, 10**21, "1E+18"),
    Reading("2000E", Format.DECIMAL_SI, 2 * 10**21, 2 * 10**24, "2E+21"),
    Reading("9223372036854775808", Format.DECIMAL_SI, 2**63, 2**63 * 1000, "9223372036854775808"),
    Reading("1Ki", Format.BINARY_SI, 1024, 1024000, "1024"),
    Reading("1.5Gi", Format.BINARY_SI, 1610612736, 1610612736000, "1610612736"),
    Reading("0.5Ki", Format.BINARY_SI, 512, 512000, "512"),
    Reading("1.1Ki", Format.BINARY_SI, 1127, 1126400, "1126.4"),
    Reading("0.0001Ki", Format.DECIMAL_SI, 1, 103, "0.1024"),
    Reading("-0.0001Ki", Format.DECIMAL_SI, -1, -103, "-0.1024"),
    Reading("0.0000000001Ki", Format.DECIMAL_SI, 1, 1, "1.03E-7"),
    Reading("Ki", Format.BINARY_SI, 0, 0, "0"),
    Reading("8Ei", Format.BINARY_SI, 2**63 - 1, (2**63 - 1) * 1000, INT64_MAX),
    Reading("-8Ei", Format.BINARY_SI, -(2**63 - 1), -(2**63 - 1) * 1000, "-" + INT64_MAX),
    Reading("1e3", Format.DECIMAL_EXPONENT, 1000, 1000000, "1000"),
    Reading("1E3", Format.DECIMAL_EXPONENT, 1000, 1000000, "1000"),
    Reading("1e-3", Format.DECIMAL_EXPONENT, 1, 1, "0.001"),
    Reading("1e-10", Format.DECIMAL_EXPONENT, 1, 1, "1E-9"),
    Reading("1e4294967297", Format.DECIMAL_EXPONENT, 10, 10000, "10"),
    Reading("-1e-1000", Format.DECIMAL_EXPONENT, -1, -1, "-1E-9"),
    Reading("0.9n", Format.DECIMAL_SI, 1, 1, "1E-9"),
    Reading("+1", Format.DECIMAL_SI, 1, 1000, "1"),
    Reading("1.500", Format.DECIMAL_SI, 2, 1500, "1.5"),
]


@pytest.mark.parametrize("reading", [pytest.param(r, id=r.text) for r in READINGS])
def test_readings(reading: Reading) -> None:
    quantity = parse_quantity(reading.text)
    assert quantity.format is reading.format
    assert quantity.value() == reading.value
    assert quantity.milli_value() == reading.milli_value
    assert quantity.to_decimal() == Decimal(reading.decimal)


# canonical() ignores the verbatim echo; str() keeps it.
CANONICAL_ROWS = [
    ("+1", "+1", "1"),
    ("01", "01", "1"),
    ("007", "007", "7"),
    ("1e0", "1e0", "1"),
    ("1E3", "1E3", "1e3"),
    ("1e+3", "1e+3", "1e3"),
    ("1.500", "1.500", "1500m"),
    ("1.G", "1.G", "1G"),
    ("+100m", "+100m", "100m"),
    ("+1Ki", "+1Ki", "1Ki"),
    ("01Ki", "01Ki", "1Ki"),
    ("1.Ki", "1.Ki", "1Ki"),
    ("1e4294967296", "1e4294967296", "1"),
    ("1000m", "1", "1"),
    ("1.5Gi", "1536Mi", "1536Mi"),
]


@pytest.mark.parametrize(("text", "shown", "canonical"), CANONICAL_ROWS)
def test_verbatim_and_canonical(text: str, shown: str, canonical: str) -> None:
    quantity = parse_quantity(text)
    assert str(quantity) == shown
    assert quantity.canonical() == canonical
    assert repr(quantity) == f"Quantity({shown!r})"


def test_constructor_is_parse_quantity() -> None:
    assert Quantity("1.5Gi") == parse_quantity("1536Mi")
    assert str(Quantity("1000m")) == "1"
    with pytest.raises(QuantityError):
        Quantity("1K")


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (lambda: Quantity.from_int(2048, "BinarySI"), "2Ki"),
        (lambda: Quantity.from_int(1000), "1k"),
        (lambda: Quantity.from_int(1000, Format.DECIMAL_EXPONENT), "1e3"),
        (lambda: Quantity.from_int(-5, "BinarySI"), "-5"),
        # CanonicalizeBytes compares a binary value with +-1024 by value (CmpInt64), for int64
        # amounts too: NewQuantity(1000, BinarySI) and 1Ki - 24 print "1k".
        (lambda: Quantity.from_int(1000, "BinarySI"), "1k"),
        (lambda: Quantity.from_int(-1000, "BinarySI"), "-1k"),
        (lambda: Quantity.from_int(1010, "BinarySI"), "1010"),
        (lambda: Quantity.from_int(1024, "BinarySI"), "1Ki"),
        (lambda: Quantity.from_milli(1000000, "BinarySI"), "1k"),
        (lambda: Quantity.from_fraction(Fraction(1000), "BinarySI"), "1k"),
        (lambda: Quantity("1Ki") - Quantity("24"), "1k"),
        (lambda: Quantity("1Ki") - Quantity("2024"), "-1k"),
        (lambda: -Quantity("0.9765625Ki"), "-1k"),
        (lambda: Quantity("0.5Ki") + Quantity("0.4765625Ki"), "1k"),
        (lambda: Quantity.from_milli(1500), "1500m"),
        (lambda: Quantity.from_milli(2000), "2"),
        (lambda: Quantity.from_milli(1500, "BinarySI"), "1500m"),
        (lambda: Quantity.from_decimal(Decimal("1.5")), "1500m"),
        (lambda: Quantity.from_decimal(Decimal("1E-12")), "1n"),
        (lambda: Quantity.from_decimal(Decimal("-1E-12")), "-1n"),
    ],
)
def test_constructors(made: Callable[[], Quantity], expected: str) -> None:
    assert str(made()) == expected


def test_from_decimal_refuses_infinity() -> None:
    with pytest.raises(QuantityError):
        Quantity.from_decimal(Decimal("Infinity"))
    with pytest.raises(QuantityError):
        Quantity.from_decimal(Decimal("NaN"))
