"""Parsing speed of quantities against the official Kubernetes client and pint.

Everything is measured in one run on the same machine, and only ratios are
reported: the machines here are shared and noisy, so an absolute time means
little. Two workloads:

* per input class (``1234m``, ``512Mi``, ``1234``, ``12.5``, ``1.5Gi``, ``12e3``):
  20,000 distinct strings the cache has never seen, through ``parse_quantity``,
  against ``kubernetes.utils.parse_quantity``. Both are timed in the thread's own
  CPU time (``time.thread_time``), alternately, keeping the best of several rounds,
  so that other processes on a shared machine do not tilt the ratio;
* a realistic cluster mix: a few hundred distinct values, each repeated many
  times, as in real manifests (thread CPU time too, best of several runs).

A ratio is the official client's time divided by ours: above 1x we are faster.

Both builds are measured when a compiled build can be made here (a C compiler, the Python
headers and mypyc): the pure-Python modules and the mypyc-compiled ones (``make compiled``),
each in its own process, from a copy of the package in a temporary directory, so that the
table says the same whatever this checkout has in place. Without a compiler, only the build
that ``import quantities`` gives is measured. The exit status says whether that build meets
every target.

Run: .venv/bin/python benchmarks/bench_quantities.py
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# A worker measures the build its parent points it at (see measure_build).
IMPORT_ROOT = Path(os.environ.get("KQ_BENCH_ROOT", ROOT))
sys.path.insert(0, str(IMPORT_ROOT))
sys.path.insert(1, str(ROOT))

from quantities.quantity import quantity as quantity_module  # noqa: E402
from quantities.quantity.quantity import clear_cache, parse_quantity, parse_quantity_uncached  # noqa: E402
from tools.build_compiled import STAMP, build, compiler_missing  # noqa: E402

TARGETS = {"cached": 20.0, "uncached": 3.0, "import": 1.5}

# Per input class: (name, example, target ratio against kubernetes.utils.parse_quantity).
# Integers with a suffix are the commonest values in real manifests: at least 2x there.
CLASSES = [
    ("integers with m", "1234m", 2.0),
    ("integers with Mi", "512Mi", 2.0),
    ("plain integers", "1234", 1.0),
    ("decimals with a fraction", "12.5", 1.0),
    ("fractional binary", "1.5Gi", 1.0),
    ("exponents", "12e3", 1.0),
]

_CPU = ["50m", "100m", "125m", "200m", "250m", "300m", "500m", "750m", "1", "1500m", "2", "4", "8", "0.5",
        "0.25", "16", "32", "1.5", "3", "6"]
_MEMORY_NUMBERS = [16, 32, 64, 100, 128, 200, 256, 300, 384, 500, 512, 640, 768, 1000, 1024, 1536, 2048, 3072,
                   4096, 6144, 8192]


def cluster_mix(distinct: int = 400, total: int = 20_000, seed: int = 7) -> list[str]:
    """``total`` quantity strings drawn (Zipf-like) from ``distinct`` realistic values."""
    rng = random.Random(seed)
    values: list[str] = list(_CPU)
    for number in _MEMORY_NUMBERS:
        values += [f"{number}Mi", f"{number}M", f"{number}Ki"]
    for number in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512):
        values += [f"{number}Gi", f"{number}G", f"{number}Ti"]
    while len(values) < distinct:
        values.append(f"{rng.randint(1, 99999)}{rng.choice(['Ki', 'Mi', 'm', '', 'k', 'M', 'G'])}")
    values = values[:distinct]
    weights = [1 / (rank + 1) for rank in range(distinct)]
    return rng.choices(values, weights=weights, k=total)


def to_pint_text(value: str) -> str:
    """The same value in words pint understands (its own syntax has no Kubernetes suffixes)."""
    for suffix, unit in (("Ki", "KiB"), ("Mi", "MiB"), ("Gi", "GiB"), ("Ti", "TiB")):
        if value.endswith(suffix):
            return f"{value[:-2]} {unit}"
    for suffix, unit in (("m", "millicore"), ("k", "kB"), ("M", "MB"), ("G", "GB")):
        if value.endswith(suffix):
            return f"{value[:-1]} {unit}"
    return f"{value} core"


def best_of(function: Callable[[Sequence[str]], object], values: Sequence[str], repeats: int = 5) -> float:
    # Thread CPU time, as for the classes: time spent waiting for the CPU is not ours.
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        function(values)
        times.append(time.thread_time() - start)
    return min(times)


def class_strings(example: str, count: int = 20_000, seed: int = 11) -> list[str]:
    """``count`` distinct strings of the same shape as ``example``."""
    rng = random.Random(f"{seed}{example}")

    def whole() -> str:
        return str(rng.randint(1, 999_999))

    makers: dict[str, Callable[[], str]] = {
        "1234m": lambda: whole() + "m",
        "512Mi": lambda: whole() + "Mi",
        "1234": whole,
        "12.5": lambda: f"{rng.randint(0, 9999)}.{rng.randint(1, 999)}",
        "1.5Gi": lambda: f"{rng.randint(0, 999)}.{rng.randint(1, 99)}{rng.choice(['Ki', 'Mi', 'Gi'])}",
        "12e3": lambda: f"{rng.randint(1, 9999)}e{rng.randint(-9, 12)}",
    }
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(makers[example]())
    return list(seen)


def class_ratio(values: Sequence[str], official: Callable[[str], object], rounds: int = 15) -> float:
    """The official parser's time over ours, on strings our cache has never seen."""

    def cpu_time(parse: Callable[[str], object]) -> float:
        clear_cache()
        start = time.thread_time()
        run_all(values, parse)
        return time.thread_time() - start

    theirs = ours = float("inf")
    for _ in range(rounds):
        theirs = min(theirs, cpu_time(official))
        ours = min(ours, cpu_time(parse_quantity))
    return theirs / ours


def run_all(values: Sequence[str], parse: Callable[[str], object]) -> None:
    # deque(maxlen=0) drains the map in C: we time the parsers, not a Python loop.
    deque(map(parse, values), maxlen=0)


def import_ratio(runs: int = 21) -> float:
    """``python -c "import quantities"`` over ``python -c pass``, median times, runs alternating."""
    # An installed package has its bytecode compiled; make sure ours is too.
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    compile_all = [sys.executable, "-m", "compileall", "-q", "quantities"]
    subprocess.run(compile_all, check=True, cwd=IMPORT_ROOT, env=environment)
    times: dict[str, list[float]] = {"import quantities": [], "pass": []}
    for _ in range(runs):
        for code, taken in times.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=IMPORT_ROOT, env=environment)
            taken.append(time.perf_counter() - start)
    return statistics.median(times["import quantities"]) / statistics.median(times["pass"])


def measure() -> dict[str, Any]:
    """Every ratio, for the build this process imported."""
    from kubernetes.utils import parse_quantity as official_parse

    classes = {example: class_ratio(class_strings(example), official_parse) for _, example, _ in CLASSES}

    values = cluster_mix()
    uncached = parse_quantity_uncached

    def ours_cached(batch: Sequence[str]) -> None:
        clear_cache()
        run_all(batch, parse_quantity)

    official = best_of(lambda batch: run_all(batch, official_parse), values)
    cached = best_of(ours_cached, values)
    plain = best_of(lambda batch: run_all(batch, uncached), values)

    import pint

    units = pint.UnitRegistry()
    units.define("core = [cpu]")
    units.define("millicore = core / 1000")
    pint_values = [to_pint_text(value) for value in values[:2000]]
    pint_time = best_of(lambda batch: run_all(batch, units.parse_expression), pint_values, repeats=2)
    pint_time *= len(values) / len(pint_values)

    return {
        "compiled": quantity_module._COMPILED,
        "classes": classes,
        "mix": {"values": len(values), "distinct": len(set(values))},
        "cached": official / cached,
        "uncached": official / plain,
        "pint": pint_time / plain,
        "import": import_ratio(),
    }


def measure_build(root: Path) -> dict[str, Any]:
    """``measure()`` in a fresh process that imports the package under ``root``."""
    environment = {**os.environ, "KQ_BENCH_ROOT": str(root)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker"],
        capture_output=True, text=True, env=environment, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the benchmark of {root} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def pure_copy(tree: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", Path(STAMP).name)
    shutil.copytree(ROOT / "quantities", tree / "quantities", ignore=ignore)
    return tree


def misses(result: dict[str, Any]) -> list[str]:
    """The targets a build's measurements do not meet."""
    missed = [example for _, example, target in CLASSES if result["classes"][example] < target]
    missed += [name for name in ("cached", "uncached") if result[name] < TARGETS[name]]
    if result["import"] > TARGETS["import"]:
        missed.append("import")
    return missed


def report(builds: dict[str, dict[str, Any]]) -> None:
    """The tables, one column per build."""
    names = list(builds)
    print("per input class, 20,000 strings the cache has never seen, through parse_quantity,")
    print("ratio = kubernetes.utils.parse_quantity time / our time (above 1x: we are faster)")
    print()
    print("| class | example | target | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for label, example, target in CLASSES:
        cells = []
        for result in builds.values():
            ratio = result["classes"][example]
            cells.append(f"{ratio:.2f}x" + ("" if ratio >= target else " (not met)"))
        print(f"| {label} | `{example}` | ≥ {target:g}x | " + " | ".join(cells) + " |")
    print()
    mix = next(iter(builds.values()))["mix"]
    print(f"cluster mix: {mix['values']} values, {mix['distinct']} distinct")
    print()
    print("| measure | target | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    rows = [
        ("cached `parse_quantity` vs `kubernetes.utils.parse_quantity`", "cached", "≥ 20x"),
        ("uncached parser vs `kubernetes.utils.parse_quantity`", "uncached", "≥ 3x"),
        ("uncached parser vs pint's `parse_expression`", "pint", "–"),
    ]
    for label, key, target_text in rows:
        cells = []
        for result in builds.values():
            met = key not in TARGETS or result[key] >= TARGETS[key]
            cells.append(f"{result[key]:.1f}x faster" + ("" if met else " (not met)"))
        print(f"| {label} | {target_text} | " + " | ".join(cells) + " |")
    cells = [
        f"{result['import']:.2f}x" + ("" if result["import"] <= TARGETS["import"] else " (not met)")
        for result in builds.values()
    ]
    print('| `python -c "import quantities"` vs `python -c pass` | ≤ 1.5x | ' + " | ".join(cells) + " |")
    print()
    for name, result in builds.items():
        missed = misses(result)
        print(f"{name}: " + ("every target met" if not missed else "targets not met: " + ", ".join(missed)))


def main() -> int:
    if "--worker" in sys.argv[1:]:
        json.dump(measure(), sys.stdout)
        return 0
    here = "compiled (mypyc)" if quantity_module._COMPILED else "pure Python"
    print(f"`import quantities` here gives the {here} build.")
    reason = compiler_missing()
    builds: dict[str, dict[str, Any]] = {}
    if reason is None:
        with tempfile.TemporaryDirectory(prefix="kq-bench-") as scratch:
            pure_root = pure_copy(Path(scratch) / "pure")
            compiled_root = Path(scratch) / "compiled"
            build(compiled_root)
            print("measuring both builds, each from a copy of the package, in its own process")
            print()
            builds["pure Python"] = measure_build(pure_root)
            builds["compiled (mypyc)"] = measure_build(compiled_root)
    else:
        print(f"no compiled build can be made here ({reason}): measuring the {here} build only")
        print()
        builds[here] = measure_build(IMPORT_ROOT)
    report(builds)
    return 1 if misses(builds[here]) else 0


if __name__ == "__main__":
    sys.exit(main())
