"""Trimmed objects keep every field the computations read: answers on them equal those on the full objects."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.live.source import encode
from quantities.live.trim import KINDS, trim
from quantities.node.allocated import node_allocated
from quantities.pod.workloads import compact_workload
from quantities.scheduler.fit import check_fit
from quantities.scheduler.plan import max_replicas, plan
from tests.live.cluster_data import objects


def _trimmed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [trim(obj["kind"], obj) for obj in items]


FULL = objects()
NODES = [o for o in FULL if o["kind"] == "Node"]
PODS = [o for o in FULL if o["kind"] == "Pod"]
PROBES = [
    {"name": "small", "cpu": "100m", "memory": "128Mi"},
    {"name": "medium", "cpu": "2", "memory": "4Gi"},
    {"name": "huge", "cpu": "7", "memory": "30Gi"},
]
SPREAD_WEB = {
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
        "replicas": 6,
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {"name": "web", "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}}}
                ],
                "topologySpreadConstraints": [
                    {
                        "maxSkew": 1,
                        "topologyKey": "topology.kubernetes.io/zone",
                        "whenUnsatisfiable": "DoNotSchedule",
                        "labelSelector": {"matchLabels": {"app": "web"}},
                    }
                ],
                "tolerations": [{"key": "gpu", "operator": "Exists"}],
            },
        },
    },
}
DB = {
    "kind": "StatefulSet",
    "metadata": {"name": "db", "namespace": "default"},
    "spec": {
        "replicas": 3,
        "template": {
            "metadata": {"labels": {"app": "db"}},
            "spec": {
                "containers": [{"name": "db", "resources": {"requests": {"cpu": "1", "memory": "2Gi"}}}],
                "affinity": {
                    "podAntiAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "labelSelector": {"matchLabels": {"app": "db"}},
                                "topologyKey": "kubernetes.io/hostname",
                            }
                        ]
                    }
                },
            },
        },
    },
}


@pytest.mark.parametrize("name", [n["metadata"]["name"] for n in NODES])
def test_describe_node_is_the_same_on_trimmed_objects(name: str) -> None:
    full = node_allocated(next(n for n in NODES if n["metadata"]["name"] == name), PODS)
    trimmed_nodes = _trimmed(NODES)
    lean = node_allocated(next(n for n in trimmed_nodes if n["metadata"]["name"] == name), _trimmed(PODS))
    assert lean.to_json() == full.to_json()
    assert lean.describe() == full.describe()


@pytest.mark.parametrize(
    "shape", [*PROBES, SPREAD_WEB, DB], ids=lambda p: p.get("name") or p["metadata"]["name"]
)
@pytest.mark.parametrize("release", ["1.32", "1.36"])
def test_fit_and_max_replicas_are_the_same_on_trimmed_objects(shape: dict[str, Any], release: str) -> None:
    probe: Any = compact_workload(shape) if "kind" not in shape else shape
    full = check_fit(probe, NODES, PODS, kubernetes_version=release)
    lean = check_fit(probe, _trimmed(NODES), _trimmed(PODS), kubernetes_version=release)
    assert lean.to_json() == full.to_json()
    assert max_replicas(probe, _trimmed(NODES), _trimmed(PODS), kubernetes_version=release) == max_replicas(
        probe, NODES, PODS, kubernetes_version=release
    )


def test_plan_is_the_same_on_trimmed_objects() -> None:
    workloads = [SPREAD_WEB, DB, {"name": "batch", "replicas": 5, "cpu": "1", "memory": "1Gi"}]
    full = plan(workloads, NODES, PODS)
    assert plan(workloads, _trimmed(NODES), _trimmed(PODS)).to_json() == full.to_json()
    assert full.workloads[0].placed > 0


def test_the_clutter_goes_and_the_kind_stays() -> None:
    for obj in FULL:
        kept = trim(obj["kind"], obj)
        assert (kept["kind"], kept["apiVersion"]) == (obj["kind"], obj["apiVersion"])
        text = json.dumps(kept)
        for dropped in (
            "managedFields",
            "last-applied-configuration",
            "resourceVersion",
            "image",
            "env",
            "readinessProbe",
            "volumes",
            "lastHeartbeatTime",
            "nodeInfo",
            "uid",
        ):
            assert dropped not in text, (obj["metadata"]["name"], dropped)
    mirror = trim("Pod", next(p for p in PODS if p["metadata"]["name"] == "etcd-n1"))
    assert mirror["metadata"]["annotations"] == {
        "kubernetes.io/config.mirror": "abc",
        "kubernetes.io/config.source": "file",
    }


def test_a_trimmed_pod_is_a_fraction_of_the_full_one() -> None:
    for obj in PODS:
        full, lean = len(encode(obj)), len(encode(trim("Pod", obj)))
        assert lean < 800, (obj["metadata"]["name"], lean)
        assert lean * 3 < full


def test_trim_leaves_its_input_alone() -> None:
    before = copy.deepcopy(FULL)
    for obj in FULL:
        trim(obj["kind"], obj)
    assert before == FULL


@pytest.mark.parametrize(
    ("kind", "obj", "kept"),
    [
        ("Pod", {"spec": {"containers": "x"}}, {"containers": "x"}),
        (
            "Pod",
            {"spec": {"containers": [1, {"name": "a", "image": "i"}]}},
            {"containers": [1, {"name": "a"}]},
        ),
        ("Pod", {"spec": "x"}, "x"),
        ("Node", {"spec": {"taints": {"a": 1}}}, {"taints": {"a": 1}}),
    ],
)
def test_wrong_shapes_are_kept_for_the_readers_to_report(
    kind: str, obj: dict[str, Any], kept: object
) -> None:
    assert trim(kind, obj).get("spec") == kept


def test_every_kind_has_a_trimmer() -> None:
    for kind in KINDS:
        assert trim(kind, {"metadata": {"name": "x", "namespace": "y"}})["metadata"]["name"] == "x"


_NOISE = st.dictionaries(
    st.sampled_from(["foo", "x-extra", "status2", "image", "args"]), st.integers(), max_size=3
)


@settings(max_examples=40, deadline=None)
@given(
    index=st.integers(0, len(FULL) - 1),
    noise=_NOISE,
    where=st.sampled_from(["", "metadata", "spec", "status"]),
)
def test_fields_no_computation_reads_change_nothing(index: int, noise: dict[str, int], where: str) -> None:
    """Trimmed objects are stable: an update of unread fields leaves the bytes (and the generation) alone."""
    obj = copy.deepcopy(FULL[index])
    before = encode(trim(obj["kind"], obj))
    target = obj if not where else obj.setdefault(where, {})
    target.update({key: value for key, value in noise.items() if key not in target})
    assert encode(trim(obj["kind"], obj)) == before
