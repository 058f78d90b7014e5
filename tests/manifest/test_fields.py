"""json_type names a decoded value in JSON's words, quoting strings as JSON does."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from quantities.manifest.exact_number import ExactNumber
from quantities.manifest.fields import FieldReader, json_type

ROWS: list[tuple[object, str]] = [
    (None, "null"),
    (True, "boolean true"),
    (False, "boolean false"),
    ("high", 'string "high"'),
    ("it's", 'string "it\'s"'),  # no Python repr switching to double quotes
    ('say "hi"', 'string "say \\"hi\\""'),
    ("tab\there", 'string "tab\\there"'),
    ("é", 'string "é"'),
    ("x" * 61, 'string "' + "x" * 40 + '..." (61 characters)'),
    (7, "number 7"),
    (0.5, "number 0.5"),
    (Decimal("1.50"), "number 1.50"),
    (ExactNumber("1e3"), "number 1e3"),  # as written, not Decimal's 1E+3
    ({"a": 1}, "an object"),
    ([1, 2], "an array"),
    (datetime.date(2024, 1, 2), "timestamp 2024-01-02"),  # YAML's unquoted dates
    (b"\x00", "binary data"),
    ({"x"}, "a set"),
    (object(), "a value JSON cannot hold"),
]


@pytest.mark.parametrize(("value", "expected"), ROWS)
def test_json_type(value: object, expected: str) -> None:
    assert json_type(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("high", 'expected an integer, got string "high"'),
        (1 << 31, "2147483648 does not fit in a 32-bit integer"),
        (-(1 << 31) - 1, "-2147483649 does not fit in a 32-bit integer"),
        (True, "expected an integer, got boolean true"),
    ],
)
def test_int32_field_problems(value: object, message: str) -> None:
    reader = FieldReader("", "")
    assert reader.int32(value, "spec.priority") is None
    assert [(problem.path, problem.message) for problem in reader.problems] == [("spec.priority", message)]


@pytest.mark.parametrize("value", [0, (1 << 31) - 1, -(1 << 31)])
def test_int32_field_bounds(value: int) -> None:
    reader = FieldReader("", "")
    assert reader.int32(value, "spec.priority") == value and not reader.problems
