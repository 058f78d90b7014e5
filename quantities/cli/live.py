"""``--context NAME`` / ``--kubeconfig PATH``: read a live cluster once, as kube-capacity does.

Instead of a file of ``kubectl get`` output, the command lists the cluster's nodes, pods
(and ResourceQuotas, LimitRanges and DaemonSets, where the credentials allow) once through
the kubeconfig, without watching, keeping only the fields the computations read
(:mod:`quantities.live`). A cluster that cannot be read is an error naming why
(unreachable, credentials refused, RBAC denial with the permission missing).
"""

from __future__ import annotations

import argparse
from typing import Any

from quantities.cli.inputs import InputError

__all__ = ["add_cluster_options", "live_objects", "wants_live"]


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """``--context`` and ``--kubeconfig``, instead of the file argument."""
    group = parser.add_argument_group("a live cluster, instead of a file")
    group.add_argument(
        "--context",
        metavar="NAME",
        help="read the cluster of this kubeconfig context once (list, no watch) instead of a file",
    )
    group.add_argument(
        "--kubeconfig",
        metavar="PATH",
        help="the kubeconfig to read the cluster with (default: $KUBECONFIG, else ~/.kube/config)",
    )


def wants_live(arguments: argparse.Namespace, file: str | None, what: str) -> bool:
    """Whether to read the live cluster; InputError when both or neither a file and a cluster are given."""
    live = arguments.context is not None or arguments.kubeconfig is not None
    if live and file is not None:
        raise InputError(
            f"{arguments.command}: give either {what} or --context/--kubeconfig (a live cluster), not both"
        )
    if not live and file is None:
        raise InputError(
            f"{arguments.command}: which cluster? give {what} (- for standard input), "
            "or --context NAME to read a live cluster"
        )
    return live


def live_objects(arguments: argparse.Namespace) -> list[Any]:
    """The live cluster's objects, listed once (trimmed to what the computations read)."""
    from quantities.live.client import connect
    from quantities.live.errors import ClusterUnavailable
    from quantities.live.source import read_once

    try:
        client = connect("kubeconfig", context=arguments.context, kubeconfig=arguments.kubeconfig)
        try:
            snapshot = read_once(client)
        finally:
            client.close()
    except ClusterUnavailable as error:
        raise InputError(str(error)) from None
    return [dict(item) for item in snapshot.items]
