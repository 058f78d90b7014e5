"""``/v1/cluster/...``: the offline answers (capacity, allocation, fit, max-replicas, plan, nodes-needed,
quota) on a live cluster.

With ``KQ_CLUSTER=in-cluster`` or ``KQ_CLUSTER=kubeconfig`` the service keeps the state of
one cluster (:mod:`quantities.live`); without it these endpoints answer 503 and say how to
configure one. Each answer is the offline endpoint's answer for the same objects, computed
on a view built once per snapshot generation (:class:`quantities.live.view.Views`), and its
JSON carries ``as_of`` (when the state was last confirmed current), ``age_seconds``,
``resource_version``, ``stale`` (and ``stale_reason``). Text and CSV answers carry the same
in the headers ``Cluster-As-Of``, ``Cluster-Resource-Version`` and ``Cluster-Stale``. GET
answers are ``Cache-Control: no-cache`` with a weak ETag from the resourceVersion.

Faults never make a 500: no state yet (API server unreachable, credentials refused, RBAC
denial) is a 503 problem document with the reason; a state that is no longer confirmed is
answered from, with ``stale: true``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from marshmallow import Schema, fields, validate

from api.blueprint import ALSO_TEXT_AND_CSV, Blueprint
from api.caching import mark_live
from api.capacity import CapacityResponse, MaxReplicasResponse, _OverviewChoices
from api.negotiation import json_response, wanted_format
from api.nodes import _allocation_answer, _fit_answer, _library, _one_body, _plan_answer
from api.nodes_needed import NodesNeededQuery, NodesNeededResponse, body_inputs, query_inputs
from api.problems import Problem
from api.quota import QuotaResponse, _compact_deployment, _quota_answer, _RolloutParameters
from api.schemas import (
    AllocatedResponse,
    CompactPodBody,
    CompactWorkloadBody,
    FitResponse,
    PlanResponse,
    PlanTableQuery,
    PodBody,
    ReleaseQuery,
    VersionedAnswer,
    WorkloadBody,
    _request_body,
    _table_format,
    _TablePresentation,
    release_properties,
)
from api.work import options, version_text
from quantities.live.errors import ClusterUnavailable
from quantities.live.source import ClusterSource, LiveSettings, Snapshot, UnavailableSource
from quantities.live.view import ClusterView, NoSuchNode, Views
from quantities.manifest.compact import read_pod_requests
from quantities.options import Options
from quantities.pod.workloads import is_compact, single_workload, workload_from_row, workloads_in

__all__ = ["Live", "blp", "install"]

_log = logging.getLogger(__name__)

blp = Blueprint(
    "cluster",
    __name__,
    url_prefix="/v1/cluster",
    description="A live cluster (KQ_CLUSTER): allocation, fit, max-replicas and plans on its current state",
)

_NOT_CONFIGURED = (
    "no live cluster is configured: start the service with KQ_CLUSTER=in-cluster (in a pod, with a "
    "service account allowed to get/list/watch nodes, pods, resourcequotas, limitranges and daemonsets) "
    "or KQ_CLUSTER=kubeconfig (with KUBECONFIG and optionally KQ_CONTEXT)"
)


@dataclass
class Live:
    """The app's cluster source and the views its workers computed."""

    source: ClusterSource
    views: Views


def _configured_source(config: Any) -> ClusterSource | None:
    mode = str(config.get("CLUSTER") or "").strip()
    if not mode:
        return None
    if mode not in ("in-cluster", "kubeconfig"):
        raise ValueError(f'KQ_CLUSTER must be "in-cluster" or "kubeconfig" (or empty for none), not "{mode}"')
    directory = str(config.get("LIVE_DIR") or "")
    if directory:
        # Under gunicorn: the master's one watcher process publishes the state (quantities.live.sharing).
        from quantities.live.sharing import SharedSource

        return SharedSource(directory)
    # The development server or a single process: watch from here.
    from quantities.live.client import connect
    from quantities.live.source import WatchingSource

    context = str(config.get("CONTEXT") or "") or None
    settings = LiveSettings(
        page_size=int(config["CLUSTER_PAGE_SIZE"]),
        watch_seconds=int(config["CLUSTER_WATCH_SECONDS"]),
        stale_seconds=float(config["CLUSTER_STALE_SECONDS"]),
    )
    try:
        return WatchingSource(lambda: connect(mode, context=context), settings).start()
    except RuntimeError as error:  # no thread could be started
        return UnavailableSource(f"cannot start watching the cluster ({error})")


def install(app: Flask) -> None:
    """Attach the cluster source: ``CLUSTER_SOURCE`` from the config (tests), else per KQ_CLUSTER."""
    source = app.config.get("CLUSTER_SOURCE")
    if source is None:
        source = _configured_source(app.config)
    app.extensions["kq_cluster"] = Live(source, Views()) if source is not None else None


# -- the state a request answers from -----------------------------------------------------------------


def _state(work: Options) -> tuple[ClusterView, Snapshot]:
    live: Live | None = current_app.extensions.get("kq_cluster")
    if live is None:
        raise Problem(503, _NOT_CONFIGURED)
    try:
        snapshot = live.source.snapshot()
    except ClusterUnavailable as error:
        raise Problem(503, f"no cluster state to answer from: {error}") from None
    view = live.views.view(snapshot, work)
    if view.generation != snapshot.generation:
        # A newer state is being prepared: answer from the view's own, with its own currency.
        snapshot = view.snapshot
    if request.method in ("GET", "HEAD"):
        mark_live(f'W/"{snapshot.resource_version}{"-stale" if snapshot.stale else ""}"')
    return view, snapshot


def _currency(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "as_of": snapshot.as_of.isoformat().replace("+00:00", "Z"),
        "age_seconds": snapshot.age_seconds(),
        "resource_version": snapshot.resource_version,
        "stale": snapshot.stale,
        "stale_reason": snapshot.stale_reason or None,
    }


def _live(answer: Response | dict[str, Any], snapshot: Snapshot) -> Response:
    """The answer (a JSON document, or a text or CSV response) with the state's currency: in the
    JSON document, and in headers for every format."""
    currency = _currency(snapshot)
    response = json_response({**answer, **currency}) if isinstance(answer, dict) else answer
    response.headers["Cluster-As-Of"] = currency["as_of"]
    response.headers["Cluster-Resource-Version"] = snapshot.resource_version
    response.headers["Cluster-Stale"] = "true" if snapshot.stale else "false"
    return response


def _no_cluster_in(body: dict[str, Any]) -> None:
    given = [key for key in ("cluster", "nodes", "pods") if key in body]
    if given:
        raise Problem(
            422,
            "the cluster here is the live one: leave out "
            + ", ".join(f"`{key}`" for key in given)
            + " (or POST to the offline endpoint with them)",
            [{"path": key, "message": "not taken: the live cluster is used"} for key in given],
        )


def _no_cluster_parameters(names: tuple[str, ...]) -> None:
    """The offline GET's parameters that describe the cluster are refused, not silently ignored."""
    given = [name for name in names if name in request.args]
    if given:
        raise Problem(
            422,
            "the cluster here is the live one: leave out "
            + ", ".join(f"`{name}=`" for name in given)
            + " (or ask the offline endpoint with them)",
            [
                {"path": name, "in": "query", "message": "not taken: the live cluster is used"}
                for name in given
            ],
        )


def _the_pod(body: dict[str, Any]) -> Any:
    if "pod" not in body:
        raise Problem(422, "the body has no `pod`", [{"path": "pod", "message": "missing"}])
    given = body["pod"]
    if isinstance(given, dict) and is_compact(given):
        given = {"name": "pod", **given}
    return _library(lambda: single_workload(given, path="pod"))


def _requested_pod(cpu: str | None, memory: str | None) -> dict[str, Any]:
    return dict(workload_from_row(read_pod_requests(cpu, memory)).pod)


# -- schemas ---------------------------------------------------------------------------------------------


class _Currency(Schema):
    as_of = fields.String(
        required=True,
        metadata={"description": "when the state was last confirmed current (UTC, RFC 3339)",
                  "example": "2025-01-01T12:00:00.123456Z"},
    )  # fmt: skip
    age_seconds = fields.Integer(required=True, metadata={"description": "whole seconds since as_of"})
    resource_version = fields.String(
        required=True, metadata={"description": "the API server's resourceVersion of the state"}
    )
    stale = fields.Boolean(
        required=True,
        metadata={"description": "true when the state may not be current: the watch lost its connection, "
                  "or nothing confirmed it for KQ_CLUSTER_STALE_SECONDS"},
    )  # fmt: skip
    stale_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "why it is stale; null when it is not"}
    )


class LiveAllocatedResponse(AllocatedResponse, _Currency):
    """`kubectl describe node`'s two sections, on the live state."""


class LiveFitCopies(Schema):
    wanted = fields.Integer(required=True, metadata={"description": "the `pods` asked for"})
    fit = fields.Integer(required=True, metadata={"description": "how many copies the cluster accepts"})


class LiveFitResponse(FitResponse, _Currency):
    """Whether the pod fits each node of the live cluster."""

    copies = fields.Nested(LiveFitCopies, metadata={"description": "with `pods=N`: whether N copies fit"})


class LivePlanResponse(PlanResponse, _Currency):
    """A plan on the live cluster."""


class LiveMaxReplicasResponse(MaxReplicasResponse, _Currency):
    """How many more copies of the pod fit on the live cluster, per node."""


class LiveCapacityResponse(CapacityResponse, _Currency):
    """kube-capacity's table of the live cluster."""


class LiveCapacityQuery(_OverviewChoices, ReleaseQuery):
    format = _table_format()


class LiveNodesNeededResponse(NodesNeededResponse, _Currency):
    """How many new nodes the workloads need, the live cluster being the existing one."""


class LiveQuotaResponse(QuotaResponse, _Currency):
    """The quota check against a namespace's live ResourceQuotas and LimitRanges."""


class LiveNodesNeededQuery(NodesNeededQuery):
    class Meta:
        # The existing nodes are the live cluster's.
        exclude = ("node",)


_NAMESPACE = fields.String(
    required=True,
    validate=validate.Length(min=1),
    metadata={"description": "the namespace whose ResourceQuotas and LimitRanges apply", "example": "team"},
)


class LiveQuotaQuery(_RolloutParameters):
    namespace = _NAMESPACE

    class Meta:
        # The nodes are the live cluster's.
        exclude = ("node",)


class ClusterStatusResponse(VersionedAnswer, _Currency):
    ready = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"example": "ready"})
    generation = fields.Integer(
        required=True, metadata={"description": "changes exactly when the objects do"}
    )
    objects = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "how many objects of each kind are kept", "example": {"Node": 3, "Pod": 40}},
    )


class _LiveFormat(_TablePresentation):
    pass


class LiveAllocatedQuery(_LiveFormat):
    pass


class LiveFitQuery(_LiveFormat):
    cpu = fields.String(
        metadata={"description": "the pod's cpu request; give cpu, memory or both", "example": "2"}
    )
    memory = fields.String(
        metadata={"description": "the pod's memory request; give cpu, memory or both", "example": "4Gi"}
    )
    pods = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "also ask how many copies fit, and whether this many do"},
    )


class LiveMaxReplicasQuery(_LiveFormat):
    cpu = LiveFitQuery._declared_fields["cpu"]
    memory = LiveFitQuery._declared_fields["memory"]


class LivePostQuery(ReleaseQuery):
    format = _table_format()


class LiveQuotaPostQuery(LivePostQuery):
    namespace = _NAMESPACE


class LivePlanQuery(PlanTableQuery):
    pass


def _pod_body() -> dict[str, Any]:
    pod = {
        "description": "the pod: a Pod, a workload or a compact pod",
        "anyOf": [PodBody, WorkloadBody, CompactPodBody],
    }
    return {"type": "object", "required": ["pod"], "properties": {"pod": pod, **release_properties()}}


def _workloads_body() -> dict[str, Any]:
    items = {"anyOf": [WorkloadBody, PodBody, CompactWorkloadBody]}
    workloads = {"type": "array", "minItems": 1, "items": items}
    return {
        "type": "object",
        "required": ["workloads"],
        "properties": {"workloads": workloads, **release_properties()},
    }


def _nodes_needed_body() -> dict[str, Any]:
    listed = {"type": "array", "items": {}}
    return {
        "type": "object",
        "required": ["workloads"],
        "properties": {
            "workloads": {**listed, "minItems": 1, "description": "manifests or compact workloads"},
            "templates": {**listed, "description": "compact nodes or name,cpu,memory,pods lines"},
            "instance_types": {"type": "array", "items": {"type": "string"}},
            "provider": {"type": "string"},
            "daemonsets": {**listed, "description": "DaemonSets or compact workloads"},
            **release_properties(),
        },
    }


def _quota_body() -> dict[str, Any]:
    workload = {"description": "the workload", "anyOf": [WorkloadBody, CompactWorkloadBody]}
    return {
        "type": "object",
        "required": ["workload"],
        "properties": {"workload": workload, **release_properties()},
    }


LIVE_NODES_NEEDED_BODY = _request_body(
    '`{"workloads": [...], "templates": [...] or "instance_types": [...], "daemonsets": [...]}`; '
    "the existing cluster is the live one.",
    _nodes_needed_body,
)
LIVE_QUOTA_BODY = _request_body(
    '`{"workload": <Deployment, StatefulSet, DaemonSet or compact workload>}`; the namespace state is the '
    "live one of `namespace`, the cluster the live one.",
    _quota_body,
)
LIVE_POD_BODY = _request_body(
    '`{"pod": <Pod, workload or compact {"cpu", "memory"}>}`; the cluster is the live one.', _pod_body
)
LIVE_PLAN_BODY = _request_body(
    '`{"workloads": [...]}`: manifests or compact `{"name", "replicas", "cpu", "memory"}`; '
    "the cluster is the live one.",
    _workloads_body,
)
_UNAVAILABLE = {
    "description": "no cluster state to answer from (not configured, unreachable, refused): the reason"
}


# -- endpoints ----------------------------------------------------------------------------------------------


@blp.route("", methods=["GET"])
@blp.arguments(ReleaseQuery(), location="query", as_kwargs=True)
@blp.response(200, ClusterStatusResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
def cluster_status(**_: Any) -> Any:
    """The live cluster's state: ready, how current, how many objects of each kind."""
    live: Live | None = current_app.extensions.get("kq_cluster")
    if live is None:
        raise Problem(503, _NOT_CONFIGURED)
    ready, reason = live.source.status()
    try:
        snapshot = live.source.snapshot()
    except ClusterUnavailable as error:
        raise Problem(503, f"no cluster state to answer from: {error}") from None
    items = snapshot.items
    counts = {
        kind: len(items.span(kind)) for kind in ("Node", "Pod", "ResourceQuota", "LimitRange", "DaemonSet")
    }
    mark_live(f'W/"{snapshot.resource_version}{"-stale" if snapshot.stale else ""}"')
    status = {
        "kubernetes_version": version_text(),
        "ready": ready,
        "reason": reason,
        "generation": snapshot.generation,
        "objects": counts,
    }
    return _live(status, snapshot)


@blp.route("/nodes/<name>/allocated", methods=["GET"])
@blp.arguments(LiveAllocatedQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveAllocatedResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(**ALSO_TEXT_AND_CSV)
def live_allocated(name: str, **_: Any) -> Any:
    """`kubectl describe node NAME`'s "Non-terminated Pods" and "Allocated resources" on the live state
    (format=text: kubectl's own layout)."""
    work = options()
    wanted_format(("json", "text", "csv"))
    view, snapshot = _state(work)
    try:
        allocation = _library(lambda: view.allocated(name, work))
    except NoSuchNode:
        raise Problem(404, f'the cluster has no node named "{name}"') from None
    if wanted_format(("json", "text", "csv")) == "json":
        return _live(allocation.to_json(), snapshot)
    return _live(_allocation_answer(allocation), snapshot)


@blp.route("/fit", methods=["GET"])
@blp.arguments(LiveFitQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveFitResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(**ALSO_TEXT_AND_CSV)
def live_fit(cpu: str | None = None, memory: str | None = None, pods: int | None = None, **_: Any) -> Any:
    """Whether a pod of these requests fits each node of the live cluster (`pods=N`: and N copies)."""
    pod = _requested_pod(cpu, memory)
    return _fit(pod, pods)


@blp.route("/fit", methods=["POST"])
@blp.arguments(LivePostQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveFitResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(requestBody=LIVE_POD_BODY, **ALSO_TEXT_AND_CSV)
def live_post_fit(**_: Any) -> Any:
    """Whether the pod (a Pod, workload or compact pod) fits each node of the live cluster."""
    body = _one_body()
    _no_cluster_in(body)
    return _fit(_the_pod(body), None)


def _fit(pod: Any, copies: int | None) -> Any:
    work = options()
    wanted_format(("json", "text", "csv"))
    view, snapshot = _state(work)
    result = _library(lambda: view.fit(pod, work))
    if wanted_format(("json", "text", "csv")) != "json":
        return _live(_fit_answer(result), snapshot)
    document = result.to_json()
    if copies is not None:
        room = _library(lambda: view.max_replicas(pod, work))
        document["copies"] = {"wanted": copies, "fit": room}
    return _live(document, snapshot)


@blp.route("/max-replicas", methods=["GET"])
@blp.arguments(LiveMaxReplicasQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveMaxReplicasResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(**ALSO_TEXT_AND_CSV)
def live_max_replicas(cpu: str | None = None, memory: str | None = None, **_: Any) -> Any:
    """How many more copies of a pod of these requests the live cluster accepts (placed as the
    scheduler would)."""
    return _max_replicas(_requested_pod(cpu, memory))


@blp.route("/max-replicas", methods=["POST"])
@blp.arguments(LivePostQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveMaxReplicasResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(requestBody=LIVE_POD_BODY, **ALSO_TEXT_AND_CSV)
def live_post_max_replicas(**_: Any) -> Any:
    """How many more copies of the pod (a Pod, workload or compact pod) the live cluster accepts."""
    body = _one_body()
    _no_cluster_in(body)
    return _max_replicas(_the_pod(body))


def _max_replicas(pod: Any) -> Any:
    from api.capacity import _answer

    work = options()
    chosen = wanted_format(("json", "text", "csv"))
    view, snapshot = _state(work)
    detail = _library(lambda: view.max_replicas_detail(pod, work))
    if chosen == "json":
        return _live(detail.to_json(), snapshot)
    return _live(_answer(detail, str(detail.total)), snapshot)


@blp.route("/capacity", methods=["GET"])
@blp.arguments(LiveCapacityQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveCapacityResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(**ALSO_TEXT_AND_CSV)
def live_capacity(
    selector: str | None = None, group_by: str | None = None, include_unschedulable: bool = False, **_: Any
) -> Any:
    """kube-capacity's table of the live cluster: per node and in total, allocatable, requests, limits,
    percentages, free and pods (as `POST /v1/capacity` computes it on the same objects)."""
    from api.capacity import _answer

    work = options()
    chosen = wanted_format(("json", "text", "csv"))
    view, snapshot = _state(work)
    overview = _library(lambda: view.capacity(work, selector, group_by, include_unschedulable))
    if chosen == "json":
        return _live(overview.to_json(), snapshot)
    return _live(_answer(overview, overview.text()), snapshot)


@blp.route("/plan", methods=["POST"])
@blp.arguments(LivePlanQuery(), location="query", as_kwargs=True)
@blp.response(200, LivePlanResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(requestBody=LIVE_PLAN_BODY, **ALSO_TEXT_AND_CSV)
def live_plan(**_: Any) -> Any:
    """Place the replicas of each workload on the live cluster as the default scheduler would."""
    body = _one_body()
    _no_cluster_in(body)
    given = body.get("workloads")
    if not isinstance(given, list) or not given:
        raise Problem(422, "the body has no `workloads` list", [{"path": "workloads", "message": "missing"}])
    workloads = _library(lambda: workloads_in(given, path="workloads"))
    if not workloads:
        raise Problem(422, "no workload in `workloads`", [{"path": "workloads", "message": "no workload"}])
    work = options()
    wanted_format(("json", "text", "csv"))
    view, snapshot = _state(work)
    result = _library(lambda: view.plan(workloads, work))
    if wanted_format(("json", "text", "csv")) == "json":
        return _live(result.to_json(), snapshot)
    return _live(_plan_answer(result), snapshot)


@blp.route("/nodes-needed", methods=["GET"])
@blp.arguments(LiveNodesNeededQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveNodesNeededResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(**ALSO_TEXT_AND_CSV)
def live_nodes_needed(
    workload: list[str],
    template: list[str] | None = None,
    instance_type: list[str] | None = None,
    provider: str | None = None,
    daemonset: list[str] | None = None,
    **_: Any,
) -> Any:
    """How many new nodes of the templates (`template=` or `instance_type=`) make every replica of the
    workloads (`workload=name,replicas,cpu,memory`) schedulable on the live cluster."""
    _no_cluster_parameters(("node",))
    work = options()
    workloads, templates, daemonsets, _nodes = query_inputs(
        workload, template, instance_type, provider, daemonset, None, work
    )
    return _nodes_needed(workloads, templates, daemonsets, work)


@blp.route("/nodes-needed", methods=["POST"])
@blp.arguments(LivePostQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveNodesNeededResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(requestBody=LIVE_NODES_NEEDED_BODY, **ALSO_TEXT_AND_CSV)
def live_post_nodes_needed(**_: Any) -> Any:
    """The same with a JSON body (`workloads`, `templates` and/or `instance_types`, `daemonsets`), as
    `POST /v1/nodes-needed` takes it without the cluster."""
    body = _one_body()
    _no_cluster_in(body)
    work, workloads, templates, daemonsets = body_inputs(body)
    return _nodes_needed(workloads, templates, daemonsets, work)


def _nodes_needed(workloads: list[Any], templates: list[Any], daemonsets: list[Any], work: Options) -> Any:
    from api.nodes_needed import _answer

    chosen = wanted_format(("json", "text", "csv"))
    view, snapshot = _state(work)
    result = _library(lambda: view.nodes_needed(workloads, templates, daemonsets, work))
    if chosen == "json":
        return _live(result.to_json(), snapshot)
    return _live(_answer(result), snapshot)


@blp.route("/quota", methods=["GET"])
@blp.arguments(LiveQuotaQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveQuotaResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(**ALSO_TEXT_AND_CSV)
def live_quota(
    namespace: str,
    workload: str,
    strategy: str | None = None,
    max_surge: str | None = None,
    max_unavailable: str | None = None,
    **_: Any,
) -> Any:
    """Do the replicas of `workload=name,replicas,cpu,memory` and its rollout's peak fit the live
    ResourceQuotas and LimitRanges of `namespace` (the peak placed on the live cluster)?"""
    _no_cluster_parameters(("node", "quota", "used", "limits"))
    work = options()
    deployment = _library(lambda: _compact_deployment(workload, strategy, max_surge, max_unavailable))
    return _quota(deployment, namespace, work)


@blp.route("/quota", methods=["POST"])
@blp.arguments(LiveQuotaPostQuery(), location="query", as_kwargs=True)
@blp.response(200, LiveQuotaResponse)
@blp.alt_response(503, description=_UNAVAILABLE["description"])
@blp.doc(requestBody=LIVE_QUOTA_BODY, **ALSO_TEXT_AND_CSV)
def live_post_quota(namespace: str, **_: Any) -> Any:
    """Admit each replica of the workload through the live LimitRanges and ResourceQuotas of `namespace`
    as the API server would, and its rollout's peak on the live cluster."""
    body = _one_body()
    _no_cluster_in(body)
    given = [key for key in ("namespace_state", "eligible_nodes") if key in body]
    if given:
        raise Problem(
            422,
            "the namespace state and the nodes here are the live ones: leave out "
            + ", ".join(f"`{key}`" for key in given),
            [{"path": key, "message": "not taken: the live cluster is used"} for key in given],
        )
    if "workload" not in body:
        raise Problem(422, "the body has no `workload`", [{"path": "workload", "message": "missing"}])
    return _quota(body["workload"], namespace, options())


def _quota(workload: Any, namespace: str, work: Options) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    view, snapshot = _state(work)
    answer = _library(lambda: view.quota(workload, namespace, "workload", work))
    if chosen == "json":
        return _live(answer.to_json(), snapshot)
    return _live(_quota_answer(answer), snapshot)
