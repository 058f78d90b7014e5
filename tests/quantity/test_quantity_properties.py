"""Properties of quantities, checked with hypothesis on generated inputs.

The strategies build strings from Kubernetes' grammar (sign, leading zeros,
digits, a fraction, any suffix or exponent). Exponents are kept moderate: the
int32 wrap-around of huge exponents is covered row by row in the table test.
"""

from __future__ import annotations

import pickle
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quantities import Format, Quantity, QuantityError, parse_quantity

DECIMAL_SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E"]
BINARY_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
QUANTITY_ALPHABET = "0123456789.+-eEinumkKMGTP"

# Kubernetes has no decimal suffix above E: a DecimalSI value of 10^21 or more may
# print without its magnitude ("2000E" prints "2", kubectl 1.32). Such values do not
# survive a round trip through their text, by Kubernetes' own rule.
THOUSAND_EXA = parse_quantity("1000E")

PROPERTY = settings(max_examples=300, deadline=None)


def quantity_texts(max_exponent: int) -> st.SearchStrategy[str]:
    digits = st.text("0123456789", max_size=24)
    fraction = st.one_of(st.just(""), st.text("0123456789", max_size=12).map(lambda f: "." + f))
    exponent = st.builds(
        lambda letter, sign, value: f"{letter}{sign}{value}" if value >= 0 else f"{letter}{value}",
        st.sampled_from("eE"),
        st.sampled_from(["", "+"]),
        st.integers(-max_exponent, max_exponent),
    )
    suffix = st.one_of(st.sampled_from(DECIMAL_SUFFIXES), st.sampled_from(BINARY_SUFFIXES), exponent)
    return st.builds(
        lambda sign, zeros, whole, frac, suf: sign + zeros + whole + frac + suf,
        st.sampled_from(["", "", "-", "+"]),
        st.sampled_from(["", "", "0", "000"]),
        digits,
        fraction,
        suffix,
    )


def _parses(text: str) -> bool:
    try:
        parse_quantity(text)
    except QuantityError:
        return False
    return True


# Parsed quantities. Arithmetic keeps exponents small: an exact sum of 1e10000 and
# 1n needs 10009 digits, more than the library's MAX_DIGITS allows.
quantities = quantity_texts(10000).filter(_parses).map(parse_quantity)
small_quantities = quantity_texts(60).filter(_parses).map(parse_quantity)


@PROPERTY
@given(quantities)
def test_text_parses_back_to_the_same_value(quantity: Quantity) -> None:
    assume(quantity.format is not Format.DECIMAL_SI or abs(quantity) < THOUSAND_EXA)
    assert parse_quantity(str(quantity)) == quantity
    assert parse_quantity(quantity.canonical()) == quantity


@PROPERTY
@given(quantities)
def test_canonical_text_is_a_fixed_point(quantity: Quantity) -> None:
    # The format may change on the way ("0.5Ki" prints "512", which parses as
    # DecimalSI) but the text does not: printing what was printed prints it again.
    shown = str(quantity)
    assert str(parse_quantity(shown)) == shown
    canonical = quantity.canonical()
    assert parse_quantity(canonical).canonical() == canonical


@PROPERTY
@given(small_quantities, small_quantities)
def test_addition_commutes(a: Quantity, b: Quantity) -> None:
    assert a + b == b + a
    assert (a + b).to_fraction() == a.to_fraction() + b.to_fraction()
    assert (a - b).to_fraction() == a.to_fraction() - b.to_fraction()


@PROPERTY
@given(small_quantities, small_quantities, small_quantities)
def test_addition_associates(a: Quantity, b: Quantity, c: Quantity) -> None:
    assert (a + b) + c == a + (b + c)


@PROPERTY
@given(quantities, quantities)
def test_order_agrees_with_to_decimal(a: Quantity, b: Quantity) -> None:
    x, y = a.to_decimal(), b.to_decimal()
    assert (a < b) == (x < y)
    assert (a <= b) == (x <= y)
    assert (a == b) == (x == y)
    assert (a > b) == (x > y)
    assert (a >= b) == (x >= y)
    assert (a != b) == (x != y)


@PROPERTY
@given(quantities)
def test_sign_and_zero_agree_with_to_decimal(quantity: Quantity) -> None:
    value = quantity.to_decimal()
    assert quantity.sign() == (value > 0) - (value < 0)
    assert quantity.is_zero() == (value == 0) == (not quantity)
    assert (-quantity).to_decimal() == value.copy_negate()
    assert abs(quantity).to_decimal() == value.copy_abs()


@PROPERTY
@given(quantities, quantities)
def test_equal_quantities_hash_alike(a: Quantity, b: Quantity) -> None:
    if a == b:
        assert hash(a) == hash(b)
    # The same value in other notations.
    for same in (parse_quantity(a.canonical()), Quantity.from_decimal(a.to_decimal()), a * 1, +a):
        assert same == a
        assert hash(same) == hash(a)
    assert len({a, parse_quantity(a.canonical())}) == 1


@PROPERTY
@given(st.lists(small_quantities, min_size=1, max_size=8))
def test_sum_adds_values_and_follows_kubernetes_add_format_rule(addends: list[Quantity]) -> None:
    total = sum(addends)
    assert isinstance(total, Quantity)
    assert total.to_fraction() == sum((q.to_fraction() for q in addends), Fraction(0))
    # Quantity.Add: the result keeps the left operand's format, unless the left
    # operand is zero, when it takes the right one's. sum() starts from 0.
    running, expected_format = Fraction(0), addends[0].format
    for addend in addends:
        if running == 0:
            expected_format = addend.format
        running += addend.to_fraction()
    assert total.format is expected_format


@PROPERTY
@given(quantities)
def test_pickling_round_trips(quantity: Quantity) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(quantity, protocol))
        assert copy == quantity
        assert str(copy) == str(quantity)
        assert copy.format is quantity.format


def _parse_or_quantity_error(text: str) -> None:
    try:
        quantity = parse_quantity(text)
    except QuantityError as error:
        assert error.text == text
        assert error.kubernetes_message
        assert 0 <= error.position <= len(text)
    else:
        str(quantity)  # printing never fails either
        quantity.canonical()


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(QUANTITY_ALPHABET, max_size=1000),
        st.text(QUANTITY_ALPHABET + " ,_xKBbIi\t\u00b5\uff11\u2212", max_size=60),
        st.text(max_size=1000),
        st.builds(lambda a, b: a + b, quantity_texts(10**12), st.text(max_size=20)),
        st.builds(lambda a, b: a + b, st.text(max_size=20), quantity_texts(10**12)),
    )
)
def test_any_text_parses_or_raises_quantity_error(text: str) -> None:
    _parse_or_quantity_error(text)


@PROPERTY
@given(st.binary(max_size=100).map(lambda raw: raw.decode("latin-1")))
def test_any_byte_string_parses_or_raises_quantity_error(text: str) -> None:
    _parse_or_quantity_error(text)
