"""``kq nodes-needed``: how many new nodes of given templates make every replica schedulable.

``kq nodes-needed --workload web.yaml --node-template m5,1930m,6903Mi,29 -o json`` or
``--provider eks --instance-type m5.large`` answers ``new_nodes``, ``by_template``, the
plan over the existing (``CLUSTER_FILE``, optional) and new nodes in the shape of
``kq plan -o json``, the lower bound and its binding resource, cluster-autoscaler's
estimate, and how each figure was reached.

* ``--workload`` takes a file (manifests or compact workloads) or one compact workload
  ``name,replicas,cpu,memory[,cpu_limit[,memory_limit]]``; repeat it.
* ``--node-template NAME,CPU,MEMORY,PODS[,LABELS[,TAINTS]][,price=P]``: a new node's
  allocatable (as in the compact node form; labels ``k=v;k=v``, taints ``k=v:Effect;...``)
  and its price per node; repeat for several templates (with prices: the cheapest mix).
* ``--instance-type T[,price=P]`` with ``--provider eks`` (the default provider): the
  instance type's allocatable from ``kq allocatable``; repeatable.
* ``--daemonset F``: DaemonSets (or compact workloads) whose pod runs on every new node
  it may run on, placed first.

Exit status: 0 when every replica is placed, 1 when some cannot be (each such workload is
reported with the scheduler's message), 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

from quantities.cli.exits import EXIT_NO, EXIT_OK
from quantities.cli.inputs import InputError, read_input, reading, source_label
from quantities.cli.outputs import add_output_option, print_warnings, write_output

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.packing import Template
    from quantities.options import Options
    from quantities.pod.workloads import Workload

__all__ = ["add_commands"]

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _label(flag: str, text: str) -> str:
    return f"{flag} {json.dumps(text, ensure_ascii=False)}"


def _is_file(text: str) -> bool:
    return text == "-" or os.path.exists(text) or "," not in text


def _workloads(sources: list[str] | None, flag: str, options: Options) -> list[Workload]:
    """Every workload of every ``flag`` value: a file, or one compact workload written on the line."""
    import dataclasses

    from quantities.manifest.stream import iter_objects
    from quantities.pod.workloads import workload_from_fields, workloads_in
    from quantities.scheduler.framework.podinfo import pod_info

    found: list[Workload] = []
    for source in sources or ():
        if not _is_file(source):
            with reading(source, label=_label(flag, source)):
                workload = workload_from_fields(source, path="")
                pod_info(workload.pod, options=options)
            found.append(dataclasses.replace(workload, path=""))
            continue
        text = read_input(source)
        with reading(source):
            objects = [o for o in iter_objects(text) if isinstance(o, dict)]
            these = workloads_in(objects)
            if not these:
                raise InputError(
                    f"{source_label(source)}: no workload found; expected a Pod, a workload "
                    "(Deployment, StatefulSet, DaemonSet, ReplicaSet, Job...) or a compact workload "
                    '({"name": "web", "replicas": 3, "cpu": "500m", "memory": "1Gi"})'
                )
            for workload in these:
                pod_info(workload.pod, options=options)
        found.extend(these)
    return found


def _templates(arguments: argparse.Namespace, options: Options) -> list[Template]:
    from quantities.capacity.nodes_needed import instance_template, node_template
    from quantities.manifest.problems import ManifestError

    templates: list[Template] = []
    for text in arguments.node_template or ():
        with reading("", label=_label("--node-template", text)):
            templates.append(node_template(text, path=""))
    if arguments.provider is not None and not arguments.instance_type:
        raise InputError("nodes-needed: --provider needs --instance-type T (the instance type to add)")
    provider = arguments.provider or "eks"
    for text in arguments.instance_type or ():
        name, _, rest = text.partition(",")
        price = None
        if rest:
            if not rest.strip().startswith("price="):
                raise InputError(
                    f"{_label('--instance-type', text)}: expected TYPE or TYPE,price=P (m5.large,price=0.096)"
                )
            price = rest.strip()[len("price=") :]
        try:
            templates.append(instance_template(name.strip(), provider, price=price, path="", options=options))
        except ManifestError as error:
            lines = [f"{p.message}" + (f"; {p.hint}" if p.hint else "") for p in error.problems]
            raise InputError(f"{_label('--instance-type', text)}: " + "; ".join(lines)) from None
    if not templates:
        raise InputError(
            "nodes-needed: which nodes may be added? give --node-template NAME,CPU,MEMORY,PODS "
            "(allocatable: m5,1930m,6903Mi,29) or --provider eks --instance-type m5.large"
        )
    names = [template.name for template in templates]
    for position, name in enumerate(names):
        if name in names[:position]:
            raise InputError(f'nodes-needed: template "{name}" is given twice')
    priced = [template.price is not None for template in templates]
    if any(priced) and not all(priced):
        raise InputError(
            "nodes-needed: give a price for every template (price=P) or for none, to compare them"
        )
    return templates


def _nodes_needed(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.nodes_needed import nodes_needed
    from quantities.scheduler.cluster import load_cluster

    options: Options = arguments.options
    templates = _templates(arguments, options)
    workloads = _workloads(arguments.workload, "--workload", options)
    daemonsets = _workloads(arguments.daemonset, "--daemonset", options)
    nodes: list[Any] = []
    pods: list[Any] = []
    if arguments.cluster is not None:
        text = read_input(arguments.cluster)
        with reading(arguments.cluster):
            cluster = load_cluster(text, options=options)
        nodes, pods = list(cluster.nodes), list(cluster.pods)
    result = nodes_needed(workloads, templates, nodes, pods, daemonsets=daemonsets, options=options)
    write_output(
        out,
        arguments.output,
        result.to_json,
        lambda: (result.CSV_HEADER, result.csv_rows()),
        result.describe,
    )
    print_warnings(result, err)
    return EXIT_OK if result.placed_all else EXIT_NO


def add_commands(subparsers: argparse._SubParsersAction[Any], registry: MutableMapping[str, Command]) -> None:
    """Register ``kq nodes-needed`` on ``kq``'s subparsers and in its command registry."""
    parser = subparsers.add_parser(
        "nodes-needed",
        help="how many new nodes of given templates make every replica schedulable",
        description="Count the new nodes of the given templates that make every replica schedulable "
        "(the scheduler's filters, DaemonSet pods on every new node), never more than "
        "cluster-autoscaler's first-fit-decreasing estimate; with prices, the cheapest mix. "
        "Exit 1 when some replica cannot be placed.",
    )
    parser.add_argument(
        "--workload",
        required=True,
        action="append",
        metavar="WORKLOAD",
        help="a file of workload manifests or compact workloads, or one compact workload "
        "name,replicas,cpu,memory[,cpu_limit[,memory_limit]]; repeat for several",
    )
    parser.add_argument(
        "--node-template",
        action="append",
        metavar="NAME,CPU,MEMORY,PODS",
        help="a new node's allocatable: NAME,CPU,MEMORY,PODS[,LABELS[,TAINTS]][,price=P] (labels k=v;k=v, "
        "taints k=v:Effect;...; price per node); repeat for several templates",
    )
    parser.add_argument(
        "--provider", metavar="PROVIDER", help="with --instance-type: whose reservations apply (default eks)"
    )
    parser.add_argument(
        "--instance-type",
        action="append",
        metavar="TYPE[,price=P]",
        help="an EC2 instance type (m5.large) as a template, its allocatable as kq allocatable gives it; "
        "repeatable",
    )
    parser.add_argument(
        "--daemonset",
        action="append",
        metavar="FILE",
        help="DaemonSets (or compact workloads): one pod on every new node it may run on, placed first",
    )
    parser.add_argument(
        "cluster",
        nargs="?",
        metavar="CLUSTER_FILE",
        help="the existing nodes and pods (kubectl get nodes,pods -A -o json, or compact nodes); optional",
    )
    add_output_option(parser, "one row per template, then a total row")
    registry["nodes-needed"] = _nodes_needed
