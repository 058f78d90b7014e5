"""How the scheduler computations grow: the time at 2N over the time at N, for a few N.

A cost that grows linearly doubles (ratio about 2); a quadratic one quadruples (about 4).
Each row is one shape known to be costly when the scheduler's PreFilter state is
recomputed instead of updated (PreFilterExtensions.AddPod/RemovePod):

* ``fit, preemption x nodes``: N full nodes, each running one lower-priority pod, and an
  incoming pod of priority 10 with 16 topology-spread constraints: every node is a
  preemption candidate;
* ``fit, preemption x constraints``: the same with 250 nodes and C constraints;
* ``plan, spread x replicas`` and ``plan, spread x nodes``: one hostname-like spread constraint
  (``maxSkew: 1``), R replicas on 2,000 nodes, or as many replicas as nodes;
* ``daemonset, spread x nodes``: a DaemonSet with a spread constraint;
* ``fit, pods on one node``: one full node running P pods of alternating priorities, and an
  incoming pod that may preempt half of them.

Inputs are built before the clock starts (nodes and pods already read), so the times are
the scheduler's. A size is skipped once the one before it took longer than ``--budget``
seconds (the quadratic shapes on an old version).

Run: ``python benchmarks/bench_scaling.py [--quick] [--budget SECONDS]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quantities.node.compact import compact_node
from quantities.node.model import Node
from quantities.scheduler.fit import check_fit, make_snapshot
from quantities.scheduler.framework.nodeinfo import Snapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.scheduler.plan import plan

LABELS = {"app": "web"}


def _spread(count: int) -> list[dict[str, Any]]:
    return [
        {
            "maxSkew": 1,
            "topologyKey": f"topo-{index}",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": LABELS},
        }
        for index in range(count)
    ]


def _nodes(count: int, constraints: int, pods: int, cpu: str = "64") -> list[Node]:
    # Every topology key takes one value per node: as many domains as nodes, the worst case.
    return [
        compact_node(
            f"n{index}",
            cpu=cpu,
            memory="256Gi",
            pods=pods,
            labels={f"topo-{key}": f"n{index}" for key in range(constraints)},
        )
        for index in range(count)
    ]


def _pod(name: str, *, priority: int, node: str | None = None, spread: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "priority": priority,
        "containers": [
            {"name": "c", "image": "i", "resources": {"requests": {"cpu": "10m", "memory": "1Mi"}}}
        ],
    }
    if node is not None:
        spec["nodeName"] = node
    if spread:
        spec["topologySpreadConstraints"] = _spread(spread)
    return {"metadata": {"name": name, "namespace": "default", "labels": LABELS}, "spec": spec}


def _state(pod: dict[str, Any]) -> PodInfo:
    return pod_info(pod, state=True)


def fit_preemption(nodes: int, constraints: int) -> Callable[[], object]:
    snapshot = make_snapshot(
        _nodes(nodes, constraints, pods=1),
        [_state(_pod(f"low-{i}", priority=0, node=f"n{i}")) for i in range(nodes)],
    )
    incoming = _pod("incoming", priority=10, spread=constraints)

    def run() -> object:
        result = check_fit(incoming, snapshot)
        assert len(result.preemption_nodes) == nodes, result.message
        return result

    return run


def _workload(replicas: int, *, kind: str = "Deployment") -> dict[str, Any]:
    template = _pod("web", priority=0, spread=1)
    workload: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": LABELS},
            "template": {"metadata": {"labels": LABELS}, "spec": template["spec"]},
        },
    }
    if kind != "DaemonSet":
        workload["spec"]["replicas"] = replicas
    return workload


def plan_spread(nodes: int, replicas: int) -> Callable[[], object]:
    snapshot = Snapshot(_nodes(nodes, 1, pods=110))
    workload = _workload(replicas)

    def run() -> object:
        result = plan([workload], snapshot)
        assert result.workloads[0].placed == replicas
        return result

    return run


def daemonset_spread(nodes: int) -> Callable[[], object]:
    snapshot = Snapshot(_nodes(nodes, 1, pods=110))
    workload = _workload(0, kind="DaemonSet")

    def run() -> object:
        result = plan([workload], snapshot)
        assert result.workloads[0].placed == nodes
        return result

    return run


def pods_on_one_node(pods: int) -> Callable[[], object]:
    node = compact_node("n0", cpu="100000", memory="1Ti", pods=pods)
    existing = [_state(_pod(f"p{i}", priority=i % 2 * 20, node="n0")) for i in range(pods)]
    snapshot = make_snapshot([node], existing)
    incoming = _pod("incoming", priority=10)

    def run() -> object:
        result = check_fit(incoming, snapshot)
        assert result.preemption_nodes == ("n0",), result.message
        return result

    return run


def _time(run: Callable[[], object]) -> float:
    """The best of a few runs, enough of them to last about 0.3 s (one run when it is slower)."""
    best = float("inf")
    spent = 0.0
    while spent < 0.3:
        started = time.perf_counter()
        run()
        elapsed = time.perf_counter() - started
        best = min(best, elapsed)
        spent += elapsed
    return best


SCENARIOS: list[tuple[str, str, list[int], list[int], Callable[[int], Callable[[], object]]]] = [
    # name, what N is, full sizes, quick sizes, setup(N) -> run
    ("fit, preemption x nodes (C=16)", "nodes", [500, 1000, 2000], [250, 500],
     lambda n: fit_preemption(n, 16)),
    ("fit, preemption x constraints (250 nodes)", "constraints", [64, 128, 256], [32, 64],
     lambda c: fit_preemption(250, c)),
    ("plan, spread x replicas (2,000 nodes)", "replicas", [1000, 2000, 4000], [500, 1000],
     lambda r: plan_spread(2000, r)),
    ("plan, spread x nodes (replicas = nodes)", "nodes", [500, 1000, 2000], [250, 500],
     lambda n: plan_spread(n, n)),
    ("daemonset, spread x nodes", "nodes", [1000, 2000, 4000], [500, 1000], daemonset_spread),
    ("fit, pods on one node", "pods", [15000, 30000, 60000], [7500, 15000], pods_on_one_node),
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: about 20 s in all")
    parser.add_argument("--budget", type=float, default=30.0, help="skip larger sizes past this many seconds")
    arguments = parser.parse_args(argv)
    print(f"{'scenario':<44} {'N':>8} {'seconds':>9} {'t(2N)/t(N)':>11}")
    started = time.perf_counter()
    for name, unit, full, quick, setup in SCENARIOS:
        sizes = quick if arguments.quick else full
        previous: float | None = None
        for size in sizes:
            label = f"{size:,} {unit}"
            if previous is not None and previous > arguments.budget:
                print(f"{name:<44} {label:>8} {'skipped':>9}")
                continue
            seconds = _time(setup(size))
            ratio = f"{seconds / previous:.2f}" if previous else ""
            print(f"{name:<44} {size:>8,} {seconds:>9.3f} {ratio:>11}", flush=True)
            previous = seconds
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
