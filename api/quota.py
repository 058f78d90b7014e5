"""``/v1/quota`` and ``/v1/rollout``: does a workload fit its namespace's quotas, and its rollout's peak.

GET forms take compact parameters for spreadsheets (``workload=name,replicas,cpu,memory``,
``quota=team,requests.cpu=4,pods=10``, ``used=team,requests.cpu=1``, ``limits=Container,
default.cpu=500m``, ``node=name,cpu,memory,pods``); POST forms take Kubernetes objects.
Both answer JSON, CSV (one row) or text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import Schema, fields, validate

from api.blueprint import ALSO_TEXT_AND_CSV, Blueprint
from api.negotiation import csv_response, json_response, text_response, wanted_format
from api.nodes import _all, _cluster, _library, _one_body, _parameters
from api.problems import Problem
from api.schemas import (
    CompactWorkloadBody,
    ReleaseQuery,
    WorkloadBody,
    _request_body,
    _resource_map,
    _with_cluster,
)
from api.work import options as request_options
from api.work import use_body_release
from quantities.capacity.quota import (
    QuotaAnswer,
    namespace_state_from_fields,
    quota_check,
    read_namespace_state,
)
from quantities.capacity.rollout import Rollout, read_int_or_percent, rollout
from quantities.manifest.problems import ManifestError
from quantities.manifest.problems import Problem as ManifestProblem
from quantities.node.compact import node_from_fields
from quantities.options import Options
from quantities.pod.workloads import Workload, workload_from_fields

blp = Blueprint(
    "quota",
    __name__,
    url_prefix="/v1",
    description="Rollouts and quotas: peak pods, LimitRange and ResourceQuota",
)

T = TypeVar("T")

_WORKLOAD_HELP = (
    "the workload: name,replicas,cpu,memory[,cpu_limit[,memory_limit]] (a Deployment). Required: name, "
    "cpu and memory requests (0 for none); replicas empty for 1. Errors name workload.field"
)
_NODE_HELP = (
    "repeat, one node each: name,cpu,memory[,pods[,labels[,taints]]]: the rollout's peak must fit them"
)


class _RolloutParameters(ReleaseQuery):
    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]),
        metadata={"description": "json (default), text or csv"},
    )
    errors = fields.String(
        validate=validate.OneOf(["problem", "text"]),
        metadata={"description": "text: answer errors with 200 and one line 'ERROR: ...' (for Excel)"},
    )
    workload = fields.String(
        required=True, metadata={"description": _WORKLOAD_HELP, "example": "web,4,500m,1Gi"}
    )
    strategy = fields.String(
        validate=validate.OneOf(["RollingUpdate", "Recreate"]),
        metadata={"description": "the Deployment's strategy (RollingUpdate by default)"},
    )
    max_surge = fields.String(
        metadata={
            "description": "RollingUpdate maxSurge: a count or a percentage (25% by default)",
            "example": "25%",
        }
    )
    max_unavailable = fields.String(
        metadata={"description": "RollingUpdate maxUnavailable: a count or a percentage (25% by default)"}
    )
    node = fields.List(fields.String(), metadata={"description": _NODE_HELP, "example": ["n1,4,16Gi,110"]})


class RolloutQuery(_RolloutParameters):
    pass


class QuotaQuery(_RolloutParameters):
    quota = fields.List(
        fields.String(),
        metadata={
            "description": "repeat, one ResourceQuota each, in order: name,resource=hard,...[,scope=Scope] "
            "(resources such as requests.cpu, limits.memory, pods, count/pods, requests.nvidia.com/gpu; "
            "scopes Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass). Errors name "
            "quota[i].resource",
            "example": ["team,requests.cpu=4,requests.memory=8Gi,pods=10"],
        },
    )
    used = fields.List(
        fields.String(),
        metadata={
            "description": "a quota's status.used: name,resource=used,... (0 for what is not given)",
            "example": ["team,requests.cpu=1500m,pods=3"],
        },
    )
    limits = fields.List(
        fields.String(),
        metadata={
            "description": "a LimitRange item: Container|Pod,field.resource=value,... with field one of "
            "max, min, default, defaultRequest, maxLimitRequestRatio",
            "example": ["Container,default.cpu=500m,defaultRequest.cpu=250m"],
        },
    )


class PostQuery(ReleaseQuery):
    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]),
        metadata={"description": "json (default), text or csv"},
    )


class StrategySchema(Schema):
    """The update strategy after the API server's defaults."""

    type = fields.String(
        required=True, metadata={"description": "RollingUpdate, Recreate, OnDelete, or empty"}
    )
    maxSurge = fields.String(metadata={"description": "as given or defaulted: a count or a percentage"})
    maxUnavailable = fields.String(metadata={"description": "a count or a percentage"})
    partition = fields.Integer(metadata={"description": "StatefulSet: ordinals below it keep their pods"})


class RolloutResponse(Schema):
    """The peak pod count of a rollout, and whether it fits the nodes."""

    kubernetes_version = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    namespace = fields.String(required=True)
    strategy = fields.Nested(StrategySchema, required=True)
    replicas = fields.Integer(required=True, allow_none=True)
    max_surge = fields.Integer(required=True, allow_none=True)
    max_unavailable = fields.Integer(required=True, allow_none=True)
    peak_pods = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the most pods at once"}
    )
    fits_nodes = fields.Boolean(
        required=True, allow_none=True, metadata={"description": "null: no nodes given"}
    )
    placed = fields.Integer(required=True, allow_none=True)
    message = fields.String(required=True, allow_none=True, metadata={"description": "FailedScheduling"})
    explanation = fields.List(fields.String(), required=True)


class _QuotaWorkload(Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True)
    namespace = fields.String(required=True)


class _AdmittedPod(Schema):
    requests = _resource_map(required=True)
    limits = _resource_map(required=True)
    qos_class = fields.String(required=True)
    limit_ranger = fields.String(required=True, allow_none=True, metadata={"description": "the annotation"})


class QuotaFiguresSchema(Schema):
    name = fields.String(required=True)
    matches = fields.Boolean(required=True)
    reason = fields.String(required=True)
    hard = _resource_map(required=True)
    used = _resource_map(required=True)
    per_pod = _resource_map(required=True)
    max_replicas = fields.Integer(required=True, allow_none=True)
    binding = fields.List(fields.String(), required=True)


class QuotaResponse(Schema):
    """Whether every replica is admitted, whether the rollout's peak is, and the API server's refusal."""

    kubernetes_version = fields.String(required=True)
    fits = fields.Boolean(required=True, metadata={"description": "every replica is admitted"})
    rollout_fits = fields.Boolean(required=True, metadata={"description": "the rollout's peak is admitted"})
    peak_pods = fields.Integer(required=True)
    max_replicas = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "pods admitted; null when no quota bounds them"},
    )
    message = fields.String(
        required=True, allow_none=True, metadata={"description": "the refusal of the first refused pod"}
    )
    workload = fields.Nested(_QuotaWorkload, required=True)
    replicas = fields.Integer(required=True)
    admitted = fields.Integer(required=True)
    pod = fields.Nested(_AdmittedPod, required=True)
    usage = _resource_map(required=True)
    quotas = fields.List(fields.Nested(QuotaFiguresSchema), required=True)
    rollout = fields.Nested(RolloutResponse, required=True)
    explanation = fields.List(fields.String(), required=True)


def _objects_schema() -> dict[str, Any]:
    return {"anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}


def _rollout_schema() -> dict[str, Any]:
    workload = {"description": "the workload", "anyOf": [WorkloadBody, CompactWorkloadBody]}
    eligible = {
        "type": "integer",
        "minimum": 0,
        "description": "a DaemonSet's eligible nodes without a cluster",
    }
    version = {"type": "string", "description": "the Kubernetes release to answer for"}
    gates = {"type": "string", "description": "feature gates: A=true,B=false"}
    return _with_cluster(
        ["workload"],
        workload=workload,
        eligible_nodes=eligible,
        kubernetes_version=version,
        feature_gates=gates,
    )


def _quota_schema() -> dict[str, Any]:
    schema = _rollout_schema()
    schema["required"] = ["workload", "namespace_state"]
    schema["properties"]["namespace_state"] = {
        **_objects_schema(),
        "description": "ResourceQuota and LimitRange objects (kubectl get resourcequota,limitrange -o json)",
    }
    return schema


ROLLOUT_BODY = _request_body(
    '`{"workload": <Deployment, StatefulSet, DaemonSet or compact workload>, "cluster": <nodes and pods>}`; '
    "the cluster (or `nodes` and `pods`) is optional.",
    _rollout_schema,
)
QUOTA_BODY = _request_body(
    '`{"workload": <workload>, "namespace_state": <kubectl get resourcequota,limitrange -o json>, '
    '"cluster": <nodes and pods, optional>}`.',
    _quota_schema,
)


def _options(version: object, gates: object, where: str) -> Options:
    """The request's options; a body's ``kubernetes_version``/``feature_gates`` (``where`` is its
    path prefix) apply to the rest of the request, a bad value is a 422 at its name."""
    if version is not None or gates is not None:
        use_body_release(version, gates)
    return request_options()


def _answer(
    json_data: Callable[[], dict[str, Any]], header: tuple[str, ...], row: tuple[str, ...], text: str
) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    if chosen == "csv":
        return csv_response(header, [dict(zip(header, row, strict=True))])
    if chosen == "text":
        return text_response(text)
    return json_response(json_data())


def _quota_answer(answer: QuotaAnswer) -> Any:
    return _answer(answer.to_json, answer.CSV_HEADER, answer.csv_row(), answer.text())


def _rollout_answer(result: Rollout) -> Any:
    return _answer(result.to_json, result.CSV_HEADER, result.csv_row(), result.text())


def _compact_deployment(
    workload: str, strategy: str | None, max_surge: str | None, max_unavailable: str | None
) -> dict[str, Any]:
    """The Deployment of ``workload=name,replicas,cpu,memory`` with the strategy parameters."""

    def read_workload() -> Workload:
        return workload_from_fields(workload, "workload")

    def read_surge() -> object:
        return read_int_or_percent(max_surge, "max_surge") if max_surge is not None else None

    def read_unavailable() -> object:
        return (
            read_int_or_percent(max_unavailable, "max_unavailable") if max_unavailable is not None else None
        )

    found, surge, unavailable = _all(read_workload, read_surge, read_unavailable)
    if surge is not None and unavailable is not None and not surge.amount and not unavailable.amount:
        # ValidateRollingUpdateDeployment, said of the parameter that was given.
        detail = "may not be 0 when `maxSurge` is 0"
        raise Problem(422, f"max_unavailable: {detail}", [{"path": "max_unavailable", "message": detail}])
    rolling: dict[str, Any] = {}
    if surge is not None:
        rolling["maxSurge"] = surge.to_json()
    if unavailable is not None:
        rolling["maxUnavailable"] = unavailable.to_json()
    chosen = strategy or "RollingUpdate"
    if rolling and chosen != "RollingUpdate":
        raise Problem(
            422,
            "max_surge and max_unavailable are for strategy=RollingUpdate",
            [{"path": "strategy", "message": f"{chosen} takes no max_surge or max_unavailable"}],
        )
    spec_strategy: dict[str, Any] = {"type": chosen}
    if rolling:
        spec_strategy["rollingUpdate"] = rolling
    pod = found.pod
    return {
        "kind": "Deployment",
        "metadata": {"name": found.name},
        "spec": {
            "replicas": found.replicas,
            "strategy": spec_strategy,
            "template": {"metadata": pod.get("metadata", {}), "spec": pod["spec"]},
        },
    }


def _nodes(node: list[str] | None) -> list[Any] | None:
    return _parameters("node", node, node_from_fields) if node else None


def _eligible(body: dict[str, Any]) -> int | None:
    value = body.get("eligible_nodes")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Problem(
            422,
            "eligible_nodes is a whole number of nodes",
            [{"path": "eligible_nodes", "message": "expected a whole number, 0 or more"}],
        )
    return value


def _body_cluster(body: dict[str, Any], work: Options) -> tuple[list[Any] | None, list[Any]]:
    if not any(name in body for name in ("cluster", "nodes", "pods")):
        return None, []
    return _cluster(body, work)


@blp.route("/rollout", methods=["GET"])
@blp.arguments(RolloutQuery(), location="query", as_kwargs=True)
@blp.response(200, RolloutResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_rollout(
    workload: str,
    node: list[str] | None = None,
    strategy: str | None = None,
    max_surge: str | None = None,
    max_unavailable: str | None = None,
    kubernetes_version: str | None = None,
    feature_gates: str | None = None,
    **_: Any,
) -> Any:
    """The peak pod count of a Deployment's rollout (`workload=name,replicas,cpu,memory`) and, with
    `node=`, whether the peak fits the nodes."""
    work = _options(kubernetes_version, feature_gates, "")
    deployment, nodes = _all(
        lambda: _compact_deployment(workload, strategy, max_surge, max_unavailable), lambda: _nodes(node)
    )
    return _rollout_answer(_library(lambda: rollout(deployment, nodes, path="workload", options=work)))


@blp.route("/rollout", methods=["POST"])
@blp.arguments(PostQuery(), location="query", as_kwargs=True)
@blp.response(200, RolloutResponse)
@blp.doc(requestBody=ROLLOUT_BODY, **ALSO_TEXT_AND_CSV)
def post_rollout(**_: Any) -> Any:
    """The peak pod count of a Deployment's, StatefulSet's or DaemonSet's rollout (maxSurge, maxUnavailable,
    Recreate, partition, a DaemonSet's surge per node) and whether it fits the cluster's nodes."""
    body = _one_body()
    if "workload" not in body:
        raise Problem(422, "the body has no `workload`", [{"path": "workload", "message": "missing"}])
    work = _options(body.get("kubernetes_version"), body.get("feature_gates"), "")
    nodes, pods = _library(lambda: _body_cluster(body, work))
    eligible = _eligible(body)
    result = _library(
        lambda: rollout(body["workload"], nodes, pods, eligible_nodes=eligible, path="workload", options=work)
    )
    return _rollout_answer(result)


@blp.route("/quota", methods=["GET"])
@blp.arguments(QuotaQuery(), location="query", as_kwargs=True)
@blp.response(200, QuotaResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_quota(
    workload: str,
    quota: list[str] | None = None,
    used: list[str] | None = None,
    limits: list[str] | None = None,
    node: list[str] | None = None,
    strategy: str | None = None,
    max_surge: str | None = None,
    max_unavailable: str | None = None,
    kubernetes_version: str | None = None,
    feature_gates: str | None = None,
    **_: Any,
) -> Any:
    """Do the replicas of `workload=name,replicas,cpu,memory` and its rollout's peak fit the quotas
    `quota=name,resource=hard,...` (with `used=` and LimitRange `limits=`), with the API server's refusal."""
    work = _options(kubernetes_version, feature_gates, "")
    deployment, state, nodes = _all(
        lambda: _compact_deployment(workload, strategy, max_surge, max_unavailable),
        lambda: namespace_state_from_fields(quota or [], used or [], limits or []),
        lambda: _nodes(node),
    )
    answer = _library(lambda: quota_check(deployment, state, nodes, path="workload", options=work))
    return _quota_answer(answer)


@blp.route("/quota", methods=["POST"])
@blp.arguments(PostQuery(), location="query", as_kwargs=True)
@blp.response(200, QuotaResponse)
@blp.doc(requestBody=QUOTA_BODY, **ALSO_TEXT_AND_CSV)
def post_quota(**_: Any) -> Any:
    """Admit each replica of the workload through LimitRanger and ResourceQuota as the API server would:
    how many are admitted, whether the rollout's peak is, and the refusal text of the first refused pod."""
    body = _one_body()
    missing = [name for name in ("workload", "namespace_state") if name not in body]
    if missing:
        raise Problem(
            422,
            "the body needs `workload` and `namespace_state`",
            [{"path": name, "message": "missing"} for name in missing],
        )
    work = _options(body.get("kubernetes_version"), body.get("feature_gates"), "")
    state = _library(lambda: read_namespace_state(_as_objects(body["namespace_state"]), "namespace_state"))
    nodes, pods = _library(lambda: _body_cluster(body, work))
    eligible = _eligible(body)
    answer = _library(
        lambda: quota_check(
            body["workload"], state, nodes, pods, eligible_nodes=eligible, path="workload", options=work
        )
    )
    return _quota_answer(answer)


def _as_objects(value: object) -> Any:
    if isinstance(value, dict | list):
        return value
    raise ManifestError(
        [
            ManifestProblem(
                "namespace_state", "expected the objects of kubectl get resourcequota,limitrange -o json"
            )
        ]
    )
