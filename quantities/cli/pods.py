"""``kq qos`` and ``kq requests``: every pod in a file, as Kubernetes would see it.

``FILE`` is JSON or YAML (``-`` reads standard input): several documents,
``List`` objects (``kubectl get ... -o json``), Pods, bare PodSpecs and every
workload with a pod template. Objects of other kinds are skipped. Output is a
table (``-o text``), or ``-o json``/``yaml`` (a list with one report per pod: a JSON
array since the first release, so it has no object to carry ``kubernetes_version``),
or ``-o csv`` with the HTTP API's rows: for ``qos`` one row per pod
(``object,qos_class,reasons,to_guaranteed``, lists joined with ``; ``), for
``requests`` one row per pod and resource (``object,resource,requests,limits``).

Each pod is defaulted and validated as the API server would; if any pod is
invalid, every problem of every pod goes to standard error and the exit
status is 2 (nothing is printed on standard output).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from quantities.cli.exits import EXIT_OK
from quantities.cli.inputs import read_input, reading
from quantities.cli.outputs import add_output_option, write_output
from quantities.manifest.decode import load_documents
from quantities.options import Options
from quantities.pod.model import Pod
from quantities.present.pods import (
    QOS_CSV_HEADER,
    REQUESTS_CSV_HEADER,
    checked_pods,
    object_label,
    qos_csv_row,
    qos_report,
    requests_csv_rows,
    requests_report,
)

__all__ = ["add_commands"]

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _options(arguments: argparse.Namespace) -> Options:
    """The command's release options; ``--without-pod-level-resources`` is
    ``--feature-gates PodLevelResources=false`` (kept for the scripts that use it)."""
    options: Options = arguments.options
    if arguments.without_pod_level_resources:
        return options.with_gate("PodLevelResources", False)
    return options


def _checked_pods(source: str, options: Options) -> list[Pod]:
    """Every pod in ``source``, defaulted and validated; one error listing every problem otherwise."""
    text = read_input(source)
    with reading(source):
        return checked_pods(load_documents(text), "", options=options)


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, two spaces apart, no trailing blanks."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip() + "\n")
    return "".join(lines)


def _qos_text(pods: Sequence[Pod], reports: Sequence[dict[str, Any]]) -> str:
    rows: list[list[str]] = [["OBJECT", "QOS CLASS", "WHY"]]
    for pod, report in zip(pods, reports, strict=True):
        lines = report["reasons"] + [f"to be Guaranteed: {fix}" for fix in report["to_guaranteed"]]
        rows.append([object_label(pod), report["qos_class"], lines[0] if lines else ""])
        rows.extend(["", "", line] for line in lines[1:])
    return _table(rows)


def _qos(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    options = _options(arguments)
    pods = _checked_pods(arguments.file, options)
    reports = [qos_report(pod, options) for pod in pods]
    write_output(
        out,
        arguments.output,
        lambda: reports,
        lambda: (
            QOS_CSV_HEADER,
            [qos_csv_row(report, object_label(pod)) for pod, report in zip(pods, reports, strict=True)],
        ),
        lambda: _qos_text(pods, reports),
    )
    return EXIT_OK


def _requests_text(pods: Sequence[Pod], reports: Sequence[dict[str, Any]]) -> str:
    rows: list[list[str]] = [["OBJECT", "RESOURCE", "REQUESTS", "LIMITS"]]
    for pod, report in zip(pods, reports, strict=True):
        resource_rows = requests_csv_rows(report, object_label(pod))
        if not resource_rows:
            rows.append([object_label(pod), "<none>", "", ""])
        for position, (label, name, request, limit) in enumerate(resource_rows):
            rows.append([label if position == 0 else "", name, request or "<none>", limit or "<none>"])
        if "total" in report and report["replicas"] != 1:  # one replica: the total is the row above
            total = report["total"]
            label = f"  all {report['replicas']} replicas"
            for position, name in enumerate(sorted({*total["requests"], *total["limits"]})):
                request, limit = total["requests"].get(name), total["limits"].get(name)
                rows.append([label if position == 0 else "", name, request or "<none>", limit or "<none>"])
    return _table(rows)


def _requests(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    pods = _checked_pods(arguments.file, _options(arguments))
    reports = [requests_report(pod, arguments.exclude_overhead) for pod in pods]
    write_output(
        out,
        arguments.output,
        lambda: reports,
        lambda: (
            REQUESTS_CSV_HEADER,
            [
                row
                for pod, r in zip(pods, reports, strict=True)
                for row in requests_csv_rows(r, object_label(pod))
            ],
        ),
        lambda: _requests_text(pods, reports),
    )
    return EXIT_OK


def add_commands(subparsers: argparse._SubParsersAction[Any], registry: dict[str, Command]) -> None:
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
    add_output_option(qos, "object,qos_class,reasons,to_guaranteed, one row per pod (lists joined by ; )")
    add_output_option(requests, "object,resource,requests,limits, one row per pod and resource")
    for parser in (qos, requests):
        parser.add_argument("file", metavar="FILE", help="JSON or YAML manifests; - reads standard input")
        parser.add_argument(
            "--without-pod-level-resources",
            action="store_true",
            help="the same as --feature-gates PodLevelResources=false (the default before 1.34): "
            "spec.resources is dropped",
        )
    registry["qos"] = _qos
    registry["requests"] = _requests
