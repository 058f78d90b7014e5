"""deploy/kubernetes.yaml: valid for Kubernetes 1.32 offline, Guaranteed, and fits a 2-CPU, 4Gi node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from quantities import check_fit, pod_requests, qos_class
from quantities.node.compact import compact_node

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return [obj for obj in yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()) if obj]


def test_every_object_is_valid_for_kubernetes_1_32(objects: list[dict[str, Any]]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for obj in objects:
        kubernetes_validate.validate(obj, "1.32", strict=True)


def test_the_kinds_the_service_needs(objects: list[dict[str, Any]]) -> None:
    kinds = {obj["kind"] for obj in objects}
    assert kinds == {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}


def deployment(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return next(obj for obj in objects if obj["kind"] == "Deployment")


def test_the_pods_are_guaranteed(objects: list[dict[str, Any]]) -> None:
    assert str(qos_class(deployment(objects))) == "Guaranteed"


def test_a_pod_fits_a_2_cpu_4gi_node(objects: list[dict[str, Any]]) -> None:
    result = check_fit(
        deployment(objects)["spec"]["template"], [compact_node("small", cpu="2", memory="4Gi")]
    )
    assert result.fits, result.message
    requests = pod_requests(deployment(objects))
    assert str(requests["cpu"]) == "1"
    assert str(requests["memory"]) == "384Mi"


def test_probes_use_the_health_endpoints(objects: list[dict[str, Any]]) -> None:
    (container,) = deployment(objects)["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["startupProbe"]["httpGet"]["path"] == "/livez"
    assert deployment(objects)["spec"]["replicas"] >= 2
