"""ResourceQuota admission: rows mirrored from plugin/pkg/admission/resourcequota/admission_test.go, the
pod evaluator's usage, scopes and "must specify" constraint (pkg/quota/v1/evaluator/core/pods.go),
the exact refusal text, versions, and properties of max_replicas."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.capacity.quota import (
    PodAdmission,
    check_request,
    matching_resources,
    namespace_state_from_fields,
    pod_usage,
    quota_check,
    read_namespace_state,
    read_resource_quota,
)
from quantities.manifest.problems import ManifestError, PodValidationError
from quantities.node.compact import compact_node
from quantities.options import Options
from quantities.pod.defaults import apply_defaults
from quantities.pod.qos import compute_qos
from quantities.pod.read import read_pod


def _quota(
    name: str, hard: dict[str, str], used: dict[str, str] | None = None, **spec: Any
) -> dict[str, Any]:
    status: dict[str, Any] = {"hard": hard, "used": used if used is not None else dict.fromkeys(hard, "0")}
    return {
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": "test"},
        "spec": {"hard": hard, **spec},
        "status": status,
    }


def _pod(
    containers: int = 1,
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    replicas: int = 1,
    **spec: Any,
) -> dict[str, Any]:
    """admission_test.go validPod: ``containers`` identical containers, as a Deployment of ``replicas``."""
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    pod_spec = {
        "containers": [
            {"name": f"c{i}", "image": f"foo:V{i}", "resources": resources} for i in range(containers)
        ]
    }
    return {
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "test"},
        "spec": {"replicas": replicas, "template": {"spec": {**pod_spec, **spec}}},
    }


BELOW = _quota(
    "quota", {"cpu": "3", "memory": "100Gi", "pods": "5"}, {"cpu": "1", "memory": "50Gi", "pods": "3"}
)

# (Go test, workload, quotas, fits, max_replicas, message)
ADMISSION: list[tuple[str, dict[str, Any], list[dict[str, Any]], bool, int | None, str | None]] = [
    # TestAdmitBelowQuotaLimit: 100m/2Gi fits (used becomes 1100m, 52Gi, 4); pods bind at 2.
    ("TestAdmitBelowQuotaLimit", _pod(1, {"cpu": "100m", "memory": "2Gi"}), [BELOW], True, 2, None),
    # TestAdmitExceedQuotaLimit: 3 cpu on top of 1 used exceeds 3.
    (
        "TestAdmitExceedQuotaLimit",
        _pod(1, {"cpu": "3", "memory": "2Gi"}),
        [BELOW],
        False,
        0,
        "exceeded quota: quota, requested: cpu=3, used: cpu=1, limited: cpu=3",
    ),
    # TestAdmitEnforceQuotaConstraints: the quota limits limits.memory; the pod sets none.
    (
        "TestAdmitEnforceQuotaConstraints",
        _pod(1, {"cpu": "100m", "memory": "2Gi"}, {"cpu": "200m"}),
        [
            _quota(
                "quota",
                {"cpu": "3", "memory": "100Gi", "limits.memory": "200Gi", "pods": "5"},
                {"cpu": "1", "memory": "50Gi", "limits.memory": "100Gi", "pods": "3"},
            )
        ],
        False,
        0,
        "failed quota: quota: must specify limits.memory for: c0",
    ),
    # TestAdmitPodInNamespaceWithoutQuota: a quota of another namespace does not apply.
    (
        "TestAdmitPodInNamespaceWithoutQuota",
        _pod(1, {"cpu": "100m", "memory": "2Gi"}, {"cpu": "200m"}),
        [
            {
                **_quota("quota", {"cpu": "3", "limits.memory": "200Gi"}),
                "metadata": {"name": "quota", "namespace": "other"},
            }
        ],
        True,
        None,
        None,
    ),
    # TestAdmitBelowTerminatingQuotaLimit: a pod with activeDeadlineSeconds is charged to the Terminating
    # quota.
    (
        "TestAdmitBelowTerminatingQuotaLimit",
        _pod(1, {"cpu": "100m", "memory": "2Gi"}, activeDeadlineSeconds=30),
        [
            _quota("quota-non-terminating", {"pods": "3"}, {"pods": "3"}, scopes=["NotTerminating"]),
            _quota(
                "quota-terminating",
                {"cpu": "3", "pods": "5"},
                {"cpu": "1", "pods": "3"},
                scopes=["Terminating"],
            ),
        ],
        True,
        2,
        None,
    ),
    # TestAdmitBelowBestEffortQuotaLimit: a BestEffort pod is charged to the BestEffort quota only;
    # the rollout's third pod (2 replicas + 25% surge) is the one refused.
    (
        "TestAdmitBelowBestEffortQuotaLimit",
        _pod(1, replicas=2),
        [
            _quota("quota-besteffort", {"pods": "5"}, {"pods": "3"}, scopes=["BestEffort"]),
            _quota("quota-not-besteffort", {"pods": "5"}, {"pods": "5"}, scopes=["NotBestEffort"]),
        ],
        True,
        2,
        "exceeded quota: quota-besteffort, requested: pods=1, used: pods=5, limited: pods=5",
    ),
    # TestAdmitBestEffortQuotaLimitIgnoresBurstable: a Burstable pod skips the BestEffort quota.
    (
        "TestAdmitBestEffortQuotaLimitIgnoresBurstable",
        _pod(1, {"cpu": "100m", "memory": "1Gi"}),
        [_quota("quota", {"pods": "5"}, {"pods": "5"}, scopes=["BestEffort"])],
        True,
        None,
        None,
    ),
    # The first quota in list order that is exceeded is the one named.
    (
        "checkRequest: first failing quota",
        _pod(1, {"cpu": "1", "memory": "1Gi"}),
        [
            _quota("a", {"requests.cpu": "10"}, {"requests.cpu": "9500m"}),
            _quota("b", {"requests.memory": "1Gi", "pods": "10"}, {"requests.memory": "512Mi", "pods": "0"}),
        ],
        False,
        0,
        "exceeded quota: a, requested: requests.cpu=1, used: requests.cpu=9500m, limited: requests.cpu=10",
    ),
    # Only the exceeded names, sorted; the used in the message is status.used.
    (
        "checkRequest: exceeded names sorted",
        _pod(1, {"cpu": "2", "memory": "3Gi"}),
        [_quota("q", {"requests.memory": "2Gi", "requests.cpu": "1", "pods": "9"})],
        False,
        0,
        "exceeded quota: q, requested: requests.cpu=2,requests.memory=3Gi, used: requests.cpu=0,"
        "requests.memory=0, limited: requests.cpu=1,requests.memory=2Gi",
    ),
    # hasUsageStats: a hard name without a used value refuses every pod.
    (
        "hasUsageStats",
        _pod(1, {"cpu": "1", "memory": "1Gi"}),
        [_quota("q", {"requests.cpu": "4", "pods": "9"}, {"pods": "1"})],
        False,
        0,
        "status unknown for quota: q, resources: pods,requests.cpu",
    ),
    # A quota of things that are not pods does not match a pod.
    (
        "MatchingResources",
        _pod(1, {"cpu": "1"}),
        [_quota("svc", {"services": "0"}, {"services": "1"})],
        True,
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("test", "workload", "quotas", "fits", "maximum", "message"), ADMISSION, ids=[row[0] for row in ADMISSION]
)
def test_admission_rows(
    test: str,
    workload: dict[str, Any],
    quotas: list[dict[str, Any]],
    fits: bool,
    maximum: int | None,
    message: str | None,
) -> None:
    answer = quota_check(workload, {"kind": "List", "items": quotas})
    assert (answer.fits, answer.max_replicas, answer.message) == (fits, maximum, message)
    assert answer.to_json()["kubernetes_version"] == answer.kubernetes_version


def test_used_in_the_message_counts_the_workloads_earlier_pods() -> None:
    """The n-th pod meets status.used plus the n-1 pods admitted before it."""
    quota = _quota(
        "team",
        {"requests.cpu": "2", "requests.memory": "10Gi"},
        {"requests.cpu": "250m", "requests.memory": "1Gi"},
    )
    answer = quota_check(_pod(1, {"cpu": "500m", "memory": "1Gi"}, replicas=5), [quota])
    assert (answer.fits, answer.max_replicas, answer.admitted) == (False, 3, 3)
    assert answer.message == (
        "exceeded quota: team, requested: requests.cpu=500m, used: requests.cpu=1750m, "
        "limited: requests.cpu=2"
    )


def test_binary_used_keeps_its_format() -> None:
    """quota.Add keeps the first non-zero addend's format: 0 + 3 x 1Gi prints 3Gi."""
    quota = _quota("m", {"requests.memory": "3Gi"})
    answer = quota_check(_pod(1, {"memory": "1Gi"}, replicas=4), [quota])
    assert answer.message == (
        "exceeded quota: m, requested: requests.memory=1Gi, used: requests.memory=3Gi, "
        "limited: requests.memory=3Gi"
    )


def test_rollout_peak_against_the_quota() -> None:
    quota = _quota("team", {"pods": "4"})
    answer = quota_check(_pod(1, {"cpu": "100m"}, replicas=4), [quota])
    assert (answer.fits, answer.rollout_fits, answer.peak_pods, answer.max_replicas) == (True, False, 5, 4)
    assert answer.message == "exceeded quota: team, requested: pods=1, used: pods=4, limited: pods=4"
    recreate = _pod(1, {"cpu": "100m"}, replicas=4)
    recreate["spec"]["strategy"] = {"type": "Recreate"}
    answer = quota_check(recreate, [quota])
    assert (answer.fits, answer.rollout_fits, answer.peak_pods, answer.message) == (True, True, 4, None)


def test_rollout_peak_against_the_nodes() -> None:
    nodes = [compact_node("n1", cpu="1", memory="4Gi")]
    answer = quota_check(_pod(1, {"cpu": "250m"}, replicas=4), [], nodes)
    assert (answer.fits, answer.rollout_fits, answer.max_replicas) == (True, False, None)
    assert answer.rollout.fits_nodes is False


# PodUsageFunc: (spec, usage)
USAGE: list[tuple[dict[str, Any], dict[str, str]]] = [
    (
        {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]},
        {
            "count/pods": "1", "cpu": "1", "limits.cpu": "1", "limits.memory": "1Gi", "memory": "1Gi",
            "pods": "1", "requests.cpu": "1", "requests.memory": "1Gi",
        },
    ),
    # Init containers as a floor, sidecars added, overhead added (resourcehelper.PodRequests).
    (
        {
            "initContainers": [
                {"name": "setup", "resources": {"requests": {"cpu": "2"}}},
                {"name": "proxy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "250m"}}},
            ],
            "containers": [{"name": "a", "resources": {"requests": {"cpu": "500m"}}}],
            "overhead": {"cpu": "100m"},
        },
        {"count/pods": "1", "cpu": "2100m", "pods": "1", "requests.cpu": "2100m"},
    ),
    # ephemeral-storage, hugepages and an extended resource.
    (
        {
            "containers": [
                {
                    "name": "a",
                    "resources": {
                        "requests": {"ephemeral-storage": "1Gi", "memory": "1Gi"},
                        "limits": {"hugepages-2Mi": "4Mi", "nvidia.com/gpu": "1", "memory": "1Gi"},
                    },
                }
            ]
        },
        {
            "count/pods": "1", "ephemeral-storage": "1Gi", "hugepages-2Mi": "4Mi", "limits.memory": "1Gi",
            "memory": "1Gi", "pods": "1", "requests.ephemeral-storage": "1Gi",
            "requests.hugepages-2Mi": "4Mi", "requests.memory": "1Gi", "requests.nvidia.com/gpu": "1",
        },
    ),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "usage"), USAGE)
def test_pod_usage(spec: dict[str, Any], usage: dict[str, str]) -> None:
    pod = apply_defaults(read_pod({"spec": spec}))
    assert {name: str(q) for name, q in pod_usage(pod).items()} == usage


def test_matching_resources() -> None:
    names = ["pods", "count/pods", "services", "requests.storage", "limits.ephemeral-storage",
             "requests.hugepages-1Gi", "requests.example.com/foo", "requests.kubernetes.io/bar"]  # fmt: skip
    assert matching_resources(names) == [
        "pods", "count/pods", "limits.ephemeral-storage", "requests.hugepages-1Gi",
        "requests.example.com/foo",
    ]  # fmt: skip


def _facts(spec: dict[str, Any], **fields: Any) -> PodAdmission:
    pod = apply_defaults(read_pod({"spec": spec}))
    return PodAdmission(pod, pod_usage(pod), compute_qos(pod), **fields)


# podMatchesScopeFunc on PriorityClass selectors: (expression, priorityClassName, matches)
PRIORITY = [
    ({"scopeName": "PriorityClass", "operator": "Exists"}, "high", True),
    ({"scopeName": "PriorityClass", "operator": "Exists"}, "", False),
    ({"scopeName": "PriorityClass", "operator": "In", "values": ["high", "med"]}, "high", True),
    ({"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}, "low", False),
    ({"scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]}, "low", True),
    ({"scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]}, "", True),
    ({"scopeName": "PriorityClass", "operator": "DoesNotExist"}, "", True),
    ({"scopeName": "PriorityClass", "operator": "DoesNotExist"}, "low", False),
]


@pytest.mark.parametrize(("expression", "priority_class", "matches"), PRIORITY)
def test_priority_class_scope_selectors(
    expression: dict[str, Any], priority_class: str, matches: bool
) -> None:
    quota = _quota("q", {"pods": "0"}, scopeSelector={"matchExpressions": [expression]})
    spec = {"containers": [{"name": "a"}]}
    if priority_class:
        spec["priorityClassName"] = priority_class
    workload = {"kind": "Pod", "metadata": {"name": "p", "namespace": "test"}, "spec": spec}
    answer = quota_check(workload, [quota])
    assert answer.fits is (not matches)


def test_cross_namespace_affinity_scope() -> None:
    term = {"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": "zone", "namespaces": ["other"]}
    spec = {
        "containers": [{"name": "a"}],
        "affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}},
    }
    quota = _quota("q", {"pods": "0"}, scopes=["CrossNamespacePodAffinity"])
    workload = {"kind": "Pod", "metadata": {"name": "p", "namespace": "test"}, "spec": spec}
    assert quota_check(workload, [quota]).fits is False
    plain = {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "test"},
        "spec": {"containers": [{"name": "a"}]},
    }
    assert quota_check(plain, [quota]).fits is True


def test_limit_range_defaults_then_quota() -> None:
    """LimitRanger runs first: its defaults satisfy the "must specify" constraint and are charged."""
    limit_range = {
        "kind": "LimitRange",
        "metadata": {"name": "defaults", "namespace": "test"},
        "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"}}]},
    }
    quota = _quota("q", {"limits.cpu": "2", "requests.cpu": "2"})
    answer = quota_check(_pod(1, replicas=5), [limit_range, quota])
    assert (
        answer.limit_ranger
        == "LimitRanger plugin set: cpu, memory request for container c0; cpu, memory limit for container c0"
    )
    assert (answer.max_replicas, answer.fits) == (4, False)
    assert answer.message == (
        "exceeded quota: q, requested: limits.cpu=500m,requests.cpu=500m, used: limits.cpu=2,requests.cpu=2, "
        "limited: limits.cpu=2,requests.cpu=2"
    )


def test_default_limit_below_the_request_makes_the_pod_invalid() -> None:
    """The completed pod is validated by the API server: a default limit below the request refuses every
    pod."""
    limit_range = {
        "kind": "LimitRange",
        "metadata": {"name": "lr"},
        "spec": {
            "limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "100m"}}]
        },
    }
    answer = quota_check(_pod(1, {"cpu": "1"}, replicas=2), [limit_range])
    assert (answer.fits, answer.max_replicas) == (False, 0)
    assert answer.message == (
        'spec.containers[0].resources.requests: Invalid value: "1": '
        "must be less than or equal to cpu limit of 500m"
    )


def test_limit_range_refusal_stops_the_pods() -> None:
    limit_range = {"kind": "LimitRange", "metadata": {"name": "lr"},
                   "spec": {"limits": [{"type": "Container", "max": {"memory": "1Gi"}}]}}  # fmt: skip
    answer = quota_check(_pod(1, {"memory": "2Gi"}, {"memory": "2Gi"}), [limit_range])
    assert (answer.fits, answer.message) == (
        False,
        "maximum memory usage per Container is 1Gi, but limit is 2Gi",
    )


def test_sidecars_follow_the_release() -> None:
    """1.28 (SidecarContainers off): restartPolicy is dropped and the proxy is a plain init container."""
    spec = {
        "initContainers": [
            {
                "name": "proxy",
                "image": "p",
                "restartPolicy": "Always",
                "resources": {"requests": {"cpu": "1"}},
            }
        ],
        "containers": [{"name": "app", "image": "a", "resources": {"requests": {"cpu": "1"}}}],
    }
    workload = {
        "kind": "Deployment",
        "metadata": {"name": "w"},
        "spec": {"replicas": 3, "template": {"spec": spec}},
    }
    quota = _quota("q", {"requests.cpu": "4"})
    assert quota_check(workload, [quota], kubernetes_version="1.29").max_replicas == 2
    assert quota_check(workload, [quota], kubernetes_version="1.28").max_replicas == 4


def test_pod_level_resources_follow_the_gate() -> None:
    """With PodLevelResources the quota charges the pod-level values and skips the "must specify" check."""
    spec = {
        "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1"}},
        "containers": [{"name": "a", "image": "i"}],
    }
    workload = {
        "kind": "Deployment",
        "metadata": {"name": "w"},
        "spec": {"replicas": 2, "template": {"spec": spec}},
    }
    quota = _quota("q", {"requests.cpu": "10", "limits.cpu": "10"})
    on = quota_check(workload, [quota], kubernetes_version="1.34")
    assert (on.fits, on.max_replicas) == (True, 10)
    off = quota_check(workload, [quota], kubernetes_version="1.34", feature_gates="PodLevelResources=false")
    assert off.fits is False
    assert off.message == "failed quota: q: must specify limits.cpu for: a; requests.cpu for: a"
    assert quota_check(workload, [quota], kubernetes_version="1.33").message == off.message


def test_a_quota_without_status_starts_empty() -> None:
    quota = {"kind": "ResourceQuota", "metadata": {"name": "new"}, "spec": {"hard": {"pods": "2"}}}
    answer = quota_check(_pod(1, {"cpu": "1"}, replicas=3), [quota])
    assert (answer.max_replicas, answer.fits) == (2, False)
    assert read_resource_quota(quota).has_status is False


def test_daemonset_needs_its_nodes() -> None:
    ds = {"kind": "DaemonSet", "metadata": {"name": "d"},
          "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "i"}]}}}}  # fmt: skip
    with pytest.raises(ManifestError):
        quota_check(ds, [_quota("q", {"pods": "3"})])
    answer = quota_check(ds, [_quota("q", {"pods": "3"})], eligible_nodes=4)
    assert (answer.replicas, answer.fits, answer.max_replicas) == (4, False, 3)


def test_bad_inputs_are_located() -> None:
    with pytest.raises(ManifestError) as caught:
        read_namespace_state({"kind": "List", "items": [{"kind": "ResourceQuota", "metadata": {"name": "q"},
                                                         "spec": {"hard": {"pods": "ten"}}}]})  # fmt: skip
    assert caught.value.problems[0].path == "items[0].spec.hard.pods"
    with pytest.raises(PodValidationError) as invalid:
        quota_check({"name": "web", "cpu": "1", "cpu_limit": "500m"}, [])
    assert invalid.value.problems
    with pytest.raises(ManifestError) as compact:
        namespace_state_from_fields(["team,pods"], ["other,pods=1"], ["Node,max.cpu=1"])
    assert [p.path for p in compact.value.problems] == ["quota[0]", "used[0].name", "limits[0].type"]


# --- properties -----------------------------------------------------------------------------------------

_CPU = st.sampled_from(["0", "100m", "250m", "333m", "500m", "1", "1500m"])
_MEMORY = st.sampled_from(["0", "64Mi", "100M", "256Mi", "1Gi"])
_HARD = st.dictionaries(
    st.sampled_from(["requests.cpu", "limits.cpu", "requests.memory", "cpu", "pods", "count/pods"]),
    st.sampled_from(["0", "1", "2", "3500m", "4Gi", "10", "100m"]),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(_CPU, _MEMORY, st.lists(_HARD, min_size=1, max_size=3), st.data())
def test_max_replicas_are_admitted_one_by_one_and_one_more_is_not(
    cpu: str, memory: str, hards: list[dict[str, str]], data: st.DataObject
) -> None:
    """max_replicas pods pass CheckRequest one after another, and the next is refused."""
    quotas = []
    for position, hard in enumerate(hards):
        used = {name: data.draw(st.sampled_from(["0", "500m", "1", "2Gi", "3"])) for name in hard}
        quotas.append(_quota(f"q{position}", hard, used))
    resources = {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}}
    spec = {"containers": [{"name": "a", "image": "i", "resources": resources}]}
    workload = {"kind": "Pod", "metadata": {"name": "p", "namespace": "test"}, "spec": spec}
    answer = quota_check(workload, quotas)
    state = read_namespace_state(quotas)
    facts = _facts(spec)
    used = [dict(q.used) for q in state.quotas]
    limit = 50 if answer.max_replicas is None else answer.max_replicas
    for _ in range(min(limit, 50)):
        assert check_request(state.quotas, used, facts, Options()) is None
    if answer.max_replicas is not None and answer.max_replicas <= 50:
        refusal = check_request(state.quotas, used, facts, Options())
        assert refusal is not None
        if answer.max_replicas == 0:
            assert answer.message == refusal
