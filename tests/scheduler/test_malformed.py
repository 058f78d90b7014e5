"""Malformed proposals and cluster states: every one a located error, never a Python error.

The proposal (the pod of ``check_fit``/``max_replicas``, the workloads of ``plan``) is
validated with every rule of the API server: a wrong JSON type or a refused value raises
PodValidationError (a ManifestError) naming the path. Cluster state (nodes, stored pods)
raises ManifestError only for what no API server could have stored (a wrong JSON type);
what today's validation refuses there is a warning (tests/scheduler/test_stored_state.py).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from api import create_app
from quantities.manifest.problems import ManifestError, PodValidationError
from quantities.scheduler.cluster import load_cluster
from quantities.scheduler.fit import check_fit
from quantities.scheduler.framework.podinfo import pod_info
from quantities.scheduler.plan import max_replicas, plan
from tests.kind_cluster import node

#: Python's own words, which no message may contain.
PYTHON_WORDS = re.compile(
    r"'str' object|'int' object|'list' object|'dict' object|invalid literal|Errno|NoneType|Traceback"
    r"|object has no attribute|not subscriptable|\{'|\['|'\]|'\}|unhashable"
)

TAINTED = node("n1", labels={"zone": "a"}, taints=[{"key": "k", "value": "v", "effect": "NoSchedule"}])


def _pod(spec: dict[str, Any] | None = None, metadata: Any = None) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"} if metadata is None else metadata,
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}], **(spec or {})},
    }


def _required(terms: Any) -> dict[str, Any]:
    return {
        "affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}
        }
    }


def _expr(**requirement: Any) -> dict[str, Any]:
    return _required([{"matchExpressions": [requirement]}])


def _anti(term: Any) -> dict[str, Any]:
    return {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}}


def _spread(**constraint: Any) -> dict[str, Any]:
    base = {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
    return {"topologySpreadConstraints": [{**base, **constraint}]}


def _fit(pod: Any) -> Callable[[], object]:
    return lambda: check_fit(pod, [TAINTED])


def _node_state(change: Callable[[dict[str, Any]], None]) -> Callable[[], object]:
    bad = copy.deepcopy(TAINTED)
    change(bad)
    return lambda: check_fit(_pod(), [bad])


def _cluster(document: Any) -> Callable[[], object]:
    return lambda: load_cluster(json.dumps(document))


def _deployment(**changes: Any) -> dict[str, Any]:
    workload: dict[str, Any] = {
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 2,
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}]}},
        },
    }
    for dotted, value in changes.items():
        target = workload
        parts = dotted.split("__")
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value
    return workload


def _plan(*workloads: Any) -> Callable[[], object]:
    return lambda: plan(list(workloads), [TAINTED])


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(obj: dict[str, Any]) -> None:
        parts = path.split(".")
        target = obj
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value

    return change


S = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
A = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
T = "spec.topologySpreadConstraints[0]"

# (name, call, exception, path of the first problem, the API server's line for it or None)
ROWS: list[tuple[str, Callable[[], object], type[Exception], str, str | None]] = [
    # --- proposals: wrong JSON types --------------------------------------------------------------
    (
        "tolerations a string (fit)",
        _fit(_pod({"tolerations": "oops"})),
        PodValidationError,
        "spec.tolerations",
        None,
    ),
    (
        "toleration a number",
        _fit(_pod({"tolerations": [5]})),
        PodValidationError,
        "spec.tolerations[0]",
        None,
    ),
    (
        "toleration effect a list",
        _fit(_pod({"tolerations": [{"key": "k", "operator": "Exists", "effect": ["x"]}]})),
        PodValidationError,
        "spec.tolerations[0].effect",
        None,
    ),
    (
        "tolerationSeconds a string",
        _fit(
            _pod(
                {
                    "tolerations": [
                        {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": "5"}
                    ]
                }
            )
        ),
        PodValidationError,
        "spec.tolerations[0].tolerationSeconds",
        None,
    ),
    (
        "nodeSelector a list",
        _fit(_pod({"nodeSelector": ["zone=a"]})),
        PodValidationError,
        "spec.nodeSelector",
        None,
    ),
    (
        "nodeSelector value a number",
        _fit(_pod({"nodeSelector": {"zone": 1}})),
        PodValidationError,
        "spec.nodeSelector.zone",
        None,
    ),
    ("nodeSelectorTerms a string", _fit(_pod(_required("x"))), PodValidationError, S, None),
    (
        "matchExpressions a map",
        _fit(_pod(_required([{"matchExpressions": {"key": "zone"}}]))),
        PodValidationError,
        f"{S}[0].matchExpressions",
        None,
    ),
    (
        "values a string",
        _fit(_pod(_expr(key="zone", operator="In", values="a"))),
        PodValidationError,
        f"{S}[0].matchExpressions[0].values",
        None,
    ),
    (
        "labelSelector a list",
        _fit(_pod(_anti({"labelSelector": [], "topologyKey": "zone"}))),
        PodValidationError,
        f"{A}.labelSelector",
        None,
    ),
    ("metadata a list", _fit(_pod(metadata=[])), PodValidationError, "metadata", None),
    (
        "label value a number",
        _fit(_pod(metadata={"name": "p", "labels": {"app": 5}})),
        PodValidationError,
        "metadata.labels.app",
        None,
    ),
    ("maxSkew a string", _fit(_pod(_spread(maxSkew="a"))), PodValidationError, f"{T}.maxSkew", None),
    ("maxSkew a fraction", _fit(_pod(_spread(maxSkew=1.5))), PodValidationError, f"{T}.maxSkew", None),
    ("priority beyond int32", _fit(_pod({"priority": 1 << 40})), PodValidationError, "spec.priority", None),
    ("nodeName a number", _fit(_pod({"nodeName": 7})), PodValidationError, "spec.nodeName", None),
    (
        "spec a list",
        _fit({"kind": "Pod", "metadata": {"name": "p"}, "spec": []}),
        PodValidationError,
        "spec",
        None,
    ),
    (
        "cpu false after cpu 0 (no cache skips validation)",
        lambda: (
            pod_info(_pod()),
            pod_info(
                {
                    "metadata": {"name": "q"},
                    "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": False}}}]},
                }
            ),
        ),
        PodValidationError,
        "spec.containers[0].resources.requests.cpu",
        None,
    ),
    # --- proposals: values the API server refuses ----------------------------------------------------
    (
        "empty nodeSelectorTerms",
        _fit(_pod(_required([]))),
        PodValidationError,
        S,
        f"{S}: Required value: must have at least one node selector term",
    ),
    (
        "operator Near",
        _fit(_pod(_expr(key="zone", operator="Near", values=["a"]))),
        PodValidationError,
        f"{S}[0].matchExpressions[0].operator",
        f'{S}[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
    ),
    (
        "In without values",
        _fit(_pod(_expr(key="zone", operator="In"))),
        PodValidationError,
        f"{S}[0].matchExpressions[0].values",
        f"{S}[0].matchExpressions[0].values: Required value: "
        "must be specified when `operator` is 'In' or 'NotIn'",
    ),
    (
        "Exists with values",
        _fit(_pod(_expr(key="zone", operator="Exists", values=["a"]))),
        PodValidationError,
        f"{S}[0].matchExpressions[0].values",
        f"{S}[0].matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
        "'DoesNotExist'",
    ),
    (
        "Gt with two values",
        _fit(_pod(_expr(key="cores", operator="Gt", values=["1", "2"]))),
        PodValidationError,
        f"{S}[0].matchExpressions[0].values",
        f"{S}[0].matchExpressions[0].values: Required value: "
        "must be specified single value when `operator` is "
        "'Lt' or 'Gt'",
    ),
    (
        "matchFields on spec.nodeName",
        _fit(
            _pod(_required([{"matchFields": [{"key": "spec.nodeName", "operator": "In", "values": ["n1"]}]}]))
        ),
        PodValidationError,
        f"{S}[0].matchFields[0].key",
        f'{S}[0].matchFields[0].key: Invalid value: "spec.nodeName": not a valid field selector key',
    ),
    (
        "maxSkew 0",
        _fit(_pod(_spread(maxSkew=0))),
        PodValidationError,
        f"{T}.maxSkew",
        f"{T}.maxSkew: Invalid value: 0: must be greater than zero",
    ),
    (
        "whenUnsatisfiable Maybe",
        _fit(_pod(_spread(whenUnsatisfiable="Maybe"))),
        PodValidationError,
        f"{T}.whenUnsatisfiable",
        f'{T}.whenUnsatisfiable: Unsupported value: "Maybe": '
        'supported values: "DoNotSchedule", "ScheduleAnyway"',
    ),
    (
        "minDomains with ScheduleAnyway",
        _fit(_pod(_spread(whenUnsatisfiable="ScheduleAnyway", minDomains=2))),
        PodValidationError,
        f"{T}.minDomains",
        f"{T}.minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, "
        "not ScheduleAnyway",
    ),
    (
        "nodeTaintsPolicy Sometimes",
        _fit(_pod(_spread(nodeTaintsPolicy="Sometimes"))),
        PodValidationError,
        f"{T}.nodeTaintsPolicy",
        f'{T}.nodeTaintsPolicy: Unsupported value: "Sometimes": supported values: "Honor", "Ignore"',
    ),
    (
        "spread without topologyKey",
        _fit(_pod(_spread(topologyKey=""))),
        PodValidationError,
        f"{T}.topologyKey",
        f"{T}.topologyKey: Required value: can not be empty",
    ),
    (
        "anti-affinity without topologyKey",
        _fit(_pod(_anti({"labelSelector": {"matchLabels": {"app": "x"}}}))),
        PodValidationError,
        f"{A}.topologyKey",
        f"{A}.topologyKey: Required value: can not be empty",
    ),
    (
        "label selector operator Gt",
        _fit(
            _pod(
                _anti(
                    {
                        "labelSelector": {
                            "matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]
                        },
                        "topologyKey": "zone",
                    }
                )
            )
        ),
        PodValidationError,
        f"{A}.labelSelector.matchExpressions[0].operator",
        f'{A}.labelSelector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator',
    ),
    (
        "toleration operator Near",
        _fit(_pod({"tolerations": [{"key": "k", "operator": "Near"}]})),
        PodValidationError,
        "spec.tolerations[0].operator",
        'spec.tolerations[0].operator: Unsupported value: "Near": supported values: "Equal", "Exists"',
    ),
    (
        "toleration effect Maybe",
        _fit(_pod({"tolerations": [{"key": "k", "operator": "Exists", "effect": "Maybe"}]})),
        PodValidationError,
        "spec.tolerations[0].effect",
        'spec.tolerations[0].effect: Unsupported value: "Maybe": supported values: "NoSchedule", '
        '"PreferNoSchedule", "NoExecute"',
    ),
    (
        "toleration without key, operator Equal",
        _fit(_pod({"tolerations": [{"operator": "Equal", "value": "v"}]})),
        PodValidationError,
        "spec.tolerations[0].operator",
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, '
        'which means "match all values and all keys"',
    ),
    (
        "tolerationSeconds with NoSchedule",
        _fit(
            _pod(
                {
                    "tolerations": [
                        {"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}
                    ]
                }
            )
        ),
        PodValidationError,
        "spec.tolerations[0].effect",
        "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
        "`tolerationSeconds` is set",
    ),
    (
        "preemptionPolicy Sometimes",
        _fit(_pod({"preemptionPolicy": "Sometimes"})),
        PodValidationError,
        "spec.preemptionPolicy",
        'spec.preemptionPolicy: Unsupported value: "Sometimes": '
        'supported values: "PreemptLowerPriority", "Never"',
    ),
    (
        "label value with a space",
        _fit(_pod(metadata={"name": "p", "labels": {"app": "a b"}})),
        PodValidationError,
        "metadata.labels.app",
        None,
    ),
    (
        "nodeName not a DNS name",
        _fit(_pod({"nodeName": "Node_1"})),
        PodValidationError,
        "spec.nodeName",
        None,
    ),
    (
        "request above limit (proposal)",
        _fit(
            _pod(
                {
                    "containers": [
                        {"name": "c", "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}
                    ]
                }
            )
        ),
        PodValidationError,
        "spec.containers[0].resources.requests.cpu",
        'spec.containers[0].resources.requests: Invalid value: "2": '
        "must be less than or equal to cpu limit of 1",
    ),
    (
        "max_replicas: toleration a string",
        lambda: max_replicas(_pod({"tolerations": "oops"}), [TAINTED]),
        PodValidationError,
        "spec.tolerations",
        None,
    ),
    # --- plan workloads ------------------------------------------------------------------------------
    (
        "plan: tolerations a string",
        _plan(_deployment(spec__template__spec={"containers": [{"name": "c"}], "tolerations": "oops"})),
        PodValidationError,
        "spec.template.spec.tolerations",
        None,
    ),
    ("plan: metadata a list", _plan(_deployment(metadata=[])), PodValidationError, "metadata", None),
    (
        "plan: replicas a string",
        _plan(_deployment(spec__replicas="three")),
        PodValidationError,
        "spec.replicas",
        None,
    ),
    (
        "plan: replicas negative",
        _plan(_deployment(spec__replicas=-1)),
        PodValidationError,
        "spec.replicas",
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
    ),
    (
        "plan: replicas beyond int32",
        _plan(_deployment(spec__replicas=1 << 31)),
        PodValidationError,
        "spec.replicas",
        None,
    ),
    (
        "plan: template a list",
        _plan(_deployment(spec__template=[])),
        PodValidationError,
        "spec.template",
        None,
    ),
    (
        "plan: Job parallelism a string",
        _plan(
            {
                "kind": "Job",
                "metadata": {"name": "j"},
                "spec": {"parallelism": "2", "template": {"spec": {"containers": [{"name": "c"}]}}},
            }
        ),
        PodValidationError,
        "spec.parallelism",
        None,
    ),
    (
        "plan: second workload located",
        _plan(_deployment(), _deployment(spec__replicas="x")),
        PodValidationError,
        "[1].spec.replicas",
        None,
    ),
    ("plan: items a map", _plan({"kind": "List", "items": {"a": 1}}), PodValidationError, "items", None),
    # --- state: shapes no API server could have stored ------------------------------------------------
    ("node status a list", _node_state(_set("status", [1])), ManifestError, "nodes[0].status", None),
    (
        "node without a name",
        _node_state(_set("metadata", {})),
        ManifestError,
        "nodes[0].metadata.name",
        "metadata.name: Required value: name or generateName is required",
    ),
    (
        "node taints a string",
        _node_state(_set("spec.taints", "gpu")),
        ManifestError,
        "nodes[0].spec.taints",
        None,
    ),
    (
        "node taint effect a list",
        _node_state(_set("spec.taints", [{"key": "k", "effect": ["NoSchedule"]}])),
        ManifestError,
        "nodes[0].spec.taints[0].effect",
        None,
    ),
    (
        "node label a number",
        _node_state(_set("metadata.labels", {"zone": 5})),
        ManifestError,
        "nodes[0].metadata.labels.zone",
        None,
    ),
    (
        "node unschedulable a string",
        _node_state(_set("spec.unschedulable", "yes")),
        ManifestError,
        "nodes[0].spec.unschedulable",
        None,
    ),
    (
        "node allocatable not a quantity",
        _node_state(_set("status.allocatable", {"cpu": "lots"})),
        ManifestError,
        "nodes[0].status.allocatable.cpu",
        None,
    ),
    (
        "node allocatable negative",
        _node_state(_set("status.allocatable", {"cpu": "-1"})),
        ManifestError,
        "nodes[0].status.allocatable.cpu",
        None,
    ),
    (
        "stored pod containers a string",
        lambda: check_fit(_pod(), [TAINTED], [_pod({"containers": "x"})]),
        ManifestError,
        "pods[0].spec.containers",
        None,
    ),
    (
        "stored pod tolerations a number",
        lambda: check_fit(_pod(), [TAINTED], [_pod({"tolerations": 5})]),
        ManifestError,
        "pods[0].spec.tolerations",
        None,
    ),
    ("cluster items a map", _cluster({"kind": "List", "items": {"a": 1}}), ManifestError, "items", None),
    (
        "cluster item a string",
        _cluster({"kind": "List", "items": [TAINTED, "x"]}),
        ManifestError,
        "items[1]",
        None,
    ),
    ("cluster kind a number", _cluster({"kind": 5}), ManifestError, "kind", None),
    (
        "cluster node taints located",
        _cluster(
            {"kind": "List", "items": [TAINTED, {**TAINTED, "spec": {"taints": [{"key": "k", "effect": 3}]}}]}
        ),
        ManifestError,
        "items[1].spec.taints[0].effect",
        None,
    ),
    (
        "cluster pod metadata a list",
        _cluster({"kind": "List", "items": [{"kind": "Pod", "metadata": [], "spec": {"containers": []}}]}),
        ManifestError,
        "items[0].metadata",
        None,
    ),
]


@pytest.mark.parametrize(("name", "call", "error", "path", "kubernetes"), ROWS, ids=[row[0] for row in ROWS])
def test_malformed_input_is_a_located_error(
    name: str, call: Callable[[], object], error: type[Exception], path: str, kubernetes: str | None
) -> None:
    with pytest.raises(ManifestError) as raised:
        call()
    assert isinstance(raised.value, error), (type(raised.value), raised.value)
    problems = raised.value.problems
    assert problems and all(problem.path for problem in problems), problems
    assert path in [problem.path for problem in problems], problems
    if kubernetes is not None:
        assert kubernetes in [problem.kubernetes for problem in problems], problems
    text = str(raised.value)
    assert not PYTHON_WORDS.search(text), text
    for problem in problems:
        assert not PYTHON_WORDS.search(problem.message), problem


def test_the_table_covers_enough_cases() -> None:
    assert len(ROWS) >= 35


def test_gt_with_a_word_is_accepted_with_a_warning() -> None:
    # The API server accepts "Gt abc" (only one value is required); the scheduler's
    # labels.NewRequirement refuses it, so the term matches no node: a warning, not an error.
    result = check_fit(_pod(_expr(key="cores", operator="Gt", values=["abc"])), [node("n1")])
    assert not result.fits
    assert [w.path for w in result.warnings] == [f"{S}[0].matchExpressions[0].values[0]"]


# --- over HTTP ------------------------------------------------------------------------------------

HTTP_ROWS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "fit tolerations a string",
        "/v1/fit",
        {"pod": _pod({"tolerations": "oops"}), "nodes": [TAINTED]},
        "pod.spec.tolerations",
    ),
    (
        "fit toleration a number",
        "/v1/fit",
        {"pod": _pod({"tolerations": [5]}), "nodes": [TAINTED]},
        "pod.spec.tolerations[0]",
    ),
    (
        "fit nodeSelector a list",
        "/v1/fit",
        {"pod": _pod({"nodeSelector": ["zone=a"]}), "nodes": [TAINTED]},
        "pod.spec.nodeSelector",
    ),
    ("fit terms a string", "/v1/fit", {"pod": _pod(_required("x")), "nodes": [TAINTED]}, f"pod.{S}"),
    ("fit empty terms", "/v1/fit", {"pod": _pod(_required([])), "nodes": [TAINTED]}, f"pod.{S}"),
    ("fit metadata a list", "/v1/fit", {"pod": _pod(metadata=[]), "nodes": [TAINTED]}, "pod.metadata"),
    ("fit maxSkew a", "/v1/fit", {"pod": _pod(_spread(maxSkew="a")), "nodes": [TAINTED]}, f"pod.{T}.maxSkew"),
    (
        "fit operator Near",
        "/v1/fit",
        {"pod": _pod(_expr(key="z", operator="Near", values=["a"])), "nodes": [TAINTED]},
        f"pod.{S}[0].matchExpressions[0].operator",
    ),
    (
        "fit node status a list",
        "/v1/fit",
        {"pod": _pod(), "nodes": [{**TAINTED, "status": [1]}]},
        "nodes[0].status",
    ),
    (
        "fit stored pod a string",
        "/v1/fit",
        {"pod": _pod(), "nodes": [TAINTED], "pods": [_pod({"containers": "x"})]},
        "pods[0].spec.containers",
    ),
    (
        "fit cluster items a map",
        "/v1/fit",
        {"pod": _pod(), "cluster": {"kind": "List", "items": {"a": 1}}},
        "cluster.items",
    ),
    (
        "plan tolerations a string",
        "/v1/plan",
        {
            "workloads": [
                _deployment(spec__template__spec={"containers": [{"name": "c"}], "tolerations": "oops"})
            ],
            "nodes": [TAINTED],
        },
        "workloads[0].spec.template.spec.tolerations",
    ),
    (
        "plan metadata a list",
        "/v1/plan",
        {"workloads": [_deployment(metadata=[])], "nodes": [TAINTED]},
        "workloads[0].metadata",
    ),
    (
        "plan replicas a string",
        "/v1/plan",
        {"workloads": [_deployment(spec__replicas="x")], "nodes": [TAINTED]},
        "workloads[0].spec.replicas",
    ),
]


@pytest.mark.parametrize(("name", "url", "body", "path"), HTTP_ROWS, ids=[row[0] for row in HTTP_ROWS])
def test_http_answers_422_with_the_path(name: str, url: str, body: dict[str, Any], path: str) -> None:
    client = create_app({"TESTING": True}).test_client()
    response = client.post(url, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    document = response.get_json()
    paths = [row["path"] for row in document["errors"]]
    assert paths and all(paths), document
    assert path in paths, document
    assert not PYTHON_WORDS.search(response.get_data(as_text=True))


def test_an_object_of_another_kind_among_the_nodes_is_located() -> None:
    from quantities import check_fit

    node = {"kind": "Node", "metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "4"}}}
    pod = {"kind": "Pod", "metadata": {"name": "old"}, "spec": {"containers": []}}
    with pytest.raises(ManifestError) as raised:
        check_fit({"kind": "Pod", "spec": {"containers": [{"name": "a"}]}}, [node, pod])
    (problem,) = raised.value.problems
    assert (problem.path, problem.message) == ("nodes[1].kind", "expected a Node, got a Pod")


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        ({"kind": "List", "items": {"a": 1}}, "items", "expected an array of objects, got an object"),
        ({"nodes": "n1,4,8Gi"}, "nodes", 'expected an array of nodes, got string "n1,4,8Gi"'),
    ],
)
def test_a_cluster_list_that_is_not_an_array_is_located(document: object, path: str, message: str) -> None:
    from quantities.scheduler.cluster import load_cluster

    with pytest.raises(ManifestError) as raised:
        load_cluster([document])
    (problem,) = raised.value.problems
    assert (problem.path, problem.message) == (path, message)
