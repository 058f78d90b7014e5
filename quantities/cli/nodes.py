"""``kq describe-node``, ``kq fit``, ``kq plan`` and ``kq max-replicas``: node capacity from a shell.

* ``kq describe-node FILE|-``: FILE holds a Node and pods (a ``List`` or
  several documents); prints the "Non-terminated Pods" and "Allocated
  resources" sections of ``kubectl describe node`` (``--node`` picks one node
  when there are several).
* ``kq fit (--pod POD_FILE | --cpu CPU --memory MEMORY) [--pods N] CLUSTER_FILE|-``:
  every node's verdict for the pod, and the FailedScheduling message when none
  fits. ``--cpu``/``--memory`` give the pod's requests, as ``GET /v1/fit?cpu=2&memory=3Gi``
  does; ``--pods N`` also asks whether N copies fit together.
* ``kq plan --workload WORKLOAD_FILE [--workload ...] CLUSTER_FILE|-``: where
  the replicas of every workload of every file go, in the order given.
* ``kq max-replicas (--pod POD_FILE | --cpu CPU --memory MEMORY) CLUSTER_FILE|-``:
  how many more copies fit.

CLUSTER_FILE holds nodes and pods as kubectl prints them (JSON or YAML), or
compact nodes (CSV with a ``name,cpu,memory,pods`` header). Instead of a file, every
command reads a live cluster once with ``--context NAME`` (or ``--kubeconfig PATH``), as
kube-capacity does (:mod:`quantities.cli.live`). ``-o json``,
``-o yaml`` and ``-o csv`` give the shapes of the HTTP API. CSV rows: fit, one
per node and plugin verdict; plan, one per workload and node it was placed on
(``--table nodes``: one per node); describe-node, one per resource;
max-replicas, one per node with its count and binding resource (text: the total).

Exit status: 0 yes (fits / all placed / at least one copy fits), 1 no, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

from quantities.cli.exits import EXIT_NO, EXIT_OK
from quantities.cli.inputs import InputError, read_input, reading, source_label
from quantities.cli.live import add_cluster_options, live_objects, wants_live
from quantities.cli.outputs import add_output_option, print_warnings, table_text, write_output

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.pod.workloads import Workload
    from quantities.scheduler.cluster import Cluster
    from quantities.scheduler.fit import FitResult
    from quantities.scheduler.framework.podinfo import PodInfo
    from quantities.scheduler.plan import PlanResult

__all__ = ["add_commands"]

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _objects(source: str) -> list[object]:
    from quantities.manifest.stream import iter_objects

    text = read_input(source)
    with reading(source):
        return list(iter_objects(text))


def _cluster(arguments: argparse.Namespace) -> Cluster:
    from quantities.scheduler.cluster import load_cluster

    if wants_live(arguments, arguments.cluster, "CLUSTER_FILE"):
        objects = live_objects(arguments)
        with reading("", label="the live cluster"):
            return load_cluster(objects)
    text = read_input(arguments.cluster)
    with reading(arguments.cluster):
        return load_cluster(text)


def _describe_node(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.node.allocated import node_allocated, node_and_pods

    live = wants_live(arguments, arguments.file, "FILE")
    objects = live_objects(arguments) if live else _objects(arguments.file)
    with reading(arguments.file or "", label="the live cluster" if live else None):
        node, pods = node_and_pods(objects, arguments.node, "with --node")
        allocation = node_allocated(node, pods)
    write_output(
        out,
        arguments.output,
        allocation.to_json,
        lambda: (allocation.CSV_HEADER, allocation.csv_rows()),
        allocation.describe,
    )
    print_warnings(allocation, err)
    return EXIT_OK


def _quantity_option(option: str, value: str) -> None:
    from quantities.quantity.quantity import parse_quantity

    with reading("", label=f"{option} {json.dumps(value, ensure_ascii=False)}"):
        parse_quantity(value)


def _the_pod(arguments: argparse.Namespace) -> PodInfo:
    """The pod of ``--pod FILE`` (one Pod, workload or compact workload), or of ``--cpu``/``--memory``."""
    from quantities.pod.workloads import compact_workload, single_pod
    from quantities.scheduler.framework.podinfo import pod_info

    given = arguments.cpu is not None or arguments.memory is not None
    if arguments.pod is not None and given:
        raise InputError(
            f"{arguments.command}: give the pod either with --pod FILE or with --cpu/--memory, not both"
        )
    if arguments.pod is not None:
        objects = _objects(arguments.pod)
        with reading(arguments.pod):
            return pod_info(single_pod(objects))
    if not given:
        raise InputError(
            f"{arguments.command}: which pod? give --pod FILE (a Pod or workload manifest) "
            "or its requests with --cpu and/or --memory (--cpu 2 --memory 3Gi)"
        )
    if arguments.cpu is not None:
        _quantity_option("--cpu", arguments.cpu)
    if arguments.memory is not None:
        _quantity_option("--memory", arguments.memory)
    # The pod of the HTTP form GET /v1/fit?cpu=2&memory=3Gi: one container with these requests.
    with reading("", label="the pod of --cpu/--memory"):
        pod = compact_workload({"name": "pod", "cpu": arguments.cpu, "memory": arguments.memory}).pod
        return pod_info(pod)


def _fit_text(result: FitResult, copies: tuple[int, int] | None) -> str:
    rows = [("NODE", "FITS", "REASONS", "RESOURCES (requested/free)")]
    for node in result.nodes:
        resources = ", ".join(
            f"{c.resource} {c.to_json()['requested']}/{c.to_json()['free']}" for c in node.resources
        )
        rows.append((node.name, "yes" if node.fits else "no", "; ".join(node.reasons) or "-", resources))
    summary = result.message if result.message else "fits: " + ", ".join(result.feasible)
    text = table_text(rows) + f"\n{summary}\n"
    if copies is not None:
        wanted, room = copies
        verdict = "fit" if room >= wanted else f"do not fit: room for {room}"
        text += f"{wanted} copies {verdict}\n"
    return text


def _fit(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.scheduler.fit import check_fit
    from quantities.scheduler.plan import max_replicas

    info = _the_pod(arguments)
    cluster = _cluster(arguments)
    result = check_fit(info, cluster.nodes, cluster.pods)
    copies = None
    if arguments.pods is not None:
        copies = (arguments.pods, max_replicas(info, cluster.nodes, cluster.pods))

    def data() -> dict[str, Any]:
        answer = result.to_json()
        if copies is not None:
            answer["copies"] = {"wanted": copies[0], "fit": copies[1]}
        return answer

    write_output(
        out,
        arguments.output,
        data,
        lambda: (result.CSV_HEADER, result.csv_rows()),
        lambda: _fit_text(result, copies),
    )
    print_warnings(result, err)
    yes = result.fits and (copies is None or copies[1] >= copies[0])
    return EXIT_OK if yes else EXIT_NO


def _workloads(sources: list[str]) -> list[Workload]:
    """Every workload of every file, in the order given; each pod checked before anything is planned."""
    from quantities.pod.workloads import workloads_in
    from quantities.scheduler.framework.podinfo import pod_info

    workloads = []
    for source in sources:
        objects = _objects(source)
        with reading(source):
            found = workloads_in([o for o in objects if isinstance(o, dict)])
            if not found:
                raise InputError(
                    f"{source_label(source)}: no workload found; expected a Pod, a workload "
                    "(Deployment, StatefulSet, DaemonSet, ReplicaSet, Job...) or a compact workload "
                    '({"name": "web", "replicas": 3, "cpu": "500m", "memory": "1Gi"})'
                )
            for workload in found:
                pod_info(workload.pod)
        workloads.extend(found)
    return workloads


def _plan_text(result: PlanResult) -> str:
    rows: list[tuple[str, ...]] = [("WORKLOAD", "REPLICAS", "PLACED", "PENDING", "PLACEMENTS")]
    for w in result.workloads:
        placements = ", ".join(f"{node}={count}" for node, count in w.placements.items()) or "-"
        rows.append((w.name, str(w.replicas), str(w.placed), str(w.pending), placements))
    text = table_text(rows)
    for w in result.workloads:
        for message in w.messages:
            text += f"\n{w.name}: {message}\n"
    text += "\n"
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
    return text + table_text(rows)


def _plan_csv(result: PlanResult, table: str) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    from quantities.scheduler.plan import NodeUsage, WorkloadPlan

    if table == "nodes":
        return NodeUsage.CSV_HEADER, [n.csv_row() for n in result.nodes]
    return WorkloadPlan.CSV_HEADER, [row for w in result.workloads for row in w.csv_rows()]


def _plan(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.scheduler.plan import plan

    workloads = _workloads(arguments.workload)
    cluster = _cluster(arguments)
    result = plan(workloads, cluster.nodes, cluster.pods)
    write_output(
        out,
        arguments.output,
        result.to_json,
        lambda: _plan_csv(result, arguments.table),
        lambda: _plan_text(result),
    )
    print_warnings(result, err)
    return EXIT_NO if any(w.pending > 0 for w in result.workloads) else EXIT_OK


def _max_replicas(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.headroom import max_replicas_detail

    info = _the_pod(arguments)
    cluster = _cluster(arguments)
    detail = max_replicas_detail(info, cluster.nodes, cluster.pods)
    write_output(
        out,
        arguments.output,
        detail.to_json,
        lambda: (detail.CSV_HEADER, detail.csv_rows()),
        lambda: f"{detail.total}\n",
    )
    print_warnings(cluster, err)
    return EXIT_OK if detail.total > 0 else EXIT_NO


def _whole_number(text: str) -> int:
    """A count given on the command line: a whole number, at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at least 1, got {json.dumps(text, ensure_ascii=False)}"
        )
    return int(text)


def _pod_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pod", metavar="POD_FILE", help="a Pod or workload manifest (one), or -")
    parser.add_argument("--cpu", metavar="CPU", help="instead of --pod: the pod's cpu request (500m, 2)")
    parser.add_argument("--memory", metavar="MEMORY", help="instead of --pod: the pod's memory request (3Gi)")


def _cluster_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "cluster",
        metavar="CLUSTER_FILE",
        nargs="?",
        help="nodes and pods as kubectl prints them (JSON/YAML), or compact nodes (CSV); - for stdin; "
        "or --context NAME instead",
    )
    add_cluster_options(parser)


def add_commands(subparsers: argparse._SubParsersAction[Any], registry: MutableMapping[str, Command]) -> None:
    """Register the node commands on ``kq``'s subparsers and in its command registry."""
    describe = subparsers.add_parser(
        "describe-node",
        help="kubectl describe node's Non-terminated Pods and Allocated resources",
        description="Print the Non-terminated Pods and Allocated resources sections of "
        "kubectl describe node.",
    )
    describe.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="a Node and pods (JSON or YAML), or - for stdin; or --context NAME",
    )
    add_cluster_options(describe)
    describe.add_argument("--node", help="the node to describe when FILE holds several")
    add_output_option(describe, "node,resource,requests,requests_percent,limits,limits_percent,allocatable")
    registry["describe-node"] = _describe_node

    fit = subparsers.add_parser(
        "fit",
        help="does a pod fit: kube-scheduler's filters on every node",
        description="Run kube-scheduler's filters for the pod on every node; exit 1 when no node fits.",
    )
    _pod_options(fit)
    fit.add_argument(
        "--pods",
        type=_whole_number,
        metavar="N",
        help="also ask whether N copies of the pod fit together (exit 1 when fewer do)",
    )
    _cluster_argument(fit)
    add_output_option(fit, "one row per node and plugin verdict (node,fits,plugin,reasons,...)")
    registry["fit"] = _fit

    plan = subparsers.add_parser(
        "plan",
        help="place the replicas of workloads as the scheduler would",
        description="Place the replicas of every workload, in the order given; "
        "exit 1 when some stay pending.",
    )
    plan.add_argument(
        "--workload",
        required=True,
        action="append",
        metavar="WORKLOAD_FILE",
        help="workload manifests or compact workloads; repeat for several files (planned in order)",
    )
    plan.add_argument(
        "--table",
        choices=("workloads", "nodes"),
        default="workloads",
        help="with -o csv: which table (default workloads)",
    )
    _cluster_argument(plan)
    add_output_option(plan, "one row per workload and node placed on (--table nodes: one per node)")
    registry["plan"] = _plan

    more = subparsers.add_parser(
        "max-replicas",
        help="how many more copies of a pod would fit",
        description="Count how many more copies of the pod the cluster accepts; exit 1 when none.",
    )
    _pod_options(more)
    _cluster_argument(more)
    add_output_option(more, "one per node (node,replicas,binding_resource,reason); text: the total")
    registry["max-replicas"] = _max_replicas
