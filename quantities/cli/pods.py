"""``kq qos`` and ``kq requests``: every pod in a file, as Kubernetes would see it.

``FILE`` is JSON or YAML (``-`` reads standard input): several documents,
``List`` objects (``kubectl get ... -o json``), Pods, bare PodSpecs and every
workload with a pod template. Objects of other kinds are skipped. Output is a
table, or JSON with ``-o json``.

Each pod is defaulted and validated as the API server would; if any pod is
invalid, every problem of every pod goes to standard error and the exit
status is 2 (nothing is printed on standard output).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from quantities.manifest.decode import load_documents
from quantities.manifest.problems import ManifestError
from quantities.pod.model import Pod
from quantities.present.pods import checked_pods, object_label, qos_report, requests_csv_rows, requests_report

__all__ = ["add_commands"]

Command = Callable[[argparse.Namespace, TextIO], int]


def _read(source: str) -> tuple[str, str]:
    if source == "-":
        return sys.stdin.read(), "<stdin>"
    with open(source, encoding="utf-8") as stream:
        return stream.read(), source


def _checked_pods(source: str, pod_level_resources: bool = True) -> list[Pod]:
    """Every pod in ``source``, defaulted and validated; one error listing every problem otherwise."""
    text, where = _read(source)
    try:
        documents = load_documents(text)
    except ManifestError as error:
        raise ManifestError(error.problems, where) from None
    return checked_pods(documents, where, pod_level_resources)


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Columns padded to their widest cell, two spaces apart, no trailing blanks."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip(), file=out)


def _qos(arguments: argparse.Namespace, out: TextIO) -> int:
    pods = _checked_pods(arguments.file, not arguments.without_pod_level_resources)
    reports = [qos_report(pod) for pod in pods]
    if arguments.output == "json":
        json.dump(reports, out, indent=2)
        print(file=out)
        return 0
    rows: list[list[str]] = [["OBJECT", "QOS CLASS", "WHY"]]
    for pod, report in zip(pods, reports, strict=True):
        lines = report["reasons"] + [f"to be Guaranteed: {fix}" for fix in report["to_guaranteed"]]
        rows.append([object_label(pod), report["qos_class"], lines[0] if lines else ""])
        rows.extend(["", "", line] for line in lines[1:])
    _table(rows, out)
    return 0


def _requests(arguments: argparse.Namespace, out: TextIO) -> int:
    pods = _checked_pods(arguments.file, not arguments.without_pod_level_resources)
    reports = [requests_report(pod, arguments.exclude_overhead) for pod in pods]
    if arguments.output == "json":
        json.dump(reports, out, indent=2)
        print(file=out)
        return 0
    rows: list[list[str]] = [["OBJECT", "RESOURCE", "REQUESTS", "LIMITS"]]
    for pod, report in zip(pods, reports, strict=True):
        resource_rows = requests_csv_rows(report, object_label(pod))
        if not resource_rows:
            rows.append([object_label(pod), "<none>", "", ""])
        for position, (label, name, request, limit) in enumerate(resource_rows):
            rows.append([label if position == 0 else "", name, request or "<none>", limit or "<none>"])
    _table(rows, out)
    return 0


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], registry: dict[str, Command]
) -> None:
    """Register ``qos`` and ``requests`` with ``kq``'s argument parser and command table."""
    qos = subparsers.add_parser(
        "qos",
        help="QoS class of every pod in a file, with the reasons",
        description="Print the QoS class the API server gives each pod (status.qosClass), and why.",
    )
    requests = subparsers.add_parser(
        "requests",
        help="effective requests and limits of every pod in a file",
        description="Print each pod's effective requests and limits (PodRequests/PodLimits).",
    )
    requests.add_argument(
        "--exclude-overhead", action="store_true", help="leave spec.overhead out of the sums"
    )
    for parser in (qos, requests):
        parser.add_argument("file", metavar="FILE", help="JSON or YAML manifests; - reads standard input")
        parser.add_argument(
            "-o",
            "--output",
            choices=("table", "json"),
            default="table",
            help="output format (default: table)",
        )
        parser.add_argument(
            "--without-pod-level-resources",
            action="store_true",
            help="as a cluster with the PodLevelResources gate off (the default before v1.34): "
            "spec.resources is dropped",
        )
    registry["qos"] = _qos
    registry["requests"] = _requests
