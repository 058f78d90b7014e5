"""deploy/kubernetes.yaml: valid for Kubernetes 1.32 offline, Guaranteed, and fits a 2-CPU, 4Gi node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from quantities import check_fit, pod_requests, qos_class
from quantities.node.compact import compact_node
from quantities.quantity.quantity import Quantity

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
    assert kinds == {
        "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
        "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
    }  # fmt: skip


def _one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [obj for obj in objects if obj["kind"] == kind]
    return found


def test_the_cluster_role_reads_what_the_service_watches_only(objects: list[dict[str, Any]]) -> None:
    rules = _one(objects, "ClusterRole")["rules"]
    granted = {
        (group, resource, verb)
        for rule in rules
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    read = (("", "nodes"), ("", "pods"), ("", "resourcequotas"), ("", "limitranges"), ("apps", "daemonsets"))
    wanted = {(group, resource, verb) for group, resource in read for verb in ("get", "list", "watch")}
    assert granted == wanted
    for rule in rules:
        assert set(rule) == {"apiGroups", "resources", "verbs"}  # no resourceNames, no nonResourceURLs
        assert "*" not in rule["apiGroups"] + rule["resources"] + rule["verbs"]


def test_the_role_covers_every_collection_the_live_source_lists() -> None:
    from quantities.live.client import RESOURCES

    objects = [obj for obj in yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()) if obj]
    rules = _one(objects, "ClusterRole")["rules"]
    for resource in RESOURCES:
        granted = [r for r in rules if resource.group in r["apiGroups"] and resource.plural in r["resources"]]
        assert granted, resource


def test_the_deployment_reads_the_cluster_with_its_account(objects: list[dict[str, Any]]) -> None:
    account = _one(objects, "ServiceAccount")["metadata"]["name"]
    binding = _one(objects, "ClusterRoleBinding")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
        "name": _one(objects, "ClusterRole")["metadata"]["name"],
    }  # fmt: skip
    assert [(s["kind"], s["name"]) for s in binding["subjects"]] == [("ServiceAccount", account)]
    pod_spec = deployment(objects)["spec"]["template"]["spec"]
    assert pod_spec["serviceAccountName"] == account
    assert pod_spec.get("automountServiceAccountToken", True) is True  # in-cluster reads its token
    (container,) = pod_spec["containers"]
    environment = {e["name"]: e["value"] for e in container["env"]}
    assert environment["KQ_CLUSTER"] == "in-cluster"


def test_the_example_shapes_are_valid(objects: list[dict[str, Any]]) -> None:
    from quantities.capacity.probes import parse_probe_shapes

    (container,) = deployment(objects)["spec"]["template"]["spec"]["containers"]
    environment = {e["name"]: e["value"] for e in container["env"]}
    shapes = parse_probe_shapes(environment["KQ_HEADROOM_SHAPES"])
    assert [s.name for s in shapes] == ["web", "batch"]


def test_the_service_is_discoverable_for_scraping(objects: list[dict[str, Any]]) -> None:
    annotations = _one(objects, "Service")["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    (container,) = deployment(objects)["spec"]["template"]["spec"]["containers"]
    assert annotations["prometheus.io/port"] == str(container["ports"][0]["containerPort"])


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
    assert str(requests["memory"]) == "3Gi"


#: benchmarks/bench_live.py at 5,000 nodes and 150,000 pods (2026-12-01), peak resident MiB (VmHWM).
MEASURED_PEAK_MIB = {"master": 40, "watcher": 683, "worker": 663}


def test_the_memory_holds_the_measured_peaks_of_a_live_cluster_at_the_limits(
    objects: list[dict[str, Any]],
) -> None:
    (container,) = deployment(objects)["spec"]["template"]["spec"]["containers"]
    environment = {e["name"]: e["value"] for e in container["env"]}
    workers = int(environment["WEB_CONCURRENCY"])
    peak = MEASURED_PEAK_MIB["master"] + MEASURED_PEAK_MIB["watcher"] + workers * MEASURED_PEAK_MIB["worker"]
    limit = Quantity(container["resources"]["limits"]["memory"]).value() // 2**20
    assert limit >= peak * 1.25, f"{limit} MiB leaves less than a quarter over the measured {peak} MiB"
    assert limit <= peak * 2, f"{limit} MiB is more than twice the measured {peak} MiB"
    comment = (ROOT / "deploy" / "kubernetes.yaml").read_text()
    assert all(f"{figure} MiB" in comment for figure in (40, 683, 663))


def test_probes_use_the_health_endpoints(objects: list[dict[str, Any]]) -> None:
    (container,) = deployment(objects)["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["startupProbe"]["httpGet"]["path"] == "/livez"
    assert deployment(objects)["spec"]["replicas"] >= 2
