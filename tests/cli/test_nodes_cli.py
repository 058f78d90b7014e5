"""kq describe-node / fit / plan / max-replicas, and the cluster loader behind them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from quantities.cli import main
from quantities.manifest.stream import iter_json_objects
from quantities.scheduler.cluster import load_cluster
from tests.kind_cluster import deployment, node, pod, system_pods


def _run(
    *argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def cluster_file(tmp_path: Path) -> Path:
    # As `kubectl get nodes -o json` and `kubectl get pods -A -o json` print them, one after the other.
    path = tmp_path / "cluster.json"
    nodes = {"apiVersion": "v1", "kind": "List", "items": [node()], "metadata": {"resourceVersion": ""}}
    pods = {"apiVersion": "v1", "kind": "List", "items": system_pods(), "metadata": {"resourceVersion": ""}}
    path.write_text(json.dumps(nodes, indent=4) + "\n" + json.dumps(pods, indent=4) + "\n")
    return path


def _write(tmp_path: Path, name: str, obj: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return path


def test_describe_node(cluster_file: Path) -> None:
    status, out, _ = _run("describe-node", str(cluster_file))
    assert status == 0
    assert out.startswith("Non-terminated Pods:          (9 in total)\n")
    assert "  cpu                950m (9%)   100m (1%)\n" in out
    assert "  memory             290Mi (3%)  390Mi (4%)\n" in out


def test_describe_node_from_yaml_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    text = yaml.safe_dump_all([node(), *system_pods()])
    status, out, _ = _run("describe-node", "-", "-o", "json", stdin=text, monkeypatch=monkeypatch)
    assert status == 0
    assert json.loads(out)["allocated"][0]["requests"] == "950m"


def test_describe_node_needs_one_node(tmp_path: Path) -> None:
    path = _write(tmp_path, "two.json", {"kind": "List", "items": [node("a"), node("b")]})
    status, _, err = _run("describe-node", str(path))
    assert status == 2 and "pick one with --node" in err
    status, out, _ = _run("describe-node", str(path), "--node", "b", "-o", "csv")
    assert status == 0 and out.splitlines()[1].startswith("b,cpu,0,0,0,0,10")


def test_fit(cluster_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The message quoted is kube-scheduler 1.32's (1.34+ adds the DRA reason and, for a pod larger
    # than the node, calls preemption not helpful).
    monkeypatch.setenv("KQ_KUBERNETES_VERSION", "1.32")
    big = _write(tmp_path, "pod.json", pod("default", "big", memory="8Gi", node_name=None))
    status, out, _ = _run("fit", "--pod", str(big), str(cluster_file))
    assert status == 1
    assert out.rstrip().endswith(
        "0/1 nodes are available: 1 Insufficient memory. "
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )
    status, out, _ = _run("fit", "--pod", str(big), str(cluster_file), "-o", "json")
    data = json.loads(out)
    assert data["fits"] is False and data["nodes"][0]["reasons"] == ["Insufficient memory"]
    small = _write(tmp_path, "small.json", deployment("web", 2, cpu="100m"))
    status, out, _ = _run("fit", "--pod", str(small), str(cluster_file), "-o", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert status == 0 and rows[0][:4] == ["node", "fits", "plugin", "reasons"] and rows[1][1] == "true"


def test_plan(cluster_file: Path, tmp_path: Path) -> None:
    workloads = _write(
        tmp_path,
        "workloads.json",
        {
            "kind": "List",
            "items": [deployment("big", 3, memory="5Gi"), deployment("small", 3, memory="64Mi")],
        },
    )
    status, out, _ = _run("plan", "--workload", str(workloads), str(cluster_file), "-o", "json")
    assert status == 1  # two replicas of "big" stay pending
    data = json.loads(out)
    big, small = data["workloads"]
    assert (big["placed"], big["pending"], small["placed"]) == (1, 2, 3)
    assert big["message"].startswith("0/1 nodes are available: 1 Insufficient memory.")
    assert data["nodes"][0]["placed"] == 4
    status, out, _ = _run("plan", "--workload", str(workloads), str(cluster_file))
    assert "big        3          1        2         kind-control-plane=1" in out
    status, out, _ = _run("plan", "--workload", str(workloads), str(cluster_file), "-o", "csv")
    assert out.splitlines()[0] == "workload,kind,replicas,placed,pending,node,count,message"
    assert "" not in out.splitlines()  # one table: header and rows
    status, out, _ = _run(
        "plan", "--workload", str(workloads), str(cluster_file), "-o", "csv", "--table", "nodes"
    )
    assert out.splitlines()[0].startswith("node,") and len(out.splitlines()) == 2


def test_plan_with_compact_csv_nodes(tmp_path: Path) -> None:
    nodes = tmp_path / "nodes.csv"
    nodes.write_text(
        "name,cpu,memory,pods,labels,taints\nn1,4,8Gi,110,zone=a,\nn2,4,8Gi,110,zone=b,gpu=true:NoSchedule\n"
    )
    workload = _write(tmp_path, "w.json", {"name": "api", "replicas": 3, "cpu": "1", "memory": "1Gi"})
    status, out, _ = _run("plan", "--workload", str(workload), str(nodes), "-o", "json")
    assert status == 0 and json.loads(out)["workloads"][0]["placements"] == {"n1": 3}
    status, out, _ = _run("max-replicas", "--pod", str(workload), str(nodes))
    assert (status, out) == (0, "4\n")


def test_bad_input_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "List", "items": [}')
    status, _, err = _run("describe-node", str(broken))
    assert status == 2 and err.startswith("kq: ")


def test_streamed_json_matches_json_module() -> None:
    documents = [
        {"apiVersion": "v1", "items": [{"a": 1}, {"b": [1, 2, {"c": None}]}], "kind": "List"},
        {"kind": "Node", "metadata": {"name": "x"}},
        {"items": [], "kind": "PodList"},
        {},
    ]
    text = "\n".join(json.dumps(d, indent=2) for d in documents) + "\n"
    assert list(iter_json_objects(text)) == [{"a": 1}, {"b": [1, 2, {"c": None}]}, documents[1], documents[3]]
    assert list(iter_json_objects(json.dumps([{"a": 1}, {"b": 2}]))) == [{"a": 1}, {"b": 2}]
    with pytest.raises(json.JSONDecodeError):
        list(iter_json_objects('{"items": [1 2]}'))


def test_load_cluster_mixes_forms() -> None:
    objects = [
        {"kind": "List", "items": [node("a"), pod("ns", "p", "1", node_name="a")]},
        {"nodes": [{"name": "b", "cpu": "2", "memory": "4Gi"}]},
        {"name": "c", "cpu": "1", "memory": "1Gi", "pods": 10},
        {"kind": "Service", "metadata": {"name": "svc"}},
    ]
    cluster = load_cluster(objects)
    assert [n.name for n in cluster.nodes] == ["a", "b", "c"]
    assert [p.name for p in cluster.pods] == ["p"]
    assert cluster.others == [objects[3]]
