"""The QoS report, defined once: QoSExplanation.to_json, wrapped by present.pods.qos_report."""

from __future__ import annotations

from typing import Any

import pytest

from quantities import explain_qos, valid_pod
from quantities.present.pods import QOS_CSV_HEADER, qos_csv_row, qos_report
from quantities.versions import default_kubernetes_version

BURSTABLE_POD: dict[str, Any] = {
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "containers": [
            {
                "name": "app",
                "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": "500m"}},
            }
        ]
    },
}

ROWS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        BURSTABLE_POD,
        {
            "kind": "Pod",
            "name": "web",
            "namespace": "shop",
            "document": None,
            "path": "spec",
            "qos_class": "Burstable",
            "decided_by": "containers",
            "reasons": [
                'container "app": requests.cpu 250m differs from limits.cpu 500m',
                'container "app" has no memory limit (requests.memory is 1Gi)',
            ],
            "to_guaranteed": [
                'set requests.cpu and limits.cpu of container "app" to the same value (250m or 500m)',
                'set limits.memory of container "app" to 1Gi, equal to its request',
            ],
            "notes": [],
        },
    ),
    (
        {"spec": {"containers": [{"name": "app"}], "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}},
        {
            "kind": "Pod",
            "name": "",
            "namespace": "",
            "document": None,
            "path": "spec",
            "qos_class": "Guaranteed",
            "decided_by": "spec.resources",
            "reasons": ["spec.resources: requests = limits for cpu 1 and memory 1Gi"],
            "to_guaranteed": [],
            "notes": [
                "spec.resources (pod-level resources) is set, so it alone decides; "
                "container resources are ignored"
            ],
        },
    ),
]


@pytest.mark.parametrize(("manifest", "expected"), ROWS)
def test_qos_report(manifest: dict[str, Any], expected: dict[str, Any]) -> None:
    report = qos_report(valid_pod(manifest))
    # qos_report answers for the process default release (the plumbing passes the caller's).
    assert report == {**expected, "kubernetes_version": str(default_kubernetes_version())}
    assert {key: report[key] for key in explain_qos(manifest).to_json()} == explain_qos(manifest).to_json()


def test_qos_csv_row_follows_the_header() -> None:
    report = qos_report(valid_pod(BURSTABLE_POD))
    row = qos_csv_row(report, "shop/Pod/web")
    assert dict(zip(QOS_CSV_HEADER, row, strict=True)) == {
        "object": "shop/Pod/web",
        "qos_class": "Burstable",
        "reasons": "; ".join(report["reasons"]),
        "to_guaranteed": "; ".join(report["to_guaranteed"]),
    }


def test_http_schema_describes_the_report() -> None:
    """The HTTP schema (api/schemas.py) names exactly the report's fields."""
    schemas = pytest.importorskip("api.schemas")
    report = qos_report(valid_pod(BURSTABLE_POD))
    assert set(schemas.QosReportSchema().fields) == set(report)


def test_qos_report_answers_for_the_release_of_its_options() -> None:
    from quantities.options import Options

    pod_level = ROWS[1][0]
    report = qos_report(valid_pod(pod_level), Options.of("1.33"))
    assert (report["kubernetes_version"], report["qos_class"], report["decided_by"]) == (
        "1.33", "BestEffort", "containers")
    assert qos_report(valid_pod(pod_level), Options.of("1.34"))["qos_class"] == "Guaranteed"
