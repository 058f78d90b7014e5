"""/v1/cluster/...: the offline answers on the live state, with its currency; no-cache and ETags; errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder

from api import create_app
from quantities.live.source import StaticSource
from quantities.pod.workloads import compact_workload
from quantities.scheduler.plan import max_replicas
from tests.live.cluster_data import objects

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = {"kind": "List", "apiVersion": "v1", "items": objects()}
CURRENCY = ("as_of", "age_seconds", "resource_version", "stale", "stale_reason")
WORKLOADS = [
    {"name": "web", "replicas": 5, "cpu": "500m", "memory": "512Mi"},
    {
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "prod"},
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "containers": [{"name": "api", "resources": {"requests": {"cpu": "2", "memory": "3Gi"}}}]
                }
            },
        },
    },
]


@pytest.fixture()
def live() -> Flask:
    return create_app({"TESTING": True, "CLUSTER_SOURCE": StaticSource(objects(), resource_version="4242")})


@pytest.fixture()
def client(live: Flask) -> FlaskClient:
    return live.test_client()


def _without_currency(document: dict[str, Any]) -> dict[str, Any]:
    for key in CURRENCY:
        assert key in document, key
    return {key: value for key, value in document.items() if key not in CURRENCY}


@pytest.mark.parametrize("query", ["cpu=1&memory=1Gi", "cpu=3", "memory=20Gi", "cpu=100"])
@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_fit_equals_the_offline_answer(client: FlaskClient, query: str, form: str) -> None:
    cpu_memory = dict(part.split("=") for part in query.split("&"))
    offline = client.post(f"/v1/fit?format={form}", json={"pod": cpu_memory, "cluster": CLUSTER})
    answer = client.get(f"/v1/cluster/fit?{query}&format={form}")
    assert answer.status_code == 200
    assert answer.status_code == offline.status_code == 200
    if form == "json":
        assert _without_currency(answer.get_json()) == offline.get_json()
    else:
        assert answer.get_data() == offline.get_data()
    posted = client.post(f"/v1/cluster/fit?format={form}", json={"pod": cpu_memory})
    if form == "json":
        assert _without_currency(posted.get_json()) == offline.get_json()
    else:
        assert posted.get_data() == offline.get_data()


@pytest.mark.parametrize("release", ["1.30", "1.32"])
def test_a_release_is_answered_for(client: FlaskClient, release: str) -> None:
    offline = client.post(
        f"/v1/max-replicas?kubernetes_version={release}", json={"pod": {"cpu": "1"}, "cluster": CLUSTER}
    )
    answer = client.get(f"/v1/cluster/max-replicas?cpu=1&kubernetes_version={release}").get_json()
    assert answer["kubernetes_version"] == release and _without_currency(answer) == offline.get_json()


def test_fit_with_copies_counts_them(client: FlaskClient) -> None:
    document = client.get("/v1/cluster/fit?cpu=1&memory=1Gi&pods=40").get_json()
    expected = max_replicas(
        compact_workload({"name": "pod", "cpu": "1", "memory": "1Gi"}), objects()[:4], objects()[4:]
    )
    assert document["copies"] == {"wanted": 40, "fit": expected}


@pytest.mark.parametrize("form", ["json", "csv", "text"])
@pytest.mark.parametrize("table", ["workloads", "nodes"])
def test_plan_equals_the_offline_answer(client: FlaskClient, form: str, table: str) -> None:
    offline = client.post(
        f"/v1/plan?format={form}&table={table}", json={"workloads": WORKLOADS, "cluster": CLUSTER}
    )
    answer = client.post(f"/v1/cluster/plan?format={form}&table={table}", json={"workloads": WORKLOADS})
    assert answer.status_code == offline.status_code == 200
    if form == "json":
        assert _without_currency(answer.get_json()) == offline.get_json()
    else:
        assert answer.get_data() == offline.get_data()


@pytest.mark.parametrize("node", ["n1", "n2", "n3", "n4"])
@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_allocated_equals_the_offline_answer(client: FlaskClient, node: str, form: str) -> None:
    offline = client.post(f"/v1/nodes/allocated?node={node}&format={form}", json=CLUSTER)
    answer = client.get(f"/v1/cluster/nodes/{node}/allocated?format={form}")
    assert answer.status_code == offline.status_code == 200
    if form == "json":
        assert _without_currency(answer.get_json()) == offline.get_json()
    else:
        assert answer.get_data() == offline.get_data()


@pytest.mark.parametrize("shape", [("1", "1Gi"), ("500m", None), (None, "6Gi"), ("9", "1Gi")])
@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_max_replicas_equals_the_offline_answer(
    client: FlaskClient, shape: tuple[str | None, str | None], form: str
) -> None:
    cpu, memory = shape
    pod = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    query = "&".join(f"{k}={v}" for k, v in pod.items())
    offline = client.post(f"/v1/max-replicas?format={form}", json={"pod": pod, "cluster": CLUSTER})
    answer = client.get(f"/v1/cluster/max-replicas?{query}&format={form}")
    posted = client.post(f"/v1/cluster/max-replicas?format={form}", json={"pod": pod})
    assert answer.status_code == posted.status_code == offline.status_code == 200
    if form == "json":
        assert (
            _without_currency(answer.get_json()) == _without_currency(posted.get_json()) == offline.get_json()
        )
        expected = max_replicas(compact_workload({"name": "pod", **pod}), objects()[:4], objects()[4:])
        assert answer.get_json()["total"] == expected
    else:
        assert answer.get_data() == posted.get_data() == offline.get_data()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "group_by=topology.kubernetes.io/zone",
        "selector=topology.kubernetes.io/zone%3Da",
        "include_unschedulable=true",
    ],
)
@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_capacity_equals_the_offline_answer(client: FlaskClient, query: str, form: str) -> None:
    offline = client.post(f"/v1/capacity?{query}&format={form}", json=CLUSTER)
    answer = client.get(f"/v1/cluster/capacity?{query}&format={form}")
    assert answer.status_code == offline.status_code == 200
    if form == "json":
        assert _without_currency(answer.get_json()) == offline.get_json()
    else:
        assert answer.get_data() == offline.get_data()


def test_every_json_answer_carries_the_currency(client: FlaskClient) -> None:
    for url in (
        "/v1/cluster",
        "/v1/cluster/fit?cpu=1",
        "/v1/cluster/max-replicas?cpu=1",
        "/v1/cluster/nodes/n1/allocated",
    ):
        document = client.get(url).get_json()
        assert document["resource_version"] == "4242" and document["stale"] is False
        assert (
            document["as_of"].endswith("Z")
            and document["age_seconds"] >= 0
            and document["stale_reason"] is None
        )
    status = client.get("/v1/cluster").get_json()
    assert status["objects"] == {"Node": 4, "Pod": 9, "ResourceQuota": 0, "LimitRange": 0, "DaemonSet": 0}
    assert status["ready"] is True and status["generation"] == 1


def test_live_answers_are_no_cache_with_a_resource_version_etag(live: Flask, client: FlaskClient) -> None:
    first = client.get("/v1/cluster/fit?cpu=1&format=csv")
    assert first.headers["Cache-Control"] == "no-cache"
    assert first.headers["ETag"] == 'W/"4242"'
    assert first.headers["Cluster-Resource-Version"] == "4242" and first.headers["Cluster-Stale"] == "false"
    again = client.get("/v1/cluster/fit?cpu=1&format=csv", headers={"If-None-Match": '"4242"'})
    assert again.status_code == 304 and again.get_data() == b""
    assert live.extensions["kq_answer_cache"].kept == {}
    # Offline answers stay cacheable.
    assert client.get("/v1/quantity?value=1").headers["Cache-Control"].startswith("public")


def test_a_new_state_changes_the_etag() -> None:
    for version in ("1", "2"):
        app = create_app(
            {"TESTING": True, "CLUSTER_SOURCE": StaticSource(objects(), resource_version=version)}
        )
        answer = app.test_client().get("/v1/cluster/fit?cpu=1", headers={"If-None-Match": 'W/"1"'})
        assert answer.status_code == (304 if version == "1" else 200)


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "words"),
    [
        ("GET", "/v1/cluster/nodes/nope/allocated", None, 404, 'no node named "nope"'),
        ("POST", "/v1/cluster/fit", {"pod": {"cpu": "1"}, "cluster": CLUSTER}, 422, "leave out `cluster`"),
        ("POST", "/v1/cluster/plan", {"workloads": WORKLOADS, "nodes": []}, 422, "leave out `nodes`"),
        ("POST", "/v1/cluster/fit", {"nope": 1}, 422, "no `pod`"),
        ("POST", "/v1/cluster/plan", {"workloads": []}, 422, "no `workloads`"),
        ("GET", "/v1/cluster/fit", None, 422, "cpu"),
        ("GET", "/v1/cluster/fit?cpu=x", None, 422, '"x"'),
        ("GET", "/v1/cluster/fit?cpu=1&pods=0", None, 422, "pods"),
        ("GET", "/v1/cluster/capacity?kubernetes_version=1.2", None, 422, "kubernetes_version"),
        ("GET", "/v1/cluster/fit?cpu=1&format=xml", None, 422, "Must be one of: json, text, csv"),
        (
            "POST",
            "/v1/cluster/max-replicas",
            {"pod": {"kind": "Pod", "spec": {"containers": "x"}}},
            422,
            "containers",
        ),
    ],
)
def test_bad_requests_are_problems(
    client: FlaskClient, method: str, url: str, body: Any, status: int, words: str
) -> None:
    answer = client.open(url, method=method, json=body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    document = answer.get_json()
    said = " ".join(
        [document["detail"], *(row["message"] + row["path"] for row in document.get("errors", []))]
    )
    assert words in said


def test_without_a_cluster_every_live_endpoint_says_how_to_configure_one() -> None:
    client = create_app({"TESTING": True}).test_client()
    for method, url in (
        ("GET", "/v1/cluster"),
        ("GET", "/v1/cluster/fit?cpu=1"),
        ("POST", "/v1/cluster/plan"),
        ("GET", "/v1/cluster/nodes/n1/allocated"),
        ("GET", "/v1/cluster/max-replicas?cpu=1"),
    ):
        body = {"workloads": WORKLOADS} if method == "POST" else None
        answer = client.open(url, method=method, json=body)
        assert answer.status_code == 503 and "KQ_CLUSTER=in-cluster" in answer.get_json()["detail"]
    assert client.get("/readyz").status_code == 200


def test_a_wrong_cluster_mode_refuses_to_start() -> None:
    with pytest.raises(ValueError, match='KQ_CLUSTER must be "in-cluster" or "kubeconfig"'):
        create_app({"TESTING": True, "CLUSTER": "incluster"})


@pytest.fixture(scope="module")
def contract() -> OpenAPI:
    config = Config(
        extra_media_type_deserializers={
            "application/problem+json": json.loads,
            "text/csv": lambda data: data.decode() if isinstance(data, bytes) else data,
        }
    )
    return OpenAPI.from_dict(yaml.safe_load((ROOT / "openapi.yaml").read_text()), config=config)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/v1/cluster", None),
        ("GET", "/v1/cluster/nodes/n1/allocated", None),
        ("GET", "/v1/cluster/nodes/n1/allocated?format=text", None),
        ("GET", "/v1/cluster/nodes/nope/allocated", None),
        ("GET", "/v1/cluster/fit?cpu=1&memory=1Gi&pods=3", None),
        ("GET", "/v1/cluster/fit?cpu=100&format=csv", None),
        ("POST", "/v1/cluster/fit", {"pod": {"cpu": "1"}}),
        ("GET", "/v1/cluster/max-replicas?cpu=1", None),
        ("POST", "/v1/cluster/max-replicas?format=csv", {"pod": {"cpu": "1"}}),
        ("POST", "/v1/cluster/plan", {"workloads": WORKLOADS}),
        ("POST", "/v1/cluster/plan?format=csv&table=nodes", {"workloads": WORKLOADS}),
        ("GET", "/v1/cluster/capacity?group_by=topology.kubernetes.io/zone", None),
        ("GET", "/v1/cluster/capacity?format=text", None),
    ],
)
def test_live_answers_fit_the_contract(
    client: FlaskClient, contract: OpenAPI, method: str, url: str, body: Any
) -> None:
    answer = client.open(url, method=method, json=body)
    assert answer.status_code < 500
    options: dict[str, Any] = {"json": body} if body is not None else {}
    request = EnvironBuilder(path=url, method=method, **options).get_request()
    contract.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(answer))
