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
  times, as in real manifests.

A ratio is the official client's time divided by ours: above 1x we are faster.

Run: .venv/bin/python benchmarks/bench_quantities.py
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quantities.quantity.quantity import clear_cache, parse_quantity, parse_quantity_uncached  # noqa: E402

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
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(values)
        times.append(time.perf_counter() - start)
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


def startup_time(code: str, runs: int = 21) -> float:
    # An installed package has its bytecode compiled; make sure ours is too.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compile_all = [sys.executable, "-m", "compileall", "-q", "quantities"]
    subprocess.run(compile_all, check=True, cwd=ROOT, env=environment)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=environment)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    from kubernetes.utils import parse_quantity as official_parse

    failed = False
    print("per input class, 20,000 strings the cache has never seen, through parse_quantity,")
    print("ratio = kubernetes.utils.parse_quantity time / our time (above 1x: we are faster)")
    print()
    print("| class | example | ratio | target |")
    print("|---|---|---|---|")
    for label, example, target in CLASSES:
        ratio = class_ratio(class_strings(example), official_parse)
        verdict = "ok" if ratio >= target else "BELOW TARGET"
        failed |= ratio < target
        print(f"| {label} | `{example}` | {ratio:.2f}x | {target:g}x {verdict} |")
    print()

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

    import_ratio = startup_time("import quantities") / startup_time("pass")

    rows = [
        ("cached parse_quantity vs kubernetes.utils.parse_quantity", official / cached, TARGETS["cached"]),
        ("uncached parser vs kubernetes.utils.parse_quantity", official / plain, TARGETS["uncached"]),
        ("uncached parser vs pint parse_expression", pint_time / plain, None),
    ]
    print(f"cluster mix: {len(values)} values, {len(set(values))} distinct")
    for label, ratio, target in rows:
        verdict = "" if target is None else (" ok" if ratio >= target else f" BELOW TARGET {target}x")
        failed |= target is not None and ratio < target
        print(f"{label}: {ratio:.1f}x faster{verdict}")
    verdict = "ok" if import_ratio <= TARGETS["import"] else f"ABOVE TARGET {TARGETS['import']}x"
    failed |= import_ratio > TARGETS["import"]
    print(f"`python -c 'import quantities'` / `python -c pass`: {import_ratio:.2f}x {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
