"""openapi.yaml is the published contract: it must equal what the app serves, and real answers must fit it."""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from marshmallow import Schema
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

from api import openapi_yaml
from api.config import package_version
from api.problems import PROBLEM_TYPE
from api.schemas import ProblemSchema
from quantities.manifest.problems import Problem

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_yaml_is_what_the_app_serves(app: Flask) -> None:
    committed = (ROOT / "openapi.yaml").read_text()
    assert committed == openapi_yaml(app), "openapi.yaml is stale: run `make openapi`"


def test_served_json_document_equals_the_yaml(app: Flask) -> None:
    served = app.test_client().get("/openapi.json").get_json()
    assert served == yaml.safe_load((ROOT / "openapi.yaml").read_text())


@pytest.fixture(scope="module")
def contract() -> OpenAPI:
    # Problem documents are JSON under their own media type (RFC 9457).
    config = Config(
        extra_media_type_deserializers={
            "application/problem+json": json.loads,
            "application/yaml": yaml.safe_load,
            # A CSV answer is documented as a string: its text, which must be UTF-8.
            "text/csv": lambda data: data.decode() if isinstance(data, bytes) else data,
        }
    )
    return OpenAPI.from_dict(yaml.safe_load((ROOT / "openapi.yaml").read_text()), config=config)


# Requests chosen to reach every documented operation and representation, answers and errors alike.
_NODE = {
    "kind": "Node",
    "metadata": {"name": "n", "labels": {"zone": "a"}},
    "spec": {"taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]},
    "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110", "nvidia.com/gpu": "2"}},
}
_POD = {
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "default", "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {
        "nodeName": "n",
        "containers": [
            {
                "name": "a",
                "resources": {
                    "requests": {"cpu": "500m", "nvidia.com/gpu": "1"},
                    "limits": {"nvidia.com/gpu": "1", "memory": "1Gi"},
                },
            }
        ],
    },
}
_DEPLOYMENT = {
    "kind": "Deployment",
    "metadata": {"name": "d", "namespace": "x"},
    "spec": {
        "template": {
            "spec": {
                "overhead": {"cpu": "100m"},
                "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "2"}}}],
                "containers": [{"name": "b", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
            }
        }
    },
}
_TWO_BAD_DOCUMENTS = (
    "kind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, resources: {limits: {cpu: x}}}]}\n---\n"
    "kind: Pod\nmetadata: {name: b}\nspec: {containers: [{name: b, resources: {requests: {memory: 1gb}}}]}\n"
)
_FIT = {"pod": {"cpu": "2"}, "nodes": [{"name": "n", "cpu": "1", "memory": "1Gi"}]}
_FIT_CLUSTER = {
    "pod": {"kind": "Pod", "metadata": {"name": "q"}, "spec": {"containers": [{"name": "a"}]}},
    "cluster": {"kind": "List", "items": [_NODE, _POD, {**_NODE, "metadata": {"name": "m"}, "spec": {}}]},
}
_PLAN = {
    "workloads": [{"name": "w", "replicas": 9, "cpu": "1", "memory": "1Gi", "cpu_limit": "2"}, _DEPLOYMENT],
    "cluster": [{**_NODE, "spec": {}}, _POD],
}
_PLAN_CSV = "kind,name,replicas,cpu,memory,pods\nNode,n1,,4,8Gi,110\n,web,3,1,1Gi,\n"
_CLUSTER = {"kind": "List", "items": [_NODE, _POD]}

EXCHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/v1/quantity?value=1.5Gi", {}),
    ("GET", "/v1/quantity?value=1.5Gi&to=GiB", {}),
    ("GET", "/v1/quantity?value=1K", {}),
    ("GET", "/v1/quantity?value=1K&format=text", {}),
    ("GET", "/v1/quantity?value=2%20GiB", {}),
    ("GET", "/v1/quantity?value=2%20GiB&lenient=true&to=MiB", {}),
    ("GET", "/v1/quantity?value=x&errors=text", {}),
    ("GET", "/v1/quantity?value=1&format=csv", {}),
    ("GET", "/v1/quantity", {}),
    ("GET", "/v1/quantity?value=1", {"headers": {"Accept": "text/plain"}}),
    ("GET", "/v1/quantities/normalize?value=1&value=1K", {}),
    ("GET", "/v1/quantities/normalize?value=1x&value=2%20GiB&value=1Gi&to=MiB", {}),
    ("GET", "/v1/quantities/normalize?value=1&value=x&format=csv", {}),
    ("GET", "/v1/quantities/normalize?value=1&value=x&format=text", {}),
    ("POST", "/v1/quantities/normalize", {"json": {"values": ["1", "1K", 5], "to": "MiB"}}),
    ("POST", "/v1/quantities/normalize", {"json": {"values": [True, None, "1.5 GiB"], "lenient": True}}),
    ("POST", "/v1/quantities/normalize", {"json": {"values": "1"}}),
    ("POST", "/v1/quantities/normalize", {"json": {"values": ["1"], "lenient": 1}}),
    ("POST", "/v1/quantities/normalize", {"data": "{", "content_type": "application/json"}),
    ("POST", "/v1/quantities/normalize", {"data": "values: [1", "content_type": "application/yaml"}),
    ("POST", "/v1/quantities/normalize", {"data": "1", "content_type": "text/plain"}),
    ("GET", "/v1/quantities/sum?value=1Gi&value=1Mi", {}),
    ("GET", "/v1/quantities/sum?value=1Gi&value=1Mi&to=GiB&format=text", {}),
    ("POST", "/v1/quantities/sum", {"json": {"values": ["1Gi", "x"]}}),
    ("POST", "/v1/quantities/sum", {"json": {"values": ["1Gi", "512Mi"], "to": "GiB"}}),
    ("GET", "/v1/quantities/compare?a=1&b=2", {}),
    ("GET", "/v1/quantities/compare?a=1&b=2&format=text", {}),
    ("GET", "/v1/quantities/compare?a=1&b=y", {}),
    ("POST", "/v1/quantities/compare", {"json": {"a": "1", "b": "1000m"}}),
    ("POST", "/v1/quantities/compare", {"json": {"a": 1}}),
    ("POST", "/v1/pods/qos", {"json": {"kind": "Pod", "spec": {"containers": [{"name": "a"}]}}}),
    ("POST", "/v1/pods/qos", {"json": [_POD, _DEPLOYMENT]}),
    ("POST", "/v1/pods/qos?format=csv", {"json": [_POD, _DEPLOYMENT]}),
    (
        "POST",
        "/v1/pods/qos",
        {
            "json": {
                "kind": "Pod",
                "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "x"}}}]},
            }
        },
    ),
    ("POST", "/v1/pods/qos", {"data": _TWO_BAD_DOCUMENTS, "content_type": "application/yaml"}),
    ("POST", "/v1/pods/qos", {"json": {"kind": "Pod", "spec": {"containers": "x"}}}),
    ("POST", "/v1/pods/qos", {"json": {"kind": "ConfigMap"}}),
    ("POST", "/v1/pods/qos?format=text", {"json": _POD}),
    (
        "POST",
        "/v1/pods/requests",
        {"data": "kind: Pod\nspec: {containers: [{name: a}]}\n", "content_type": "application/yaml"},
    ),
    ("POST", "/v1/pods/requests", {"json": [_POD, _DEPLOYMENT]}),
    ("POST", "/v1/pods/requests?exclude_overhead=true&pod_level_resources=false", {"json": _DEPLOYMENT}),
    ("POST", "/v1/pods/requests?format=csv", {"json": [_POD, _DEPLOYMENT]}),
    ("POST", "/v1/pods/requests", {"data": b"", "content_type": "application/json"}),
    (
        "POST",
        "/v1/nodes/allocated",
        {"json": {"kind": "Node", "metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "1"}}}},
    ),
    ("POST", "/v1/nodes/allocated", {"json": _CLUSTER}),
    ("POST", "/v1/nodes/allocated?format=text", {"json": _CLUSTER}),
    ("POST", "/v1/nodes/allocated?format=csv", {"json": _CLUSTER}),
    ("POST", "/v1/nodes/allocated?node=nope", {"json": _CLUSTER}),
    ("POST", "/v1/nodes/allocated", {"json": [_NODE, {**_NODE, "metadata": {"name": "m"}}]}),
    ("GET", "/v1/nodes/allocated?node=n1,2,4Gi,10&pod=web,1,1Gi", {}),
    ("GET", "/v1/nodes/allocated?node=n1,2,4Gi,10&pod=web,1,1Gi,2,2Gi&format=text", {}),
    ("GET", "/v1/nodes/allocated?node=n1,2,4Gi,10&pod=web,1,1Gi&format=csv", {}),
    ("GET", "/v1/nodes/allocated?node=n1,x,4Gi,10", {}),
    ("POST", "/v1/fit", {"json": _FIT}),
    ("POST", "/v1/fit", {"json": _FIT_CLUSTER}),
    ("POST", "/v1/fit?format=csv", {"json": _FIT_CLUSTER}),
    ("POST", "/v1/fit?format=text", {"json": _FIT}),
    ("POST", "/v1/fit", {"json": {"nodes": []}}),
    ("POST", "/v1/fit", {"json": {"pod": {"cpu": "1"}}}),
    ("POST", "/v1/fit", {"json": {"pod": {"cpu": "1"}, "nodes": [{"cpu": "1"}]}}),
    ("POST", "/v1/fit", {"data": "x", "content_type": "text/plain"}),
    ("POST", "/v1/fit", {"json": {**_FIT_CLUSTER, "pods": []}}),
    ("GET", "/v1/fit?cpu=1&node=n1,2,4Gi,10", {}),
    ("GET", "/v1/fit?cpu=4&memory=1Gi&node=n1,2,4Gi,10&node=n2,8,16Gi,110", {}),
    ("GET", "/v1/fit?cpu=1&node=n1,2,4Gi,10&format=text", {}),
    ("GET", "/v1/fit?cpu=1&node=n1,2,4Gi,10&format=csv", {}),
    ("GET", "/v1/fit?cpu=1&node=n1,2,4Gi,10&format=xml", {}),
    ("GET", "/v1/fit?cpu=x&node=n1,2,4Gi,10&errors=text", {}),
    (
        "POST",
        "/v1/plan",
        {
            "json": {
                "workloads": [{"name": "w", "replicas": 2, "cpu": "1"}],
                "nodes": [{"name": "n", "cpu": "1", "memory": "1Gi"}],
            }
        },
    ),
    ("POST", "/v1/plan", {"json": _PLAN}),
    ("POST", "/v1/plan?format=csv", {"json": _PLAN}),
    ("POST", "/v1/plan?format=csv&table=nodes", {"json": _PLAN}),
    ("POST", "/v1/plan?format=text", {"json": _PLAN}),
    ("POST", "/v1/plan", {"data": _PLAN_CSV, "content_type": "text/csv"}),
    ("POST", "/v1/plan", {"json": {"workloads": []}}),
    ("GET", "/v1/plan?workload=w,2,1,1Gi&node=n1,2,4Gi,10", {}),
    ("GET", "/v1/plan?workload=w,2,1,1Gi&node=n1,2,4Gi,10&format=csv&table=nodes", {}),
    ("GET", "/v1/plan?workload=w,2,1,1Gi&node=n1,2,4Gi,10&format=text", {}),
    ("GET", "/v1/nodes/allocatable?provider=eks&instance_type=m5.large", {}),
    ("GET", "/v1/nodes/allocatable?provider=eks&instance_type=m5.large&format=csv", {}),
    ("GET", "/v1/nodes/allocatable?provider=gke&cpu=2&memory=8Gi&format=text", {}),
    ("GET", "/v1/nodes/allocatable?provider=eks&memory=8GB&cpu=2", {}),
    ("POST", "/v1/nodes/allocatable", {"json": {"cpu": 4, "memory": "8Gi", "kube_reserved": {"cpu": "1"}}}),
    ("POST", "/v1/nodes/allocatable?format=csv", {"json": {"provider": "k3s", "cpu": "1", "memory": "1Gi"}}),
    ("GET", "/v1/plan?workload=w,2,1,1Gi", {}),
    ("POST", "/v1/capacity", {"json": _CLUSTER}),
    ("POST", "/v1/capacity?format=csv&group_by=zone", {"json": _CLUSTER}),
    ("POST", "/v1/capacity?format=text&selector=zone%3Da", {"json": _CLUSTER}),
    ("GET", "/v1/capacity?node=n1,2,4Gi,10,zone=a&pod=n1/web,1,1Gi&group_by=zone", {}),
    ("GET", "/v1/capacity?node=n1,2,4Gi,10&pod=web,1,1Gi", {}),
    ("GET", "/v1/capacity?node=n1,2,4Gi,10&kubernetes_version=1.2", {}),
    ("POST", "/v1/max-replicas", {"json": _FIT_CLUSTER}),
    ("POST", "/v1/max-replicas?format=csv", {"json": _FIT}),
    ("GET", "/v1/max-replicas?cpu=1&node=n1,2,4Gi,10&node=n2,4,4Gi,10,,gpu=true:NoSchedule", {}),
    ("GET", "/v1/max-replicas?cpu=1&node=n1,2,4Gi,10&format=text", {}),
    ("POST", "/v1/stranded", {"json": _FIT_CLUSTER}),
    ("GET", "/v1/stranded?cpu=1&memory=3Gi&node=n1,2,4Gi,10&format=csv", {}),
    ("POST", "/v1/what-if", {"json": {"cluster": _CLUSTER, "drain": ["n"]}}),
    ("POST", "/v1/what-if", {"json": {"nodes": [_NODE], "lose_zone": "b"}}),
    ("GET", "/v1/what-if?node=n1,2,4Gi,10&node=n2,2,4Gi,10&pod=n1/web,1,1Gi&drain=n1", {}),
    ("GET", "/v1/what-if?node=n1,2,4Gi,10&pod=n1/web,1,1Gi&lose_largest=1&format=csv", {}),
    # Rollouts and quotas.
    ("GET", "/v1/quota?workload=w,4,500m,1Gi&quota=team,requests.cpu=2,pods=10&used=team,pods=1", {}),
    ("GET", "/v1/quota?workload=w,4,500m,1Gi&quota=team,requests.cpu=2&format=csv", {}),
    ("GET", "/v1/quota?workload=w,4,500m,1Gi&limits=Container,max.cpu=100m&format=text", {}),
    ("GET", "/v1/quota?workload=w,4,500m,1Gi&quota=team,requests.cpu=x", {}),
    ("POST", "/v1/quota", {"json": {"workload": {"name": "w", "replicas": 2}, "namespace_state": []}}),
    ("POST", "/v1/quota", {"json": {"workload": {"name": "w"}}}),
    ("GET", "/v1/rollout?workload=w,10,1,1Gi&node=n1,4,8Gi,110", {}),
    ("GET", "/v1/rollout?workload=w,10,1,1Gi&max_surge=0&max_unavailable=0", {}),
    ("POST", "/v1/rollout?format=csv", {"json": {"workload": {"name": "w", "replicas": 3}}}),
    ("GET", "/v1/nodes-needed?workload=w,3,1,1Gi&template=t,2,4Gi,110,price=0.1&daemonset=d,100m,1Mi", {}),
    ("GET", "/v1/nodes-needed?workload=w,3,1,1Gi&template=t,2,4Gi,110&format=csv", {}),
    ("GET", "/v1/nodes-needed?workload=w,3,64,1Gi&template=t,2,4Gi,110&format=text", {}),
    ("GET", "/v1/nodes-needed?workload=w,3,1,1Gi&template=t,x,4Gi", {}),
    ("POST", "/v1/nodes-needed",
     {"json": {"workloads": [_DEPLOYMENT], "templates": ["t,2,4Gi"], "cluster": _NODE}}),
    ("POST", "/v1/nodes-needed?format=csv",
     {"json": {"workloads": [{"name": "w"}], "instance_types": ["t3.large"]}}),
    # The live endpoints answer from the fixed cluster of the `app` fixture below.
    ("GET", "/v1/cluster", {}),
    ("GET", "/v1/cluster/nodes/n/allocated", {}),
    ("GET", "/v1/cluster/nodes/n/allocated?format=text", {}),
    ("GET", "/v1/cluster/fit?cpu=1", {}),
    ("POST", "/v1/cluster/fit", {"json": {"pod": {"cpu": "1"}}}),
    ("GET", "/v1/cluster/max-replicas?cpu=1", {}),
    ("POST", "/v1/cluster/max-replicas", {"json": {"pod": {"cpu": "1"}}}),
    ("POST", "/v1/cluster/plan", {"json": {"workloads": [{"name": "w", "cpu": "1"}]}}),
    ("GET", "/v1/cluster/capacity", {}),
    ("GET", "/v1/cluster/capacity?format=csv&group_by=zone", {}),
    ("GET", "/v1/cluster/nodes-needed?workload=w,3,1,1Gi&template=t,2,4Gi,110", {}),
    (
        "POST",
        "/v1/cluster/nodes-needed",
        {"json": {"workloads": [{"name": "w", "cpu": "1"}], "templates": ["t,2,4Gi"]}},
    ),
    ("GET", "/v1/cluster/quota?namespace=default&workload=w,3,1,1Gi&format=csv", {}),
    ("POST", "/v1/cluster/quota?namespace=default", {"json": {"workload": {"name": "w", "cpu": "1"}}}),
    ("GET", "/livez", {}),
    ("GET", "/readyz", {}),
    ("GET", "/healthz", {}),
    ("GET", "/metrics", {}),
    ("GET", "/v1/nope", {}),
    ("DELETE", "/v1/quantity?value=1", {}),
]


@pytest.fixture()
def app() -> Flask:
    """The app with a fixed live cluster (_NODE, _POD), so /v1/cluster/... answers are real 200s."""
    from api import create_app
    from quantities.live.source import StaticSource

    return create_app(
        {
            "TESTING": True,
            "CLUSTER_SOURCE": StaticSource([_NODE, {**_POD, "spec": {**_POD["spec"], "nodeName": "n"}}]),
        }
    )


def _answer(app: Flask, method: str, url: str, options: dict[str, Any]) -> Response:
    return app.test_client().open(url, method=method, **options)


def _validate(contract: OpenAPI, method: str, url: str, options: dict[str, Any], response: Response) -> None:
    # The client consumed its request's body; validate against an identical fresh one.
    request = EnvironBuilder(path=url, method=method, **options).get_request()
    contract.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))


_DOCUMENTED = [exchange for exchange in EXCHANGES if exchange[1] != "/v1/nope" and exchange[0] != "DELETE"]


@pytest.mark.parametrize(("method", "url", "options"), _DOCUMENTED)
def test_answers_fit_the_contract(
    app: Flask, contract: OpenAPI, method: str, url: str, options: dict[str, Any]
) -> None:
    response = _answer(app, method, url, options)
    assert response.status_code < 500
    _validate(contract, method, url, options, response)


@pytest.mark.parametrize(("method", "url", "options"), EXCHANGES)
def test_every_answer_is_declared_in_its_schema(
    app: Flask, method: str, url: str, options: dict[str, Any]
) -> None:
    """The marshmallow schemas (which generate openapi.yaml) accept every real JSON answer as it is."""
    response = _answer(app, method, url, options)
    assert response.status_code < 500
    if response.mimetype == PROBLEM_TYPE:
        assert ProblemSchema().validate(response.get_json()) == {}
    elif response.mimetype == "application/json":
        schema = _response_schema(app, method, url)
        assert schema is not None, f"{method} {url} answers JSON without a declared schema"
        assert schema().validate(response.get_json()) == {}
    else:
        assert response.status_code == 200
        assert response.mimetype in ("text/plain", "text/csv")


def _response_schema(app: Flask, method: str, url: str) -> type[Schema] | None:
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(url.partition("?")[0], method=method)
    view = app.view_functions[endpoint]
    documented = getattr(view, "_apidoc", {}).get("response", {}).get("responses", {})
    schemas = [entry["schema"] for entry in documented.get(200, []) if entry.get("schema") is not None]
    if not schemas:
        return None
    return type(schemas[0]) if isinstance(schemas[0], Schema) else schemas[0]


def test_the_exchanges_reach_every_documented_operation(app: Flask) -> None:
    spec = app.extensions["kq_api"].spec.to_dict()
    documented = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    reached = {(method, url.partition("?")[0]) for method, url, _ in EXCHANGES}

    def reaches(method: str, template: str) -> bool:
        # A path parameter ({name}) matches any one segment.
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        return any(m == method and re.fullmatch(pattern, path) for m, path in reached)

    assert [operation for operation in sorted(documented) if not reaches(*operation)] == []


def test_the_exchanges_bring_errors_and_every_representation(app: Flask) -> None:
    media, statuses, problem_fields = set(), set(), set()
    for method, url, options in EXCHANGES:
        response = _answer(app, method, url, options)
        media.add(response.mimetype)
        statuses.add(response.status_code)
        if response.mimetype == PROBLEM_TYPE:
            for row in response.get_json().get("errors", []):
                problem_fields |= row.keys()
    assert media == {"application/json", "text/plain", "text/csv", PROBLEM_TYPE}
    assert {200, 400, 404, 405, 415, 422} <= statuses
    assert {"path", "message", "hint", "kubernetes", "object", "in"} <= problem_fields


# Every field a problem row (or a warning) can carry: Problem.to_json of a full Problem.
_FULL_PROBLEM = Problem(
    "spec.containers[0].resources.limits.memory",
    'invalid quantity "1gb"',
    kubernetes="quantities must match the regular expression",
    source='document 2, Deployment "web"',
    value='"1gb"',
    hint='did you mean "1G" or "1Gi"?',
)


@pytest.mark.parametrize(
    ("method", "url", "options"),
    [
        ("POST", "/v1/fit", {"json": _FIT}),
        ("GET", "/v1/fit?cpu=1&node=n1,2,4Gi,10", {}),
        ("POST", "/v1/plan", {"json": _PLAN}),
        ("GET", "/v1/plan?workload=w,2,1,1Gi&node=n1,2,4Gi,10", {}),
        ("POST", "/v1/nodes/allocated", {"json": _CLUSTER}),
        ("GET", "/v1/nodes/allocated?node=n1,2,4Gi,10&pod=web,1,1Gi", {}),
    ],
)
def test_warnings_are_part_of_the_fit_plan_and_allocated_answers(
    app: Flask, contract: OpenAPI, method: str, url: str, options: dict[str, Any]
) -> None:
    """An answer may carry ``warnings``: rows of the problem-row shape, every field declared."""
    response = _answer(app, method, url, options)
    document = response.get_json()
    rows = [_FULL_PROBLEM.to_json(), Problem("spec", "a warning").to_json()]
    assert {"path", "message", "value", "hint", "kubernetes", "object"} == rows[0].keys()
    response.set_data(json.dumps({**document, "warnings": rows}))
    _validate(contract, method, url, options, response)
    assert _response_schema(app, method, url)().validate({**document, "warnings": rows}) == {}


@pytest.mark.parametrize(
    ("method", "url", "options", "undeclared"),
    [
        ("GET", "/v1/quantity?value=1", {}, ["extra"]),
        ("POST", "/v1/fit", {"json": _FIT}, ["nodes", 0, "resources", "cpu", "extra"]),
        ("POST", "/v1/fit", {"json": _FIT}, ["nodes", 0, "extra"]),
        ("POST", "/v1/plan", {"json": _PLAN}, ["workloads", 0, "extra"]),
        ("POST", "/v1/plan", {"json": _PLAN}, ["nodes", 0, "cpu", "extra"]),
        ("POST", "/v1/nodes/allocated", {"json": _CLUSTER}, ["pods", 0, "cpu", "extra"]),
        ("POST", "/v1/nodes/allocated", {"json": _CLUSTER}, ["allocated", 0, "extra"]),
        ("POST", "/v1/pods/qos", {"json": _POD}, ["objects", 0, "extra"]),
        ("POST", "/v1/pods/requests", {"json": _POD}, ["objects", 0, "extra"]),
        ("POST", "/v1/fit", {"json": {"pod": {"cpu": "1"}}}, ["errors", 0, "extra"]),
        ("POST", "/v1/fit", {"json": {"pod": {"cpu": "1"}}}, ["extra"]),
        ("GET", "/readyz", {}, ["extra"]),
    ],
)
def test_an_undeclared_field_breaks_the_contract(
    app: Flask,
    contract: OpenAPI,
    method: str,
    url: str,
    options: dict[str, Any],
    undeclared: list[str | int],
) -> None:
    """The contract is closed: a field the schemas do not declare, at any depth, is a violation."""
    response = _answer(app, method, url, options)
    document = response.get_json()
    target = document
    for step in undeclared[:-1]:
        target = target[step]
    target[undeclared[-1]] = 1
    response.set_data(json.dumps(document))
    with pytest.raises(InvalidData):
        _validate(contract, method, url, options, response)


def _free_form_objects(node: Any, where: str = "") -> list[str]:
    """Where a schema lets an object hold anything: no properties and no shape for its values."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" not in node:
            extra = node.get("additionalProperties", True)
            if extra is True or extra == {}:
                found.append(where)
        if node.get("additionalProperties") is True:
            found.append(where)
        for key, value in node.items():
            found += _free_form_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _free_form_objects(value, f"{where}/{index}")
    return found


def test_no_answer_is_a_free_form_object() -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    answers = [
        operation["responses"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method != "parameters"  # a path's own parameters ({name}), not an operation
    ]
    assert _free_form_objects(answers) == []
    assert _free_form_objects(spec["components"]["responses"]) == []
    for name, schema in spec["components"]["schemas"].items():
        if name.endswith("Response") or name.endswith("Schema"):
            assert _free_form_objects(schema) == [], name
            if "properties" in schema:
                assert schema.get("additionalProperties") is False, name


def test_version_is_the_package_version(app: Flask) -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert spec["info"]["version"] == pyproject
    assert app.test_client().get("/openapi.json").get_json()["info"]["version"] == pyproject
    try:
        installed = importlib.metadata.version("kube-quantities")
    except importlib.metadata.PackageNotFoundError:
        return
    assert spec["info"]["version"] == installed


def test_version_falls_back_to_pyproject_when_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert package_version() == pyproject


def test_yaml_bodies_fit_the_contract_too(app: Flask, contract: OpenAPI) -> None:
    body = "values: [1.5Gi, 0.5]\n"
    options: dict[str, Any] = {"data": body, "content_type": "application/yaml"}
    response = app.test_client().post("/v1/quantities/normalize", **options)
    assert response.status_code == 200
    request = EnvironBuilder(path="/v1/quantities/normalize", method="POST", **options).get_request()
    contract.validate_request(WerkzeugOpenAPIRequest(request))
    contract.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))


@pytest.mark.parametrize("extra", [{"nodes": []}, {"pods": [[None]]}, {"nodes": [], "pods": []}])
def test_cluster_with_nodes_or_pods_is_refused_not_half_read(app: Flask, extra: dict[str, Any]) -> None:
    """Found by schemathesis: `pods` next to `cluster` was silently ignored (a 200 for any `pods`)."""
    response = app.test_client().post("/v1/fit", json={**_FIT_CLUSTER, **extra})
    assert response.status_code == 422
    assert [row["path"] for row in response.get_json()["errors"]] == sorted(extra)
