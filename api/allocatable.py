"""``/v1/nodes/allocatable``: a node's allocatable from its capacity or an instance type, per provider.

``GET /v1/nodes/allocatable?provider=eks&instance_type=m5.large`` (one parameter per
argument, for spreadsheets) and ``POST`` with the same fields in a JSON body (reservations
may then be maps, as in the kubelet's configuration file). Every problem is located at its
parameter (``memory``, ``kube_reserved.cpu``) with ``in`` saying query or body.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from api.blueprint import ALSO_TEXT_AND_CSV, Blueprint
from api.negotiation import csv_response, json_response, text_response, wanted_format
from api.problems import Problem
from api.schemas import ReleaseQuery, WarningSchema, gates_field, version_field
from api.work import options, use_body_release
from quantities.capacity.allocatable import NodeAllocatable, node_allocatable
from quantities.manifest.problems import ManifestError

__all__ = ["AllocatableBody", "AllocatableQuery", "AllocatableResponse", "blp"]

blp = Blueprint(
    "allocatable", __name__, url_prefix="/v1", description="Allocatable from capacity, per provider"
)

_PROVIDERS = "aks, eks, gke, k3s, kubelet (default: only the reservations given) or openshift"
_HELP = {
    "provider": f"the provider whose published reservations apply: {_PROVIDERS}",
    "instance_type": "an EC2 instance type (m5.large): its vCPUs, memory and (eks) max pods",
    "cpu": "the node's cpu capacity (a Kubernetes quantity); wins over the instance type's",
    "memory": "the node's memory capacity (a Kubernetes quantity); wins over the instance type's",
    "ephemeral_storage": "the node's ephemeral-storage capacity (a Kubernetes quantity)",
    "hugepages": "hugepages capacity, hugepages-2Mi=1Gi[,...]; taken from allocatable memory",
    "max_pods": "max pods (default: the provider's; eks: the instance type's ENI limit)",
    "kube_reserved": "the kubelet's --kube-reserved (cpu=100m,memory=1Gi); replaces the provider's",
    "system_reserved": "the kubelet's --system-reserved (cpu=500m,memory=1Gi); replaces the provider's",
    "eviction_hard": "the kubelet's --eviction-hard (memory.available<100Mi,nodefs.available<10%); "
    "replaces all the provider's thresholds",
    "capacity_model": "with instance_type: karpenter (default; nominal memory less the VM overhead)"
    " or nominal",
    "vm_memory_overhead": "Karpenter's --vm-memory-overhead-percent, a fraction (default 0.075)",
    "custom_networking": "eks: the VPC CNI's custom networking (one ENI fewer)",
    "prefix_delegation": "eks: the VPC CNI's prefix delegation (16 addresses a slot, capped at 110/250)",
    "sizing": "openshift: static (default) or auto (autoSizingReserved)",
}
_EXAMPLES = {"provider": "eks", "instance_type": "m5.large"}


def _string(name: str) -> fields.String:
    metadata: dict[str, Any] = {"description": _HELP[name]}
    if name in _EXAMPLES:
        metadata["example"] = _EXAMPLES[name]
    return fields.String(metadata=metadata)


class _Arguments(Schema):
    provider = _string("provider")
    instance_type = _string("instance_type")
    cpu = _string("cpu")
    memory = _string("memory")
    ephemeral_storage = _string("ephemeral_storage")
    hugepages = _string("hugepages")
    max_pods = _string("max_pods")
    kube_reserved = _string("kube_reserved")
    system_reserved = _string("system_reserved")
    eviction_hard = _string("eviction_hard")
    capacity_model = _string("capacity_model")
    vm_memory_overhead = _string("vm_memory_overhead")
    custom_networking = fields.Boolean(metadata={"description": _HELP["custom_networking"]})
    prefix_delegation = fields.Boolean(metadata={"description": _HELP["prefix_delegation"]})
    sizing = _string("sizing")


class AllocatableQuery(_Arguments, ReleaseQuery):
    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]),
        metadata={
            "description": "json (default), text (a table and the explanation) or csv (one row a resource)"
        },
    )
    errors = fields.String(
        validate=validate.OneOf(["problem", "text"]),
        metadata={"description": "text: answer errors with 200 and one line 'ERROR: ...' (for Excel)"},
    )


class _PostQuery(ReleaseQuery):
    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]),
        metadata={"description": "json (default), text or csv"},
    )


def _text_or_map(name: str) -> fields.Raw:
    return fields.Raw(
        metadata={
            "description": _HELP[name] + "; or a map, as in the kubelet's configuration file",
            "anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}],
        }
    )


def _text_or_number(name: str) -> fields.Raw:
    return fields.Raw(
        metadata={"description": _HELP[name], "anyOf": [{"type": "string"}, {"type": "number"}]}
    )


class AllocatableBody(Schema):
    """The same arguments as the GET form; quantities may be JSON numbers, reservations maps."""

    provider = _string("provider")
    instance_type = _string("instance_type")
    cpu = _text_or_number("cpu")
    memory = _text_or_number("memory")
    ephemeral_storage = _text_or_number("ephemeral_storage")
    hugepages = _text_or_map("hugepages")
    max_pods = _text_or_number("max_pods")
    kube_reserved = _text_or_map("kube_reserved")
    system_reserved = _text_or_map("system_reserved")
    eviction_hard = _text_or_map("eviction_hard")
    capacity_model = _string("capacity_model")
    vm_memory_overhead = _string("vm_memory_overhead")
    custom_networking = fields.Boolean(metadata={"description": _HELP["custom_networking"]})
    prefix_delegation = fields.Boolean(metadata={"description": _HELP["prefix_delegation"]})
    sizing = _string("sizing")
    kubernetes_version = version_field(allow_none=True)
    feature_gates = gates_field(body=True, allow_none=True)


def _resources(description: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(), values=fields.String(), required=True, metadata={"description": description}
    )


class ReservedSchema(Schema):
    kube_reserved = _resources(
        "--kube-reserved: cpu, memory, ephemeral-storage (0 where nothing is reserved)"
    )
    system_reserved = _resources(
        "--system-reserved: cpu, memory, ephemeral-storage (0 where nothing is reserved)"
    )
    eviction_hard = _resources(
        "what the hard eviction thresholds reserve: memory (memory.available) and ephemeral-storage"
        " (nodefs.available)"
    )


class SourceSchema(Schema):
    what = fields.String(required=True)
    document = fields.String(required=True, metadata={"description": "the document or code it comes from"})
    applies_to = fields.String(required=True, metadata={"description": "the releases it applies to"})


class CapacityModelSchema(Schema):
    model = fields.String(required=True, metadata={"description": "how the capacity was obtained"})
    name = fields.String(required=True, validate=validate.OneOf(["node", "karpenter", "nominal"]))
    resources = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "each resource's origin"},
    )


class MaxPodsSchema(Schema):
    value = fields.Integer(required=True)
    how = fields.String(required=True)


class ExplanationSchema(Schema):
    formula = fields.String(required=True)
    capacity_model = fields.Nested(CapacityModelSchema, required=True)
    max_pods = fields.Nested(MaxPodsSchema, required=True)
    flags = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "the kubelet flags"},
    )
    eviction_thresholds = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    steps = fields.List(
        fields.String(), required=True, metadata={"description": "how each figure was reached"}
    )
    sources = fields.List(fields.Nested(SourceSchema), required=True)
    notes = fields.List(fields.String(), required=True)


class AllocatableResponse(Schema):
    provider = fields.String(required=True)
    kubernetes_version = fields.String(required=True)
    instance_type = fields.String(required=True, allow_none=True)
    capacity = _resources("the node's capacity, canonical quantities")
    reserved = fields.Nested(ReservedSchema, required=True)
    allocatable = _resources("what the kubelet publishes as status.allocatable")
    max_pods = fields.Integer(required=True)
    explanation = fields.Nested(ExplanationSchema, required=True)
    warnings = fields.List(fields.Nested(WarningSchema), required=True)


def _compute(arguments: dict[str, Any], location: str) -> NodeAllocatable:
    provider = arguments.pop("provider", None) or "kubelet"
    for release_field in ("query_kubernetes_version", "query_feature_gates"):
        arguments.pop(release_field, None)
    version, gates = arguments.pop("kubernetes_version", None), arguments.pop("feature_gates", None)
    if location == "body":
        use_body_release(version, gates)
    work = options()
    try:
        return node_allocatable(provider, **arguments, options=work)
    except ManifestError as error:
        rows = [{**problem.to_json(), "in": location} for problem in error.problems]
        raise Problem(422, "; ".join(str(problem) for problem in error.problems), rows) from None


def _answer(result: NodeAllocatable) -> Any:
    chosen = wanted_format(("json", "text", "csv"))
    if chosen == "csv":
        header = result.CSV_HEADER
        return csv_response(header, [dict(zip(header, row, strict=True)) for row in result.csv_rows()])
    if chosen == "text":
        return text_response(result.describe().rstrip("\n"))
    return json_response(result.to_json())


@blp.route("/nodes/allocatable", methods=["GET"])
@blp.arguments(AllocatableQuery(), location="query", as_kwargs=True)
@blp.response(200, AllocatableResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_allocatable(**arguments: Any) -> Any:
    """The allocatable the kubelet would publish for a node of `provider`, from its capacity
    (`cpu`, `memory`, `ephemeral_storage`) or an EC2 `instance_type`, with how each figure was reached."""
    arguments.pop("format", None)
    arguments.pop("errors", None)
    return _answer(_compute(arguments, "query"))


@blp.route("/nodes/allocatable", methods=["POST"])
@blp.arguments(_PostQuery(), location="query", as_kwargs=True)
@blp.arguments(AllocatableBody(), location="json", as_kwargs=True)
@blp.response(200, AllocatableResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def post_allocatable(**arguments: Any) -> Any:
    """The same as the GET form, with the arguments in a JSON body (reservations may be maps)."""
    arguments.pop("format", None)
    return _answer(_compute(arguments, "body"))
