"""kq capacity / max-replicas / stranded / what-if and their HTTP endpoints; the README's spreadsheet URLs."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from quantities.capacity.headroom import max_replicas_detail
from quantities.capacity.overview import capacity_overview
from quantities.cli import main
from quantities.scheduler.plan import max_replicas
from tests.kind_cluster import node, pod

ROOT = Path(__file__).resolve().parents[2]
ZONE = "topology.kubernetes.io/zone"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def _owned(made: dict[str, Any], kind: str = "ReplicaSet") -> dict[str, Any]:
    made["metadata"]["ownerReferences"] = [{"kind": kind, "name": "owner", "controller": True}]
    return made


NODES = [
    node("a", allocatable={"cpu": "4", "memory": "8Gi", "pods": "110"}, labels={ZONE: "z1"}),
    node("b", allocatable={"cpu": "2", "memory": "4Gi", "pods": "110"}, labels={ZONE: "z2"},
         taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}]),
]  # fmt: skip
PODS = [
    _owned(pod("shop", "web-1", "500m", None, "1Gi", "2Gi", "a")),
    _owned(pod("shop", "db-0", "1", "1", "2Gi", "2Gi", "b"), "StatefulSet"),
]


@pytest.fixture()
def cluster(tmp_path: Path) -> str:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps({"kind": "List", "items": [*NODES, *PODS]}))
    return str(path)


# ---- kq ----


def test_kq_capacity_json_is_the_contract(cluster: str) -> None:
    status, out, err = run("capacity", cluster, "-o", "json", "--kubernetes-version", "1.32")
    assert (status, err) == (0, "")
    answer = json.loads(out)
    assert answer == capacity_overview(NODES, PODS, kubernetes_version="1.32").to_json()
    a, b = answer["nodes"]
    assert (a["name"], a["schedulable"], a["pods"]) == (
        "a",
        True,
        {"allocatable": 110, "used": 1, "free": 109},
    )
    assert {k: a["cpu"][k] for k in ("allocatable", "requests", "limits", "free")} == {
        "allocatable": "4", "requests": "500m", "limits": "0", "free": "3500m"}  # fmt: skip
    assert {k: a["memory"][k] for k in ("allocatable", "requests", "limits", "free")} == {
        "allocatable": "8Gi", "requests": "1Gi", "limits": "2Gi", "free": "7Gi"}  # fmt: skip
    assert b["schedulable"] is False
    assert answer["total"]["cpu"]["free"] == "3500m"  # b is tainted: left out of free
    assert answer["total"]["cpu"]["allocatable"] == "6"


def test_kq_capacity_text_csv_selector_and_groups(cluster: str) -> None:
    status, out, _ = run("capacity", cluster)
    assert status == 0 and out.splitlines()[0].split()[:2] == ["NODE", "PODS"]
    assert "b (unschedulable)" in out and "b: unschedulable: taint gpu=true:NoSchedule" in out
    status, out, _ = run("capacity", cluster, "-o", "csv", "-l", f"{ZONE}=z1", "--group-by", ZONE)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["name"] for row in rows if row["scope"] == "node"} == {"a"}
    assert [(r["resource"], r["free"]) for r in rows if r["scope"] == "group"][:2] == [
        ("pods", "109"),
        ("cpu", "3500m"),
    ]
    status, out, _ = run("capacity", cluster, "-o", "json", "--include-unschedulable")
    assert json.loads(out)["total"]["cpu"]["free"] == "4500m"


def test_kq_max_replicas_json_is_the_contract(cluster: str) -> None:
    status, out, err = run("max-replicas", "--cpu", "1", "--memory", "1Gi", cluster, "-o", "json")
    assert (status, err) == (0, "")
    answer = json.loads(out)
    assert answer["total"] == 3 == max_replicas(
        {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}},
        NODES, PODS,
    )  # fmt: skip
    assert [{k: n[k] for k in ("name", "replicas", "binding_resource")} for n in answer["nodes"]] == [
        {"name": "a", "replicas": 3, "binding_resource": "cpu"},
        {"name": "b", "replicas": 0, "binding_resource": None},
    ]
    assert answer["nodes"][1]["reason"].startswith("node(s) had untolerated taint")
    assert run("max-replicas", "--cpu", "1", "--memory", "1Gi", cluster) == (0, "3\n", "")


def test_kq_stranded(cluster: str) -> None:
    status, out, _ = run("stranded", "--cpu", "1", "--memory", "3Gi", cluster, "-o", "json")
    a = json.loads(out)["nodes"][0]
    assert status == 0 and (a["replicas"], a["binding_resource"], a["stranded"]["cpu"]) == (
        2,
        "memory",
        "1500m",
    )


# The tainted node b takes no pod without a toleration: only db-0 (from b) finds a place on a.
@pytest.mark.parametrize(
    ("scenario", "status", "outcomes"),
    [
        (("--drain", "b"), 0, [("shop/db-0", "rescheduled", "a")]),
        (("--lose-zone", "z1"), 1, [("shop/web-1", "pending", None)]),
        (("--lose-largest", "1"), 1, [("shop/web-1", "pending", None)]),
    ],
)
def test_kq_what_if_exit_status(
    cluster: str, scenario: tuple[str, ...], status: int, outcomes: list[tuple[str, str, str | None]]
) -> None:
    got, out, _ = run("what-if", *scenario, cluster, "-o", "json")
    answer = json.loads(out)
    assert got == status and [(p["pod"], p["outcome"], p["node"]) for p in answer["pods"]] == outcomes


def test_kq_what_if_says_why(cluster: str) -> None:
    status, out, _ = run("what-if", "--lose-zone", "z1", cluster)
    assert (
        status == 1 and "pending shop/web-1: 0/1 nodes are available: 1 node(s) had untolerated taint" in out
    )
    status, out, _ = run("what-if", "--drain", "b", cluster, "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (status, rows[0]["pod"], rows[0]["outcome"], rows[0]["node"]) == (
        0,
        "shop/db-0",
        "rescheduled",
        "a",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("what-if", "--drain", "x"), 'drain[0]: no node named "x"'),
        (("what-if", "--lose-zone", "z9"), 'lose_zone: no node is in zone "z9": the zones are "z1", "z2"'),
        (
            ("capacity", "-l", "zone in z1"),
            '--selector "zone in z1": "zone in z1": expected a list of values',
        ),
        (("capacity", "--kubernetes-version", "1.12"), '--kubernetes-version "1.12" is not supported'),
        (("what-if", "--lose-largest", "0"), "expected a whole number of at least 1"),
    ],
)
def test_kq_errors_name_the_input(cluster: str, argv: tuple[str, ...], message: str) -> None:
    status, out, err = run(*argv, cluster)
    assert status == 2 and out == "" and message in err and "Traceback" not in err


# ---- HTTP ----

GET_NODES = "node=a,4,8Gi,110,topology.kubernetes.io/zone=z1&node=b,2,4Gi,110,topology.kubernetes.io/zone=z2"


def test_post_capacity_equals_the_library(client: FlaskClient) -> None:
    response = client.post(
        "/v1/capacity?kubernetes_version=1.32", json={"kind": "List", "items": [*NODES, *PODS]}
    )
    assert response.status_code == 200
    assert response.get_json() == capacity_overview(NODES, PODS, kubernetes_version="1.32").to_json()


def test_get_capacity_compact(client: FlaskClient) -> None:
    answer = client.get(f"/v1/capacity?{GET_NODES}&pod=a/web,500m,1Gi&group_by={ZONE}").get_json()
    assert answer["nodes"][0]["cpu"]["free"] == "3500m" and answer["nodes"][0]["pods"]["used"] == 1
    assert [g["value"] for g in answer["groups"]] == ["z1", "z2"]
    problem = client.get("/v1/capacity?node=a,4,8Gi&pod=c/web,1,1Gi&pod=web,1,1Gi").get_json()
    assert [e["path"] for e in problem["errors"]] == ["pod[0]", "pod[1]"]


def test_max_replicas_get_and_post(client: FlaskClient) -> None:
    answer = client.get(f"/v1/max-replicas?cpu=1&memory=1Gi&{GET_NODES}").get_json()
    assert answer["total"] == 6 and [n["binding_resource"] for n in answer["nodes"]] == ["cpu", "cpu"]
    body = {"pod": {"cpu": "1", "memory": "1Gi"}, "cluster": {"kind": "List", "items": [*NODES, *PODS]}}
    posted = client.post("/v1/max-replicas?kubernetes_version=1.32", json=body).get_json()
    proposal = {
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}
    }
    assert (
        posted["nodes"]
        == max_replicas_detail(proposal, NODES, PODS, kubernetes_version="1.32").to_json()["nodes"]
    )
    assert client.post("/v1/max-replicas?format=text", json=body).get_data(as_text=True) == "3\n"


def test_what_if_post(client: FlaskClient) -> None:
    body = {"cluster": {"kind": "List", "items": [*NODES, *PODS]}, "lose_zone": "z1"}
    answer = client.post("/v1/what-if?kubernetes_version=1.32", json=body).get_json()
    assert answer["all_rescheduled"] is False and answer["pods"][0]["outcome"] == "pending"
    bad = client.post("/v1/what-if", json={**body, "lose_largest": "2"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "lose_largest"


# ---- the README's spreadsheet formulas, called as written ----


def _readme_urls() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Capacity overview and headroom") :]
    section = section[: section.index("\n### ", 5)]
    found = re.findall(r'=(WEBSERVICE|IMPORTDATA)\("https?://[^/]+(/v1/[^"]+)"\)', section)
    return [(kind, url) for kind, url in found]


def test_the_readme_has_excel_and_sheets_formulas() -> None:
    kinds = [kind for kind, _ in _readme_urls()]
    assert kinds.count("WEBSERVICE") >= 2 and kinds.count("IMPORTDATA") >= 3


@pytest.mark.parametrize(("kind", "url"), _readme_urls())
def test_readme_formulas_work(client: FlaskClient, kind: str, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    if kind == "WEBSERVICE":
        # What the README says the cell shows.
        assert response.mimetype == "text/plain" and not body.startswith("ERROR")
        text = (ROOT / "README.md").read_text()
        shown = text[text.index(url) :].split("→", 1)[1].splitlines()[0].strip().rstrip(" .")
        assert body.startswith(shown)
    else:
        assert response.mimetype == "text/csv" and len(list(csv.reader(io.StringIO(body)))) >= 2
