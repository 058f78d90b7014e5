"""The contract: every request and response shape, once, as marshmallow schemas.

flask-smorest turns these into validation, error messages and ``openapi.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from quantities.versions import (
    ENVIRONMENT_VARIABLE,
    NEWEST,
    SUPPORTED,
    FeatureGateError,
    KubernetesVersion,
    UnsupportedVersion,
    parse_feature_gates,
    supported_text,
)

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
    "VersionedAnswer",
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


# -- the Kubernetes release: a parameter of every /v1 operation, a field of every answer ----------

#: A version we answer for, as users paste it (``1.30``, ``v1.30``, ``1.34.1``,
#: ``v1.30.4-gke.1348000``); the empty string is the default. The minors come from
#: quantities.versions, so the contract lists exactly the releases the library models.
VERSION_PATTERN = (
    r"^$|^v?1\.(" + "|".join(str(version.minor) for version in SUPPORTED) + r")"
    r"(\.(0|[1-9][0-9]{0,4}))?([-+][0-9A-Za-z.+-]{0,100})?$"
)
VERSION_HELP = (
    f"the Kubernetes release to answer for: one of {supported_text()}, or a patch release such as "
    "1.34.1 (a provider's build string such as v1.30.4-gke.1348000 is read as its release). "
    f"Default (absent or empty): the service's default, {ENVIRONMENT_VARIABLE} when it was started "
    f"with one, else {NEWEST} (the newest). The answer says which it used: the Kubernetes-Version "
    "header and, in JSON, kubernetes_version. An unsupported value is a 422 naming kubernetes_version."
)
GATES_HELP = (
    "feature gates that differ from the release's defaults, in the kubelet's --feature-gates syntax: "
    "PodLevelResources=false,SidecarContainers=true. A gate the release does not have, or one locked "
    "to its default there, is a 422 naming feature_gates, as that release's components refuse it."
)
_BODY_GATES_HELP = GATES_HELP + ' In a JSON body also an object: {"PodLevelResources": false}.'
_VERSION_EXAMPLE = "1.32"


def _check_version(value: str) -> None:
    if value == "":
        return
    try:
        KubernetesVersion.parse(value)
    except UnsupportedVersion as error:
        raise ValidationError(str(error)) from None


def _check_gates(value: Any) -> None:
    if isinstance(value, str):
        try:
            parse_feature_gates(value)
        except FeatureGateError as error:
            raise ValidationError(str(error)) from None
        return
    if not isinstance(value, dict) or not all(type(setting) is bool for setting in value.values()):
        raise ValidationError(
            'expected the kubelet\'s text "Name=true,Other=false" or an object of booleans {"Name": true}'
        )


def version_field(**kwargs: Any) -> fields.String:
    """``kubernetes_version``: a supported release (``1.32``, ``1.34.1``), checked when read."""
    return fields.String(
        validate=_check_version,
        metadata={"description": VERSION_HELP, "pattern": VERSION_PATTERN, "example": _VERSION_EXAMPLE},
        **kwargs,
    )


def gates_field(body: bool = False, **kwargs: Any) -> fields.Field[Any]:
    """``feature_gates``: the kubelet's ``A=true,B=false`` (and in a body also ``{"A": true}``)."""
    if not body:
        return fields.String(
            validate=_check_gates,
            metadata={"description": GATES_HELP, "example": "PodLevelResources=false"},
            **kwargs,
        )
    return fields.Raw(
        validate=_check_gates,
        metadata={
            "description": _BODY_GATES_HELP,
            "anyOf": [
                {"type": "string", "example": "PodLevelResources=false"},
                {"type": "object", "additionalProperties": {"type": "boolean"}},
            ],
        },
        **kwargs,
    )


def release_properties() -> dict[str, Any]:
    """The two body fields as JSON Schema, for the bodies described by hand (fit, plan)."""
    return {
        "kubernetes_version": {
            "type": "string",
            "pattern": VERSION_PATTERN,
            "description": VERSION_HELP + " Given in the body or as a query parameter, not both.",
            "example": _VERSION_EXAMPLE,
        },
        "feature_gates": {
            "description": _BODY_GATES_HELP + " Given in the body or as a query parameter, not both.",
            "anyOf": [
                {"type": "string", "example": "PodLevelResources=false"},
                {"type": "object", "additionalProperties": {"type": "boolean"}},
            ],
        },
    }


class ReleaseQuery(Schema):
    """``kubernetes_version`` and ``feature_gates`` as query parameters (every /v1 operation).

    The service reads them before the view (api.work), so the views never take them as
    arguments; the attributes keep them apart from a body's fields of the same names.
    """

    kubernetes_version = version_field(attribute="query_kubernetes_version")
    feature_gates = gates_field(attribute="query_feature_gates")


class _BodyRelease(Schema):
    """``kubernetes_version`` and ``feature_gates`` in a JSON object body (or as query parameters)."""

    kubernetes_version = version_field(allow_none=True)
    feature_gates = gates_field(body=True, allow_none=True)


class VersionedAnswer(Schema):
    """Every JSON answer object says which release it computed for."""

    kubernetes_version = fields.String(
        required=True,
        metadata={
            "description": "the Kubernetes release this answer is for (also the Kubernetes-Version header)",
            "example": str(NEWEST),
        },
    )


class _Presentation(ReleaseQuery):
    """How a single value is answered."""

    format = fields.String(
        validate=validate.OneOf(["json", "text"]),
        metadata={"description": "json (default) or text: a bare value for a spreadsheet cell"},
    )
    errors = fields.String(
        validate=validate.OneOf(["problem", "text"]),
        metadata={"description": "text: answer errors with 200 and one line 'ERROR: ...' (for Excel)"},
    )


def _table_format() -> fields.String:
    """``format`` of an answer that is a table."""
    return fields.String(
        validate=validate.OneOf(["json", "text", "csv"]), metadata={"description": _FORMAT_HELP}
    )


class _TablePresentation(_Presentation):
    """How a table is answered."""

    format = _table_format()


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


class QuantityAnswer(VersionedAnswer, QuantitySummarySchema):
    """One quantity's summary, as an answer (the quantity grammar is the same in every release)."""


class NormalizeResultSchema(Schema):
    """One row of a batch: the summary of a valid quantity, or why the value is not one."""

    input = fields.Raw(
        required=True, allow_none=True, metadata={"description": "the value as given (any JSON value)"}
    )
    canonical = fields.String()
    format = fields.String()
    value = fields.String()
    converted = fields.String()
    unit = fields.String()
    error = fields.String(metadata={"description": "why this value is not a quantity"})
    position = fields.Integer(metadata={"description": "index of the first offending character"})
    hint = fields.String(metadata={"description": "what was probably meant"})
    path = fields.String(metadata={"description": "JSON path of the value in the request"})


class NormalizeRequest(_BodyRelease, _BodyConversion):
    values = QuantityList(required=True, metadata={"example": ["1.5Gi", "0.1", "1K"]})


class NormalizeQuery(_TablePresentation, _Conversion):
    value = fields.List(fields.String(), required=True, metadata={"description": "repeat for each value"})


class SumQuery(_Presentation, _Conversion):
    value = fields.List(fields.String(), required=True, metadata={"description": "repeat for each value"})


class NormalizeResponse(VersionedAnswer):
    results = fields.List(fields.Nested(NormalizeResultSchema), required=True)


class CompareRequest(_BodyRelease):
    a = QuantityText(required=True, allow_none=True)
    b = QuantityText(required=True, allow_none=True)
    lenient = JsonBoolean(load_default=False)


class CompareQuery(_Presentation):
    a = fields.String(required=True, metadata={"example": "1"})
    b = fields.String(required=True, metadata={"example": "1000m"})
    lenient = fields.Boolean(load_default=False)


class ComparisonSchema(VersionedAnswer):
    a = fields.Nested(QuantitySummarySchema, required=True)
    b = fields.Nested(QuantitySummarySchema, required=True)
    result = fields.Integer(required=True, metadata={"description": "-1, 0 or 1, as Kubernetes' Cmp"})
    relation = fields.String(required=True, validate=validate.OneOf(["less", "equal", "greater"]))


class WarningSchema(Schema):
    """One problem with the input, at its JSON path: a row of a problem document or of ``warnings``."""

    path = fields.String(
        required=True,
        metadata={
            "description": "JSON path of the offending field (`spec.containers[0].resources.limits.cpu`)"
        },
    )
    message = fields.String(required=True, metadata={"description": "what is wrong, and what was expected"})
    value = fields.String(metadata={"description": "the offending value, as JSON text"})
    hint = fields.String(metadata={"description": "what was probably meant"})
    kubernetes = fields.String(metadata={"description": "the API server's own error line for this problem"})
    object = fields.String(metadata={"description": "which object of the body, when it holds several"})


class ProblemDetailSchema(WarningSchema):
    location = fields.String(
        data_key="in",
        validate=validate.OneOf(["query", "body"]),
        metadata={"description": "query or body"},
    )


class HealthSchema(VersionedAnswer):
    status = fields.String(required=True, validate=validate.OneOf(["ok", "unavailable"]))
    detail = fields.String(required=True, metadata={"example": "ready"})


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True, metadata={"description": "the path asked for"})
    errors = fields.List(fields.Nested(ProblemDetailSchema))
    kubernetes_version = fields.String(
        metadata={
            "description": "the Kubernetes release the request asked for (absent when the problem is "
            "that release itself, or arose before it was read)"
        }
    )


_RESOURCE_MAP = "resource name to quantity, as Kubernetes writes it"


def _resource_map(description: str = _RESOURCE_MAP, **kwargs: Any) -> fields.Dict:
    """A map keyed by resource name (``{"cpu": "500m"}``): a declared shape, not a free-form object."""
    return fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": description}, **kwargs
    )


# -- pods --------------------------------------------------------------------------------------

# Request bodies are Kubernetes objects, read by the library (which reports every problem with its
# path), not loaded through these schemas: they document the shape and let clients and fuzzers
# build bodies field by field. Objects carry many fields the computations do not read, so the
# schemas are open (additionalProperties: true); only answers are closed.

# apimachinery's quantity grammar (resource.ParseQuantity): sign, digits with an optional point,
# then a decimal exponent, a decimal SI suffix or a binary suffix.
QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$"


def _quantity(description: str = "a Kubernetes quantity", **kwargs: Any) -> fields.Raw:
    """A quantity in a body: a string in Kubernetes' notation, or a JSON number."""
    return fields.Raw(
        metadata={
            "description": description,
            "anyOf": [{"type": "string", "pattern": QUANTITY_PATTERN}, {"type": "number"}],
        },
        **kwargs,
    )


def _quantities(description: str = "resource name to quantity") -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=_quantity(), metadata={"description": description})


class _Open(Schema):
    class Meta:
        unknown = "include"


class ObjectMetaBody(_Open):
    name = fields.String()
    namespace = fields.String()
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    creationTimestamp = fields.String(metadata={"description": "RFC 3339, as the API server writes it"})


class ResourceRequirementsBody(_Open):
    requests = _quantities()
    limits = _quantities()


class ContainerBody(_Open):
    name = fields.String(required=True)
    resources = fields.Nested(ResourceRequirementsBody)
    restartPolicy = fields.String(metadata={"description": "Always on an init container: a sidecar"})


class PodSpecBody(_Open):
    containers = fields.List(fields.Nested(ContainerBody), required=True, validate=validate.Length(min=1))
    initContainers = fields.List(fields.Nested(ContainerBody))
    overhead = _quantities("spec.overhead: what the RuntimeClass adds to the pod")
    resources = fields.Nested(ResourceRequirementsBody, metadata={"description": "pod-level resources"})
    nodeName = fields.String()


class PodBody(_Open):
    apiVersion = fields.String()
    kind = fields.String(required=True, validate=validate.OneOf(["Pod"]))
    metadata = fields.Nested(ObjectMetaBody)
    spec = fields.Nested(PodSpecBody, required=True)


class PodTemplateSpecBody(_Open):
    metadata = fields.Nested(ObjectMetaBody)
    spec = fields.Nested(PodSpecBody, required=True)


class WorkloadSpecBody(_Open):
    replicas = fields.Integer()
    template = fields.Nested(PodTemplateSpecBody, required=True)


_WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"]


class WorkloadBody(_Open):
    apiVersion = fields.String()
    kind = fields.String(required=True, validate=validate.OneOf(_WORKLOAD_KINDS))
    metadata = fields.Nested(ObjectMetaBody)
    spec = fields.Nested(WorkloadSpecBody, required=True)


class TaintBody(_Open):
    key = fields.String(required=True)
    value = fields.String()
    effect = fields.String(validate=validate.OneOf(["NoSchedule", "PreferNoSchedule", "NoExecute"]))


class NodeSpecBody(_Open):
    taints = fields.List(fields.Nested(TaintBody))
    unschedulable = JsonBoolean()


class NodeStatusBody(_Open):
    allocatable = _quantities("what the scheduler may hand out")
    capacity = _quantities()


class NodeBody(_Open):
    apiVersion = fields.String()
    kind = fields.String(required=True, validate=validate.OneOf(["Node"]))
    metadata = fields.Nested(ObjectMetaBody, required=True)
    spec = fields.Nested(NodeSpecBody)
    status = fields.Nested(NodeStatusBody)


# The API server decodes JSON null in an optional field as the field's zero value (Go's
# encoding/json), so Kubernetes objects may carry nulls there: the contract says so.
for _schema in (
    ObjectMetaBody,
    ResourceRequirementsBody,
    ContainerBody,
    PodSpecBody,
    PodBody,
    PodTemplateSpecBody,
    WorkloadSpecBody,
    WorkloadBody,
    TaintBody,
    NodeSpecBody,
    NodeStatusBody,
    NodeBody,
):
    for _field in _schema._declared_fields.values():
        if not _field.required:
            _field.allow_none = True


class CompactNodeBody(_Open):
    """A node written compactly; other keys are further allocatable resources (``nvidia.com/gpu``)."""

    name = fields.String(required=True)
    cpu = _quantity("allocatable cpu")
    memory = _quantity("allocatable memory")
    pods = _quantity("how many pods the node takes (110 when absent)")
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    taints = fields.List(fields.String(metadata={"example": "gpu=true:NoSchedule"}))


class CompactPodBody(_Open):
    """The pod of a fit written compactly: its requests and limits (one pod needs no name)."""

    name = fields.String()
    cpu = _quantity("cpu request")
    memory = _quantity("memory request")
    cpu_limit = _quantity()
    memory_limit = _quantity()


class CompactWorkloadBody(_Open):
    """A workload written compactly: replicas of one pod with these requests and limits."""

    name = fields.String(required=True)
    replicas = fields.Integer()
    cpu = _quantity("cpu request of one replica")
    memory = _quantity("memory request of one replica")
    cpu_limit = _quantity()
    memory_limit = _quantity()


class ListBody(_Open):
    kind = fields.String(required=True, validate=validate.OneOf(["List"]))
    items = fields.List(fields.Dict(), required=True)


_OBJECTS_HELP = (
    "Kubernetes objects as JSON or YAML (application/yaml): a Pod, a PodSpec, a Deployment, "
    "StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or PodTemplate, a List of "
    "them, a JSON array, or several YAML documents."
)


def _pod_objects() -> list[Any]:
    return [PodBody, WorkloadBody, PodSpecBody, ListBody]


def _objects_schema() -> dict[str, Any]:
    """A pod-holding object, or an array of objects (where other kinds are skipped)."""
    return {
        "anyOf": [
            *_pod_objects(),
            {"type": "array", "items": {"anyOf": [*_pod_objects(), {"type": "object"}]}},
        ]
    }


def _request_body(
    description: str, schema: Callable[[], dict[str, Any]], csv: bool = False
) -> dict[str, Any]:
    """A required body read as JSON or YAML (the same schema), or also as a CSV table.

    Each media type gets its own copy of the schema: a shared one would be written with YAML anchors.
    """
    content: dict[str, Any]
    content = {media: {"schema": schema()} for media in ("application/json", "application/yaml")}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return {"required": True, "description": description, "content": content}


OBJECTS_BODY = _request_body(_OBJECTS_HELP, _objects_schema)


class _PostFormat(ReleaseQuery):
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
    """Which pod of the body a report is about."""

    kind = fields.String(required=True, metadata={"description": "the kind of the object holding the pod"})
    name = fields.String(required=True, allow_none=True)
    namespace = fields.String(required=True, allow_none=True)
    document = fields.Integer(
        required=True, allow_none=True, metadata={"description": "index of the YAML document"}
    )
    path = fields.String(
        required=True, allow_none=True, metadata={"description": "JSON path of the pod spec in the object"}
    )


class QosReportSchema(_PodIdentity):
    """The QoS class the API server gives the pod (status.qosClass), and why."""

    kubernetes_version = fields.String(
        required=True, metadata={"description": "the Kubernetes release whose API server computed the class"}
    )
    qos_class = fields.String(
        required=True, validate=validate.OneOf(["Guaranteed", "Burstable", "BestEffort"])
    )
    decided_by = fields.String(required=True, metadata={"description": "what decided the class"})
    reasons = fields.List(fields.String(), required=True)
    to_guaranteed = fields.List(
        fields.String(), required=True, metadata={"description": "what would make the pod Guaranteed"}
    )
    notes = fields.List(fields.String(), required=True)


class RequestsReportSchema(_PodIdentity):
    """The pod's effective requests and limits, as the scheduler and kubelet add them up."""

    requests = _resource_map(required=True)
    limits = _resource_map(
        description="resource name to quantity; a resource without a limit is absent", required=True
    )
    replicas = fields.Integer(
        metadata={
            "description": "spec.replicas of a Deployment, ReplicaSet, ReplicationController or "
            "StatefulSet (1 when unset); absent for other objects"
        }
    )
    total = fields.Nested(
        "WorkloadTotalSchema",
        metadata={"description": "with replicas: requests and limits of all the replicas together"},
    )


class WorkloadTotalSchema(Schema):
    """Every replica's requests and limits, added up."""

    requests = _resource_map(required=True)
    limits = _resource_map(required=True)


class QosResponse(VersionedAnswer):
    objects = fields.List(fields.Nested(QosReportSchema), required=True)


class RequestsResponse(VersionedAnswer):
    objects = fields.List(fields.Nested(RequestsReportSchema), required=True)


# -- nodes, fit, plan ----------------------------------------------------------------------------


def _cluster_schema(description: str = "") -> dict[str, Any]:
    """Nodes and pods: a Node, a List, or an array of nodes (full or compact), pods and Lists."""
    # Other kinds (a Service in a `kubectl get all` dump) are skipped, as the scheduler ignores them.
    items = {"anyOf": [NodeBody, CompactNodeBody, PodBody, ListBody, {"type": "object"}]}
    schema: dict[str, Any] = {"anyOf": [NodeBody, ListBody, {"type": "array", "items": items}]}
    return {**schema, "description": description} if description else schema


def _with_cluster(required: list[str], **properties: Any) -> dict[str, Any]:
    """A fit or plan body: its own fields, and the cluster as ``cluster`` or ``nodes`` and ``pods``."""
    return {
        "type": "object",
        "required": required,
        "properties": {
            **properties,
            **release_properties(),
            "cluster": _cluster_schema("nodes and pods, as `kubectl get nodes,pods -o json` prints them"),
            "nodes": {
                "type": "array",
                "description": "instead of `cluster`: the nodes",
                "items": {"anyOf": [NodeBody, CompactNodeBody]},
            },
            "pods": {
                "type": "array",
                "description": "with `nodes`: the pods already running (other kinds are skipped)",
                "items": {"anyOf": [PodBody, ListBody, {"type": "object"}]},
            },
        },
    }


def _fit_schema() -> dict[str, Any]:
    pod = {
        "description": "the pod: a Pod, a workload or a compact pod",
        "anyOf": [PodBody, WorkloadBody, CompactPodBody],
    }
    return _with_cluster(["pod"], pod=pod)


def _plan_schema() -> dict[str, Any]:
    workloads = {
        "type": "array",
        "minItems": 1,
        "items": {"anyOf": [WorkloadBody, PodBody, CompactWorkloadBody]},
    }
    return _with_cluster(["workloads"], workloads=workloads)


CLUSTER_BODY = _request_body(
    "Nodes and pods as `kubectl get nodes,pods -A -o json|yaml` prints them (a List, a JSON array or "
    'several YAML documents), or compact nodes `{"name", "cpu", "memory", "pods", "labels", '
    '"taints"}`.',
    _cluster_schema,
)


FIT_BODY = _request_body(
    '`{"pod": <Pod, workload or compact {"name", "cpu", "memory"}>, "cluster": <nodes and pods>}`; '
    "or `nodes` and `pods` lists instead of `cluster`.",
    _fit_schema,
)

PLAN_BODY = _request_body(
    (
        '`{"workloads": [...], "cluster": <nodes and pods>}` (or `nodes` and `pods`), workloads as '
        'manifests or compact `{"name", "replicas", "cpu", "memory", "cpu_limit", "memory_limit"}`; '
        "or a CSV table whose first line names the columns (kind,name,replicas,cpu,memory,pods,...): "
        "rows with kind=Node are nodes (name,cpu,memory,pods,labels,taints,unschedulable and resources "
        "such as nvidia.com/gpu; name, cpu and memory required, pods 110 when empty) and the others "
        "workloads (name,replicas,cpu,memory,cpu_limit,memory_limit,namespace; name, cpu and memory "
        "required, replicas 1 when empty). Errors name rows[i].column (0-based data rows) and the line."
    ),
    _plan_schema,
    csv=True,
)


class AllocatedQuery(ReleaseQuery):
    format = _table_format()
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


def _node_rows() -> fields.List[Any]:
    """The repeated ``node`` GET parameter of fit and plan."""
    return fields.List(
        fields.String(),
        required=True,
        metadata={"description": "repeat, " + _NODE_ROW_HELP, "example": ["n1,4,16Gi,110"]},
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
    node = _node_rows()


class FitPostQuery(ReleaseQuery):
    format = _table_format()


class PlanTableQuery(ReleaseQuery):
    format = _table_format()
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
    node = _node_rows()


# -- answers of /v1/nodes/allocated, /v1/fit and /v1/plan -------------------------------------------
# Field for field what NodeAllocation.to_json, FitResult.to_json and PlanResult.to_json write.

_WARNINGS_HELP = (
    "what was read but is probably not what was meant (the answer is still given); "
    "absent when there is nothing to say"
)


class _Warned(VersionedAnswer):
    warnings = fields.List(fields.Nested(WarningSchema), metadata={"description": _WARNINGS_HELP})


class ResourceAllocationSchema(Schema):
    """A row of "Allocated resources" (or a pod's cpu or memory): requests and limits against allocatable."""

    resource = fields.String(required=True, metadata={"example": "cpu"})
    requests = fields.String(required=True, metadata={"example": "960m"})
    limits = fields.String(required=True, metadata={"example": "2"})
    allocatable = fields.String(
        required=True, allow_none=True, metadata={"description": "null when the node does not offer it"}
    )
    requests_percent = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "kubectl's percentage of allocatable; null for an extended resource"},
    )
    limits_percent = fields.Integer(required=True, allow_none=True)


class PodAllocationSchema(Schema):
    """A row of "Non-terminated Pods"."""

    namespace = fields.String(required=True)
    name = fields.String(required=True)
    cpu = fields.Nested(ResourceAllocationSchema, required=True)
    memory = fields.Nested(ResourceAllocationSchema, required=True)
    requests = _resource_map(required=True)
    limits = _resource_map(required=True)
    created = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "metadata.creationTimestamp in ISO 8601; null when absent"},
    )


class AllocatedResponse(_Warned):
    """The "Non-terminated Pods" and "Allocated resources" sections of `kubectl describe node`."""

    kubernetes_version = fields.String(
        required=True, metadata={"description": "the Kubernetes release whose kubectl these figures are"}
    )
    name = fields.String(required=True, metadata={"description": "the node"})
    allocatable = _resource_map("the node's status.allocatable", required=True)
    pods = fields.List(fields.Nested(PodAllocationSchema), required=True)
    allocated = fields.List(fields.Nested(ResourceAllocationSchema), required=True)


class ResourceCheckSchema(Schema):
    """One resource on one node: the pod's request, what is free, how much is missing."""

    requested = fields.String(required=True)
    free = fields.String(required=True, metadata={"description": "allocatable minus what pods request"})
    shortfall = fields.String(required=True, metadata={"description": "0 when the request fits"})


class NodeFitSchema(Schema):
    """One node's verdict for the pod."""

    name = fields.String(required=True)
    fits = fields.Boolean(required=True)
    plugin = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the kube-scheduler plugin that rejected the node; null when it fits"},
    )
    reasons = fields.List(fields.String(), required=True, metadata={"description": "the plugin's reasons"})
    resources = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ResourceCheckSchema),
        required=True,
        metadata={"description": "per resource the pod requests, and pods"},
    )


class FitResponse(_Warned):
    """Whether the pod fits each node, and kube-scheduler's FailedScheduling message when none does."""

    pod = fields.String(required=True)
    fits = fields.Boolean(required=True, metadata={"description": "true when at least one node fits"})
    message = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the FailedScheduling event; null when it fits"},
    )
    feasible = fields.List(fields.String(), required=True, metadata={"description": "the nodes that fit"})
    preemption_nodes = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "nodes where preempting lower-priority pods would make room"},
    )
    nodes = fields.List(fields.Nested(NodeFitSchema), required=True)


class WorkloadPlanSchema(Schema):
    """One workload's outcome: how many replicas go where, and why the rest stay Pending."""

    name = fields.String(required=True)
    kind = fields.String(required=True)
    namespace = fields.String(required=True)
    replicas = fields.Integer(required=True)
    placed = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    placements = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "node name to the number of replicas placed on it"},
    )
    message = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the FailedScheduling event of the pending replicas; null when none"},
    )
    messages = fields.List(fields.String(), required=True)
    requests = _resource_map("the requests of one replica", required=True)


class NodeResourceUsageSchema(Schema):
    allocatable = fields.String(required=True)
    requests = fields.String(required=True)
    requests_percent = fields.Integer(required=True)
    limits = fields.String(required=True)
    limits_percent = fields.Integer(required=True)


class NodeUsageSchema(Schema):
    """A node's allocation once the plan is placed."""

    name = fields.String(required=True)
    pods = fields.Integer(required=True)
    allowed_pods = fields.Integer(required=True)
    placed = fields.Integer(required=True, metadata={"description": "replicas the plan put here"})
    cpu = fields.Nested(NodeResourceUsageSchema, required=True)
    memory = fields.Nested(NodeResourceUsageSchema, required=True)


class PlanResponse(_Warned):
    workloads = fields.List(fields.Nested(WorkloadPlanSchema), required=True)
    nodes = fields.List(fields.Nested(NodeUsageSchema), required=True)
