"""schemathesis against openapi.yaml and the live app: no 5xx, every answer fits the contract.

Request bodies are generated from the declared body schemas (Pods with containers and
resources, workloads, Nodes, compact nodes and workloads), so the fuzzing reaches the library's
readers; every answer, however deep, is checked against the declared response schemas
(additionalProperties: false). Examples are bounded (see ``settings``) so the run stays within a
minute or two.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from api import create_app
from quantities.live.source import StaticSource
from tests.kind_cluster import node, system_pods

ROOT = Path(__file__).resolve().parents[2]

schema = schemathesis.openapi.from_path(str(ROOT / "openapi.yaml"))
# The live endpoints (/v1/cluster/...) answer from a fixed small cluster.
schema.app = create_app({"TESTING": True, "CLUSTER_SOURCE": StaticSource([node(), *system_pods()])})


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case: schemathesis.Case) -> None:
    # A schema-valid string is not necessarily a quantity ("*"), so a 422 for
    # positive data is right; every other check (no 5xx, documented status,
    # content type and body) applies.
    # With errors=text every error is, by design, a 200 with an "ERROR:" line.
    excluded = [schemathesis.checks.positive_data_acceptance]
    if (case.query or {}).get("errors") == "text":
        excluded.append(schemathesis.checks.negative_data_rejection)
    response = case.call_and_validate(app=schema.app, excluded_checks=excluded)
    if (case.query or {}).get("errors") == "text":
        assert response.status_code == 200


def test_the_generated_bodies_are_nested() -> None:
    """The declared body schemas reach down to a container's resources (not `type: object`)."""
    spec = schema.raw_schema
    body = spec["paths"]["/v1/pods/qos"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/PodBody"} in body["anyOf"]
    container = spec["components"]["schemas"]["ContainerBody"]
    resources = container["properties"]["resources"]  # nullable: {"anyOf": [null object, $ref]}
    assert {"$ref": "#/components/schemas/ResourceRequirementsBody"} in resources.get("anyOf", [resources])
    requests = spec["components"]["schemas"]["ResourceRequirementsBody"]["properties"]["requests"]
    assert requests["additionalProperties"]["anyOf"][0]["type"] == "string"


_NODE = {"kind": "Node", "metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "1"}}}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/v1/nodes/allocated", {**_NODE, "metadata": "x"}),
        ("/v1/nodes/allocated", {**_NODE, "spec": {"taints": [5]}}),
        ("/v1/nodes/allocated", {**_NODE, "spec": {"taints": 5}}),
        ("/v1/fit", {"pod": {"cpu": "1"}, "nodes": [{"name": "n", "taints": [5]}]}),
        (
            "/v1/plan",
            {
                "workloads": [{"kind": "Job", "metadata": [None], "spec": {"template": {"spec": {}}}}],
                "cluster": [],
            },
        ),
    ],
)
def test_malformed_nodes_are_problems_not_server_errors(url: str, body: dict[str, Any]) -> None:
    client: FlaskClient = create_app({"TESTING": True}).test_client()
    response = client.post(url, json=body)
    assert response.status_code == 422
    assert all(row["path"] for row in response.get_json()["errors"])


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/v1/plan", {"workloads": [{"name": [None], "cpu": "1"}], "nodes": [{"name": "n", "cpu": "2"}]}),
        ("/v1/fit", {"pod": {"name": [None], "cpu": "1"}, "nodes": [{"name": "n", "cpu": "2"}]}),
    ],
)
def test_a_compact_name_must_be_a_string(url: str, body: dict[str, Any]) -> None:
    client: FlaskClient = create_app({"TESTING": True}).test_client()
    assert client.post(url, json=body).status_code == 422


def test_a_sum_past_the_exact_digit_bound_is_a_problem_not_a_server_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by the fuzzing (a pod whose requests mix 72657E2505 and 1e-300 scale values): the
    library's exact sum refuses past its digit bound with OverflowError, which was a 500."""
    import api.pods

    def too_many_digits(*_: Any, **__: Any) -> Any:
        raise OverflowError("this sum needs more than 4200 digits to be exact")

    monkeypatch.setattr(api.pods, "requests_report", too_many_digits)
    client: FlaskClient = create_app({"TESTING": True}).test_client()
    response = client.post("/v1/pods/requests", json={"containers": [{"name": "a"}]})
    assert response.status_code == 422
    assert response.get_json()["detail"] == (
        "a value in this request is too large or too precise to compute exactly "
        "(this sum needs more than 4200 digits to be exact)"
    )
