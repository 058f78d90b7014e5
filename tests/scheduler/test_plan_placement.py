"""plan() and max_replicas(): placements as the default scheduler would make them.

These rows pin Kubernetes 1.32, whose messages and BalancedAllocation formula they quote; the other
releases' rows are in test_release_messages.py."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from quantities.node.compact import compact_node
from quantities.options import Options
from quantities.pod.workloads import compact_workload, workloads_in
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import pod_info
from quantities.scheduler.plan import max_replicas, plan
from quantities.scheduler.plugins.noderesources.balanced_allocation import balanced_allocation
from quantities.scheduler.plugins.noderesources.least_allocated import least_allocated
from tests.kind_cluster import deployment, node, pod, system_pods

#: plan and max_replicas as kube-scheduler 1.32 places pods.
plan_132 = partial(plan, kubernetes_version="1.32")
max_replicas_132 = partial(max_replicas, kubernetes_version="1.32")

MEMORY_MESSAGE = (
    "0/1 nodes are available: 1 Insufficient memory. "
    "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
)


def test_reference_three_replicas_of_5gi() -> None:
    result = plan_132([deployment("big", 3, memory="5Gi")], [node()], system_pods())
    (workload,) = result.workloads
    assert (workload.placed, workload.pending, workload.message) == (1, 2, MEMORY_MESSAGE)
    assert workload.placements == {"kind-control-plane": 1}
    data = result.to_json()
    assert data["workloads"][0]["placements"] == {"kind-control-plane": 1}
    assert data["workloads"][0]["message"] == MEMORY_MESSAGE
    usage = data["nodes"][0]
    assert usage["memory"]["requests"] == "5410Mi" and usage["memory"]["requests_percent"] == 68
    assert usage["pods"] == 10 and usage["placed"] == 1


def test_reference_three_replicas_of_64mi() -> None:
    (workload,) = plan_132([deployment("small", 3, memory="64Mi")], [node()], system_pods()).workloads
    assert (workload.placed, workload.pending, workload.message) == (3, 0, None)


def test_least_allocated_spreads_and_ties_go_to_the_first_node() -> None:
    nodes = [compact_node(name, cpu="4", memory="8Gi") for name in ("a", "b", "c")]
    (workload,) = plan_132([deployment("web", 1, cpu="1", memory="1Gi")], nodes).workloads
    assert workload.placements == {"a": 1}
    (workload,) = plan_132([deployment("web", 6, cpu="1", memory="1Gi")], nodes).workloads
    assert workload.placements == {"a": 2, "b": 2, "c": 2}
    # A busier node scores lower: the replica goes to the emptier one.
    busy = [pod("default", "busy", "2", memory="4Gi", node_name="a")]
    (workload,) = plan_132([deployment("web", 1, cpu="1", memory="1Gi")], nodes, busy).workloads
    assert workload.placements == {"b": 1}


def test_several_workloads_share_the_cluster() -> None:
    nodes = [compact_node("a", cpu="2", memory="4Gi")]
    result = plan_132([deployment("first", 1, cpu="1500m"), deployment("second", 1, cpu="1")], nodes)
    first, second = result.workloads
    assert first.placed == 1
    assert second.pending == 1 and second.message is not None
    assert second.message.startswith("0/1 nodes are available: 1 Insufficient cpu.")


def test_required_anti_affinity_on_hostname() -> None:
    nodes = [compact_node(name, cpu="8", memory="8Gi") for name in ("a", "b", "c")]
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    (workload,) = plan_132([deployment("db", 5, cpu="100m", affinity=anti)], nodes).workloads
    assert workload.placements == {"a": 1, "b": 1, "c": 1}
    assert workload.pending == 2
    assert workload.message == (
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. "
        "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
    )


def test_topology_spread_over_zones() -> None:
    # Zone 1 has a big node and a small one, zone 2 one small node: maxSkew 1 forces alternation.
    nodes = [
        compact_node("big", cpu="64", memory="256Gi", labels={"topology.kubernetes.io/zone": "z1"}),
        compact_node("small-1", cpu="4", memory="8Gi", labels={"topology.kubernetes.io/zone": "z1"}),
        compact_node("small-2", cpu="4", memory="8Gi", labels={"topology.kubernetes.io/zone": "z2"}),
    ]
    spread = [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "web"}},
        }
    ]
    (workload,) = plan_132([deployment("web", 6, cpu="1", topologySpreadConstraints=spread)], nodes).workloads
    zone1 = workload.placements.get("big", 0) + workload.placements.get("small-1", 0)
    assert (zone1, workload.placements.get("small-2", 0)) == (3, 3)
    # small-2 holds 4 cpus: after 4 + 4, a ninth replica may still go to z1 (skew 1), a tenth nowhere.
    ten = deployment("web", 10, cpu="1", topologySpreadConstraints=spread)
    (workload,) = plan_132([ten], nodes).workloads
    assert workload.placed == 9
    assert workload.placements["small-2"] == 4
    assert workload.message == (
        "0/3 nodes are available: 1 Insufficient cpu, "
        "2 node(s) didn't match pod topology spread constraints. "
        "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
    )


def test_daemonset_one_pod_per_eligible_node() -> None:
    nodes = [
        node(
            "control-plane", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
        ),
        node("worker-1"),
        node("worker-2", allocatable={"cpu": "1", "memory": "8Gi", "pods": "110"}),
    ]
    daemonset = {
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "kube-system"},
        "spec": {
            "template": {"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "2"}}}]}}
        },
    }
    (workload,) = plan_132([daemonset], nodes).workloads
    assert workload.replicas == 2
    assert workload.placements == {"worker-1": 1}
    assert workload.message == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )
    daemonset["spec"]["template"]["spec"]["tolerations"] = [{"operator": "Exists"}]  # type: ignore[index]
    (workload,) = plan_132([daemonset], nodes).workloads
    assert (workload.replicas, workload.placed) == (3, 2)


def test_cordoned_nodes_still_get_daemonset_pods() -> None:
    daemonset = {
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}},
    }
    (workload,) = plan_132([daemonset], [node("cordoned", unschedulable=True)]).workloads
    assert workload.placements == {"cordoned": 1}


@pytest.mark.parametrize(
    ("manifest", "replicas"),
    [
        (
            {
                "kind": "Job",
                "spec": {"parallelism": 4, "template": {"spec": {"containers": [{"name": "c"}]}}},
            },
            4,
        ),
        (
            {
                "kind": "Job",
                "spec": {
                    "parallelism": 4,
                    "completions": 2,
                    "template": {"spec": {"containers": [{"name": "c"}]}},
                },
            },
            2,
        ),
        ({"kind": "Job", "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}, 1),
        (
            {
                "kind": "StatefulSet",
                "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c"}]}}},
            },
            3,
        ),
        ({"kind": "ReplicaSet", "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}, 1),
        (
            {
                "kind": "CronJob",
                "spec": {
                    "jobTemplate": {
                        "spec": {"parallelism": 2, "template": {"spec": {"containers": [{"name": "c"}]}}}
                    }
                },
            },
            2,
        ),
        ({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}, 1),
    ],
)
def test_replicas_by_kind(manifest: dict[str, Any], replicas: int) -> None:
    (workload,) = workloads_in({"kind": "List", "items": [manifest, {"kind": "Service"}]})
    assert workload.replicas == replicas
    (planned,) = plan_132([workload], [compact_node("n", cpu="4", memory="4Gi")]).workloads
    assert planned.placed == replicas


def test_max_replicas() -> None:
    nodes = [compact_node("a", cpu="4", memory="8Gi"), compact_node("b", cpu="2", memory="8Gi", pods=1)]
    assert max_replicas_132(pod("d", "p", "1", node_name=None), nodes) == 5
    assert max_replicas_132(pod("d", "p", "1", node_name=None), [node()], system_pods()) == 9
    assert max_replicas_132(pod("d", "p", memory="5Gi", node_name=None), [node()], system_pods()) == 1
    # Best-effort pods are bounded by the pod count.
    assert max_replicas_132(pod("d", "p", node_name=None), [node()], system_pods()) == 101


def test_compact_workload_and_csv() -> None:
    workload = compact_workload(
        {"name": "api", "replicas": "4", "cpu": "1", "memory": "1Gi", "cpu_limit": "2", "memory_limit": "1Gi"}
    )
    result = plan_132(
        [workload], [compact_node("n1", cpu="3", memory="8Gi"), compact_node("n2", cpu="2", memory="8Gi")]
    )
    (planned,) = result.workloads
    # Scores: n1 165, n2 149; then n1 133, n2 149; n1 133, n2 99; then a 99-99 tie goes to n1.
    assert planned.placements == {"n1": 3, "n2": 1}
    assert planned.requests == {"cpu": "1", "memory": "1Gi"}
    assert planned.csv_rows() == [
        ("api", "Deployment", "4", "4", "0", "n1", "3", ""),
        ("api", "Deployment", "4", "4", "0", "n2", "1", ""),
    ]
    assert result.nodes[0].csv_row()[:8] == ("n1", "3", "110", "3", "3", "100", "6", "200")


@pytest.mark.parametrize(
    ("node_requests", "pod_requests", "least", "balanced"),
    [
        (({}, 0), ({"cpu": "1", "memory": "1Gi"}, 0), 81, 93),
        (({}, 0), ({}, 0), 97, 100),  # 100m / 200Mi defaults for the least-allocated score only
        (({"cpu": "2", "memory": "4Gi"}, 1), ({"cpu": "1", "memory": "1Gi"}, 0), 31, 93),
        (({"cpu": "4", "memory": "8Gi"}, 1), ({"cpu": "1"}, 0), 0, 100),
        (({"cpu": "3"}, 1), ({"memory": "1Gi"}, 0), 53, 68),
    ],
)
def test_scores(
    node_requests: tuple[dict[str, str], int],
    pod_requests: tuple[dict[str, str], int],
    least: int,
    balanced: int,
) -> None:
    info = NodeInfo(compact_node("n", cpu="4", memory="8Gi"))
    requests, count = node_requests
    for _ in range(count):
        info.add_pod(pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": requests}}]}}))
    incoming = pod_info({"spec": {"containers": [{"name": "c", "resources": {"requests": pod_requests[0]}}]}})
    assert (least_allocated(incoming, info), balanced_allocation(incoming, info, Options.of("1.32"))) == (
        least,
        balanced,
    )
