"""``kq convert`` keeps to a value's dimension and answers exactly; ``-o csv`` is safe to open
in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from quantities.cli import main
from tests.kind_cluster import node

EVIL = '=HYPERLINK("http://evil")'


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("value", "unit", "printed"),
    [
        ("1", "EiB", "0.000000000000000000867361737988403547205962240695953369140625"),
        ("12345678901234567890123456789012345", "B", "12345678901234567890123456789012345"),
        ("1Gi", "gib", "1"),
        ("1Gi", "Gi", "1"),
        ("1Gi", "GIB", "1"),
        ("1G", "gb", "1"),
        ("2G", "M", "2000"),
        ("1500m", "m", "1500"),
        ("1500m", "mcpu", "1500"),
        ("1.5 cores", "m", "1500"),
        ("2 GiB", "Mi", "2048"),
        ("2", "KiB", "0.001953125"),
    ],
)
def test_convert(value: str, unit: str, printed: str) -> None:
    assert run("convert", value, unit) == (0, printed + "\n", "")


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        # reported on main: printed 1073741824
        (
            "1Gi",
            "cores",
            "kq: cannot convert 1Gi to cores: 1Gi is a number of bytes (binary suffix Gi); "
            "cores is a unit of CPU",
        ),
        # reported on main: printed 0.0000000004656612873077392578125
        (
            "500m",
            "GiB",
            "500m is a number of cores (suffix m: thousandths of a core); GiB is a unit of bytes",
        ),
        ("2 GiB", "millicores", "2 GiB is a number of bytes (unit GiB)"),
        ("250 millicores", "MB", "250 millicores is a number of cores (unit millicores)"),
        ("1Gi", "gibs", 'kq: unknown unit "gibs"; did you mean "GiB"'),
        ("1Gi", "gi", 'did you mean "GiB"'),
        ("1Gi", "parsec", 'kq: unknown unit "parsec"; use B, kB, MB, GB, KiB, MiB, GiB'),
    ],
)
def test_convert_refuses(value: str, unit: str, message: str) -> None:
    status, out, err = run("convert", value, unit)
    assert (status, out) == (2, "")
    assert message in err and err.count("\n") == 1


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_plan_csv_with_hostile_names_is_safe(tmp_path: Path) -> None:
    # Names in a proposal are validated (a workload named "+cmd" is refused), but stored nodes
    # are read as kubectl prints them, names and all: their cells must come out neutralised.
    cluster = tmp_path / "cluster.json"
    cluster.write_text(json.dumps({"kind": "List", "items": [node(EVIL), node("@n2")]}))
    workload = tmp_path / "w.json"
    workload.write_text(json.dumps({"name": "web", "replicas": 3, "cpu": "1", "memory": "1Gi"}))
    status, out, err = run("plan", "--workload", str(workload), str(cluster), "-o", "csv", "--table", "nodes")
    assert status == 0, err
    cells = [cell for row in _rows(out) for cell in row]
    assert "'" + EVIL in cells and "'@n2" in cells
    assert EVIL not in cells and "@n2" not in cells
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "+cmd", "replicas": 3, "cpu": "1", "memory": "1Gi"}))
    status, out, err = run("plan", "--workload", str(bad), str(cluster), "-o", "csv")
    assert status == 2 and out == "" and '"+cmd"' in err


def test_fit_and_describe_node_csv_with_hostile_names_are_safe(tmp_path: Path) -> None:
    cluster = tmp_path / "cluster.json"
    cluster.write_text(json.dumps({"kind": "List", "items": [node("-2+3")]}))
    pod = tmp_path / "pod.json"
    pod.write_text(json.dumps({"name": "p", "cpu": "1"}))
    status, out, err = run("fit", "--pod", str(pod), str(cluster), "-o", "csv")
    assert status == 0, err
    assert _rows(out)[1][0] == "'-2+3"
    status, out, err = run("describe-node", str(cluster), "-o", "csv")
    assert status == 0, err
    assert _rows(out)[1][0] == "'-2+3"
