"""Go's fixed-width integers: strconv.ParseInt(s, 10, 64) and the int32 conversion.

The ParseInt rows follow Go's own table (``strconv/atoi_test.go``,
``parseInt64Tests``) plus the strings people write by mistake; None is where Go
returns ErrSyntax or ErrRange.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.quantity.goint import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    parse_go_int64,
    saturate_int64,
    wrap_int32,
)

PARSE_INT64_ROWS: list[tuple[object, int | None]] = [
    ("0", 0),
    ("-0", 0),
    ("+0", 0),
    ("1", 1),
    ("-1", -1),
    ("+1", 1),
    ("12345", 12345),
    ("-12345", -12345),
    ("012345", 12345),
    ("-012345", -12345),
    ("98765432100", 98765432100),
    ("9223372036854775807", INT64_MAX),
    ("-9223372036854775807", -INT64_MAX),
    ("-9223372036854775808", INT64_MIN),
    ("0000000000000000000000009223372036854775807", INT64_MAX),  # leading zeros are not digits of range
    ("9223372036854775808", None),  # ErrRange
    ("-9223372036854775809", None),
    ("18446744073709551616", None),
    ("1" + "0" * 5000, None),  # far past int64 (and past what int() reads from text)
    ("", None),  # ErrSyntax from here on
    ("+", None),
    ("-", None),
    ("++1", None),
    ("+-1", None),
    ("-_12345", None),
    ("_12345", None),
    ("1_000", None),  # underscores only with base 0
    ("12345_", None),
    ("123%45", None),
    ("0x10", None),  # no base prefix with base 10
    ("1e3", None),
    ("1.0", None),
    (" 1", None),  # no trimming
    ("1 ", None),
    ("1\n", None),
    ("\u0661", None),  # ARABIC-INDIC DIGIT ONE: Python's isdigit() says yes, Go says no
    ("\u00b2", None),  # SUPERSCRIPT TWO
    ("\uff11", None),  # FULLWIDTH DIGIT ONE
    (1, None),  # not a string at all
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_INT64_ROWS)
def test_parse_go_int64(text: object, expected: int | None) -> None:
    assert parse_go_int64(text) == expected


@given(st.integers(INT64_MIN, INT64_MAX), st.booleans(), st.sampled_from(["", "0", "000"]))
@settings(max_examples=300, deadline=None)
def test_parse_go_int64_reads_every_int64(value: int, plus: bool, zeros: str) -> None:
    sign = "-" if value < 0 else "+" if plus else ""
    assert parse_go_int64(f"{sign}{zeros}{abs(value)}") == value


@given(st.one_of(st.integers(min_value=INT64_MAX + 1), st.integers(max_value=INT64_MIN - 1)))
@settings(max_examples=200, deadline=None)
def test_parse_go_int64_refuses_what_int64_cannot_hold(value: int) -> None:
    assert parse_go_int64(str(value)) is None


WRAP_INT32_ROWS = [
    (0, 0),
    (INT32_MAX, INT32_MAX),
    (INT32_MIN, INT32_MIN),
    (INT32_MAX + 1, INT32_MIN),
    (INT32_MIN - 1, INT32_MAX),
    (1 << 32, 0),
    ((1 << 32) + 1, 1),  # "1e4294967297" means 1e1 to Kubernetes
    (-(1 << 32) - 3, -3),
    (INT64_MAX, -1),
    (INT64_MIN, 0),
]


@pytest.mark.parametrize(("value", "expected"), WRAP_INT32_ROWS)
def test_wrap_int32(value: int, expected: int) -> None:
    assert wrap_int32(value) == expected


@given(st.integers())
@settings(max_examples=300, deadline=None)
def test_wrap_int32_is_modular(value: int) -> None:
    wrapped = wrap_int32(value)
    assert INT32_MIN <= wrapped <= INT32_MAX
    assert (wrapped - value) % (1 << 32) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (INT64_MAX, INT64_MAX),
        (INT64_MAX + 1, INT64_MAX),
        (INT64_MIN - 1, INT64_MIN),
        (-(10**40), INT64_MIN),
    ],
)
def test_saturate_int64(value: int, expected: int) -> None:
    assert saturate_int64(value) == expected


def test_bounds_are_go_bounds() -> None:
    assert (INT32_MIN, INT32_MAX) == (-2147483648, 2147483647)
    assert (INT64_MIN, INT64_MAX) == (-9223372036854775808, 9223372036854775807)
