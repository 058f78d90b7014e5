"""Units stay in their dimension (1Gi is bytes, 500m cores), accept what people type, and
every answer is the exact decimal expansion."""

from __future__ import annotations

import json
import sys
from decimal import localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities import Quantity, QuantityError
from quantities.quantity.batch import normalize, summarize, total
from quantities.quantity.human import read_human
from quantities.quantity.units import (
    DimensionError,
    UnitError,
    exact_decimal,
    find_unit,
    notation_of,
)

#: Sizes written out independently of units.py: bytes or cores per unit.
BYTE_UNITS: dict[str, Fraction] = {
    "B": Fraction(1),
    "kB": Fraction(10**3),
    "MB": Fraction(10**6),
    "GB": Fraction(10**9),
    "TB": Fraction(10**12),
    "PB": Fraction(10**15),
    "EB": Fraction(10**18),
    "KiB": Fraction(2**10),
    "MiB": Fraction(2**20),
    "GiB": Fraction(2**30),
    "TiB": Fraction(2**40),
    "PiB": Fraction(2**50),
    "EiB": Fraction(2**60),
}
CORE_UNITS: dict[str, Fraction] = {
    "cores": Fraction(1),
    "millicores": Fraction(1, 10**3),
    "microcores": Fraction(1, 10**6),
    "nanocores": Fraction(1, 10**9),
}
PLAIN_UNITS: dict[str, Fraction] = {s: Fraction(1000**p) for p, s in enumerate("kMGTPE", start=1)}


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        # unit words ignore case
        ("GiB", "GiB"),
        ("gib", "GiB"),
        ("GIB", "GiB"),
        ("gIb", "GiB"),
        ("gibibytes", "GiB"),
        ("KiB", "KiB"),
        ("kib", "KiB"),
        ("EiB", "EiB"),
        ("MiB", "MiB"),
        ("GB", "GB"),
        ("gb", "GB"),
        ("Gb", "GB"),
        ("gigabyte", "GB"),
        ("kB", "kB"),
        ("KB", "kB"),
        ("kb", "kB"),
        ("MB", "MB"),
        ("mb", "MB"),
        ("B", "B"),
        ("b", "B"),
        ("bytes", "B"),
        ("Byte", "B"),
        ("cores", "cores"),
        ("core", "cores"),
        ("CPU", "cores"),
        ("cpu", "cores"),
        ("vCPU", "cores"),
        ("millicores", "millicores"),
        ("millicpu", "millicores"),
        ("mcpu", "millicores"),
        ("MilliCores", "millicores"),
        ("nanocores", "nanocores"),
        # Kubernetes suffixes alone, in Kubernetes' case
        ("Ki", "KiB"),
        ("Mi", "MiB"),
        ("Gi", "GiB"),
        ("Ti", "TiB"),
        ("Pi", "PiB"),
        ("Ei", "EiB"),
        ("m", "millicores"),
        ("u", "microcores"),
        ("n", "nanocores"),
        ("k", "k"),
        ("M", "M"),
        ("G", "G"),
        ("T", "T"),
        ("P", "P"),
        ("E", "E"),
    ],
)
def test_find_unit_accepts_what_people_type(typed: str, symbol: str) -> None:
    assert find_unit(typed).symbol == symbol


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("gibs", '"GiB"'),
        ("gi", '"GiB"'),  # a Kubernetes suffix keeps its case: "gi" is not "Gi"
        ("mi", '"MiB"'),
        ("K", '"k"'),
        ("cors", '"cores"'),
        ("milicores", '"millicores"'),
        ("gigabites", '"GB"'),
        ("parsec", "use B, kB, MB, GB, KiB, MiB, GiB"),
        ("9**9**9", "use B, kB"),
        ("", "use B, kB"),
    ],
)
def test_unknown_unit_gets_a_suggestion_and_the_path_to(typed: str, suggested: str) -> None:
    with pytest.raises(UnitError) as raised:
        find_unit(typed)
    assert raised.value.path == "to"
    assert str(raised.value).startswith(f"unknown unit {json.dumps(typed)}")
    assert suggested in str(raised.value) and suggested in (raised.value.hint or "")
    assert "'" not in str(raised.value)  # user text quoted JSON style, never by repr


@pytest.mark.parametrize(
    ("text", "dimension", "because"),
    [
        ("1Gi", "bytes", "binary suffix Gi"),
        ("-1.5Ki", "bytes", "binary suffix Ki"),
        ("+8Ei", "bytes", "binary suffix Ei"),
        ("500m", "cores", "suffix m: thousandths of a core"),
        ("3u", "cores", "suffix u: millionths of a core"),
        ("1n", "cores", "suffix n: billionths of a core"),
        ("2", None, ""),
        ("1.5", None, ""),
        ("1G", None, ""),
        ("1E", None, ""),
        ("1e3", None, ""),
        ("1e-3", None, ""),
    ],
)
def test_notation_says_what_a_value_counts(text: str, dimension: str | None, because: str) -> None:
    notation = notation_of(text)
    assert (notation.dimension, notation.because) == (dimension, because)


@pytest.mark.parametrize(
    ("text", "dimension"),
    [
        ("2 GiB", "bytes"),
        ("512MB", "bytes"),
        ("1.5 cores", "cores"),
        ("250 millicores", "cores"),
        ("100 m", "cores"),
        ("2gi", "bytes"),
        ("1Gi", "bytes"),
        ("2", None),
        ("3 bytes", "bytes"),
    ],
)
def test_read_human_says_what_a_value_counts(text: str, dimension: str | None) -> None:
    assert read_human(text)[1].dimension == dimension


@pytest.mark.parametrize(
    ("value", "unit", "converted", "symbol"),
    [
        # reported on main: the Decimal context rounded to 28 digits
        ("1", "EiB", "0.000000000000000000867361737988403547205962240695953369140625", "EiB"),
        ("12345678901234567890123456789012345", "B", "12345678901234567890123456789012345", "B"),
        ("1n", "nanocores", "1", "nanocores"),
        ("1", "nanocores", "1000000000", "nanocores"),
        ("999999999999999999999999999999999999999Ei", "B", "9223372036854775807", "B"),  # binary SI caps
        (
            "999999999999999999999999999999999999999E",
            "B",
            "999999999999999999999999999999999999999" + "0" * 18,
            "B",
        ),
        ("1Ki", "EiB", "0.00000000000000088817841970012523233890533447265625", "EiB"),
        ("1e30", "EB", "1000000000000", "EB"),
        ("-1.5Gi", "MiB", "-1536", "MiB"),
        ("0", "GiB", "0", "GiB"),
        # the spellings of to=
        ("1Gi", "gib", "1", "GiB"),
        ("1Gi", "Gi", "1", "GiB"),
        ("1Gi", "GIB", "1", "GiB"),
        ("1Gi", "G", "1.073741824", "G"),
        ("1G", "gb", "1", "GB"),
        ("2G", "M", "2000", "M"),
        ("1500m", "m", "1500", "millicores"),
        ("1500m", "cpu", "1.5", "cores"),
        ("1500m", "k", "0.0015", "k"),
        ("2", "m", "2000", "millicores"),
        ("2", "KiB", "0.001953125", "KiB"),
        ("1G", "GiB", "0.931322574615478515625", "GiB"),
    ],
)
def test_summarize_converts_exactly(value: str, unit: str, converted: str, symbol: str) -> None:
    summary = summarize(value, unit=unit)
    assert (summary.converted, summary.unit) == (converted, symbol)


def test_no_decimal_context_rounds_an_answer() -> None:
    with localcontext() as context:
        context.prec = 3
        assert summarize("1", unit="EiB").converted == (
            "0.000000000000000000867361737988403547205962240695953369140625"
        )
        assert summarize("123456789", unit="B").converted == "123456789"


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        (
            "1Gi",
            "cores",
            "cannot convert 1Gi to cores: 1Gi is a number of bytes (binary suffix Gi); "
            "cores is a unit of CPU",
        ),
        ("1Gi", "m", "1Gi is a number of bytes (binary suffix Gi); millicores is a unit of CPU"),
        (
            "500m",
            "GiB",
            "500m is a number of cores (suffix m: thousandths of a core); GiB is a unit of bytes",
        ),
        ("500m", "Gi", "GiB is a unit of bytes"),
        ("1n", "B", "1n is a number of cores (suffix n: billionths of a core); B is a unit of bytes"),
        ("2 GiB", "cores", "2 GiB is a number of bytes (unit GiB); cores is a unit of CPU"),
        ("1.5 cores", "MiB", "1.5 cores is a number of cores (unit cores); MiB is a unit of bytes"),
    ],
)
def test_conversion_across_dimensions_is_refused(value: str, unit: str, message: str) -> None:
    with pytest.raises(DimensionError) as raised:
        summarize(value, unit=unit, lenient=True, path="value")
    assert message in str(raised.value)
    assert raised.value.path == "to"
    assert "convert it to a unit of" in (raised.value.hint or "")


def test_a_batch_reports_a_value_of_the_other_dimension_in_its_row() -> None:
    rows = normalize(["1Gi", "500m", "2"], unit="cores", path="value")
    assert [row.to_json().get("path") for row in rows] == ["value[0]", None, None]
    assert [row.to_json().get("converted") for row in rows] == [None, "0.5", "2"]


@pytest.mark.parametrize(
    ("values", "unit", "paths"),
    [
        (["1Gi", "500m"], "GiB", ["value[1]"]),  # 1Gi agrees with GiB: 500m is the odd one out
        (["1Gi", "2", "3m", "4n"], "B", ["value[2]", "value[3]"]),
        (["1Gi", "2Gi"], "cores", ["to"]),  # nothing agrees with cores: the unit is the mistake
        (["1", "2Gi"], "cores", ["to"]),
    ],
)
def test_a_sum_of_the_other_dimension_is_refused(values: list[str], unit: str, paths: list[str]) -> None:
    with pytest.raises(QuantityError) as raised:
        total(values, unit=unit, path="value")
    problems = getattr(raised.value, "problems", None)
    assert ([p.path for p in problems] if problems else [raised.value.path]) == paths


def test_unit_errors_are_reported_before_the_value_and_at_to() -> None:
    for call in (
        lambda: summarize("1Gi", unit="gibs", path="value"),
        lambda: normalize(["1Gi"], unit="gibs", path="value"),
        lambda: total(["1Gi"], unit="gibs", path="value"),
    ):
        with pytest.raises(UnitError) as raised:
            call()
        assert raised.value.path == "to"


def test_unit_errors_survive_pickling() -> None:
    import pickle

    for error in (UnitError("x", 'unknown unit "x"', hint="h"), DimensionError("cores", "m", path="to")):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), str(copy), copy.path, copy.hint) == (
            type(error),
            str(error),
            error.path,
            error.hint,
        )


_SUFFIX_VALUES = {
    "bytes": ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"],
    "cores": ["m", "u", "n"],
    None: ["", "k", "M", "G", "T", "P", "E", "e3", "e-2", "e12"],
}
_numbers = st.builds(
    lambda sign, whole, fraction: f"{sign}{whole}" + (f".{fraction}" if fraction else ""),
    st.sampled_from(["", "-", "+"]),
    st.integers(0, 10**30),
    st.sampled_from(["", "5", "25", "125", "0001", "999999999"]),
)


def _quantity(dimension: str | None) -> st.SearchStrategy[str]:
    return st.builds(
        lambda number, suffix: number + suffix, _numbers, st.sampled_from(_SUFFIX_VALUES[dimension])
    )


def _units_of(dimension: str | None) -> dict[str, Fraction]:
    """The units a value of ``dimension`` converts to: its own, and the plain multipliers;
    a value of either dimension (``2``, ``1G``) converts to any."""
    own = {"bytes": BYTE_UNITS, "cores": CORE_UNITS, None: BYTE_UNITS | CORE_UNITS}[dimension]
    return own | PLAIN_UNITS


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["bytes", "cores", None]).flatmap(
        lambda d: st.tuples(_quantity(d), st.sampled_from(sorted(_units_of(d))))
    )
)
def test_conversions_within_a_dimension_are_exact(case: tuple[str, str]) -> None:
    text, unit = case
    sizes = BYTE_UNITS | CORE_UNITS | PLAIN_UNITS
    answer = summarize(text, unit=unit).converted
    assert answer is not None
    assert Fraction(answer) == Quantity(text).to_fraction() / sizes[unit]
    # The fewest digits: no trailing zero after the point, no point without a fraction.
    assert not answer.endswith(".") and not ("." in answer and answer.endswith("0"))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["bytes", "cores"]).flatmap(
        lambda d: st.tuples(
            st.just(d),
            _quantity(d),
            st.sampled_from([*(CORE_UNITS if d == "bytes" else BYTE_UNITS), "m" if d == "bytes" else "Gi"]),
        )
    )
)
def test_conversions_across_dimensions_are_always_refused(case: tuple[str, str, str]) -> None:
    dimension, text, unit = case
    with pytest.raises(DimensionError) as raised:
        summarize(text, unit=unit)
    assert f"{text} is a number of {dimension}" in str(raised.value)
    assert raised.value.path == "to"


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-(10**40), 10**40),
    st.integers(0, 200),
    st.integers(0, 200),
)
def test_exact_decimal_is_the_exact_value(numerator: int, twos: int, fives: int) -> None:
    value = Fraction(numerator, 2**twos * 5**fives)
    text = exact_decimal(value)
    assert Fraction(text) == value
    assert "e" not in text.lower() and not text.endswith(".")
    # As few places as the value needs: one place fewer would not be exact.
    places = len(text.partition(".")[2])
    assert (value * 10**places).denominator == 1
    assert places == 0 or (value * 10 ** (places - 1)).denominator != 1


@pytest.mark.parametrize("value", [Fraction(1, 3), Fraction(1, 7), Fraction(5, 6)])
def test_exact_decimal_refuses_an_endless_expansion(value: Fraction) -> None:
    with pytest.raises(ValueError, match="no finite decimal expansion"):
        exact_decimal(value)


def test_exact_decimal_writes_whole_numbers_beyond_pythons_digit_limit() -> None:
    # str() of an int over 4300 digits is refused by Python; trailing zeros are counted instead.
    assert exact_decimal(Fraction(7 * 10**6000)) == "7" + "0" * 6000
    big = "9" * 4000 + "e4000"
    answer = summarize(big, unit="EiB").converted
    assert answer is not None and len(answer) == 7982
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # only to check the answer: Fraction() of it needs long ints
    try:
        assert Fraction(answer) == Quantity(big).to_fraction() / 2**60
    finally:
        sys.set_int_max_str_digits(limit)


def test_a_long_value_is_cut_short_in_a_dimension_error() -> None:
    with pytest.raises(DimensionError) as raised:
        summarize("1" * 4000 + "Gi", unit="cores")
    assert len(str(raised.value)) < 300 and "(4002 characters)" in str(raised.value)
