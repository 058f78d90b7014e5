"""The pods, nodes, fit and plan endpoints: the library's answers over HTTP, in every format."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from quantities import check_fit, plan, qos_class
from quantities.node.compact import node_from_fields
from quantities.pod.workloads import workload_from_fields

PROBLEM = "application/problem+json"


def pod(
    name: str, requests: dict[str, str], limits: dict[str, str] | None = None, **spec: Any
) -> dict[str, Any]:
    resources: dict[str, Any] = {"requests": requests}
    if limits is not None:
        resources["limits"] = limits
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "app", "resources": resources}], **spec},
        "status": {"phase": "Running"},
    }


def node(name: str, cpu: str = "10", memory: str = "8029368Ki", pods: str = "110") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "status": {
            "allocatable": {"cpu": cpu, "memory": memory, "pods": pods, "ephemeral-storage": "61202244Ki"}
        },
    }


QOS_CASES = [
    (pod("g", {"cpu": "1", "memory": "1Gi"}, {"cpu": "1000m", "memory": "1024Mi"}), "Guaranteed"),
    (pod("b", {"cpu": "250m"}, {"cpu": "500m", "memory": "64Mi"}), "Burstable"),
    (pod("e", {}), "BestEffort"),
    (
        {
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {"template": pod("t", {}, {"cpu": "1", "memory": "1Gi"})},
        },
        "Guaranteed",
    ),
]


@pytest.mark.parametrize(("obj", "expected"), QOS_CASES)
def test_qos_matches_the_library(client: FlaskClient, obj: dict[str, Any], expected: str) -> None:
    response = client.post("/v1/pods/qos", json=obj)
    assert response.status_code == 200
    (report,) = response.get_json()["objects"]
    assert report["qos_class"] == expected == str(qos_class(obj))
    assert isinstance(report["reasons"], list)


def test_qos_takes_yaml_streams_and_answers_csv(client: FlaskClient) -> None:
    body = yaml.safe_dump_all([obj for obj, _ in QOS_CASES])
    response = client.post("/v1/pods/qos?format=csv", data=body, content_type="application/yaml")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["qos_class"] for row in rows] == [expected for _, expected in QOS_CASES]


def test_burstable_reasons_say_what_to_change(client: FlaskClient) -> None:
    report = client.post("/v1/pods/qos", json=QOS_CASES[1][0]).get_json()["objects"][0]
    assert any("250m" in reason and "500m" in reason for reason in report["reasons"])
    assert report["to_guaranteed"]


def test_requests_of_init_containers_and_sidecars(client: FlaskClient) -> None:
    obj = {
        "kind": "Pod",
        "spec": {
            "initContainers": [
                {"name": "setup", "resources": {"requests": {"cpu": "2"}}},
                {
                    "name": "proxy",
                    "restartPolicy": "Always",
                    "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}},
                },
            ],
            "containers": [{"name": "app", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}],
        },
    }
    report = client.post("/v1/pods/requests", json=obj).get_json()["objects"][0]
    assert report["requests"] == {"cpu": "2", "memory": "1088Mi"}


def test_every_invalid_pod_problem_is_reported_with_its_path(client: FlaskClient) -> None:
    bad = pod("x", {"cpu": "2", "memory": "1K"}, {"cpu": "1"})
    response = client.post("/v1/pods/requests", json=bad)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    paths = {error["path"] for error in response.get_json()["errors"]}
    assert "spec.containers[0].resources.requests.memory" in paths
    assert any(
        path.startswith("spec.containers[0].resources.requests")
        for path in paths - {"spec.containers[0].resources.requests.memory"}
    )


def test_no_pods_in_the_body_is_422(client: FlaskClient) -> None:
    response = client.post("/v1/pods/qos", json={"kind": "ConfigMap", "metadata": {"name": "c"}})
    assert response.status_code == 422


def kind_cluster() -> list[dict[str, Any]]:
    n = "kind-control-plane"
    system = [
        pod("coredns-1", {"cpu": "100m", "memory": "70Mi"}, {"memory": "170Mi"}, nodeName=n),
        pod("coredns-2", {"cpu": "100m", "memory": "70Mi"}, {"memory": "170Mi"}, nodeName=n),
        pod("etcd", {"cpu": "100m", "memory": "100Mi"}, nodeName=n),
        pod("kindnet", {"cpu": "100m", "memory": "50Mi"}, {"cpu": "100m", "memory": "50Mi"}, nodeName=n),
        pod("kube-apiserver", {"cpu": "250m"}, nodeName=n),
        pod("kube-controller-manager", {"cpu": "200m"}, nodeName=n),
        pod("kube-scheduler", {"cpu": "100m"}, nodeName=n),
        pod("kube-proxy", {}, nodeName=n),
        pod("big", {"cpu": "10m", "memory": "5Gi"}, {"cpu": "10m", "memory": "5Gi"}, nodeName=n),
    ]
    return [node(n), *system]


def test_allocated_matches_the_kubectl_reference_case(client: FlaskClient) -> None:
    response = client.post("/v1/nodes/allocated", json={"kind": "List", "items": kind_cluster()})
    assert response.status_code == 200
    allocated = {row["resource"]: row for row in response.get_json()["allocated"]}
    assert (allocated["cpu"]["requests"], allocated["cpu"]["requests_percent"]) == ("960m", 9)
    assert (allocated["memory"]["limits"], allocated["memory"]["limits_percent"]) == ("5510Mi", 70)
    text = client.post("/v1/nodes/allocated?format=text", json=kind_cluster()).get_data(as_text=True)
    assert "Allocated resources:" in text and "960m (9%)" in text and "5410Mi (68%)" in text


def test_allocated_needs_one_node(client: FlaskClient) -> None:
    response = client.post("/v1/nodes/allocated", json=[node("a"), node("b")])
    assert response.status_code == 422 and "?node=NAME" in response.get_json()["detail"]
    assert client.post("/v1/nodes/allocated?node=b", json=[node("a"), node("b")]).status_code == 200


def test_fit_answers_with_the_scheduler_message(client: FlaskClient) -> None:
    cluster = kind_cluster()
    body = {"pod": pod("new", {"memory": "5Gi"}), "cluster": {"kind": "List", "items": cluster}}
    response = client.post("/v1/fit", json=body)
    expected = check_fit(pod("new", {"memory": "5Gi"}), [cluster[0]], cluster[1:]).to_json()
    document = response.get_json()
    assert document["fits"] is False and document["message"] == expected["message"]
    assert document["message"].startswith("0/1 nodes are available: 1 Insufficient memory.")


def test_fit_from_a_spreadsheet_url(client: FlaskClient) -> None:
    url = "/v1/fit?cpu=3&memory=1Gi&node=n1,2,4Gi,10&node=n2,4,8Gi,10"
    assert client.get(url + "&format=text").get_data(as_text=True) == "fits: n2\n"
    rows = list(csv.DictReader(io.StringIO(client.get(url + "&format=csv").get_data(as_text=True))))
    assert {row["node"] for row in rows} == {"n1", "n2"}
    nodes = [node_from_fields("n1,2,4Gi,10"), node_from_fields("n2,4,8Gi,10")]
    library = check_fit(
        {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "3", "memory": "1Gi"}}}]}},
        nodes,
    )
    assert client.get(url).get_json()["feasible"] == library.feasible == ["n2"]


def test_plan_reference_case_5gi_and_64mi(client: FlaskClient) -> None:
    cluster = kind_cluster()[:-1]
    for memory, placed in (("5Gi", 1), ("64Mi", 3)):
        body = {"workloads": [{"name": "web", "replicas": 3, "memory": memory}], "cluster": cluster}
        workload = client.post("/v1/plan", json=body).get_json()["workloads"][0]
        assert (workload["placed"], workload["pending"]) == (placed, 3 - placed)
    pending = client.post(
        "/v1/plan", json={"workloads": [{"name": "w", "replicas": 3, "memory": "5Gi"}], "cluster": cluster}
    ).get_json()["workloads"][0]
    assert pending["message"].startswith("0/1 nodes are available: 1 Insufficient memory.")


def test_plan_from_csv_body_and_from_url(client: FlaskClient) -> None:
    body = "kind,name,replicas,cpu,memory,pods\nNode,n1,,4,8Gi,110\n,web,3,1500m,1Gi,\n"
    text = client.post("/v1/plan?format=text", data=body, content_type="text/csv").get_data(as_text=True)
    assert text.startswith("web: 2/3 placed; 0/1 nodes are available: 1 Insufficient cpu.")
    url = "/v1/plan?workload=web,3,1500m,1Gi&node=n1,4,8Gi,110"
    library = plan([workload_from_fields("web,3,1500m,1Gi")], [node_from_fields("n1,4,8Gi,110")])
    expected = {"kubernetes_version": "1.36", **library.to_json()}
    assert client.get(url).get_json() == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("POST", "/v1/fit", {"nodes": [{"name": "n1", "cpu": "1"}]}, 422),
        ("POST", "/v1/fit", {"pod": {"cpu": "1"}}, 422),
        ("POST", "/v1/fit", {"pod": {"cpu": "1"}, "nodes": [{"cpu": "1"}]}, 422),
        ("POST", "/v1/fit", {"pod": {"cpu": "1Q"}, "nodes": [{"name": "n", "cpu": "1"}]}, 422),
        ("POST", "/v1/plan", {"workloads": [], "nodes": []}, 422),
        (
            "POST",
            "/v1/plan",
            {"workloads": [{"kind": "ConfigMap"}], "nodes": [{"name": "n", "cpu": "1"}]},
            422,
        ),
        ("POST", "/v1/plan", {"workloads": [{"replicas": 2}], "nodes": [{"name": "n", "cpu": "1"}]}, 422),
        ("GET", "/v1/plan?workload=web,three,1,1Gi&node=n1,4,8Gi,110", None, 422),
        ("GET", "/v1/fit?cpu=1&node=n1,1,1,1,a=b,x,y", None, 422),
    ],
)
def test_bad_cluster_input_is_422(client: FlaskClient, method: str, url: str, body: Any, status: int) -> None:
    response = client.open(url, method=method, json=body)
    assert response.status_code == status and response.mimetype == PROBLEM, response.get_data(as_text=True)


def test_allocated_from_a_spreadsheet_url(client: FlaskClient) -> None:
    from quantities.node.compact import allocation_from_fields

    url = "/v1/nodes/allocated?node=n1,4,8Gi,110&pod=web,500m,1Gi&pod=db,1,2Gi,2,2Gi"
    library = allocation_from_fields("n1,4,8Gi,110", ["web,500m,1Gi", "db,1,2Gi,2,2Gi"])
    expected = {"kubernetes_version": "1.36", **library.to_json()}
    assert client.get(url).get_json() == json.loads(json.dumps(expected))
    rows = list(csv.DictReader(io.StringIO(client.get(url + "&format=csv").get_data(as_text=True))))
    assert (rows[0]["resource"], rows[0]["requests"], rows[0]["requests_percent"]) == ("cpu", "1500m", "37")
    bad = client.get("/v1/nodes/allocated?node=n1,4,8Gi,110&pod=web,500m,1Gi,x&errors=text")
    assert bad.status_code == 200 and bad.get_data(as_text=True).startswith("ERROR: ")


def test_plan_csv_per_node(client: FlaskClient) -> None:
    url = "/v1/plan?workload=web,3,1500m,1Gi&node=n1,4,8Gi,110&format=csv&table=nodes"
    rows = list(csv.DictReader(io.StringIO(client.get(url).get_data(as_text=True))))
    assert [
        (row["node"], row["placed"], row["cpu_requests"], row["cpu_requests_percent"]) for row in rows
    ] == [("n1", "2", "3", "75")]
