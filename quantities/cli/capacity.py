"""``kq capacity``, ``kq stranded`` and ``kq what-if``: the cluster's headroom from a shell.

* ``kq capacity CLUSTER_FILE|- [-l SELECTOR] [--group-by LABEL] [--include-unschedulable]``:
  kube-capacity's table, per node and in total: allocatable, requests and limits (what
  ``kubectl describe node`` counts), percentages, free = allocatable − requests, pods used/max.
  Cordoned and NoSchedule/NoExecute-tainted nodes are marked and left out of the total free
  unless ``--include-unschedulable``.
* ``kq stranded (--pod POD_FILE | --cpu CPU --memory MEMORY) CLUSTER_FILE|-``: per node, how
  many more of the pod fit, the resource that runs out first, and what stays free that no
  further pod of this shape can use.
* ``kq what-if (--drain NODE ... | --lose-largest N | --lose-zone ZONE) CLUSTER_FILE|-``: take the
  nodes out and reschedule what their pods' owners recreate; exit 1 when some pod does not
  reschedule (the scheduler's message says why).

CSV rows: capacity, one per node (or group, or the total) and resource, pods included;
stranded, one per node and resource; what-if, one per pod of the nodes that go.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

from quantities.cli.exits import EXIT_NO, EXIT_OK
from quantities.cli.inputs import read_input, reading, source_label
from quantities.cli.outputs import add_output_option, print_warnings, write_output

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.options import Options
    from quantities.scheduler.cluster import Cluster

__all__ = ["add_commands", "version_options"]

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def version_options(parser: argparse.ArgumentParser) -> None:
    """``--kubernetes-version`` and ``--feature-gates``, unless the parser has them already."""
    if "--kubernetes-version" not in parser._option_string_actions:
        parser.add_argument(
            "--kubernetes-version",
            metavar="V",
            help="the Kubernetes release to answer for (1.28 to 1.36; default KQ_KUBERNETES_VERSION or 1.36)",
        )
    if "--feature-gates" not in parser._option_string_actions:
        parser.add_argument(
            "--feature-gates", metavar="GATES", help="feature gates as the kubelet reads them: A=true,B=false"
        )


def command_options(arguments: argparse.Namespace) -> Options:
    """The library options of ``--kubernetes-version`` and ``--feature-gates``."""
    from quantities.options import Options

    version = getattr(arguments, "kubernetes_version", None)
    gates = getattr(arguments, "feature_gates", None)
    with reading("", label="--kubernetes-version/--feature-gates"):
        return Options.of(version, gates)


def _cluster(arguments: argparse.Namespace, options: Options) -> Cluster:
    from quantities.cli.live import live_objects, wants_live
    from quantities.scheduler.cluster import load_cluster

    source = arguments.cluster
    if wants_live(arguments, source, "CLUSTER_FILE"):
        objects = live_objects(arguments)
        with reading("", label="the live cluster"):
            return load_cluster(objects, keep_raw_pods=True, options=options)
    text = read_input(source)
    with reading(source):
        return load_cluster(text, keep_raw_pods=True, options=options)


def _capacity(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.overview import capacity_overview
    from quantities.capacity.selector import parse_label_selector

    options = command_options(arguments)
    if arguments.selector:
        with reading("", label=f"--selector {json.dumps(arguments.selector, ensure_ascii=False)}"):
            parse_label_selector(arguments.selector, path="")
    cluster = _cluster(arguments, options)
    with reading(arguments.cluster):
        overview = capacity_overview(
            cluster.nodes,
            cluster.raw_pods,
            selector=arguments.selector,
            group_by=arguments.group_by,
            include_unschedulable=arguments.include_unschedulable,
            options=options,
        )
    write_output(
        out,
        arguments.output,
        overview.to_json,
        lambda: (overview.CSV_HEADER, overview.csv_rows()),
        overview.text,
    )
    print_warnings(overview, err)
    return EXIT_OK


def _stranded(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.headroom import max_replicas_detail, stranded_capacity
    from quantities.cli.nodes import _the_pod

    options = command_options(arguments)
    info = _the_pod(arguments)
    cluster = _cluster(arguments, options)
    with reading(arguments.cluster):
        result = stranded_capacity(max_replicas_detail(info, cluster.nodes, cluster.pods, options=options))
    write_output(
        out,
        arguments.output,
        result.to_json,
        lambda: (result.CSV_HEADER, result.csv_rows()),
        result.text,
    )
    print_warnings(cluster, err)
    return EXIT_OK


def _what_if(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.whatif import what_if

    options = command_options(arguments)
    cluster = _cluster(arguments, options)
    # What can go wrong now is the scenario: a node or zone the file does not have.
    with reading("", label=f"the scenario for the nodes of {source_label(arguments.cluster)}"):
        result = what_if(
            cluster.nodes,
            list(zip(cluster.pods, cluster.raw_pods, strict=True)),
            drain=arguments.drain or (),
            lose_largest=arguments.lose_largest or 0,
            lose_zone=arguments.lose_zone,
            options=options,
        )
    write_output(
        out,
        arguments.output,
        result.to_json,
        lambda: (result.CSV_HEADER, result.csv_rows()),
        result.text,
    )
    print_warnings(result, err)
    return EXIT_OK if result.all_rescheduled else EXIT_NO


def _count(text: str) -> int:
    """A count given on the command line: a whole number, at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at least 1, got {json.dumps(text, ensure_ascii=False)}"
        )
    return int(text)


def add_commands(subparsers: argparse._SubParsersAction[Any], registry: MutableMapping[str, Command]) -> None:
    """Register the capacity commands on ``kq``'s subparsers and in its command registry."""
    from quantities.cli.nodes import _cluster_argument, _pod_options

    capacity = subparsers.add_parser(
        "capacity",
        help="kube-capacity's table: allocatable, requests, limits, free and pods per node and in total",
        description="Per node and in total: allocatable, the requests and limits kubectl describe node "
        "counts, their percentages, free = allocatable - requests, and pods used/max. Cordoned and "
        "NoSchedule/NoExecute-tainted nodes are marked and left out of the total free.",
    )
    capacity.add_argument(
        "-l", "--selector", metavar="SELECTOR", help="only nodes whose labels match (pool=web,zone in (a,b))"
    )
    capacity.add_argument(
        "--group-by", metavar="LABEL", help="one total per value of this label (topology.kubernetes.io/zone)"
    )
    capacity.add_argument(
        "--include-unschedulable",
        action="store_true",
        help="count cordoned and tainted nodes in the total free too",
    )
    version_options(capacity)
    _cluster_argument(capacity)
    add_output_option(capacity, "one per node (or group, or the total) and resource, pods included")
    registry["capacity"] = _capacity

    stranded = subparsers.add_parser(
        "stranded",
        help="free capacity that no more pods of a shape can use, per node and resource",
        description="Per node: how many more of the pod fit, the resource that runs out first, and what "
        "stays free that no further pod of this shape can use.",
    )
    _pod_options(stranded)
    version_options(stranded)
    _cluster_argument(stranded)
    add_output_option(stranded, "one per node and resource (node,replicas,binding_resource,resource,...)")
    registry["stranded"] = _stranded

    what = subparsers.add_parser(
        "what-if",
        help="drain a node, lose the largest nodes or a zone: does every pod reschedule?",
        description="Take nodes out and reschedule what their pods' controllers recreate; exit 1 when "
        "some pod does not reschedule.",
    )
    scenario = what.add_mutually_exclusive_group(required=True)
    scenario.add_argument("--drain", action="append", metavar="NODE", help="a node to drain (repeatable)")
    scenario.add_argument("--lose-largest", type=_count, metavar="N", help="lose the N largest nodes")
    scenario.add_argument(
        "--lose-zone", metavar="ZONE", help="lose the nodes labelled topology.kubernetes.io/zone=ZONE"
    )
    version_options(what)
    _cluster_argument(what)
    add_output_option(what, "one per pod of the nodes that go (pod,owner,from_node,outcome,node,message)")
    registry["what-if"] = _what_if
