"""Compact rows (GET parameters, CSV tables, compact objects) read strictly: every problem located."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.manifest.compact import (
    NodeRow,
    TaintSpec,
    WorkloadRow,
    read_csv_table,
    read_node,
    read_node_fields,
    read_pod_fields,
    read_workload,
    read_workload_fields,
)
from quantities.manifest.problems import ManifestError, Problem
from quantities.node.compact import (
    allocation_from_fields,
    compact_node,
    node_from_compact,
    node_from_fields,
    plan_table,
)
from quantities.pod.workloads import compact_workload, workload_from_fields
from quantities.quantity.quantity import Quantity

#: Python's own words, which no message may show.
PYTHON_WORDS = ("invalid literal", "'str' object", "Errno", "{'", "Traceback", "object at 0x", "NoneType")


def _problems(call: Callable[[], Any]) -> tuple[Problem, ...]:
    with pytest.raises(ManifestError) as caught:
        call()
    return caught.value.problems


def _csv(text: str) -> Any:
    return plan_table(read_csv_table(text))


def _read(form: str, text: str) -> Any:
    if form == "node":
        return node_from_fields(text, "node[1]")
    if form == "workload":
        return workload_from_fields(text, "workload[0]")
    if form == "pod":
        return allocation_from_fields("n1,4,8Gi", [text], pod_path="pod")
    return _csv(text)


# (form, input, path of the first problem, text the hint contains, or None for no hint promised)
MALFORMED = [
    ("node", "n1;4;8Gi;110", "node[1]", 'did you mean "n1,4,8Gi,110"?'),
    ("node", "n1 4 8Gi 110", "node[1]", 'did you mean "n1,4,8Gi,110"?'),
    ("node", "n1", "node[1].cpu", None),
    ("node", "n1,,,", "node[1].cpu", None),
    ("node", "n1,4", "node[1].memory", None),
    ("node", ",4,8Gi", "node[1].name", None),
    ("node", "", "node[1]", None),
    ("node", "N1,4,8Gi", "node[1].name", 'did you mean "n1"?'),
    ("node", "n_1,4,8Gi", "node[1].name", 'did you mean "n-1"?'),
    ("node", "n1,4q,8Gi", "node[1].cpu", None),
    ("node", "n1,4,8GB", "node[1].memory", "8G"),
    ("node", "n1,4,8gi", "node[1].memory", "8Gi"),
    ("node", "n1,-1,8Gi", "node[1].cpu", None),
    ("node", "n1,4,8Gi,1.5", "node[1].pods", None),
    ("node", "n1,4,8Gi,many", "node[1].pods", None),
    ("node", "n1,4,8Gi,110,zone", "node[1].labels[0]", None),
    ("node", "n1,4,8Gi,110,zone:a", "node[1].labels[0]", 'did you mean "zone=a"?'),
    ("node", "n1,4,8Gi,110,zone=a;;", "node[1].labels[1]", None),
    ("node", "n1,4,8Gi,110,-bad=a", "node[1].labels[0]", None),
    ("node", "n1,4,8Gi,110,zone=" + "a" * 64, "node[1].labels[0]", None),
    ("node", "n1,4,8Gi,110,zone=a;zone=b", "node[1].labels[1]", None),
    ("node", "n1,4,8Gi,110,zone=a,disk=ssd,x", "node[1]", 'separated by ";"'),
    ("node", "n1,4,8Gi,110,,gpu=true", "node[1].taints[0]", 'add an effect: "gpu=true:NoSchedule"'),
    ("node", "n1,4,8Gi,110,,gpu=true:noschedule", "node[1].taints[0]", 'did you mean "NoSchedule"?'),
    ("node", "n1,4,8Gi,110,,gpu=true:Never", "node[1].taints[0]", None),
    ("node", "n1,4,8Gi,110,,gpu:NoSchedule;gpu=x:NoSchedule", "node[1].taints[1]", None),
    ("node", "n1,4,8Gi,110,,:NoSchedule", "node[1].taints[0]", None),
    ("workload", "web,three,1500m,1Gi", "workload[0].replicas", "did you mean 3?"),
    ("workload", "web,3.0,1500m,1Gi", "workload[0].replicas", "did you mean 3?"),
    ("workload", "web,-2,1500m,1Gi", "workload[0].replicas", None),
    ("workload", "web,99999999999,1,1Gi", "workload[0].replicas", None),
    ("workload", "web,3,1500m", "workload[0].memory", None),
    ("workload", "web,3", "workload[0].cpu", None),
    ("workload", "web,3,1,1Gi,2,2Gi,9", "workload[0]", None),
    ("workload", "web,3,1 core,1Gi", "workload[0].cpu", None),
    ("workload", "Web Server,3,1,1Gi", "workload[0].name", 'did you mean "web-server"?'),
    ("pod", "web,500m", "pod[0].memory", None),
    ("pod", "web,500m,1Gi,1,1Gi,x", "pod[0]", None),
    ("pod", "web,500m,1K", "pod[0].memory", "1k"),
    ("csv", "n1,4,8Gi,110\nweb,3,1,1Gi\n", "header", 'add a header line such as "name,cpu,memory,pods"'),
    ("csv", "kind,name,replicas,cpu,memroy\nNode,n1,,4,8Gi\n", "header[4]", 'did you mean "memory"?'),
    ("csv", "kind,name,replicas,cpus,memory\nNode,n1,,4,8Gi\n", "header[3]", 'did you mean "cpu"?'),
    ("csv", "kind,name,cpu,memory,cpu\nNode,n1,4,8Gi,4\n", "header[4]", None),
    ("csv", "kind,name,replicas,cpu,memory\nNode,n1,,4,8Gi\n,web,three,1,1Gi\n", "rows[1].replicas", "3"),
    ("csv", "kind,name,replicas,cpu,memory\nNode,n1,,4,\n,web,3,1,1Gi\n", "rows[0].memory", None),
    ("csv", "kind,name,replicas,cpu,memory\nNode,n1,2,4,8Gi\n,web,3,1,1Gi\n", "rows[0].replicas", None),
    ("csv", "kind,name,replicas,cpu,memory\nNode,n1,,4,8Gi\n,,,,\n,web,3,1,1Gi\n", "rows[1]", None),
    ("csv", "kind,name,replicas,cpu,memory\nNode,n1,,4,8Gi,x\n", "rows[0]", "quote a cell"),
    ("csv", "kind,name,replicas,cpu,memory\nnode,n1,,4,8Gi\n", "rows[0].kind", 'did you mean "Node"?'),
    ("csv", "kind,name,cpu,memory,unschedulable\nNode,n1,4,8Gi,yes\n", "rows[0].unschedulable", '"true"'),
    ("csv", "", "header", None),
]


@pytest.mark.parametrize(
    ("form", "text", "path", "hint"), MALFORMED, ids=[f"{r[0]}:{r[1][:30]}" for r in MALFORMED]
)
def test_malformed_rows_are_located(form: str, text: str, path: str, hint: str | None) -> None:
    problems = _problems(lambda: _read(form, text))
    assert problems[0].path == path, [p.to_json() for p in problems]
    for problem in problems:
        assert problem.path
        shown = str(problem) + str(problem.value or "")
        assert not any(word in shown for word in PYTHON_WORDS), shown
        assert not re.search(r"'[^' ]*'", str(problem)), str(problem)  # JSON-style quotes only
        if problem.value is not None:
            assert problem.value.startswith(('"', "-")) or problem.value[0].isdigit(), problem.value
    if hint is not None:
        assert problems[0].hint is not None and hint in problems[0].hint, problems[0].to_json()
    if form == "csv" and path.startswith("rows["):
        assert "(line " in problems[0].message


def test_every_problem_of_a_row_is_reported() -> None:
    problems = _problems(lambda: read_node_fields("N1,4q,-1,x,zone,gpu", "node[2]"))
    assert [p.path for p in problems] == [
        "node[2].name",
        "node[2].cpu",
        "node[2].memory",
        "node[2].pods",
        "node[2].labels[0]",
        "node[2].taints[0]",
    ]


def test_csv_lines_count_the_header_and_blank_lines() -> None:
    table = "kind,name,replicas,cpu,memory\n\nNode,n1,,4,8Gi\n,web,3,1,x\n"
    (problem,) = _problems(lambda: _csv(table))
    assert (problem.path, problem.value) == ("rows[1].memory", '"x"')
    assert problem.message.endswith("(line 4)")


def test_a_valid_csv_plan_table() -> None:
    table = (
        "kind,name,replicas,cpu,memory,pods,labels,taints,nvidia.com/gpu\n"
        'Node,n1,,4,8Gi,,"zone=a,disk=ssd",gpu=true:NoSchedule,2\n'
        ",web,,500m,1Gi,,,,\n"
    )
    workloads, nodes = _csv(table)
    assert [(w.name, w.replicas) for w in workloads] == [("web", 1)]
    (node,) = nodes
    assert (node.allowed_pods, node.labels["disk"], str(node.taints[0]), node.scalars) == (
        110,
        "ssd",
        "gpu=true:NoSchedule",
        {"nvidia.com/gpu": 2},
    )


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({"name": "n1", "cpu": "4"}, "nodes[0].memory"),
        ({"name": "n1", "cpu": True, "memory": "1Gi"}, "nodes[0].cpu"),
        ({"name": "n1", "cpu": "4", "memory": "1Gi", "memroy": "1Gi"}, "nodes[0].memroy"),
        ({"name": "n1", "cpu": "4", "memory": "1Gi", "labels": {"zone": ["a"]}}, "nodes[0].labels.zone"),
        ({"name": "n1", "cpu": "4", "memory": "1Gi", "taints": [{"key": "k", "effect": "x"}]},
         "nodes[0].taints[0]"),
        ({"name": "n1", "cpu": "4", "memory": "1Gi", "allocatable": {"nvidia.com/gpu": "0.5"}},
         "nodes[0].allocatable[nvidia.com/gpu]"),
        ({"name": "n1", "cpu": "4", "memory": "1Gi", "gpu": "1"}, "nodes[0].gpu"),
        ({"name": 5, "cpu": "4", "memory": "1Gi"}, "nodes[0].name"),
    ],
)  # fmt: skip
def test_compact_node_objects_are_checked(row: dict[str, Any], path: str) -> None:
    problems = _problems(lambda: node_from_compact(row, "nodes[0]"))
    assert problems[0].path == path, [p.to_json() for p in problems]


def test_compact_node_needs_cpu_and_memory_but_defaults_pods() -> None:
    assert [p.path for p in _problems(lambda: compact_node("n1"))] == ["cpu", "memory"]
    assert compact_node("n1", cpu="1", memory="1Gi").allowed_pods == 110


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({"replicas": 2}, "name"),
        ({"name": "web", "replicas": "two"}, "replicas"),
        ({"name": "web", "replicas": True}, "replicas"),
        ({"name": "web", "cpus": "1"}, "cpus"),
        ({"name": "web", "kind": "DaemonSet", "replicas": 2}, "replicas"),
        ({"name": "web", "kind": "Deploy"}, "kind"),
        ({"name": "web", "cpu": "1", "cpu_request": "2"}, "cpu_request"),
        ({"name": "web", "requests": {"nvidia.com/gpu": "x"}}, "requests[nvidia.com/gpu]"),
    ],
)
def test_compact_workload_objects_are_checked(row: dict[str, Any], path: str) -> None:
    problems = _problems(lambda: compact_workload(row))
    assert problems[0].path == path, [p.to_json() for p in problems]


def test_compact_workload_objects_need_only_a_name() -> None:
    workload = compact_workload({"name": "web", "replicas": 3, "memory": "5Gi"})
    assert workload.replicas == 3
    assert workload.pod["spec"]["containers"][0]["resources"] == {"requests": {"memory": "5Gi"}}
    assert read_workload({"name": "d", "kind": "DaemonSet"}).replicas is None


def test_pod_rows_name_the_pod_form() -> None:
    (problem,) = _problems(lambda: read_pod_fields("web,1", "pod[3]"))
    assert problem.path == "pod[3].memory" and "a pod is name,cpu,memory" in problem.message


# -- properties ----------------------------------------------------------------------------------

_ROW_ALPHABET = string.ascii_letters[:8] + "nN019.,;=:-/_ \tGiMmKk" + "NoSchedule"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ROW_ALPHABET, max_size=40))
def test_any_node_row_parses_or_is_located(text: str) -> None:
    try:
        row = read_node_fields(text, "node[0]")
    except ManifestError as error:
        assert error.problems and all(p.path.startswith("node[0]") for p in error.problems)
        assert not any(word in str(error) for word in PYTHON_WORDS)
        return
    assert read_node_fields(row.to_text(), "node[0]") == row
    node = node_from_fields(text, "node[0]")
    assert (node.name, node.milli_cpu, node.memory, node.allowed_pods) == (
        row.name,
        row.cpu.int64_milli_value(),
        row.memory.int64_value(),
        row.pods.int64_value(),
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ROW_ALPHABET + '\n"', max_size=60))
def test_any_csv_text_parses_or_is_located(text: str) -> None:
    try:
        _csv("kind,name,replicas,cpu,memory,pods,labels\n" + text)
        read_csv_table(text)
    except ManifestError as error:
        assert error.problems and all(p.path for p in error.problems)
        assert not any(word in str(error) for word in PYTHON_WORDS)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ROW_ALPHABET, max_size=40))
def test_any_workload_row_parses_or_is_located(text: str) -> None:
    try:
        row = read_workload_fields(text, "workload[0]")
    except ManifestError as error:
        assert error.problems and all(p.path.startswith("workload[0]") for p in error.problems)
        return
    assert isinstance(row, WorkloadRow) and row.replicas is not None and row.replicas >= 0


_NAMES = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?(\.[a-z0-9]{1,5})?", fullmatch=True)
_QUANTITIES = st.builds(
    lambda number, suffix: f"{number}{suffix}",
    st.integers(0, 10**6),
    st.sampled_from(["", "m", "k", "Ki", "Mi", "Gi", "M", "G", "e3"]),
)
_LABEL_KEYS = st.from_regex(
    r"([a-z]{1,5}\.[a-z]{2,3}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?", fullmatch=True
)
_LABEL_VALUES = st.from_regex(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?)?", fullmatch=True)


@st.composite
def _node_rows(draw: st.DrawFn) -> NodeRow:
    labels = draw(st.dictionaries(_LABEL_KEYS, _LABEL_VALUES, max_size=3))
    taints = draw(
        st.dictionaries(
            st.tuples(_LABEL_KEYS, st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"])),
            _LABEL_VALUES,
            max_size=3,
        )
    )
    return NodeRow(
        draw(_NAMES),
        Quantity(draw(_QUANTITIES)),
        Quantity(draw(_QUANTITIES)),
        Quantity(str(draw(st.integers(0, 500)))),
        tuple(labels.items()),
        tuple(TaintSpec(k, v, effect) for (k, effect), v in taints.items()),
        path="node[0]",
    )


@settings(max_examples=200, deadline=None)
@given(_node_rows())
def test_valid_node_rows_round_trip(row: NodeRow) -> None:
    assert read_node_fields(row.to_text(), "node[0]") == row
    node = node_from_fields(row.to_text())
    assert dict(row.labels).items() <= node.labels.items()
    assert [str(t) for t in node.taints] == [str(t) for t in row.taints]
    assert (
        read_node(
            {
                "name": row.name,
                "cpu": str(row.cpu),
                "memory": str(row.memory),
                "pods": str(row.pods),
                "labels": dict(row.labels),
                "taints": [str(t) for t in row.taints],
            },
            "node[0]",
        )
        == row
    )
