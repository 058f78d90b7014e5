"""``kq capacity`` over a cluster at Kubernetes' published limits, against json decode of the same file.

The cluster is the one of ``bench_plan.py`` (5,000 nodes, 150,000 pods as ``kubectl get nodes -o
json`` and ``kubectl get pods -A -o json`` print them, realistic fields included), written to a
temporary file. Two child processes read it:

* ``json``: the standard ``json`` module decodes it (the yardstick);
* ``capacity``: ``quantities`` loads the nodes and pods and computes the overview (every node's
  ``kubectl describe node`` sums, free, the total and a total per zone).

The figure of merit is the ratio of the two times and the peak resident memory.

Run: ``.venv/bin/python benchmarks/bench_capacity.py [--nodes N] [--pods-per-node N]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.bench_plan import NODES, PODS_PER_NODE, generate


def _child(mode: str, path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start = time.perf_counter()
    summary: dict[str, object]
    if mode == "json":
        decoder = json.JSONDecoder()
        position = 0
        documents = 0
        while position < len(text):
            _, position = decoder.raw_decode(text, position)
            documents += 1
            while position < len(text) and text[position] in " \n\r\t":
                position += 1
        summary = {"documents": documents}
    else:
        from quantities.capacity.overview import capacity_overview
        from quantities.scheduler.cluster import load_cluster

        cluster = load_cluster(text, keep_raw_pods=True)
        loaded = time.perf_counter() - start
        overview = capacity_overview(cluster.nodes, cluster.raw_pods, group_by="topology.kubernetes.io/zone")
        total = overview.total.to_json()
        summary = {
            "nodes": total["nodes"],
            "pods_used": total["pods"]["used"],
            "cpu_requests": total["cpu"]["requests"],
            "load_seconds": round(loaded, 3),
        }
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(json.dumps({"seconds": elapsed, "peak_bytes": peak, **summary}))


def _run(mode: str, path: str) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", mode, path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, object] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=NODES)
    parser.add_argument("--pods-per-node", type=int, default=PODS_PER_NODE)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        _child(*arguments.child)
        return
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "cluster.json")
        size = generate(path, arguments.nodes, arguments.pods_per_node)
        baseline = _run("json", path)
        measured = _run("capacity", path)
    seconds = float(str(measured["seconds"]))
    ratio = seconds / float(str(baseline["seconds"]))
    print(
        f"input: {arguments.nodes} nodes, {arguments.nodes * arguments.pods_per_node} pods, "
        f"{size / 2**20:.0f} MiB of kubectl JSON"
    )
    print(f"json decode: {float(str(baseline['seconds'])):.2f} s")
    print(
        f"capacity: {seconds:.2f} s (load {measured['load_seconds']} s), peak "
        f"{float(str(measured['peak_bytes'])) / 2**30:.2f} GiB; {measured['nodes']} nodes, "
        f"{measured['pods_used']} pods running, cpu requests {measured['cpu_requests']}"
    )
    print(f"ratio (capacity / json decode): {ratio:.2f}")


if __name__ == "__main__":
    main()
