"""``/v1/nodes/allocated``, ``/v1/fit`` and ``/v1/plan``: what a node has left, whether a pod fits,
and where the replicas of workloads would go.

Every library call gets the request's options (:func:`_work`): its deadline, so that work
past ``REQUEST_SECONDS`` is a 413 saying where it stopped, and ``MAX_REPLICAS``, the most
replicas one workload of a plan may ask for (a located 413 above it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from flask import request

from api.blueprint import ALSO_TEXT_AND_CSV, Blueprint
from api.bodies import body_text, documents
from api.negotiation import csv_response, json_response, text_response, wanted_format
from api.problems import Problem
from api.schemas import (
    CLUSTER_BODY,
    FIT_BODY,
    PLAN_BODY,
    AllocatedGetQuery,
    AllocatedQuery,
    AllocatedResponse,
    FitPostQuery,
    FitQuery,
    FitResponse,
    PlanQuery,
    PlanResponse,
    PlanTableQuery,
)
from api.work import options, use_body_release
from quantities.manifest.compact import read_csv_table, read_pod_requests
from quantities.manifest.problems import ManifestError
from quantities.manifest.problems import Problem as ManifestProblem
from quantities.manifest.problems import index as path_index
from quantities.node.allocated import NodeAllocation, node_allocated, node_and_pods
from quantities.node.compact import allocation_from_fields, node_from_fields, plan_table
from quantities.options import Options
from quantities.pod.workloads import (
    Workload,
    is_compact,
    single_workload,
    workload_from_fields,
    workload_from_row,
    workloads_in,
)
from quantities.scheduler.cluster import Cluster
from quantities.scheduler.fit import FitResult, check_fit
from quantities.scheduler.plan import NodeUsage, PlanResult, TooManyPods, WorkloadPlan, plan

blp = Blueprint("nodes", __name__, url_prefix="/v1", description="Nodes: allocation, fit and capacity plans")

T = TypeVar("T")


def _parameters(name: str, texts: list[str], read: Callable[[str, str], T]) -> list[T]:
    """Every repeated GET parameter ``name`` read; the problems of all of them at ``name[i].field``."""
    results: list[T] = []
    problems: list[ManifestProblem] = []
    for position, text in enumerate(texts):
        try:
            results.append(read(text, path_index(name, position)))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return results


def _all(*reads: Callable[[], Any]) -> list[Any]:
    """Each read's result; the problems of all of them in one ManifestError."""
    results: list[Any] = []
    problems: list[ManifestProblem] = []
    for read in reads:
        try:
            results.append(read())
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return results


def _work() -> Options:
    """The library options of this request: its deadline and the configured caps."""
    return options()


def _library(call: Callable[[], T]) -> T:
    # The library says ValueError for input it cannot use (a node without a name, two nodes
    # where one was expected): the client's mistake, 422, with the library's explanation.
    try:
        return call()
    except TooManyPods as error:
        # A cap on what was asked for, not on the work: located at the count that is too large.
        raise Problem(413, str(error), [{"path": error.where, "message": str(error)}]) from None
    except ValueError as error:
        if type(error) is not ValueError:
            raise  # QuantityError and ManifestError have their own handlers
        raise Problem(422, str(error)) from None


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> Any:
    return csv_response(headers, [dict(zip(headers, row, strict=True)) for row in rows])


def _fit_answer(result: FitResult) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    if chosen == "csv":
        return _table(result.CSV_HEADER, result.csv_rows())
    if chosen == "text":
        return text_response(result.message or "fits: " + ", ".join(result.feasible))
    return json_response(result.to_json())


def _plan_answer(result: PlanResult) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    if chosen == "csv" and request.args.get("table") == "nodes":
        return _table(NodeUsage.CSV_HEADER, [node.csv_row() for node in result.nodes])
    if chosen == "csv":
        return _table(WorkloadPlan.CSV_HEADER, [row for w in result.workloads for row in w.csv_rows()])
    if chosen == "text":
        return text_response(
            f"{w.name}: {w.placed}/{w.replicas} placed" + (f"; {w.message}" if w.message else "")
            for w in result.workloads
        )
    return json_response(result.to_json())


def _cluster(body: dict[str, Any], work: Options) -> tuple[list[Any], list[Any]]:
    if "cluster" in body:
        # Both forms at once would silently drop one of them.
        if both := [key for key in ("nodes", "pods") if key in body]:
            raise Problem(
                422,
                "give the cluster as `cluster` or as `nodes` and `pods`, not both",
                [{"path": key, "message": "not taken with `cluster`"} for key in both],
            )
        given = body["cluster"]
        if isinstance(given, list):
            cluster = _located_cluster([(f"cluster[{i}]", obj) for i, obj in enumerate(given)], work)
        else:
            cluster = _located_cluster([("cluster", given)], work)
        return list(cluster.nodes), list(cluster.pods)
    nodes = body.get("nodes")
    if not isinstance(nodes, list):
        raise Problem(
            422,
            "give the nodes as `cluster` or as a `nodes` list",
            [{"path": "nodes", "message": "missing or not a list"}],
        )
    pods = body.get("pods") or []
    if not isinstance(pods, list):
        raise Problem(422, "`pods` must be a list", [{"path": "pods", "message": "not a list"}])
    cluster = _located_cluster(
        [(f"nodes[{i}]", obj) for i, obj in enumerate(nodes)]
        + [(f"pods[{i}]", obj) for i, obj in enumerate(pods)],
        work,
    )
    if cluster.others:
        paths = [f"nodes[{i}]" for i, n in enumerate(nodes) if any(n is other for other in cluster.others)]
        raise Problem(
            422,
            "not a Node nor a compact node (a compact node needs a name)",
            [{"path": path, "message": "not a Node"} for path in paths or ["pods"]],
        )
    return list(cluster.nodes), list(cluster.pods)


def _located_cluster(objects: list[tuple[str, Any]], work: Options) -> Cluster:
    # Each object is read where the body holds it, so problems name "nodes[1].status...".
    cluster = Cluster(options=work)
    problems: list[ManifestProblem] = []
    for position, (path, obj) in enumerate(objects):
        if not position % 64:
            work.check_deadline("reading the cluster", position, len(objects))
        try:
            cluster.add(obj, path=path)
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return cluster


def _one_body() -> dict[str, Any]:
    """The one JSON or YAML object of a fit or plan body; its ``kubernetes_version`` and
    ``feature_gates`` (or the query's) choose the release for the rest of the request."""
    objects = documents(request)
    if len(objects) != 1 or not isinstance(objects[0], dict):
        raise Problem(422, "the body must be one object")
    body = objects[0]
    use_body_release(body.get("kubernetes_version"), body.get("feature_gates"))
    return body


def _allocation_answer(allocation: NodeAllocation) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    if chosen == "csv":
        return _table(allocation.CSV_HEADER, allocation.csv_rows())
    if chosen == "text":
        return text_response(allocation.describe().rstrip("\n"))
    return json_response(allocation.to_json())


@blp.route("/nodes/allocated", methods=["POST"])
@blp.arguments(AllocatedQuery(), location="query", as_kwargs=True)
@blp.response(200, AllocatedResponse)
@blp.doc(requestBody=CLUSTER_BODY, **ALSO_TEXT_AND_CSV)
def post_allocated(node: str | None = None, **_: Any) -> Any:
    """The "Non-terminated Pods" and "Allocated resources" of `kubectl describe node`, figure for figure
    (as text: kubectl's own layout)."""
    work = _work()
    chosen_node, pods = _library(
        lambda: node_and_pods(documents(request), node, "with ?node=NAME", options=work)
    )
    return _allocation_answer(_library(lambda: node_allocated(chosen_node, pods, options=work)))


@blp.route("/nodes/allocated", methods=["GET"])
@blp.arguments(AllocatedGetQuery(), location="query", as_kwargs=True)
@blp.response(200, AllocatedResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_allocated(node: str, pod: list[str] | None = None, **_: Any) -> Any:
    """What a node `node=name,cpu,memory,pods` has allocated to its pods, with kubectl's percentages.

    Repeat `pod=name,cpu,memory[,cpu_limit[,memory_limit]]` for each pod."""
    return _allocation_answer(_library(lambda: allocation_from_fields(node, pod or [], options=options())))


@blp.route("/fit", methods=["POST"])
@blp.arguments(FitPostQuery(), location="query", as_kwargs=True)
@blp.response(200, FitResponse)
@blp.doc(requestBody=FIT_BODY, **ALSO_TEXT_AND_CSV)
def post_fit(**_: Any) -> Any:
    """Whether the pod fits each node, with kube-scheduler's reasons and FailedScheduling message."""
    body = _one_body()
    if "pod" not in body:
        raise Problem(422, "the body has no `pod`", [{"path": "pod", "message": "missing"}])
    given = body["pod"]
    # A compact pod ({"cpu": "2"}) needs no name here: there is only one.
    if isinstance(given, dict) and is_compact(given):
        given = {"name": "pod", **given}
    pod = _library(lambda: single_workload(given, path="pod"))
    work = _work()
    nodes, pods = _library(lambda: _cluster(body, work))
    return _fit_answer(_library(lambda: check_fit(pod, nodes, pods, options=work)))


@blp.route("/fit", methods=["GET"])
@blp.arguments(FitQuery(), location="query", as_kwargs=True)
@blp.response(200, FitResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_fit(node: list[str], cpu: str | None = None, memory: str | None = None, **_: Any) -> Any:
    """Fit of a pod given by `cpu`/`memory` against nodes given as `node=name,cpu,memory,pods`
    (for Google Sheets' IMPORTDATA and Excel's WEBSERVICE)."""
    pod, nodes = _all(
        lambda: dict(workload_from_row(read_pod_requests(cpu, memory)).pod),
        lambda: _parameters("node", node, node_from_fields),
    )
    return _fit_answer(_library(lambda: check_fit(pod, nodes, [], options=_work())))


@blp.route("/plan", methods=["POST"])
@blp.arguments(PlanTableQuery(), location="query", as_kwargs=True)
@blp.response(200, PlanResponse)
@blp.doc(requestBody=PLAN_BODY, **ALSO_TEXT_AND_CSV)
def post_plan(**_: Any) -> Any:
    """Place the replicas of each workload as the default scheduler would; per workload where they go
    and the FailedScheduling message for the rest, per node the resulting allocation."""
    if request.mimetype == "text/csv":
        work = _work()  # a CSV table has no place for the release: the query's, or the default
        text = body_text(request.get_data(cache=True))
        rows = read_csv_table(text, "kind,name,replicas,cpu,memory,pods", options=work)
        workloads, table_nodes = plan_table(rows)
        nodes: list[Any] = list(table_nodes)
        pods: list[Any] = []
        if not workloads or not nodes:
            missing = "rows with kind=Node (the nodes)" if not nodes else "workload rows (kind empty)"
            raise ManifestError([ManifestProblem("rows", f"the CSV table has no {missing}: it needs both")])
    else:
        body = _one_body()
        work = _work()
        given = body.get("workloads")
        if not isinstance(given, list) or not given:
            raise Problem(
                422, "the body has no `workloads` list", [{"path": "workloads", "message": "missing"}]
            )
        workloads = _library(lambda: workloads_in(given, path="workloads"))
        nodes, pods = _library(lambda: _cluster(body, work))
        if not workloads:
            raise Problem(
                422, "no workload in `workloads`", [{"path": "workloads", "message": "no workload"}]
            )
    return _plan_answer(_library(lambda: plan(workloads, nodes, pods, options=work)))


@blp.route("/plan", methods=["GET"])
@blp.arguments(PlanQuery(), location="query", as_kwargs=True)
@blp.response(200, PlanResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_plan(workload: list[str], node: list[str], **_: Any) -> Any:
    """A plan of workloads `workload=name,replicas,cpu,memory` on nodes `node=name,cpu,memory,pods`."""
    workloads, nodes = _all(
        lambda: _parameters("workload", workload, _located_workload),
        lambda: _parameters("node", node, node_from_fields),
    )
    return _plan_answer(_library(lambda: plan(workloads, nodes, [], options=_work())))


def _located_workload(text: str, path: str) -> Workload:
    # The workload remembers its parameter, so the plan's problems name it (``workload[1].replicas``).
    return dataclasses.replace(workload_from_fields(text, path), path=path)
