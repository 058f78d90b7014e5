"""kq nodes-needed: the CLI contract, the formats, exit statuses and errors that name the flag."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from quantities.cli import main


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["nodes-needed", *argv], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, str]:
    web = tmp_path / "web.yaml"
    web.write_text(
        "kind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 20\n  template:\n    spec:\n"
        "      containers: [{name: app, resources: {requests: {cpu: 500m, memory: 1Gi}}}]\n"
    )
    db = tmp_path / "db.json"
    db.write_text(json.dumps([{"name": "db", "replicas": 2, "cpu": "1", "memory": "4Gi"}]))
    agent = tmp_path / "agent.yaml"
    agent.write_text(
        "kind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    spec:\n"
        "      containers: [{name: a, resources: {requests: {cpu: 100m, memory: 128Mi}}}]\n"
    )
    cluster = tmp_path / "cluster.csv"
    cluster.write_text("name,cpu,memory,pods\nold,2,8Gi,110\n")
    return {"web": str(web), "db": str(db), "agent": str(agent), "cluster": str(cluster)}


def test_the_contract_with_an_instance_type(files: dict[str, str]) -> None:
    status, out, err = _run(
        "--workload", files["web"], "--provider", "eks", "--instance-type", "m5.large",
        "--kubernetes-version", "1.32", "-o", "json",
    )  # fmt: skip
    assert (status, err) == (0, "")
    answer = json.loads(out)
    assert answer["new_nodes"] == 7
    assert answer["by_template"] == {"m5.large": 7}
    assert (answer["lower_bound"], answer["binding_resource"]) == (6, "cpu")
    assert answer["kubernetes_version"] == "1.32"
    plan = answer["plan"]
    assert set(plan) == {"kubernetes_version", "workloads", "nodes", "warnings"}
    assert plan["workloads"][0]["placed"] == 20
    assert [node["name"] for node in plan["nodes"]] == [f"m5.large-{i}" for i in range(1, 8)]


def test_node_templates_daemonsets_and_a_cluster(files: dict[str, str]) -> None:
    status, out, err = _run(
        "--workload", files["web"], "--workload", files["db"], "--workload", "cache,2,1,1Gi",
        "--node-template", "n,4,16Gi,110,pool=general", "--daemonset", files["agent"], files["cluster"],
        "-o", "json",
    )  # fmt: skip
    assert (status, err) == (0, "")
    answer = json.loads(out)
    names = [w["name"] for w in answer["plan"]["workloads"]]
    assert names == ["agent", "web", "db", "cache"]
    assert all(w["pending"] == 0 for w in answer["plan"]["workloads"])
    nodes = [node["name"] for node in answer["plan"]["nodes"]]
    assert nodes[0] == "old" and len(nodes) == 1 + answer["new_nodes"]
    agent = answer["plan"]["workloads"][0]
    assert set(agent["placements"]) == set(nodes[1:])  # every new node, not the existing one
    assert answer["lower_bound"] <= answer["new_nodes"] <= answer["first_fit_decreasing"]


def test_prices_choose_the_cheapest_mix() -> None:
    status, out, _ = _run(
        "--workload", "web,9,1,2Gi", "--node-template", "small,2,4Gi,110,price=0.05",
        "--node-template", "big,8,32Gi,110,price=0.16", "-o", "json",
    )  # fmt: skip
    answer = json.loads(out)
    assert (status, answer["by_template"], answer["cost"]) == (0, {"small": 1, "big": 1}, "0.21")


def test_exit_1_and_the_message_when_a_replica_cannot_be_placed() -> None:
    status, out, err = _run(
        "--workload", "huge,2,64,1Gi", "--workload", "web,1,1,1Gi", "--node-template", "n,4,8Gi"
    )
    assert (status, err) == (1, "")
    assert (
        "huge: 2 replicas cannot be placed: fits no template: 0/1 nodes are available: 1 Insufficient cpu"
        in out
    )
    status, out, _ = _run("--workload", "huge,2,64,1Gi", "--node-template", "n,4,8Gi", "-o", "json")
    answer = json.loads(out)
    assert (status, answer["placed_all"], answer["unplaceable"][0]["replicas"]) == (1, False, 2)


def test_csv_and_text() -> None:
    status, out, _ = _run("--workload", "web,5,1500m,1Gi", "--node-template", "n,4,16Gi,110", "-o", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert status == 0
    assert rows[0] == ["template", "new_nodes", "price", "cost", "cpu", "memory", "pods", "lower_bound",
                       "first_fit_decreasing"]  # fmt: skip
    assert rows[1][:2] == ["n", "3"] and rows[-1][:2] == ["total", "3"]
    status, out, _ = _run("--workload", "web,5,1500m,1Gi", "--node-template", "n,4,16Gi,110")
    assert out.startswith("new nodes: 3 (Kubernetes ")
    assert "lower bound 2 (cpu), 1 above it" in out
    assert "web: 5/5 on n-1=2, n-2=2, n-3=1" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["--workload", "web,1,1,1Gi", "--node-template", "n,4,16Gi,11O"],
            '--node-template "n,4,16Gi,11O": pods',
        ),
        (["--workload", "web,x,1,1Gi", "--node-template", "n,4,16Gi"], '--workload "web,x,1,1Gi": replicas'),
        (["--workload", "web,1,1,1Gi", "--instance-type", "m5.larg"], "did you mean m5.large"),
        (["--workload", "web,1,1,1Gi", "--provider", "eks"], "--provider needs --instance-type"),
        (["--workload", "web,1,1,1Gi"], "which nodes may be added?"),
        (
            ["--workload", "web,1,1,1Gi", "--node-template", "a,1,1Gi,price=1", "--node-template", "b,1,1Gi"],
            "give a price for every template",
        ),
        (
            ["--workload", "web,1,1,1Gi", "--node-template", "a,1,1Gi,110,price=cheap"],
            "price: expected a price",
        ),
        (["--workload", "nope.yaml", "--node-template", "a,1,1Gi"], 'cannot read "nope.yaml": no such file'),
        (
            ["--workload", "web,1,1,1Gi", "--node-template", "a,1,1Gi", "--kubernetes-version", "1.20"],
            "is not supported",
        ),
    ],
)
def test_errors_name_the_flag(argv: list[str], words: str) -> None:
    status, out, err = _run(*argv)
    assert (status, out) == (2, "")
    assert words in err
    assert "Traceback" not in err
