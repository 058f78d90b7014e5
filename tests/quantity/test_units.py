"""Units through pint: exact conversions, pint quantities in, and text read by parse_human."""

from __future__ import annotations

import contextlib
import time
from fractions import Fraction
from typing import Any

import pint
import pytest

import quantities.quantity.human
from quantities import Format, Quantity, QuantityError, parse_human
from quantities.quantity.units import UNITS, registry


@pytest.mark.parametrize(
    ("text", "unit", "magnitude", "pint_unit"),
    [
        ("1.5Gi", "GiB", Fraction(3, 2), "gibibyte"),
        ("1.5Gi", "MiB", Fraction(1536), "mebibyte"),
        ("1.5Gi", "KiB", Fraction(1572864), "kibibyte"),
        ("1.5Gi", "B", Fraction(1610612736), "byte"),
        ("1.5Gi", "MB", Fraction(1610612736, 10**6), "megabyte"),
        ("1.5Gi", "kB", Fraction(1610612736, 1000), "kilobyte"),
        ("1.5Gi", "KB", Fraction(1610612736, 1000), "kilobyte"),
        ("1G", "GiB", Fraction(10**9, 2**30), "gibibyte"),
        ("1G", "GB", Fraction(1), "gigabyte"),
        ("1Ei", "EiB", Fraction(1), "exbibyte"),
        ("1E", "PB", Fraction(1000), "petabyte"),
        ("1n", "B", Fraction(1, 10**9), "byte"),
        ("1500m", "millicore", Fraction(1500), "millicore"),
        ("1500m", "millicores", Fraction(1500), "millicore"),
        ("1500m", "cores", Fraction(3, 2), "core"),
        ("2", "millicore", Fraction(2000), "millicore"),
        ("1n", "millicore", Fraction(1, 10**6), "millicore"),
        ("-250m", "cpu", Fraction(-1, 4), "core"),
    ],
)
def test_to_is_exact(text: str, unit: str, magnitude: Fraction, pint_unit: str) -> None:
    converted = Quantity(text).to(unit)
    assert isinstance(converted.magnitude, Fraction)
    assert converted.magnitude == magnitude
    assert str(converted.units) == pint_unit


def test_to_unknown_unit() -> None:
    with pytest.raises(QuantityError) as raised:
        Quantity("1Gi").to("parsec")
    assert raised.value.text == "parsec"
    with pytest.raises(QuantityError):
        Quantity("1Gi").to("9**9**9")


@pytest.mark.parametrize(
    ("magnitude", "unit", "expected", "fmt"),
    [
        (Fraction(3, 2), "gibibyte", "1536Mi", Format.BINARY_SI),
        (2, "gibibyte", "2Gi", Format.BINARY_SI),
        (512, "megabyte", "512M", Format.DECIMAL_SI),
        (Fraction(1, 2), "kibibyte", "512", Format.BINARY_SI),
        (Fraction(1, 2048), "kibibyte", "500m", Format.DECIMAL_SI),
        (250, "millicore", "250m", Format.DECIMAL_SI),
        (Fraction(3, 2), "core", "1500m", Format.DECIMAL_SI),
        (Fraction(1, 3), "byte", "333333334n", Format.DECIMAL_SI),
        (1024, "byte", "1024", Format.DECIMAL_SI),
    ],
)
def test_from_pint(magnitude: Any, unit: str, expected: str, fmt: Format) -> None:
    quantity = Quantity.from_pint(registry().Quantity(magnitude, unit))
    assert str(quantity) == expected
    assert quantity.format is fmt


@pytest.fixture(scope="module")
def default_registry() -> pint.UnitRegistry[Any]:
    return pint.UnitRegistry()


def test_from_pint_accepts_another_registry(default_registry: pint.UnitRegistry[Any]) -> None:
    assert str(Quantity.from_pint(default_registry.Quantity(2, "GiB"))) == "2Gi"
    # A float magnitude is read by its shortest decimal form, not its binary expansion.
    assert str(Quantity.from_pint(default_registry.Quantity(0.1, "kB"))) == "100"
    assert str(Quantity.from_pint(default_registry.Quantity(1.5, "GiB"))) == "1536Mi"


def test_from_pint_refuses_what_is_not_bytes_or_cores(default_registry: pint.UnitRegistry[Any]) -> None:
    with pytest.raises(QuantityError):
        Quantity.from_pint(default_registry.Quantity(1, "meter"))
    with pytest.raises(QuantityError):
        Quantity.from_pint(default_registry.Quantity(float("nan"), "GiB"))
    with pytest.raises(QuantityError):
        Quantity.from_pint(default_registry.Quantity(float("inf"), "byte"))


@pytest.mark.parametrize("text", ["1.5Gi", "100m", "1n", "8Ei", "123456789012345678901234567890"])
@pytest.mark.parametrize("unit", ["B", "GiB", "MB", "millicore"])
def test_to_and_from_pint_round_trip(text: str, unit: str) -> None:
    quantity = Quantity(text)
    assert Quantity.from_pint(quantity.to(unit)) == quantity


@pytest.mark.parametrize(
    ("text", "expected", "fmt"),
    [
        ("2 GiB", "2Gi", Format.BINARY_SI),
        ("2GiB", "2Gi", Format.BINARY_SI),
        ("512MB", "512M", Format.DECIMAL_SI),
        ("512 MB", "512M", Format.DECIMAL_SI),
        ("1.5 cores", "1500m", Format.DECIMAL_SI),
        ("250 millicores", "250m", Format.DECIMAL_SI),
        ("2 gib", "2Gi", Format.BINARY_SI),
        ("512mb", "512M", Format.DECIMAL_SI),
        ("1.5 CORES", "1500m", Format.DECIMAL_SI),
        ("250 MilliCores", "250m", Format.DECIMAL_SI),
        ("2gi", "2Gi", Format.BINARY_SI),
        ("1 KI", "1Ki", Format.BINARY_SI),
        ("100 m", "100m", Format.DECIMAL_SI),
        ("0.5 KiB", "512", Format.BINARY_SI),
        ("1e3 B", "1k", Format.DECIMAL_SI),
        ("3 bytes", "3", Format.DECIMAL_SI),
        ("1 kibibyte", "1Ki", Format.BINARY_SI),
        ("2 gigabytes", "2G", Format.DECIMAL_SI),
        ("1 vCPU", "1", Format.DECIMAL_SI),
        ("-1.5 GiB", "-1536Mi", Format.BINARY_SI),
        # Kubernetes' own notation goes through parse_quantity unchanged.
        ("1.5Gi", "1536Mi", Format.BINARY_SI),
        ("+1", "+1", Format.DECIMAL_SI),
        (" 1Gi ", "1Gi", Format.BINARY_SI),
    ],
)
def test_parse_human(text: str, expected: str, fmt: Format) -> None:
    quantity = parse_human(text)
    assert str(quantity) == expected
    assert quantity.format is fmt


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9 byte",
        "9**9**9**9 B",
        "2**1000 GiB",
        "1e999999 B",
        "__import__('os') B",
        "1 parsec",
        "1 M",  # not one millicore: "m" means milli only in lower case
        "2 G",
        "GiB",
    ],
)
def test_parse_human_refuses_quickly(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(QuantityError):
        parse_human(text)
    assert time.perf_counter() - started < 0.5


def test_parse_human_never_passes_user_text_to_pint(monkeypatch: pytest.MonkeyPatch) -> None:
    # pint evaluates arithmetic in the strings it parses: it may only ever see our own
    # unit names, with an exact number.
    seen: list[tuple[object, str]] = []
    real = registry()

    class Spy:
        def Quantity(self, magnitude: object, unit: str) -> Any:  # pint's name
            seen.append((magnitude, unit))
            return real.Quantity(magnitude, unit)

        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"parse_human used registry().{name}")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"pint was asked to parse {args!r}")

    monkeypatch.setattr(quantities.quantity.human, "registry", Spy)
    monkeypatch.setattr(pint.UnitRegistry, "parse_expression", refuse)
    texts = ["2 GiB", "512MB", "1.5 cores", "250 millicores", "2 gib", "100 m", "9**9**9 byte", "1 (2) B"]
    for text in texts:
        with contextlib.suppress(QuantityError):
            parse_human(text)
    assert len(seen) == 6
    allowed = set(UNITS.values())
    for magnitude, unit in seen:
        assert isinstance(magnitude, Fraction)
        assert unit in allowed


def test_parse_human_refuses_non_strings() -> None:
    with pytest.raises(QuantityError):
        parse_human(2)  # type: ignore[arg-type]


def test_parse_human_keeps_the_strict_hint_for_kubernetes_typos() -> None:
    from quantities import QuantityError, parse_human

    with pytest.raises(QuantityError, match='did you mean "1k" or "1Ki"'):
        parse_human("1K")
    with pytest.raises(QuantityError, match='unknown unit "parsecs"'):
        parse_human("1 parsecs")
