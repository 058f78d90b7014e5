"""validate_pod against the API server's validation (pkg/apis/core/validation, v1.34 behaviour).

Each row: a pod and every problem expected, as (our JSON path, the API
server's error line). The API server prints map keys in brackets and, for the
request-versus-limit rules, the path of ``requests`` without a key.
"""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from quantities import PodValidationError, pod_requests, qos_class, validate_pod
from tests.builders import container as c


def pod(containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": containers, **spec},
    }


C0 = "spec.containers[0].resources"


class Row(NamedTuple):
    name: str
    pod: dict[str, Any]
    problems: list[tuple[str, str | None]]


ROWS = [
    Row("valid", pod([c("a", {"cpu": "1"}, {"cpu": "2", "memory": "1Gi"})]), []),
    Row("request above limit", pod([c("a", {"cpu": "2"}, {"cpu": "1"})]),
        [(f"{C0}.requests.cpu",
          f'{C0}.requests: Invalid value: "2": must be less than or equal to cpu limit of 1')]),
    Row("request above limit in another notation", pod([c("a", {"memory": "1025Mi"}, {"memory": "1Gi"})]),
        [(f"{C0}.requests.memory",
          f'{C0}.requests: Invalid value: "1025Mi": must be less than or equal to memory limit of 1Gi')]),
    Row("equal in another notation is fine", pod([c("a", {"memory": "1024Mi"}, {"memory": "1Gi"})]), []),
    Row("negative limit (the request defaults to it, so both are reported)", pod([c("a", limits={"cpu": "-1"})]),
        [(f"{C0}.limits.cpu", f'{C0}.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0'),
         (f"{C0}.requests.cpu", f'{C0}.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0')]),
    Row("fractional extended resource",
        pod([c("a", limits={"example.com/foo": "500m"})]),
        [(f"{C0}.limits[example.com/foo]", f"{C0}.limits[example.com/foo]: Invalid value: 500m: must be an integer"),
         (f"{C0}.requests[example.com/foo]",
          f"{C0}.requests[example.com/foo]: Invalid value: 500m: must be an integer")]),
    Row("extended resource request without a limit", pod([c("a", {"nvidia.com/gpu": "1"})]),
        [(f"{C0}.limits[nvidia.com/gpu]",
          f"{C0}.limits: Required value: Limit must be set for non overcommitable resources")]),
    Row("extended resource request different from its limit",
        pod([c("a", {"example.com/foo": "6"}, {"example.com/foo": "8"})]),
        [(f"{C0}.requests[example.com/foo]",
          f'{C0}.requests: Invalid value: "6": must be equal to example.com/foo limit of 8')]),
    Row("a kubernetes.io/ name is native: fractions and overcommit allowed",
        pod([c("a", {"foo.kubernetes.io/bar": "500m"}, {"foo.kubernetes.io/bar": "1"})]), []),
    Row("hugepages not a whole number of pages",
        pod([c("a", limits={"hugepages-2Mi": "3Mi", "memory": "1Gi"})]),
        [(f"{C0}.limits.hugepages-2Mi",
          f'{C0}.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi'),
         (f"{C0}.requests.hugepages-2Mi",
          f'{C0}.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi')]),
    Row("hugepages-0: no positive whole page size (IsHugePageResourceValueDivisible)",
        pod([c("a", limits={"hugepages-0": "2Mi", "memory": "1Gi"})]),
        [(f"{C0}.limits.hugepages-0",
          f'{C0}.limits[hugepages-0]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-0'),
         (f"{C0}.requests.hugepages-0",
          f'{C0}.requests[hugepages-0]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-0')]),
    Row("hugepages-1.5: no positive whole page size (IsHugePageResourceValueDivisible)",
        pod([c("a", limits={"hugepages-1.5": "2Mi", "memory": "1Gi"})]),
        [(f"{C0}.limits[hugepages-1.5]",
          f'{C0}.limits[hugepages-1.5]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-1.5'),
         (f"{C0}.requests[hugepages-1.5]",
          f'{C0}.requests[hugepages-1.5]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-1.5')]),
    Row("hugepages-x: no positive whole page size (IsHugePageResourceValueDivisible)",
        pod([c("a", limits={"hugepages-x": "2Mi", "memory": "1Gi"})]),
        [(f"{C0}.limits.hugepages-x",
          f'{C0}.limits[hugepages-x]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-x'),
         (f"{C0}.requests.hugepages-x",
          f'{C0}.requests[hugepages-x]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-x')]),
    Row("hugepages request different from the limit",
        pod([c("a", {"hugepages-2Mi": "2Mi", "cpu": "1"}, {"hugepages-2Mi": "4Mi"})]),
        [(f"{C0}.requests.hugepages-2Mi",
          f'{C0}.requests: Invalid value: "2Mi": must be equal to hugepages-2Mi limit of 4Mi')]),
    Row("hugepages without cpu or memory", pod([c("a", limits={"hugepages-1Gi": "2Gi"})]),
        [(C0, f"{C0}: Forbidden: HugePages require cpu or memory")]),
    Row("a page size that is not a quantity",
        pod([c("a", limits={"hugepages-big": "2Mi", "cpu": "1"})]),
        [(f"{C0}.limits.hugepages-big",
          f'{C0}.limits[hugepages-big]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-big'),
         (f"{C0}.requests.hugepages-big",
          f'{C0}.requests[hugepages-big]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-big')]),
    Row("an unknown unqualified resource name: two errors per list",
        pod([c("a", limits={"foo": "1"})]),
        [(f"{C0}.limits.foo", f"{C0}.limits[foo]: Invalid value: foo: must be a standard resource type or fully qualified"),
         (f"{C0}.limits.foo", f"{C0}.limits[foo]: Invalid value: foo: must be a standard resource for containers"),
         (f"{C0}.requests.foo",
          f"{C0}.requests[foo]: Invalid value: foo: must be a standard resource type or fully qualified"),
         (f"{C0}.requests.foo", f"{C0}.requests[foo]: Invalid value: foo: must be a standard resource for containers")]),
    Row("a quota name is standard but not a container resource",
        pod([c("a", {"pods": "1"})]),
        [(f"{C0}.requests.pods", f"{C0}.requests[pods]: Invalid value: pods: must be a standard resource for containers")]),
    Row("invalid quantity strings are reported with the path",
        pod([c("a", {"cpu": "one"}), c("b", limits={"memory": "1GB"})]),
        [("spec.containers[0].resources.requests.cpu", None), ("spec.containers[1].resources.limits.memory", None)]),
    Row("no containers", {"kind": "Pod", "spec": {"containers": []}},
        [("spec.containers", "spec.containers: Required value")]),
    Row("container without a name and duplicate names",
        pod([c(""), c("a"), c("a")], initContainers=[c("a")]),
        [("spec.containers[0].name", "spec.containers[0].name: Required value"),
         ("spec.containers[2].name", 'spec.containers[2].name: Duplicate value: "a"'),
         ("spec.initContainers[0].name", 'spec.initContainers[0].name: Duplicate value: "a"')]),
    Row("restartPolicy on an app container", pod([c("a", restartPolicy="Always")]),
        [("spec.containers[0].restartPolicy",
          "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers")]),
    Row("init container restartPolicy other than Always", pod([c("a")], initContainers=[c("i", restartPolicy="OnFailure")]),
        [("spec.initContainers[0].restartPolicy",
          'spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"')]),
    Row("init containers are validated too", pod([c("a")], initContainers=[c("i", {"cpu": "2"}, {"cpu": "1"})]),
        [("spec.initContainers[0].resources.requests.cpu",
          'spec.initContainers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1')]),
    Row("ephemeral containers cannot set resources",
        pod([c("a")], ephemeralContainers=[{"name": "d", "resources": {"limits": {"cpu": "1"}}}]),
        [("spec.ephemeralContainers[0].resources",
          "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container")]),
    Row("overhead is validated like limits",
        pod([c("a")], overhead={"cpu": "-1", "example.com/x": "1"}),
        [("spec.overhead.cpu", 'spec.overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0')]),
    Row("pod-level: only cpu, memory and hugepages",
        pod([c("a")], resources={"limits": {"ephemeral-storage": "1Gi", "cpu": "1"}}),
        [("spec.resources.limits.ephemeral-storage",
          'spec.resources.limits[ephemeral-storage]: Unsupported value: ephemeral-storage: '
          'supported values: "cpu", "hugepages-", "memory"')]),
    Row("pod-level request below the containers' aggregate",
        pod([c("a", {"cpu": "1"}), c("b", {"cpu": "500m"})], resources={"requests": {"cpu": "1"}}),
        [("spec.resources.requests.cpu",
          'spec.resources.requests[cpu]: Invalid value: "1": must be greater than or equal to aggregate '
          "container requests of 1500m")]),
    Row("pod-level request for cpu only: container memory and storage are not compared (v1.34)",
        pod([c("a", {"cpu": "100m", "memory": "10Mi", "ephemeral-storage": "10Mi"})],
            resources={"requests": {"cpu": "300m"}}), []),
    Row("pod-level limit below the containers' requests: the defaulted pod request is too small",
        pod([c("a", limits={"cpu": "60"}), c("b", limits={"cpu": "60"})], resources={"limits": {"cpu": "100"}}),
        [("spec.resources.requests.cpu",
          'spec.resources.requests: Invalid value: "120": must be less than or equal to cpu limit of 100')]),
    Row("a container limit above the pod-level limit",
        pod([c("a", {"cpu": "1"}, {"cpu": "3"})], resources={"limits": {"cpu": "2"}}),
        [("spec.containers[0].resources.limits.cpu",
          'spec.resources.containers[0][cpu].limits: Invalid value: "3": must be less than or equal to pod limits of 2')]),
    Row("pod-level hugepages below the containers' aggregate limit",
        pod([c("a", {"cpu": "1"}, {"hugepages-2Mi": "8Mi"})],
            resources={"limits": {"memory": "1Gi", "hugepages-2Mi": "4Mi"}}),
        [("spec.resources.requests.hugepages-2Mi",
          'spec.resources.requests[hugepages-2Mi]: Invalid value: "4Mi": must be greater than or equal to aggregate '
          "container requests of 8Mi"),
         ("spec.resources.limits.hugepages-2Mi",
          'spec.resources.limits[hugepages-2Mi]: Invalid value: "4Mi": must be greater than or equal to aggregate '
          "container limits of 8Mi"),
         ("spec.containers[0].resources.limits.hugepages-2Mi",
          'spec.resources.containers[0][hugepages-2Mi].limits: Invalid value: "8Mi": must be less than or equal to '
          "pod limits of 4Mi")]),
    Row("a template is checked as the pod it creates",
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
         "spec": {"template": {"spec": {"containers": [c("a", {"cpu": "2"}, {"cpu": "1"})]}}}},
        [("spec.template.spec.containers[0].resources.requests.cpu",
          'spec.template.spec.containers[0].resources.requests: Invalid value: "2": '
          "must be less than or equal to cpu limit of 1")]),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_validate_pod(row: Row) -> None:
    problems = validate_pod(row.pod)
    assert [problem.path for problem in problems] == [path for path, _ in row.problems]
    for problem, (_, kubernetes) in zip(problems, row.problems, strict=True):
        if kubernetes is not None:
            assert problem.kubernetes == kubernetes
        assert problem.message


def test_quantity_problems_carry_the_quantity_error() -> None:
    problems = validate_pod(pod([c("a", {"memory": "1GB", "cpu": True})]))
    memory, cpu = problems
    assert 'did you mean "1G" or "1Gi"?' in memory.message
    assert memory.kubernetes is not None
    assert memory.kubernetes.startswith(
        'Pod in version "v1" cannot be handled as a Pod: quantities must match'
    )
    assert cpu.message == 'expected a quantity (a string such as "500m" or a number), got boolean true'


def test_every_computation_raises_all_problems_at_once() -> None:
    manifest = pod([c("a", {"cpu": "2", "memory": "x"}, {"cpu": "1"}), c("a", {"nvidia.com/gpu": "1.5"})])
    expected = len(validate_pod(manifest))
    assert expected == 5
    for compute in (pod_requests, qos_class):
        with pytest.raises(PodValidationError) as caught:
            compute(manifest)
        assert len(caught.value.problems) == expected
        text = str(caught.value)
        assert text.startswith("invalid pod, 5 problems:")
        assert text.count("\n") == 5


def test_problem_text_names_the_object() -> None:
    manifest = {"kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"template": {"spec": {"containers": [c("a", {"cpu": "-1"})]}}}}  # fmt: skip
    (problem,) = validate_pod(manifest)
    assert (
        str(problem)
        == 'Deployment "web": spec.template.spec.containers[0].resources.requests.cpu: -1 is negative'
    )
