"""``kq quota`` and ``kq rollout``: does a workload fit its namespace's quotas, and its rollout's peak.

* ``kq quota --workload FILE --namespace-state FILE [CLUSTER_FILE] [--nodes N]``: the namespace
  state is what ``kubectl get resourcequota,limitrange -o json`` prints. Each replica goes
  through LimitRanger and ResourceQuota admission as the API server would; the answer (``-o json``)
  is ``{"fits", "rollout_fits", "peak_pods", "max_replicas", "message", ...}`` with the API
  server's refusal text for the first refused pod. With CLUSTER_FILE, the rollout's peak must
  also fit the nodes. Exit 1 when some replica is refused (``fits`` is false).
* ``kq rollout --workload FILE [CLUSTER_FILE] [--nodes N]``: the peak pod count of a
  Deployment's, StatefulSet's or DaemonSet's rollout and, with CLUSTER_FILE, whether the peak
  fits the nodes (exit 1 when it does not).

``--nodes N`` is a DaemonSet's number of eligible nodes when no cluster is given.
``--kubernetes-version`` and ``--feature-gates`` choose the release the answer is for.
CSV: one row per workload.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

from quantities.cli.exits import EXIT_NO, EXIT_OK
from quantities.cli.inputs import read_input, reading
from quantities.cli.outputs import add_output_option, write_output

__all__ = ["add_commands"]

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _objects(source: str) -> list[object]:
    """The documents of a file, ``List`` objects kept whole so that problems name ``items[i]``."""
    from quantities.manifest.decode import load_documents

    text = read_input(source)
    with reading(source):
        return load_documents(text)


def _cluster(arguments: argparse.Namespace) -> tuple[Any, Any]:
    if arguments.cluster is None:
        return None, ()
    from quantities.scheduler.cluster import load_cluster

    text = read_input(arguments.cluster)
    with reading(arguments.cluster):
        cluster = load_cluster(text)
    return cluster.nodes, cluster.pods


def _quota(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.quota import QuotaAnswer, quota_check, read_namespace_state

    options = arguments.options
    workload = _objects(arguments.workload)
    state_objects = _objects(arguments.namespace_state)
    with reading(arguments.namespace_state):
        state = read_namespace_state(state_objects)
    nodes, pods = _cluster(arguments)
    with reading(arguments.workload):
        answer = quota_check(workload, state, nodes, pods, eligible_nodes=arguments.nodes, options=options)
    write_output(
        out,
        arguments.output,
        answer.to_json,
        lambda: (QuotaAnswer.CSV_HEADER, [answer.csv_row()]),
        lambda: answer.text() + "\n",
    )
    return EXIT_OK if answer.fits else EXIT_NO


def _rollout(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.rollout import Rollout, rollout

    options = arguments.options
    workload = _objects(arguments.workload)
    nodes, pods = _cluster(arguments)
    with reading(arguments.workload):
        result = rollout(workload, nodes, pods, eligible_nodes=arguments.nodes, options=options)
    write_output(
        out,
        arguments.output,
        result.to_json,
        lambda: (Rollout.CSV_HEADER, [result.csv_row()]),
        lambda: result.text() + "\n",
    )
    return EXIT_NO if result.fits_nodes is False else EXIT_OK


def _count(text: str) -> int:
    """A number of nodes: a whole number, 0 or more."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(
            f"expected a whole number of nodes, got {json.dumps(text, ensure_ascii=False)}"
        )
    return int(text)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workload",
        required=True,
        metavar="WORKLOAD_FILE",
        help="one Deployment, StatefulSet, DaemonSet (or other workload) manifest, or a compact workload",
    )
    parser.add_argument(
        "cluster",
        nargs="?",
        metavar="CLUSTER_FILE",
        help="nodes and pods as kubectl prints them: also check that the rollout's peak fits the nodes",
    )
    parser.add_argument(
        "--nodes",
        type=_count,
        metavar="N",
        help="a DaemonSet's eligible nodes, when no CLUSTER_FILE is given",
    )


def add_commands(subparsers: argparse._SubParsersAction[Any], registry: MutableMapping[str, Command]) -> None:
    """Register ``quota`` and ``rollout`` on ``kq``'s subparsers and in its command registry."""
    quota = subparsers.add_parser(
        "quota",
        help="do a workload's replicas and its rollout fit the namespace's quotas",
        description="Admit each replica of the workload through LimitRanger and ResourceQuota as the "
        "API server would; exit 1 when some replica is refused.",
    )
    quota.add_argument(
        "--namespace-state",
        required=True,
        metavar="STATE_FILE",
        help="the namespace's ResourceQuota and LimitRange objects "
        "(kubectl get resourcequota,limitrange -o json), or -",
    )
    _common(quota)
    add_output_option(
        quota, "workload,namespace,replicas,peak_pods,max_replicas,admitted,fits,rollout_fits,message"
    )
    registry["quota"] = _quota

    roll = subparsers.add_parser(
        "rollout",
        help="the peak pod count of a rollout, and whether it fits the nodes",
        description="The most pods a Deployment, StatefulSet or DaemonSet runs during a rollout; with "
        "CLUSTER_FILE, exit 1 when that peak does not fit the nodes.",
    )
    _common(roll)
    add_output_option(roll, "workload,kind,strategy,replicas,max_surge,max_unavailable,peak_pods,placed,...")
    registry["rollout"] = _rollout
