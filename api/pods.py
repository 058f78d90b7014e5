"""``/v1/pods/*``: QoS classes and effective requests of the pods in Kubernetes objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request

from api.blueprint import ALSO_CSV, Blueprint
from api.bodies import documents
from api.negotiation import csv_response, json_response, wanted_format
from api.problems import Problem
from api.schemas import OBJECTS_BODY, PodsQuery, QosResponse, RequestsQuery, RequestsResponse
from api.work import options
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

blp = Blueprint("pods", __name__, url_prefix="/v1/pods", description="Pods: QoS class, requests and limits")

_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def _pods_of_body(pod_level_resources: bool) -> list[Any]:
    """The checked pods of the body, refused (413) past KQ_MAX_CONTAINERS containers.

    A pod costs tens of microseconds a container to read and check; the bound keeps one
    request far below the worker timeout (the API server itself refuses objects over 3 MiB).
    """
    objects = documents(request)
    limit = current_app.config["MAX_CONTAINERS"]
    counted, pending = 0, list(objects)
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in _CONTAINER_LISTS and isinstance(value, list):
                    counted += len(value)
                if isinstance(value, dict | list):
                    pending.append(value)
        elif isinstance(item, list):
            pending.extend(element for element in item if isinstance(element, dict | list))
        if counted > limit:
            raise Problem(413, f"more than {limit} containers in one request; split it")
    return checked_pods(objects, options=options(pod_level_resources=pod_level_resources))


def _reports(pods: list[Pod], report: Callable[[Pod], dict[str, Any]]) -> list[dict[str, Any]]:
    """One report per pod, within the request's deadline (a located 413 past it)."""
    work = options()
    reports = []
    for number, pod in enumerate(pods):
        if not number % 64:
            work.check_deadline("reports of the pods", number, len(pods))
        reports.append(report(pod))
    return reports


@blp.route("/qos", methods=["POST"])
@blp.arguments(PodsQuery(), location="query", as_kwargs=True)
@blp.response(200, QosResponse)
@blp.doc(requestBody=OBJECTS_BODY, **ALSO_CSV)
def post_qos(pod_level_resources: bool = True, **_: Any) -> Any:
    """The QoS class the API server gives each pod (status.qosClass), with the reasons and what
    would make it Guaranteed."""
    pods = _pods_of_body(pod_level_resources)
    work = options(pod_level_resources=pod_level_resources)
    reports = _reports(pods, lambda pod: qos_report(pod, work))
    if wanted_format(("json", "csv")) == "csv":
        rows = [qos_csv_row(report, object_label(pod)) for pod, report in zip(pods, reports, strict=True)]
        return csv_response(QOS_CSV_HEADER, [dict(zip(QOS_CSV_HEADER, row, strict=True)) for row in rows])
    return json_response({"objects": reports})


@blp.route("/requests", methods=["POST"])
@blp.arguments(RequestsQuery(), location="query", as_kwargs=True)
@blp.response(200, RequestsResponse)
@blp.doc(requestBody=OBJECTS_BODY, **ALSO_CSV)
def post_requests(pod_level_resources: bool = True, exclude_overhead: bool = False, **_: Any) -> Any:
    """Each pod's effective requests and limits, as the scheduler and kubelet add them up
    (init containers, sidecars, overhead, pod-level resources)."""
    pods = _pods_of_body(pod_level_resources)
    reports = _reports(pods, lambda pod: requests_report(pod, exclude_overhead))
    if wanted_format(("json", "csv")) == "csv":
        rows = [
            row
            for pod, r in zip(pods, reports, strict=True)
            for row in requests_csv_rows(r, object_label(pod))
        ]
        return csv_response(
            REQUESTS_CSV_HEADER, [dict(zip(REQUESTS_CSV_HEADER, row, strict=True)) for row in rows]
        )
    return json_response({"objects": reports})
