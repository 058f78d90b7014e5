"""PreFilterExtensions: the state kept up to date by AddPod/RemovePod equals the PreFilter run afresh.

Preemption, plans and DaemonSets no longer recompute the PreFilter state over the
cluster for every candidate, replica or node; these properties check, on random small
clusters, that the incremental state and every answer built on it are the ones a
from-scratch computation gives (hypothesis, bounded).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantities.node.compact import compact_node
from quantities.node.model import Node
from quantities.scheduler.fit import (
    NO_VICTIMS,
    NOT_HELPFUL,
    check_fit,
    evaluate,
    fit_error_message,
    make_snapshot,
)
from quantities.scheduler.framework.nodeinfo import NodeInfo, Snapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.scheduler.plan import _daemon_pod, _pin, plan
from quantities.scheduler.profile import CycleState, pinned_prefilter, prefilter, run_filters

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"
RACK = "rack"
APPS = ("web", "db", "cache")


@st.composite
def cluster_nodes(draw: st.DrawFn) -> list[Node]:
    result = []
    for index in range(draw(st.integers(1, 6))):
        labels = {HOST: f"n{index}", ZONE: draw(st.sampled_from(("z1", "z2", "z3")))}
        if draw(st.booleans()):  # some nodes lack a topology key: the spread constraint skips them
            labels[RACK] = draw(st.sampled_from(("r1", "r2")))
        if draw(st.booleans()):
            labels["disk"] = "ssd"
        taints = "dedicated=db:NoSchedule" if draw(st.integers(0, 3)) == 0 else None
        result.append(
            compact_node(
                f"n{index}",
                cpu="8",
                memory="16Gi",
                pods=draw(st.integers(1, 8)),
                labels=labels,
                taints=taints,
            )
        )
    return result


def _term(app: str, key: str, namespaces: list[str] | None = None) -> dict[str, Any]:
    term: dict[str, Any] = {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}
    if namespaces is not None:
        term["namespaces"] = namespaces
    return term


@st.composite
def pod_manifest(draw: st.DrawFn, name: str, incoming: bool = False) -> dict[str, Any]:
    app = draw(st.sampled_from(APPS))
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": draw(st.sampled_from(("default", "default", "other"))),
        "labels": {"app": app},
    }
    if not incoming and draw(st.integers(0, 4)) == 0:
        metadata["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    spec: dict[str, Any] = {
        "priority": draw(st.sampled_from((0, 5, 10, 20))),
        "containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "100m"}}}],
    }
    affinity: dict[str, Any] = {}
    if draw(st.booleans()):
        terms = [
            _term(draw(st.sampled_from(APPS)), draw(st.sampled_from((HOST, ZONE, RACK))))
            for _ in range(draw(st.integers(1, 2)))
        ]
        affinity["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": terms}
    if incoming and draw(st.booleans()):
        namespaces = draw(st.none() | st.just(["default", "other"]))
        terms = [
            _term(draw(st.sampled_from(APPS)), draw(st.sampled_from((HOST, ZONE, RACK))), namespaces)
            for _ in range(draw(st.integers(1, 2)))
        ]
        affinity["podAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": terms}
    if affinity:
        spec["affinity"] = affinity
    if incoming:
        constraints = []
        # One DoNotSchedule constraint per topology key (API-server validation).
        for key in draw(st.lists(st.sampled_from((HOST, ZONE, RACK)), unique=True, max_size=3)):
            constraint: dict[str, Any] = {
                "maxSkew": draw(st.integers(1, 2)),
                "topologyKey": key,
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": draw(st.sampled_from(APPS))}},
                "nodeAffinityPolicy": draw(st.sampled_from(("Honor", "Ignore"))),
                "nodeTaintsPolicy": draw(st.sampled_from(("Honor", "Ignore"))),
            }
            if draw(st.booleans()):
                constraint["minDomains"] = draw(st.integers(1, 4))
            constraints.append(constraint)
        if constraints:
            spec["topologySpreadConstraints"] = constraints
        if draw(st.booleans()):
            spec["nodeSelector"] = {"disk": "ssd"}
        if draw(st.booleans()):
            spec["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
    return {"kind": "Pod", "metadata": metadata, "spec": spec}


def _normal(state: CycleState) -> tuple[Any, ...]:
    """What the filters read of a state: counts, minimums; an affinity state with no counts is no state."""
    spread = None
    if state.spread is not None:
        spread = tuple(
            (dict(domains.counts), state.spread.minimum(i)) for i, domains in enumerate(state.spread.domains)
        )
    affinity = None
    found = state.affinity
    if found is not None and (
        found.affinity_counts
        or found.anti_affinity_counts
        or found.existing_anti_affinity_counts
        or found.matches_own_affinity
    ):
        affinity = (
            found.affinity_counts,
            found.anti_affinity_counts,
            found.existing_anti_affinity_counts,
            found.matches_own_affinity,
        )
    return spread, affinity


@SETTINGS
@given(st.data())
def test_add_and_remove_keep_the_state_equal_to_a_fresh_prefilter(data: st.DataObject) -> None:
    nodes = data.draw(cluster_nodes())
    snapshot = Snapshot(nodes)
    incoming = pod_info(data.draw(pod_manifest("incoming", incoming=True)))
    pool = [
        pod_info(data.draw(pod_manifest(f"p{i}")), state=True) for i in range(data.draw(st.integers(1, 6)))
    ]
    # Start from some pods already bound, so the first PreFilter has something to count.
    for pod in pool:
        if data.draw(st.booleans()):
            data.draw(st.sampled_from(snapshot.node_infos)).add_pod(pod)
    state = prefilter(incoming, snapshot.node_infos)
    for _ in range(data.draw(st.integers(1, 12))):
        placed = [(info, pod) for info in snapshot.node_infos for pod in info.pods]
        if placed and data.draw(st.booleans()):
            info, pod = data.draw(st.sampled_from(placed))
            info.remove_pod(pod)
            state.remove_pod(pod, info, incoming)
        else:
            info = data.draw(st.sampled_from(snapshot.node_infos))
            pod = data.draw(st.sampled_from(pool))
            info.add_pod(pod)
            state.add_pod(pod, info, incoming)
        assert _normal(state) == _normal(prefilter(incoming, snapshot.node_infos))
        for info in snapshot.node_infos:
            assert run_filters(incoming, info, state) == run_filters(
                incoming, info, prefilter(incoming, snapshot.node_infos)
            )


@SETTINGS
@given(st.data())
def test_a_pinned_pod_state_equals_its_fresh_prefilter(data: st.DataObject) -> None:
    nodes = data.draw(cluster_nodes())
    snapshot = Snapshot(nodes)
    for i in range(data.draw(st.integers(0, 6))):
        data.draw(st.sampled_from(snapshot.node_infos)).add_pod(
            pod_info(data.draw(pod_manifest(f"p{i}")), state=True)
        )
    template = _daemon_pod(pod_info(data.draw(pod_manifest("ds", incoming=True))))
    shared = prefilter(template, snapshot.node_infos)
    for info in snapshot.node_infos:
        pinned = _pin(template, info.node.name)
        assert _normal(pinned_prefilter(pinned, shared, (info,))) == _normal(
            prefilter(pinned, snapshot.node_infos)
        )


def _reference_preemption(pod: PodInfo, snapshot: Snapshot) -> tuple[str | None, list[str]]:
    """DefaultPreemption as it was computed before: the PreFilter rerun over the whole cluster per node."""
    evaluation = evaluate(pod, snapshot)
    if pod.preemption_never:
        return None, []
    statuses: list[tuple[str, ...]] = []
    candidates: list[str] = []
    for name, rejection in evaluation.rejections.items():
        if rejection.unresolvable:
            continue
        info = snapshot.by_name[name]
        victims = [p for p in info.pods if p.priority < pod.priority]
        if not victims:
            statuses.append((NO_VICTIMS,))
            continue
        trial: NodeInfo = info.clone()
        for victim in victims:
            trial.remove_pod(victim)
        nodes = [trial if other is info else other for other in snapshot.node_infos]
        after = run_filters(pod, trial, prefilter(pod, nodes))
        if after is None:
            candidates.append(name)
        else:
            statuses.append(after.reasons)
    if candidates:
        return None, candidates
    return "preemption: " + fit_error_message(
        len(snapshot), statuses, (len(snapshot) - len(statuses), NOT_HELPFUL)
    ), []


@SETTINGS
@given(st.data())
def test_preemption_with_remove_pod_equals_a_prefilter_per_candidate(data: st.DataObject) -> None:
    nodes = data.draw(cluster_nodes())
    pods = []
    for i in range(data.draw(st.integers(0, 10))):
        manifest = data.draw(pod_manifest(f"p{i}"))
        manifest["spec"]["nodeName"] = data.draw(st.sampled_from([n.name for n in nodes]))
        pods.append(manifest)
    incoming = data.draw(pod_manifest("incoming", incoming=True))
    result = check_fit(incoming, nodes, pods)
    if result.fits:
        return
    info = pod_info(incoming)
    post_filter, candidates = _reference_preemption(info, make_snapshot(nodes, pods))
    assert list(result.preemption_nodes) == candidates
    if post_filter is not None:
        assert result.message is not None and result.message.endswith(post_filter)


def _reference_daemonset(template: dict[str, Any], nodes: list[Node], pods: list[Any]) -> dict[str, int]:
    """A DaemonSet placed node by node with a fresh PreFilter over the cluster for each pod."""
    from quantities.scheduler.plugins.node_affinity import node_affinity
    from quantities.scheduler.plugins.taint_toleration import taint_toleration

    snapshot = make_snapshot(nodes, pods)
    unpinned = _daemon_pod(pod_info(template))
    placements: dict[str, int] = {}
    for info in snapshot.node_infos:
        if node_affinity(unpinned, info) or taint_toleration(unpinned, info):
            continue
        pinned = _pin(unpinned, info.node.name)
        if evaluate(pinned, snapshot).feasible:
            info.add_pod(pinned)
            placements[info.node.name] = 1
    return placements


@SETTINGS
@given(st.data())
def test_a_daemonset_plan_equals_a_fresh_prefilter_per_node(data: st.DataObject) -> None:
    nodes = data.draw(cluster_nodes())
    pods = []
    for i in range(data.draw(st.integers(0, 8))):
        manifest = data.draw(pod_manifest(f"p{i}"))
        manifest["spec"]["nodeName"] = data.draw(st.sampled_from([n.name for n in nodes]))
        pods.append(manifest)
    template = data.draw(pod_manifest("ds", incoming=True))
    daemonset = {
        "kind": "DaemonSet",
        "metadata": {"name": "ds", "namespace": template["metadata"]["namespace"]},
        "spec": {
            "template": {"metadata": {"labels": template["metadata"]["labels"]}, "spec": template["spec"]}
        },
    }
    (result,) = plan([daemonset], nodes, pods).workloads
    assert dict(result.placements) == _reference_daemonset(template, nodes, pods)


@SETTINGS
@given(st.data())
def test_a_plan_equals_a_cycle_by_cycle_scheduler_with_any_constraints(data: st.DataObject) -> None:
    """Placements and the FailedScheduling message, with spread, affinity and anti-affinity mixed."""
    from quantities.scheduler.fit import failure_message
    from quantities.scheduler.profile import score

    nodes = data.draw(cluster_nodes())
    pods = []
    for i in range(data.draw(st.integers(0, 6))):
        manifest = data.draw(pod_manifest(f"p{i}"))
        manifest["spec"]["nodeName"] = data.draw(st.sampled_from([n.name for n in nodes]))
        pods.append(manifest)
    template = data.draw(pod_manifest("w", incoming=True))
    replicas = data.draw(st.integers(1, 10))
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "w", "namespace": template["metadata"]["namespace"]},
        "spec": {
            "replicas": replicas,
            "template": {"metadata": {"labels": template["metadata"]["labels"]}, "spec": template["spec"]},
        },
    }
    (result,) = plan([deployment], nodes, pods).workloads
    snapshot = make_snapshot(nodes, pods)
    info = pod_info(template)
    order = {n.node.name: i for i, n in enumerate(snapshot.node_infos)}
    placements: dict[str, int] = {}
    message = None
    for _ in range(replicas):
        evaluation = evaluate(info, snapshot)
        if not evaluation.feasible:
            message, _ = failure_message(info, snapshot, evaluation)
            break
        best = max(evaluation.feasible, key=lambda n: (score(info, n), -order[n.node.name]))
        best.add_pod(info)
        placements[best.node.name] = placements.get(best.node.name, 0) + 1
    assert (dict(result.placements), result.message) == (placements, message)
