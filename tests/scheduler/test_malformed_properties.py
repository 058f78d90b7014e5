"""Properties: a pod, node or cluster with ONE field of the wrong type or value is answered or refused
with located problems, by the library and over HTTP; never another exception, never a 5xx."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app
from quantities.manifest.problems import ManifestError
from quantities.scheduler.cluster import load_cluster
from quantities.scheduler.fit import check_fit
from quantities.scheduler.plan import plan
from tests.kind_cluster import node

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

BASE_POD: dict[str, Any] = {
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}}],
        "nodeSelector": {"zone": "a"},
        "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
        "priority": 0,
        "affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}},
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "zone"}]},
        },
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
                                       "whenUnsatisfiable": "DoNotSchedule",
                                       "labelSelector": {"matchLabels": {"app": "web"}}}],
    },
}  # fmt: skip

RDS = "requiredDuringSchedulingIgnoredDuringExecution"
POD_FIELDS = [
    ("metadata",), ("metadata", "labels"), ("metadata", "labels", "app"), ("metadata", "namespace"),
    ("spec",), ("spec", "containers"), ("spec", "containers", 0), ("spec", "containers", 0, "resources"),
    ("spec", "containers", 0, "resources", "requests", "cpu"), ("spec", "nodeSelector"),
    ("spec", "nodeSelector", "zone"), ("spec", "tolerations"), ("spec", "tolerations", 0),
    ("spec", "tolerations", 0, "operator"), ("spec", "tolerations", 0, "effect"), ("spec", "priority"),
    ("spec", "nodeName"), ("spec", "preemptionPolicy"), ("spec", "affinity"),
    ("spec", "affinity", "nodeAffinity", RDS, "nodeSelectorTerms"),
    ("spec", "affinity", "nodeAffinity", RDS, "nodeSelectorTerms",
     0, "matchExpressions", 0, "operator"),
    ("spec", "affinity", "nodeAffinity", RDS, "nodeSelectorTerms",
     0, "matchExpressions", 0, "values"),
    ("spec", "affinity", "podAntiAffinity", RDS, 0, "labelSelector"),
    ("spec", "affinity", "podAntiAffinity", RDS, 0, "topologyKey"),
    ("spec", "topologySpreadConstraints", 0, "maxSkew"),
    ("spec", "topologySpreadConstraints", 0, "minDomains"),
    ("spec", "topologySpreadConstraints", 0, "whenUnsatisfiable"),
    ("spec", "topologySpreadConstraints", 0, "labelSelector"),
]  # fmt: skip

BASE_NODE = node("n1", labels={"zone": "a"}, taints=[{"key": "k", "value": "v", "effect": "NoSchedule"}])
NODE_FIELDS = [
    ("metadata",), ("metadata", "name"), ("metadata", "labels"), ("metadata", "labels", "zone"), ("spec",),
    ("spec", "taints"), ("spec", "taints", 0), ("spec", "taints", 0, "effect"), ("spec", "taints", 0, "key"),
    ("spec", "unschedulable"), ("status",), ("status", "allocatable"), ("status", "allocatable", "cpu"),
]  # fmt: skip

bad_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(1 << 40), max_value=1 << 40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "oops", "Near", "Gt", "a b", "-1", "0", "Maybe", "x" * 70, "Never", "1Gi"]),
    st.lists(st.sampled_from(["a", "1"]), max_size=2),
    st.dictionaries(st.sampled_from(["a", "key", "operator"]), st.sampled_from(["x", "1"]), max_size=2),
)


def _with(base: dict[str, Any], where: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(base)
    target: Any = changed
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return changed


def _check(error: ManifestError) -> None:
    assert error.problems and all(problem.path for problem in error.problems), error.problems
    assert "object has no attribute" not in str(error) and "invalid literal" not in str(error)


@SETTINGS
@given(st.sampled_from(POD_FIELDS), bad_values)
def test_a_pod_with_one_bad_field(where: tuple[Any, ...], value: Any) -> None:
    broken = _with(BASE_POD, where, value)
    for call in (
        lambda: check_fit(broken, [BASE_NODE]),
        lambda: check_fit(
            BASE_POD,
            [BASE_NODE],
            [{**broken, "spec": {**broken.get("spec", {}), "nodeName": "n1"}}]
            if isinstance(broken.get("spec"), dict)
            else [broken],
        ),
        lambda: plan(
            [
                {
                    "kind": "Deployment",
                    "metadata": {"name": "d"},
                    "spec": {
                        "replicas": 2,
                        "template": {"metadata": broken["metadata"], "spec": broken["spec"]},
                    },
                }
            ],
            [BASE_NODE],
        ),
    ):
        try:
            call()
        except ManifestError as error:
            _check(error)


@SETTINGS
@given(st.sampled_from(NODE_FIELDS), bad_values)
def test_a_node_with_one_bad_field(where: tuple[Any, ...], value: Any) -> None:
    broken = _with(BASE_NODE, where, value)
    try:
        check_fit(BASE_POD, [broken])
    except ManifestError as error:
        _check(error)
    try:
        load_cluster(json.dumps({"kind": "List", "items": [BASE_NODE, broken]}))
    except ManifestError as error:
        _check(error)
        assert all(problem.path.startswith("items[1]") for problem in error.problems)


@SETTINGS
@given(
    st.sampled_from(["pod", "node", "items"]),
    st.sampled_from(POD_FIELDS + NODE_FIELDS),
    bad_values,
)
def test_http_never_answers_5xx(part: str, where: tuple[Any, ...], value: Any) -> None:
    client = create_app({"TESTING": True}).test_client()
    body: dict[str, Any]
    if part == "pod":
        try:
            body = {"pod": _with(BASE_POD, where, value), "nodes": [BASE_NODE]}
        except (KeyError, IndexError, TypeError):
            body = {"pod": BASE_POD, "nodes": [BASE_NODE]}
    elif part == "node":
        try:
            body = {"pod": BASE_POD, "nodes": [_with(BASE_NODE, where, value)]}
        except (KeyError, IndexError, TypeError):
            body = {"pod": BASE_POD, "nodes": [BASE_NODE]}
    else:
        body = {"pod": BASE_POD, "cluster": {"kind": "List", "items": value}}
    response = client.post("/v1/fit", json=body)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code == 422:
        errors = response.get_json().get("errors") or []
        assert errors and all(row["path"] for row in errors), response.get_json()
