"""Invariants of plans and fit checks, on random small clusters (hypothesis, bounded)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantities.node.compact import compact_node
from quantities.node.model import Node
from quantities.scheduler.fit import check_fit, evaluate, make_snapshot
from quantities.scheduler.framework.podinfo import pod_info
from quantities.scheduler.plan import plan
from quantities.scheduler.profile import score

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ZONES = ("z1", "z2", "z3")
CPUS = ("100m", "250m", "500m", "1", "1500m", "2")
MEMORIES = ("64Mi", "128Mi", "512Mi", "1Gi", "2Gi")


@st.composite
def nodes(draw: st.DrawFn) -> list[Node]:
    count = draw(st.integers(1, 5))
    result = []
    for index in range(count):
        taints = "dedicated=db:NoSchedule" if draw(st.booleans()) and index else None
        result.append(
            compact_node(
                f"n{index}",
                cpu=draw(st.sampled_from(("1", "2", "4"))),
                memory=draw(st.sampled_from(("1Gi", "2Gi", "4Gi"))),
                pods=draw(st.integers(1, 6)),
                labels={"topology.kubernetes.io/zone": draw(st.sampled_from(ZONES))},
                taints=taints,
            )
        )
    return result


def _manifest(name: str, cpu: str | None, memory: str | None, app: str, **spec: Any) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": app}},
        "spec": {"containers": [{"name": "c", "resources": {"requests": requests}}], **spec},
    }


@st.composite
def existing_pods(draw: st.DrawFn, cluster: list[Node]) -> list[dict[str, Any]]:
    """Pods that fit where they are (placed one by one with check_fit), so nothing starts over-committed."""
    pods: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 8))):
        manifest = _manifest(
            f"e{index}",
            draw(st.none() | st.sampled_from(CPUS)),
            draw(st.none() | st.sampled_from(MEMORIES)),
            draw(st.sampled_from(("web", "db"))),
        )
        target = draw(st.sampled_from([n.name for n in cluster]))
        result = check_fit(manifest, cluster, pods)
        if target in result.feasible:
            manifest["spec"]["nodeName"] = target
            pods.append(manifest)
    return pods


@st.composite
def workload_pod(draw: st.DrawFn, allow_spread: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        spec["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
    rule = draw(st.sampled_from(("none", "anti-host", "anti-zone", "spread-host", "spread-zone")))
    key = "kubernetes.io/hostname" if rule.endswith("host") else "topology.kubernetes.io/zone"
    if rule.startswith("anti"):
        spec["affinity"] = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": key}
                ]
            }
        }
    elif rule.startswith("spread") and allow_spread:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": draw(st.integers(1, 2)),
                "topologyKey": key,
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "web"}},
            }
        ]
    return _manifest(
        "w",
        draw(st.none() | st.sampled_from(CPUS)),
        draw(st.none() | st.sampled_from(MEMORIES)),
        "web",
        **spec,
    )


def _reference_placements(
    manifest: dict[str, Any], cluster: list[Node], pods: list[Any], replicas: int
) -> dict[str, int]:
    """One full scheduling cycle per replica (fresh PreFilter state, every node filtered and scored)."""
    snapshot = make_snapshot(cluster, pods)
    info = pod_info(manifest)
    order = {n.node.name: i for i, n in enumerate(snapshot.node_infos)}
    placements: dict[str, int] = {}
    for _ in range(replicas):
        feasible = evaluate(info, snapshot).feasible
        if not feasible:
            break
        best = max(feasible, key=lambda n: (score(info, n), -order[n.node.name]))
        best.add_pod(info)
        placements[best.node.name] = placements.get(best.node.name, 0) + 1
    return placements


def _deployment(manifest: dict[str, Any], replicas: int) -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {"name": "w", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "template": {"metadata": manifest["metadata"], "spec": manifest["spec"]},
        },
    }


@SETTINGS
@given(st.data())
def test_plan_matches_a_cycle_by_cycle_scheduler_and_never_overcommits(data: st.DataObject) -> None:
    cluster = data.draw(nodes())
    pods = data.draw(existing_pods(cluster))
    manifest = data.draw(workload_pod())
    replicas = data.draw(st.integers(1, 8))
    result = plan([_deployment(manifest, replicas)], cluster, pods)
    (workload,) = result.workloads
    assert dict(workload.placements) == _reference_placements(manifest, cluster, pods, replicas)
    assert workload.placed + workload.pending == replicas
    assert (workload.message is None) == (workload.pending == 0)
    by_name = {n.name: n for n in cluster}
    for usage in result.nodes:
        node = by_name[usage.name]
        assert usage.pods <= node.allowed_pods
        assert usage.cpu_requests <= node.milli_cpu
        assert usage.memory_requests <= node.memory


@SETTINGS
@given(st.data())
def test_removing_a_pod_never_makes_another_pod_not_fit(data: st.DataObject) -> None:
    # Topology spread is left out on purpose: removing a pod can lower the global minimum.
    cluster = data.draw(nodes())
    pods = data.draw(existing_pods(cluster))
    manifest = data.draw(workload_pod(allow_spread=False))
    before = set(check_fit(manifest, cluster, pods).feasible)
    if not pods:
        return
    removed = data.draw(st.integers(0, len(pods) - 1))
    after = set(check_fit(manifest, cluster, pods[:removed] + pods[removed + 1 :]).feasible)
    assert before <= after


@SETTINGS
@given(st.data())
def test_max_replicas_counted_per_node_equals_placing_copies_one_by_one(data: st.DataObject) -> None:
    """For a pod whose copies do not constrain each other, the per-node count (no simulation)
    equals the scheduler's one-by-one placement; existing pods with anti-affinity included."""
    from quantities.scheduler.plan import _independent_copies, _simulated_copies

    cluster = data.draw(nodes())
    pods = data.draw(existing_pods(cluster))
    if pods and data.draw(st.booleans()):
        # An existing pod that keeps "web" pods off its host.
        pods[0]["spec"]["affinity"] = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "labelSelector": {"matchLabels": {"app": "web"}},
                        "topologyKey": "kubernetes.io/hostname",
                    }
                ]
            }
        }
    manifest = data.draw(workload_pod(allow_spread=False))
    manifest["spec"].pop("affinity", None)
    info = pod_info(manifest)
    counted = _independent_copies(info, make_snapshot(cluster, pods), None)
    placed = _simulated_copies(info, make_snapshot(cluster, pods), None)
    assert counted.counts == placed.counts
