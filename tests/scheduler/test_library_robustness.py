"""Random, often malformed pods and nodes never crash the library.

Whatever the input, pod_requests, qos_class, check_fit and plan either answer or
raise the library's own errors (ManifestError, QuantityError, ValueError), which
carry what is wrong; never a KeyError, TypeError or the like.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantities import ManifestError, QuantityError, check_fit, plan, pod_requests, qos_class

EXPECTED = (ManifestError, QuantityError, ValueError)

quantity_like = st.one_of(
    st.sampled_from(["1", "500m", "1Gi", "-1", "1K", "", " 2 ", "1e3", "0.5", "8Ei", "1e999999999"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
resource_names = st.sampled_from(
    ["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu", "bad name"]
)
resource_list = st.one_of(st.dictionaries(resource_names, quantity_like, max_size=3), quantity_like)
container = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=5), st.integers()),
        "resources": st.one_of(
            st.fixed_dictionaries({}, optional={"requests": resource_list, "limits": resource_list}),
            quantity_like,
        ),
        "restartPolicy": st.sampled_from(["Always", "Never", 3]),
    },
)
containers = st.one_of(st.lists(st.one_of(container, quantity_like), max_size=3), quantity_like)
pod_spec = st.fixed_dictionaries(
    {},
    optional={
        "containers": containers,
        "initContainers": containers,
        "overhead": resource_list,
        "resources": st.fixed_dictionaries({}, optional={"requests": resource_list, "limits": resource_list}),
        "nodeName": st.one_of(st.just("n1"), quantity_like),
    },
)
pods = st.one_of(
    st.builds(lambda spec: {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}, pod_spec),
    st.builds(
        lambda spec: {"kind": "Deployment", "spec": {"replicas": 2, "template": {"spec": spec}}}, pod_spec
    ),
    quantity_like,
)
nodes = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["n1", "n2", ""])},
        optional={
            "cpu": quantity_like,
            "memory": quantity_like,
            "pods": quantity_like,
            "taints": quantity_like,
        },
    ),
    max_size=3,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(pods)
def test_pod_requests_and_qos_answer_or_explain(pod: Any) -> None:
    try:
        requests = pod_requests(pod)
        assert all(quantity.sign() >= 0 for quantity in requests.values())
        assert str(qos_class(pod)) in ("Guaranteed", "Burstable", "BestEffort")
    except EXPECTED:
        pass


@SETTINGS
@given(pods, nodes)
def test_fit_and_plan_answer_or_explain(pod: Any, cluster: list[dict[str, Any]]) -> None:
    try:
        result = check_fit(pod, cluster, [])
        assert result.fits == bool(result.feasible)
    except EXPECTED:
        pass
    try:
        if isinstance(pod, dict) and pod.get("kind") == "Deployment":
            planned = plan([pod], cluster, [])
            assert all(
                w.placed + w.pending == w.replicas for w in planned.workloads if w.replicas is not None
            )
    except EXPECTED:
        pass
