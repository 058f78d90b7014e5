"""Nodes needed for 1,000 replicas of 20 shapes over 3 templates.

The workloads are 20 Deployments of 50 replicas each, of random (seeded) cpu and memory
requests; the templates are three EC2 instance types under the eks profile (m5.large,
c5.xlarge, r5.large), with their on-demand prices (us-east-1, per hour). Reported:

* nodes: the answer (and per template), against cluster-autoscaler's first-fit-decreasing
  count for the template its price expander would pick, and the lower bound;
* cost: the answer's, against that estimate's;
* time: ``nodes_needed`` (one run), against a plain first fit decreasing of the same replicas
  on (cpu, memory, pods) vectors for each template (the same arithmetic without the scheduler's
  filters): the ratio of the two.

Run: ``.venv/bin/python benchmarks/bench_nodes_needed.py [--seed N]``
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal
from fractions import Fraction
from typing import Any

from quantities.capacity.nodes_needed import instance_template, nodes_needed
from quantities.options import Options
from quantities.pod.workloads import compact_workload

SHAPES = 20
REPLICAS = 50
#: On-demand Linux prices, us-east-1, USD per hour (aws.amazon.com/ec2/pricing/on-demand).
TEMPLATES = (("m5.large", "0.096"), ("c5.xlarge", "0.17"), ("r5.large", "0.126"))


def _workloads(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "name": f"app-{number}",
            "replicas": REPLICAS,
            "cpu": f"{rng.choice((50, 100, 250, 500, 750, 1000, 1500))}m",
            "memory": f"{rng.choice((64, 128, 256, 512, 1024, 2048, 3072))}Mi",
        }
        for number in range(SHAPES)
    ]


def plain_ffd(items: list[tuple[int, int]], capacity: tuple[int, int, int]) -> int:
    """First fit decreasing on (cpu, memory, pods): items by cpu/cap + memory/cap, largest first."""
    cpu_cap, memory_cap, pods_cap = capacity
    ordered = sorted(items, key=lambda item: -(Fraction(item[0], cpu_cap) + Fraction(item[1], memory_cap)))
    bins: list[list[int]] = []
    for cpu, memory in ordered:
        for used in bins:
            if used[0] + cpu <= cpu_cap and used[1] + memory <= memory_cap and used[2] < pods_cap:
                used[0] += cpu
                used[1] += memory
                used[2] += 1
                break
        else:
            bins.append([cpu, memory, 1])
    return len(bins)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    options = Options.of("1.36")
    workloads = [compact_workload(row) for row in _workloads(arguments.seed)]
    templates = [instance_template(name, price=price, options=options) for name, price in TEMPLATES]

    started = time.perf_counter()
    result = nodes_needed(workloads, templates, options=options)
    ours = time.perf_counter() - started

    items = []
    for workload in workloads:
        container = workload.pod["spec"]["containers"][0]["resources"]["requests"]
        from quantities.quantity.quantity import parse_quantity

        cpu = parse_quantity(container["cpu"]).milli_value()
        memory = parse_quantity(container["memory"]).value()
        items.extend([(cpu, memory)] * (workload.replicas or 0))
    started = time.perf_counter()
    plain = {
        t.name: plain_ffd(items, (t.node.milli_cpu, t.node.memory, t.node.allowed_pods)) for t in templates
    }
    baseline = time.perf_counter() - started

    data = result.to_json()
    estimate = data["first_fit_decreasing"]
    chosen = data["first_fit_decreasing_template"]
    price = dict(TEMPLATES)[chosen]
    print(f"{SHAPES} shapes x {REPLICAS} replicas = {SHAPES * REPLICAS} replicas; templates "
          + ", ".join(f"{name} ({price}/h)" for name, price in TEMPLATES))
    for use in data["templates"]:
        print(
            f"  {use['name']}: alone lower bound {use['lower_bound']}, first fit decreasing "
            f"{use['first_fit_decreasing']} (plain FFD {plain[use['name']]}), packed in {use['alone']}"
        )
    print(f"answer: {data['new_nodes']} nodes {data['by_template']}, cost {data['cost']}/h")
    print(f"cluster-autoscaler's estimate: {estimate} {chosen}, cost {Decimal(price) * estimate}/h")
    print(f"lower bound: {data['lower_bound']} ({data['binding_resource']})")
    print(f"time: nodes_needed {ours:.2f} s, plain FFD of the 3 templates {baseline * 1000:.1f} ms, "
          f"ratio {ours / baseline:.0f}x (one run)")


if __name__ == "__main__":
    main()
