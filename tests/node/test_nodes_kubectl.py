"""Differential tests: our describe-node sections against each release's real ``kubectl describe node``.

kubectl is pointed at a tiny fake API server on 127.0.0.1 (``tests/fake_apiserver.py``)
that reports the release in ``/version`` and serves the nodes and their pods; the
"Non-terminated Pods" and "Allocated resources" sections of its output must equal
``node_allocated(..., kubernetes_version=release).describe()`` byte for byte.

Each release's own binary answers (``kubectl.1.28`` ... ``kubectl.1.33``, called
directly: the ``kubectl`` on PATH is a dispatcher); a release whose binary is absent
is skipped with the reason. 1.27 is below the releases we model and is not used here.
The generated clusters are described with one ``kubectl describe nodes`` call per
example, many nodes and pods at once.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from quantities.node.allocated import NodeAllocation, node_allocated
from tests.fake_apiserver import KUBECTL_RELEASES, kubectl_binary, missing_kubectl, run_kubectl
from tests.kind_cluster import node, pod, system_pods
from tests.node.stored_pods import stored_cluster

#: Examples per release of the generated-cluster test (one kubectl call each); raise it locally
#: (KQ_KUBECTL_EXAMPLES=200) to explore further.
EXAMPLES = int(os.environ.get("KQ_KUBECTL_EXAMPLES", "6"))
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

#: The releases with a binary that we also model (1.27 is below our range).
RELEASES = [release for release in KUBECTL_RELEASES if release != "1.27"]


def with_binary(release: str, name: str | None = None) -> Any:
    """``release`` as a parameter, skipped with the reason when its kubectl is not installed."""
    absent = pytest.mark.skipif(kubectl_binary(release) is None, reason=missing_kubectl(release))
    return pytest.param(release, marks=absent, id=name or release)


def sections(text: str) -> list[str]:
    """The "Non-terminated Pods" ... "Allocated resources" part of each node in ``describe`` output."""
    return re.findall(r"(?ms)^Non-terminated Pods:.*?(?=^Events:)", text)


def describe_nodes(
    release: str, nodes: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]], directory: Path
) -> tuple[int, str, str]:
    """``kubectl describe nodes`` of ``release``: exit code, stdout, stderr."""
    result = run_kubectl(release, ["describe", "nodes"], nodes, pods, directory)
    return result.returncode, result.stdout, result.stderr


def assert_describe_matches_kubectl(
    node_object: dict[str, Any], pods: list[dict[str, Any]], tmp_path: Path, release: str = "1.32"
) -> NodeAllocation:
    """Our describe sections equal kubectl's for this node and these pods (served by a fake API server)."""
    if kubectl_binary(release) is None:
        pytest.skip(missing_kubectl(release))
    allocation = node_allocated(node_object, pods, kubernetes_version=release)
    before = allocation.describe(now=dt.datetime.now(dt.UTC))
    code, out, err = describe_nodes(release, [node_object], pods, tmp_path)
    after = allocation.describe(now=dt.datetime.now(dt.UTC))
    assert code == 0, err
    (expected,) = sections(out)
    # kubectl reads its clock between our two readings: an Age may tick over a second
    # boundary in between, so its output must equal one of ours.
    assert expected in (before, after), (before, expected)
    return allocation


def _created(hours_ago: float) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _gpu_case() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    gpu_node = node(allocatable={"cpu": "7910m", "memory": "30Gi", "pods": "58", "nvidia.com/gpu": "4",
                                 "hugepages-2Mi": "1Gi", "ephemeral-storage": "100G"})  # fmt: skip
    pods = [
        pod("ml", "trainer-with-a-rather-long-name-0", "3", "4", "12Gi", "16Gi", created=_created(200)),
        pod("ml", "small", "1500m", None, "1G", "1500M", created=_created(0.05)),
        pod("team-b", "done", "1", phase="Succeeded"),
    ]
    trainer = pods[0]["spec"]["containers"][0]["resources"]
    trainer["requests"].update({"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi", "ephemeral-storage": "10Gi"})
    trainer["limits"].update({"nvidia.com/gpu": "2", "hugepages-2Mi": "512Mi"})
    return gpu_node, pods


def _resized(name: str, status: dict[str, Any], cpu: str = "100m", memory: str = "100Mi") -> dict[str, Any]:
    resized = pod("default", name, cpu, None, memory, None, created="2024-01-01T00:00:00Z")
    resized["status"].update(status)
    return resized


# The research note's scenario rows, one pod each: the figures change at 1.29, 1.32 and 1.33.
RESIZE_PODS = [
    _resized("b-allocated", {"containerStatuses": [{"name": "c", "allocatedResources": {"cpu": "350m"}}]}),
    _resized("c-actual", {"containerStatuses": [{"name": "c", "resources": {"requests": {"cpu": "200m"}}}]}),
    _resized("d-infeasible-no-allocated", {"resize": "Infeasible", "containerStatuses": [{"name": "c"}]}),
    _resized("e-tie", {"containerStatuses": [{"name": "c", "allocatedResources": {"memory": "104857600"},
                                              "resources": {"requests": {"memory": "104857600"}}}]}),
    _resized("f-condition-infeasible", {
        "conditions": [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}],
        "containerStatuses": [{"name": "c", "resources": {"requests": {"cpu": "50m", "memory": "10Mi"}},
                               "allocatedResources": {"cpu": "70m"}}]}),
    _resized("g-sub-milli", {}, cpu="500u", memory="0.5"),
]  # fmt: skip

def _cases() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Three nodes in one cluster: a kind control plane, a GPU node with hugepages, resize shapes."""
    kind_node = node(labels={"node-role.kubernetes.io/control-plane": ""})
    hog = pod("default", "memory-hog", "10m", "10m", "5Gi", "5Gi", created=_created(50))
    kind_pods = [hog, *system_pods()]
    gpu_node, gpu_pods = _gpu_case()
    gpu_node["metadata"]["name"] = "gpu"
    resize_node = node(name="resize")
    resize_pods = [copy.deepcopy(p) for p in RESIZE_PODS]
    for resized in resize_pods:
        resized["spec"]["nodeName"] = "resize"
    for gpu_pod in gpu_pods:
        gpu_pod["spec"]["nodeName"] = "gpu"
    # In kubectl's order: it lists the nodes by name.
    return [gpu_node, kind_node, resize_node], [*kind_pods, *gpu_pods, *resize_pods]


@pytest.mark.parametrize("release", [with_binary(release) for release in RELEASES])
def test_describe_node_matches_kubectl(release: str, tmp_path: Path) -> None:
    nodes, pods = _cases()
    allocations = [node_allocated(n, pods, kubernetes_version=release) for n in nodes]
    before = [allocation.describe(now=dt.datetime.now(dt.UTC)) for allocation in allocations]
    code, out, err = describe_nodes(release, nodes, pods, tmp_path)
    after = [allocation.describe(now=dt.datetime.now(dt.UTC)) for allocation in allocations]
    assert code == 0, err
    for expected, ours_before, ours_after in zip(sections(out), before, after, strict=True):
        assert expected in (ours_before, ours_after), (ours_before, expected)


# What the research note and the issue quote, pinned: the same node printed by each release.
QUOTED = {
    "1.28": ["100m", "100m", "100m", "100Mi", "100m", "500u"],
    "1.31": ["350m", "100m", "0", "104857600", "100m", "500u"],
    "1.32": ["100m", "200m", "100m", "104857600", "100m", "500u"],
    "1.33": ["100m", "200m", "100m", "100Mi", "70m", "500u"],
}


@pytest.mark.parametrize("release", sorted(QUOTED))
def test_resize_rows_per_release(release: str) -> None:
    """The cpu requests of the resize rows (memory for the tie), without kubectl: the figures it printed."""
    allocation = node_allocated(node(), RESIZE_PODS, kubernetes_version=release)
    shown = [str(row.cpu.requests) for row in allocation.pods]
    shown[3] = str(allocation.pods[3].memory.requests)
    assert shown == QUOTED[release]
    assert allocation.kubernetes_version == release == allocation.to_json()["kubernetes_version"]


def _crashing(allocation: NodeAllocation, release: str) -> set[str]:
    """The labels of the pods the release's kubectl panics on (kubernetes#136533)."""
    return {w.source for w in allocation.warnings if w.message.startswith(f"kubectl {release} crashes")}


def _label(pod_object: Mapping[str, Any]) -> str:
    return f'Pod "{pod_object["metadata"]["namespace"]}/{pod_object["metadata"]["name"]}"'


#: kubectl's resource.go and describeNodeResource are byte-identical at v0.33-v0.35 (research note
#: D4, D7): kubectl 1.33's output stands for 1.34 and 1.35, which have no binary here.
SAME_AS_1_33 = ("1.34", "1.35")


AS_1_33 = "1.33-also-1.34-1.35-resource.go-identical-v0.33-v0.35"


@pytest.mark.parametrize(
    "release", [with_binary(release, AS_1_33 if release == "1.33" else None) for release in RELEASES]
)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SLOW)
@given(cluster=stored_cluster())
def test_generated_clusters_match_kubectl(release: str, cluster: tuple[list[Any], list[Any]]) -> None:
    """Generated nodes and stored pods (sidecars, init containers, pod-level resources, every resize
    status shape, ties, sub-milli values) through ``kubectl describe nodes`` of each release."""
    nodes, pods = cluster
    modelled = [release, *SAME_AS_1_33] if release == "1.33" else [release]
    with tempfile.TemporaryDirectory() as directory:
        crashing = {
            version: set().union(*(_crashing(node_allocated(n, pods, kubernetes_version=version), version)
                                   for n in nodes))
            for version in modelled
        }  # fmt: skip
        assert all(labels == crashing[release] for labels in crashing.values())
        if crashing[release]:
            code, _, err = describe_nodes(release, nodes, pods, Path(directory))
            assert code != 0 and "assignment to entry in nil map" in err, (crashing, err[-500:])
            pods = [p for p in pods if _label(p) not in crashing[release]]
        code, out, err = describe_nodes(release, nodes, pods, Path(directory))
    assert code == 0, err
    for version in modelled:
        ours = [node_allocated(n, pods, kubernetes_version=version).describe() for n in nodes]
        assert sections(out) == ours, version
