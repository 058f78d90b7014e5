"""The kq command line: canonical forms, exact conversions, exit status 2 on bad input."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from quantities.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_parse_prints_canonical_forms() -> None:
    assert run("parse", "1.5Gi", "500m") == (0, "1536Mi\n500m\n", "")


def test_parse_keeps_kubernetes_verbatim_forms() -> None:
    assert run("parse", "+1", "1000m", "0.5Ki", "2000E") == (0, "+1\n1\n512\n2\n", "")


def test_parse_verbose() -> None:
    status, out, err = run("parse", "-v", "1.5Gi", "100m")
    assert (status, err) == (0, "")
    assert out.splitlines() == ["1.5Gi\t1536Mi\tBinarySI\t1610612736", "100m\t100m\tDecimalSI\t0.1"]


@pytest.mark.parametrize(
    ("value", "unit", "printed"),
    [
        ("1.5Gi", "GiB", "1.5"),
        ("1.5Gi", "MiB", "1536"),
        ("1.5Gi", "MB", "1610.612736"),
        ("1G", "GiB", "0.931322574615478515625"),
        ("1500m", "cores", "1.5"),
        ("2", "millicore", "2000"),
        ("2 GiB", "MiB", "2048"),
        ("250 millicores", "cores", "0.25"),
    ],
)
def test_convert_prints_the_exact_decimal(value: str, unit: str, printed: str) -> None:
    assert run("convert", value, unit) == (0, printed + "\n", "")


def test_bad_value_goes_to_stderr_with_status_2() -> None:
    status, out, err = run("parse", "1K")
    assert (status, out) == (2, "")
    assert err.startswith('kq: invalid quantity "1K"')
    assert '"1k" or "1Ki"' in err


def test_good_values_before_a_bad_one_are_printed() -> None:
    status, out, err = run("parse", "1Gi", "1GB", "2Gi")
    assert (status, out) == (2, "1Gi\n")
    assert '"1GB"' in err


def test_convert_refuses_a_bad_value_and_an_unknown_unit() -> None:
    status, out, err = run("convert", "1,5Gi", "GiB")
    assert (status, out) == (2, "")
    assert '"1,5Gi"' in err
    status, out, err = run("convert", "1Gi", "parsec")
    assert (status, out) == (2, "")
    assert "parsec" in err


def test_usage_errors_exit_2() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main([], out, err) == 2
    assert out.getvalue() == "" and err.getvalue().startswith("usage: kq")


def test_python_dash_m_quantities() -> None:
    good = subprocess.run(
        [sys.executable, "-m", "quantities", "parse", "1.5Gi", "500m"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert (good.returncode, good.stdout, good.stderr) == (0, "1536Mi\n500m\n", "")
    bad = subprocess.run(
        [sys.executable, "-m", "quantities", "parse", "1K"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith('kq: invalid quantity "1K"')
