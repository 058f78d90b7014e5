"""Every scheduler computation is bounded: a deadline looked at in every loop, caps on what a plan asks.

* a deadline already past stops each library entry point with ``WorkLimitExceeded``
  naming where (table: entry point, the ``where`` it names);
* the loops look at the clock as they go: the number of looks grows with the input;
* preemption and plans update the PreFilter state instead of recomputing it: counted;
* ``max_replicas`` per workload (a DaemonSet counting its eligible nodes) and ``max_pods``
  per plan, refused with ``TooManyPods`` located at the count (table).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from quantities.node.allocated import node_allocated, node_and_pods
from quantities.node.compact import compact_node
from quantities.node.model import Node
from quantities.options import Deadline, Options, ReadLimits, WorkLimitExceeded
from quantities.pod.workloads import compact_workload, workloads_in
from quantities.present.pods import checked_pods
from quantities.scheduler import profile
from quantities.scheduler.cluster import load_cluster
from quantities.scheduler.fit import check_fit, make_snapshot
from quantities.scheduler.framework.podinfo import pod_info
from quantities.scheduler.plan import TooManyPods, max_replicas, plan

SPENT = Options(deadline=Deadline(at=0.0, seconds=0.001))
LABELS = {"app": "web"}


@dataclass(frozen=True, slots=True)
class Counting(Options):
    """Options that record every look at the deadline, and expire at the first look whose ``where``
    starts with ``expire_at``."""

    looks: list[str] | None = None
    expire_at: str | None = None

    def check_deadline(self, where: str = "", done: int | None = None, total: int | None = None) -> None:
        assert self.looks is not None
        self.looks.append(where)
        if self.expire_at is not None and where.startswith(self.expire_at):
            raise WorkLimitExceeded(f"expired in {where}", where, done, total)


def counting(expire_at: str | None = None, **settings: Any) -> Counting:
    return Counting(looks=[], expire_at=expire_at, **settings)


def _pod(
    name: str, *, priority: int = 0, node: str | None = None, spread: int = 0, **extra: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "priority": priority,
        "containers": [
            {"name": "c", "image": "i", "resources": {"requests": {"cpu": "10m", "memory": "1Mi"}}}
        ],
        **extra,
    }
    if node is not None:
        spec["nodeName"] = node
    if spread:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": f"topo-{i}",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": LABELS},
            }
            for i in range(spread)
        ]
    return {"kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": LABELS}, "spec": spec}


def _nodes(count: int, constraints: int = 1, pods: int = 110) -> list[Node]:
    return [
        compact_node(
            f"n{i}",
            cpu="64",
            memory="256Gi",
            pods=pods,
            labels={f"topo-{k}": f"n{i}" for k in range(constraints)},
        )
        for i in range(count)
    ]


def _deployment(replicas: int, **spec: Any) -> dict[str, Any]:
    template = _pod("web", **spec)
    return {
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "template": {"metadata": {"labels": LABELS}, "spec": template["spec"]},
        },
    }


def _daemonset(**spec: Any) -> dict[str, Any]:
    template = _pod("agent", **spec)
    return {
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "default"},
        "spec": {"template": {"metadata": {"labels": LABELS}, "spec": template["spec"]}},
    }


NODE_OBJECT = {
    "kind": "Node",
    "metadata": {"name": "n0"},
    "status": {"allocatable": {"cpu": "4", "memory": "8Gi"}},
}
BOUND = [_pod(f"p{i}", node="n0") | {"status": {"phase": "Running"}} for i in range(3)]
MANY_PODS = {"kind": "List", "items": BOUND * 400}
LOW = [_pod(f"low{i}", node=f"n{i}") for i in range(50)]

# Each entry point with a deadline already past: it stops at its first look, and says where.
ENTRY_POINTS: list[tuple[str, Callable[[Options], object], str]] = [
    ("check_fit", lambda o: check_fit(_pod("p"), _nodes(3), options=o), "reading the nodes"),
    ("check_fit on a snapshot", lambda o: check_fit(_pod("p"), make_snapshot(_nodes(3)), options=o),
     'inter-pod affinity of pod "p"'),
    ("plan", lambda o: plan([_deployment(3)], _nodes(3), options=o), "reading the nodes"),
    ("max_replicas", lambda o: max_replicas(_pod("p"), _nodes(3), options=o), "reading the nodes"),
    ("node_allocated", lambda o: node_allocated(NODE_OBJECT, BOUND, options=o), 'pods of node "n0"'),
    ("node_and_pods", lambda o: node_and_pods([NODE_OBJECT, MANY_PODS], options=o),
     "reading the nodes and pods"),
    ("load_cluster", lambda o: load_cluster([NODE_OBJECT, *BOUND], options=o), "reading the cluster"),
    ("checked_pods", lambda o: checked_pods(BOUND, options=o), "reading the pods"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "where"), ENTRY_POINTS, ids=[row[0] for row in ENTRY_POINTS])
def test_a_spent_deadline_stops_each_entry_point_and_says_where(
    name: str, call: Callable[[Options], object], where: str
) -> None:
    with pytest.raises(WorkLimitExceeded) as raised:
        call(SPENT)
    assert raised.value.where == where
    assert "took longer than the 0.001 s allowed" in str(raised.value)


# Where each loop looks at the clock: a computation told to expire there stops there.
LOOPS: list[tuple[str, Callable[[Options], object], str]] = [
    ("fit filters", lambda o: check_fit(_pod("p"), make_snapshot(_nodes(600)), options=o),
     'filters for pod "p"'),
    ("spread prefilter", lambda o: check_fit(_pod("p", spread=2), make_snapshot(_nodes(600, 2)), options=o),
     'topology spread of pod "p"'),
    ("preemption candidates", lambda o: check_fit(_pod("p", priority=10), _nodes(50, pods=1), LOW, options=o),
     'preemption for pod "p"'),
    ("replicas of a plan", lambda o: plan([_deployment(100)], _nodes(20), options=o),
     'plan of Deployment "web"'),
    ("placements", lambda o: plan([_deployment(2000)], _nodes(20), options=o), 'placement of pod "web-'),
    ("DaemonSet nodes", lambda o: plan([_daemonset()], _nodes(20), options=o), 'plan of DaemonSet "agent"'),
    ("max_replicas", lambda o: max_replicas(_pod("p"), _nodes(2), options=o), 'max-replicas of pod "p"'),
    ("max_replicas placing copies", lambda o: max_replicas(_pod("p", spread=1), _nodes(2), options=o),
     'max-replicas of pod "p"'),
    ("allocated requests", lambda o: node_allocated(NODE_OBJECT, BOUND, options=o),
     'requests of the pods of node "n0"'),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "where"), LOOPS, ids=[row[0] for row in LOOPS])
def test_every_loop_that_grows_with_the_input_looks_at_the_deadline(
    name: str, call: Callable[[Options], object], where: str
) -> None:
    options = counting(expire_at=where)
    with pytest.raises(WorkLimitExceeded) as raised:
        call(options)
    assert raised.value.where.startswith(where)


def test_looks_at_the_clock_grow_with_the_work_and_stay_cheap() -> None:
    small, large = counting(), counting()
    check_fit(_pod("p", spread=1), make_snapshot(_nodes(500)), options=small)
    check_fit(_pod("p", spread=1), make_snapshot(_nodes(5000)), options=large)
    assert small.looks is not None and large.looks is not None
    assert len(large.looks) > 5 * len(small.looks) > 0
    # Every few hundred nodes, not every node: the looks cost a clock read each.
    assert len(large.looks) < 5000 // 50


class _CountedPrefilters:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.spread = 0
        self.affinity = 0
        spread, affinity = profile.spread_prefilter, profile.affinity_prefilter

        def counted_spread(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("shared") is None:
                self.spread += 1
            return spread(*args, **kwargs)

        def counted_affinity(*args: Any, **kwargs: Any) -> Any:
            self.affinity += 1
            return affinity(*args, **kwargs)

        monkeypatch.setattr(profile, "spread_prefilter", counted_spread)
        monkeypatch.setattr(profile, "affinity_prefilter", counted_affinity)


def test_preemption_over_a_thousand_nodes_and_16_constraints_runs_the_prefilter_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each candidate's victims are taken off the state (RemovePod) and put back: one PreFilter in all,
    where recomputing it per candidate cost 1,000 x 1,000 x 16 (19 s)."""
    counted = _CountedPrefilters(monkeypatch)
    nodes = _nodes(1000, 16, pods=1)
    pods = [pod_info(_pod(f"low{i}", node=f"n{i}"), state=True) for i in range(1000)]
    snapshot = make_snapshot(nodes, pods)
    started = time.perf_counter()
    result = check_fit(
        _pod("p", priority=10, spread=16), snapshot, options=Options(deadline=Deadline.after(30))
    )
    elapsed = time.perf_counter() - started
    assert not result.fits and len(result.preemption_nodes) == 1000
    assert (counted.spread, counted.affinity) == (1, 1)
    assert elapsed < 5, f"{elapsed:.1f} s"


def test_a_plan_with_spread_runs_the_prefilter_once_per_workload(monkeypatch: pytest.MonkeyPatch) -> None:
    counted = _CountedPrefilters(monkeypatch)
    result = plan([_deployment(500, spread=1)], _nodes(200))
    assert result.workloads[0].placed == 500
    assert counted.spread == 1


def test_a_daemonset_runs_the_cluster_wide_prefilter_once(monkeypatch: pytest.MonkeyPatch) -> None:
    counted = _CountedPrefilters(monkeypatch)
    spread = _pod("x", spread=1)["spec"]["topologySpreadConstraints"]
    result = plan([_daemonset(topologySpreadConstraints=spread)], _nodes(300))
    assert result.workloads[0].placed == 300
    assert (counted.spread, counted.affinity) == (1, 1)


def _job(parallelism: int) -> dict[str, Any]:
    return {
        "kind": "Job",
        "metadata": {"name": "batch"},
        "spec": {"parallelism": parallelism, "template": {"spec": _pod("x")["spec"]}},
    }


def _cronjob(parallelism: int) -> dict[str, Any]:
    return {"kind": "CronJob", "metadata": {"name": "nightly"}, "spec": {"jobTemplate": _job(parallelism)}}


# (workloads, nodes, running pods, limits, path of the count at fault, words of the message)
R10 = ReadLimits(max_replicas=10)
P10 = ReadLimits(max_pods=10)
CAPS: list[tuple[list[Any], int, int, ReadLimits, str, str]] = [
    ([_deployment(11)], 2, 0, R10, "workloads[0].spec.replicas", "11 replicas"),
    ([_deployment(1), _deployment(11)], 2, 0, R10, "workloads[1].spec.replicas", "11 replicas"),
    ([_job(11)], 2, 0, R10, "workloads[0].spec.parallelism", 'Job "batch"'),
    ([_cronjob(11)], 2, 0, R10, "workloads[0].spec.jobTemplate.spec.parallelism", 'CronJob "nightly"'),
    ([_daemonset()], 11, 0, R10, "workloads[0]", "11 eligible nodes"),
    ([_deployment(6), _deployment(6)], 2, 0, P10, "workloads[1].spec.replicas", "12 pods"),
    ([_deployment(6)], 2, 5, P10, "workloads[0].spec.replicas", "11 pods (those running included)"),
]  # fmt: skip


@pytest.mark.parametrize(("given", "node_count", "running", "limits", "path", "words"), CAPS)
def test_a_plan_past_its_caps_is_refused_at_the_count(
    given: list[Any], node_count: int, running: int, limits: ReadLimits, path: str, words: str
) -> None:
    workloads = workloads_in(given, path="workloads")
    pods = [_pod(f"r{i}", node="n0") for i in range(running)]
    with pytest.raises(TooManyPods) as raised:
        plan(workloads, _nodes(node_count), pods, options=Options(limits=limits))
    assert raised.value.where == path
    assert words in str(raised.value)
    if limits.max_replicas == 10:
        assert "to ask how many would fit, use max-replicas" in str(raised.value)


def test_a_plan_at_its_caps_is_planned() -> None:
    result = plan(
        [compact_workload({"name": "web", "replicas": 10})],
        _nodes(2),
        [_pod("r", node="n0")],
        options=Options(limits=ReadLimits(max_replicas=10, max_pods=11)),
    )
    assert result.workloads[0].placed == 10


def test_a_daemonset_counts_only_its_eligible_nodes() -> None:
    tainted = [
        compact_node(f"t{i}", cpu="1", memory="1Gi", taints="dedicated=db:NoSchedule") for i in range(5)
    ]
    result = plan([_daemonset()], _nodes(3) + tainted, options=Options(limits=ReadLimits(max_replicas=3)))
    assert (result.workloads[0].replicas, result.workloads[0].placed) == (3, 3)
