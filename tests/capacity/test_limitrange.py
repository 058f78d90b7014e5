"""LimitRanger: rows mirrored from plugin/pkg/admission/limitranger/admission_test.go
(TestDefaultContainerResourceRequirements, TestMergePodResourceRequirements, TestPodLimitFunc),
with the messages of minConstraint, maxConstraint and limitRequestRatioConstraint."""

from __future__ import annotations

from typing import Any

import pytest

from quantities.capacity.limitrange import (
    LimitRange,
    LimitRangeItem,
    apply_limit_ranges,
    limit_range_refusal,
    read_limit_range,
)
from quantities.manifest.problems import ManifestError
from quantities.options import Options
from quantities.pod.model import ResourceList
from quantities.pod.read import read_pod
from quantities.quantity.quantity import Quantity


def _list(cpu: str = "", memory: str = "", storage: str = "") -> ResourceList:
    values = {"cpu": cpu, "memory": memory, "ephemeral-storage": storage}
    return ResourceList({name: Quantity(value) for name, value in values.items() if value})


_NONE = ResourceList()


def _limit_range(
    kind: str, min_: ResourceList = _NONE, max_: ResourceList = _NONE, ratio: ResourceList = _NONE
) -> LimitRange:
    """createLimitRange: one item, not defaulted (as the Go test builds it)."""
    return LimitRange(
        "abc", "test", (LimitRangeItem(kind, max_, min_, ResourceList(), ResourceList(), ratio),)
    )


def _pod(containers: int, requests: ResourceList, limits: ResourceList,
         init: list[tuple[ResourceList, ResourceList]] | None = None) -> Any:  # fmt: skip
    """validPod / validPodInit: ``containers`` identical containers named foo-0, foo-1..."""

    def container(name: str, req: ResourceList, lim: ResourceList) -> dict[str, Any]:
        resources = {
            "requests": {k: str(v) for k, v in req.items()},
            "limits": {k: str(v) for k, v in lim.items()},
        }
        return {"name": name, "image": "foo", "resources": resources}

    spec: dict[str, Any] = {
        "containers": [container(f"foo-{i}", requests, limits) for i in range(containers)]
    }
    if init:
        spec["initContainers"] = [container(f"foo-{i}", r, lim) for i, (r, lim) in enumerate(init)]
    return read_pod({"kind": "Pod", "spec": spec})


def _admit(limit_range: LimitRange, pod: Any) -> str | None:
    """The Go test's loop: PodMutateLimitFunc, then PodValidateLimitFunc."""
    mutated, _ = apply_limit_ranges(pod, [limit_range])
    return limit_range_refusal(mutated, [limit_range], Options())


E = ResourceList()
C, P = "Container", "Pod"

# TestPodLimitFunc successCases: (name, limit range, pod)
SUCCESS = [
    ("ctr-min-cpu-request", _limit_range(C, _list("50m")), _pod(1, _list("100m"), E)),
    ("ctr-min-cpu-request-limit", _limit_range(C, _list("50m")), _pod(1, _list("100m"), _list("200m"))),
    ("ctr-min-memory-request", _limit_range(C, _list("", "50Mi")), _pod(1, _list("", "60Mi"), E)),
    ("ctr-max-cpu-request-limit", _limit_range(C, E, _list("2")), _pod(1, _list("500m"), _list("1"))),
    ("ctr-max-cpu-limit", _limit_range(C, E, _list("2")), _pod(1, E, _list("1"))),
    (
        "ctr-max-mem-request-limit",
        _limit_range(C, E, _list("", "1Gi")),
        _pod(1, _list("", "250Mi"), _list("", "500Mi")),
    ),
    ("ctr-max-cpu-ratio", _limit_range(C, E, E, _list("1.5")), _pod(1, _list("500m"), _list("750m"))),
    ("pod-min-cpu-request", _limit_range(P, _list("100m")), _pod(2, _list("75m"), E)),
    (
        "pod-min-memory-request-limit",
        _limit_range(P, _list("", "100Mi")),
        _pod(2, _list("", "60Mi"), _list("", "100Mi")),
    ),
    (
        "pod-init-min-memory-request",
        _limit_range(P, _list("", "100Mi")),
        _pod(2, _list("", "60Mi"), E, [(_list("", "100Mi"), E)]),
    ),
    ("pod-max-cpu-request-limit", _limit_range(P, E, _list("2")), _pod(2, _list("500m"), _list("1"))),
    (
        "pod-init-max-cpu-request-limit",
        _limit_range(P, E, _list("2")),
        _pod(2, _list("500m"), _list("1"), [(_list("1"), _list("2")), (_list("1"), _list("1"))]),
    ),
    (
        "pod-max-mem-ratio",
        _limit_range(P, E, _list("", "2Gi"), _list("", "1.5")),
        _pod(3, _list("", "300Mi"), _list("", "450Mi")),
    ),
    (
        "ctr-1-min-local-ephemeral-storage-request",
        _limit_range(C, _list(storage="50Mi")),
        _pod(1, _list(storage="60Mi"), E),
    ),
    (
        "pod-max-local-ephemeral-storage-ratio",
        _limit_range(P, E, _list(storage="2Gi"), _list(storage="1.5")),
        _pod(3, _list(storage="300Mi"), _list(storage="450Mi")),
    ),
]


@pytest.mark.parametrize(("name", "limit_range", "pod"), SUCCESS, ids=[row[0] for row in SUCCESS])
def test_pod_limit_func_success_cases(name: str, limit_range: LimitRange, pod: Any) -> None:
    assert _admit(limit_range, pod) is None


# TestPodLimitFunc errorCases, each with the message the constraint functions give.
ERRORS = [
    (
        "ctr-min-cpu-request",
        _limit_range(C, _list("50m")),
        _pod(1, _list("40m"), E),
        "minimum cpu usage per Container is 50m, but request is 40m",
    ),
    (
        "ctr-min-cpu-no-request-limit",
        _limit_range(C, _list("50m")),
        _pod(1, E, E),
        "minimum cpu usage per Container is 50m.  No request is specified",
    ),
    (
        "ctr-min-memory-request-limit",
        _limit_range(C, _list("", "50Mi")),
        _pod(1, _list("", "40Mi"), _list("", "100Mi")),
        "minimum memory usage per Container is 50Mi, but request is 40Mi",
    ),
    (
        "ctr-max-cpu-request-limit",
        _limit_range(C, E, _list("2")),
        _pod(1, _list("500m"), _list("2500m")),
        "maximum cpu usage per Container is 2, but limit is 2500m",
    ),
    (
        "ctr-max-cpu-no-request-limit",
        _limit_range(C, E, _list("2")),
        _pod(1, E, E),
        "maximum cpu usage per Container is 2.  No limit is specified",
    ),
    (
        "ctr-max-cpu-ratio",
        _limit_range(C, E, E, _list("1")),
        _pod(1, _list("1250m"), _list("2500m")),
        "cpu max limit to request ratio per Container is 1, but provided ratio is 2.000000",
    ),
    (
        "ctr-max-mem-limit",
        _limit_range(C, E, _list("", "1Gi")),
        _pod(1, E, _list("", "2Gi")),
        "maximum memory usage per Container is 1Gi, but limit is 2Gi",
    ),
    (
        "pod-min-cpu-request",
        _limit_range(P, _list("100m")),
        _pod(1, _list("75m"), E),
        "minimum cpu usage per Pod is 100m, but request is 75m",
    ),
    (
        "pod-max-cpu-request-limit",
        _limit_range(P, E, _list("2")),
        _pod(3, _list("500m"), _list("1")),
        "maximum cpu usage per Pod is 2, but limit is 3",
    ),
    (
        "pod-max-mem-limit",
        _limit_range(P, E, _list("", "1Gi")),
        _pod(3, E, _list("", "500Mi")),
        "maximum memory usage per Pod is 1Gi, but limit is 1500Mi",
    ),
    (
        "pod-init-max-mem-limit",
        _limit_range(P, E, _list("", "1Gi")),
        _pod(1, E, _list("", "500Mi"), [(E, _list("", "1.5Gi"))]),
        "maximum memory usage per Pod is 1Gi, but limit is 1536Mi",
    ),
    (
        "pod-max-mem-ratio",
        _limit_range(P, E, _list("", "2Gi"), _list("", "1.5")),
        _pod(3, _list("", "250Mi"), _list("", "500Mi")),
        "memory max limit to request ratio per Pod is 1500m, but provided ratio is 2.000000",
    ),
    (
        "ctr-1-min-local-ephemeral-storage-no-request-limit",
        _limit_range(C, _list(storage="50Mi")),
        _pod(1, E, E),
        "minimum ephemeral-storage usage per Container is 50Mi.  No request is specified",
    ),
]


@pytest.mark.parametrize(("name", "limit_range", "pod", "message"), ERRORS, ids=[row[0] for row in ERRORS])
def test_pod_limit_func_error_cases(name: str, limit_range: LimitRange, pod: Any, message: str) -> None:
    assert _admit(limit_range, pod) == message


def test_errors_of_one_limit_range_are_aggregated() -> None:
    """utilerrors.NewAggregate: several distinct messages in brackets, joined with ", "; one repeated once."""
    limit_range = _limit_range(C, _list("50m", "64Mi"))
    assert _admit(limit_range, _pod(1, E, E)) == (
        "[minimum cpu usage per Container is 50m.  No request is specified, "
        "minimum memory usage per Container is 64Mi.  No request is specified]"
    )
    # Two containers with the same problem give the same message twice: said once.
    assert _admit(_limit_range(C, _list("50m")), _pod(2, E, E)) == (
        "minimum cpu usage per Container is 50m.  No request is specified"
    )


def _valid_limit_range() -> dict[str, Any]:
    """validLimitRange() as a manifest."""
    return {
        "kind": "LimitRange",
        "metadata": {"name": "abc", "namespace": "test"},
        "spec": {
            "limits": [
                {
                    "type": "Pod",
                    "max": {"cpu": "200m", "memory": "4Gi"},
                    "min": {"cpu": "50m", "memory": "2Mi"},
                },
                {
                    "type": "Container",
                    "max": {"cpu": "100m", "memory": "2Gi"},
                    "min": {"cpu": "25m", "memory": "1Mi"},
                    "default": {"cpu": "75m", "memory": "10Mi"},
                    "defaultRequest": {"cpu": "50m", "memory": "5Mi"},
                },
            ]
        },
    }


def test_default_container_resource_requirements() -> None:
    """TestDefaultContainerResourceRequirements."""
    defaults = read_limit_range(_valid_limit_range()).container_defaults()
    assert defaults.requests == _list("50m", "5Mi")
    assert defaults.limits == _list("75m", "10Mi")


def test_merge_pod_resource_requirements_and_annotation() -> None:
    """TestMergePodResourceRequirements: the defaults fill only what is missing; the annotation says so."""
    limit_range = read_limit_range(_valid_limit_range())
    merged, annotation = apply_limit_ranges(_pod(1, E, E), [limit_range])
    assert merged.containers[0].resources.requests == _list("50m", "5Mi")
    assert merged.containers[0].resources.limits == _list("75m", "10Mi")
    assert annotation == (
        "LimitRanger plugin set: cpu, memory request for container foo-0; "
        "cpu, memory limit for container foo-0"
    )
    pod = _pod(1, _list("", "512Mi"), E, [(_list("", "512Mi"), E)])
    merged, annotation = apply_limit_ranges(pod, [limit_range])
    assert merged.init_containers[0].resources.requests == _list("50m", "512Mi")
    assert annotation == (
        "LimitRanger plugin set: cpu request for container foo-0; cpu, memory limit for container foo-0; "
        "cpu request for init container foo-0; cpu, memory limit for init container foo-0"
    )
    full = _pod(1, _list("100m", "512Mi"), _list("200m", "1G"), [(_list("200m", "1G"), _list("400m", "2G"))])
    assert apply_limit_ranges(full, [limit_range]) == (full, None)


# SetDefaults_LimitRangeItem: default from max, defaultRequest from default, then from min.
DEFAULTING = [
    ({"max": {"cpu": "1"}}, {"cpu": "1"}, {"cpu": "1"}),
    ({"min": {"cpu": "100m"}}, {}, {"cpu": "100m"}),
    ({"max": {"cpu": "2"}, "default": {"cpu": "1"}}, {"cpu": "1"}, {"cpu": "1"}),
    ({"default": {"memory": "1Gi"}, "min": {"memory": "128Mi"}}, {"memory": "1Gi"}, {"memory": "1Gi"}),
    ({"defaultRequest": {"cpu": "50m"}, "max": {"cpu": "1"}}, {"cpu": "1"}, {"cpu": "50m"}),
]


@pytest.mark.parametrize(("item", "default", "default_request"), DEFAULTING)
def test_limit_range_item_defaulting(
    item: dict[str, Any], default: dict[str, str], default_request: dict[str, str]
) -> None:
    read = read_limit_range({"metadata": {"name": "lr"}, "spec": {"limits": [{"type": "Container", **item}]}})
    assert {k: str(v) for k, v in read.items[0].default.items()} == default
    assert {k: str(v) for k, v in read.items[0].default_request.items()} == default_request


def test_pod_items_use_pod_level_resources_with_the_gate() -> None:
    """podRequests/podLimits: the pod-level cpu and memory replace the containers' sum (PodLevelResources)."""
    limit_range = _limit_range(P, E, _list("1"))
    app = {"resources": {"limits": {"cpu": "600m"}}}
    spec = {
        "resources": {"limits": {"cpu": "800m"}},
        "containers": [{"name": "a", **app}, {"name": "b", **app}],
    }
    pod = read_pod({"spec": spec})
    assert limit_range_refusal(pod, [limit_range], Options.of("1.34")) is None
    assert limit_range_refusal(pod, [limit_range], Options.of("1.33")) == (
        "maximum cpu usage per Pod is 1, but limit is 1200m"
    )


def test_sidecars_count_in_the_pod_sum() -> None:
    limit_range = _limit_range(P, E, _list("1"))
    proxy = {"name": "proxy", "restartPolicy": "Always", "resources": {"limits": {"cpu": "500m"}}}
    app = {"name": "a", "resources": {"limits": {"cpu": "600m"}}}
    pod = read_pod({"spec": {"initContainers": [proxy], "containers": [app]}})
    assert (
        limit_range_refusal(pod, [limit_range], Options())
        == "maximum cpu usage per Pod is 1, but limit is 1100m"
    )


def test_first_limit_range_with_an_error_refuses() -> None:
    first, second = _limit_range(C, _list("10m")), _limit_range(C, E, _list("1m"))
    pod = _pod(1, _list("5m"), _list("5m"))
    assert limit_range_refusal(pod, [first, second], Options()) == (
        "minimum cpu usage per Container is 10m, but request is 5m"
    )
    assert limit_range_refusal(pod, [second, first], Options()) == (
        "maximum cpu usage per Container is 1m, but limit is 5m"
    )


def test_unreadable_limit_range_names_the_field() -> None:
    bad = {"metadata": {"name": "lr"}, "spec": {"limits": [{"type": "Node", "max": {"cpu": "lots"}}]}}
    with pytest.raises(ManifestError) as caught:
        read_limit_range(bad, "items[1]")
    assert [p.path for p in caught.value.problems] == [
        "items[1].spec.limits[0].max.cpu",
        "items[1].spec.limits[0].type",
    ]
