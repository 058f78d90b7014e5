"""``/v1/nodes-needed``: how many new nodes of given templates make every replica schedulable.

``GET /v1/nodes-needed?workload=web,20,500m,1Gi&provider=eks&instance_type=m5.large&format=text``
answers the count alone, for a spreadsheet cell; ``format=csv`` a row per template and a total;
JSON the count per template, the plan over the existing and new nodes (the shape of
``/v1/plan``), the lower bound, cluster-autoscaler's estimate and how each was reached.
Templates are ``template=name,cpu,memory,pods[,labels[,taints]][,price=P]`` (allocatable) or
``instance_type=T[,price=P]`` (with ``provider``, default eks); DaemonSets
``daemonset=name,cpu,memory``; existing nodes ``node=name,cpu,memory,pods``. ``POST`` takes the
same in a JSON body, workloads, DaemonSets and the cluster as manifests too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import Schema, fields, validate

from api.blueprint import ALSO_TEXT_AND_CSV, Blueprint
from api.negotiation import csv_response, json_response, text_response, wanted_format
from api.nodes import _cluster, _library, _one_body
from api.problems import Problem
from api.schemas import PlanResponse, ReleaseQuery, WarningSchema, gates_field, version_field
from api.work import options, use_body_release
from quantities.capacity.nodes_needed import NodesNeeded, instance_template, node_template, nodes_needed
from quantities.capacity.packing import Template
from quantities.manifest.compact import read_pod_fields
from quantities.manifest.problems import ManifestError
from quantities.manifest.problems import Problem as ManifestProblem
from quantities.manifest.problems import index as path_index
from quantities.node.compact import node_from_fields
from quantities.options import Options
from quantities.pod.workloads import Workload, workload_from_fields, workload_from_row, workloads_in

__all__ = ["NodesNeededQuery", "NodesNeededResponse", "blp"]

blp = Blueprint("nodes_needed", __name__, url_prefix="/v1", description="Nodes needed for workloads")

T = TypeVar("T")

_TEMPLATE_HELP = (
    "repeat, one template each: name,cpu,memory,pods[,labels[,taints]][,price=P]: a new node's allocatable "
    "cpu and memory (Kubernetes quantities), max pods, labels key=value;key=value, taints "
    "key[=value]:Effect;... and an optional price per node (a decimal, the same unit for every template; "
    "give it for all templates or none). Errors name template[i].field"
)
_INSTANCE_HELP = (
    "repeat, one EC2 instance type each (m5.large), optionally with its price: m5.large,price=0.096; its "
    "allocatable as /v1/nodes/allocatable gives it for `provider`"
)


def _formats() -> fields.String:
    return fields.String(
        validate=validate.OneOf(["json", "text", "csv"]),
        metadata={
            "description": "json (default), text (the count alone) or csv (a row per template and a total)"
        },
    )


class NodesNeededQuery(ReleaseQuery):
    workload = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "repeat, one workload each: name,replicas,cpu,memory[,cpu_limit[,memory_limit]]. "
            "Errors name workload[i].field",
            "example": ["web,20,500m,1Gi"],
        },
    )
    template = fields.List(
        fields.String(), metadata={"description": _TEMPLATE_HELP, "example": ["m5,1930m,6903Mi,29"]}
    )
    instance_type = fields.List(fields.String(), metadata={"description": _INSTANCE_HELP})
    provider = fields.String(
        metadata={"description": "with instance_type: whose published reservations apply (default eks)"}
    )
    daemonset = fields.List(
        fields.String(),
        metadata={
            "description": "repeat, one DaemonSet each: name,cpu,memory[,cpu_limit[,memory_limit]]: one pod "
            "on every new node, placed first. Errors name daemonset[i].field"
        },
    )
    node = fields.List(
        fields.String(),
        metadata={
            "description": "repeat, the existing nodes: name,cpu,memory[,pods[,labels[,taints]]] (optional)"
        },
    )
    format = _formats()
    errors = fields.String(
        validate=validate.OneOf(["problem", "text"]),
        metadata={"description": "text: answer errors with 200 and one line 'ERROR: ...' (for Excel)"},
    )


class _PostQuery(ReleaseQuery):
    format = _formats()


class NodesNeededBody(Schema):
    """The workloads, the templates and, optionally, the existing cluster."""

    workloads = fields.List(
        fields.Raw(),
        required=True,
        metadata={
            "description": "workload manifests (Deployment, StatefulSet, DaemonSet...) or compact workloads"
        },
    )
    templates = fields.List(
        fields.Raw(),
        metadata={
            "description": 'compact nodes {"name", "cpu", "memory", "pods", "labels", "taints", "price"} '
            "(allocatable) or lines name,cpu,memory,pods[,labels[,taints]][,price=P]"
        },
    )
    instance_types = fields.List(fields.String(), metadata={"description": _INSTANCE_HELP})
    provider = fields.String(metadata={"description": "with instance_types: the provider (default eks)"})
    daemonsets = fields.List(
        fields.Raw(),
        metadata={"description": "DaemonSets (or compact workloads): one pod per eligible new node"},
    )
    cluster = fields.Raw(metadata={"description": "the existing nodes and pods, as kubectl prints them"})
    nodes = fields.List(fields.Raw(), metadata={"description": "instead of `cluster`: the existing nodes"})
    pods = fields.List(fields.Raw(), metadata={"description": "with `nodes`: the pods already running"})
    kubernetes_version = version_field(allow_none=True)
    feature_gates = gates_field(body=True, allow_none=True)


class TemplateUseSchema(Schema):
    name = fields.String(required=True)
    allocatable = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    price = fields.String(required=True, allow_none=True, metadata={"description": "per node, as given"})
    count = fields.Integer(
        required=True, metadata={"description": "new nodes of this template in the answer"}
    )
    cost = fields.String(required=True, allow_none=True)
    daemonset_pods = fields.Integer(
        required=True, metadata={"description": "DaemonSet pods on each new node"}
    )
    daemonset_requests = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    lower_bound = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "this template alone; null: it cannot hold them"},
    )
    first_fit_decreasing = fields.Integer(
        required=True, metadata={"description": "cluster-autoscaler's estimate for this template alone"}
    )
    alone = fields.Integer(
        required=True, metadata={"description": "the fewest nodes found for this template alone"}
    )
    alone_pending = fields.Integer(required=True)


class UnplaceableSchema(Schema):
    workload = fields.String(required=True)
    replicas = fields.Integer(required=True, metadata={"description": "replicas that cannot be placed"})
    message = fields.String(required=True, metadata={"description": "the scheduler's message"})


class NodesNeededSourceSchema(Schema):
    what = fields.String(required=True)
    document = fields.String(required=True)
    applies_to = fields.String(required=True)


class NodesNeededExplanationSchema(Schema):
    formula = fields.String(required=True)
    steps = fields.List(fields.String(), required=True)
    sources = fields.List(fields.Nested(NodesNeededSourceSchema), required=True)


class NodesNeededResponse(Schema):
    kubernetes_version = fields.String(required=True, metadata={"example": "1.36"})
    new_nodes = fields.Integer(required=True, metadata={"description": "new nodes in all"})
    by_template = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "new nodes per template"},
    )
    cost = fields.String(
        required=True, allow_none=True, metadata={"description": "sum of the prices; null without"}
    )
    lower_bound = fields.Integer(required=True)
    binding_resource = fields.String(required=True, allow_none=True)
    first_fit_decreasing = fields.Integer(required=True)
    first_fit_decreasing_template = fields.String(required=True, allow_none=True)
    placed_all = fields.Boolean(required=True)
    unplaceable = fields.List(fields.Nested(UnplaceableSchema), required=True)
    templates = fields.List(fields.Nested(TemplateUseSchema), required=True)
    plan = fields.Nested(PlanResponse, required=True)
    explanation = fields.Nested(NodesNeededExplanationSchema, required=True)
    warnings = fields.List(fields.Nested(WarningSchema), required=True)


def _parameters(name: str, texts: list[str] | None, read: Callable[[str, str], T]) -> list[T]:
    results: list[T] = []
    problems: list[ManifestProblem] = []
    for position, text in enumerate(texts or ()):
        try:
            results.append(read(text, path_index(name, position)))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return results


def _workload(text: str, path: str) -> Workload:
    return dataclasses.replace(workload_from_fields(text, path), path=path)


def _daemonset(text: str, path: str) -> Workload:
    return dataclasses.replace(workload_from_row(read_pod_fields(text, path)), path=path)


def _instances(texts: list[str] | None, provider: str | None, work: Options, name: str) -> list[Template]:
    def read(text: str, path: str) -> Template:
        kind, _, rest = text.partition(",")
        price: str | None = None
        if rest:
            if not rest.strip().startswith("price="):
                raise ManifestError(
                    [ManifestProblem(path, "expected TYPE or TYPE,price=P (m5.large,price=0.096)")]
                )
            price = rest.strip()[len("price=") :]
        try:
            return instance_template(kind.strip(), provider or "eks", price=price, path=path, options=work)
        except ManifestError as error:
            raise ManifestError(
                [
                    dataclasses.replace(p, path=path if p.path == "instance_type" else p.path)
                    for p in error.problems
                ]
            ) from None

    if provider is not None and not texts:
        raise ManifestError([ManifestProblem(name, f"give {name} with provider (the instance types to add)")])
    return _parameters(name, texts, read)


def _work(kubernetes_version: object, feature_gates: object, where: str = "query") -> Options:
    """The request's options; a body's ``kubernetes_version``/``feature_gates`` apply to the rest
    of the request (the query's were read before the view), a bad value is a 422 at its name."""
    if where == "body" and (kubernetes_version is not None or feature_gates is not None):
        use_body_release(kubernetes_version, feature_gates)
    return options()


def _answer(result: NodesNeeded) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    if chosen == "csv":
        header = result.CSV_HEADER
        return csv_response(header, [dict(zip(header, row, strict=True)) for row in result.csv_rows()])
    if chosen == "text":
        return text_response(result.summary())
    return json_response(result.to_json())


def _compute(call: Callable[[], NodesNeeded]) -> NodesNeeded:
    return _library(call)


@blp.route("/nodes-needed", methods=["GET"])
@blp.arguments(NodesNeededQuery(), location="query", as_kwargs=True)
@blp.response(200, NodesNeededResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_nodes_needed(
    workload: list[str],
    template: list[str] | None = None,
    instance_type: list[str] | None = None,
    provider: str | None = None,
    daemonset: list[str] | None = None,
    node: list[str] | None = None,
    kubernetes_version: str | None = None,
    feature_gates: str | None = None,
    **_: Any,
) -> Any:
    """How many new nodes of the templates (`template=` or `instance_type=`) make every replica of the
    workloads (`workload=name,replicas,cpu,memory`) schedulable, with the plan over existing and new nodes."""
    work = _work(kubernetes_version, feature_gates)
    workloads, templates, daemonsets, nodes = query_inputs(
        workload, template, instance_type, provider, daemonset, node, work
    )
    return _answer(
        _compute(lambda: nodes_needed(workloads, templates, nodes, daemonsets=daemonsets, options=work))
    )


def query_inputs(
    workload: list[str],
    template: list[str] | None,
    instance_type: list[str] | None,
    provider: str | None,
    daemonset: list[str] | None,
    node: list[str] | None,
    work: Options,
) -> tuple[list[Workload], list[Template], list[Workload], list[Any]]:
    """The GET parameters read: workloads, templates (given, then instance types), DaemonSets and
    existing nodes; every problem at its parameter."""
    problems: list[ManifestProblem] = []
    parts: list[list[Any]] = []
    for read in (
        lambda: _parameters("workload", workload, _workload),
        lambda: _parameters("template", template, node_template),
        lambda: _instances(instance_type, provider, work, "instance_type"),
        lambda: _parameters("daemonset", daemonset, _daemonset),
        lambda: _parameters("node", node, node_from_fields),
    ):
        try:
            parts.append(read())
        except ManifestError as error:
            problems.extend(error.problems)
            parts.append([])
    if problems:
        raise ManifestError(problems)
    workloads, given, instances, daemonsets, nodes = parts
    templates = [*given, *instances]
    if not templates:
        raise Problem(
            422,
            "give the nodes that may be added: template=name,cpu,memory,pods or instance_type=m5.large",
            [{"path": "template", "in": "query", "message": "missing"}],
        )
    return workloads, templates, daemonsets, nodes


@blp.route("/nodes-needed", methods=["POST"])
@blp.arguments(_PostQuery(), location="query", as_kwargs=True)
@blp.response(200, NodesNeededResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def post_nodes_needed(**_: Any) -> Any:
    """The same with a JSON body: `workloads` and `daemonsets` as manifests or compact workloads,
    `templates` and/or `instance_types`, and the existing cluster as `cluster` or `nodes` and `pods`."""
    body = _one_body()
    work, workloads, templates, daemonsets = body_inputs(body)
    nodes: list[Any] = []
    pods: list[Any] = []
    if any(key in body for key in ("cluster", "nodes", "pods")):
        nodes, pods = _library(lambda: _cluster(body, work))
    return _answer(
        _compute(lambda: nodes_needed(workloads, templates, nodes, pods, daemonsets=daemonsets, options=work))
    )


def body_inputs(body: dict[str, Any]) -> tuple[Options, list[Workload], list[Any], list[Workload]]:
    """A POST body read: the options, workloads, templates (given, then instance types) and DaemonSets."""
    errors = NodesNeededBody().validate(body)
    if errors:
        rows = [
            {
                "path": key,
                "in": "body",
                "message": "; ".join(map(str, value)) if isinstance(value, list) else str(value),
            }
            for key, value in errors.items()
        ]
        raise Problem(422, "the body does not have the expected fields", rows)
    work = _work(body.get("kubernetes_version"), body.get("feature_gates"), "body")
    given = body["workloads"]
    if not given:
        raise Problem(422, "no workload in `workloads`", [{"path": "workloads", "message": "no workload"}])
    workloads = _library(lambda: workloads_in(given, path="workloads"))
    daemonsets = _library(lambda: workloads_in(body.get("daemonsets") or [], path="daemonsets"))
    templates: list[Any] = list(body.get("templates") or [])
    templates.extend(_instances(body.get("instance_types"), body.get("provider"), work, "instance_types"))
    if not templates:
        raise Problem(
            422,
            "give the nodes that may be added: `templates` or `instance_types`",
            [{"path": "templates", "message": "missing"}],
        )
    return work, workloads, templates, daemonsets
