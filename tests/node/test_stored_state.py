"""Stored pods that today's validation refuses: describe-node, fit and plan answer, with warnings.

Real clusters hold pods created under older rules (a request above its limit, hugepages
without cpu or memory, resources on an ephemeral container). kubectl describes their
node and kube-scheduler schedules around them, summing them as stored; so do we, and
each oddity is a warning naming the pod and the path. kubectl 1.32 is the oracle for
the describe text (skipped when absent).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from quantities.cli import main
from quantities.node.allocated import node_allocated
from quantities.scheduler.cluster import load_cluster
from quantities.scheduler.fit import check_fit
from quantities.scheduler.plan import plan
from tests.kind_cluster import deployment, node, pod
from tests.node.test_nodes_kubectl import assert_describe_matches_kubectl


def _odd_pods() -> list[dict[str, Any]]:
    above = pod("legacy", "request-above-limit", "2", "1", "1Gi", "1Gi")
    hugepages = pod("legacy", "hugepages-alone", None, None, None, None)
    hugepages["spec"]["containers"][0]["resources"] = {
        "requests": {"hugepages-2Mi": "64Mi"},
        "limits": {"hugepages-2Mi": "64Mi"},
    }
    ephemeral = pod("legacy", "debugged", "100m", None, "64Mi", None)
    ephemeral["spec"]["ephemeralContainers"] = [
        {"name": "debug", "image": "busybox", "resources": {"requests": {"cpu": "3"}}}
    ]
    return [above, hugepages, ephemeral]


NODE = node(allocatable={"cpu": "4", "memory": "8Gi", "pods": "110", "hugepages-2Mi": "1Gi"})

EXPECTED_WARNINGS = {
    ('Pod "legacy/request-above-limit"', "spec.containers[0].resources.requests.cpu"),
    ('Pod "legacy/hugepages-alone"', "spec.containers[0].resources"),
    ('Pod "legacy/debugged"', "spec.ephemeralContainers[0].resources"),
}


def test_node_allocated_sums_stored_pods_as_stored() -> None:
    allocation = node_allocated(NODE, _odd_pods())
    # 2 (above its limit, summed as stored) + 0 + 100m; the ephemeral container's 3 cpus never count.
    assert str(allocation.total("cpu").requests) == "2100m"
    assert str(allocation.total("hugepages-2Mi").requests) == "64Mi"
    assert {(w.source, w.path) for w in allocation.warnings} == EXPECTED_WARNINGS
    assert all(w.kubernetes for w in allocation.warnings)
    assert allocation.to_json()["warnings"][0]["object"].startswith('Pod "legacy/')


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_describe_of_stored_invalid_pods_matches_kubectl(tmp_path: Path) -> None:
    assert_describe_matches_kubectl(NODE, _odd_pods(), tmp_path)


def _cluster_text() -> str:
    return json.dumps({"kind": "List", "items": [NODE, *_odd_pods()]})


def test_fit_and_plan_schedule_around_stored_invalid_pods() -> None:
    cluster = load_cluster(_cluster_text())
    assert {(w.source, w.path.split(".", 1)[1]) for w in cluster.warnings} == EXPECTED_WARNINGS
    assert all(w.path.startswith("items[") for w in cluster.warnings)
    wanted = pod("default", "new", "1900m", node_name=None)
    result = check_fit(wanted, cluster.nodes, cluster.pods)
    assert result.fits  # 4 - 2.1 = 1.9 cpus free
    assert len(result.warnings) == 3 and result.to_json()["warnings"]
    too_big = check_fit(pod("default", "new", "2", node_name=None), cluster.nodes, cluster.pods)
    assert not too_big.fits and too_big.message.startswith("0/1 nodes are available: 1 Insufficient cpu.")
    planned = plan([deployment("web", 3, cpu="600m")], cluster.nodes, cluster.pods)
    assert planned.workloads[0].placed == 3 and len(planned.warnings) == 3
    assert len(planned.to_json()["warnings"]) == 3


def test_cli_answers_and_warns_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cluster = tmp_path / "cluster.json"
    cluster.write_text(_cluster_text())
    wanted = tmp_path / "pod.json"
    wanted.write_text(json.dumps(pod("default", "new", "1", node_name=None)))
    workload = tmp_path / "deploy.json"
    workload.write_text(json.dumps(deployment("web", 2, cpu="500m")))
    for arguments in (
        ["describe-node", str(cluster)],
        ["fit", "--pod", str(wanted), str(cluster)],
        ["plan", "--workload", str(workload), str(cluster)],
    ):
        assert main(arguments) == 0, arguments
        captured = capsys.readouterr()
        lines = [line for line in captured.err.splitlines() if line]
        assert len(lines) == 3 and all(line.startswith('warning: Pod "legacy/') for line in lines), (
            captured.err
        )
