"""``/v1/capacity``, ``/v1/max-replicas``, ``/v1/stranded`` and ``/v1/what-if``: the cluster's headroom.

GET forms take compact parameters, for spreadsheets: nodes ``node=name,cpu,memory[,pods[,labels
[,taints]]]`` and the pods running on them ``pod=NODE/name,cpu,memory[,cpu_limit[,memory_limit]]``
(a compact pod is a replica its controller recreates). POST forms take the cluster as
``kubectl get nodes,pods -A -o json`` prints it. Every answer says which Kubernetes release it
computed for (``kubernetes_version``) and explains its figures (``explanation``).
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import INCLUDE, Schema, fields, validate

from api.blueprint import ALSO_TEXT_AND_CSV, Blueprint
from api.bodies import documents
from api.negotiation import json_response, text_response, wanted_format
from api.nodes import _all, _cluster, _library, _one_body, _parameters, _table
from api.problems import Problem
from api.schemas import (
    CLUSTER_BODY,
    FIT_BODY,
    FitQuery,
    ReleaseQuery,
    WarningSchema,
    _request_body,
    _resource_map,
    _table_format,
    _TablePresentation,
    _with_cluster,
)
from api.work import options
from quantities.capacity.headroom import MaxReplicasDetail, max_replicas_detail, stranded_capacity
from quantities.capacity.overview import CapacityOverview, capacity_overview
from quantities.capacity.whatif import WhatIf, what_if
from quantities.manifest.compact import read_pod_fields, read_pod_requests
from quantities.manifest.problems import ManifestError
from quantities.manifest.problems import Problem as ManifestProblem
from quantities.node.compact import node_from_fields
from quantities.node.model import Node
from quantities.options import Options
from quantities.pod.workloads import is_compact, single_workload, workload_from_row
from quantities.scheduler.cluster import Cluster

blp = Blueprint(
    "capacity", __name__, url_prefix="/v1", description="Capacity: the overview, headroom and what-ifs"
)


# -- parameters ----------------------------------------------------------------------------------


_POD_HELP = (
    "repeat, one pod each: NODE/name,cpu,memory[,cpu_limit[,memory_limit]]: the node it runs on, then "
    "the pod as in /v1/nodes/allocated (a replica its controller recreates). Errors name pod[i].field"
)
_NODE_HELP = (
    "repeat, a node: name,cpu,memory[,pods[,labels[,taints]]] (labels key=value;key=value, taints "
    "key[=value]:Effect;...). Errors name node[i].field"
)


def _nodes_field() -> fields.List[Any]:
    return fields.List(
        fields.String(), required=True, metadata={"description": _NODE_HELP, "example": ["n1,4,16Gi,110"]}
    )


def _pods_field() -> fields.List[Any]:
    return fields.List(fields.String(), metadata={"description": _POD_HELP, "example": ["n1/web,500m,1Gi"]})


class _OverviewChoices(Schema):
    selector = fields.String(
        metadata={"description": "only the nodes whose labels match, as kubectl -l: pool=web,zone in (a,b)"}
    )
    group_by = fields.String(
        metadata={
            "description": "a total per value of this node label",
            "example": "topology.kubernetes.io/zone",
        }
    )
    include_unschedulable = fields.Boolean(
        load_default=False,
        metadata={"description": "count cordoned and NoSchedule/NoExecute-tainted nodes in the total free"},
    )


class CapacityQuery(_OverviewChoices, ReleaseQuery):
    format = _table_format()


class CapacityGetQuery(_TablePresentation, _OverviewChoices, ReleaseQuery):
    node = _nodes_field()
    pod = _pods_field()


class HeadroomQuery(ReleaseQuery):
    format = _table_format()


class HeadroomGetQuery(FitQuery, ReleaseQuery):
    pass


class _Scenario(Schema):
    drain = fields.List(fields.String(), metadata={"description": "repeat: the nodes to drain"})
    lose_largest = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "lose the N largest nodes (by cpu, then memory)"},
    )
    lose_zone = fields.String(
        metadata={"description": "lose the nodes labelled topology.kubernetes.io/zone with this value"}
    )


class WhatIfGetQuery(_TablePresentation, _Scenario, ReleaseQuery):
    node = _nodes_field()
    pod = _pods_field()


# -- answers -------------------------------------------------------------------------------------


class ResourceUseSchema(Schema):
    """One resource: allocatable, requests and limits (as kubectl describe node counts them), free."""

    allocatable = fields.String(required=True)
    requests = fields.String(required=True)
    limits = fields.String(required=True)
    free = fields.String(required=True, metadata={"description": "allocatable - requests"})
    requests_percent = fields.Integer(required=True)
    limits_percent = fields.Integer(required=True)


class PodSlotsSchema(Schema):
    allocatable = fields.Integer(required=True)
    used = fields.Integer(required=True)
    free = fields.Integer(required=True)


_RESOURCE_KEYS = (
    "every other key is a resource (cpu, memory, ephemeral-storage, hugepages-*, extended): a ResourceUse"
)


class CapacityNodeSchema(Schema):
    """A node's line; every other key is a resource with the shape of ResourceUse."""

    class Meta:
        unknown = INCLUDE

    name = fields.String(required=True)
    schedulable = fields.Boolean(
        required=True, metadata={"description": "false when cordoned or NoSchedule/NoExecute tainted"}
    )
    pods = fields.Nested(PodSlotsSchema, required=True)


class CapacityTotalSchema(Schema):
    """Sums over nodes; every other key is a resource with the shape of ResourceUse."""

    class Meta:
        unknown = INCLUDE

    nodes = fields.Integer(required=True)
    schedulable_nodes = fields.Integer(required=True)
    pods = fields.Nested(PodSlotsSchema, required=True)


class UnschedulableNodeSchema(Schema):
    name = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)


class CapacityGroupSchema(Schema):
    value = fields.String(required=True, allow_none=True, metadata={"description": "null: without the label"})
    nodes = fields.List(fields.String(), required=True)
    total = fields.Nested(CapacityTotalSchema, required=True)


def _explanation() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "how each figure is computed, and from what"},
    )


class CapacityResponse(Schema):
    """kube-capacity's table: per node and in total, allocatable, requests, limits, free and pods."""

    kubernetes_version = fields.String(required=True)
    nodes = fields.List(
        fields.Nested(CapacityNodeSchema), required=True, metadata={"description": _RESOURCE_KEYS}
    )
    total = fields.Nested(CapacityTotalSchema, required=True)
    unschedulable = fields.List(fields.Nested(UnschedulableNodeSchema), required=True)
    selector = fields.String(required=True, allow_none=True)
    group_by = fields.String(required=True, allow_none=True)
    groups = fields.List(fields.Nested(CapacityGroupSchema), required=True)
    include_unschedulable = fields.Boolean(required=True)
    explanation = _explanation()
    warnings = fields.List(fields.Nested(WarningSchema), required=True)


class NodeReplicasSchema(Schema):
    name = fields.String(required=True)
    replicas = fields.Integer(required=True)
    binding_resource = fields.String(
        required=True, allow_none=True, metadata={"description": "null where another filter blocks the node"}
    )
    reason = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "that filter's reason, as the scheduler words it"},
    )


class MaxReplicasResponse(Schema):
    """How many more copies of the pod fit, per node, and the resource that binds on each."""

    kubernetes_version = fields.String(required=True)
    pod = fields.String(required=True)
    requests = _resource_map("the requests of one copy", required=True)
    total = fields.Integer(required=True, metadata={"description": "max_replicas: the sum over the nodes"})
    nodes = fields.List(fields.Nested(NodeReplicasSchema), required=True)
    explanation = _explanation()


class NodeStrandedSchema(Schema):
    name = fields.String(required=True)
    replicas = fields.Integer(required=True)
    binding_resource = fields.String(required=True, allow_none=True)
    free = _resource_map("free before the copies", required=True)
    used_by_copies = _resource_map("what the node's copies request", required=True)
    stranded = _resource_map("left free that no further copy can use", required=True)


class StrandedTotalSchema(Schema):
    stranded = _resource_map("the sum over the nodes", required=True)


class StrandedResponse(Schema):
    """Per node and resource: what stays free once the node holds every copy of the pod it takes."""

    kubernetes_version = fields.String(required=True)
    pod = fields.String(required=True)
    requests = _resource_map("the requests of one copy", required=True)
    replicas = fields.Integer(required=True)
    nodes = fields.List(fields.Nested(NodeStrandedSchema), required=True)
    total = fields.Nested(StrandedTotalSchema, required=True)
    explanation = _explanation()


class DisplacedPodSchema(Schema):
    pod = fields.String(required=True)
    owner = fields.String(
        required=True, allow_none=True, metadata={"description": "Kind/name of its controller"}
    )
    from_node = fields.String(required=True)
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["rescheduled", "pending", "leaves-with-node", "not-recreated"]),
    )
    node = fields.String(required=True, allow_none=True, metadata={"description": "where it is rescheduled"})
    message = fields.String(
        required=True, allow_none=True, metadata={"description": "the FailedScheduling message when pending"}
    )


class OutcomeCountsSchema(Schema):
    class Meta:
        unknown = INCLUDE

    rescheduled = fields.Integer(required=True)
    pending = fields.Integer(required=True)


class WhatIfResponse(Schema):
    """The nodes that go, and what becomes of every pod they ran."""

    kubernetes_version = fields.String(required=True)
    scenario = fields.String(required=True)
    removed_nodes = fields.List(fields.String(), required=True)
    remaining_nodes = fields.Integer(required=True)
    all_rescheduled = fields.Boolean(required=True)
    counts = fields.Nested(OutcomeCountsSchema, required=True)
    pods = fields.List(fields.Nested(DisplacedPodSchema), required=True)
    explanation = _explanation()
    warnings = fields.List(fields.Nested(WarningSchema), required=True)


def _what_if_schema() -> dict[str, Any]:
    schema = _with_cluster(
        [],
        drain={"type": "array", "items": {"type": "string"}, "description": "the nodes to drain"},
        lose_largest={"type": "integer", "minimum": 1, "description": "lose the N largest nodes"},
        lose_zone={"type": "string", "description": "lose the nodes of this topology.kubernetes.io/zone"},
    )
    del schema["required"]  # OpenAPI 3.0 wants a required list to have an entry
    return schema


WHAT_IF_BODY = _request_body(
    '`{"cluster": <nodes and pods>, "drain": ["n1"]}` (or `"lose_largest": 2`, or `"lose_zone": "a"`); '
    "`nodes` and `pods` lists instead of `cluster`.",
    _what_if_schema,
)


# -- reading -------------------------------------------------------------------------------------


def _bound_pod(text: str, path: str, nodes: dict[str, Node]) -> dict[str, Any]:
    """A compact pod ``NODE/name,cpu,memory,...`` as a running Pod on that node, owned by a ReplicaSet."""
    first, comma, rest = text.partition(",")
    node, slash, name = first.partition("/")
    if not slash or not node or not name:
        raise ManifestError(
            [
                ManifestProblem(
                    path, "expected NODE/name first (the node the pod runs on), as in n1/web,500m,1Gi"
                )
            ]
        )
    if node not in nodes:
        known = ", ".join(f'"{n}"' for n in nodes) or "none"
        raise ManifestError(
            [ManifestProblem(path, f'no node named "{node}" among the node parameters ({known})')]
        )
    pod = dict(workload_from_row(read_pod_fields(name + comma + rest, path)).pod)
    metadata = {
        **pod["metadata"],
        "ownerReferences": [{"kind": "ReplicaSet", "name": name, "controller": True}],
    }
    return {
        **pod,
        "metadata": metadata,
        "spec": {**pod["spec"], "nodeName": node},
        "status": {"phase": "Running"},
    }


def _compact_cluster(node: list[str], pod: list[str] | None) -> tuple[list[Node], list[dict[str, Any]]]:
    nodes: list[Node] = _parameters("node", node, node_from_fields)
    by_name = {n.name: n for n in nodes}
    pods = _parameters("pod", pod or [], lambda text, path: _bound_pod(text, path, by_name))
    return nodes, pods


def _check_cluster_document(objects: list[Any]) -> None:
    """A body of one object is a Node or a List with items, as the cluster bodies are declared."""
    if len(objects) != 1 or not isinstance(objects[0], dict):
        return
    kind, items = objects[0].get("kind"), objects[0].get("items")
    if kind == "Node" or (kind == "List" and isinstance(items, list)):
        return
    if kind == "List":
        row = {"path": "items", "in": "body", "message": "a List needs items: an array of nodes and pods"}
    else:
        row = {"path": "kind", "in": "body", "message": "expected a Node, a List or an array of them"}
    raise Problem(
        422,
        "the body is not a cluster: expected a Node, a List of nodes and pods "
        "(kubectl get nodes,pods -A -o json) or an array of them",
        [row],
    )


def _raw_cluster(located: list[tuple[str, Any]], work: Options) -> Cluster:
    """Nodes and pods, the pods' manifests kept (the overview and the what-ifs read them)."""
    cluster = Cluster(options=work)
    problems: list[ManifestProblem] = []
    for position, (path, obj) in enumerate(located):
        if not position % 64:
            work.check_deadline("reading the cluster", position, len(located))
        try:
            cluster.add(obj, True, path=path)
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return cluster


def _body_cluster(body: dict[str, Any], work: Options) -> Cluster:
    """The cluster of a body: ``cluster``, or ``nodes`` and ``pods``."""
    if "cluster" in body:
        given = body["cluster"]
        objects = given if isinstance(given, list) else [given]
        paths = [f"cluster[{i}]" for i in range(len(objects))] if isinstance(given, list) else ["cluster"]
        return _raw_cluster(list(zip(paths, objects, strict=True)), work)
    nodes, pods = body.get("nodes"), body.get("pods") or []
    if not isinstance(nodes, list) or not isinstance(pods, list):
        raise Problem(
            422,
            "give the cluster as `cluster`, or as `nodes` and `pods` lists",
            [{"path": "cluster", "message": "missing"}],
        )
    located = [(f"nodes[{i}]", n) for i, n in enumerate(nodes)] + [
        (f"pods[{i}]", p) for i, p in enumerate(pods)
    ]
    return _raw_cluster(located, work)


def _proposal(body: dict[str, Any]) -> Any:
    if "pod" not in body:
        raise Problem(422, "the body has no `pod`", [{"path": "pod", "message": "missing"}])
    given = body["pod"]
    if isinstance(given, dict) and is_compact(given):
        given = {"name": "pod", **given}
    return _library(lambda: single_workload(given, path="pod"))


# -- answers -------------------------------------------------------------------------------------


def _answer(result: CapacityOverview | MaxReplicasDetail | WhatIf | Any, text: str) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    if chosen == "csv":
        return _table(result.CSV_HEADER, result.csv_rows())
    if chosen == "text":
        return text_response(text.rstrip("\n"))
    return json_response(result.to_json())


# -- /v1/capacity ----------------------------------------------------------------------------------


@blp.route("/capacity", methods=["POST"])
@blp.arguments(CapacityQuery(), location="query", as_kwargs=True)
@blp.response(200, CapacityResponse)
@blp.doc(requestBody=CLUSTER_BODY, **ALSO_TEXT_AND_CSV)
def post_capacity(
    selector: str | None = None,
    group_by: str | None = None,
    include_unschedulable: bool = False,
    **_: Any,
) -> Any:
    """kube-capacity's table of the cluster in the body: per node and in total, allocatable, the requests
    and limits `kubectl describe node` counts, percentages, free = allocatable - requests, pods used/max."""
    work = options()
    objects = documents(request)
    _check_cluster_document(objects)
    paths = [f"[{i}]" for i in range(len(objects))] if len(objects) > 1 else [""]
    cluster = _library(lambda: _raw_cluster(list(zip(paths, objects, strict=True)), work))
    overview = _library(
        lambda: capacity_overview(
            cluster.nodes,
            cluster.raw_pods,
            selector=selector,
            group_by=group_by,
            include_unschedulable=include_unschedulable,
            options=work,
        )
    )
    return _answer(overview, overview.text())


@blp.route("/capacity", methods=["GET"])
@blp.arguments(CapacityGetQuery(), location="query", as_kwargs=True)
@blp.response(200, CapacityResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_capacity(
    node: list[str],
    pod: list[str] | None = None,
    selector: str | None = None,
    group_by: str | None = None,
    include_unschedulable: bool = False,
    **_: Any,
) -> Any:
    """The capacity table of nodes `node=name,cpu,memory,pods` running pods `pod=NODE/name,cpu,memory`."""
    work = options()
    nodes, pods = _compact_cluster(node, pod)
    overview = _library(
        lambda: capacity_overview(
            nodes,
            pods,
            selector=selector,
            group_by=group_by,
            include_unschedulable=include_unschedulable,
            options=work,
        )
    )
    return _answer(overview, overview.text())


# -- /v1/max-replicas and /v1/stranded -------------------------------------------------------------


def _detail_of_body() -> MaxReplicasDetail:
    body = _one_body()
    pod = _proposal(body)
    work = options()
    nodes, pods = _library(lambda: _cluster(body, work))
    return _library(lambda: max_replicas_detail(pod, nodes, pods, options=work))


def _detail_of_query(
    node: list[str],
    cpu: str | None,
    memory: str | None,
) -> MaxReplicasDetail:
    work = options()
    pod, nodes = _all(
        lambda: dict(workload_from_row(read_pod_requests(cpu, memory)).pod),
        lambda: _parameters("node", node, node_from_fields),
    )
    return _library(lambda: max_replicas_detail(pod, nodes, [], options=work))


@blp.route("/max-replicas", methods=["POST"])
@blp.arguments(HeadroomQuery(), location="query", as_kwargs=True)
@blp.response(200, MaxReplicasResponse)
@blp.doc(requestBody=FIT_BODY, **ALSO_TEXT_AND_CSV)
def post_max_replicas(**_: Any) -> Any:
    """How many more copies of the pod fit per node, and the resource that binds on each (text: the total)."""
    detail = _detail_of_body()
    return _answer(detail, str(detail.total))


@blp.route("/max-replicas", methods=["GET"])
@blp.arguments(HeadroomGetQuery(), location="query", as_kwargs=True)
@blp.response(200, MaxReplicasResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_max_replicas(
    node: list[str],
    cpu: str | None = None,
    memory: str | None = None,
    **_: Any,
) -> Any:
    """How many more copies of a pod `cpu`/`memory` fit on nodes `node=name,cpu,memory,pods` (as text: the
    total, for a spreadsheet cell)."""
    detail = _detail_of_query(node, cpu, memory)
    return _answer(detail, str(detail.total))


@blp.route("/stranded", methods=["POST"])
@blp.arguments(HeadroomQuery(), location="query", as_kwargs=True)
@blp.response(200, StrandedResponse)
@blp.doc(requestBody=FIT_BODY, **ALSO_TEXT_AND_CSV)
def post_stranded(**_: Any) -> Any:
    """Per node and resource: what stays free once the node holds every copy of the pod it takes."""
    stranded = stranded_capacity(_detail_of_body())
    return _answer(stranded, stranded.text())


@blp.route("/stranded", methods=["GET"])
@blp.arguments(HeadroomGetQuery(), location="query", as_kwargs=True)
@blp.response(200, StrandedResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_stranded(
    node: list[str],
    cpu: str | None = None,
    memory: str | None = None,
    **_: Any,
) -> Any:
    """Stranded capacity of nodes `node=name,cpu,memory,pods` for a pod `cpu`/`memory`."""
    stranded = stranded_capacity(_detail_of_query(node, cpu, memory))
    return _answer(stranded, stranded.text())


# -- /v1/what-if -----------------------------------------------------------------------------------


def _scenario(body: dict[str, Any]) -> dict[str, Any]:
    """``drain``, ``lose_largest`` and ``lose_zone`` of a body, each of its JSON type."""
    drain, largest, zone = body.get("drain", []), body.get("lose_largest", 0), body.get("lose_zone")
    problems = []
    if not isinstance(drain, list) or not all(isinstance(name, str) for name in drain):
        problems.append({"path": "drain", "message": "expected an array of node names"})
    if type(largest) is not int or ("lose_largest" in body and largest < 1):
        problems.append({"path": "lose_largest", "message": "expected a whole number of at least 1"})
    if "lose_zone" in body and not isinstance(zone, str):
        problems.append({"path": "lose_zone", "message": "expected a string (a zone name)"})
    if problems:
        raise Problem(422, "the scenario is not one of drain, lose_largest, lose_zone", problems)
    return {"drain": drain, "lose_largest": largest, "lose_zone": zone}


@blp.route("/what-if", methods=["POST"])
@blp.arguments(HeadroomQuery(), location="query", as_kwargs=True)
@blp.response(200, WhatIfResponse)
@blp.doc(requestBody=WHAT_IF_BODY, **ALSO_TEXT_AND_CSV)
def post_what_if(**_: Any) -> Any:
    """Drain nodes, lose the largest nodes or a zone: which pods reschedule where, and which do not, with
    the scheduler's FailedScheduling message."""
    body = _one_body()
    scenario = _scenario(body)
    work = options()
    cluster = _library(lambda: _body_cluster(body, work))
    pods = list(zip(cluster.pods, cluster.raw_pods, strict=True))
    result = _library(lambda: what_if(cluster.nodes, pods, options=work, **scenario))
    return _answer(result, result.text())


@blp.route("/what-if", methods=["GET"])
@blp.arguments(WhatIfGetQuery(), location="query", as_kwargs=True)
@blp.response(200, WhatIfResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_what_if(
    node: list[str],
    pod: list[str] | None = None,
    drain: list[str] | None = None,
    lose_largest: int | None = None,
    lose_zone: str | None = None,
    **_: Any,
) -> Any:
    """A what-if on nodes `node=name,cpu,memory,pods,labels` running pods `pod=NODE/name,cpu,memory`."""
    work = options()
    nodes, pods = _compact_cluster(node, pod)
    result = _library(
        lambda: what_if(
            nodes, pods, drain=drain or (), lose_largest=lose_largest or 0, lose_zone=lose_zone, options=work
        )
    )
    return _answer(result, result.text())
