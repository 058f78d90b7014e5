"""openapi.yaml is the published contract: it must equal what the app serves, and real answers must fit it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder

from api import openapi_yaml

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
        }
    )
    return OpenAPI.from_dict(yaml.safe_load((ROOT / "openapi.yaml").read_text()), config=config)


# Requests chosen to reach every documented operation and representation.
EXCHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/v1/quantity?value=1.5Gi", {}),
    ("GET", "/v1/quantity?value=1.5Gi&to=GiB", {}),
    ("GET", "/v1/quantity?value=1K", {}),
    ("GET", "/v1/quantity", {}),
    ("GET", "/v1/quantities/normalize?value=1&value=1K", {}),
    ("POST", "/v1/quantities/normalize", {"json": {"values": ["1", "1K", 5], "to": "MiB"}}),
    ("POST", "/v1/quantities/normalize", {"data": "{", "content_type": "application/json"}),
    ("GET", "/v1/quantities/sum?value=1Gi&value=1Mi", {}),
    ("POST", "/v1/quantities/sum", {"json": {"values": ["1Gi", "x"]}}),
    ("GET", "/v1/quantities/compare?a=1&b=2", {}),
    ("POST", "/v1/quantities/compare", {"json": {"a": "1", "b": "1000m"}}),
    ("POST", "/v1/pods/qos", {"json": {"kind": "Pod", "spec": {"containers": [{"name": "a"}]}}}),
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
    (
        "POST",
        "/v1/pods/requests",
        {"data": "kind: Pod\nspec: {containers: [{name: a}]}\n", "content_type": "application/yaml"},
    ),
    (
        "POST",
        "/v1/nodes/allocated",
        {"json": {"kind": "Node", "metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "1"}}}},
    ),
    (
        "POST",
        "/v1/fit",
        {"json": {"pod": {"cpu": "2"}, "nodes": [{"name": "n", "cpu": "1", "memory": "1Gi"}]}},
    ),
    ("GET", "/v1/fit?cpu=1&node=n1,2,4Gi,10", {}),
    ("GET", "/v1/nodes/allocated?node=n1,2,4Gi,10&pod=web,1,1Gi", {}),
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
    ("GET", "/v1/plan?workload=w,2,1,1Gi&node=n1,2,4Gi,10", {}),
    ("GET", "/v1/plan?workload=w,2,1,1Gi", {}),
    ("GET", "/livez", {}),
    ("GET", "/readyz", {}),
    ("GET", "/healthz", {}),
]


@pytest.mark.parametrize(("method", "url", "options"), EXCHANGES)
def test_answers_fit_the_contract(
    app: Flask, contract: OpenAPI, method: str, url: str, options: dict[str, Any]
) -> None:
    response = app.test_client().open(url, method=method, **options)
    # The client consumed its request's body; validate against an identical fresh one.
    request = EnvironBuilder(path=url, method=method, **options).get_request()
    contract.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))


def test_yaml_bodies_fit_the_contract_too(app: Flask, contract: OpenAPI) -> None:
    body = "values: [1.5Gi, 0.5]\n"
    options: dict[str, Any] = {"data": body, "content_type": "application/yaml"}
    response = app.test_client().post("/v1/quantities/normalize", **options)
    assert response.status_code == 200
    request = EnvironBuilder(path="/v1/quantities/normalize", method="POST", **options).get_request()
    contract.validate_request(WerkzeugOpenAPIRequest(request))
    contract.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
