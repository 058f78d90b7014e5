"""Rollout peaks: rows from deployment_util_test.go (TestResolveFenceposts, TestMaxUnavailable), the
controllers' defaults and the apps validation messages, and whether the peak fits the nodes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.capacity.rollout import (
    IntOrPercent,
    read_int_or_percent,
    read_strategy,
    resolve_fenceposts,
    rollout,
)
from quantities.manifest.problems import ManifestError
from quantities.node.compact import compact_node


def _value(text: str | None) -> IntOrPercent | None:
    if text is None:
        return None
    return IntOrPercent(int(text[:-1]), True) if text.endswith("%") else IntOrPercent(int(text))


# kubernetes pkg/controller/deployment/util/deployment_util_test.go, TestResolveFenceposts
# (maxSurge, maxUnavailable, desired) -> (surge, unavailable); the "oops"/"urg" rows are
# refused earlier here, by validation (test_invalid_fenceposts).
FENCEPOSTS = [
    ("0%", "0%", 0, 0, 1),
    ("39%", "39%", 10, 4, 3),
    (None, "39%", 10, 0, 3),
    ("39%", None, 10, 4, 0),
    (None, None, 10, 0, 1),
    # TestResolveFenceposts (newer table): integers, and 25% of 8 rounds up and down alike.
    ("1", "1", 2, 1, 1),
    ("25%", "25%", 8, 2, 2),
    ("0", "0", 5, 0, 1),
    # The doc comment of ResolveFenceposts.
    ("0%", "1%", 2, 0, 1),
    ("1%", "25%", 2, 1, 0),
    ("1%", "0%", 1, 1, 0),
    # Defaults of SetDefaults_Deployment (25%/25%).
    ("25%", "25%", 10, 3, 2),
    ("25%", "25%", 1, 1, 0),
    ("100%", "0%", 3, 3, 0),
]


@pytest.mark.parametrize(("surge", "unavailable", "desired", "want_surge", "want_unavailable"), FENCEPOSTS)
def test_resolve_fenceposts(
    surge: str | None, unavailable: str | None, desired: int, want_surge: int, want_unavailable: int
) -> None:
    assert resolve_fenceposts(_value(surge), _value(unavailable), desired) == (want_surge, want_unavailable)


def _deployment(replicas: int | None = None, strategy: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"spec": {"containers": [{"name": "app", "image": "nginx"}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    if strategy is not None:
        spec["strategy"] = strategy
    return {"kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}


# (replicas, strategy, peak, surge, unavailable)
PEAKS: list[tuple[int | None, dict[str, Any] | None, int, int, int]] = [
    (None, None, 2, 1, 0),  # replicas default 1; 25% of 1: surge 1, unavailable 0
    (10, None, 13, 3, 2),
    (4, None, 5, 1, 1),
    (0, None, 0, 0, 0),  # 0 replicas: both fenceposts 0, unavailable 1, clamped to the replicas
    (10, {"type": "Recreate"}, 10, 0, 10),
    (10, {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}, 10, 0, 1),
    (10, {"rollingUpdate": {"maxSurge": "50%"}}, 15, 5, 2),
    (10, {"rollingUpdate": {"maxSurge": 3, "maxUnavailable": "0%"}}, 13, 3, 0),
    # TestMaxUnavailable: maxUnavailable greater than replicas is the replicas.
    (5, {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 10}}, 6, 1, 5),
    (5, {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "100%"}}, 6, 1, 5),
]


@pytest.mark.parametrize(("replicas", "strategy", "peak", "surge", "unavailable"), PEAKS)
def test_deployment_peak(
    replicas: int | None, strategy: dict[str, Any] | None, peak: int, surge: int, unavailable: int
) -> None:
    result = rollout(_deployment(replicas, strategy))
    assert (result.peak_pods, result.max_surge, result.max_unavailable) == (peak, surge, unavailable)
    assert result.kubernetes_version
    assert result.explanation


def _daemonset(update: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"spec": {"containers": [{"name": "agent", "image": "a"}]}}}
    if update is not None:
        spec["updateStrategy"] = update
    return {"kind": "DaemonSet", "metadata": {"name": "agent"}, "spec": spec}


# daemon/util SurgeCount and UnavailableCount: percentages of the nodes round up.
DAEMONSET_PEAKS: list[tuple[dict[str, Any] | None, int, int, int]] = [
    (None, 10, 10, 0),  # default maxUnavailable 1, maxSurge 0
    ({"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}, 10, 11, 1),
    ({"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}, 10, 13, 3),
    ({"rollingUpdate": {"maxSurge": 20, "maxUnavailable": 0}}, 10, 20, 10),  # one surge pod per node at most
    ({"type": "OnDelete"}, 10, 10, 0),
]


@pytest.mark.parametrize(("update", "nodes", "peak", "surge"), DAEMONSET_PEAKS)
def test_daemonset_peak(update: dict[str, Any] | None, nodes: int, peak: int, surge: int) -> None:
    result = rollout(_daemonset(update), eligible_nodes=nodes)
    assert (result.peak_pods, result.max_surge) == (peak, surge)


def test_daemonset_without_nodes_has_no_peak() -> None:
    result = rollout(_daemonset())
    assert result.peak_pods is None and "eligible node" in result.text()


def test_statefulset_never_surges() -> None:
    sts = {
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 3,
            "updateStrategy": {"rollingUpdate": {"partition": 1}},
            "template": {"spec": {"containers": [{"name": "db", "image": "pg"}]}},
        },
    }
    result = rollout(sts)
    assert result.peak_pods == 3 and result.strategy.partition == 1
    assert "partition 1" in result.explanation[0]


def test_other_kinds_have_no_rollout() -> None:
    job = {
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {"parallelism": 4, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}},
    }
    assert rollout(job).peak_pods == 4


# apps validation: ValidateRollingUpdateDeployment / ValidateRollingUpdateDaemonSet, their lines.
INVALID: list[tuple[dict[str, Any], str, str, str]] = [
    (
        _deployment(3, {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}),
        "Deployment",
        "spec.strategy.rollingUpdate.maxUnavailable",
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
        'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: '
        "may not be 0 when `maxSurge` is 0",
    ),
    (
        _deployment(3, {"rollingUpdate": {"maxSurge": "oops"}}),
        "Deployment",
        "spec.strategy.rollingUpdate.maxSurge",
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: "
        'intstr.IntOrString{Type:1, IntVal:0, StrVal:"oops"}: '
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
        "regex used for validation is '[0-9]+%')",
    ),
    (
        _deployment(3, {"rollingUpdate": {"maxUnavailable": "120%"}}),
        "Deployment",
        "spec.strategy.rollingUpdate.maxUnavailable",
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
        'intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: '
        "must not be greater than 100%",
    ),
    (
        _deployment(3, {"rollingUpdate": {"maxSurge": -1}}),
        "Deployment",
        "spec.strategy.rollingUpdate.maxSurge",
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0",
    ),
    (
        _deployment(3, {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}),
        "Deployment",
        "spec.strategy.rollingUpdate",
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ),
    (
        _daemonset({"rollingUpdate": {"maxSurge": 1}}),
        "DaemonSet",
        "spec.updateStrategy.rollingUpdate.maxSurge",
        "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "
        'intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: '
        "may not be set when maxUnavailable is non-zero",
    ),
    (
        _daemonset({"rollingUpdate": {"maxUnavailable": 0}}),
        "DaemonSet",
        "spec.updateStrategy.rollingUpdate.maxUnavailable",
        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
    ),
    (
        _deployment(3, {"type": "OnDelete"}),
        "Deployment",
        "spec.strategy.type",
        'spec.strategy.type: Unsupported value: "OnDelete": supported values: "Recreate", "RollingUpdate"',
    ),
]


@pytest.mark.parametrize(("obj", "kind", "path", "line"), INVALID)
def test_invalid_strategies_name_the_field(obj: dict[str, Any], kind: str, path: str, line: str) -> None:
    with pytest.raises(ManifestError) as caught:
        read_strategy(obj, kind)
    assert [(p.path, p.kubernetes) for p in caught.value.problems] == [(path, line)]


def test_invalid_fenceposts() -> None:
    """TestResolveFenceposts' "oops" and "urg" rows: refused with the percent message, at the parameter."""
    for text in ("oops", "urg", "5"):
        if text.isdigit():
            assert read_int_or_percent(text, "max_surge") == IntOrPercent(5)
            continue
        with pytest.raises(ManifestError) as caught:
            read_int_or_percent(text, "max_surge")
        assert caught.value.problems[0].path == "max_surge"
        assert "a valid percent string" in caught.value.problems[0].message


def test_peak_fits_the_nodes() -> None:
    nodes = [compact_node("n1", cpu="4", memory="8Gi"), compact_node("n2", cpu="1", memory="8Gi")]
    web = {"name": "web", "replicas": 4, "cpu": "1"}
    result = rollout(web, nodes)
    assert (result.peak_pods, result.placed, result.fits_nodes) == (5, 5, True)
    tight = rollout(web, nodes[:1])
    assert (tight.fits_nodes, tight.placed) == (False, 4)
    assert tight.nodes_message is not None and "Insufficient cpu" in tight.nodes_message


def test_daemonset_surge_needs_room_for_two_copies_per_node() -> None:
    agent = _daemonset({"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    agent["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "600m"}}
    small = [compact_node("n1", cpu="1", memory="1Gi"), compact_node("n2", cpu="2", memory="1Gi")]
    result = rollout(agent, small)
    assert result.replicas == 2 and result.peak_pods == 3
    assert result.fits_nodes is False and result.placed == 3
    plain = rollout(_daemonset(), small)
    assert plain.fits_nodes is True and plain.peak_pods == 2


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 1000),
    st.one_of(st.integers(0, 100), st.integers(0, 100).map(lambda n: f"{n}%")),
    st.one_of(st.integers(0, 100), st.integers(0, 100).map(lambda n: f"{n}%")),
)
def test_peak_is_replicas_plus_surge_and_progress_is_possible(
    replicas: int, surge: int | str, unavailable: int | str
) -> None:
    """The peak is never below the replicas, and a rollout can always progress: it may surge or
    take a pod down (ResolveFenceposts' reason for the 1)."""
    strategy = {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    obj = _deployment(replicas, strategy)
    both_zero = str(surge).rstrip("%") == "0" and str(unavailable).rstrip("%") == "0"
    if both_zero:
        with pytest.raises(ManifestError):
            rollout(obj)
        return
    result = rollout(obj)
    assert result.peak_pods is not None and result.max_surge is not None
    assert result.peak_pods == replicas + result.max_surge >= replicas
    resolved = resolve_fenceposts(_value(str(surge)), _value(str(unavailable)), replicas)
    assert resolved[0] > 0 or resolved[1] > 0
