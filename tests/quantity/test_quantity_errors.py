"""QuantityError: Kubernetes' message, the position of the mistake, and a hint that fixes it.

``position`` is the index of the first character that cannot continue a
quantity: the first character outside the grammar for a format error (so the
"B" of "1GB", since "1G" is a quantity), the start of the suffix for an
unknown suffix, and the start of the suffix when digits are missing before it.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import re
import time
from typing import NamedTuple

import pytest

from quantities import QuantityError, parse_quantity
from quantities.quantity.errors import (
    KUBERNETES_FORMAT_MESSAGE,
    KUBERNETES_NUMERIC_MESSAGE,
    KUBERNETES_SUFFIX_MESSAGE,
)
from quantities.quantity.quantity import MAX_LENGTH, parse_quantity_uncached


class Mistake(NamedTuple):
    text: str
    position: int
    kubernetes_message: str
    hint_mentions: tuple[str, ...]


MISTAKES = [
    # A capital K is not a suffix: "k" is 1000, "Ki" is 1024.
    Mistake("1K", 1, KUBERNETES_SUFFIX_MESSAGE, ('"1k"', '"1Ki"')),
    # Byte units: quantities have no unit; the suffix alone is the multiplier.
    Mistake("1KB", 2, KUBERNETES_FORMAT_MESSAGE, ('"1k"', '"1Ki"')),
    Mistake("1GB", 2, KUBERNETES_FORMAT_MESSAGE, ('"1G"', '"1Gi"')),
    Mistake("1MB", 2, KUBERNETES_FORMAT_MESSAGE, ('"1M"', '"1Mi"')),
    Mistake("1GiB", 3, KUBERNETES_FORMAT_MESSAGE, ('"1Gi"',)),
    Mistake("1Mib", 3, KUBERNETES_FORMAT_MESSAGE, ('"1Mi"',)),
    # Case matters: "mi" is milli followed by a stray "i".
    Mistake("1mi", 1, KUBERNETES_SUFFIX_MESSAGE, ('"1Mi"',)),
    Mistake("1 Gi", 1, KUBERNETES_FORMAT_MESSAGE, ('"1Gi"',)),
    Mistake("1,5Gi", 1, KUBERNETES_FORMAT_MESSAGE, ('"1.5Gi"',)),
    Mistake("", 0, KUBERNETES_FORMAT_MESSAGE, ('"0"',)),
    Mistake("1.5.5", 3, KUBERNETES_FORMAT_MESSAGE, ("one decimal point",)),
    Mistake("0x10", 1, KUBERNETES_FORMAT_MESSAGE, ('"16"',)),
    # More of what people type.
    Mistake("1g", 1, KUBERNETES_FORMAT_MESSAGE, ('"1G"', '"1Gi"')),
    Mistake("1.5GB", 4, KUBERNETES_FORMAT_MESSAGE, ('"1.5G"', '"1.5Gi"')),
    Mistake("1KiB", 3, KUBERNETES_FORMAT_MESSAGE, ('"1Ki"',)),
    Mistake("1,000", 1, KUBERNETES_FORMAT_MESSAGE, ('"1000"',)),
    Mistake(" 1Gi", 0, KUBERNETES_FORMAT_MESSAGE, ('"1Gi"',)),
    Mistake("1Gi ", 3, KUBERNETES_FORMAT_MESSAGE, ('"1Gi"',)),
    Mistake("2 cores", 1, KUBERNETES_FORMAT_MESSAGE, ('"2"',)),
    Mistake("100 millicores", 3, KUBERNETES_FORMAT_MESSAGE, ('"100m"',)),
    Mistake("1.5 GiB", 3, KUBERNETES_FORMAT_MESSAGE, ('"1.5Gi"',)),
    Mistake("\u22121", 0, KUBERNETES_FORMAT_MESSAGE, ('"-1"',)),
    Mistake("-0x10", 2, KUBERNETES_FORMAT_MESSAGE, ('"-16"',)),
    Mistake("inf", 2, KUBERNETES_FORMAT_MESSAGE, ("finite",)),
    Mistake("1e", 1, KUBERNETES_SUFFIX_MESSAGE, ('"1e3"',)),
    Mistake("Pi", 0, KUBERNETES_NUMERIC_MESSAGE, ("no number before the suffix",)),
    Mistake("-.Ei", 2, KUBERNETES_NUMERIC_MESSAGE, ("no number before the suffix",)),
]


@pytest.mark.parametrize("mistake", [pytest.param(m, id=repr(m.text)) for m in MISTAKES])
def test_mistake_is_explained(mistake: Mistake) -> None:
    with pytest.raises(QuantityError) as raised:
        parse_quantity(mistake.text)
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.text == mistake.text
    assert json.dumps(mistake.text, ensure_ascii=False) in str(error)
    assert mistake.text == "" or f"'{mistake.text}'" not in str(error)  # JSON quotes, not Python's
    assert error.position == mistake.position
    if mistake.text:
        assert f"(at position {mistake.position})" in str(error)
    assert error.kubernetes_message == mistake.kubernetes_message
    assert error.hint is not None
    for fix in mistake.hint_mentions:
        assert fix in error.hint
        assert fix in str(error)


@pytest.mark.parametrize("mistake", [pytest.param(m, id=repr(m.text)) for m in MISTAKES])
def test_every_suggestion_is_a_quantity(mistake: Mistake) -> None:
    with pytest.raises(QuantityError) as raised:
        parse_quantity(mistake.text)
    hint = raised.value.hint or ""
    suggestions = re.findall(r'"([^"]*)"', hint.partition("did you mean")[2])
    for suggestion in suggestions:
        parse_quantity(suggestion)


def test_kubernetes_messages_are_the_go_error_texts() -> None:
    # apimachinery's ErrFormatWrong, ErrSuffix and ErrNumeric, word for word.
    assert KUBERNETES_FORMAT_MESSAGE == (
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
    assert KUBERNETES_SUFFIX_MESSAGE == "unable to parse quantity's suffix"
    assert KUBERNETES_NUMERIC_MESSAGE == "unable to parse numeric part of quantity"


def test_error_pickles() -> None:
    with pytest.raises(QuantityError) as raised:
        parse_quantity("1KB")
    copy = pickle.loads(pickle.dumps(raised.value))
    assert str(copy) == str(raised.value)
    assert (copy.text, copy.position, copy.hint, copy.kubernetes_message) == (
        "1KB", 2, raised.value.hint, KUBERNETES_FORMAT_MESSAGE,
    )


def test_long_input_is_abbreviated_in_the_message() -> None:
    text = "1" * 500 + "x"
    with pytest.raises(QuantityError) as raised:
        parse_quantity(text)
    assert raised.value.position == 500
    assert raised.value.text == text
    assert len(str(raised.value)) < 400
    assert "(501 characters)" in str(raised.value)


def test_non_strings_are_refused() -> None:
    for value in (1, 1.5, None, b"1Gi"):
        with pytest.raises(QuantityError):
            parse_quantity_uncached(value)  # type: ignore[arg-type]


# -- Length and speed ------------------------------------------------------------------


def test_max_length() -> None:
    assert parse_quantity("1" * MAX_LENGTH).to_decimal() == int("1" * MAX_LENGTH)
    for text in ("1" * (MAX_LENGTH + 1), "x" * (MAX_LENGTH + 1), "1" * MAX_LENGTH + "Gi"):
        with pytest.raises(QuantityError) as raised:
            parse_quantity(text)
        assert raised.value.position == MAX_LENGTH
        assert str(MAX_LENGTH) in raised.value.reason


# Inputs built to be slow: huge exponents (Go itself takes minutes on some), long runs
# that regular expressions could backtrack over, and failures whose hint tries fixes.
ADVERSARIAL = [
    "1e999999999",
    "1e-999999999",
    "-1e-999999999",
    "1e2147483647",
    "1e-2147483648",
    "1" * 19 + "e-2147483648",
    "9" * 999 + "e2147483647",
    "1" * 990 + "e-99999999",
    "1e" + "9" * 998,
    "1e-" + "9" * 997,
    "9" * 1000,
    "0" * 1000,
    "0" * 999 + "x",
    "1" * 999 + "!",
    "1" * 998 + "e!",
    "1" * 999 + "K",
    "1" * 998 + "KB",
    "1" * 999 + "\u2212",
    "1" * 499 + "." + "1" * 499 + "!",
    "1" * 500 + " " * 499 + "!",
    "1" * 333 + " " + "1" * 333 + " " + "1" * 332,
    "1" * 500 + "." + "1" * 499,
    "1." + "0" * 997 + "1Ei",
    "9" * 998 + "Ei",
    "9" * 998 + "Pi",
    "e" * 1000,
    "E" * 1000,
    "Ki" * 500,
    "K" * 1000,
    "." * 1000,
    "-" * 1000,
    "+-" * 500,
    " " * 999 + "1",
    "1" + " " * 999,
    "1," * 500,
    "1 " * 500,
    "0x" + "f" * 998,
    "a" * 1000,
    "\u2212" * 1000,
    "1" * MAX_LENGTH,
    "9" * (MAX_LENGTH - 2) + "Ei",
    "1" * (MAX_LENGTH + 1),
]

BOUND_SECONDS = 0.050  # a guard against hangs, not a benchmark: a parse takes well under 1 ms


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]) + f"..{len(t)}")
def test_adversarial_input_is_quick(text: str) -> None:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with contextlib.suppress(QuantityError):
            str(parse_quantity_uncached(text))
        best = min(best, time.perf_counter() - started)
    assert best < BOUND_SECONDS, f"{best * 1000:.1f} ms for {text[:20]!r}... ({len(text)} characters)"
