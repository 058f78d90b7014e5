"""Properties of the pod arithmetic, checked on generated pods (hypothesis, 200 examples each).

* pod_requests equals the sidecar formula computed independently with Fractions;
* writing a quantity in another notation (1 / 1000m, 1Gi / 1024Mi / bytes) changes nothing;
* defaulting is idempotent; the QoS class follows from the per-container rule;
* Burstable OOM scores stay in [3, 999] and do not grow with the memory request.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quantities import (
    default_pod,
    oom_score_adj,
    parse_quantity,
    pod_limits,
    pod_requests,
    qos_class,
    validate_pod,
)

SETTINGS = settings(max_examples=200, deadline=None)
GI = 1 << 30

millicores = st.integers(min_value=0, max_value=8000)
mebibytes = st.integers(min_value=0, max_value=16 * 1024)


def cpu_text(milli: int, style: int) -> str:
    """The same cpu amount in three notations: ``1500m``, ``1.500`` (or ``2`` for whole cores), ``1.5e0``."""
    if style == 0:
        return f"{milli}m"
    if style == 1:
        return str(milli // 1000) if milli % 1000 == 0 else format(Decimal(milli).scaleb(-3), "f")
    return f"{Decimal(milli).scaleb(-3).normalize():e}".replace("e+", "e")


def memory_text(mib: int, style: int) -> str:
    if style == 0:
        return f"{mib}Mi"
    if style == 1 and mib % 1024 == 0:
        return f"{mib // 1024}Gi"
    return str(mib * 1024 * 1024)


@st.composite
def containers(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "cpu": draw(millicores),
        "memory": draw(mebibytes),
        "sidecar": draw(st.booleans()),
    }


@st.composite
def pods(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    apps = draw(st.lists(containers(), min_size=1, max_size=4))
    inits = draw(st.lists(containers(), max_size=4))
    return apps, inits


def manifest(
    apps: list[dict[str, Any]], inits: list[dict[str, Any]], style: int, limits: bool = False
) -> dict[str, Any]:
    def render(prefix: str, position: int, container: dict[str, Any], init: bool) -> dict[str, Any]:
        amounts = {
            "cpu": cpu_text(container["cpu"], style),
            "memory": memory_text(container["memory"], style),
        }
        resources = {"limits": amounts} if limits else {"requests": amounts}
        result: dict[str, Any] = {"name": f"{prefix}{position}", "resources": resources}
        if init and container["sidecar"]:
            result["restartPolicy"] = "Always"
        return result

    return {
        "kind": "Pod",
        "spec": {
            "containers": [render("app", i, c, False) for i, c in enumerate(apps)],
            "initContainers": [render("init", i, c, True) for i, c in enumerate(inits)],
        },
    }


def reference(apps: list[dict[str, Any]], inits: list[dict[str, Any]], resource: str) -> int:
    """max(sum(app) + sum(sidecars), max over init i of own(i) + sidecars before i)."""
    total = sum(container[resource] for container in apps) + sum(c[resource] for c in inits if c["sidecar"])
    peak, sidecars = 0, 0
    for container in inits:
        if container["sidecar"]:
            sidecars += container[resource]
            peak = max(peak, sidecars)
        else:
            peak = max(peak, container[resource] + sidecars)
    return max(total, peak)


@SETTINGS
@given(pods(), st.integers(min_value=0, max_value=2))
def test_requests_follow_the_sidecar_formula(
    shape: tuple[list[dict[str, Any]], list[dict[str, Any]]], style: int
) -> None:
    apps, inits = shape
    requests = pod_requests(manifest(apps, inits, style))
    assert requests["cpu"] == parse_quantity(f"{reference(apps, inits, 'cpu')}m")
    assert requests["memory"] == parse_quantity(f"{reference(apps, inits, 'memory')}Mi")


@SETTINGS
@given(pods())
def test_notation_does_not_matter(shape: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    apps, inits = shape
    results = [
        (pod_requests(pod), pod_limits(pod), qos_class(pod))
        for pod in (manifest(apps, inits, style, limits=True) for style in range(3))
    ]
    assert results[0] == results[1] == results[2]


@SETTINGS
@given(pods(), st.booleans())
def test_defaulting_is_idempotent(
    shape: tuple[list[dict[str, Any]], list[dict[str, Any]]], limits: bool
) -> None:
    once = default_pod(manifest(*shape, style=0, limits=limits))
    assert default_pod(replace(once, defaulted=False)) == once


@SETTINGS
@given(pods())
def test_limits_only_is_guaranteed_exactly_when_every_container_sets_both(
    shape: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    apps, inits = shape
    everyone = [*apps, *inits]
    expected = (
        "Guaranteed"
        if all(c["cpu"] and c["memory"] for c in everyone)
        else "BestEffort"
        if not any(c["cpu"] or c["memory"] for c in everyone)
        else "Burstable"
    )
    assert qos_class(manifest(apps, inits, style=0, limits=True)) == expected


@SETTINGS
@given(st.lists(st.tuples(millicores, millicores), min_size=1, max_size=4))
def test_request_above_limit_is_always_reported(pairs: list[tuple[int, int]]) -> None:
    pod = {"kind": "Pod", "spec": {"containers": [
        {"name": f"c{i}", "resources": {"requests": {"cpu": f"{request}m"}, "limits": {"cpu": f"{limit}m"}}}
        for i, (request, limit) in enumerate(pairs)]}}  # fmt: skip
    problems = validate_pod(pod)
    assert len(problems) == sum(request > limit for request, limit in pairs)
    assert all(problem.path.endswith("resources.requests.cpu") for problem in problems)


@SETTINGS
@given(st.lists(mebibytes, min_size=1, max_size=4), st.integers(min_value=1, max_value=64))
def test_burstable_scores_stay_in_range_and_fall_as_requests_grow(memory: list[int], node_gi: int) -> None:
    pod = {"kind": "Pod", "spec": {"containers": [
        {"name": f"c{i}", "resources": {"requests": {"memory": f"{mib}Mi", "cpu": "1"}}}
        for i, mib in enumerate(memory)]}}  # fmt: skip
    scores = oom_score_adj(pod, node_gi * GI)
    assert all(3 <= score <= 999 for score in scores.values())
    ordered = sorted(zip(memory, scores.values(), strict=True))
    assert all(earlier[1] >= later[1] for earlier, later in pairwise(ordered))
