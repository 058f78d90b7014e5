"""``kq describe-node``, ``kq fit``, ``kq plan`` and ``kq max-replicas``: node capacity from a shell.

* ``kq describe-node FILE|-``: FILE holds a Node and pods (a ``List`` or
  several documents); prints the "Non-terminated Pods" and "Allocated
  resources" sections of ``kubectl describe node`` (``--node`` picks one node
  when there are several).
* ``kq fit --pod POD_FILE CLUSTER_FILE|-``: every node's verdict for the pod,
  and the FailedScheduling message when none fits.
* ``kq plan --workload WORKLOAD_FILE CLUSTER_FILE|-``: where the replicas go.
* ``kq max-replicas --pod POD_FILE CLUSTER_FILE|-``: how many more copies fit.

CLUSTER_FILE holds nodes and pods as kubectl prints them (JSON or YAML), or
compact nodes (CSV with a ``name,cpu,memory,pods`` header). ``-o json`` and
``-o csv`` give the shapes of the HTTP API.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, TextIO

__all__ = ["add_commands"]

Command = Callable[[argparse.Namespace, TextIO], int]


def _objects(path: str) -> list[object]:
    from quantities.manifest.stream import iter_objects, read_text

    return list(iter_objects(read_text(path)))


def _warn(warnings: Sequence[Any]) -> None:
    """Each oddity of the input (stored objects that break today's rules) on standard error, one line each."""
    import sys

    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _write_csv(out: TextIO, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _table(rows: Sequence[Sequence[str]]) -> str:
    from quantities.node.tabwriter import tabulate

    return tabulate("".join("\t".join(row) + "\n" for row in rows), padding=3)


def _describe_node(arguments: argparse.Namespace, out: TextIO) -> int:
    from quantities.manifest.stream import iter_objects, read_text
    from quantities.node.allocated import node_allocated, node_and_pods

    try:
        node, pods = node_and_pods(iter_objects(read_text(arguments.file)), arguments.node, "with --node")
    except ValueError as error:
        raise ValueError(f"{arguments.file}: {error}") from None
    allocation = node_allocated(node, pods)
    _warn(allocation.warnings)
    if arguments.output == "json":
        json.dump(allocation.to_json(), out, indent=2)
        out.write("\n")
    elif arguments.output == "csv":
        _write_csv(out, allocation.CSV_HEADER, allocation.csv_rows())
    else:
        out.write(allocation.describe())
    return 0


def _one_pod(path: str) -> Any:
    """The one Pod, workload or compact workload in ``path`` (a Workload, which remembers where it was)."""
    from quantities.pod.workloads import single_workload

    try:
        return single_workload(_objects(path))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def _fit(arguments: argparse.Namespace, out: TextIO) -> int:
    from quantities.manifest.stream import read_text
    from quantities.scheduler.cluster import load_cluster
    from quantities.scheduler.fit import check_fit

    pod = _one_pod(arguments.pod)
    cluster = load_cluster(read_text(arguments.cluster))
    result = check_fit(pod, cluster.nodes, cluster.pods)
    _warn(result.warnings)
    if arguments.output == "json":
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
    elif arguments.output == "csv":
        _write_csv(out, result.CSV_HEADER, result.csv_rows())
    else:
        rows = [("NODE", "FITS", "REASONS", "RESOURCES (requested/free)")]
        for node in result.nodes:
            resources = ", ".join(
                f"{c.resource} {c.to_json()['requested']}/{c.to_json()['free']}" for c in node.resources
            )
            rows.append((node.name, "yes" if node.fits else "no", "; ".join(node.reasons) or "-", resources))
        out.write(_table(rows))
        summary = result.message if result.message else "fits: " + ", ".join(result.feasible)
        out.write(f"\n{summary}\n")
    return 0 if result.fits else 1


def _plan(arguments: argparse.Namespace, out: TextIO) -> int:
    from quantities.manifest.stream import read_text
    from quantities.pod.workloads import workloads_in
    from quantities.scheduler.cluster import load_cluster
    from quantities.scheduler.plan import NodeUsage, WorkloadPlan, plan

    workloads = workloads_in([o for o in _objects(arguments.workload) if isinstance(o, dict)])
    if not workloads:
        raise ValueError(f"no workload in {arguments.workload}")
    cluster = load_cluster(read_text(arguments.cluster))
    result = plan(workloads, cluster.nodes, cluster.pods)
    _warn(result.warnings)
    if arguments.output == "json":
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
        return 0
    if arguments.output == "csv":
        _write_csv(out, WorkloadPlan.CSV_HEADER, [row for w in result.workloads for row in w.csv_rows()])
        out.write("\n")
        _write_csv(out, NodeUsage.CSV_HEADER, [n.csv_row() for n in result.nodes])
        return 0
    rows: list[tuple[str, ...]] = [("WORKLOAD", "REPLICAS", "PLACED", "PENDING", "PLACEMENTS")]
    for w in result.workloads:
        placements = ", ".join(f"{node}={count}" for node, count in w.placements.items()) or "-"
        rows.append((w.name, str(w.replicas), str(w.placed), str(w.pending), placements))
    out.write(_table(rows))
    for w in result.workloads:
        for message in w.messages:
            out.write(f"\n{w.name}: {message}\n")
    out.write("\n")
    rows = [("NODE", "PODS", "CPU REQUESTS", "CPU LIMITS", "MEMORY REQUESTS", "MEMORY LIMITS", "PLACED")]
    for n in result.nodes:
        data = n.to_json()
        cpu, memory = data["cpu"], data["memory"]
        rows.append(
            (
                n.name,
                f"{n.pods}/{n.allowed_pods}",
                f"{cpu['requests']} ({cpu['requests_percent']}%)",
                f"{cpu['limits']} ({cpu['limits_percent']}%)",
                f"{memory['requests']} ({memory['requests_percent']}%)",
                f"{memory['limits']} ({memory['limits_percent']}%)",
                str(n.placed),
            )
        )
    out.write(_table(rows))
    return 0


def _max_replicas(arguments: argparse.Namespace, out: TextIO) -> int:
    from quantities.manifest.stream import read_text
    from quantities.scheduler.cluster import load_cluster
    from quantities.scheduler.plan import max_replicas

    pod = _one_pod(arguments.pod)
    cluster = load_cluster(read_text(arguments.cluster))
    count = max_replicas(pod, cluster.nodes, cluster.pods)
    _warn(cluster.warnings)
    if arguments.output == "json":
        json.dump({"max_replicas": count}, out)
        out.write("\n")
    else:
        print(count, file=out)
    return 0


def _output_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", choices=("text", "json", "csv"), default="text", help="output format (default text)"
    )


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], registry: MutableMapping[str, Command]
) -> None:
    """Register the node commands on ``kq``'s subparsers and in its command registry."""
    describe = subparsers.add_parser(
        "describe-node", help="kubectl describe node's Non-terminated Pods and Allocated resources"
    )
    describe.add_argument("file", metavar="FILE", help="a Node and pods (JSON or YAML), or - for stdin")
    describe.add_argument("--node", help="the node to describe when FILE holds several")
    _output_option(describe)
    registry["describe-node"] = _describe_node

    fit = subparsers.add_parser("fit", help="does a pod fit: kube-scheduler's filters on every node")
    fit.add_argument("--pod", required=True, metavar="POD_FILE", help="a Pod or workload manifest")
    fit.add_argument("cluster", metavar="CLUSTER_FILE", help="nodes and pods as kubectl prints them, or -")
    _output_option(fit)
    registry["fit"] = _fit

    plan = subparsers.add_parser("plan", help="place the replicas of workloads as the scheduler would")
    plan.add_argument("--workload", required=True, metavar="WORKLOAD_FILE", help="workload manifests")
    plan.add_argument("cluster", metavar="CLUSTER_FILE", help="nodes and pods as kubectl prints them, or -")
    _output_option(plan)
    registry["plan"] = _plan

    more = subparsers.add_parser("max-replicas", help="how many more copies of a pod would fit")
    more.add_argument("--pod", required=True, metavar="POD_FILE", help="a Pod or workload manifest")
    more.add_argument("cluster", metavar="CLUSTER_FILE", help="nodes and pods as kubectl prints them, or -")
    _output_option(more)
    registry["max-replicas"] = _max_replicas
