"""kq quota / kq rollout and GET/POST /v1/quota and /v1/rollout: the contract, formats, exit statuses,
located errors, and the README's spreadsheet formulas called as written."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from flask.testing import FlaskClient

from quantities.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 4,
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [{"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "500m"}}}]
            },
        },
    },
}
STATE = {
    "apiVersion": "v1",
    "kind": "List",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "team", "namespace": "team-a"},
            "spec": {"hard": {"requests.cpu": "2", "pods": "10"}},
            "status": {
                "hard": {"requests.cpu": "2", "pods": "10"},
                "used": {"requests.cpu": "0", "pods": "0"},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": "defaults", "namespace": "team-a"},
            "spec": {"limits": [{"type": "Container", "default": {"memory": "512Mi"}}]},
        },
    ],
}
CONTRACT_KEYS = {"fits", "rollout_fits", "peak_pods", "max_replicas", "message", "kubernetes_version"}


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def _files(tmp_path: Path, workload: Any = DEPLOYMENT, state: Any = STATE) -> tuple[str, str]:
    w, s = tmp_path / "web.yaml", tmp_path / "state.json"
    w.write_text(yaml.safe_dump(workload))
    s.write_text(json.dumps(state))
    return str(w), str(s)


def test_kq_quota_json_contract(tmp_path: Path) -> None:
    workload, state = _files(tmp_path)
    status, out, err = _run("quota", "--workload", workload, "--namespace-state", state, "-o", "json")
    answer = json.loads(out)
    assert status == 0 and not err
    assert answer.keys() >= CONTRACT_KEYS
    assert (answer["fits"], answer["rollout_fits"], answer["peak_pods"], answer["max_replicas"]) == (
        True,
        False,
        5,
        4,
    )
    assert answer["message"] == (
        "exceeded quota: team, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2"
    )
    assert answer["workload"]["namespace"] == "team-a"
    assert (
        answer["pod"]["limit_ranger"]
        == "LimitRanger plugin set: memory request for container app; memory limit for container app"
    )


def test_kq_quota_exit_1_when_a_replica_is_refused(tmp_path: Path) -> None:
    big = json.loads(json.dumps(DEPLOYMENT))
    big["spec"]["replicas"] = 6
    workload, state = _files(tmp_path, big)
    status, out, _ = _run("quota", "--workload", workload, "--namespace-state", state, "-o", "json")
    assert status == 1
    assert json.loads(out)["fits"] is False


def test_kq_quota_without_binding_quota(tmp_path: Path) -> None:
    workload, state = _files(tmp_path, state={"kind": "List", "items": []})
    status, out, _ = _run("quota", "--workload", workload, "--namespace-state", state, "-o", "json")
    answer = json.loads(out)
    assert status == 0 and answer["max_replicas"] is None and answer["message"] is None


def test_kq_quota_csv_text_and_version(tmp_path: Path) -> None:
    workload, state = _files(tmp_path)
    status, out, _ = _run("quota", "--workload", workload, "--namespace-state", state, "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and rows[0]["max_replicas"] == "4" and rows[0]["rollout_fits"] == "false"
    status, out, _ = _run(
        "quota", "--workload", workload, "--namespace-state", state, "--kubernetes-version", "1.30"
    )
    assert status == 0 and out.startswith("fits: yes")
    status, out, _ = _run(
        "quota",
        "--workload",
        workload,
        "--namespace-state",
        state,
        "--kubernetes-version",
        "1.30",
        "-o",
        "json",
    )
    assert json.loads(out)["kubernetes_version"] == "1.30"


def test_kq_quota_bad_inputs_exit_2_with_located_messages(tmp_path: Path) -> None:
    bad_state = {
        "kind": "List",
        "items": [{"kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "ten"}}}],
    }
    workload, state = _files(tmp_path, state=bad_state)
    status, out, err = _run("quota", "--workload", workload, "--namespace-state", state)
    assert status == 2 and not out
    assert "items[0].spec.hard.pods" in err and "state.json" in err
    status, _, err = _run(
        "quota", "--workload", workload, "--namespace-state", state, "--kubernetes-version", "1.2"
    )
    assert status == 2 and "1.28" in err


def test_kq_rollout(tmp_path: Path) -> None:
    workload, _ = _files(tmp_path)
    status, out, _ = _run("rollout", "--workload", workload, "-o", "json")
    answer = json.loads(out)
    assert status == 0 and (answer["peak_pods"], answer["max_surge"], answer["max_unavailable"]) == (5, 1, 1)
    cluster = tmp_path / "nodes.csv"
    cluster.write_text("name,cpu,memory,pods\nn1,2,8Gi,110\n")
    status, out, _ = _run("rollout", "--workload", workload, str(cluster))
    assert status == 1 and "peak 5 pods: 4 placed" in out


# --- HTTP -------------------------------------------------------------------------------------------

QUOTA_URL = "/v1/quota?workload=web,4,500m,1Gi&quota=team,requests.cpu=2,requests.memory=8Gi,pods=10"


def test_get_quota_json(client: FlaskClient) -> None:
    response = client.get(QUOTA_URL)
    answer = response.get_json()
    assert response.status_code == 200
    assert answer.keys() >= CONTRACT_KEYS
    assert (answer["fits"], answer["rollout_fits"], answer["max_replicas"]) == (True, False, 4)


def test_get_quota_csv_and_text(client: FlaskClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get(QUOTA_URL + "&format=csv").get_data(as_text=True))))
    assert rows[0]["fits"] == "true" and rows[0]["peak_pods"] == "5"
    text = client.get(QUOTA_URL + "&format=text").get_data(as_text=True)
    assert text.splitlines()[:2] == [
        "fits: yes (4 of 4 replicas admitted; the quotas admit 4)",
        "rollout fits: no (peak 5 pods)",
    ]


def test_get_quota_used_limits_and_strategy(client: FlaskClient) -> None:
    url = (
        "/v1/quota?workload=web,4,0,0&quota=team,limits.cpu=3,pods=10&used=team,limits.cpu=1"
        "&limits=Container,default.cpu=500m&max_surge=0&max_unavailable=1"
    )
    answer = client.get(url).get_json()
    assert (answer["fits"], answer["rollout_fits"], answer["peak_pods"], answer["max_replicas"]) == (
        True,
        True,
        4,
        4,
    )


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/v1/quota?workload=web,4,500m,1Gi&quota=team,requests.cpu=two", "quota[0][requests.cpu]"),
        ("/v1/quota?workload=web,4,500m,1Gi&quota=team,pods=1&used=other,pods=1", "used[0].name"),
        ("/v1/quota?workload=web,4,500m,1Gi&limits=Node,max.cpu=1", "limits[0].type"),
        ("/v1/quota?workload=web,four,500m,1Gi", "workload.replicas"),
        ("/v1/rollout?workload=web,4,500m,1Gi&max_surge=lots", "max_surge"),
        ("/v1/rollout?workload=web,4,500m,1Gi&max_surge=0&max_unavailable=0%25", "max_unavailable"),
        ("/v1/rollout?workload=web,4,500m,1Gi&kubernetes_version=1.99", "kubernetes_version"),
        ("/v1/quota?workload=web,4,500m,1Gi&feature_gates=Nope=true", "feature_gates"),
    ],
)
def test_get_errors_name_the_parameter(client: FlaskClient, url: str, path: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert path in [error["path"] for error in response.get_json()["errors"]]


def test_post_quota(client: FlaskClient) -> None:
    body = {"workload": DEPLOYMENT, "namespace_state": STATE, "kubernetes_version": "1.32"}
    answer = client.post("/v1/quota", json=body).get_json()
    assert answer["kubernetes_version"] == "1.32" and answer["max_replicas"] == 4
    missing = client.post("/v1/quota", json={"workload": DEPLOYMENT})
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["path"] == "namespace_state"
    limit_range = {
        "kind": "LimitRange",
        "metadata": {"name": "x"},
        "spec": {"limits": [{"type": "Pod", "max": {"cpu": "x"}}]},
    }
    state = {"kind": "List", "items": [limit_range]}
    bad = client.post("/v1/quota", json={"workload": DEPLOYMENT, "namespace_state": state})
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["path"] == "namespace_state.items[0].spec.limits[0].max.cpu"


def test_post_rollout_daemonset_with_cluster(client: FlaskClient) -> None:
    daemonset = {
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "updateStrategy": {"rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}},
            "template": {
                "spec": {"containers": [{"name": "a", "image": "a", "resources": {"requests": {"cpu": "1"}}}]}
            },
        },
    }
    nodes = [{"name": "n1", "cpu": "2", "memory": "1Gi"}, {"name": "n2", "cpu": "1", "memory": "1Gi"}]
    answer = client.post("/v1/rollout", json={"workload": daemonset, "nodes": nodes}).get_json()
    assert (answer["replicas"], answer["peak_pods"], answer["fits_nodes"]) == (2, 3, False)
    counted = client.post("/v1/rollout", json={"workload": daemonset, "eligible_nodes": 10}).get_json()
    assert counted["peak_pods"] == 15


# --- the README's formulas, called as written -------------------------------------------------------


def _readme_formulas() -> list[tuple[str, str]]:
    """(URL, expected text after the arrow) of the formulas in the README's "Rollouts and quotas" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Rollouts and quotas", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    found = []
    for match in re.finditer(r'(?:WEBSERVICE|IMPORTDATA)\("([^"]+)"\)[^\n]*\n\s*→ ([^\n]+)', section):
        found.append((match.group(1), match.group(2).strip()))
    return found


def test_readme_formulas_answer_what_the_readme_says(client: FlaskClient) -> None:
    formulas = _readme_formulas()
    assert len(formulas) >= 2
    for url, expected in formulas:
        parts = urlsplit(url)
        response = client.get(f"{parts.path}?{parts.query}")
        assert response.status_code == 200, url
        assert expected in response.get_data(as_text=True).replace("\r\n", "\n").replace("\n", " | "), url
