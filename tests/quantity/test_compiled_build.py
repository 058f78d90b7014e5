"""The optional compiled build (``make compiled``, mypyc) against the pure-Python modules it compiles.

Without a compiled build, Python must import the pure-Python modules (every machine, no C
compiler needed); with one in place, it must be fresh (an edited source with an old
extension next to it would run the old code). Where a compiled build can be made, it must
give exactly what the pure build gives on every table row, every generated string and
every lane edge: the same parts, text, values, errors with positions and hints, sums and
comparisons.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from quantities.quantity import quantity as quantity_module
from tests.quantity.test_kubectl_differential import generated_strings
from tests.quantity.test_parser_lanes import EDGE_STRINGS
from tests.quantity.test_quantity_table import ROWS, UNTRIMMED_ROWS
from tools.build_compiled import MODULES, ROOT, STAMP, build, compiler_missing, extension_files, stale_sources


def _pure_copy(tree: Path) -> Path:
    """The package's sources alone, as on a machine that never compiled anything."""
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", Path(STAMP).name)
    shutil.copytree(ROOT / "quantities", tree / "quantities", ignore=ignore)
    return tree


def _run(root: Path, code: list[str], stdin: str = "") -> str:
    """Run Python with ``root`` first on its path (then this repository, for ``tests``)."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(ROOT)])}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, *code]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=root, env=environment)
    assert done.returncode == 0, done.stderr
    return done.stdout


_WHICH = (
    "import json, quantities.quantity.quantity as q, quantities.quantity.goint as g;"
    "print(json.dumps([q.__file__, g.__file__, q._COMPILED, str(q.parse_quantity('1.5Gi'))]))"
)


def test_without_compiled_modules_the_pure_python_modules_are_imported(tmp_path: Path) -> None:
    root = _pure_copy(tmp_path)
    quantity_file, goint_file, compiled, parsed = json.loads(_run(root, ["-c", _WHICH]))
    assert Path(quantity_file) == root / "quantities/quantity/quantity.py"
    assert Path(goint_file) == root / "quantities/quantity/goint.py"
    assert compiled is False
    assert parsed == "1536Mi"


def test_the_module_knows_which_build_it_is() -> None:
    # _COMPILED is what the benchmark reports; it must match what is on disk.
    compiled: bool = quantity_module._COMPILED
    assert compiled == bool(extension_files(ROOT))
    assert quantity_module.__file__ is not None
    assert quantity_module.__file__.endswith(".py") != quantity_module._COMPILED


def test_a_compiled_build_in_place_is_not_older_than_its_sources() -> None:
    stale = stale_sources()
    again = "run `make compiled` again, or `make clean-compiled`"
    assert not stale, f"{', '.join(stale)} changed since `make compiled`: {again}"


def test_the_compiled_modules_are_the_ones_listed() -> None:
    assert all((ROOT / module).is_file() for module in MODULES)


@pytest.fixture(scope="module")
def compiled_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A compiled build: the one in place when fresh, or one built for this test."""
    reason = compiler_missing()
    if reason is not None:
        pytest.skip(f"no compiled build can be made here: {reason}")
    if extension_files(ROOT) and not stale_sources():
        yield ROOT
        return
    tree = tmp_path_factory.mktemp("compiled")
    build(tree)
    yield tree


def _texts() -> list[str]:
    texts = [text for text, _ in ROWS + UNTRIMMED_ROWS] + generated_strings() + EDGE_STRINGS
    return list(dict.fromkeys(texts))


def test_the_compiled_build_gives_what_the_pure_build_gives(compiled_root: Path, tmp_path: Path) -> None:
    texts = json.dumps(_texts())
    runner = ["-m", "tests.quantity.compiled_outcomes"]
    pure = json.loads(_run(_pure_copy(tmp_path), runner, texts))
    compiled = json.loads(_run(compiled_root, runner, texts))
    assert pure["compiled"] is False
    assert compiled["compiled"] is True, compiled["module"]
    assert len(compiled["singles"]) == len(pure["singles"]) == len(_texts())
    for text, ours, theirs in zip(_texts(), compiled["singles"], pure["singles"], strict=True):
        assert ours == theirs, text
    assert compiled["pairs"] == pure["pairs"]
