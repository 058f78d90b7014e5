"""The requests report of a replicated workload adds up its replicas (kq requests, POST /v1/pods/requests)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api import create_app
from quantities.cli import main
from quantities.pod.read import pods_in
from quantities.present.pods import requests_report


def _workload(kind: str, replicas: object = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "template": {
            "spec": {
                "containers": [
                    {"name": "a", "image": "i", "resources": {"requests": {"cpu": "250m", "memory": "512Mi"},
                                                               "limits": {"memory": "1Gi"}}},
                ]
            }
        }
    }  # fmt: skip
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w"}, "spec": spec}


# (object, replicas, total requests, total limits): None where the object has no replica count.
ROWS: list[tuple[dict[str, Any], int | None, dict[str, str] | None, dict[str, str] | None]] = [
    (_workload("Deployment", 3), 3, {"cpu": "750m", "memory": "1536Mi"}, {"memory": "3Gi"}),
    (_workload("Deployment"), 1, {"cpu": "250m", "memory": "512Mi"}, {"memory": "1Gi"}),  # defaulted to 1
    (_workload("StatefulSet", 0), 0, {"cpu": "0", "memory": "0"}, {"memory": "0"}),
    (_workload("ReplicaSet", 4), 4, {"cpu": "1", "memory": "2Gi"}, {"memory": "4Gi"}),
    (_workload("ReplicationController", 2), 2, {"cpu": "500m", "memory": "1Gi"}, {"memory": "2Gi"}),
    (_workload("DaemonSet"), None, None, None),  # one per node: no count in the object
    ({"kind": "Pod", "metadata": {"name": "p"}, "spec": _workload("Pod")["spec"]["template"]["spec"]},
     None, None, None),
    (_workload("Deployment", "3"), None, None, None),  # not a number: the workload readers report it
]  # fmt: skip


@pytest.mark.parametrize(("obj", "replicas", "requests", "limits"), ROWS)
def test_totals(
    obj: dict[str, Any], replicas: int | None, requests: dict[str, str] | None, limits: dict[str, str] | None
) -> None:
    (pod,) = pods_in(obj)
    report = requests_report(pod)
    assert report.get("replicas") == replicas
    if replicas is None:
        assert "total" not in report
    else:
        assert report["total"] == {"requests": requests, "limits": limits}


def test_the_http_answer_carries_the_total() -> None:
    app: Flask = create_app({"TESTING": True})
    answer = app.test_client().post("/v1/pods/requests", json=_workload("Deployment", 3)).get_json()
    (report,) = answer["objects"]
    assert report["replicas"] == 3
    assert report["total"]["requests"] == {"cpu": "750m", "memory": "1536Mi"}


def test_the_text_table_adds_the_replicas_when_there_are_several(tmp_path: Path) -> None:
    path = tmp_path / "web.json"
    path.write_text(json.dumps(_workload("Deployment", 3)))
    out = io.StringIO()
    assert main(["requests", str(path)], out, io.StringIO()) == 0
    assert out.getvalue().splitlines()[-2:] == [
        "  all 3 replicas  cpu       750m      <none>",
        "                  memory    1536Mi    3Gi",
    ]
    path.write_text(json.dumps(_workload("Deployment", 1)))
    out = io.StringIO()
    assert main(["requests", str(path)], out, io.StringIO()) == 0
    assert "replicas" not in out.getvalue()
