"""The optional compiled build: the parser's hot modules compiled by mypyc, next to their sources.

Nothing needs it: without it every module runs as pure Python, exactly as written (the
README's ``make serve`` and ``make test`` never build it, and need no C compiler). With it,
Python imports the compiled extension of each module in ``MODULES`` instead of its source,
because an extension module next to a ``.py`` file of the same name wins.

    python tools/build_compiled.py --inplace   # compile MODULES next to their sources (make compiled)
    python tools/build_compiled.py --clean     # remove them again (make clean-compiled)
    python tools/build_compiled.py --into DIR  # a compiled copy of the package in DIR

The build compiles a copy of the package in a temporary directory (mypyc's build runs
setuptools there, away from this project's pyproject.toml) with this project's mypy
settings, then copies the extension modules back. A stamp next to them records the
sources they were built from: ``stale_sources()`` names any source edited since, and a test
fails when a stale build is in place (Python would import the old compiled code).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The modules compiled, as paths from the project root: the parser and what its hot path calls.
MODULES = ("quantities/quantity/quantity.py", "quantities/quantity/goint.py")

#: mypyc puts the code of all modules in one shared library, named after this group; the
#: module files themselves are small shims that load it.
GROUP = "quantities.quantity._compiled"

#: Records which sources the extension modules in place were built from.
STAMP = "quantities/quantity/_compiled.json"

_SETUP = """\
import sys

from mypyc.build import mypycify
from setuptools import setup

config, group, *modules = sys.argv[1:]
setup(
    name="kube-quantities-compiled",
    ext_modules=mypycify(["--config-file", config, *modules], group_name=group, opt_level="3"),
    script_args=["build_ext", "--inplace", "--quiet"],
)
"""


def compiler_missing() -> str | None:
    """Why the compiled build cannot be made here, or None when it can."""
    if importlib.util.find_spec("mypyc") is None:
        return "mypyc is not installed (it comes with mypy: pip install mypy)"
    include = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not include.is_file():
        return f"the Python headers are missing ({include.name}; e.g. the python3-dev package)"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler} is not on PATH)"
    return None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sources(root: Path) -> dict[str, str]:
    return {module: _digest(root / module) for module in MODULES}


def extension_files(root: Path) -> list[Path]:
    """The compiled extension modules present in the package under ``root``."""
    names = {Path(module).stem for module in MODULES} | {GROUP.rpartition(".")[2] + "__mypyc"}
    package = root / Path(MODULES[0]).parent
    extensions = (path for path in package.iterdir() if path.suffix in (".so", ".pyd"))
    return sorted(path for path in extensions if path.name.split(".")[0] in names)


def stale_sources(root: Path = ROOT) -> list[str]:
    """The compiled modules in place whose source changed since the build (empty: none, or fresh)."""
    if not extension_files(root):
        return []
    stamp = root / STAMP
    built: dict[str, str] = json.loads(stamp.read_text()) if stamp.is_file() else {}
    return [module for module, digest in _sources(root).items() if built.get(module) != digest]


def build(tree: Path, source: Path = ROOT) -> list[Path]:
    """Write a copy of the package into ``tree`` with ``MODULES`` compiled next to their sources.

    Returns the extension modules built. Raises ``RuntimeError`` with the compiler's output
    when the build fails.
    """
    reason = compiler_missing()
    if reason is not None:
        raise RuntimeError(f"cannot build the compiled modules: {reason}")
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", STAMP.rpartition("/")[2])
    shutil.copytree(source / "quantities", tree / "quantities", ignore=ignore, dirs_exist_ok=True)
    (tree / "setup_compiled.py").write_text(_SETUP)
    command = [sys.executable, "setup_compiled.py", str(ROOT / "pyproject.toml"), GROUP, *MODULES]
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"mypyc build failed:\n{done.stdout}\n{done.stderr}")
    (tree / STAMP).write_text(json.dumps(_sources(tree), indent=2, sort_keys=True) + "\n")
    return extension_files(tree)


def clean(root: Path = ROOT) -> list[Path]:
    """Remove the compiled modules (and their stamp) from the package under ``root``."""
    removed = extension_files(root)
    for path in removed:
        path.unlink()
    (root / STAMP).unlink(missing_ok=True)
    return removed


def build_inplace(root: Path = ROOT) -> list[Path]:
    """Compile ``MODULES`` next to their sources under ``root``."""
    with tempfile.TemporaryDirectory(prefix="kq-compiled-") as scratch:
        built = build(Path(scratch), root)
        clean(root)
        placed = []
        for path in built:
            target = root / path.relative_to(scratch)
            shutil.copy2(path, target)
            placed.append(target)
        shutil.copy2(Path(scratch) / STAMP, root / STAMP)
    return placed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--inplace", action="store_true", help="compile the modules next to their sources")
    action.add_argument("--clean", action="store_true", help="remove the compiled modules")
    action.add_argument("--into", type=Path, metavar="DIR", help="write a compiled copy of the package there")
    action.add_argument("--check", action="store_true", help="say whether a compiled build can be made here")
    arguments = parser.parse_args(argv)
    if arguments.check:
        reason = compiler_missing()
        print(reason or "a compiled build can be made here")
        return 1 if reason else 0
    if arguments.clean:
        for path in clean():
            print(f"removed {path.relative_to(ROOT)}")
        return 0
    try:
        if arguments.inplace:
            paths = build_inplace()
            shown = [path.relative_to(ROOT) for path in paths]
        else:
            paths = build(arguments.into)
            shown = list(paths)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    for path in shown:
        print(f"built {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
