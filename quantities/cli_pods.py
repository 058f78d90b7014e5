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
from dataclasses import replace
from typing import Any, TextIO

from quantities.manifests import load_documents, pods_in
from quantities.pod import Pod
from quantities.problems import ManifestError, PodValidationError, Problem
from quantities.qos import explain_qos
from quantities.requests import compute_limits, compute_requests
from quantities.validation import valid_pod

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
    numbered = len(documents) > 1
    checked: list[Pod] = []
    problems: list[Problem] = []
    unreadable = False
    for number, document in enumerate(documents):
        try:
            pods = pods_in(document, document=number if numbered else None)
        except ManifestError as error:
            label = f"document {number + 1}" if numbered else ""
            problems.extend(replace(problem, source=label) for problem in error.problems)
            unreadable = True
            continue
        for pod in pods:
            try:
                checked.append(valid_pod(pod, pod_level_resources=pod_level_resources))
            except PodValidationError as error:
                problems.extend(error.problems)
    if problems:
        raise (ManifestError if unreadable else PodValidationError)(problems, where)
    if not checked:
        raise ManifestError([Problem("", "no Pod, PodSpec or object with a pod template found")], where)
    return checked


def _object(pod: Pod) -> str:
    name = f"{pod.kind}/{pod.name}" if pod.name else pod.kind
    if pod.namespace:
        name = f"{pod.namespace}/{name}"
    if pod.document is not None and not pod.name:
        name += f" (document {pod.document + 1})"
    return name


def _identity(pod: Pod) -> dict[str, Any]:
    return {
        "kind": pod.kind,
        "name": pod.name,
        "namespace": pod.namespace,
        "document": pod.document,
        "path": pod.path,
    }


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Columns padded to their widest cell, two spaces apart, no trailing blanks."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip(), file=out)


def _qos(arguments: argparse.Namespace, out: TextIO) -> int:
    pods = _checked_pods(arguments.file, not arguments.without_pod_level_resources)
    explanations = [(pod, explain_qos(pod)) for pod in pods]
    if arguments.output == "json":
        document = [
            {
                **_identity(pod),
                "qosClass": str(explanation.qos_class),
                "decidedBy": explanation.decided_by,
                "reasons": list(explanation.reasons),
                "toGuaranteed": list(explanation.to_guaranteed),
                "notes": list(explanation.notes),
            }
            for pod, explanation in explanations
        ]
        json.dump(document, out, indent=2)
        print(file=out)
        return 0
    rows: list[list[str]] = [["OBJECT", "QOS CLASS", "WHY"]]
    for pod, explanation in explanations:
        lines = list(explanation.reasons) + [f"to be Guaranteed: {fix}" for fix in explanation.to_guaranteed]
        rows.append([_object(pod), str(explanation.qos_class), lines[0] if lines else ""])
        rows.extend(["", "", line] for line in lines[1:])
    _table(rows, out)
    return 0


def _requests(arguments: argparse.Namespace, out: TextIO) -> int:
    pods = _checked_pods(arguments.file, not arguments.without_pod_level_resources)
    options = {"exclude_overhead": arguments.exclude_overhead}
    results = [(pod, compute_requests(pod, **options), compute_limits(pod, **options)) for pod in pods]
    if arguments.output == "json":
        document = [
            {
                **_identity(pod),
                "requests": {name: str(quantity) for name, quantity in requests.items()},
                "limits": {name: str(quantity) for name, quantity in limits.items()},
            }
            for pod, requests, limits in results
        ]
        json.dump(document, out, indent=2)
        print(file=out)
        return 0
    rows: list[list[str]] = [["OBJECT", "RESOURCE", "REQUESTS", "LIMITS"]]
    for pod, requests, limits in results:
        names = sorted({*requests, *limits})
        if not names:
            rows.append([_object(pod), "<none>", "", ""])
        for position, name in enumerate(names):
            request, limit = requests.get(name), limits.get(name)
            rows.append(
                [
                    _object(pod) if position == 0 else "",
                    name,
                    "<none>" if request is None else str(request),
                    "<none>" if limit is None else str(limit),
                ]
            )
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
