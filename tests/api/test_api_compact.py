"""GET parameters and CSV bodies in the compact form: every error a 422 naming parameter, index and field."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.manifest.test_compact_rows import PYTHON_WORDS

PROBLEM = "application/problem+json"
NODE = "node=n1,4,8Gi,110"
PLAN_HEADER = "kind,name,replicas,cpu,memory,pods\n"

# (url, CSV body or None, path of the first error, text its hint contains or None)
CASES: list[tuple[str, str | None, str, str | None]] = [
    ("/v1/fit?cpu=2&memory=3Gi&node=n1;4;8Gi;110", None, "node[0]", 'did you mean "n1,4,8Gi,110"?'),
    ("/v1/fit?cpu=2&memory=3Gi&node=n1", None, "node[0].cpu", None),
    ("/v1/fit?cpu=2&memory=3Gi&node=n1,,,", None, "node[0].cpu", None),
    ("/v1/fit?cpu=2&memory=3Gi&node=n1,4,8Gi&node=n2,4", None, "node[1].memory", None),
    ("/v1/fit?cpu=2&memory=3Gi&node=n1,4,8Gi&node=n2,4,8Gi,110,zone:a", None, "node[1].labels[0]", "zone=a"),
    ("/v1/fit?cpu=2&node=n1,4,8Gi,110,,gpu:noschedule", None, "node[0].taints[0]", "NoSchedule"),
    ("/v1/fit?cpu=2&node=n1,4,8GB", None, "node[0].memory", "8G"),
    ("/v1/fit?cpu=2&node=N1,4,8Gi", None, "node[0].name", 'did you mean "n1"?'),
    ("/v1/fit?cpu=1&node=n1,1,1,1,a=b,x,y", None, "node[0]", 'separated by ";"'),
    ("/v1/fit?node=n1,4,8Gi", None, "cpu", None),
    ("/v1/fit?cpu=&node=n1,4,8Gi", None, "cpu", None),
    ("/v1/fit?cpu=2&memory=3GB&node=n1,4,8Gi", None, "memory", "3G"),
    ("/v1/fit?cpu=1x&node=n1,4,8Gi", None, "cpu", None),
    ("/v1/plan?workload=web,three,1500m,1Gi&" + NODE, None, "workload[0].replicas", "did you mean 3?"),
    ("/v1/plan?workload=web,3,1,1Gi&workload=db,-1,1,1Gi&" + NODE, None, "workload[1].replicas", None),
    ("/v1/plan?workload=web,3,1500m&" + NODE, None, "workload[0].memory", None),
    ("/v1/plan?workload=web,3,1,1Gi&node=n1,4,8Gi&node=n2,x,8Gi", None, "node[1].cpu", None),
    ("/v1/nodes/allocated?node=n1,4&pod=web,500m,1Gi", None, "node.memory", None),
    ("/v1/nodes/allocated?node=n1,4,8Gi&pod=web,500m,1Gi&pod=db,1", None, "pod[1].memory", None),
    (
        "/v1/nodes/allocated?node=n1,4,8Gi&pod=web,500m,1Gi&pod=db,1,2Gi&pod=x,1,1K",
        None,
        "pod[2].memory",
        "1k",
    ),
    ("/v1/nodes/allocated?node=n1,4,8Gi&pod=web,500m,1Gi,1,1Gi,9", None, "pod[0]", None),
    ("/v1/plan", "Node,n1,,4,8Gi,110\n,web,3,1,1Gi,\n", "header", "kind,name,replicas,cpu,memory,pods"),
    (
        "/v1/plan",
        "kind,name,replicas,cpu,memroy,pods\nNode,n1,,4,8Gi,\n",
        "header[4]",
        'did you mean "memory"?',
    ),
    ("/v1/plan", PLAN_HEADER + "Node,n1,,4,8Gi,110\n,web,three,1,1Gi,\n", "rows[1].replicas", "3"),
    ("/v1/plan", PLAN_HEADER + "Node,n1,,4,,110\n,web,3,1,1Gi,\n", "rows[0].memory", None),
    ("/v1/plan", PLAN_HEADER + "Node,n1,,4,8Gi,110\n,web,3,1,1Gi,5\n", "rows[1].pods", None),
    ("/v1/plan", PLAN_HEADER + "Node,n1,,4,8Gi,110\n,,,,,\n,web,3,1,1Gi,\n", "rows[1]", None),
    ("/v1/plan", PLAN_HEADER + ",web,3,1,1Gi,\n", "rows", None),
    ("/v1/plan", PLAN_HEADER + "Node,n1,,4,8Gi,110\n", "rows", None),
    ("/v1/plan", "", "header", None),
]


@pytest.mark.parametrize(
    ("url", "body", "path", "hint"), CASES, ids=[c[0][3:40] + (c[1] or "")[:20] for c in CASES]
)
def test_compact_errors_are_located(
    client: FlaskClient, url: str, body: str | None, path: str, hint: str | None
) -> None:
    csv_body = {"data": body, "content_type": "text/csv"} if body is not None else {}
    response = client.open(url, method="GET" if body is None else "POST", **csv_body)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == PROBLEM, text
    assert not any(word in text for word in PYTHON_WORDS), text
    assert not re.search(r"'[^' ]*'", text), text  # user text is quoted JSON-style, never 'x'
    document: dict[str, Any] = json.loads(text)
    first = document["errors"][0]
    assert first["path"] == path, document["errors"]
    assert all(error["path"] for error in document["errors"])
    if hint is not None:
        assert hint in first.get("hint", ""), first
    if path.startswith("rows["):
        assert "(line " in first["message"]


def test_every_parameter_problem_in_one_answer(client: FlaskClient) -> None:
    response = client.get("/v1/plan?workload=web,x,1,1Gi&workload=db,1,1&node=n1,4&node=n2;4;8Gi")
    paths = [error["path"] for error in response.get_json()["errors"]]
    assert paths == ["workload[0].replicas", "workload[1].memory", "node[0].memory", "node[1]"]


def test_errors_text_for_a_spreadsheet_cell(client: FlaskClient) -> None:
    response = client.get("/v1/fit?cpu=2&memory=3Gi&node=n1;4;8Gi;110&errors=text")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("ERROR: node[0]: expected the fields name,cpu,memory")


def test_valid_rows_still_answer(client: FlaskClient) -> None:
    fit = client.get("/v1/fit?memory=3Gi&node=n1,4,8Gi&node=n2,2,2Gi,,zone=a,gpu=true:NoSchedule").get_json()
    assert fit["feasible"] == ["n1"]
    body = PLAN_HEADER + "Node,n1,,4,8Gi,\n,web,,1,1Gi,\n"
    plan = client.post("/v1/plan", data=body, content_type="text/csv").get_json()
    assert (plan["workloads"][0]["replicas"], plan["workloads"][0]["placed"]) == (1, 1)
