"""The contract: every request and response shape, once, as marshmallow schemas.

flask-smorest turns these into validation, error messages and ``openapi.yaml``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

__all__ = [
    "CompareQuery",
    "CompareRequest",
    "ComparisonSchema",
    "NormalizeQuery",
    "NormalizeRequest",
    "NormalizeResponse",
    "ProblemSchema",
    "QuantityQuery",
    "QuantitySummarySchema",
]

_FORMAT_HELP = "json (default), text (one value a line) or csv"


class QuantityText(fields.Field[Any]):
    """A quantity as Kubernetes reads it from JSON: a string, or a number taken by its exact text.

    Anything is passed through, so that the library reports a bad value
    against its own path instead of failing the whole request.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class QuantityList(fields.List[Any]):
    """A list of QuantityText, taken in one step: batches hold 100,000 values."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(QuantityText(allow_none=True), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return value


class _Presentation(Schema):
    """How a single value is answered."""

    format = fields.String(
        validate=validate.OneOf(["json", "text"]),
        metadata={"description": "json (default) or text: a bare value for a spreadsheet cell"},
    )
    errors = fields.String(
        validate=validate.OneOf(["problem", "text"]),
        metadata={"description": "text: answer errors with 200 and one line 'ERROR: ...' (for Excel)"},
    )


class _TablePresentation(_Presentation):
    """How a table is answered."""

    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]), metadata={"description": _FORMAT_HELP}
    )


class _Conversion(Schema):
    to = fields.String(
        metadata={
            "description": "a unit to convert to: B, kB, MB, GB, KiB, MiB, GiB, cores, millicores...",
            "example": "GiB",
        }
    )
    lenient = fields.Boolean(
        load_default=False,
        metadata={"description": "also accept what people write: '2 GiB', '512MB', '1.5 cores'"},
    )


class JsonBoolean(fields.Boolean):
    """In a JSON body a boolean is true or false; 0, 1 and "yes" are refused, as the contract says."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid", input=value)
        return value


class _BodyConversion(_Conversion):
    lenient = JsonBoolean(
        load_default=False,
        metadata={"description": "also accept what people write: '2 GiB', '512MB', '1.5 cores'"},
    )


class QuantityQuery(_Presentation, _Conversion):
    value = fields.String(
        required=True, metadata={"description": "a Kubernetes quantity", "example": "1.5Gi"}
    )


class QuantitySummarySchema(Schema):
    input = fields.String(required=True)
    canonical = fields.String(required=True, metadata={"description": "how Kubernetes writes it"})
    format = fields.String(
        required=True, validate=validate.OneOf(["BinarySI", "DecimalSI", "DecimalExponent"])
    )
    value = fields.String(required=True, metadata={"description": "the exact value as decimal text"})
    converted = fields.String(metadata={"description": "the exact value in the unit asked for"})
    unit = fields.String()


class NormalizeResultSchema(Schema):
    input = fields.Raw(required=True)
    canonical = fields.String()
    format = fields.String()
    value = fields.String()
    converted = fields.String()
    unit = fields.String()
    error = fields.String(metadata={"description": "why this value is not a quantity"})
    position = fields.Integer(metadata={"description": "index of the first offending character"})
    hint = fields.String(metadata={"description": "what was probably meant"})
    path = fields.String(metadata={"description": "JSON path of the value in the request"})


class NormalizeRequest(_BodyConversion):
    values = QuantityList(required=True, metadata={"example": ["1.5Gi", "0.1", "1K"]})


class NormalizeQuery(_TablePresentation, _Conversion):
    value = fields.List(fields.String(), required=True, metadata={"description": "repeat for each value"})


class SumQuery(_Presentation, _Conversion):
    value = fields.List(fields.String(), required=True, metadata={"description": "repeat for each value"})


class NormalizeResponse(Schema):
    results = fields.List(fields.Nested(NormalizeResultSchema), required=True)


class CompareRequest(Schema):
    a = QuantityText(required=True, allow_none=True)
    b = QuantityText(required=True, allow_none=True)
    lenient = JsonBoolean(load_default=False)


class CompareQuery(_Presentation):
    a = fields.String(required=True, metadata={"example": "1"})
    b = fields.String(required=True, metadata={"example": "1000m"})
    lenient = fields.Boolean(load_default=False)


class ComparisonSchema(Schema):
    a = fields.Nested(QuantitySummarySchema, required=True)
    b = fields.Nested(QuantitySummarySchema, required=True)
    result = fields.Integer(required=True, metadata={"description": "-1, 0 or 1, as Kubernetes' Cmp"})
    relation = fields.String(required=True, validate=validate.OneOf(["less", "equal", "greater"]))


class ProblemDetailSchema(Schema):
    path = fields.String(metadata={"description": "JSON path of the offending field"})
    message = fields.String()
    value = fields.String(metadata={"description": "the offending value, as JSON text"})
    hint = fields.String()
    error = fields.String()
    input = fields.Raw()
    position = fields.Integer()
    location = fields.String(data_key="in", metadata={"description": "query or body"})
    kubernetes = fields.String(metadata={"description": "the API server's own error line for this problem"})
    object = fields.String(metadata={"description": "which object of the body, when it holds several"})


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.List(fields.Nested(ProblemDetailSchema))


# -- pods --------------------------------------------------------------------------------------

_OBJECTS_HELP = (
    "Kubernetes objects as JSON or YAML (application/yaml): a Pod, a PodSpec, a Deployment, "
    "StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or PodTemplate, a List of "
    "them, a JSON array, or several YAML documents."
)

OBJECTS_BODY = {
    "required": True,
    "description": _OBJECTS_HELP,
    "content": {
        media: {"schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}
        for media in ("application/json", "application/yaml")
    },
}


class _PostFormat(Schema):
    """How a POST is answered (errors=text is for spreadsheet GETs only)."""

    format = fields.String(validate=validate.OneOf(["json", "csv"]), metadata={"description": "json or csv"})


class PodsQuery(_PostFormat):
    pod_level_resources = fields.Boolean(
        load_default=True,
        metadata={"description": "false: as a cluster with the PodLevelResources gate off (before v1.34)"},
    )


class RequestsQuery(PodsQuery):
    exclude_overhead = fields.Boolean(load_default=False, metadata={"description": "leave spec.overhead out"})


class _PodIdentity(Schema):
    kind = fields.String(required=True)
    name = fields.String(allow_none=True)
    namespace = fields.String(allow_none=True)
    document = fields.Integer(allow_none=True, metadata={"description": "index of the YAML document"})
    path = fields.String(allow_none=True, metadata={"description": "JSON path of the pod spec in the object"})


class QosReportSchema(_PodIdentity):
    qos_class = fields.String(
        required=True, validate=validate.OneOf(["Guaranteed", "Burstable", "BestEffort"])
    )
    decided_by = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)
    to_guaranteed = fields.List(fields.String(), required=True)
    notes = fields.List(fields.String(), required=True)


class RequestsReportSchema(_PodIdentity):
    requests = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    limits = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class QosResponse(Schema):
    objects = fields.List(fields.Nested(QosReportSchema), required=True)


class RequestsResponse(Schema):
    objects = fields.List(fields.Nested(RequestsReportSchema), required=True)


# -- nodes, fit, plan ----------------------------------------------------------------------------

CLUSTER_BODY = {
    "required": True,
    "description": (
        "Nodes and pods as `kubectl get nodes,pods -A -o json|yaml` prints them (a List, a JSON array or "
        'several YAML documents), or compact nodes `{"name", "cpu", "memory", "pods", "labels", '
        '"taints"}`.'
    ),
    "content": OBJECTS_BODY["content"],
}

FIT_BODY = {
    "required": True,
    "description": (
        '`{"pod": <Pod, workload or compact {"name", "cpu", "memory"}>, "cluster": <nodes and pods>}`; '
        "or `nodes` and `pods` lists instead of `cluster`."
    ),
    "content": {
        media: {"schema": {"type": "object", "required": ["pod"]}}
        for media in ("application/json", "application/yaml")
    },
}

PLAN_BODY = {
    "required": True,
    "description": (
        '`{"workloads": [...], "cluster": <nodes and pods>}` (or `nodes` and `pods`), workloads as '
        'manifests or compact `{"name", "replicas", "cpu", "memory", "cpu_limit", "memory_limit"}`; '
        "or a CSV table whose first line names the columns (kind,name,replicas,cpu,memory,pods,...): "
        "rows with kind=Node are nodes (name,cpu,memory,pods,labels,taints,unschedulable and resources "
        "such as nvidia.com/gpu; name, cpu and memory required, pods 110 when empty) and the others "
        "workloads (name,replicas,cpu,memory,cpu_limit,memory_limit,namespace; name, cpu and memory "
        "required, replicas 1 when empty). Errors name rows[i].column (0-based data rows) and the line."
    ),
    "content": {
        **{media: {"schema": {"type": "object"}} for media in ("application/json", "application/yaml")},
        "text/csv": {"schema": {"type": "string"}},
    },
}


class AllocatedQuery(Schema):
    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]), metadata={"description": _FORMAT_HELP}
    )
    node = fields.String(metadata={"description": "the node to describe, when the body holds several"})


def _node_row_help(where: str) -> str:
    return (
        "a node: name,cpu,memory[,pods[,labels[,taints]]]. Required: name (a DNS-1123 subdomain), cpu "
        "and memory (Kubernetes quantities, not negative); pods defaults to 110 (the kubelet's default "
        "max-pods) and is a whole number; labels are key=value separated by ';' (Kubernetes label "
        "syntax); taints are key[=value]:Effect separated by ';', Effect one of NoSchedule, "
        f"PreferNoSchedule, NoExecute. Errors name the parameter and field: {where}"
    )


_NODE_ROW_HELP = _node_row_help("node[1].cpu (0-based among the node parameters)")
_POD_ROW_HELP = (
    "repeat, one pod each: name,cpu,memory[,cpu_limit[,memory_limit]]. Required: name, cpu and memory "
    "requests (0 for none); limits optional. Errors name pod[i].field"
)


class AllocatedGetQuery(_TablePresentation):
    node = fields.String(
        required=True,
        metadata={"description": _node_row_help("node.cpu"), "example": "n1,4,16Gi,110"},
    )
    pod = fields.List(
        fields.String(),
        metadata={"description": _POD_ROW_HELP, "example": ["web,500m,1Gi"]},
    )


class FitQuery(_TablePresentation):
    cpu = fields.String(
        metadata={
            "description": "the pod's cpu request (a Kubernetes quantity); give cpu, memory or both",
            "example": "500m",
        }
    )
    memory = fields.String(
        metadata={
            "description": "the pod's memory request (a Kubernetes quantity); give cpu, memory or both",
            "example": "1Gi",
        }
    )
    node = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "repeat, " + _NODE_ROW_HELP, "example": ["n1,4,16Gi,110"]},
    )


class PlanTableQuery(Schema):
    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]), metadata={"description": _FORMAT_HELP}
    )
    table = fields.String(
        validate=validate.OneOf(["workloads", "nodes"]),
        metadata={
            "description": "with format=csv: the placements per workload (default) or the allocation per node"
        },
    )


class PlanQuery(_TablePresentation):
    table = PlanTableQuery._declared_fields["table"]
    workload = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": (
                "repeat, one workload each: name,replicas,cpu,memory[,cpu_limit[,memory_limit]]. Required: "
                "name, cpu and memory requests (0 for none); replicas is a whole number, empty for 1. "
                "Errors name workload[i].field"
            ),
            "example": ["web,3,500m,1Gi"],
        },
    )
    node = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "repeat, " + _NODE_ROW_HELP, "example": ["n1,4,16Gi,110"]},
    )


class AnyObject(Schema):
    """A document whose shape the library describes (see the endpoint's summary)."""

    class Meta:
        unknown = "include"


class FitResponse(Schema):
    fits = fields.Boolean(required=True)
    message = fields.String(allow_none=True, required=True)
    nodes = fields.List(fields.Dict(), required=True)

    class Meta:
        unknown = "include"


class PlanResponse(Schema):
    workloads = fields.List(fields.Dict(), required=True)
    nodes = fields.List(fields.Dict(), required=True)

    class Meta:
        unknown = "include"
