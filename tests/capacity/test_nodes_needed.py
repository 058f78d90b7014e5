"""nodes_needed: rows of inputs and the counts, bounds and placements they must give."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from quantities.capacity.nodes_needed import instance_template, node_template, nodes_needed
from quantities.capacity.packing import Template, autoscaler_order
from quantities.manifest.problems import ManifestError, PodValidationError
from quantities.node.compact import compact_node
from quantities.options import Options
from quantities.pod.workloads import Workload, compact_workload


def _w(name: str, replicas: int, cpu: str, memory: str) -> Workload:
    return compact_workload({"name": name, "replicas": replicas, "cpu": cpu, "memory": memory})


def _deployment(name: str, replicas: int, cpu: str, **spec: Any) -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}], **spec},
            },
        },
    }


_ANTI = {
    "podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}
        ]
    }
}
_SPREAD = [
    {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }
]
_DAEMONSET = {
    "kind": "DaemonSet",
    "metadata": {"name": "logs"},
    "spec": {
        "template": {
            "spec": {
                "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}}}]
            }
        }
    },
}

# (id, workloads, templates, new_nodes, by_template, lower_bound, binding_resource, first_fit_decreasing)
ROWS: list[tuple[str, list[Any], list[Any], int, dict[str, int], int, str | None, int]] = [
    # 5 x 1.5 cpu: two a node on 4 cpu; the cpu bound is ceil(7.5 / 4) = 2.
    ("cpu binds", [_w("web", 5, "1500m", "1Gi")], ["n,4,16Gi,110"], 3, {"n": 3}, 2, "cpu", 3),
    # cluster-autoscaler's order puts the (5, 4Gi) pods first, together on one node: the (1, 3Gi)
    # pods then need two more. Each node taking one (5, 4Gi) and two (1, 3Gi) needs only 2.
    (
        "better than first fit decreasing",
        [_w("small", 4, "1", "3Gi"), _w("large", 2, "5", "4Gi")],
        ["n,10,10Gi,110"],
        2,
        {"n": 2},
        2,
        "cpu",  # cpu 14/10 and memory 20Gi/10Gi both bound at 2: the fit plugin's order decides
        3,
    ),
    ("max pods bind", [_w("tiny", 5, "10m", "10Mi")], ["n,4,16Gi,2"], 3, {"n": 3}, 3, "pods", 3),
    ("nothing to place", [_w("none", 0, "1", "1Gi")], ["n,4,16Gi,110"], 0, {"n": 0}, 0, None, 0),
    # Required anti-affinity on the hostname: one replica a node, whatever the room.
    (
        "anti-affinity",
        [_deployment("db", 3, "100m", affinity=_ANTI)],
        ["n,4,8Gi,110"],
        3,
        {"n": 3},
        1,
        "pods",
        3,
    ),
    # Spread on the hostname with maxSkew 1 is met by one node (one domain): no node more.
    (
        "spread",
        [_deployment("web", 4, "100m", topologySpreadConstraints=_SPREAD)],
        ["n,4,8Gi,110"],
        1,
        {"n": 1},
        1,
        "pods",
        1,
    ),
    # Two templates without prices: the fewest nodes.
    (
        "fewest nodes",
        [_w("web", 10, "1", "2Gi")],
        ["small,2,4Gi,110", "big,8,32Gi,110"],
        2,
        {"small": 0, "big": 2},
        2,
        "cpu",
        2,
    ),
    # With prices: 5 small (0.25) beat 2 big (0.32); 1 big and 1 small (0.21) beat both.
    (
        "cheapest mix",
        [_w("web", 9, "1", "2Gi")],
        ["small,2,4Gi,110,price=0.05", "big,8,32Gi,110,price=0.16"],
        2,
        {"small": 1, "big": 1},
        2,
        "cpu",
        5,
    ),
]


@pytest.mark.parametrize(
    ("workloads", "templates", "new_nodes", "by_template", "lower_bound", "binding", "ffd"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_rows(
    workloads: list[Any],
    templates: list[Any],
    new_nodes: int,
    by_template: dict[str, int],
    lower_bound: int,
    binding: str | None,
    ffd: int,
) -> None:
    result = nodes_needed(workloads, templates)
    assert result.new_nodes == new_nodes
    assert result.by_template == by_template
    assert (result.lower_bound, result.binding_resource) == (lower_bound, binding)
    assert result.first_fit_decreasing == ffd
    assert result.placed_all
    assert all(w.pending == 0 for w in result.plan.workloads)
    assert len(result.plan.nodes) == new_nodes


def test_cheapest_mix_says_its_cost_and_the_estimate_it_beats() -> None:
    result = nodes_needed(
        [_w("web", 9, "1", "2Gi")], ["small,2,4Gi,110,price=0.05", "big,8,32Gi,110,price=0.16"]
    )
    assert result.cost == Fraction("0.21")
    data = result.to_json()
    assert data["cost"] == "0.21"
    assert data["first_fit_decreasing_template"] == "small"
    uses = {use["name"]: use for use in data["templates"]}
    assert (uses["small"]["first_fit_decreasing"], uses["big"]["first_fit_decreasing"]) == (5, 2)
    assert uses["big"]["cost"] == "0.16"


def test_every_new_node_carries_its_daemonset_pods_first() -> None:
    # A 500m DaemonSet pod leaves 1500m: one 1-cpu replica a node.
    result = nodes_needed([_w("web", 6, "1", "1Gi")], ["n,2,8Gi,110"], daemonsets=[_DAEMONSET])
    assert result.new_nodes == 6
    logs, web = result.plan.workloads
    assert (logs.name, logs.kind, logs.replicas, logs.placed) == ("logs", "DaemonSet", 6, 6)
    assert web.placements == {f"n-{i}": 1 for i in range(1, 7)}
    assert result.lower_bound == 4  # ceil(6 / 1.5)
    assert result.templates[0].daemonset_pods == 1
    assert result.templates[0].daemonset_requests == {"cpu": "500m", "memory": "512Mi"}
    assert all(node.pods == 2 for node in result.plan.nodes)


def test_a_daemonset_among_the_workloads_is_one_pod_per_new_node() -> None:
    result = nodes_needed([_DAEMONSET, _w("web", 2, "1500m", "1Gi")], ["n,2,8Gi,110"])
    assert result.new_nodes == 2
    assert result.plan.workloads[0].placements == {"n-1": 1, "n-2": 1}


def test_a_daemonset_that_does_not_tolerate_the_template_stays_off_it() -> None:
    result = nodes_needed(
        [_deployment("web", 2, "1500m", tolerations=[{"key": "gpu", "operator": "Exists"}])],
        ["n,2,8Gi,110,,gpu=true:NoSchedule"],
        daemonsets=[_DAEMONSET],
    )
    assert result.new_nodes == 2
    assert result.plan.workloads[0].replicas == 0
    assert result.templates[0].daemonset_pods == 0


def test_the_existing_cluster_takes_what_it_can_first() -> None:
    existing = [compact_node("old", cpu="2", memory="4Gi")]
    result = nodes_needed([_w("web", 4, "1", "1Gi")], ["n,2,4Gi,110"], existing)
    assert result.new_nodes == 1
    assert result.plan.workloads[0].placements == {"old": 2, "n-1": 2}
    assert [node.name for node in result.plan.nodes] == ["old", "n-1"]
    assert result.lower_bound == 1  # (4 cpu - 2 free) / 2


@pytest.mark.parametrize(
    ("workload", "template", "reason"),
    [
        (_w("huge", 2, "64", "1Gi"), "n,4,8Gi,110", "1 Insufficient cpu"),
        (_deployment("web", 1, "1"), "n,4,8Gi,110,,dedicated=db:NoSchedule", "untolerated taint"),
        (
            _deployment("web", 1, "1", nodeSelector={"disktype": "ssd"}),
            "n,4,8Gi,110",
            "didn't match Pod's node affinity/selector",
        ),
    ],
    ids=["too big", "taint", "selector"],
)
def test_a_pod_that_fits_no_template_is_reported_with_the_scheduler_message(
    workload: Any, template: str, reason: str
) -> None:
    result = nodes_needed([workload], [template])
    assert not result.placed_all
    ((name, count, message),) = result.unplaceable
    assert name == result.plan.workloads[0].name
    assert count == result.plan.workloads[0].pending
    assert message.startswith("fits no template: 0/1 nodes are available: ")
    assert reason in message
    assert result.plan.workloads[0].message == message
    assert result.to_json()["unplaceable"][0]["message"] == message


def test_selectors_and_tolerations_that_match_the_template_are_placed() -> None:
    result = nodes_needed(
        [
            _deployment(
                "web",
                3,
                "1",
                nodeSelector={"disktype": "ssd"},
                tolerations=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}],
            )
        ],
        ["n,4,8Gi,110,disktype=ssd,dedicated=db:NoSchedule"],
    )
    assert (result.new_nodes, result.placed_all) == (1, True)


def test_an_instance_type_template() -> None:
    options = Options.of("1.32")
    template = instance_template("m5.large", options=options)
    result = nodes_needed([_w("web", 20, "500m", "1Gi")], [template], options=options)
    # 1930m allocatable: 3 replicas a node; cpu bound ceil(10000m / 1930m) = 6.
    assert (result.new_nodes, result.lower_bound, result.binding_resource) == (7, 6, "cpu")
    assert result.kubernetes_version == "1.32"
    assert result.plan.nodes[0].name == "m5.large-1"


def test_the_json_explains_its_figures() -> None:
    data = nodes_needed([_w("web", 5, "1500m", "1Gi")], ["n,4,16Gi,110"], kubernetes_version="1.30").to_json()
    assert list(data)[:3] == ["kubernetes_version", "new_nodes", "by_template"]
    assert data["kubernetes_version"] == data["plan"]["kubernetes_version"] == "1.30"
    explanation = data["explanation"]
    assert "lower bound" in explanation["formula"]
    documents = " ".join(source["document"] for source in explanation["sources"])
    assert "estimator/binpacking_estimator.go" in documents
    assert "estimator/decreasing_pod_orderer.go" in documents
    assert any("lower bound 2" in step for step in explanation["steps"])


def test_csv_has_a_row_per_template_and_a_total() -> None:
    result = nodes_needed(
        [_w("web", 9, "1", "2Gi")], ["small,2,4Gi,110,price=0.05", "big,8,32Gi,110,price=0.16"]
    )
    rows = result.csv_rows()
    assert [row[0] for row in rows] == ["small", "big", "total"]
    assert rows[-1][1] == "2" and rows[-1][3] == "0.21"
    assert len(result.CSV_HEADER) == len(rows[0])
    assert result.summary() == "2"


def test_autoscaler_order_is_cpu_plus_memory_share_decreasing() -> None:
    from quantities.capacity.packing import Group
    from quantities.scheduler.framework.podinfo import pod_info

    template = compact_node("t", cpu="10", memory="10Gi")
    shapes = [("a", "1", "3Gi"), ("b", "5", "4Gi"), ("c", "4", "1Gi"), ("d", "2", "3Gi")]
    groups = [Group(w, pod_info(w.pod), 1, i) for i, w in enumerate(_w(n, 1, c, m) for n, c, m in shapes)]
    # b: 0.9; c: 0.5; d: 0.5 (input order kept); a: 0.4.
    assert [g.workload.name for g in autoscaler_order(groups, template)] == ["b", "c", "d", "a"]


@pytest.mark.parametrize(
    ("templates", "path", "words"),
    [
        (["n,4,16Gi,110", "m,x,1Gi"], "template[1].cpu", 'invalid quantity "x"'),
        (["n,4,16Gi,110", "n,2,1Gi"], "template[1]", 'template "n" is given twice'),
        (["a,4,16Gi,110,price=1", "b,2,1Gi"], "template", "give a price for every template or for none"),
        (["a,4,16Gi,110,price=-1"], "template[0].price", "not negative"),
        ([], "template", "at least one node template"),
    ],
)
def test_bad_templates_are_located(templates: list[str], path: str, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        nodes_needed([_w("web", 1, "1", "1Gi")], templates)
    problem = next(p for p in caught.value.problems if p.path == path)
    assert words in problem.message


def test_bad_workloads_and_templates_are_reported_together() -> None:
    bad = {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": "three", "template": {}}}
    with pytest.raises(PodValidationError) as caught:
        nodes_needed([bad, {"name": "db", "cpu": "x"}], ["n,x,1Gi"])
    paths = {problem.path for problem in caught.value.problems}
    assert {"template[0].cpu", "workloads[0].spec.replicas", "workloads[1].cpu"} <= paths


@pytest.mark.parametrize(
    ("text", "name", "cpu", "labels", "taints", "price"),
    [
        ("n,4,16Gi,110", "n", 4000, {}, [], None),
        ("n,4,16Gi,110,price=0.096", "n", 4000, {}, [], Fraction("0.096")),
        (
            "n,4,16Gi,110,zone=a;ssd=yes,gpu=true:NoSchedule,price=1",
            "n",
            4000,
            {"zone": "a", "ssd": "yes"},
            ["gpu=true:NoSchedule"],
            Fraction(1),
        ),
        ("n,500m,1Gi,,,,price=2.5", "n", 500, {}, [], Fraction("2.5")),
    ],
)
def test_template_lines(
    text: str, name: str, cpu: int, labels: dict[str, str], taints: list[str], price: Fraction | None
) -> None:
    template = node_template(text)
    assert isinstance(template, Template)
    assert (template.name, template.node.milli_cpu, template.price) == (name, cpu, price)
    assert {k: v for k, v in template.node.labels.items() if k != "kubernetes.io/hostname"} == labels
    assert [str(t) for t in template.node.taints] == taints


def test_a_compact_template_object_with_a_price() -> None:
    template = node_template({"name": "n", "cpu": 4, "memory": "8Gi", "pods": 20, "price": 0.5})
    assert (template.node.allowed_pods, template.price) == (20, Fraction(1, 2))
