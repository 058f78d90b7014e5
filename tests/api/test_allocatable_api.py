"""GET/POST /v1/nodes/allocatable: the library's answer over HTTP, in every format, errors located."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient

from quantities.capacity import node_allocatable

PROBLEM = "application/problem+json"
URL = "/v1/nodes/allocatable"


def test_get_eks_instance_type(client: FlaskClient) -> None:
    response = client.get(URL, query_string={"provider": "eks", "instance_type": "m5.large"})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer == node_allocatable("eks", instance_type="m5.large").to_json()
    assert answer["allocatable"] == {"cpu": "1930m", "memory": "6903Mi", "pods": "29"}


def test_get_every_argument(client: FlaskClient) -> None:
    query = {
        "provider": "eks",
        "instance_type": "m5.xlarge",
        "cpu": "2",
        "ephemeral_storage": "20Gi",
        "hugepages": "hugepages-2Mi=512Mi",
        "custom_networking": "true",
        "capacity_model": "nominal",
        "kubernetes_version": "1.31",
    }
    answer = client.get(URL, query_string=query).get_json()
    assert answer["kubernetes_version"] == "1.31"
    assert answer["max_pods"] == 44
    assert answer["allocatable"]["memory"] == "15033Mi"  # 16384 - 739 - 100 - 512 (nominal memory)
    assert answer["allocatable"]["hugepages-2Mi"] == "512Mi"


def test_post_with_maps_and_numbers(client: FlaskClient) -> None:
    body = {
        "cpu": 16,
        "memory": "32Gi",
        "ephemeral_storage": "100Gi",
        "kube_reserved": {"cpu": "1", "memory": "2Gi", "ephemeral-storage": "1Gi"},
        "system_reserved": "cpu=500m,memory=1Gi,ephemeral-storage=1Gi",
        "eviction_hard": {"memory.available": "500Mi", "nodefs.available": "10%"},
    }
    response = client.post(URL, json=body)
    assert response.status_code == 200
    assert response.get_json()["allocatable"] == {
        "cpu": "14500m",
        "memory": "29196Mi",
        "ephemeral-storage": "94489280352",
        "pods": "110",
    }


def test_csv_and_text(client: FlaskClient) -> None:
    response = client.get(URL, query_string={"provider": "eks", "instance_type": "m5.large", "format": "csv"})
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[2] == ["memory", "7577Mi", "574Mi", "0", "100Mi", "6903Mi"]
    response = client.get(
        URL, query_string={"provider": "gke", "cpu": "2", "memory": "8Gi", "format": "text"}
    )
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("gke (Kubernetes 1.36)\nRESOURCE")
    response = client.post(URL + "?format=csv", json={"provider": "k3s", "cpu": "1", "memory": "1Gi"})
    assert response.get_data(as_text=True).splitlines()[2] == "memory,1Gi,0,0,0,1Gi"


# (query or body, path, location)
LOCATED = [
    ({"provider": "eks", "memory": "8GB", "cpu": "2"}, "memory", "query"),
    ({"provider": "eks", "instance_type": "m5.larg"}, "instance_type", "query"),
    ({"cpu": "1", "memory": "1Gi", "kube_reserved": "gpu=1"}, "kube_reserved.gpu", "query"),
    ({"cpu": "1", "memory": "1Gi", "kubernetes_version": "2.0"}, "kubernetes_version", "query"),
    ({"provider": "nope", "cpu": "1", "memory": "1Gi"}, "provider", "query"),
]


@pytest.mark.parametrize(("query", "path", "location"), LOCATED)
def test_get_problems_are_located(
    client: FlaskClient, query: dict[str, str], path: str, location: str
) -> None:
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    (error,) = response.get_json()["errors"]
    assert (error["path"], error["in"]) == (path, location)


def test_post_problems_are_located(client: FlaskClient) -> None:
    response = client.post(
        URL, json={"cpu": [1], "memory": "1Gi", "eviction_hard": {"memory.available": "x"}}
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [(e["path"], e["in"]) for e in errors] == [
        ("cpu", "body"),
        ("eviction_hard[memory.available]", "body"),
    ]


def test_errors_as_text_for_a_spreadsheet(client: FlaskClient) -> None:
    response = client.get(URL, query_string={"provider": "eks", "instance_type": "m5.larg", "errors": "text"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith('ERROR: instance_type: unknown instance type "m5.larg"')
    assert "did you mean m5.large" in text


def _readme_urls() -> list[str]:
    """The /v1/nodes/allocatable URLs of the README's section (curl examples and spreadsheet formulas)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text[text.index("### Allocatable from capacity") :]
    section = section[: section.index("\n## ")]
    urls = []
    for found in re.findall(r"(/v1/nodes/allocatable\?[^'\"\s)]*(?:\"&A2&\"[^'\"\s)]*)?)", section):
        urls.append(found.replace('"&A2&"', "m5.large"))
    return urls


def test_the_readme_urls_answer(client: FlaskClient) -> None:
    urls = _readme_urls()
    assert len(urls) >= 2
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.get_data(as_text=True).startswith("ERROR"), url
    sheet = next(url for url in urls if "format=csv" in url)
    rows = list(csv.reader(io.StringIO(client.get(sheet).get_data(as_text=True))))
    assert rows[0][0] == "resource" and rows[-1][0] == "pods"
    bad = client.get(sheet.replace("m5.large", "m5.larg") + "&errors=text").get_data(as_text=True)
    assert bad.startswith('ERROR: instance_type: unknown instance type "m5.larg"')
    assert "did you mean m5.large" in bad
