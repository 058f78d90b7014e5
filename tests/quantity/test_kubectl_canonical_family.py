"""Differential property test: how Kubernetes prints values near binary SI's decimal threshold.

CanonicalizeBytes (apimachinery ``pkg/api/resource/quantity.go``) writes a binary-SI
value in decimal SI when it lies strictly between -1024 and 1024 (``CmpInt64``, a
comparison by value) or is not whole (``AsScale(0)`` inexact). A parse reaches a binary
value below 1024 only through the fractional path (``inf.Dec``, ParseQuantity's slow
path), and there the value's representation differs from the int64 fast path's: the
family this test draws from is every input shape that takes that path.

* fractional binary values of every suffix, written exactly (``0.9765625Ki`` = 1000);
* the same with extra trailing zeros, leading zeros, a ``+``/``-`` sign or no whole part;
* the same pushed a little below the exact value, so that rounding up to nanos
  (``inf.RoundUp`` at scale 9) brings it back, or a little above, so that it does not;
* values of any magnitude in nanos divided by the suffix, decimal values near 1000, and
  integers with more digits than the int64 fast path takes.

Each hypothesis example is one batch of strings, printed by one ``kubectl set resources
--local`` call per installed release (kubectl 1.27 ... 1.33; research note Q1: the
quantity code did not change between releases). Every string drawn is valid, so one call
prints the whole batch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantities import parse_quantity

RELEASES = ["1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"]
BINARY_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
NANOS = 10**9

# Property settings: a bounded number of batches (one kubectl call each), no deadline.
FAMILY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _kubectl_release(release: str) -> str | None:
    """The kubectl binary of one release, beside the real kubectl (the one on PATH dispatches)."""
    found = shutil.which("kubectl")
    if found is None:
        return None
    candidate = Path(os.path.realpath(found)).parent / f"kubectl.{release}"
    return str(candidate) if os.access(candidate, os.X_OK) else None


def print_with_kubectl(executable: str, texts: list[str]) -> list[str]:
    """kubectl's canonical form of each (valid) string: one pod, one limit per string, one call."""
    limits = {f"example.com/r{index}": text for index, text in enumerate(texts)}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "family"},
        "spec": {"containers": [{"name": "c", "image": "example", "resources": {"limits": limits}}]},
    }
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "pod.json"
        path.write_text(json.dumps(pod), "utf-8")
        printed = subprocess.run(
            [executable, "set", "resources", "--local", "-f", str(path),
             "--limits=ephemeral-storage=1", "-o", "json"],
            capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
        )
    assert printed.returncode == 0, printed.stderr
    shown = json.loads(printed.stdout)["spec"]["containers"][0]["resources"]["limits"]
    return [shown[f"example.com/r{index}"] for index in range(len(texts))]


def _exact_decimal(numerator: int, denominator: int) -> str:
    """``numerator / denominator`` written exactly (the denominator is a power of 2 times 10)."""
    with localcontext() as context:
        context.prec = 400
        value = Decimal(numerator) / Decimal(denominator)
    text = format(value, "f")
    return text if "." in text else text + "."


@st.composite
def binary_fractions(draw: st.DrawFn) -> str:
    """A value in nanos over a binary suffix, written exactly, perhaps nudged below or above."""
    power = draw(st.integers(1, 6))
    suffix = BINARY_SUFFIXES[power - 1]
    nanos = draw(
        st.one_of(
            st.sampled_from([1000, 1010, 1020, 1023, 1024, 1025, 999, 100, 10, 1, 2000, 1000000])
            .map(lambda whole: whole * NANOS),
            st.integers(1000 * NANOS - 3, 1000 * NANOS + 3),
            st.integers(1, 1030 * NANOS),
            st.integers(1, 10**22),
        )
    )
    text = _exact_decimal(nanos, NANOS * 1024**power)
    nudge = draw(st.sampled_from(["", "", "zeros", "below", "above"]))
    digits = len(text.partition(".")[2])
    if nudge == "zeros":
        text += "0" * draw(st.integers(1, 12))
    elif nudge == "below":
        # Less than a nano below (1024**power < 10**(4 * power)): rounding up to nanos gives
        # back the exact value.
        places = max(digits, 9 + 4 * power) + draw(st.integers(1, 8))
        denominator = NANOS * 1024**power
        text = _exact_decimal(nanos * 10**places - denominator, denominator * 10**places)
    elif nudge == "above":
        text += "0" * draw(st.integers(0, 6)) + "1"
    if text.endswith(".") and draw(st.booleans()):
        text = text[:-1]
    if text.startswith("0.") and draw(st.booleans()):
        text = text[1:]
    text = "0" * draw(st.sampled_from([0, 0, 0, 1, 3])) + text
    return draw(st.sampled_from(["", "", "-", "+"])) + text + suffix


@st.composite
def other_shapes(draw: st.DrawFn) -> str:
    """Decimal and exponent forms near 1000, and binary integers too long for the fast path."""
    sign = draw(st.sampled_from(["", "-", "+"]))
    shape = draw(st.integers(0, 2))
    if shape == 0:
        mantissa = draw(st.sampled_from(["1", "1.0", "0.001", "1000", "0.9765625", "999.9999999999", "1024"]))
        return sign + mantissa + draw(st.sampled_from(["e3", "E3", "e0", "e6", "k", "", "m"]))
    if shape == 1:
        return sign + str(draw(st.integers(10**13, 10**20))) + draw(st.sampled_from(BINARY_SUFFIXES[:3]))
    return sign + _exact_decimal(draw(st.integers(1, 10**30)), 10 ** draw(st.integers(0, 30)))


FAMILY_BATCHES = st.lists(st.one_of(binary_fractions(), binary_fractions(), other_shapes()),
                          min_size=20, max_size=80, unique=True)


def test_family_strategy_reaches_the_threshold() -> None:
    """The strategy draws what the fix is about: exact 1000s, negatives, nudged values."""
    shown: set[str] = set()

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(FAMILY_BATCHES)
    def collect(batch: list[str]) -> None:
        shown.update(str(parse_quantity(text)) for text in batch)

    collect()
    assert {"1k", "-1k"} <= shown
    assert any(text.endswith("n") for text in shown)
    assert any(text.endswith(("Ki", "Mi", "Gi")) for text in shown)


@pytest.mark.parametrize(
    "release",
    [
        pytest.param(
            release,
            marks=pytest.mark.skipif(
                _kubectl_release(release) is None,
                reason=f"kubectl.{release} is not installed beside kubectl: it is this test's oracle",
            ),
        )
        for release in RELEASES
    ],
)
@FAMILY
@given(batch=FAMILY_BATCHES)
def test_binary_threshold_family_agrees_with_kubectl(release: str, batch: list[str]) -> None:
    executable = _kubectl_release(release)
    assert executable is not None
    expected = print_with_kubectl(executable, batch)
    mismatches = [
        (text, kubectl, str(parse_quantity(text)))
        for text, kubectl in zip(batch, expected, strict=True)
        if str(parse_quantity(text)) != kubectl
    ]
    assert not mismatches, f"kubectl {release} prints differently (text, kubectl, ours): {mismatches}"
