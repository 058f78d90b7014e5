"""/v1/nodes-needed: the GET and POST forms against the library, formats, located errors, and the
README's spreadsheet formulas called as written."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from quantities.capacity.nodes_needed import nodes_needed
from quantities.pod.workloads import compact_workload

ROOT = Path(__file__).resolve().parents[2]


def test_get_answers_what_the_library_answers(client: FlaskClient) -> None:
    response = client.get(
        "/v1/nodes-needed?workload=web,5,1500m,1Gi&template=n,4,16Gi,110&kubernetes_version=1.30"
    )
    assert response.status_code == 200
    answer = response.get_json()
    library = nodes_needed(
        [compact_workload({"name": "web", "replicas": 5, "cpu": "1500m", "memory": "1Gi"})],
        ["n,4,16Gi,110"],
        kubernetes_version="1.30",
    ).to_json()
    assert answer == library
    assert (answer["new_nodes"], answer["by_template"], answer["kubernetes_version"]) == (3, {"n": 3}, "1.30")


def test_get_with_daemonsets_existing_nodes_and_prices(client: FlaskClient) -> None:
    url = (
        "/v1/nodes-needed?workload=web,9,1,2Gi&template=small,2,4Gi,110,price=0.05"
        "&template=big,8,32Gi,110,price=0.16&daemonset=agent,100m,128Mi&node=old,1,2Gi,110"
    )
    answer = client.get(url).get_json()
    assert answer["plan"]["workloads"][0]["name"] == "agent"
    assert answer["plan"]["nodes"][0]["name"] == "old"
    assert answer["placed_all"]
    assert answer["cost"] is not None


def test_text_is_the_count_and_csv_a_row_per_template(client: FlaskClient) -> None:
    base = "/v1/nodes-needed?workload=web,5,1500m,1Gi&template=n,4,16Gi,110"
    assert client.get(base + "&format=text").get_data(as_text=True) == "3\n"
    rows = list(csv.reader(io.StringIO(client.get(base + "&format=csv").get_data(as_text=True))))
    assert (
        rows[0][:2] == ["template", "new_nodes"]
        and rows[1][:2] == ["n", "3"]
        and rows[2][:2] == ["total", "3"]
    )
    pending = client.get("/v1/nodes-needed?workload=huge,2,64,1Gi&template=n,4,16Gi&format=text")
    assert pending.get_data(as_text=True).startswith("0; huge: 2 cannot be placed: fits no template: ")


def test_post_with_manifests_and_a_cluster(client: FlaskClient) -> None:
    body = {
        "workloads": [
            {
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {
                    "replicas": 4,
                    "template": {
                        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]}
                    },
                },
            }
        ],
        "templates": [{"name": "n", "cpu": 2, "memory": "4Gi", "price": 0.1}],
        "nodes": [{"name": "old", "cpu": "2", "memory": "4Gi"}],
    }
    answer = client.post("/v1/nodes-needed", json=body).get_json()
    assert (answer["new_nodes"], answer["by_template"], answer["cost"]) == (1, {"n": 1}, "0.1")
    assert answer["plan"]["workloads"][0]["placements"] == {"old": 2, "n-1": 2}
    text = client.post(
        "/v1/nodes-needed?format=text", json={**body, "instance_types": ["m5.large,price=0.096"]}
    )
    assert text.get_data(as_text=True).strip().isdigit()


@pytest.mark.parametrize(
    ("url", "paths"),
    [
        (
            "/v1/nodes-needed?workload=web,x,1,1Gi&template=n,4,16Gi,11O&instance_type=m5.larg",
            ["workload[0].replicas", "template[0].pods", "instance_type[0]"],
        ),
        ("/v1/nodes-needed?workload=web,1,1,1Gi", ["template"]),
        ("/v1/nodes-needed?workload=web,1,1,1Gi&provider=eks", ["instance_type"]),
        ("/v1/nodes-needed?workload=web,1,1,1Gi&template=a,1,1Gi,110,price=1&template=b,1,1Gi", ["template"]),
        (
            "/v1/nodes-needed?workload=web,1,1,1Gi&daemonset=agent,x,1Gi&template=a,1,1Gi",
            ["daemonset[0].cpu"],
        ),
    ],
)
def test_get_errors_are_located(client: FlaskClient, url: str, paths: list[str]) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert [row["path"] for row in response.get_json()["errors"]] == paths


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"workloads": 3, "templates": ["n,1,1Gi"]}, "workloads"),
        ({"workloads": [{"name": "web", "cpu": "x"}], "templates": ["n,1,1Gi"]}, "workloads[0].cpu"),
        ({"workloads": [{"name": "web"}]}, "templates"),
        ({"workloads": [{"name": "web"}], "templates": [{"name": "n", "cpu": "1"}]}, "template[0].memory"),
    ],
)
def test_post_errors_are_located(client: FlaskClient, body: dict[str, object], path: str) -> None:
    response = client.post("/v1/nodes-needed", json=body)
    assert response.status_code == 422
    assert path in [row["path"] for row in response.get_json()["errors"]]


def _readme_formulas() -> list[tuple[str, str | None]]:
    """The /v1/nodes-needed URLs of the README's section, each with the value its arrow shows."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Nodes needed") :]
    section = section[: section.index("\n## ")]
    found = []
    for line in section.splitlines():
        match = re.search(r'"https?://[^/"]+(/v1/nodes-needed\?[^"]*)"', line)
        if match:
            arrow = re.search(r"→\s*(\S+)", line)
            found.append((match.group(1), arrow.group(1) if arrow else None))
    return found


def test_the_readme_formulas_answer_as_shown(client: FlaskClient) -> None:
    formulas = _readme_formulas()
    assert len(formulas) >= 2
    for url, shown in formulas:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert not body.startswith("ERROR"), url
        if shown is not None:
            assert body.strip() == shown, url
    sheet = next(url for url, _ in formulas if "format=csv" in url)
    rows = list(csv.reader(io.StringIO(client.get(sheet).get_data(as_text=True))))
    assert rows[0][0] == "template" and rows[-1][0] == "total"
    excel = next(url for url, _ in formulas if "errors=text" in url)
    bad = client.get(excel.replace("m5.large", "m5.larg")).get_data(as_text=True)
    assert bad.startswith("ERROR: ") and "did you mean m5.large" in bad


@pytest.mark.parametrize(
    ("query", "path"),
    [("kubernetes_version=1.2", "kubernetes_version"), ("feature_gates=resource", "feature_gates")],
)
def test_a_bad_release_is_located(client: FlaskClient, query: str, path: str) -> None:
    response = client.get(f"/v1/nodes-needed?workload=w,1,1,1Gi&template=t,2,4Gi&{query}")
    assert response.status_code == 422
    assert [row["path"] for row in response.get_json()["errors"]] == [path]
    body = {"workloads": [{"name": "w"}], "templates": ["t,1,1Gi"], path: 9}
    rows = client.post("/v1/nodes-needed", json=body).get_json()["errors"]
    assert [(row["path"], row["in"]) for row in rows] == [(path, "body")]
