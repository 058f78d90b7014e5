"""/v1/cluster/nodes-needed and /v1/cluster/quota: the offline answers on the live state and its
namespaces' ResourceQuotas and LimitRanges, with the state's currency; errors located; 503 without."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder

from api import create_app
from quantities.live.source import StaticSource
from tests.live.cluster_data import objects

ROOT = Path(__file__).resolve().parents[2]
CURRENCY = ("as_of", "age_seconds", "resource_version", "stale", "stale_reason")


def _quota(
    name: str, namespace: str, hard: dict[str, str], used: dict[str, str], **spec: Any
) -> dict[str, Any]:
    return {
        "kind": "ResourceQuota",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}", "resourceVersion": "9"},
        "spec": {"hard": hard, **spec},
        "status": {"hard": hard, "used": used},
    }


def _limits(name: str, namespace: str, limits: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "LimitRange",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"limits": limits},
    }


NAMESPACE_OBJECTS = [
    _quota("team", "team", {"requests.cpu": "4", "pods": "10"}, {"requests.cpu": "1500m", "pods": "3"}),
    _quota("mem", "team", {"limits.memory": "8Gi"}, {"limits.memory": "2Gi"}),
    _limits("defaults", "team", [{"type": "Container", "default": {"cpu": "1", "memory": "1Gi"},
                                  "defaultRequest": {"cpu": "250m", "memory": "512Mi"}}]),
    _quota("other", "other", {"pods": "1"}, {"pods": "1"}),
    _limits("tight", "other", [{"type": "Container", "max": {"cpu": "100m"}}]),
]  # fmt: skip
CLUSTER = {"kind": "List", "apiVersion": "v1", "items": objects()}


def _in(namespace: str) -> list[dict[str, Any]]:
    return [obj for obj in NAMESPACE_OBJECTS if obj["metadata"]["namespace"] == namespace]


@pytest.fixture()
def client() -> FlaskClient:
    source = StaticSource([*objects(), *NAMESPACE_OBJECTS], resource_version="4242")
    return create_app({"TESTING": True, "CLUSTER_SOURCE": source}).test_client()


def _without_currency(document: dict[str, Any]) -> dict[str, Any]:
    for key in CURRENCY:
        assert key in document, key
    assert document["resource_version"] == "4242" and document["stale"] is False
    return {key: value for key, value in document.items() if key not in CURRENCY}


def _same(live: Any, offline: Any, form: str) -> None:
    assert live.status_code == offline.status_code == 200, (live.get_data(), offline.get_data())
    if form == "json":
        assert _without_currency(live.get_json()) == offline.get_json()
    else:
        assert live.get_data() == offline.get_data()
        assert live.headers["Cluster-Resource-Version"] == "4242"
        assert live.headers["Cluster-Stale"] == "false"


# -- nodes-needed ------------------------------------------------------------------------------------------

NEEDED_QUERIES = [
    "workload=web,20,500m,1Gi&template=t,2,4Gi,110",
    "workload=web,20,500m,1Gi&workload=db,3,2,8Gi&template=s,2,4Gi,110,,,price=1&template=l,8,32Gi,110,,,price=3",
    "workload=big,2,64,1Gi&template=t,2,4Gi,110",
    "workload=web,6,1,2Gi&instance_type=m5.large&instance_type=m5.xlarge&daemonset=agent,100m,128Mi",
    "workload=web,6,1,2Gi&instance_type=m5.large&provider=gke&kubernetes_version=1.30",
]
NEEDED_BODIES: list[dict[str, Any]] = [
    {"workloads": [{"name": "web", "replicas": 20, "cpu": "500m", "memory": "1Gi"}],
     "templates": ["t,2,4Gi,110"]},
    {
        "workloads": [
            {"kind": "Deployment", "metadata": {"name": "api", "namespace": "prod"},
             "spec": {"replicas": 3, "template": {"spec": {"containers": [
                 {"name": "api", "resources": {"requests": {"cpu": "2", "memory": "3Gi"}}}]}}}},
        ],
        "templates": [{"name": "m", "cpu": "4", "memory": "16Gi", "pods": 110}],
        "instance_types": ["m5.large"],
        "daemonsets": [{"name": "agent", "cpu": "100m", "memory": "128Mi"}],
    },
    {"workloads": [{"name": "w", "replicas": 4, "cpu": "1"}], "templates": ["t,2,4Gi,110"],
     "kubernetes_version": "1.32", "feature_gates": "PodLevelResources=false"},
]  # fmt: skip


def _query_body(query: str) -> dict[str, Any]:
    """The POST body of a GET query (workloads and DaemonSets as lines; releases as they are)."""
    body: dict[str, Any] = {"workloads": []}
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "workload":
            body["workloads"].append(value)
        elif name in ("template", "instance_type", "daemonset"):
            body.setdefault({"template": "templates", "instance_type": "instance_types",
                             "daemonset": "daemonsets"}[name], []).append(value)  # fmt: skip
        else:
            body[name] = value
    return body


@pytest.mark.parametrize("query", NEEDED_QUERIES)
@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_get_nodes_needed_equals_the_offline_answer(client: FlaskClient, query: str, form: str) -> None:
    # The offline GET knows existing nodes only as node= lines (no pods): compare with its POST on
    # the whole cluster, the GET's parameters given as the compact lines the POST reads alike.
    offline_get = client.get(f"/v1/nodes-needed?{query}&format={form}")
    assert offline_get.status_code == 200
    live = client.get(f"/v1/cluster/nodes-needed?{query}&format={form}")
    assert live.headers["Cache-Control"] == "no-cache" and live.headers["ETag"] == 'W/"4242"'
    workloads = [part.partition("=")[2] for part in query.split("&") if part.startswith("workload=")]
    parameters = "&".join(part for part in query.split("&") if not part.startswith("workload="))
    offline = client.post(
        f"/v1/nodes-needed?{parameters}&format={form}",
        json={
            **_body_of(parameters),
            "workloads": [_compact(line) for line in workloads],
            "cluster": CLUSTER,
        },
    )
    _same(live, offline, form)


def _compact(line: str) -> dict[str, Any]:
    name, replicas, cpu, memory = line.split(",")
    return {"name": name, "replicas": int(replicas), "cpu": cpu, "memory": memory}


def _body_of(parameters: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for part in parameters.split("&"):
        name, _, value = part.partition("=")
        if name == "template":
            body.setdefault("templates", []).append(value)
        elif name == "instance_type":
            body.setdefault("instance_types", []).append(value)
        elif name == "daemonset":
            body.setdefault("daemonsets", []).append(_compact_daemonset(value))
        elif name == "provider":
            body["provider"] = value
    return body


def _compact_daemonset(line: str) -> dict[str, Any]:
    name, cpu, memory = line.split(",")
    return {"name": name, "cpu": cpu, "memory": memory}


@pytest.mark.parametrize("body", NEEDED_BODIES)
@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_post_nodes_needed_equals_the_offline_answer(
    client: FlaskClient, body: dict[str, Any], form: str
) -> None:
    offline = client.post(f"/v1/nodes-needed?format={form}", json={**body, "cluster": CLUSTER})
    live = client.post(f"/v1/cluster/nodes-needed?format={form}", json=body)
    _same(live, offline, form)
    if form == "json":
        assert live.get_json()["kubernetes_version"] == body.get("kubernetes_version", "1.36")


# -- quota ---------------------------------------------------------------------------------------------------

QUOTA_QUERIES = [
    ("team", "workload=web,4,500m,1Gi"),
    ("team", "workload=web,12,500m,1Gi&strategy=Recreate"),
    ("team", "workload=web,3,0,0&max_surge=2&max_unavailable=0"),
    ("other", "workload=web,1,500m,1Gi"),
    ("nothing-here", "workload=web,4,500m,1Gi"),
    ("team", "workload=web,4,64,1Gi&kubernetes_version=1.30"),
]
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api"},
    "spec": {"replicas": 5, "strategy": {"rollingUpdate": {"maxSurge": "50%"}},
             "template": {"spec": {"containers": [{"name": "api", "image": "api:1",
                                                   "resources": {"requests": {"cpu": "500m"}}}]}}},
}  # fmt: skip


@pytest.mark.parametrize(("namespace", "query"), QUOTA_QUERIES)
@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_get_quota_equals_the_offline_answer(
    client: FlaskClient, namespace: str, query: str, form: str
) -> None:
    from api.quota import _compact_deployment

    parameters = dict(part.split("=", 1) for part in query.split("&"))
    deployment = _compact_deployment(
        parameters["workload"], parameters.get("strategy"), parameters.get("max_surge"),
        parameters.get("max_unavailable"),
    )  # fmt: skip
    release = (
        {"kubernetes_version": parameters["kubernetes_version"]} if "kubernetes_version" in parameters else {}
    )
    offline = client.post(
        f"/v1/quota?format={form}",
        json={"workload": deployment, "namespace_state": _in(namespace), "cluster": CLUSTER, **release},
    )
    live = client.get(f"/v1/cluster/quota?namespace={namespace}&{query}&format={form}")
    assert live.headers["Cache-Control"] == "no-cache" and live.headers["ETag"] == 'W/"4242"'
    _same(live, offline, form)
    # The offline GET, given the same quotas as compact parameters, says the same of the replicas.
    if namespace == "team" and form == "json" and "strategy" not in parameters:
        compact = client.get(
            f"/v1/quota?{query}&quota=team,requests.cpu=4,pods=10&used=team,requests.cpu=1500m,pods=3"
            "&quota=mem,limits.memory=8Gi&used=mem,limits.memory=2Gi"
            "&limits=Container,default.cpu=1,default.memory=1Gi,defaultRequest.cpu=250m,defaultRequest.memory=512Mi"
        ).get_json()
        assert (compact["fits"], compact["max_replicas"], compact["message"]) == (
            live.get_json()["fits"],
            live.get_json()["max_replicas"],
            live.get_json()["message"],
        )


@pytest.mark.parametrize("namespace", ["team", "other", "nothing-here"])
@pytest.mark.parametrize(
    "workload",
    [DEPLOYMENT, {"name": "web", "replicas": 4, "cpu": "500m", "memory": "1Gi"},
     {**DEPLOYMENT, "metadata": {"name": "api", "namespace": "other"}}],
)  # fmt: skip
@pytest.mark.parametrize("form", ["json", "text"])
def test_post_quota_equals_the_offline_answer(
    client: FlaskClient, namespace: str, workload: dict[str, Any], form: str
) -> None:
    offline = client.post(
        f"/v1/quota?format={form}",
        json={"workload": workload, "namespace_state": _in(namespace), "cluster": CLUSTER},
    )
    live = client.post(f"/v1/cluster/quota?namespace={namespace}&format={form}", json={"workload": workload})
    _same(live, offline, form)


def test_the_namespace_state_is_read_from_the_live_objects(client: FlaskClient) -> None:
    answer = client.get("/v1/cluster/quota?namespace=team&workload=web,4,500m,1Gi").get_json()
    assert [quota["name"] for quota in answer["quotas"]] == ["team", "mem"]
    assert answer["workload"]["namespace"] == "team"
    assert answer["pod"]["limits"] == {"cpu": "1", "memory": "1Gi"}  # the LimitRange's defaults
    assert answer["max_replicas"] == 5  # (4 - 1.5) / 0.5 cpu
    empty = client.get("/v1/cluster/quota?namespace=nothing-here&workload=web,4,500m,1Gi").get_json()
    assert empty["quotas"] == [] and empty["fits"] is True and empty["max_replicas"] is None


T = ["t,2,4Gi"]

# -- errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "paths"),
    [
        ("GET", "/v1/cluster/nodes-needed?workload=web,x,500m,1Gi&template=t,2,4Gi,110", None, 422,
         ["workload[0].replicas"]),
        ("GET", "/v1/cluster/nodes-needed?workload=web,2,500m,1Gi&template=t,2,lots,110", None, 422,
         ["template[0].memory"]),
        ("GET", "/v1/cluster/nodes-needed?workload=web,2,500m,1Gi", None, 422, ["template"]),
        ("GET", "/v1/cluster/nodes-needed?workload=web,2,1,1Gi&template=t,2,4Gi,110&node=n,1,1Gi", None, 422,
         ["node"]),
        ("POST", "/v1/cluster/nodes-needed", {"workloads": [{"name": "w", "cpu": "1"}]}, 422, ["templates"]),
        ("POST", "/v1/cluster/nodes-needed", {"workloads": [{"name": "w", "cpu": "x"}], "templates": T},
         422, ["workloads[0].cpu"]),
        ("POST", "/v1/cluster/nodes-needed", {"workloads": [{"name": "w"}], "templates": T, "cluster": {}},
         422, ["cluster"]),
        ("POST", "/v1/cluster/nodes-needed", {"templates": ["t,2,4Gi"]}, 422, ["workloads"]),
        ("GET", "/v1/cluster/quota?workload=web,4,500m,1Gi", None, 422, ["namespace"]),
        ("GET", "/v1/cluster/quota?namespace=team&workload=web,4,lots,1Gi", None, 422, ["workload.cpu"]),
        ("GET", "/v1/cluster/quota?namespace=team&workload=web,4,1,1Gi&max_surge=-1", None, 422,
         ["max_surge"]),
        ("GET", "/v1/cluster/quota?namespace=team&workload=web,4,1,1Gi&quota=q,pods=1", None, 422, ["quota"]),
        ("POST", "/v1/cluster/quota?namespace=team", {}, 422, ["workload"]),
        ("POST", "/v1/cluster/quota?namespace=team", {"workload": {"name": "w", "cpu": "x"}}, 422,
         ["workload.cpu"]),
        ("POST", "/v1/cluster/quota?namespace=team", {"workload": DEPLOYMENT, "namespace_state": []}, 422,
         ["namespace_state"]),
        ("POST", "/v1/cluster/quota?namespace=team", {"workload": DEPLOYMENT, "nodes": []}, 422, ["nodes"]),
        ("POST", "/v1/cluster/quota", {"workload": DEPLOYMENT}, 422, ["namespace"]),
    ],
)  # fmt: skip
def test_bad_requests_are_located_problems(
    client: FlaskClient, method: str, url: str, body: Any, status: int, paths: list[str]
) -> None:
    answer = client.open(url, method=method, json=body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    document = answer.get_json()
    found = [row["path"] for row in document.get("errors", [])]
    for path in paths:
        assert any(row == path or row.startswith(path) for row in found), (path, document)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/v1/cluster/nodes-needed?workload=web,2,1,1Gi&template=t,2,4Gi,110", None),
        (
            "POST",
            "/v1/cluster/nodes-needed",
            {"workloads": [{"name": "w", "cpu": "1"}], "templates": ["t,2,4Gi"]},
        ),
        ("GET", "/v1/cluster/quota?namespace=team&workload=web,4,500m,1Gi", None),
        ("POST", "/v1/cluster/quota?namespace=team", {"workload": DEPLOYMENT}),
    ],
)
def test_without_a_cluster_they_answer_503(method: str, url: str, body: Any) -> None:
    client = create_app({"TESTING": True}).test_client()
    answer = client.open(url, method=method, json=body)
    assert answer.status_code == 503 and "KQ_CLUSTER=in-cluster" in answer.get_json()["detail"]


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
        ("GET", "/v1/cluster/nodes-needed?workload=web,20,500m,1Gi&template=t,2,4Gi,110,,,price=1", None),
        ("GET", "/v1/cluster/nodes-needed?workload=web,2,64,1Gi&template=t,2,4Gi,110&format=csv", None),
        ("POST", "/v1/cluster/nodes-needed", NEEDED_BODIES[1]),
        ("GET", "/v1/cluster/quota?namespace=team&workload=web,4,500m,1Gi", None),
        ("GET", "/v1/cluster/quota?namespace=team&workload=web,4,500m,1Gi&format=text", None),
        ("POST", "/v1/cluster/quota?namespace=other", {"workload": DEPLOYMENT}),
        ("GET", "/v1/cluster/quota?namespace=team&workload=web,4,lots,1Gi", None),
    ],
)
def test_answers_fit_the_contract(
    client: FlaskClient, contract: OpenAPI, method: str, url: str, body: Any
) -> None:
    answer = client.open(url, method=method, json=body)
    assert answer.status_code < 500
    options: dict[str, Any] = {"json": body} if body is not None else {}
    request = EnvironBuilder(path=url, method=method, **options).get_request()
    contract.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(answer))
