"""The scheduler endpoints within bounds: ``KQ_MAX_REPLICAS``, and the request's deadline in every call.

Before, ``GET /v1/plan?workload=web,1000000000,0,0&node=n1,1,1Gi,1000000000`` (93
characters) held a worker until gunicorn killed it, growing it from 37 MB to 750 MB.
"""

from __future__ import annotations

import json
import resource
import time
from typing import Any

import pytest
from flask import Flask

from api import create_app
from api.config import DEFAULTS, from_environment

PROBLEM = "application/problem+json"
BILLION = "/v1/plan?workload=web,1000000000,0,0&node=n1,1,1Gi,1000000000"


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"TESTING": True, "REQUEST_SECONDS": 1})


@pytest.fixture(scope="module")
def spent_app() -> Flask:
    """Every request's deadline is over before its work starts."""
    return create_app({"TESTING": True, "REQUEST_SECONDS": 0})


def test_the_93_character_url_is_refused_at_once_without_growing_the_worker(app: Flask) -> None:
    client = app.test_client()
    before = peak_rss_bytes()
    started = time.perf_counter()
    response = client.get(BILLION)
    elapsed = time.perf_counter() - started
    assert response.status_code == 413 and response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["errors"] == [{"path": "workload[0].replicas", "message": problem["detail"]}]
    assert "1,000,000,000 replicas" in problem["detail"] and "max-replicas" in problem["detail"]
    assert elapsed < 3
    assert peak_rss_bytes() - before < 64 * 1024 * 1024


def test_max_replicas_is_a_setting() -> None:
    assert DEFAULTS["MAX_REPLICAS"] == 10_000
    assert from_environment({"KQ_MAX_REPLICAS": "5"}) == {"MAX_REPLICAS": 5}
    client = create_app({"TESTING": True, "MAX_REPLICAS": 5}).test_client()
    assert client.get("/v1/plan?workload=web,5,1,1Gi&node=n1,8,8Gi").status_code == 200
    refused = client.get("/v1/plan?workload=web,2,1,1Gi&workload=db,6,1,1Gi&node=n1,8,8Gi")
    assert refused.status_code == 413
    assert refused.get_json()["errors"][0]["path"] == "workload[1].replicas"


def _daemonset_body(nodes: int) -> dict[str, Any]:
    template = {"spec": {"containers": [{"name": "c"}]}}
    return {
        "workloads": [{"kind": "DaemonSet", "metadata": {"name": "agent"}, "spec": {"template": template}}],
        "nodes": [{"name": f"n{i}", "cpu": "1", "memory": "1Gi"} for i in range(nodes)],
    }


def test_a_daemonset_counts_its_eligible_nodes_against_the_cap() -> None:
    client = create_app({"TESTING": True, "MAX_REPLICAS": 3}).test_client()
    assert client.post("/v1/plan", json=_daemonset_body(3)).status_code == 200
    refused = client.post("/v1/plan", json=_daemonset_body(4))
    assert refused.status_code == 413
    assert refused.get_json()["errors"][0]["path"] == "workloads[0]"
    assert "4 eligible nodes" in refused.get_json()["detail"]


POD = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
NODE = {"name": "n1", "cpu": "4", "memory": "8Gi"}
NODE_OBJECT = {
    "kind": "Node",
    "metadata": {"name": "n1"},
    "status": {"allocatable": {"cpu": "4", "memory": "8Gi"}},
}
PLAN = {"workloads": [{"name": "web", "replicas": 2}], "nodes": [NODE]}

# Each endpoint that computes, with a deadline already over: a 413 that says where the work stopped.
SPENT: list[tuple[str, str, Any, str]] = [
    ("/v1/fit", "POST", {"pod": POD, "nodes": [NODE]}, "reading the cluster"),
    ("/v1/fit?cpu=1&node=n1,4,8Gi", "GET", None, "reading the nodes"),
    ("/v1/plan", "POST", PLAN, "reading the cluster"),
    ("/v1/plan?workload=web,2,1,1Gi&node=n1,4,8Gi", "GET", None, "reading the nodes"),
    ("/v1/nodes/allocated", "POST", [NODE_OBJECT, POD | {"spec": {**POD["spec"], "nodeName": "n1"}}],
     'pods of node "n1"'),
    ("/v1/pods/qos", "POST", POD, "reading the pods"),
    ("/v1/pods/requests", "POST", POD, "reading the pods"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "method", "body", "where"), SPENT)
def test_past_the_deadline_every_computation_answers_413_saying_where(
    spent_app: Flask, url: str, method: str, body: Any, where: str
) -> None:
    data = json.dumps(body).encode() if body is not None else None
    response = spent_app.test_client().open(url, method=method, data=data, content_type="application/json")
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM
    detail = response.get_json()["detail"]
    assert f"allowed in {where}" in detail and "split it" in detail


def test_plans_under_the_deadline_are_answered(app: Flask) -> None:
    body = {"workloads": [{"name": "web", "replicas": 3, "cpu": "1"}], "nodes": [NODE]}
    response = app.test_client().post("/v1/plan", json=body)
    assert response.status_code == 200
    assert response.get_json()["workloads"][0]["placed"] == 3
