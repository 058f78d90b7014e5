"""What ``kq qos``/``kq requests`` and ``POST /v1/pods/*`` answer: one report per pod.

Both the command line and the HTTP service read pods with :func:`checked_pods`
and describe each with :func:`qos_report` or :func:`requests_report`, so their
JSON is the same document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from quantities.manifest.problems import ManifestError, PodValidationError, Problem
from quantities.options import Options
from quantities.pod.model import Pod
from quantities.pod.qos import explain_qos
from quantities.pod.read import pods_in
from quantities.pod.requests import compute_limits, compute_requests
from quantities.pod.validation import valid_pod

__all__ = [
    "QOS_CSV_HEADER",
    "REQUESTS_CSV_HEADER",
    "checked_pods",
    "object_label",
    "qos_csv_row",
    "qos_report",
    "requests_csv_rows",
    "requests_report",
]

QOS_CSV_HEADER = ("object", "qos_class", "reasons", "to_guaranteed")
REQUESTS_CSV_HEADER = ("object", "resource", "requests", "limits")


def checked_pods(
    documents: Sequence[Any],
    source: str = "",
    pod_level_resources: bool = True,
    *,
    options: Options | None = None,
) -> list[Pod]:
    """Every pod in the decoded documents, defaulted and validated.

    Raises one ManifestError (or PodValidationError) listing every problem of
    every pod, never only the first. ``options``, when given, sets the
    ``PodLevelResources`` gate in place of ``pod_level_resources``, and its deadline
    bounds the work (:class:`~quantities.options.WorkLimitExceeded` past it).
    """
    if options is not None:
        pod_level_resources = options.pod_level_resources
    numbered = len(documents) > 1
    checked: list[Pod] = []
    problems: list[Problem] = []
    unreadable = False
    for number, document in enumerate(documents):
        if options is not None:
            options.check_deadline("reading the pods", number, len(documents))
        try:
            pods = pods_in(document, document=number if numbered else None)
        except ManifestError as error:
            label = f"document {number + 1}" if numbered else ""
            problems.extend(replace(problem, source=label) for problem in error.problems)
            unreadable = True
            continue
        for position, pod in enumerate(pods):
            if options is not None and not position % 64:
                options.check_deadline("checking the pods", len(checked))
            try:
                checked.append(valid_pod(pod, pod_level_resources=pod_level_resources))
            except PodValidationError as error:
                problems.extend(error.problems)
    if problems:
        raise (ManifestError if unreadable else PodValidationError)(problems, source)
    if not checked:
        raise ManifestError([Problem("", "no Pod, PodSpec or object with a pod template found")], source)
    return checked


def object_label(pod: Pod) -> str:
    """``namespace/Kind/name``, as a person would refer to the object."""
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


def qos_report(pod: Pod, options: Options | None = None) -> dict[str, Any]:
    """Which pod, then its QoS class with the reasons, what would make it Guaranteed, and notes.

    The class and reasons are :meth:`~quantities.pod.qos.QoSExplanation.to_json`, for the release
    of ``options`` (its ``kubernetes_version`` field says which).
    """
    return {**_identity(pod), **explain_qos(pod, options=options).to_json()}


def qos_csv_row(report: dict[str, Any], label: str) -> tuple[str, str, str, str]:
    """The CSV row of a :func:`qos_report`: object, class, reasons and changes, each joined by "; "."""
    return (label, report["qos_class"], "; ".join(report["reasons"]), "; ".join(report["to_guaranteed"]))


def requests_report(pod: Pod, exclude_overhead: bool = False) -> dict[str, Any]:
    """The pod's effective requests and limits (PodRequests/PodLimits), as canonical strings."""
    try:
        requests = compute_requests(pod, exclude_overhead=exclude_overhead)
        limits = compute_limits(pod, exclude_overhead=exclude_overhead)
    except OverflowError as error:
        # Exact sums have a digit bound (quantity.MAX_DIGITS): name the pod whose sum crossed it.
        raise PodValidationError(
            [Problem(pod.path, f"its requests or limits cannot be added up: {error}", source=pod.label)]
        ) from None
    report = {
        **_identity(pod),
        "requests": {name: str(quantity) for name, quantity in requests.items()},
        "limits": {name: str(quantity) for name, quantity in limits.items()},
    }
    if pod.replicas is not None:
        # What the whole workload asks the scheduler for: every replica's requests and limits.
        report["replicas"] = pod.replicas
        report["total"] = {
            "requests": {name: str(quantity * pod.replicas) for name, quantity in requests.items()},
            "limits": {name: str(quantity * pod.replicas) for name, quantity in limits.items()},
        }
    return report


def requests_csv_rows(report: dict[str, Any], label: str) -> list[tuple[str, str, str, str]]:
    """One row per resource: object, resource, requests, limits (empty when unset)."""
    requests, limits = report["requests"], report["limits"]
    return [
        (label, name, requests.get(name, ""), limits.get(name, "")) for name in sorted({*requests, *limits})
    ]
