"""The parser's lanes (``1234``, ``500m``, ``512Mi``, ``12.5``, ``1.5Gi``, ``12e3``) against its long way.

``parse_quantity`` finishes the commonest shapes in a few steps and sends everything
else through ``_parse_quantity``, which follows apimachinery's ParseQuantity step by
step. A lane must build exactly the value the step-by-step path builds: the same
coefficient, exponent, format and verbatim text (or the same error). These tests ask
both on every table row, on the differential test's generated strings and on strings
drawn near the lanes' edges.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities import QuantityError
from quantities.quantity.quantity import MAX_LENGTH, _parse, _parse_quantity
from tests.quantity.test_kubectl_differential import generated_strings
from tests.quantity.test_quantity_table import ROWS, UNTRIMMED_ROWS

LANES = settings(max_examples=1500, deadline=None)


def _outcome(parse: object, text: str) -> object:
    assert callable(parse)
    try:
        quantity = parse(text)
    except QuantityError as error:
        return ("error", error.kubernetes_message, error.position)
    return (quantity._coefficient, quantity._exponent, quantity._format, quantity._text)


def _agree(text: str) -> None:
    assert _outcome(_parse, text) == _outcome(_parse_quantity, text), text


def test_lanes_agree_with_the_step_by_step_path_on_the_table() -> None:
    for text, _ in ROWS + UNTRIMMED_ROWS:
        _agree(text)


def test_lanes_agree_with_the_step_by_step_path_on_generated_strings() -> None:
    for text in generated_strings():
        _agree(text)


@pytest.mark.parametrize(
    "text",
    [
        # Each lane at its edges: digit counts where Kubernetes' int64 fast path stops,
        # scales at nano, text reuse (000 endings, multiples of 8), leading zeros.
        "999999999999999999", "1000000000000000000", "123456789012345678m", "1234567890123456789m",
        "99999999999999Ki", "999999999999999Ki", "9999999999Mi", "99999999999Mi", "7Ei", "8Ei", "9Ei",
        "8Ki", "7Ki", "16Mi", "1000m", "1000", "1001", "0.5", "0.000000001", "0.0000000001",
        "1.000000000", "1.5n", "1.5u", "1.5m", "0.5k", "12.500", "1.5E", "100.0", "10.00",
        "123456789.123456789", "1234567890.12345678", "0.9765625Ki", "1.5Gi", ".5Gi", "00.5Gi",
        "1.Gi", "1.5.5Gi", "1e3", "1E3", "1e+3", "1e-3", "1e-9", "1e-10", "1.5e3", "1.e3", "0e0",
        "00012e3", "1e2147483648", "1e-2147483649", "1e9223372036854775808", "12e3e3", "1E3E",
        "1234567890123456789e3", "12.5e-7", "١٢٣", "12\u00b2", "1\u00b5", "", "0", "00", ".", "1.",
        "1" * MAX_LENGTH, "1" * (MAX_LENGTH + 1), "1." + "1" * 50, "1." + "1" * 50 + "Gi",
    ],
)
def test_lanes_agree_at_their_edges(text: str) -> None:
    _agree(text)


_DIGITS = st.text("0123456789", max_size=22)


@LANES
@given(
    st.tuples(
        st.sampled_from(["", "", "", "+", "-"]),
        _DIGITS,
        st.sampled_from(["", "", ".", "."]),
        _DIGITS,
        st.sampled_from(["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
                         "e", "E", "e-", "e+", "i", "x"]),
        st.sampled_from(["", "", "0", "3", "12", "-9", "99", "2147483648"]),
    ).map("".join)
)
def test_lanes_agree_on_drawn_strings(text: str) -> None:
    _agree(text)
